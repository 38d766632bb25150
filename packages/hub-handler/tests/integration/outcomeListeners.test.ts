import type { LedgerRecord, OutcomeListener } from '@remediation-hub/core';
import { createGroup, makeAlert, sqsEvent, uniqueName, WORLD_SSH } from '@remediation-hub/testkit';
import { describe, expect, it } from 'vitest';
import { invoke, useTestHub } from '../support/testHub.js';

// Accounts 333333333300 and 333333333309 belong to this file; 309 is never on the allow-list.
const A = '333333333300';
const NOT_ALLOWED = '333333333309';

/** A listener that keeps what it is told. */
function recorder(): OutcomeListener & { records: LedgerRecord[] } {
  const records: LedgerRecord[] = [];
  return { name: 'recorder', records, completed: async (record) => void records.push(record) };
}

describe('outcome listeners', () => {
  const hub = useTestHub('listeners', [A]);

  it('hears every completed record once, after the ledger write: remediated, rejected and unreadable alike', async () => {
    const groupId = await createGroup(A, 'us-east-1', [WORLD_SSH]);
    const fixed = makeAlert({ id: uniqueName('fixed'), accountId: A, region: 'us-east-1', groupId });
    const refused = makeAlert({
      id: uniqueName('refused'),
      accountId: NOT_ALLOWED,
      region: 'us-east-1',
      groupId,
    });
    const listener = recorder();
    const run = await hub.start({}, { listeners: [listener] });

    const bodies = [JSON.stringify(fixed), JSON.stringify(refused), 'not json', JSON.stringify(fixed)];
    await invoke(run, sqsEvent(bodies));

    // Alerts about different groups run concurrently: the order of the calls is theirs.
    const heard = listener.records.map(
      (r) => `${r.alertId.startsWith('unparsed:') ? 'unparsed' : r.alertId} ${r.outcome}`,
    );
    expect(heard.sort()).toEqual(
      [`${fixed.data.id} remediated`, `${refused.data.id} rejected`, 'unparsed rejected'].sort(),
    );
    const remediated = listener.records.find((r) => r.alertId === fixed.data.id);
    // The record as written (the ledger's copy has since counted the fourth body as a duplicate delivery).
    const {
      duplicateDeliveries: _count,
      lastDuplicateAt: _last,
      lastDuplicateDelivery: _by,
      ...stored
    } = (await run.root.ledger.get(fixed.data.id, 'fail')) ?? ({} as LedgerRecord);
    expect(remediated).toMatchObject(stored);
    expect(remediated).toMatchObject({
      state: 'completed',
      source: 'evident',
      explanation: { reason: { code: 'revoke' } },
    });
  });

  it('keeps the outcome when a listener fails, and still tells the others', async () => {
    const groupId = await createGroup(A, 'us-east-1', [WORLD_SSH]);
    const doc = makeAlert({ id: uniqueName('alert'), accountId: A, region: 'us-east-1', groupId });
    const failing: OutcomeListener = {
      name: 'failing',
      completed: async () => {
        throw new Error('the topic is down');
      },
    };
    const listener = recorder();
    const run = await hub.start({}, { listeners: [failing, listener] });

    const response = await invoke(run, sqsEvent([JSON.stringify(doc)]));

    expect(response.batchItemFailures).toEqual([]);
    expect(listener.records.map((r) => r.outcome)).toEqual(['remediated']);
    expect(run.log.lines).toContainEqual(
      expect.objectContaining({ listener: 'failing', msg: 'a listener of the completed record failed' }),
    );
  });
});
