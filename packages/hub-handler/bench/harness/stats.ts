/** Pure helpers of the benchmark harness: percentiles, call tallies, rates. Unit-tested in tests/unit/benchHarness. */

/** The `p`-th percentile (0 to 100) by nearest rank: the smallest value with at least p % of the values at or below it. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  if (!(p >= 0 && p <= 100)) throw new RangeError(`a percentile is between 0 and 100, got ${p}`);
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[rank - 1] as number;
}

export function median(values: readonly number[]): number {
  return percentile(values, 50);
}

/** What a call is, for tallies: `service:action` (`ec2:RevokeSecurityGroupIngress`). */
export function callKey(call: { service?: string | undefined; action?: string | undefined }): string {
  return `${call.service ?? '?'}:${call.action ?? '?'}`;
}

/** Calls counted by `service:action`, sorted by key. */
export function tally(
  calls: Iterable<{ service?: string | undefined; action?: string | undefined }>,
): Map<string, number> {
  const counts = new Map<string, number>();
  for (const call of calls) {
    const key = callKey(call);
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return new Map([...counts].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/** Adds `more` into `into` (tallies of several rounds). */
export function addTally(into: Map<string, number>, more: ReadonlyMap<string, number>): Map<string, number> {
  for (const [key, n] of more) into.set(key, (into.get(key) ?? 0) + n);
  return new Map([...into].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/**
 * The rate a token bucket let through once its burst was spent: the calls beyond `capacity`, over the time from
 * the first call to the last. A client that takes every token the bucket refills reaches `refillPerSecond`
 * exactly (the bucket holds `capacity` at the first call and gains `refillPerSecond` each second after it); no
 * client can do better. Undefined with `capacity` calls or fewer (the burst alone says nothing of the refill).
 */
export function sustainedRate(times: readonly number[], capacity: number): number | undefined {
  if (times.length <= capacity) return undefined;
  const sorted = [...times].sort((a, b) => a - b);
  const seconds = ((sorted.at(-1) as number) - (sorted[0] as number)) / 1000;
  return seconds > 0 ? (sorted.length - capacity) / seconds : undefined;
}

/** `(measured − baseline) / baseline`: the hub's own CPU as a share of the SDK's for the same calls. */
export function overheadShare(measured: number, baseline: number): number {
  return (measured - baseline) / baseline;
}
