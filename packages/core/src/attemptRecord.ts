import type { Decision, Outcome, RemediationMode } from './constants.js';
import type { LedgerRecord, RecordedError } from './ledgerRecord.js';
import { type Explanation, renderExplanation } from './reasons.js';
import type { IpPermission } from './types.js';
import { pendingReauthorizations } from './unmadeReauthorizations.js';

/**
 * What one attempt at a notification learnt and did, and so what its ledger writes say (checkpoint, release,
 * completion); partial progress included. Built from the claimed record (`resumeProgress`), so an earlier
 * attempt's work stays on the record.
 */
export interface AttemptProgress {
  mode: RemediationMode;
  roleArn?: string | undefined;
  /** The group before the hub first changed it. */
  permissionsBefore?: IpPermission[] | undefined;
  /** The group after the hub's changes so far (computed from what EC2 confirmed). */
  permissionsAfter?: IpPermission[] | undefined;
  decision?: Decision | undefined;
  explanation?: Explanation | undefined;
  /** The planner's revocations and authorizations, applied or not. */
  plan?: { revoke: IpPermission[]; authorize: IpPermission[] } | undefined;
  /** What EC2 confirmed, this attempt's and the earlier ones'. */
  revoked: IpPermission[];
  authorized: IpPermission[];
  requestIds: string[];
  /** An error recorded with an outcome that stands (a re-authorization that failed after its revocation). */
  error?: RecordedError | undefined;
  /** Changes sent whose outcome is unknown, not yet read back from the group (see `LedgerRecord.inDoubt`). */
  inDoubt?: { revoke: IpPermission[]; authorize: IpPermission[] } | undefined;
}

/**
 * An attempt's starting point, from the record as claimed: the work of earlier attempts (revocations,
 * authorizations, request ids) and the changes they left in doubt stay. The group before and after are kept only when an earlier attempt
 * changed the group, or may have (an attempt taken over with a checkpointed plan); otherwise they are read
 * afresh (an earlier dry-run's or failed attempt's view of the group is not kept).
 */
export function resumeProgress(
  claimed: LedgerRecord,
  mode: RemediationMode,
  mayHaveUnrecordedChanges: boolean,
): AttemptProgress {
  const changedBefore = claimed.revoked.length + claimed.authorized.length > 0 || hasDoubt(claimed.inDoubt);
  const keepGroup = changedBefore || mayHaveUnrecordedChanges;
  return {
    mode,
    revoked: [...claimed.revoked],
    authorized: [...claimed.authorized],
    requestIds: [...claimed.requestIds],
    permissionsBefore: keepGroup ? claimed.permissionsBefore : undefined,
    permissionsAfter: keepGroup ? claimed.permissionsAfter : undefined,
    // Carried until this attempt reads the group and settles them.
    inDoubt: claimed.inDoubt,
  };
}

/** Whether changes are in doubt. */
export function hasDoubt(inDoubt: AttemptProgress['inDoubt']): boolean {
  return inDoubt !== undefined && inDoubt.revoke.length + inDoubt.authorize.length > 0;
}

/** The fields of a record that say what the attempt did. */
function progressFields(progress: AttemptProgress): Partial<LedgerRecord> {
  const { explanation, inDoubt, ...rest } = progress;
  return {
    ...rest,
    inDoubt: hasDoubt(inDoubt) ? inDoubt : undefined,
    explanation,
    reason: explanation === undefined ? undefined : renderExplanation(explanation),
  };
}

/**
 * The checkpoint, written before the first EC2 change: the plan and the group as it is, under this worker's
 * lease. If the attempt's last writes are lost, the attempt that takes over knows what may have been changed.
 */
export function checkpointRecord(claimed: LedgerRecord, progress: AttemptProgress, now: Date): LedgerRecord {
  return { ...claimed, ...progressFields(progress), state: 'in-progress', recordedAt: now.toISOString() };
}

/**
 * The release, after a retryable error: what this attempt did stays on the record, and the lease expires now
 * so the redelivery can claim the notification at once. The record then says exactly what this attempt did, so
 * its plan is dropped: an attempt that later takes over one that died before its own checkpoint must not read
 * this plan as unrecorded work. The re-authorizations it left unmade are kept for the next attempt's reason.
 */
export function releasedRecord(
  claimed: LedgerRecord,
  progress: AttemptProgress,
  now: Date,
  error: RecordedError,
): LedgerRecord {
  return {
    ...claimed,
    ...progressFields(progress),
    plan: undefined,
    pendingReauthorizations: pendingReauthorizations(
      claimed,
      progress.plan,
      progress.revoked,
      progress.authorized,
    ),
    state: 'in-progress',
    recordedAt: now.toISOString(),
    leaseExpiresAt: now.getTime(),
    error,
  };
}

/** The completion: the outcome, what was done and why, and the attempt's timings. */
export function completedRecord(
  claimed: LedgerRecord,
  progress: AttemptProgress,
  completion: {
    outcome: Outcome;
    error: RecordedError | undefined;
    messageId: string;
    startedAt: Date;
    now: Date;
  },
): LedgerRecord {
  const { now, startedAt } = completion;
  return {
    ...claimed,
    ...progressFields(progress),
    state: 'completed',
    outcome: completion.outcome,
    recordedAt: now.toISOString(),
    // A completed record holds no lease.
    leaseExpiresAt: undefined,
    error: completion.error,
    messageId: completion.messageId,
    timings: {
      firstSeenAt: claimed.timings.firstSeenAt,
      startedAt: claimed.timings.startedAt,
      completedAt: now.toISOString(),
      durationMs: now.getTime() - startedAt.getTime(),
    },
  };
}

/**
 * A record for a notification that never got a claim (refused before: unreadable, or an account the hub may
 * not act in): completed at once. `expiresAt: 0` lets the ledger apply its retention.
 */
export function unclaimedRecord(
  key: { alertId: string; eventKey: string; alertStatus: string },
  fields: Partial<LedgerRecord>,
  completion: {
    outcome: Outcome;
    explanation: Explanation;
    error: RecordedError;
    startedAt: Date;
    now: Date;
  },
): LedgerRecord {
  const { startedAt, now } = completion;
  return {
    ...fields,
    ...key,
    state: 'completed',
    outcome: completion.outcome,
    explanation: completion.explanation,
    reason: renderExplanation(completion.explanation),
    error: completion.error,
    recordedAt: now.toISOString(),
    expiresAt: 0,
    revoked: [],
    authorized: [],
    requestIds: [],
    attempts: 1,
    timings: {
      firstSeenAt: startedAt.toISOString(),
      startedAt: startedAt.toISOString(),
      completedAt: now.toISOString(),
      durationMs: now.getTime() - startedAt.getTime(),
    },
  };
}
