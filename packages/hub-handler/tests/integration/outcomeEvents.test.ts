import { readFileSync } from 'node:fs';
import { type LedgerRecord, OUTCOME_EVENT_SCHEMA_VERSION } from '@remediation-hub/core';
import {
  awsQueryError,
  createGroup,
  ingressRules,
  makeAlert,
  receiveOutcomeEvents,
  sqsEvent,
  subscribeOutcomeQueue,
  uniqueName,
  WORLD_HTTPS,
  WORLD_SSH,
} from '@remediation-hub/testkit';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import { invoke, requestsOf, useTestHub } from '../support/testHub.js';

// Accounts 333333333410-419 belong to this file; 419 is never on the allow-list.
const A = '333333333410';
const B = '333333333411';
const NOT_ALLOWED = '333333333419';

const schema = JSON.parse(
  readFileSync(
    new URL(
      `../../../core/schema/outcome-event.v${OUTCOME_EVENT_SCHEMA_VERSION}.schema.json`,
      import.meta.url,
    ),
    'utf8',
  ),
);
const validate = new Ajv2020({ strict: true, allErrors: true }).compile(schema);

const ACCESS_DENIED = {
  status: 403,
  body: awsQueryError('AccessDenied', 'not authorized to perform: sts:AssumeRole'),
};

describe('outcome events', () => {
  const hub = useTestHub('outcomes', [A, B], { outcomeTopic: true });
  const topicArn = () => {
    const arn = hub.up.outcomeTopic?.arn;
    if (arn === undefined) throw new Error('the test hub has no outcome topic');
    return arn;
  };
  const subscribe = (filterPolicy?: Record<string, unknown>) =>
    subscribeOutcomeQueue({
      sns: hub.sns,
      sqs: hub.sqs,
      topicArn: topicArn(),
      queueName: uniqueName('subscriber'),
      filterPolicy,
    });

  it('publishes one event per completed record after its ledger write; a filter policy on the attributes keeps only failed', async () => {
    const everything = await subscribe();
    const failedOnly = await subscribe({ outcome: ['failed'] });
    const fixedGroup = await createGroup(A, 'us-east-1', [WORLD_SSH, WORLD_HTTPS]);
    const failingGroup = await createGroup(B, 'eu-west-1', [WORLD_SSH]);
    const fixed = makeAlert({
      id: uniqueName('fixed'),
      accountId: A,
      region: 'us-east-1',
      groupId: fixedGroup,
    });
    const failing = makeAlert({
      id: uniqueName('fail'),
      accountId: B,
      region: 'eu-west-1',
      groupId: failingGroup,
    });
    const refused = makeAlert({
      id: uniqueName('refused'),
      accountId: NOT_ALLOWED,
      region: 'us-east-1',
      groupId: 'sg-0badacc0000000001',
    });
    const run = await hub.start();
    // The member role of B refuses the hub: a terminal `failed`, the exposure stays open.
    run.proxy.failNext(
      (r) => r.action === 'AssumeRole' && (r.params.RoleArn ?? '').includes(B),
      ACCESS_DENIED,
    );

    const bodies = [fixed, failing, refused].map((doc) => JSON.stringify(doc));
    const response = await invoke(run, sqsEvent([...bodies, 'not json', bodies[0] as string]));

    expect(response.batchItemFailures).toEqual([]);
    const received = await receiveOutcomeEvents(hub.sqs, everything.queueUrl, { count: 4, idleSeconds: 1 });
    // Four completed records, four events: the second delivery of `fixed` is a duplicate and publishes none.
    expect(received.map(({ event }) => `${event.outcome}`).sort()).toEqual([
      'failed',
      'rejected',
      'rejected',
      'remediated',
    ]);
    for (const { event } of received) expect(validate(event), JSON.stringify(validate.errors)).toBe(true);
    expect(requestsOf(run, 'Publish')).toHaveLength(4);

    const remediated = received.find(({ event }) => event.outcome === 'remediated');
    const record = (await run.root.ledger.get(fixed.data.id, 'fail')) as LedgerRecord;
    expect(remediated?.attributes).toEqual({
      outcome: 'remediated',
      account: A,
      source: 'evident',
      control: 'AWS:EC2-002',
      mode: 'remediate',
    });
    expect(remediated?.event).toMatchObject({
      schemaVersion: 1,
      eventId: `${fixed.data.id}|fail|${record.recordedAt}`,
      source: 'evident',
      findingId: fixed.data.id,
      accountId: A,
      region: 'us-east-1',
      groupId: fixedGroup,
      control: { id: 'AWS:EC2-002' },
      outcome: 'remediated',
      mode: 'remediate',
      reason: { code: 'revoke' },
      revoked: [{ protocol: 'tcp', fromPort: 22, toPort: 22, cidr: '0.0.0.0/0', description: null }],
      authorized: [],
      worldOpenIngress: {
        before: [
          { protocol: 'tcp', fromPort: 22, toPort: 22, cidr: '0.0.0.0/0', description: null },
          { protocol: 'tcp', fromPort: 443, toPort: 443, cidr: '0.0.0.0/0', description: null },
        ],
        after: [{ protocol: 'tcp', fromPort: 443, toPort: 443, cidr: '0.0.0.0/0', description: null }],
      },
      ledgerKey: { alertId: fixed.data.id, eventKey: 'fail' },
      undo: `remediation-hub undo ${fixed.data.id} --status fail`,
      timings: { sourceFirstSeenAt: record.sourceFirstSeenAt, completedAt: record.timings.completedAt },
    });
    // The sample alert's started_at is the source's first sight: long before the hub closed it.
    expect(record.sourceFirstSeenAt).toEqual(expect.any(String));
    expect(remediated?.event.timeToCloseSeconds).toBe(
      (Date.parse(record.timings.completedAt ?? '') - Date.parse(record.sourceFirstSeenAt ?? '')) / 1000,
    );
    expect(record).toMatchObject({ outcomeEvent: { state: 'sent', messageId: expect.any(String) } });
    expect(record.pendingEvent).toBeUndefined();

    const failedEvents = await receiveOutcomeEvents(hub.sqs, failedOnly.queueUrl, {
      count: 1,
      idleSeconds: 1,
    });
    expect(failedEvents).toHaveLength(1);
    expect(failedEvents[0]?.attributes).toMatchObject({ outcome: 'failed', account: B });
    expect(failedEvents[0]?.event).toMatchObject({
      outcome: 'failed',
      findingId: failing.data.id,
      error: { name: 'AccessDeniedError', code: 'AccessDenied', retryable: false },
      undo: null,
      timeToCloseSeconds: null,
    });
    expect(await ingressRules(B, 'eu-west-1', failingGroup)).toEqual(['tcp 22-22 0.0.0.0/0']);
  });

  it('retries a publish that fails, and the event arrives once, marked sent', async () => {
    const subscriber = await subscribe();
    const groupId = await createGroup(A, 'us-east-1', [WORLD_SSH]);
    const doc = makeAlert({ id: uniqueName('retried'), accountId: A, region: 'us-east-1', groupId });
    const run = await hub.start();
    run.proxy.failNext(
      { action: 'Publish' },
      { status: 500, body: awsQueryError('InternalError', 'try again') },
    );

    await invoke(run, sqsEvent([JSON.stringify(doc)]));

    expect(requestsOf(run, 'Publish')).toHaveLength(2);
    const received = await receiveOutcomeEvents(hub.sqs, subscriber.queueUrl, { count: 1, idleSeconds: 1 });
    expect(received.map(({ event }) => event.findingId)).toEqual([doc.data.id]);
    expect(await run.root.ledger.get(doc.data.id, 'fail')).toMatchObject({ outcomeEvent: { state: 'sent' } });
  });

  it('keeps the event pending on the record, with the error, when the publish keeps failing; the outcome stands', async () => {
    const subscriber = await subscribe();
    const groupId = await createGroup(A, 'us-east-1', [WORLD_SSH]);
    const doc = makeAlert({ id: uniqueName('unsent'), accountId: A, region: 'us-east-1', groupId });
    const run = await hub.start();
    run.proxy.failNext(
      { action: 'Publish' },
      { status: 503, body: awsQueryError('ServiceUnavailable', 'down') },
      3,
    );

    const response = await invoke(run, sqsEvent([JSON.stringify(doc)]));

    expect(response.batchItemFailures).toEqual([]);
    expect(requestsOf(run, 'Publish')).toHaveLength(3);
    const record = await run.root.ledger.get(doc.data.id, 'fail');
    expect(record).toMatchObject({
      outcome: 'remediated',
      pendingEvent: 'pending',
      outcomeEvent: {
        state: 'pending',
        failures: 1,
        lastError: { name: 'TransientAwsError', retryable: true },
        lastFailedAt: expect.any(String),
      },
    });
    const pending = await run.root.outcomes?.events.listPending({
      recordedBefore: new Date(Date.now() + 60_000),
    });
    expect(pending?.map((r) => r.alertId)).toContain(doc.data.id);
    expect(await receiveOutcomeEvents(hub.sqs, subscriber.queueUrl, { timeoutMs: 1_500 })).toEqual([]);
    expect(run.log.lines).toContainEqual(
      expect.objectContaining({
        msg: 'could not publish the outcome event; the record keeps it pending for audit resend',
      }),
    );
  });

  it('makes no SNS call and no extra ledger write without a topic', async () => {
    const groupId = await createGroup(A, 'us-east-1', [WORLD_SSH]);
    const doc = makeAlert({ id: uniqueName('silent'), accountId: A, region: 'us-east-1', groupId });
    const run = await hub.start({ OUTCOME_TOPIC_ARN: '' });

    await invoke(run, sqsEvent([JSON.stringify(doc)]));

    expect(run.root.outcomes).toBeUndefined();
    expect(run.proxy.requests.filter((r) => r.service === 'sns')).toEqual([]);
    expect(requestsOf(run, 'UpdateItem')).toEqual([]);
    const record = await run.root.ledger.get(doc.data.id, 'fail');
    expect(record?.outcome).toBe('remediated');
    expect(record?.outcomeEvent).toBeUndefined();
    expect(record?.pendingEvent).toBeUndefined();
  });
});
