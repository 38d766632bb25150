/**
 * Pacing across containers: the pure rules of the shared bucket the hub engages for an account and region once it
 * has been throttled there (`PACING=shared`). AWS keeps one bucket per account and region (EC2's mutating calls:
 * 50, refilling 5 per second) for every caller together; each Lambda container keeps its own. While a container
 * sees no throttle it paces alone (no extra call); after a throttle, and for as long as the shared schedule shows
 * other containers queueing, it takes its slots from one shared schedule per account and region: a DynamoDB item
 * whose `nextAt` is the first free slot. A claim of n slots moves `nextAt` by n slot lengths; the caller waits
 * for its slots.
 */

/**
 * The pacing table (`PACING_TABLE`): one item per account and region (`<account>:<region>`), `nextAt` the first
 * free slot (epoch ms), deleted by TTL a day after its last claim. The CDK stack and `local up` read it.
 */
export const PACING_TABLE = {
  partitionKey: { name: 'bucketKey', type: 'S' },
  ttlAttribute: 'expiresAt',
} as const;

/** `PACING`: `local` (each container its own bucket) or `shared` (a shared schedule after a throttle). */
export const PACING_MODES = ['local', 'shared'] as const;
export type PacingMode = (typeof PACING_MODES)[number];

/**
 * The shared schedule's rate as a share of the AWS refill: a little under it, so the AWS bucket gains what
 * jitter between the containers' clocks and the network would otherwise cost in throttles.
 */
export const SHARED_RATE_SHARE = 0.96;

/**
 * Slots of credit an idle schedule gives (GCRA's burst): a schedule that nobody used for a while starts up to this
 * many slots in the past, so the gaps between one container's batches are not lost (AWS refilled meanwhile). Far
 * under EC2's burst of 50: at most this many calls at once after a throttle.
 */
export const DEFAULT_PACING_BURST = 5;

/** Slots a container claims at most in one write (fewer when fewer calls wait: a claimed slot not used is lost). */
export const DEFAULT_PACING_GRANT = 5;

/** The milliseconds between two slots of the shared schedule for an AWS refill of `refillPerSecond`. */
export function slotMillis(refillPerSecond: number, share = SHARED_RATE_SHARE): number {
  if (!(refillPerSecond > 0) || !(share > 0))
    throw new RangeError('slotMillis needs a positive rate and share');
  return 1000 / (refillPerSecond * share);
}

/** How many slots to claim: the calls waiting, at most `grant`, at least 1. */
export function slotsToClaim(waiting: number, grant: number): number {
  return Math.max(1, Math.min(Math.floor(waiting), Math.floor(grant)));
}

/** The earliest a claim at `now` may start: `burst` slots back (an idle schedule's credit). */
export function scheduleFloor(now: number, slot: number, burst = DEFAULT_PACING_BURST): number {
  return now - burst * slot;
}

/**
 * The slots a claim of `count` gets when the schedule's first free slot is `nextAt` (epoch ms; undefined: no
 * schedule yet) at `now`: the slots start at `nextAt`, but never before the floor (`burst` slots before `now`);
 * slots before `now` are used at once. `busy`: the first slot is still ahead (others' slots were queued before it).
 * Returns the slot times and the schedule's new `nextAt`.
 */
export function claimSlots(
  nextAt: number | undefined,
  now: number,
  count: number,
  slot: number,
  burst = DEFAULT_PACING_BURST,
): { slots: number[]; nextAt: number; busy: boolean } {
  const floor = scheduleFloor(now, slot, burst);
  const start = nextAt !== undefined && nextAt > floor ? nextAt : floor;
  const slots = Array.from({ length: count }, (_, i) => start + i * slot);
  return { slots, nextAt: start + count * slot, busy: start > now };
}

/** The slot times a busy claim got, from the `nextAt` its atomic add returned. */
export function slotsEndingAt(nextAt: number, count: number, slot: number): number[] {
  return Array.from({ length: count }, (_, i) => nextAt - (count - i) * slot);
}

/**
 * Whether a container takes its slots from the shared schedule for a key: from a throttle there, or a claim that
 * found the schedule busy (other containers queueing), until `windowMillis` have passed without either.
 */
export function pacingEngaged(lastSignalAt: number | undefined, now: number, windowMillis: number): boolean {
  return lastSignalAt !== undefined && now - lastSignalAt < windowMillis;
}
