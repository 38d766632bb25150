import { describe, expect, it } from 'vitest';
import type { SharedSchedule } from '../../src/adapters/DynamoDbSharedSchedule.js';
import { SharedPacingLimiter } from '../../src/adapters/SharedPacingLimiter.js';
import type { RateLimiter } from '../../src/adapters/TokenBucketLimiter.js';

const KEY = '111111111111:eu-west-1';

/** A clock that moves only when the limiter sleeps; a schedule kept in memory; a local bucket that counts. */
function harness(options: { fail?: boolean; busyFrom?: number } = {}) {
  let now = 1_000_000;
  const claims: Array<{ key: string; count: number; at: number }> = [];
  let nextAt = options.busyFrom;
  const schedule: SharedSchedule = {
    async claim(key, count, slot, at) {
      claims.push({ key, count, at });
      if (options.fail) throw new Error('table unreachable');
      const busy = nextAt !== undefined && nextAt > at;
      const start = busy ? (nextAt as number) : at;
      nextAt = start + count * slot;
      return { slots: Array.from({ length: count }, (_, i) => start + i * slot), busy };
    },
  };
  let localAcquires = 0;
  const local: RateLimiter = {
    acquire: async () => {
      localAcquires++;
    },
  };
  const calls: number[] = [];
  const limiter = new SharedPacingLimiter({
    local,
    schedule,
    refillPerSecond: 5,
    windowMillis: 60_000,
    grant: 5,
    now: () => now,
    // A turn of the event loop first: the caller served before the sleep records its time before the clock moves.
    sleep: async (ms) => {
      await new Promise((resolve) => setTimeout(resolve, 0));
      now += ms;
    },
  });
  const call = async () => {
    await limiter.acquire(KEY);
    calls.push(now);
  };
  return {
    limiter,
    claims,
    calls,
    call,
    localAcquires: () => localAcquires,
    advance: (ms: number) => {
      now += ms;
    },
  };
}

describe('SharedPacingLimiter', () => {
  it('paces alone, with no claim at all, while the account and region has not throttled', async () => {
    const h = harness();
    await Promise.all(Array.from({ length: 20 }, h.call));
    expect(h.localAcquires()).toBe(20);
    expect(h.claims).toEqual([]);
    expect(h.limiter.engaged(KEY)).toBe(false);
  });

  it('after a throttle, serves callers in order from claimed slots, claiming as many as wait up to the grant', async () => {
    const h = harness();
    h.limiter.throttled(KEY);
    await Promise.all(Array.from({ length: 7 }, h.call));
    expect(h.localAcquires()).toBe(0);
    expect(h.claims.map((c) => c.count)).toEqual([5, 2]);
    // 4.8 per second: one call every 208⅓ ms, whatever the claims.
    const gaps = h.calls.slice(1).map((t, i) => t - (h.calls[i] as number));
    for (const gap of gaps) expect(gap).toBeCloseTo(1000 / 4.8, 5);
  });

  it('waits behind the slots other containers claimed, and stays engaged while they queue', async () => {
    const h = harness({ busyFrom: 1_000_000 + 90_000 });
    h.limiter.throttled(KEY);
    h.advance(59_000);
    // The claim finds the schedule busy (others' slots ahead): that counts as a signal, as a throttle does.
    await h.call();
    expect(h.calls[0]).toBe(1_090_000);
    h.advance(59_000);
    expect(h.limiter.engaged(KEY)).toBe(true);
    h.advance(61_000);
    expect(h.limiter.engaged(KEY)).toBe(false);
    await h.call();
    expect(h.localAcquires()).toBe(1);
  });

  it('goes back to pacing alone once the window has passed without a throttle', async () => {
    const h = harness();
    h.limiter.throttled(KEY);
    await h.call();
    h.advance(60_000);
    await h.call();
    expect(h.claims).toHaveLength(1);
    expect(h.localAcquires()).toBe(1);
  });

  it('paces alone rather than fail when the schedule is out of reach', async () => {
    const h = harness({ fail: true });
    h.limiter.throttled(KEY);
    await Promise.all(Array.from({ length: 3 }, h.call));
    expect(h.calls).toHaveLength(3);
    expect(h.localAcquires()).toBe(3);
  });

  it('keeps other accounts and regions on their own buckets', async () => {
    const h = harness();
    h.limiter.throttled(KEY);
    await h.limiter.acquire('222222222222:eu-west-1');
    expect(h.claims).toEqual([]);
    expect(h.localAcquires()).toBe(1);
  });
});
