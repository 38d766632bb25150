import { type Ledger, type LedgerRecord, OperationRefusedError } from '@remediation-hub/core';

const isUndoEvent = (record: LedgerRecord): boolean => record.eventKey.startsWith('undo#');

/**
 * The remediation `undo ALERT_ID` means. With `status`, that notification; otherwise the one notification
 * of the alert that was remediated. Refuses, with the reason in the message, when there is no such record,
 * when it was not a remediation (compliant, exempt, dry-run, failed, ...), or when it was undone already.
 */
export async function findUndoTarget(
  ledger: Ledger,
  alertId: string,
  status: string | undefined,
): Promise<LedgerRecord> {
  const context = { alertId };
  if (status !== undefined) {
    const record = await ledger.get(alertId, status);
    if (!record) {
      throw new OperationRefusedError(`no ledger record for alert ${alertId} with status ${status}`, context);
    }
    return refuseUnlessUndoable(record);
  }

  const notifications = (await ledger.listByAlert(alertId)).filter((r) => !isUndoEvent(r));
  if (notifications.length === 0) {
    throw new OperationRefusedError(`no ledger record for alert ${alertId}`, context);
  }
  const remediated = notifications.filter((r) => r.outcome === 'remediated');
  const open = remediated.filter((r) => r.revertedBy === undefined);
  if (open.length > 1) {
    throw new OperationRefusedError(
      `alert ${alertId} has ${open.length} remediated notifications (${open.map((r) => r.eventKey).join(', ')}): choose one with --status`,
      context,
    );
  }
  const chosen = open[0] ?? remediated[0] ?? (notifications.length === 1 ? notifications[0] : undefined);
  if (!chosen) {
    throw new OperationRefusedError(
      `alert ${alertId} was not remediated: ${notifications.map((r) => `${r.eventKey} → ${r.outcome ?? r.state}`).join(', ')}`,
      context,
    );
  }
  return refuseUnlessUndoable(chosen);
}

function refuseUnlessUndoable(record: LedgerRecord): LedgerRecord {
  const context = { alertId: record.alertId, accountId: record.accountId, groupId: record.resourceId };
  const what = `${record.alertId} (${record.eventKey})`;
  if (isUndoEvent(record)) {
    throw new OperationRefusedError(`${what} is an undo event, not a remediation`, context);
  }
  if (record.revertedBy !== undefined) {
    throw new OperationRefusedError(`${what} was already undone (${record.revertedBy})`, context);
  }
  if (record.outcome !== 'remediated') {
    throw new OperationRefusedError(
      `${what} was not a remediation: its outcome is ${record.outcome ?? `still ${record.state}`}; only remediated records can be undone`,
      context,
    );
  }
  return record;
}
