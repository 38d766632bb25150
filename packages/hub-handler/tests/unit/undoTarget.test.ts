import type { IpPermission, Ledger, LedgerRecord, Outcome } from '@remediation-hub/core';
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

const SSH_V4: IpPermission = {
  IpProtocol: 'tcp',
  FromPort: 22,
  ToPort: 22,
  IpRanges: [{ CidrIp: '0.0.0.0/0' }],
};

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

  it('takes a failed record that revoked part of its plan before the error (a partial remediation)', async () => {
    const partial = record('fail', 'failed', { revoked: [SSH_V4] });
    const ledger = ledgerOf([partial, record('pass', 'ignored')]);
    await expect(findUndoTarget(ledger, 'A1', undefined)).resolves.toMatchObject({
      eventKey: 'fail',
      outcome: 'failed',
      revoked: [SSH_V4],
    });
    await expect(findUndoTarget(ledger, 'A1', 'fail')).resolves.toMatchObject({ eventKey: 'fail' });
  });

  it('takes a failed narrow record that authorized part of a range but revoked nothing', async () => {
    const ledger = ledgerOf([record('fail', 'failed', { authorized: [SSH_V4] })]);
    await expect(findUndoTarget(ledger, 'A1', undefined)).resolves.toMatchObject({ authorized: [SSH_V4] });
  });

  it('refuses a failed record that changed nothing, saying there is nothing to undo', async () => {
    const ledger = ledgerOf([record('fail', 'failed')]);
    await expect(findUndoTarget(ledger, 'A1', undefined)).rejects.toThrow(
      'A1 (fail) failed before it changed the group (it revoked no rule): there is nothing to undo',
    );
    await expect(findUndoTarget(ledger, 'A1', 'fail')).rejects.toThrow(/nothing to undo/);
  });

  it('refuses a partial remediation that was already undone, like a remediated one', async () => {
    const ledger = ledgerOf([
      record('fail', 'failed', { revoked: [SSH_V4], revertedBy: 'undo#fail#2025-06-16T00:00:00.000Z' }),
    ]);
    await expect(findUndoTarget(ledger, 'A1', undefined)).rejects.toThrow(/already undone/);
  });

  it('asks for --status when a remediated and a partially failed notification both changed the group', async () => {
    const ledger = ledgerOf([record('fail', 'remediated'), record('warn', 'failed', { revoked: [SSH_V4] })]);
    await expect(findUndoTarget(ledger, 'A1', undefined)).rejects.toThrow(
      /2 notifications that changed the group \(fail → remediated, warn → failed\): choose one with --status/,
    );
  });

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
