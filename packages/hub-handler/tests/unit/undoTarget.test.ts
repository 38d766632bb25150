import type { Ledger, LedgerRecord, Outcome } from '@remediation-hub/core';
import { OperationRefusedError } from '@remediation-hub/core';
import { describe, expect, it } from 'vitest';
import { findUndoTarget } from '../../src/operations/findUndoTarget.js';

function record(
  eventKey: string,
  outcome: Outcome | undefined,
  extra: Partial<LedgerRecord> = {},
): LedgerRecord {
  return {
    alertId: 'A1',
    eventKey,
    alertStatus: eventKey.startsWith('undo#') ? (eventKey.split('#')[1] ?? '') : eventKey,
    state: outcome === undefined ? 'in-progress' : 'completed',
    outcome,
    recordedAt: '2025-06-15T12:00:00.000Z',
    expiresAt: 0,
    revoked: [],
    authorized: [],
    requestIds: [],
    attempts: 1,
    timings: { firstSeenAt: '', startedAt: '' },
    ...extra,
  };
}

/** Only what `findUndoTarget` reads: a ledger's items held in memory. */
function ledgerOf(records: LedgerRecord[]): Ledger {
  const unused = () => Promise.reject(new Error('not used by findUndoTarget'));
  return {
    get: async (alertId, eventKey) => records.find((r) => r.alertId === alertId && r.eventKey === eventKey),
    listByAlert: async (alertId) => records.filter((r) => r.alertId === alertId),
    claim: unused,
    complete: unused,
    recordTerminal: unused,
    countDuplicate: unused,
    query: unused,
  };
}

describe('findUndoTarget', () => {
  it('picks the remediated notification of the alert', async () => {
    const ledger = ledgerOf([record('fail', 'remediated'), record('pass', 'ignored')]);
    await expect(findUndoTarget(ledger, 'A1', undefined)).resolves.toMatchObject({ eventKey: 'fail' });
  });

  it('refuses an alert the ledger does not know', async () => {
    await expect(findUndoTarget(ledgerOf([]), 'A1', undefined)).rejects.toThrow(
      /no ledger record for alert A1/,
    );
  });

  it.each<Outcome>(['already-compliant', 'exempt', 'dry-run', 'rejected', 'failed', 'ignored'])(
    'refuses a record whose outcome is %s, saying so',
    async (outcome) => {
      const error = await findUndoTarget(ledgerOf([record('fail', outcome)]), 'A1', undefined).catch(
        (e) => e,
      );
      expect(error).toBeInstanceOf(OperationRefusedError);
      expect((error as Error).message).toContain(outcome);
    },
  );

  it('refuses a remediation that was already undone, naming the undo event', async () => {
    const ledger = ledgerOf([
      record('fail', 'remediated', { revertedBy: 'undo#fail#2025-06-16T00:00:00.000Z' }),
      record('undo#fail#2025-06-16T00:00:00.000Z', 'reverted'),
    ]);
    await expect(findUndoTarget(ledger, 'A1', undefined)).rejects.toThrow(
      /already undone \(undo#fail#2025-06-16T00:00:00.000Z\)/,
    );
  });

  it('asks for --status when two notifications of the alert were remediated', async () => {
    const ledger = ledgerOf([record('fail', 'remediated'), record('warn', 'remediated')]);
    await expect(findUndoTarget(ledger, 'A1', undefined)).rejects.toThrow(/choose one with --status/);
    await expect(findUndoTarget(ledger, 'A1', 'warn')).resolves.toMatchObject({ eventKey: 'warn' });
  });

  it('refuses --status naming an undo event', async () => {
    const key = 'undo#fail#2025-06-16T00:00:00.000Z';
    await expect(findUndoTarget(ledgerOf([record(key, 'reverted')]), 'A1', key)).rejects.toThrow(
      /is an undo event/,
    );
  });
});
