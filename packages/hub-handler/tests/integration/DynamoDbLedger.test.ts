import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { LeaseContentionError, type LedgerRecord, type Outcome } from '@remediation-hub/core';
import {
  awsClientConfig,
  createLedgerTable,
  type RecordingProxy,
  startRecordingProxy,
  uniqueName,
} from '@remediation-hub/testkit';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DynamoDbLedger } from '../../src/adapters/DynamoDbLedger.js';

const T0 = new Date('2026-03-01T10:00:00.000Z');
const at = (seconds: number) => new Date(T0.getTime() + seconds * 1000);

describe('DynamoDbLedger', () => {
  const tableName = uniqueName('ledger');
  let proxy: RecordingProxy;
  let dynamodb: DynamoDBClient;
  let ledger: DynamoDbLedger;

  beforeAll(async () => {
    proxy = await startRecordingProxy();
    dynamodb = new DynamoDBClient(awsClientConfig({ endpoint: proxy.endpoint }));
    await createLedgerTable(dynamodb, tableName);
    ledger = new DynamoDbLedger({ client: DynamoDBDocumentClient.from(dynamodb), tableName });
  });
  afterAll(async () => {
    dynamodb.destroy();
    await proxy.close();
  });
  beforeEach(() => proxy.clear());

  const claim = (
    alertId: string,
    owner: string,
    now: Date,
    leaseSeconds = 120,
    reclaimableOutcomes?: readonly Outcome[],
  ) =>
    ledger.claim({
      alertId,
      eventKey: 'fail',
      alertStatus: 'fail',
      owner,
      leaseSeconds,
      now,
      fields: { accountId: '111111111111', region: 'eu-west-1', resourceId: 'sg-0a', mode: 'remediate' },
      reclaimableOutcomes,
    });

  const completeAs = async (record: LedgerRecord, outcome: Outcome, now: Date) =>
    ledger.complete({ ...record, state: 'completed', outcome, recordedAt: now.toISOString() });

  /** A completed record written directly (audit queries). */
  const audit = (alertId: string, fields: Partial<LedgerRecord> & { recordedAt: string; outcome: Outcome }) =>
    ledger.recordTerminal({
      alertId,
      eventKey: 'fail',
      alertStatus: 'fail',
      state: 'completed',
      expiresAt: 0,
      revoked: [],
      authorized: [],
      requestIds: [],
      attempts: 1,
      timings: { firstSeenAt: fields.recordedAt, startedAt: fields.recordedAt },
      ...fields,
    });

  describe('claim', () => {
    it('creates an in-progress record with a lease for a new notification', async () => {
      const alertId = uniqueName('new');
      const result = await claim(alertId, 'worker-1', T0);
      expect(result).toMatchObject({ kind: 'claimed', takenOver: false });
      const stored = await ledger.get(alertId, 'fail');
      expect(stored).toMatchObject({
        alertId,
        eventKey: 'fail',
        state: 'in-progress',
        attempts: 1,
        leaseOwner: 'worker-1',
        leaseExpiresAt: at(120).getTime(),
        accountId: '111111111111',
        recordedAt: T0.toISOString(),
        timings: { firstSeenAt: T0.toISOString(), startedAt: T0.toISOString() },
      });
      expect(stored?.expiresAt).toBe(Math.floor(T0.getTime() / 1000) + 400 * 86_400);
      expect(stored).not.toHaveProperty('writeToken');
    });

    it('answers duplicate for a completed notification and counts the delivery', async () => {
      const alertId = uniqueName('dup');
      const first = await claim(alertId, 'worker-1', T0);
      if (first.kind !== 'claimed') throw new Error('not claimed');
      await completeAs(first.record, 'remediated', at(1));
      const again = await claim(alertId, 'worker-2', at(2));
      expect(again).toMatchObject({ kind: 'duplicate', record: { outcome: 'remediated' } });
      await ledger.countDuplicate(alertId, 'fail', at(2));
      await ledger.countDuplicate(alertId, 'fail', at(3));
      expect(await ledger.get(alertId, 'fail')).toMatchObject({
        outcome: 'remediated',
        duplicateDeliveries: 2,
        lastDuplicateAt: at(3).toISOString(),
        attempts: 1,
      });
    });

    it('counts a delivery once, even when the SDK sends its count again after a lost answer', async () => {
      const alertId = uniqueName('dup-once');
      const first = await claim(alertId, 'worker-1', T0);
      if (first.kind !== 'claimed') throw new Error('not claimed');
      await completeAs(first.record, 'remediated', at(1));
      // The same delivery's UpdateItem, sent twice (its first answer lost), then another delivery.
      await ledger.countDuplicate(alertId, 'fail', at(2), 'req-1:msg-1');
      await ledger.countDuplicate(alertId, 'fail', at(2), 'req-1:msg-1');
      await ledger.countDuplicate(alertId, 'fail', at(3), 'req-2:msg-1');
      expect(await ledger.get(alertId, 'fail')).toMatchObject({
        duplicateDeliveries: 2,
        lastDuplicateDelivery: 'req-2:msg-1',
        lastDuplicateAt: at(3).toISOString(),
      });
    });

    it('reads the stored item from the failed conditional write: a duplicate costs one PutItem, no GetItem', async () => {
      const alertId = uniqueName('dup-put');
      const first = await claim(alertId, 'worker-1', T0);
      if (first.kind !== 'claimed') throw new Error('not claimed');
      await completeAs(first.record, 'remediated', at(1));
      proxy.clear();
      expect(await claim(alertId, 'worker-2', at(2))).toMatchObject({ kind: 'duplicate' });
      expect(proxy.requests.map((r) => r.action)).toEqual(['PutItem']);
    });

    it('writes what the request builds from the record it claims, and takes a write whose answer was lost as made', async () => {
      const alertId = uniqueName('write');
      proxy.failNext((r) => r.action === 'PutItem' && r.body.includes(alertId), 'lose-answer');
      const first = await ledger.claim({
        alertId,
        eventKey: 'fail',
        alertStatus: 'fail',
        owner: 'worker-1',
        leaseSeconds: 120,
        now: T0,
        write: (claimed, how) => ({ ...claimed, reason: `checkpoint of a ${how} claim` }),
      });
      // The SDK sent the PutItem again; its condition failed on the item the first try wrote, with its token.
      expect(proxy.requests.filter((r) => r.action === 'PutItem')).toHaveLength(2);
      expect(first).toMatchObject({
        kind: 'claimed',
        how: 'first',
        record: { reason: 'checkpoint of a first claim' },
      });
      expect(await ledger.get(alertId, 'fail')).toMatchObject({
        reason: 'checkpoint of a first claim',
        attempts: 1,
      });

      const later = await ledger.claim({
        alertId,
        eventKey: 'fail',
        alertStatus: 'fail',
        owner: 'worker-2',
        leaseSeconds: 120,
        now: at(121),
        readAt: at(121),
        write: (claimed, how) => ({ ...claimed, reason: `checkpoint of a ${how} claim` }),
      });
      expect(later).toMatchObject({ kind: 'claimed', how: 'take-over', takenOver: true });
      expect(await ledger.get(alertId, 'fail')).toMatchObject({
        reason: 'checkpoint of a take-over claim',
        leaseOwner: 'worker-2',
        attempts: 2,
      });
    });

    it('answers contended while another worker’s lease is live', async () => {
      const alertId = uniqueName('live');
      await claim(alertId, 'worker-1', T0);
      const other = await claim(alertId, 'worker-2', at(119));
      expect(other).toMatchObject({ kind: 'contended', record: { leaseOwner: 'worker-1' } });
    });

    it('takes over an expired lease (a crashed worker), keeping the first-seen time', async () => {
      const alertId = uniqueName('expired');
      await claim(alertId, 'crashed', T0);
      const result = await claim(alertId, 'worker-2', at(121));
      expect(result).toMatchObject({
        kind: 'claimed',
        takenOver: true,
        record: {
          attempts: 2,
          leaseOwner: 'worker-2',
          timings: { firstSeenAt: T0.toISOString(), startedAt: at(121).toISOString() },
        },
      });
    });

    it('claims a released lease at once and keeps the work an earlier attempt recorded', async () => {
      const alertId = uniqueName('released');
      const first = await claim(alertId, 'worker-1', T0);
      if (first.kind !== 'claimed') throw new Error('not claimed');
      const revoked = [{ IpProtocol: 'tcp', FromPort: 22, ToPort: 22, IpRanges: [{ CidrIp: '0.0.0.0/0' }] }];
      await ledger.complete({
        ...first.record,
        revoked,
        requestIds: ['r-1'],
        recordedAt: at(1).toISOString(),
        leaseExpiresAt: at(1).getTime(),
        error: { name: 'ThrottledError', message: 'slow down', retryable: true },
      });
      const again = await claim(alertId, 'worker-2', at(2));
      expect(again).toMatchObject({
        kind: 'claimed',
        takenOver: false,
        record: { attempts: 2, revoked, requestIds: ['r-1'], error: { name: 'ThrottledError' } },
      });
    });

    it('drops a plan left on a released lease, so a later takeover does not read it as unrecorded work', async () => {
      const alertId = uniqueName('released-plan');
      const first = await claim(alertId, 'worker-1', T0);
      if (first.kind !== 'claimed') throw new Error('not claimed');
      const rule = { IpProtocol: 'tcp', FromPort: 22, ToPort: 22, IpRanges: [{ CidrIp: '0.0.0.0/0' }] };
      await ledger.complete({
        ...first.record,
        plan: { revoke: [rule], authorize: [] },
        recordedAt: at(1).toISOString(),
        leaseExpiresAt: at(1).getTime(),
        error: { name: 'ThrottledError', message: 'slow down', retryable: true },
      });
      // worker-2 claims the released lease and dies before its checkpoint; worker-3 takes it over.
      const dead = await claim(alertId, 'worker-2', at(2));
      expect(dead).toMatchObject({ kind: 'claimed', takenOver: false });
      expect(dead.record.plan).toBeUndefined();
      const takeover = await claim(alertId, 'worker-3', at(200));
      expect(takeover).toMatchObject({ kind: 'claimed', takenOver: true, record: { attempts: 3 } });
      expect(takeover.record.plan).toBeUndefined();
    });

    it('retries a notification whose outcome was failed, and takes it out of the failed index', async () => {
      const alertId = uniqueName('failed');
      const first = await claim(alertId, 'worker-1', T0);
      if (first.kind !== 'claimed') throw new Error('not claimed');
      await completeAs(first.record, 'failed', at(1));
      expect((await ledger.query({ outcome: 'failed' })).map((r) => r.alertId)).toContain(alertId);
      const retry = await claim(alertId, 'worker-2', at(2));
      expect(retry).toMatchObject({ kind: 'claimed', record: { attempts: 2, state: 'in-progress' } });
      expect(retry.record.outcome).toBeUndefined();
      expect((await ledger.query({ outcome: 'failed' })).map((r) => r.alertId)).not.toContain(alertId);
    });

    it('answers duplicate for a failed record that an operator undid, instead of redoing it', async () => {
      const alertId = uniqueName('failed-undone');
      const first = await claim(alertId, 'worker-1', T0);
      if (first.kind !== 'claimed') throw new Error('not claimed');
      await ledger.complete({
        ...first.record,
        state: 'completed',
        outcome: 'failed',
        recordedAt: at(1).toISOString(),
        revoked: [{ IpProtocol: 'tcp', FromPort: 22, ToPort: 22, IpRanges: [{ CidrIp: '0.0.0.0/0' }] }],
        revertedBy: 'undo#fail#2026-01-01T00:00:00.000Z',
      });
      const replay = await claim(alertId, 'worker-2', at(2));
      expect(replay).toMatchObject({ kind: 'duplicate', record: { outcome: 'failed', attempts: 1 } });
    });

    it('answers duplicate for a dry-run unless the claim lists dry-run; listed, claims it again keeping its history', async () => {
      const alertId = uniqueName('dry-run');
      const first = await claim(alertId, 'worker-1', T0);
      if (first.kind !== 'claimed') throw new Error('not claimed');
      const open = [{ IpProtocol: 'tcp', FromPort: 22, ToPort: 22, IpRanges: [{ CidrIp: '0.0.0.0/0' }] }];
      await ledger.complete({
        ...first.record,
        state: 'completed',
        outcome: 'dry-run',
        mode: 'dry-run',
        decision: 'remediate',
        reason: 'revoke tcp 22 from 0.0.0.0/0',
        plan: { revoke: open, authorize: [] },
        permissionsBefore: open,
        permissionsAfter: open,
        recordedAt: at(1).toISOString(),
        timings: { ...first.record.timings, completedAt: at(1).toISOString(), durationMs: 1000 },
      });

      expect(await claim(alertId, 'worker-2', at(2))).toMatchObject({
        kind: 'duplicate',
        record: { outcome: 'dry-run' },
      });
      expect(await claim(alertId, 'worker-2', at(2), 120, ['failed', 'rejected'])).toMatchObject({
        kind: 'duplicate',
      });
      await ledger.countDuplicate(alertId, 'fail', at(2));

      const again = await claim(alertId, 'worker-3', at(3), 120, ['failed', 'rejected', 'dry-run']);
      expect(again).toMatchObject({
        kind: 'claimed',
        takenOver: false,
        record: {
          state: 'in-progress',
          attempts: 2,
          previousOutcome: 'dry-run',
          mode: 'remediate',
          leaseOwner: 'worker-3',
          leaseExpiresAt: at(123).getTime(),
          duplicateDeliveries: 1,
          timings: { firstSeenAt: T0.toISOString(), startedAt: at(3).toISOString() },
        },
      });
      const stored = await ledger.get(alertId, 'fail');
      expect(stored).toEqual(again.record);
      // The dry-run's conclusion gives way to the new attempt's.
      for (const field of ['outcome', 'decision', 'reason', 'plan', 'error'] as const) {
        expect(stored?.[field]).toBeUndefined();
      }
      expect(stored?.timings.completedAt).toBeUndefined();
      expect((await ledger.query({ outcome: 'dry-run' })).map((r) => r.alertId)).not.toContain(alertId);

      // Completed again, as remediated: not reclaimable, whatever the list.
      await completeAs(again.record, 'remediated', at(4));
      expect(await claim(alertId, 'worker-4', at(5), 120, ['failed', 'rejected', 'dry-run'])).toMatchObject({
        kind: 'duplicate',
        record: { outcome: 'remediated', previousOutcome: 'dry-run', attempts: 2 },
      });
    });

    it('claims again a rejected record when the claim lists rejected, dropping the rejection’s reason and error', async () => {
      const alertId = uniqueName('rejected');
      await audit(alertId, {
        recordedAt: T0.toISOString(),
        outcome: 'rejected',
        reason: 'account 111111111111 is not on the hub’s allow-list',
        error: { name: 'AccountNotAllowedError', message: 'not allowed', retryable: false },
      });
      expect(await claim(alertId, 'worker-1', at(1))).toMatchObject({ kind: 'duplicate' });

      const again = await claim(alertId, 'worker-2', at(2), 120, ['failed', 'rejected']);
      expect(again).toMatchObject({
        kind: 'claimed',
        takenOver: false,
        record: { state: 'in-progress', attempts: 2, previousOutcome: 'rejected', leaseOwner: 'worker-2' },
      });
      expect(again.record.reason).toBeUndefined();
      expect(again.record.error).toBeUndefined();
      expect(again.record.timings.firstSeenAt).toBe(T0.toISOString());
    });

    // moto checks a DynamoDB condition and then writes, with no lock between the two (DynamoDB itself is
    // atomic), so under a loaded machine two racing claims can both pass on the emulator. A real double
    // claim would fail every attempt; `retry` only absorbs the emulator's rare race.
    it('gives a reclaimable record to exactly one of many workers claiming it at once', {
      retry: 2,
    }, async () => {
      const alertId = uniqueName('reclaim-race');
      const first = await claim(alertId, 'worker-1', T0);
      if (first.kind !== 'claimed') throw new Error('not claimed');
      await completeAs(first.record, 'dry-run', at(1));
      const results = await Promise.all(
        Array.from({ length: 6 }, (_, i) => claim(alertId, `worker-${i}`, at(2), 120, ['dry-run'])),
      );
      expect(results.filter((r) => r.kind === 'claimed')).toHaveLength(1);
      expect(results.filter((r) => r.kind === 'contended')).toHaveLength(5);
      expect(await ledger.get(alertId, 'fail')).toMatchObject({ state: 'in-progress', attempts: 2 });
    });

    // moto checks a DynamoDB condition and then writes, with no lock between the two (DynamoDB itself is
    // atomic), so under a loaded machine two racing claims can both pass on the emulator. A real double
    // claim would fail every attempt; `retry` only absorbs the emulator's rare race.
    it('gives the notification to exactly one of many workers claiming at once', { retry: 2 }, async () => {
      const alertId = uniqueName('race');
      const results = await Promise.all(
        Array.from({ length: 6 }, (_, i) => claim(alertId, `worker-${i}`, T0)),
      );
      expect(results.filter((r) => r.kind === 'claimed')).toHaveLength(1);
      expect(results.filter((r) => r.kind === 'contended')).toHaveLength(5);
    });
  });

  describe('complete', () => {
    it('refuses a worker whose lease was taken over', async () => {
      const alertId = uniqueName('lost');
      const first = await claim(alertId, 'slow-worker', T0);
      if (first.kind !== 'claimed') throw new Error('not claimed');
      await claim(alertId, 'worker-2', at(200));
      await expect(completeAs(first.record, 'remediated', at(201))).rejects.toBeInstanceOf(
        LeaseContentionError,
      );
      expect(await ledger.get(alertId, 'fail')).toMatchObject({
        state: 'in-progress',
        leaseOwner: 'worker-2',
      });
    });

    it('drops the lease expiry from a completed record', async () => {
      const alertId = uniqueName('done');
      const first = await claim(alertId, 'worker-1', T0);
      if (first.kind !== 'claimed') throw new Error('not claimed');
      await completeAs(first.record, 'already-compliant', at(1));
      const stored = await ledger.get(alertId, 'fail');
      expect(stored).toMatchObject({
        state: 'completed',
        outcome: 'already-compliant',
        leaseOwner: 'worker-1',
      });
      expect(stored?.leaseExpiresAt).toBeUndefined();
    });
  });

  describe('recordTerminal', () => {
    it('writes once; a second delivery of the same message counts as a duplicate', async () => {
      const alertId = `unparsed:${uniqueName('m')}`;
      await audit(alertId, { recordedAt: T0.toISOString(), outcome: 'rejected', reason: 'not JSON' });
      await audit(alertId, {
        recordedAt: at(5).toISOString(),
        outcome: 'rejected',
        reason: 'not JSON again',
      });
      expect(await ledger.get(alertId, 'fail')).toMatchObject({
        outcome: 'rejected',
        reason: 'not JSON',
        duplicateDeliveries: 1,
        recordedAt: T0.toISOString(),
      });
    });
  });

  describe('listExpiredLeases', () => {
    it('lists in-progress records whose lease has expired, oldest first, and never completed ones', async () => {
      const later = new Date(T0.getTime() + 10 * 365 * 86_400_000);
      const dead = uniqueName('dead');
      const released = uniqueName('released');
      const live = uniqueName('live');
      const done = uniqueName('done');
      await claim(dead, 'worker-1', T0);
      const second = await claim(released, 'worker-1', at(10));
      if (second.kind !== 'claimed') throw new Error('not claimed');
      await ledger.complete({
        ...second.record,
        recordedAt: at(20).toISOString(),
        leaseExpiresAt: at(20).getTime(),
        error: { name: 'ThrottledError', message: 'slow down', retryable: true },
      });
      await claim(live, 'worker-1', later);
      const fourth = await claim(done, 'worker-1', T0);
      if (fourth.kind !== 'claimed') throw new Error('not claimed');
      await completeAs(fourth.record, 'remediated', at(1));

      const stuck = await ledger.listExpiredLeases(at(3_600), 1_000);
      const mine = stuck.filter((r) => [dead, released, live, done].includes(r.alertId));
      // The released lease expired at 20 s, the dead worker's at 120 s.
      expect(mine.map((r) => r.alertId)).toEqual([released, dead]);
      expect(
        proxy.requests.filter((r) => r.action === 'Query').map((r) => JSON.parse(r.body).IndexName),
      ).toContain('byLease');
    });
  });

  describe('get and listByAlert', () => {
    it('returns undefined for a notification it never saw', async () => {
      expect(await ledger.get(uniqueName('none'), 'fail')).toBeUndefined();
    });

    it('lists every item of an alert id: its notifications and undo events', async () => {
      const alertId = uniqueName('all');
      await audit(alertId, { recordedAt: T0.toISOString(), outcome: 'remediated' });
      await audit(alertId, {
        eventKey: 'pass',
        alertStatus: 'pass',
        recordedAt: at(60).toISOString(),
        outcome: 'ignored',
      });
      await audit(alertId, {
        eventKey: `undo#fail#${at(90).toISOString()}`,
        recordedAt: at(90).toISOString(),
        outcome: 'reverted',
      });
      const items = await ledger.listByAlert(alertId);
      expect(items.map((r) => [r.eventKey, r.outcome])).toEqual([
        ['fail', 'remediated'],
        ['pass', 'ignored'],
        [`undo#fail#${at(90).toISOString()}`, 'reverted'],
      ]);
    });
  });

  describe('query', () => {
    const account = '444444444401';
    const otherAccount = '444444444402';
    const group = uniqueName('sg');
    const ids = {
      old: uniqueName('q-old'),
      mid: uniqueName('q-mid'),
      newEu: uniqueName('q-new'),
      other: uniqueName('q-other'),
      failed: uniqueName('q-failed'),
    };

    beforeAll(async () => {
      await audit(ids.old, {
        recordedAt: at(0).toISOString(),
        outcome: 'remediated',
        accountId: account,
        region: 'us-east-1',
        resourceId: group,
      });
      await audit(ids.mid, {
        recordedAt: at(10).toISOString(),
        outcome: 'already-compliant',
        accountId: account,
        region: 'us-east-1',
        resourceId: group,
      });
      await audit(ids.newEu, {
        recordedAt: at(20).toISOString(),
        outcome: 'remediated',
        accountId: account,
        region: 'eu-west-1',
        resourceId: uniqueName('sg'),
      });
      await audit(ids.other, {
        recordedAt: at(30).toISOString(),
        outcome: 'remediated',
        accountId: otherAccount,
        region: 'us-east-1',
        resourceId: group,
      });
      await audit(ids.failed, {
        recordedAt: at(40).toISOString(),
        outcome: 'failed',
        accountId: otherAccount,
        region: 'eu-west-1',
      });
    });

    const lastRequest = (action: string) => {
      const request = proxy.requests.filter((r) => r.action === action).at(-1);
      return request ? (JSON.parse(request.body) as Record<string, unknown>) : undefined;
    };

    it('serves an account filter from the byAccount index, newest first', async () => {
      const records = await ledger.query({ accountId: account });
      expect(records.map((r) => r.alertId)).toEqual([ids.newEu, ids.mid, ids.old]);
      expect(lastRequest('Query')).toMatchObject({ IndexName: 'byAccount', ScanIndexForward: false });
      expect(proxy.requests.some((r) => r.action === 'Scan')).toBe(false);
    });

    it('puts since on the index sort key and applies the limit', async () => {
      const records = await ledger.query({ accountId: account, since: at(5), limit: 1 });
      expect(records.map((r) => r.alertId)).toEqual([ids.newEu]);
      expect(lastRequest('Query')).toMatchObject({
        IndexName: 'byAccount',
        KeyConditionExpression: '#pk = :pk AND #sk >= :since',
      });
    });

    it('filters region on top of the index and still fills the limit', async () => {
      const records = await ledger.query({ accountId: account, region: 'us-east-1', limit: 2 });
      expect(records.map((r) => r.alertId)).toEqual([ids.mid, ids.old]);
      expect(lastRequest('Query')).toMatchObject({ IndexName: 'byAccount', FilterExpression: '#f0 = :f0' });
    });

    it('serves a resource filter from byResource, across accounts', async () => {
      const records = await ledger.query({ resourceId: group });
      expect(records.map((r) => r.alertId)).toEqual([ids.other, ids.mid, ids.old]);
      expect(lastRequest('Query')).toMatchObject({ IndexName: 'byResource' });
    });

    it('serves an outcome filter from byOutcome, combined with the account as a filter', async () => {
      const records = await ledger.query({ outcome: 'remediated', accountId: account });
      expect(records.map((r) => r.alertId)).toEqual([ids.newEu, ids.old]);
      // The account is the more selective key: the account index, outcome as a filter.
      expect(lastRequest('Query')).toMatchObject({ IndexName: 'byAccount' });
      const failed = await ledger.query({ outcome: 'failed', since: at(35) });
      expect(failed.map((r) => r.alertId)).toContain(ids.failed);
      expect(lastRequest('Query')).toMatchObject({ IndexName: 'byOutcome' });
    });

    it('scans only when no filter names an account, resource or outcome, and still sorts newest first', async () => {
      const records = await ledger.query({ region: 'eu-west-1', since: at(15) });
      const ours = records.map((r) => r.alertId).filter((id) => Object.values(ids).includes(id));
      expect(ours).toEqual([ids.failed, ids.newEu]);
      expect(proxy.requests.some((r) => r.action === 'Scan')).toBe(true);
      expect(proxy.requests.some((r) => r.action === 'Query')).toBe(false);
    });
  });
});
