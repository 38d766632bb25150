import type { LedgerRecord, RecordedError } from './ledgerRecord.js';

/** The value of `pendingEvent` (the `byPendingEvent` index's partition key) while an event has not gone out. */
export const PENDING_EVENT = 'pending';

/** How long after its completion a pending event is left to the hub before `audit resend` takes it. */
export const RESEND_AFTER_MS = 60_000;

/**
 * Whether a record's outcome event went out. Written with the completion (`pending`), so that a crash
 * between the ledger write and the publish leaves a record that says its event is owed; `sent` once SNS
 * accepted it. A failed publish stays `pending` and says why.
 */
export interface OutcomeEventDelivery {
  state: 'pending' | 'sent';
  /** ISO time SNS accepted the event. */
  sentAt?: string | undefined;
  /** SNS `MessageId` of the event. */
  messageId?: string | undefined;
  /** Publishes that failed (after the SDK's retries), counted. */
  failures?: number | undefined;
  /** Why the last publish failed. */
  lastError?: RecordedError | undefined;
  /** ISO time of the last failed publish. */
  lastFailedAt?: string | undefined;
}

/**
 * The record as its completion write stores it when the hub publishes outcome events: its event pending, and
 * in the sparse index. A record completed again (a `failed` one processed again) owes a new event: whatever
 * an earlier completion's event did is replaced. A record not completed is returned as it is.
 */
export function withPendingEvent(record: LedgerRecord): LedgerRecord {
  if (record.state !== 'completed') return record;
  return { ...record, outcomeEvent: { state: 'pending' }, pendingEvent: PENDING_EVENT };
}

/**
 * Whether `audit resend` sends the record's event now: the record is completed (one claimed again since its
 * completion will get an event of its own when it completes), its event is pending, and it was written at
 * least `afterMs` before `now` (the hub publishes right after the write; a younger one may still be on its way).
 */
export function owesOutcomeEvent(
  record: Pick<LedgerRecord, 'state' | 'pendingEvent' | 'recordedAt'>,
  now: Date,
  afterMs = RESEND_AFTER_MS,
): boolean {
  return (
    record.state === 'completed' &&
    record.pendingEvent === PENDING_EVENT &&
    Date.parse(record.recordedAt) <= now.getTime() - afterMs
  );
}
