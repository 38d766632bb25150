import type { Outcome } from './constants.js';
import type { Source } from './finding.js';
import type { LedgerRecord, RecordedError } from './ledgerRecord.js';
import type { GroupTarget, IpPermission, SecurityGroup } from './types.js';

/** The hub's clock: injected so leases, TTLs and timings are testable. */
export interface Clock {
  now(): Date;
}

export interface TemporaryCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken: string;
  expiration: Date;
}

export interface AccountCredentials {
  accountId: string;
  /** The member role that was assumed. */
  roleArn: string;
  credentials: TemporaryCredentials;
}

/** Credentials for acting in a member account (STS AssumeRole with the ExternalId, cached). */
export interface CredentialsProvider {
  forAccount(accountId: string): Promise<AccountCredentials>;
  /**
   * Forgets an account's cached credentials because a service refused them (expired or revoked session), so
   * the next `forAccount` assumes the role again. With `accessKeyId`, only if the cached credentials are
   * those (a fresher set obtained meanwhile is kept). Optional: a provider without a cache needs none.
   */
  invalidate?(accountId: string, accessKeyId?: string): void;
}

export interface MutationResult {
  /** The EC2 request id, to join with CloudTrail. */
  requestId: string | undefined;
  /**
   * Permissions EC2 reported as already in the wanted state at the first try: gone (revoke) or there
   * (authorize), `InvalidPermission.NotFound` / `.Duplicate` or `Return: true` with `UnknownIpPermissions`.
   */
  unknownPermissions: IpPermission[];
  /**
   * Permissions EC2 reported as already in the wanted state only after the call was sent again (the SDK
   * retried it): an earlier try most likely made the change and its answer was lost (a connection reset after
   * EC2 applied it). They are the hub's change, not someone else's.
   */
  answerLost: IpPermission[];
}

/**
 * A member account's security groups, seen through the member role. Errors are the core's classes:
 * `ResourceGoneError` (InvalidGroup.NotFound), `AccessDeniedError`, `ThrottledError`, `TransientAwsError`.
 * Revoking a permission that is not there is not an error: it comes back in `unknownPermissions`.
 */
export interface SecurityGroupGateway {
  describe(target: GroupTarget): Promise<SecurityGroup>;
  revoke(target: GroupTarget, permissions: IpPermission[]): Promise<MutationResult>;
  authorize(target: GroupTarget, permissions: IpPermission[]): Promise<MutationResult>;
}

export interface ClaimRequest {
  alertId: string;
  eventKey: string;
  alertStatus: string;
  /** Identifies this worker (e.g. the Lambda request id). */
  owner: string;
  leaseSeconds: number;
  now: Date;
  /** Fields known at claim time (account, region, resource, signature). */
  fields?: Partial<LedgerRecord> | undefined;
  /**
   * Outcomes of a completed record that this delivery may process again instead of answering `duplicate`
   * (default `['failed']`). The caller decides, because only it knows what changed since: e.g. `dry-run`
   * is worth redoing only when the alert is no longer in dry-run. A reclaimed record keeps its history
   * (`timings.firstSeenAt`, `attempts`, `duplicateDeliveries`, the work already done) and notes the outcome
   * it replaces in `previousOutcome`; the new attempt's result replaces the rest.
   */
  reclaimableOutcomes?: readonly Outcome[] | undefined;
  /**
   * When the claimant began reading the security group that `write` plans from (at or after `now`). A record
   * another worker wrote after that may hold changes the read does not show (a reclaimable outcome completed
   * meanwhile), so the claim answers `contended` and the message comes back to read the group again. An
   * expired lease is taken over only when it expired by `now`, so before the read began.
   */
  readAt?: Date | undefined;
  /**
   * What the claim writes, built from the record it claims (`how`: a first claim, or core's `decideClaim`): by
   * default that record itself, in progress under this owner's lease. The hub writes its attempt's checkpoint
   * in it (plan, group before), or, when no EC2 change follows, the completion: one write instead of two.
   * Called again for each round of a claim that found the item changed; pure.
   */
  write?: ((claimed: LedgerRecord, how: ClaimHow) => LedgerRecord) | undefined;
}

/** How a claim got the notification: created it, or core's `decideClaim` (`ClaimDecision`). */
export type ClaimHow = 'first' | 'reclaim' | 'take-over' | 'resume';

export type ClaimResult =
  /**
   * This worker holds the lease (or completed the record in the claim's own write); `record` is the item as
   * written (attempts already incremented). `takenOver`: `how` is `take-over`.
   */
  | { kind: 'claimed'; record: LedgerRecord; takenOver: boolean; how: ClaimHow }
  /** The notification was completed before, with an outcome not in `reclaimableOutcomes`. */
  | { kind: 'duplicate'; record: LedgerRecord }
  /** Another worker holds a live lease, or wrote the record after `readAt`. */
  | { kind: 'contended'; record: LedgerRecord };

export interface LedgerQuery {
  accountId?: string | undefined;
  region?: string | undefined;
  resourceId?: string | undefined;
  outcome?: Outcome | undefined;
  /** The posture tool that raised the finding (`bySource` index; records from before it was written lack it). */
  source?: Source | undefined;
  /** Only records written at or after this time. */
  since?: Date | undefined;
  limit?: number | undefined;
}

/** The idempotency and audit store (one DynamoDB table). */
export interface Ledger {
  claim(request: ClaimRequest): Promise<ClaimResult>;
  /** Completes a claimed record; fails if this owner no longer holds the lease. */
  complete(record: LedgerRecord): Promise<void>;
  /**
   * Writes a terminal record for a message that never got a claim (e.g. unparseable). Idempotent: a second
   * delivery is counted as a duplicate. True when this call wrote the record.
   */
  recordTerminal(record: LedgerRecord): Promise<boolean>;
  /**
   * Counts a delivery of an already completed notification, once per `delivery` (the lease owner of this
   * delivery): a count the SDK sent again after a lost answer is not counted twice.
   */
  countDuplicate(alertId: string, eventKey: string, now: Date, delivery?: string): Promise<void>;
  get(alertId: string, eventKey: string): Promise<LedgerRecord | undefined>;
  /** All items of one alert id (notifications and undo events). */
  listByAlert(alertId: string): Promise<LedgerRecord[]>;
  /** Newest first; served by an index whenever a filter names account, resource or outcome. */
  query(query: LedgerQuery): Promise<LedgerRecord[]>;
  /**
   * In-progress records whose lease expired before `now` (an attempt that died, or released its lease, and was
   * not completed since), oldest lease first; from the `byLease` index.
   */
  listExpiredLeases(now: Date, limit?: number): Promise<LedgerRecord[]>;
}

/**
 * The ledger writes of one undo, in the order it makes them: `claim` before any EC2 call, then `complete`
 * or `fail`. Between them the original remediation carries `revertedBy` = the undo event's key and the undo
 * event is `in-progress` with a lease, so no second undo can start on the same remediation.
 */
export interface RevertRecorder {
  /**
   * In one transaction: puts the `in-progress` undo event and sets the original's `revertedBy` to its key,
   * only while the original still changed the group and is neither undone nor being undone. With
   * `abandoned` (an earlier undo's in-progress event whose lease expired), that event is closed as `failed`
   * and the original's `revertedBy` moves from it to this one. Refuses (`OperationRefusedError`) when any
   * of that no longer holds: another undo got there first.
   */
  claim(original: LedgerRecord, event: LedgerRecord, abandoned?: LedgerRecord): Promise<void>;
  /** Writes the finished undo event (`outcome: 'reverted'`); the original already points at it. */
  complete(event: LedgerRecord): Promise<void>;
  /**
   * Writes the undo event as `failed` (what EC2 confirmed before the error, and the error) and removes the
   * original's `revertedBy`, both or neither: the remediation is not undone, and a later undo may run.
   */
  fail(original: LedgerRecord, event: LedgerRecord): Promise<void>;
}

/**
 * How the hub stands towards an account: act in it (`remediate`), only plan there (`dry-run`), or not at all
 * (`not-allowed`: an alert for it is `rejected` before any STS call).
 */
export type AccountStanding = 'remediate' | 'dry-run' | 'not-allowed';

/**
 * Which accounts the hub acts in. Fails closed: when it cannot tell (the source of truth is unreachable), it
 * throws a retryable error, so the alert comes back later and nothing reaches STS meanwhile; it never answers
 * `not-allowed` for an outage, nor `remediate` without an allowance.
 */
export interface AccountDirectory {
  standing(accountId: string): Promise<AccountStanding>;
}

/**
 * Told of each record the hub has completed, after its ledger write: outcome events, the source's write-back.
 * The ledger stays the truth: a listener never changes an alert's outcome nor sends its message back; what it
 * could not do, it records and retries on its own (its failures are logged, never thrown into the batch).
 */
export interface OutcomeListener {
  /** For the logs: `outcome-topic`, `security-hub`. */
  readonly name: string;
  completed(record: LedgerRecord): Promise<void>;
}

/**
 * Where a message goes, with the reason, when it would fail the same way on every delivery and not even that
 * failure can be recorded (the ledger refuses it): a dead letter that says why, at once, instead of the same
 * retries until the queue's `maxReceiveCount` moves it there without a word.
 */
export interface DeadLetterQueue {
  send(message: { messageId: string; body: string }, reason: RecordedError): Promise<void>;
}

/**
 * Where the ledger says whether each completed record's outcome event went out (`LedgerRecord.outcomeEvent`):
 * the completion write marked it pending; the publisher marks it sent, or notes a failed publish; `audit
 * resend` lists the pending ones through the sparse `byPendingEvent` index.
 */
export interface OutcomeEventLedger {
  /**
   * Marks the event of this completion sent (and takes it out of the index). Only while the record is still
   * that completion (its `recordedAt`): a record completed again since owes its own event. False when it was not.
   */
  markSent(record: LedgerRecord, sent: { at: Date; messageId: string }): Promise<boolean>;
  /** Notes a failed publish on the record (it stays pending). */
  markFailed(record: LedgerRecord, failure: { at: Date; error: RecordedError }): Promise<void>;
  /** Records whose event is pending, written at or before `recordedBefore` (and at or after `since`), oldest first. */
  listPending(query: {
    recordedBefore: Date;
    since?: Date | undefined;
    limit?: number | undefined;
  }): Promise<LedgerRecord[]>;
}
