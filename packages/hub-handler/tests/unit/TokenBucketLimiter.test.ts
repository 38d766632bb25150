import { describe, expect, it } from 'vitest';
import { EC2_MUTATING_RATE, TokenBucketLimiter } from '../../src/adapters/TokenBucketLimiter.js';

/** A fake time line: `sleep` moves it forward instead of waiting. */
function fakeTime() {
  let now = 0;
  const sleeps: number[] = [];
  return {
    now: () => now,
    sleep: async (ms: number) => {
      sleeps.push(ms);
      now += ms;
    },
    advance: (ms: number) => {
      now += ms;
    },
    sleeps,
  };
}

describe('TokenBucketLimiter', () => {
  it('lets a burst of the bucket size through without waiting', async () => {
    const time = fakeTime();
    const limiter = new TokenBucketLimiter({ ...EC2_MUTATING_RATE, now: time.now, sleep: time.sleep });
    await Promise.all(Array.from({ length: 50 }, () => limiter.acquire('111111111111:us-east-1')));
    expect(time.sleeps).toEqual([]);
    expect(limiter.available('111111111111:us-east-1')).toBeLessThan(1);
  });

  it('makes the call after the burst wait for the refill instead of failing', async () => {
    const time = fakeTime();
    const limiter = new TokenBucketLimiter({ ...EC2_MUTATING_RATE, now: time.now, sleep: time.sleep });
    for (let i = 0; i < 50; i++) await limiter.acquire('a:us-east-1');
    await limiter.acquire('a:us-east-1');
    await limiter.acquire('a:us-east-1');
    // 5 tokens per second: one token every 200 ms.
    expect(time.sleeps).toEqual([200, 200]);
    expect(time.now()).toBe(400);
  });

  it('keeps one bucket per account and region', async () => {
    const time = fakeTime();
    const limiter = new TokenBucketLimiter({
      capacity: 1,
      refillPerSecond: 1,
      now: time.now,
      sleep: time.sleep,
    });
    await limiter.acquire('111111111111:us-east-1');
    await limiter.acquire('111111111111:eu-west-1');
    await limiter.acquire('222222222222:us-east-1');
    expect(time.sleeps).toEqual([]);
    await limiter.acquire('111111111111:us-east-1');
    expect(time.sleeps).toEqual([1000]);
  });

  it('serves waiters in arrival order', async () => {
    const time = fakeTime();
    const limiter = new TokenBucketLimiter({
      capacity: 1,
      refillPerSecond: 10,
      now: time.now,
      sleep: time.sleep,
    });
    const order: number[] = [];
    await Promise.all([1, 2, 3, 4].map((n) => limiter.acquire('k').then(() => order.push(n))));
    expect(order).toEqual([1, 2, 3, 4]);
    expect(time.now()).toBe(300);
  });

  it('refills up to the capacity and no further', () => {
    const time = fakeTime();
    const limiter = new TokenBucketLimiter({
      capacity: 3,
      refillPerSecond: 1,
      now: time.now,
      sleep: time.sleep,
    });
    void limiter.acquire('k');
    time.advance(60_000);
    expect(limiter.available('k')).toBe(3);
  });

  it('refuses a bucket that could never hand out a token', () => {
    expect(() => new TokenBucketLimiter({ capacity: 0, refillPerSecond: 1 })).toThrow(RangeError);
    expect(() => new TokenBucketLimiter({ capacity: 1, refillPerSecond: 0 })).toThrow(RangeError);
  });
});
