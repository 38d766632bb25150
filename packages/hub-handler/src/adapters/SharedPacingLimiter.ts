import { DEFAULT_PACING_GRANT, pacingEngaged, slotMillis, slotsToClaim } from '@remediation-hub/core';
import type { SharedSchedule } from './DynamoDbSharedSchedule.js';
import type { RateLimiter } from './TokenBucketLimiter.js';

export interface SharedPacingOptions {
  /** This container's own bucket: used while nothing says another container is calling the same account. */
  local: RateLimiter;
  schedule: SharedSchedule;
  /** The AWS bucket's refill per second (EC2's mutating calls: 5). */
  refillPerSecond: number;
  /** How long after the last throttle (or busy claim) the shared schedule stays engaged. */
  windowMillis: number;
  /** Slots claimed at most per write. */
  grant?: number;
  /** Told when a claim fails: the limiter then paces with the local bucket. */
  onScheduleError?: (key: string, error: unknown) => void;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

interface KeyState {
  /** The last throttle seen, or the last claim that found the schedule busy. */
  signalAt: number | undefined;
  /** Callers waiting for a shared slot, first come first served. */
  waiting: Array<() => void>;
  /** Slots claimed and not yet handed out. */
  slots: number[];
  pumping: boolean;
}

const defaultSleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Paces calls per account and region with the container's own bucket until that account and region throttles
 * (`throttled`); from then on, for `windowMillis` after the last throttle or the last claim that found other
 * containers queueing, callers wait for slots of the shared schedule, claimed a few at a time (as many as wait,
 * at most `grant`). At a load spread over many accounts nothing is throttled and no claim is made.
 */
export class SharedPacingLimiter implements RateLimiter {
  readonly #options: SharedPacingOptions;
  readonly #slot: number;
  readonly #grant: number;
  readonly #now: () => number;
  readonly #sleep: (ms: number) => Promise<void>;
  readonly #keys = new Map<string, KeyState>();

  constructor(options: SharedPacingOptions) {
    this.#options = options;
    this.#slot = slotMillis(options.refillPerSecond);
    this.#grant = options.grant ?? DEFAULT_PACING_GRANT;
    this.#now = options.now ?? Date.now;
    this.#sleep = options.sleep ?? defaultSleep;
  }

  acquire(key: string): Promise<void> {
    const state = this.#state(key);
    if (!pacingEngaged(state.signalAt, this.#now(), this.#options.windowMillis)) {
      return this.#options.local.acquire(key);
    }
    return new Promise<void>((resolve) => {
      state.waiting.push(resolve);
      if (!state.pumping) void this.#pump(key, state);
    });
  }

  /** The account and region answered a call with a throttle: engage the shared schedule there. */
  throttled(key: string): void {
    this.#state(key).signalAt = this.#now();
  }

  /** Whether the shared schedule is engaged for `key` (tests, metrics). */
  engaged(key: string): boolean {
    return pacingEngaged(this.#keys.get(key)?.signalAt, this.#now(), this.#options.windowMillis);
  }

  #state(key: string): KeyState {
    let state = this.#keys.get(key);
    if (!state) {
      state = { signalAt: undefined, waiting: [], slots: [], pumping: false };
      this.#keys.set(key, state);
    }
    return state;
  }

  /** Hands out slots to the waiters in order, claiming more when none are left. */
  async #pump(key: string, state: KeyState): Promise<void> {
    state.pumping = true;
    // The callers of this same turn (a batch's alerts reaching their revokes together) join the first claim.
    await Promise.resolve();
    try {
      while (state.waiting.length > 0) {
        if (state.slots.length === 0) {
          try {
            const claim = await this.#options.schedule.claim(
              key,
              slotsToClaim(state.waiting.length, this.#grant),
              this.#slot,
              this.#now(),
            );
            // Others' slots were ahead: they queue at least until our last slot, so stay engaged from there.
            if (claim.busy) state.signalAt = Math.max(this.#now(), claim.slots.at(-1) ?? 0);
            state.slots.push(...claim.slots);
          } catch (error) {
            // The schedule is out of reach: the waiters pace alone rather than fail.
            this.#options.onScheduleError?.(key, error);
            for (const resolve of state.waiting.splice(0)) {
              void this.#options.local.acquire(key).then(resolve);
            }
            return;
          }
        }
        const at = state.slots.shift() as number;
        const wait = at - this.#now();
        if (wait > 0) await this.#sleep(wait);
        state.waiting.shift()?.();
      }
    } finally {
      state.pumping = false;
    }
  }
}
