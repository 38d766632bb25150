import type { Outcome } from './constants.js';
import type { LedgerRecord } from './ledgerRecord.js';
import type { ClaimRequest } from './ports.js';

/**
 * What a claim does with the record the ledger holds for a notification (the lifecycle rules of an attempt;
 * the ledger adapter only expresses the answer as conditional writes):
 * - `duplicate`: the notification was completed with an outcome this delivery may not process again;
 * - `contended`: another worker holds a live lease, or wrote the record after the claimant began reading the
 *   group its write is planned from (`ClaimRequest.readAt`); the message comes back later;
 * - `claim`: write `record` (conditioned on the stored one not having changed): a new attempt of a completed
 *   notification whose outcome is reclaimable (`reclaim`), or of an in-progress one whose lease expired
 *   (`take-over`) or was released after a retryable error (`resume`).
 */
export type ClaimDecision =
  | { kind: 'duplicate' }
  | { kind: 'contended' }
  | { kind: 'claim'; how: 'reclaim' | 'take-over' | 'resume'; record: LedgerRecord };

/** Completed outcomes a claim takes again when the request does not say (`ClaimRequest.reclaimableOutcomes`). */
export const DEFAULT_RECLAIMABLE_OUTCOMES: readonly Outcome[] = ['failed'];

/** The item a first claim of a notification creates: in progress, under this owner's lease. */
export function firstClaim(request: ClaimRequest, expiresAt: number): LedgerRecord {
  const now = request.now.toISOString();
  return {
    revoked: [],
    authorized: [],
    requestIds: [],
    ...request.fields,
    ...claimedBy(request, expiresAt, 1),
    timings: { firstSeenAt: now, startedAt: now },
  };
}

/** Decides a claim of a notification the ledger already holds as `stored`, at `request.now`. */
export function decideClaim(stored: LedgerRecord, request: ClaimRequest, expiresAt: number): ClaimDecision {
  const reclaimable = request.reclaimableOutcomes ?? DEFAULT_RECLAIMABLE_OUTCOMES;
  const completed = stored.state === 'completed';
  if (completed) {
    // A record an operator undid (or is undoing) stays as it is: a replay must not silently redo what the
    // operator reverted, nor carry the reverted rules forward as this attempt's work.
    const reclaim =
      stored.outcome !== undefined && reclaimable.includes(stored.outcome) && stored.revertedBy === undefined;
    if (!reclaim) return { kind: 'duplicate' };
  } else if (stored.leaseOwner !== request.owner && (stored.leaseExpiresAt ?? 0) > request.now.getTime()) {
    return { kind: 'contended' };
  }
  // Written by another worker since this claimant read the group: that read may predate what it did.
  if (
    request.readAt !== undefined &&
    stored.leaseOwner !== request.owner &&
    Date.parse(stored.recordedAt) > request.readAt.getTime()
  ) {
    return { kind: 'contended' };
  }
  const released = !completed && wasReleased(stored);
  const record: LedgerRecord = {
    ...stored,
    // A completed attempt being redone: its conclusion gives way to the new attempt's (the outcome it had stays
    // as `previousOutcome`); the work it did (revoked, request ids, ...) and the history stay.
    ...(completed
      ? {
          previousOutcome: stored.outcome,
          decision: undefined,
          explanation: undefined,
          reason: undefined,
          plan: undefined,
          pendingReauthorizations: undefined,
          error: undefined,
        }
      : {}),
    // A released lease: that attempt recorded exactly what it did. A plan left on it (a record written before
    // releases dropped it) is not a checkpoint of this claim's attempt, so a later takeover must not read it as
    // unrecorded work.
    ...(released ? { plan: undefined } : {}),
    ...request.fields,
    ...claimedBy(request, expiresAt, (stored.attempts ?? 0) + 1),
    timings: {
      firstSeenAt: stored.timings?.firstSeenAt ?? request.now.toISOString(),
      startedAt: request.now.toISOString(),
    },
  };
  return { kind: 'claim', how: completed ? 'reclaim' : released ? 'resume' : 'take-over', record };
}

/** The fields every claim writes: this notification, in progress under this owner's lease. */
function claimedBy(request: ClaimRequest, expiresAt: number, attempts: number) {
  return {
    alertId: request.alertId,
    eventKey: request.eventKey,
    alertStatus: request.alertStatus,
    state: 'in-progress' as const,
    outcome: undefined,
    recordedAt: request.now.toISOString(),
    expiresAt,
    attempts,
    leaseOwner: request.owner,
    leaseExpiresAt: request.now.getTime() + request.leaseSeconds * 1000,
  };
}

/** A lease released after a retryable error expires at the moment it was written. */
export function wasReleased(record: Pick<LedgerRecord, 'leaseExpiresAt' | 'recordedAt'>): boolean {
  return record.leaseExpiresAt === undefined || record.leaseExpiresAt <= Date.parse(record.recordedAt);
}
