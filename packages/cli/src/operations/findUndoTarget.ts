import { type Ledger, type LedgerRecord, OperationRefusedError } from '@remediation-hub/core';

export const isUndoEvent = (record: Pick<LedgerRecord, 'eventKey'>): boolean =>
  record.eventKey.startsWith('undo#');

/**
 * Whether a notification's record changed the group, so that undo has something to restore: a
 * `remediated` record, or a `failed` one that revoked (or authorized) part of its plan before the error
 * stopped it (a partial remediation: `revoked` holds exactly what EC2 confirmed).
 */
export function changedTheGroup(record: LedgerRecord): boolean {
  if (isUndoEvent(record)) return false;
  if (record.outcome === 'remediated') return true;
  return record.outcome === 'failed' && (record.revoked.length > 0 || record.authorized.length > 0);
}

/** What `undo` acts on. */
export interface UndoTarget {
  /** The notification's record that changed the group. */
  original: LedgerRecord;
  /**
   * An earlier undo of it that claimed it (`revertedBy` names it, still `in-progress`) and stopped without
   * finishing: its lease has expired, so this undo takes it over (`RevertRecorder.claim`).
   */
  abandoned: LedgerRecord | undefined;
}

/**
 * The remediation `undo ALERT_ID` means. With `status`, that notification; otherwise the one notification
 * of the alert that changed the group (remediated, or failed part-way). Refuses, with the reason in the
 * message, when there is no such record, when it changed nothing (compliant, exempt, dry-run, a failure
 * before any change, ...), when it was undone already, or while another undo of it is in progress (its
 * lease still live). An undo in progress whose lease expired is returned as `abandoned`, to be taken over.
 */
export async function findUndoTarget(
  ledger: Ledger,
  alertId: string,
  status: string | undefined,
  now: Date,
): Promise<UndoTarget> {
  const context = { alertId };
  if (status !== undefined) {
    const record = await ledger.get(alertId, status);
    if (!record) {
      throw new OperationRefusedError(`no ledger record for alert ${alertId} with status ${status}`, context);
    }
    const undo = record.revertedBy === undefined ? undefined : await ledger.get(alertId, record.revertedBy);
    return refuseUnlessUndoable(record, undo, now);
  }

  const records = await ledger.listByAlert(alertId);
  const notifications = records.filter((r) => !isUndoEvent(r));
  if (notifications.length === 0) {
    throw new OperationRefusedError(`no ledger record for alert ${alertId}`, context);
  }
  const undoOf = (record: LedgerRecord) =>
    record.revertedBy === undefined ? undefined : records.find((r) => r.eventKey === record.revertedBy);
  const changed = notifications.filter(changedTheGroup);
  // Not undone: no undo event, or one that has not finished (refused or taken over below).
  const open = changed.filter((r) => r.revertedBy === undefined || undoOf(r)?.state === 'in-progress');
  if (open.length > 1) {
    throw new OperationRefusedError(
      `alert ${alertId} has ${open.length} notifications that changed the group (${open.map((r) => `${r.eventKey} → ${r.outcome}`).join(', ')}): choose one with --status`,
      context,
    );
  }
  const chosen = open[0] ?? changed[0] ?? (notifications.length === 1 ? notifications[0] : undefined);
  if (!chosen) {
    throw new OperationRefusedError(
      `alert ${alertId} was not remediated: ${notifications.map((r) => `${r.eventKey} → ${r.outcome ?? r.state}`).join(', ')}`,
      context,
    );
  }
  return refuseUnlessUndoable(chosen, undoOf(chosen), now);
}

function refuseUnlessUndoable(record: LedgerRecord, undo: LedgerRecord | undefined, now: Date): UndoTarget {
  const context = { alertId: record.alertId, accountId: record.accountId, groupId: record.resourceId };
  const what = `${record.alertId} (${record.eventKey})`;
  if (isUndoEvent(record)) {
    throw new OperationRefusedError(`${what} is an undo event, not a remediation`, context);
  }
  let abandoned: LedgerRecord | undefined;
  if (record.revertedBy !== undefined) {
    if (undo?.state !== 'in-progress') {
      throw new OperationRefusedError(`${what} was already undone (${record.revertedBy})`, context);
    }
    const leaseExpiresAt = undo.leaseExpiresAt ?? 0;
    if (leaseExpiresAt > now.getTime()) {
      throw new OperationRefusedError(
        `${what} is being undone by ${undo.eventKey} (started ${undo.timings.startedAt}); if that undo stopped, undo can take it over after its claim expires at ${new Date(leaseExpiresAt).toISOString()}`,
        context,
      );
    }
    abandoned = undo;
  }
  if (record.outcome === 'failed' && !changedTheGroup(record)) {
    throw new OperationRefusedError(
      `${what} failed before it changed the group (it revoked no rule): there is nothing to undo`,
      context,
    );
  }
  if (!changedTheGroup(record)) {
    throw new OperationRefusedError(
      `${what} was not a remediation: its outcome is ${record.outcome ?? `still ${record.state}`}; only remediated records (or failed ones that revoked part of their plan) can be undone`,
      context,
    );
  }
  return { original: record, abandoned };
}
