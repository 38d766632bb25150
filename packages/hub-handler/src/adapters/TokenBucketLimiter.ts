/** Waits until a call for `key` may be made. */
export interface RateLimiter {
  acquire(key: string): Promise<void>;
  /** AWS throttled a call for `key` (a limiter that paces with other containers engages then). */
  throttled?(key: string): void;
}

export interface TokenBucketOptions {
  /** Tokens a bucket holds (the burst). */
  capacity: number;
  /** Tokens added per second. */
  refillPerSecond: number;
  /** Milliseconds since some epoch; injected by tests. */
  now?: () => number;
  /** Resolves after `ms`; injected by tests. */
  sleep?: (ms: number) => Promise<void>;
}

/** EC2's own buckets per account and region (mutating calls; Describe*). */
export const EC2_MUTATING_RATE = { capacity: 50, refillPerSecond: 5 } as const;
export const EC2_DESCRIBE_RATE = { capacity: 100, refillPerSecond: 20 } as const;

interface Bucket {
  tokens: number;
  updatedAt: number;
  /** The end of the queue of waiters: acquisitions are served in order. */
  tail: Promise<void>;
}

const defaultSleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * A token bucket per key (e.g. `${account}:${region}`), shaped like the AWS service's own, so a storm
 * of alerts for one account waits for tokens instead of failing with `RequestLimitExceeded`.
 * Waiters are served first come, first served.
 */
export class TokenBucketLimiter implements RateLimiter {
  readonly #capacity: number;
  readonly #refillPerMs: number;
  readonly #now: () => number;
  readonly #sleep: (ms: number) => Promise<void>;
  readonly #buckets = new Map<string, Bucket>();

  constructor(options: TokenBucketOptions) {
    if (!(options.capacity >= 1) || !(options.refillPerSecond > 0)) {
      throw new RangeError('a token bucket needs capacity >= 1 and refillPerSecond > 0');
    }
    this.#capacity = options.capacity;
    this.#refillPerMs = options.refillPerSecond / 1000;
    this.#now = options.now ?? Date.now;
    this.#sleep = options.sleep ?? defaultSleep;
  }

  acquire(key: string): Promise<void> {
    let bucket = this.#buckets.get(key);
    if (!bucket) {
      bucket = { tokens: this.#capacity, updatedAt: this.#now(), tail: Promise.resolve() };
      this.#buckets.set(key, bucket);
    }
    const current = bucket;
    const turn = current.tail.then(() => this.#take(current));
    current.tail = turn;
    return turn;
  }

  /** Tokens available now for `key` (for tests and metrics). */
  available(key: string): number {
    const bucket = this.#buckets.get(key);
    if (!bucket) return this.#capacity;
    this.#refill(bucket);
    return bucket.tokens;
  }

  async #take(bucket: Bucket): Promise<void> {
    this.#refill(bucket);
    while (bucket.tokens < 1) {
      await this.#sleep(Math.ceil((1 - bucket.tokens) / this.#refillPerMs));
      this.#refill(bucket);
    }
    bucket.tokens -= 1;
  }

  #refill(bucket: Bucket): void {
    const now = this.#now();
    const elapsed = Math.max(0, now - bucket.updatedAt);
    bucket.tokens = Math.min(this.#capacity, bucket.tokens + elapsed * this.#refillPerMs);
    bucket.updatedAt = now;
  }
}
