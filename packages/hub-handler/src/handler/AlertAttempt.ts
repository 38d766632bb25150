import {
  type AttemptProgress,
  assertLeaseMargin,
  type Clock,
  checkpointRecord,
  completedRecord,
  type Finding,
  type Ledger,
  type LedgerRecord,
  type Outcome,
  type RecordedError,
  type RemediationMode,
  releasedRecord,
  resumeProgress,
} from '@remediation-hub/core';
import type { Logger } from '../logging/createLogger.js';

/**
 * One worker's attempt at one notification, from its claim to its last ledger write. It owns the attempt's
 * progress and its lease-bound writes. The claim's own write carries the attempt's first record (built here,
 * from the record as claimed and the group read before the claim): the checkpoint when EC2 changes follow
 * (the plan and the group before, written before the first change), or the completion or release when none
 * does. After a checkpoint comes exactly one of `complete` or `release`. What those records hold is core's
 * rule (`checkpointRecord`, `completedRecord`, `releasedRecord`); this class only sequences them and writes
 * them through the ledger, which refuses any write once another worker holds the lease.
 */
export class AlertAttempt {
  /** What the attempt learnt and did so far; the steps of `processAlert` fill it in. */
  readonly progress: AttemptProgress;
  /**
   * The record of an earlier attempt whose changes may be unrecorded: taken over after its lease expired,
   * with a checkpointed plan (see core's `unrecordedChanges`).
   */
  readonly unrecorded: LedgerRecord | undefined;

  readonly #ledger: Ledger;
  readonly #clock: Clock;
  readonly #log: Logger;
  readonly #leaseSeconds: number;
  readonly #startedAt: Date;

  constructor(
    readonly claimed: LedgerRecord,
    readonly takenOver: boolean,
    context: {
      ledger: Ledger;
      clock: Clock;
      log: Logger;
      mode: RemediationMode;
      leaseSeconds: number;
      /** When the alert's processing began (before the group was read): the record's duration counts from it. */
      startedAt: Date;
    },
  ) {
    this.#ledger = context.ledger;
    this.#clock = context.clock;
    this.#log = context.log;
    this.#leaseSeconds = context.leaseSeconds;
    this.#startedAt = context.startedAt;
    // An attempt that released its lease dropped its plan (it recorded what it did), so a plan here is the
    // checkpoint of the latest attempt, which may have changed the group without recording it.
    this.unrecorded = takenOver && claimed.plan !== undefined ? claimed : undefined;
    this.progress = resumeProgress(claimed, context.mode, this.unrecorded !== undefined);
  }

  /** Throws a retryable `LeaseContentionError` unless the lease has room for one more EC2 change. */
  assertLeaseMargin(finding: Pick<Finding, 'id' | 'eventKey' | 'accountId' | 'groupId'>): void {
    assertLeaseMargin(this.#clock, {
      alertId: finding.id,
      eventKey: finding.eventKey,
      accountId: finding.accountId,
      groupId: finding.groupId,
      leaseExpiresAt: this.claimed.leaseExpiresAt ?? this.#startedAt.getTime() + this.#leaseSeconds * 1000,
      leaseSeconds: this.#leaseSeconds,
    });
  }

  /**
   * The checkpoint: the plan and the group as they are, under this worker's lease. The claim writes it, so it
   * is on the ledger before the first EC2 change.
   */
  checkpointRecord(): LedgerRecord {
    return checkpointRecord(this.claimed, this.progress, this.#clock.now());
  }

  /** The completion with `outcome`: the claim's write when no EC2 change follows, else `complete`'s. */
  completedRecord(outcome: Outcome, error: RecordedError | undefined, messageId: string): LedgerRecord {
    return completedRecord(this.claimed, this.progress, {
      outcome,
      error,
      messageId,
      startedAt: this.#startedAt,
      now: this.#clock.now(),
    });
  }

  /** The release after a retryable error: the claim's write when it came before any EC2 change, else `release`'s. */
  releasedRecord(error: RecordedError): LedgerRecord {
    return releasedRecord(this.claimed, this.progress, this.#clock.now(), error);
  }

  /** The attempt's last word: completed with `outcome`. Returns the record as written. */
  async complete(
    outcome: Outcome,
    error: RecordedError | undefined,
    messageId: string,
  ): Promise<LedgerRecord> {
    const record = this.completedRecord(outcome, error, messageId);
    await this.#ledger.complete(record);
    return record;
  }

  /**
   * After a retryable error: keeps what this attempt did on the record and releases the lease, so the
   * redelivery can claim the notification at once. A release that fails is logged: the lease then expires.
   */
  async release(error: RecordedError): Promise<void> {
    try {
      await this.#ledger.complete(this.releasedRecord(error));
    } catch (releaseError) {
      this.#log.warn({ err: releaseError, ...this.done() }, 'could not release the lease; it will expire');
    }
  }

  /** What was done so far, for log lines (never credentials). */
  done(): Pick<AttemptProgress, 'revoked' | 'authorized' | 'requestIds'> {
    const { revoked, authorized, requestIds } = this.progress;
    return { revoked, authorized, requestIds };
  }
}
