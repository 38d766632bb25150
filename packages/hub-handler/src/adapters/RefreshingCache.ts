import type { Clock } from '@remediation-hub/core';

export interface RefreshingCacheOptions<T> {
  /** Reads the value anew (a walk of the OUs, a read of the registry). */
  load: () => Promise<T>;
  /** How long a value, once read, is trusted. */
  ttlSeconds: number;
  clock: Clock;
  /**
   * After this share of the TTL a read still answers from the value but starts a refresh in the background, so a
   * steady flow of alerts never waits for one (default 0.75). The value is never used past its TTL.
   */
  refreshAheadAt?: number;
  /** Told when a background refresh fails (the value stays until its TTL; the next read past it tries again). */
  onBackgroundError?: (error: unknown) => void;
  /**
   * When a value was read, if not when its load started (a value read by another worker and shared, whose age
   * counts from that worker's read).
   */
  readAtOf?: (value: T) => Date | undefined;
  /** Background refreshes start at most this often (default: a 60th of the TTL, at least 1 s). */
  minRefreshIntervalSeconds?: number;
}

/**
 * One value read from a slow or rate-limited source, trusted for a TTL: at most one read in flight however many
 * callers ask at once (single flight), refreshed ahead of its expiry, never answered from past its TTL. A failed
 * read is not cached: the next caller tries again.
 */
export class RefreshingCache<T> {
  readonly #load: () => Promise<T>;
  readonly #ttlMs: number;
  readonly #refreshAheadMs: number;
  readonly #clock: Clock;
  readonly #onBackgroundError: (error: unknown) => void;
  readonly #readAtOf: ((value: T) => Date | undefined) | undefined;
  readonly #minRefreshIntervalMs: number;
  #lastBackgroundRefresh = Number.NEGATIVE_INFINITY;
  #value: { value: T; readAt: number } | undefined;
  #inFlight: Promise<T> | undefined;

  constructor(options: RefreshingCacheOptions<T>) {
    this.#load = options.load;
    this.#ttlMs = options.ttlSeconds * 1000;
    this.#refreshAheadMs = this.#ttlMs * (options.refreshAheadAt ?? 0.75);
    this.#clock = options.clock;
    this.#onBackgroundError = options.onBackgroundError ?? (() => {});
    this.#readAtOf = options.readAtOf;
    this.#minRefreshIntervalMs =
      (options.minRefreshIntervalSeconds ?? Math.max(1, options.ttlSeconds / 60)) * 1000;
  }

  /** The value, read now if there is none within its TTL. Rejects with the read's error. */
  async get(): Promise<T> {
    const now = this.#clock.now().getTime();
    const held = this.#value;
    if (held !== undefined && now - held.readAt < this.#ttlMs) {
      if (
        now - held.readAt >= this.#refreshAheadMs &&
        this.#inFlight === undefined &&
        now - this.#lastBackgroundRefresh >= this.#minRefreshIntervalMs
      ) {
        this.#lastBackgroundRefresh = now;
        this.refresh().catch(this.#onBackgroundError);
      }
      return held.value;
    }
    return this.refresh();
  }

  /** Reads the value anew (or joins the read in flight). */
  refresh(): Promise<T> {
    if (this.#inFlight !== undefined) return this.#inFlight;
    const startedAt = this.#clock.now().getTime();
    const read = this.#load().then((value) => {
      // Trusted from when the read started: what it saw may have changed while it ran.
      this.#value = { value, readAt: this.#readAtOf?.(value)?.getTime() ?? startedAt };
      return value;
    });
    const tracked = read.finally(() => {
      this.#inFlight = undefined;
    });
    this.#inFlight = tracked;
    return tracked;
  }

  /** The value held now, fresh or not (for reports), and when it was read. */
  peek(): { value: T; readAt: Date } | undefined {
    return this.#value === undefined
      ? undefined
      : { value: this.#value.value, readAt: new Date(this.#value.readAt) };
  }
}
