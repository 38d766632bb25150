import type { Ledger, LedgerRecord } from '@remediation-hub/core';
import { changedTheGroup } from './findUndoTarget.js';

/**
 * The records that changed the same security group after `original` and were not undone, newest first,
 * from the ledger's `byResource` index. Undo restores `original`'s rules whole: when a later remediation
 * closed part of what they cover (a `narrow` one of another port inside the same range, say), undoing
 * `original` first would reopen it.
 */
export async function findLaterRemediations(ledger: Ledger, original: LedgerRecord): Promise<LedgerRecord[]> {
  if (original.resourceId === undefined) return [];
  const sameGroup = await ledger.query({
    resourceId: original.resourceId,
    accountId: original.accountId,
    region: original.region,
    since: new Date(original.recordedAt),
  });
  return sameGroup.filter(
    (record) =>
      !(record.alertId === original.alertId && record.eventKey === original.eventKey) &&
      record.recordedAt >= original.recordedAt &&
      changedTheGroup(record) &&
      record.revertedBy === undefined,
  );
}
