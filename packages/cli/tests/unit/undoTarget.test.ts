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
    listExpiredLeases: unused,
  };
}

const NOW = new Date('2025-06-16T12:00:00.000Z');
/** The notification `findUndoTarget` picks for alert A1, without the takeover detail. */
const find = (ledger: Ledger, status?: string) => findUndoTarget(ledger, 'A1', status, NOW);
const pick = async (ledger: Ledger, status?: string) => (await find(ledger, status)).original;

describe('findUndoTarget', () => {
  it('picks the remediated notification of the alert', async () => {
    const ledger = ledgerOf([record('fail', 'remediated'), record('pass', 'ignored')]);
    await expect(pick(ledger)).resolves.toMatchObject({ eventKey: 'fail' });
  });

  it('refuses an alert the ledger does not know', async () => {
    await expect(find(ledgerOf([]))).rejects.toThrow(/no ledger record for alert A1/);
  });

  it.each<Outcome>(['already-compliant', 'exempt', 'dry-run', 'rejected', 'failed', 'ignored'])(
    'refuses a record whose outcome is %s, saying so',
    async (outcome) => {
      const error = await find(ledgerOf([record('fail', outcome)])).catch((e) => e);
      expect(error).toBeInstanceOf(OperationRefusedError);
      expect((error as Error).message).toContain(outcome);
    },
  );

  it('takes a failed record that revoked part of its plan before the error (a partial remediation)', async () => {
    const partial = record('fail', 'failed', { revoked: [SSH_V4] });
    const ledger = ledgerOf([partial, record('pass', 'ignored')]);
    await expect(pick(ledger)).resolves.toMatchObject({
      eventKey: 'fail',
      outcome: 'failed',
      revoked: [SSH_V4],
    });
    await expect(pick(ledger, 'fail')).resolves.toMatchObject({ eventKey: 'fail' });
  });

  it('takes a failed narrow record that authorized part of a range but revoked nothing', async () => {
    const ledger = ledgerOf([record('fail', 'failed', { authorized: [SSH_V4] })]);
    await expect(pick(ledger)).resolves.toMatchObject({ authorized: [SSH_V4] });
  });

  it('refuses a failed record that changed nothing, saying there is nothing to undo', async () => {
    const ledger = ledgerOf([record('fail', 'failed')]);
    await expect(find(ledger)).rejects.toThrow(
      'A1 (fail) failed before it changed the group (it revoked no rule): there is nothing to undo',
    );
    await expect(find(ledger, 'fail')).rejects.toThrow(/nothing to undo/);
  });

  it('refuses a partial remediation that was already undone, like a remediated one', async () => {
    const ledger = ledgerOf([
      record('fail', 'failed', { revoked: [SSH_V4], revertedBy: 'undo#fail#2025-06-16T00:00:00.000Z' }),
    ]);
    await expect(find(ledger)).rejects.toThrow(/already undone/);
  });

  it('asks for --status when a remediated and a partially failed notification both changed the group', async () => {
    const ledger = ledgerOf([record('fail', 'remediated'), record('warn', 'failed', { revoked: [SSH_V4] })]);
    await expect(find(ledger)).rejects.toThrow(
      /2 notifications that changed the group \(fail → remediated, warn → failed\): choose one with --status/,
    );
  });

  it('refuses a remediation that was already undone, naming the undo event', async () => {
    const ledger = ledgerOf([
      record('fail', 'remediated', { revertedBy: 'undo#fail#2025-06-16T00:00:00.000Z' }),
      record('undo#fail#2025-06-16T00:00:00.000Z', 'reverted'),
    ]);
    await expect(find(ledger)).rejects.toThrow(/already undone \(undo#fail#2025-06-16T00:00:00.000Z\)/);
  });

  it('asks for --status when two notifications of the alert were remediated', async () => {
    const ledger = ledgerOf([record('fail', 'remediated'), record('warn', 'remediated')]);
    await expect(find(ledger)).rejects.toThrow(/choose one with --status/);
    await expect(pick(ledger, 'warn')).resolves.toMatchObject({ eventKey: 'warn' });
  });

  describe('while an earlier undo of the remediation has claimed it and not finished', () => {
    const key = 'undo#fail#2025-06-16T11:58:00.000Z';
    const claimedBy = (leaseExpiresAt: number) =>
      ledgerOf([
        record('fail', 'remediated', { revertedBy: key }),
        record(key, undefined, {
          leaseOwner: 'other-undo',
          leaseExpiresAt,
          timings: { firstSeenAt: '2025-06-16T11:58:00.000Z', startedAt: '2025-06-16T11:58:00.000Z' },
        }),
      ]);

    it('refuses while that undo still holds its claim, naming it and when the claim expires', async () => {
      const ledger = claimedBy(NOW.getTime() + 60_000);
      const expected =
        'A1 (fail) is being undone by undo#fail#2025-06-16T11:58:00.000Z (started 2025-06-16T11:58:00.000Z); if that undo stopped, undo can take it over after its claim expires at 2025-06-16T12:01:00.000Z';
      await expect(find(ledger)).rejects.toThrow(expected);
      await expect(find(ledger, 'fail')).rejects.toThrow(expected);
    });

    it('hands over an undo whose claim has expired, to be taken over', async () => {
      const ledger = claimedBy(NOW.getTime() - 1);
      for (const status of [undefined, 'fail']) {
        const target = await find(ledger, status);
        expect(target.original.eventKey).toBe('fail');
        expect(target.abandoned).toMatchObject({
          eventKey: key,
          state: 'in-progress',
          leaseOwner: 'other-undo',
        });
      }
    });
  });

  it('hands over no abandoned undo for a remediation never undone', async () => {
    const target = await find(ledgerOf([record('fail', 'remediated')]));
    expect(target.abandoned).toBeUndefined();
  });

  it('takes a remediation whose earlier undo failed (its revertedBy removed) again', async () => {
    const ledger = ledgerOf([
      record('fail', 'remediated'),
      record('undo#fail#2025-06-16T11:00:00.000Z', 'failed', { revoked: [], authorized: [SSH_V4] }),
    ]);
    await expect(pick(ledger)).resolves.toMatchObject({ eventKey: 'fail' });
  });

  it('refuses --status naming an undo event', async () => {
    const key = 'undo#fail#2025-06-16T00:00:00.000Z';
    await expect(find(ledgerOf([record(key, 'reverted')]), key)).rejects.toThrow(/is an undo event/);
  });
});
