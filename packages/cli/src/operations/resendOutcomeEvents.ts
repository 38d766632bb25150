import {
  type Clock,
  type LedgerRecord,
  type OutcomeEventLedger,
  owesOutcomeEvent,
  RESEND_AFTER_MS,
  type RecordedError,
} from '@remediation-hub/core';
import type { PublishResult } from '@remediation-hub/hub-handler';

export interface ResendRequest {
  /** Only records written since then. */
  since?: Date | undefined;
  /** List what would be sent, send nothing. */
  dryRun: boolean;
  /** Records younger than this are left to the hub, which publishes right after its write (default 60 s). */
  minAgeMs?: number;
}

export interface ResendEntry {
  record: LedgerRecord;
  /** `would-send` (dry run), `sent`, `failed`, or `skipped`: claimed again since, it will get its own event. */
  result: 'would-send' | 'sent' | 'failed' | 'skipped';
  messageId?: string | undefined;
  error?: RecordedError | undefined;
}

export interface ResendReport {
  servedBy: 'byPendingEvent';
  dryRun: boolean;
  /** Records older than this were considered. */
  recordedBefore: string;
  entries: ResendEntry[];
}

/**
 * `audit resend`: the outcome events the hub did not get out (a publish that failed after its retries, or a
 * hub that stopped between its ledger write and the publish), found through the sparse `byPendingEvent`
 * index (never a scan), oldest first, published again with the hub's own publisher (the same event, the same
 * `eventId`, built from the record), and marked sent.
 */
export async function resendOutcomeEvents(
  deps: {
    events: OutcomeEventLedger;
    /** The hub's publisher; absent only for a dry run. */
    publish?: ((record: LedgerRecord) => Promise<PublishResult>) | undefined;
    clock: Clock;
  },
  request: ResendRequest,
): Promise<ResendReport> {
  const now = deps.clock.now();
  const minAgeMs = request.minAgeMs ?? RESEND_AFTER_MS;
  const recordedBefore = new Date(now.getTime() - minAgeMs);
  const pending = await deps.events.listPending({ recordedBefore, since: request.since });
  const entries: ResendEntry[] = [];
  for (const record of pending) {
    if (!owesOutcomeEvent(record, now, minAgeMs)) {
      entries.push({ record, result: 'skipped' });
    } else if (request.dryRun || deps.publish === undefined) {
      entries.push({ record, result: 'would-send' });
    } else {
      const published = await deps.publish(record);
      entries.push(
        published.sent
          ? { record, result: 'sent', messageId: published.messageId }
          : { record, result: 'failed', error: published.error },
      );
    }
  }
  return {
    servedBy: 'byPendingEvent',
    dryRun: request.dryRun,
    recordedBefore: recordedBefore.toISOString(),
    entries,
  };
}
