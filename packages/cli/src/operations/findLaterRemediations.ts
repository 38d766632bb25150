import type { Ledger, LedgerRecord } from '@remediation-hub/core';
import { changedTheGroup } from './findUndoTarget.js';

/**
 * The records that changed the same security group later than `original` or while it ran, and were not
 * undone, from the ledger's `byResource` index. Undo restores `original`'s rules whole: when another
 * remediation closed part of what they cover (a `narrow` one of another port inside the same range, say),
 * undoing `original` first would reopen it.
 *
 * `recordedAt` is when an attempt completed, not when it changed the group, and alerts about one group are
 * processed concurrently (one Lambda invocation each): a remediation that started after `original` had
 * changed the group can complete before `original` does. So every other record that changed the group and
 * completed at or after the earliest moment `original` could have started changing it (its first attempt's
 * `firstSeenAt`, or `startedAt` if earlier) counts, whichever completed first.
 */
export async function findLaterRemediations(ledger: Ledger, original: LedgerRecord): Promise<LedgerRecord[]> {
  if (original.resourceId === undefined) return [];
  const since = earliestChange(original);
  const sameGroup = await ledger.query({
    resourceId: original.resourceId,
    accountId: original.accountId,
    region: original.region,
    since,
  });
  return sameGroup.filter(
    (record) =>
      !(record.alertId === original.alertId && record.eventKey === original.eventKey) &&
      Date.parse(record.recordedAt) >= since.getTime() &&
      changedTheGroup(record) &&
      record.revertedBy === undefined,
  );
}

/** The earliest moment `original` (any of its attempts) could have begun to change the group. */
function earliestChange(original: LedgerRecord): Date {
  const candidates = [original.timings.firstSeenAt, original.timings.startedAt, original.recordedAt]
    .map((iso) => Date.parse(iso))
    .filter((ms) => Number.isFinite(ms));
  return new Date(Math.min(...candidates));
}
