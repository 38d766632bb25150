import { testClock } from '@remediation-hub/testkit';
import { describe, expect, it } from 'vitest';
import { RefreshingCache } from '../../src/adapters/RefreshingCache.js';

function deferredLoads() {
  const pending: Array<{ resolve: (v: number) => void; reject: (e: unknown) => void }> = [];
  let loads = 0;
  return {
    load: () => {
      loads++;
      return new Promise<number>((resolve, reject) => pending.push({ resolve, reject }));
    },
    get loads() {
      return loads;
    },
    settle: (value: number | Error) => {
      const next = pending.shift();
      if (next === undefined) throw new Error('no load pending');
      if (value instanceof Error) next.reject(value);
      else next.resolve(value);
    },
  };
}

describe('RefreshingCache', () => {
  it('makes one read for callers that ask at once, and answers from it within the TTL', async () => {
    const clock = testClock();
    const source = deferredLoads();
    const cache = new RefreshingCache({ load: source.load, ttlSeconds: 60, clock });
    const asked = [cache.get(), cache.get(), cache.get()];
    source.settle(1);
    expect(await Promise.all(asked)).toEqual([1, 1, 1]);
    clock.advanceSeconds(30);
    expect(await cache.get()).toBe(1);
    expect(source.loads).toBe(1);
  });

  it('refreshes ahead of the TTL in the background, and never answers from a value past its TTL', async () => {
    const clock = testClock();
    const source = deferredLoads();
    const cache = new RefreshingCache({ load: source.load, ttlSeconds: 60, clock, refreshAheadAt: 0.5 });
    const first = cache.get();
    source.settle(1);
    await first;
    clock.advanceSeconds(40);
    // Past half the TTL: answered from the value, a refresh starts.
    expect(await cache.get()).toBe(1);
    expect(source.loads).toBe(2);
    clock.advanceSeconds(25);
    // Past the TTL, the refresh not back yet: the caller waits for it.
    const late = cache.get();
    source.settle(2);
    expect(await late).toBe(2);
    expect(source.loads).toBe(2);
  });

  it('does not keep a failed read: the caller gets the error, the next one reads again', async () => {
    const clock = testClock();
    const source = deferredLoads();
    const cache = new RefreshingCache({ load: source.load, ttlSeconds: 60, clock });
    const failed = cache.get();
    source.settle(new Error('throttled'));
    await expect(failed).rejects.toThrow('throttled');
    const retried = cache.get();
    source.settle(3);
    expect(await retried).toBe(3);
  });

  it('keeps the value until its TTL when a background refresh fails, and reports the failure', async () => {
    const clock = testClock();
    const source = deferredLoads();
    const failures: unknown[] = [];
    const cache = new RefreshingCache({
      load: source.load,
      ttlSeconds: 60,
      clock,
      onBackgroundError: (error) => failures.push(error),
    });
    const first = cache.get();
    source.settle(1);
    await first;
    clock.advanceSeconds(50);
    expect(await cache.get()).toBe(1);
    source.settle(new Error('down'));
    await new Promise((resolve) => setImmediate(resolve));
    expect(failures).toEqual([new Error('down')]);
    expect(await cache.get()).toBe(1);
    clock.advanceSeconds(11);
    const expired = cache.get();
    source.settle(new Error('still down'));
    await expect(expired).rejects.toThrow('still down');
  });
});
