import { RevokeSecurityGroupIngressCommand } from '@aws-sdk/client-ec2';
import {
  createGroup,
  ec2Error,
  eventOf,
  flattenRules,
  ingressRules,
  makeAlert,
  memberEc2,
  OFFICE_SSH,
  publish,
  queueDepth,
  receiveMessages,
  settle,
  uniqueName,
  WORLD_ALL_TCP,
  WORLD_SSH,
} from '@remediation-hub/testkit';
import { describe, expect, it } from 'vitest';
import { countOutcomes } from '../../src/handler/processBatch.js';
import { consumeOnce, type HubRun, invoke, requestsOf, useTestHub } from '../support/testHub.js';

// Accounts 333333333360-369 belong to this file.
const A = '333333333360';
const B = '333333333361';

/** Retries, leases, dry-run and strategies, through SNS → SQS → handler. */
describe('hub pipeline: recovery and modes', () => {
  const hub = useTestHub('recovery', [A, B]);
  const start = (env: Record<string, string> = {}) => hub.start(env);
  const alert = (accountId: string, region: string, groupId: string, signature?: string) =>
    makeAlert({ id: uniqueName('alert'), accountId, region, groupId, ...(signature ? { signature } : {}) });
  const requests = requestsOf;
  /** A group with every tcp port open to the world, and its SSH alert published to the hub's topic. */
  const publishWorldRangeAlert = async (accountId: string, region: string) => {
    const groupId = await createGroup(accountId, region, [WORLD_ALL_TCP]);
    const doc = alert(accountId, region, groupId);
    await publish(hub.sns, hub.up.topic.arn, doc);
    return { groupId, doc };
  };

  it('reports a retryable error in batchItemFailures, keeps the record open, and remediates on redelivery', async () => {
    const groupId = await createGroup(A, 'us-east-1', [WORLD_SSH, OFFICE_SSH]);
    const doc = alert(A, 'us-east-1', groupId);
    const other = await createGroup(A, 'us-east-1', [WORLD_SSH]);
    const otherDoc = alert(A, 'us-east-1', other);
    await publish(hub.sns, hub.up.topic.arn, doc);
    await publish(hub.sns, hub.up.topic.arn, otherDoc);

    const run = await start();
    run.proxy.failNext((r) => r.action === 'RevokeSecurityGroupIngress' && r.params.GroupId === groupId, {
      status: 503,
      body: ec2Error('RequestLimitExceeded', 'Request limit exceeded.'),
    });
    const messages = await receiveMessages(hub.sqs, hub.up.queue.url, 2);
    const response = await invoke(run, eventOf(messages));
    const failedId = messages.find((m) => JSON.parse(m.Body ?? '{}').data.id === doc.data.id)?.MessageId;
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: failedId }]);
    expect(await run.root.ledger.get(doc.data.id, 'fail')).toMatchObject({
      state: 'in-progress',
      attempts: 1,
      error: { name: 'ThrottledError', retryable: true },
    });
    expect((await run.root.ledger.get(otherDoc.data.id, 'fail'))?.outcome).toBe('remediated');
    expect(await ingressRules(A, 'us-east-1', groupId)).toEqual([
      'tcp 22-22 0.0.0.0/0',
      'tcp 22-22 10.0.0.0/8',
    ]);

    await settle(hub.sqs, hub.up.queue.url, messages, response.batchItemFailures);
    const { results } = await consumeOnce(run, hub.sqs, hub.up.queue.url);

    expect(countOutcomes(results)).toEqual({ remediated: 1 });
    const record = await run.root.ledger.get(doc.data.id, 'fail');
    expect(record).toMatchObject({ state: 'completed', outcome: 'remediated', attempts: 2 });
    expect(record?.error).toBeUndefined();
    expect(await ingressRules(A, 'us-east-1', groupId)).toEqual(['tcp 22-22 10.0.0.0/8']);
    expect(await queueDepth(hub.sqs, hub.up.queue.url)).toEqual({ visible: 0, inFlight: 0 });
  });

  it('keeps what an attempt revoked before a retryable error, so the final record holds every revocation', async () => {
    const groupId = await createGroup(A, 'eu-west-1', [{ ...WORLD_SSH, Ipv6Ranges: [{ CidrIpv6: '::/0' }] }]);
    const doc = alert(A, 'eu-west-1', groupId);
    await publish(hub.sns, hub.up.topic.arn, doc);

    const run = await start();
    let revokes = 0;
    run.proxy.failNext(
      (r) => r.action === 'RevokeSecurityGroupIngress' && r.params.GroupId === groupId && ++revokes === 2,
      { status: 500, body: ec2Error('InternalError', 'An internal error has occurred.') },
    );
    const { results } = await consumeOnce(run, hub.sqs, hub.up.queue.url);

    expect(results.map((r) => r.outcome)).toEqual(['retry', 'remediated']);
    const record = await run.root.ledger.get(doc.data.id, 'fail');
    expect(record).toMatchObject({ outcome: 'remediated', attempts: 2 });
    expect(flattenRules(record?.revoked ?? [])).toEqual(['tcp 22-22 0.0.0.0/0', 'tcp 22-22 ::/0']);
    expect(record?.requestIds).toHaveLength(2);
    // The group as the first attempt found it.
    expect(flattenRules(record?.permissionsBefore ?? [])).toEqual(['tcp 22-22 0.0.0.0/0', 'tcp 22-22 ::/0']);
    expect(await ingressRules(A, 'eu-west-1', groupId)).toEqual([]);
  });

  /** DynamoDB's answer when a table's write capacity is exhausted (the SDK's retries spent: AWS_MAX_ATTEMPTS=1). */
  const throughputExceeded = {
    status: 400,
    headers: { 'content-type': 'application/x-amz-json-1.0' },
    body: JSON.stringify({
      __type: 'com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException',
      message: 'The level of configured provisioned throughput for the table was exceeded.',
    }),
  };
  /** Fails the next `times` ledger writes of the alert once the group's revoke has gone through. */
  const failLedgerWritesAfterRevoke = (run: HubRun, alertId: string, groupId: string, times: number) => {
    let revoked = false;
    run.proxy.failNext(
      (r) => {
        if (r.action === 'RevokeSecurityGroupIngress' && r.params.GroupId === groupId) revoked = true;
        return revoked && (r.action === 'PutItem' || r.action === 'UpdateItem') && r.body.includes(alertId);
      },
      throughputExceeded,
      times,
    );
  };

  it('remediates an alert with four AWS calls besides SQS and STS: describe, the claim carrying the checkpoint, revoke, complete', async () => {
    const groupId = await createGroup(A, 'eu-west-2', [WORLD_SSH, OFFICE_SSH]);
    const doc = alert(A, 'eu-west-2', groupId);
    await publish(hub.sns, hub.up.topic.arn, doc);

    const run = await start();
    const { results } = await consumeOnce(run, hub.sqs, hub.up.queue.url);

    expect(countOutcomes(results)).toEqual({ remediated: 1 });
    const calls = run.proxy.requests
      .filter((r) => r.service !== 'sqs' && r.service !== 'sts')
      .map((r) => `${r.service}:${r.action}`);
    expect(calls).toEqual([
      'ec2:DescribeSecurityGroups',
      'dynamodb:PutItem',
      'ec2:RevokeSecurityGroupIngress',
      'dynamodb:PutItem',
    ]);
    // The claim's write was the checkpoint: the plan and the group before, before the revoke.
    const claim = run.proxy.requests.find((r) => r.action === 'PutItem');
    expect(claim?.body).toContain('"plan"');
    expect(claim?.body).toContain('"permissionsBefore"');
    expect(await ingressRules(A, 'eu-west-2', groupId)).toEqual(['tcp 22-22 10.0.0.0/8']);
  });

  it('retries when another worker wrote the record after this one read the group: the claim does not plan from a read that may predate that worker’s change', async () => {
    const groupId = await createGroup(A, 'eu-west-2', [WORLD_SSH]);
    const doc = alert(A, 'eu-west-2', groupId);
    await publish(hub.sns, hub.up.topic.arn, doc);

    const run = await start();
    // This worker's claim is held after its describe; meanwhile another worker claims the alert, revokes the
    // rule and completes the record as failed (an outcome a later delivery takes again).
    const ownClaim = (r: { action: string | undefined; body: string }) =>
      r.action === 'PutItem' && r.body.includes(doc.data.id) && !r.body.includes('other-worker');
    run.proxy.delayNext(ownClaim, 2000);
    const messages = await receiveMessages(hub.sqs, hub.up.queue.url, 1);
    const pending = invoke(run, eventOf(messages));
    while (!run.proxy.requests.some(ownClaim)) await new Promise((resolve) => setTimeout(resolve, 20));
    expect(requests(run, 'DescribeSecurityGroups')).toHaveLength(1);
    const other = await run.root.ledger.claim({
      alertId: doc.data.id,
      eventKey: 'fail',
      alertStatus: 'fail',
      owner: 'other-worker',
      leaseSeconds: 120,
      now: run.clock.now(),
    });
    if (other.kind !== 'claimed') throw new Error('the other worker did not claim the alert');
    const ec2 = await memberEc2(A, 'eu-west-2');
    await ec2.send(new RevokeSecurityGroupIngressCommand({ GroupId: groupId, IpPermissions: [WORLD_SSH] }));
    ec2.destroy();
    await run.root.ledger.complete({
      ...other.record,
      state: 'completed',
      outcome: 'failed',
      revoked: [WORLD_SSH],
      recordedAt: run.clock.now().toISOString(),
    });

    const response = await pending;
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: messages[0]?.MessageId }]);
    expect(requests(run, 'RevokeSecurityGroupIngress')).toEqual([]);
    expect(await run.root.ledger.get(doc.data.id, 'fail')).toMatchObject({
      outcome: 'failed',
      leaseOwner: 'other-worker',
      attempts: 1,
    });

    // The redelivery reads the group as it is now and claims the failed record again, keeping its revocation.
    await settle(hub.sqs, hub.up.queue.url, messages, response.batchItemFailures);
    const { results } = await consumeOnce(run, hub.sqs, hub.up.queue.url);
    expect(results).toEqual([expect.objectContaining({ outcome: 'remediated' })]);
    const record = await run.root.ledger.get(doc.data.id, 'fail');
    expect(record).toMatchObject({ outcome: 'remediated', previousOutcome: 'failed', attempts: 2 });
    expect(flattenRules(record?.revoked ?? [])).toEqual(['tcp 22-22 0.0.0.0/0']);
    expect(requests(run, 'RevokeSecurityGroupIngress')).toEqual([]);
  });

  it('keeps the audit trail when every ledger write after the revoke fails: the attempt that takes over records remediated, the revocation and the group as it first was', async () => {
    const groupId = await createGroup(B, 'ap-southeast-2', [WORLD_SSH, OFFICE_SSH]);
    const doc = alert(B, 'ap-southeast-2', groupId);
    await publish(hub.sns, hub.up.topic.arn, doc);

    const run = await start({ LEASE_SECONDS: '120' });
    // The completion and the lease release both fail: the record stays as checkpointed before the revoke.
    failLedgerWritesAfterRevoke(run, doc.data.id, groupId, 2);
    const messages = await receiveMessages(hub.sqs, hub.up.queue.url, 1);
    const response = await invoke(run, eventOf(messages));

    expect(response.batchItemFailures).toEqual([{ itemIdentifier: messages[0]?.MessageId }]);
    expect(await ingressRules(B, 'ap-southeast-2', groupId)).toEqual(['tcp 22-22 10.0.0.0/8']);
    // One ledger write before the revoke: the claim, which carried the checkpoint.
    const revokeAt = run.proxy.requests.findIndex((r) => r.action === 'RevokeSecurityGroupIngress');
    expect(
      run.proxy.requests
        .slice(0, revokeAt)
        .filter((r) => r.service === 'dynamodb' && r.body.includes(doc.data.id)),
    ).toHaveLength(1);
    const checkpointed = await run.root.ledger.get(doc.data.id, 'fail');
    expect(checkpointed).toMatchObject({ state: 'in-progress', decision: 'remediate', revoked: [] });
    expect(flattenRules(checkpointed?.plan?.revoke ?? [])).toEqual(['tcp 22-22 0.0.0.0/0']);
    expect(flattenRules(checkpointed?.permissionsBefore ?? [])).toEqual([
      'tcp 22-22 0.0.0.0/0',
      'tcp 22-22 10.0.0.0/8',
    ]);
    // The log says what EC2 did, with its request id, even though the ledger does not.
    const failedWrite = run.log.lines.find(
      (l) => l.msg === 'could not complete the ledger record, the message will come back',
    );
    expect(failedWrite).toMatchObject({
      outcome: 'remediated',
      revoked: [expect.objectContaining({ FromPort: 22, IpRanges: [{ CidrIp: '0.0.0.0/0' }] })],
      requestIds: [expect.any(String)],
    });
    expect(run.log.lines.find((l) => l.msg === 'could not release the lease; it will expire')).toMatchObject({
      revoked: [expect.objectContaining({ FromPort: 22 })],
    });

    // The redelivery comes once the first attempt's lease has expired, and takes the alert over.
    await settle(hub.sqs, hub.up.queue.url, messages, response.batchItemFailures);
    run.clock.advanceSeconds(121);
    const { results } = await consumeOnce(run, hub.sqs, hub.up.queue.url);

    expect(results).toEqual([expect.objectContaining({ outcome: 'remediated', takenOver: true })]);
    const record = await run.root.ledger.get(doc.data.id, 'fail');
    expect(record).toMatchObject({
      state: 'completed',
      outcome: 'remediated',
      attempts: 2,
      explanation: {
        // The group, read by the attempt that took over, no longer needs a change: the earlier one made it.
        reason: { code: 'compliant' },
        notes: [{ code: 'unrecorded-changes-counted', revoked: 1, authorized: 0 }],
      },
    });
    expect(flattenRules(record?.revoked ?? [])).toEqual(['tcp 22-22 0.0.0.0/0']);
    expect(flattenRules(record?.permissionsBefore ?? [])).toEqual([
      'tcp 22-22 0.0.0.0/0',
      'tcp 22-22 10.0.0.0/8',
    ]);
    expect(flattenRules(record?.permissionsAfter ?? [])).toEqual(['tcp 22-22 10.0.0.0/8']);
    expect(requests(run, 'RevokeSecurityGroupIngress')).toHaveLength(1);
  });

  it('keeps the revocations of the attempt it took over when it cannot read the group: they stay in doubt, and the next attempt records them', async () => {
    const groupId = await createGroup(B, 'ap-southeast-1', [WORLD_SSH, OFFICE_SSH]);
    const doc = alert(B, 'ap-southeast-1', groupId);
    await publish(hub.sns, hub.up.topic.arn, doc);

    const run = await start({ LEASE_SECONDS: '120' });
    // The first attempt revokes, then neither its completion nor its release reaches the ledger, and it dies.
    failLedgerWritesAfterRevoke(run, doc.data.id, groupId, 2);
    const messages = await receiveMessages(hub.sqs, hub.up.queue.url, 1);
    const response = await invoke(run, eventOf(messages));
    expect(response.batchItemFailures).toHaveLength(1);
    expect(await ingressRules(B, 'ap-southeast-1', groupId)).toEqual(['tcp 22-22 10.0.0.0/8']);

    // The attempt that takes the alert over cannot read the group: it releases, keeping the plan in doubt.
    await settle(hub.sqs, hub.up.queue.url, messages, response.batchItemFailures);
    run.clock.advanceSeconds(121);
    let throttled = true;
    run.proxy.failNext(
      (r) => throttled && r.action === 'DescribeSecurityGroups',
      { status: 503, body: ec2Error('RequestLimitExceeded', 'Request limit exceeded.') },
      1000,
    );
    const again = await receiveMessages(hub.sqs, hub.up.queue.url, 1);
    const second = await invoke(run, eventOf(again));
    expect(second.batchItemFailures).toHaveLength(1);
    const released = await run.root.ledger.get(doc.data.id, 'fail');
    expect(released).toMatchObject({ state: 'in-progress', revoked: [], attempts: 2 });
    expect(released?.plan).toBeUndefined();
    expect(flattenRules(released?.inDoubt?.revoke ?? [])).toEqual(['tcp 22-22 0.0.0.0/0']);
    expect(run.log.lines.find((l) => l.msg === 'took over an expired lease')).toBeDefined();

    // The next attempt reads the group and counts the revocation as the hub's.
    throttled = false;
    await settle(hub.sqs, hub.up.queue.url, again, second.batchItemFailures);
    const last = await receiveMessages(hub.sqs, hub.up.queue.url, 1);
    expect((await invoke(run, eventOf(last))).batchItemFailures).toEqual([]);
    const record = await run.root.ledger.get(doc.data.id, 'fail');
    expect(record).toMatchObject({ state: 'completed', outcome: 'remediated', attempts: 3 });
    expect(flattenRules(record?.revoked ?? [])).toEqual(['tcp 22-22 0.0.0.0/0']);
    expect(flattenRules(record?.permissionsBefore ?? [])).toEqual([
      'tcp 22-22 0.0.0.0/0',
      'tcp 22-22 10.0.0.0/8',
    ]);
    expect(requests(run, 'RevokeSecurityGroupIngress')).toHaveLength(1);
  });

  it('does not count as its work a rule an operator removed after an attempt released its lease: a later takeover finds no stale plan', async () => {
    const worldRange = { IpProtocol: 'tcp', FromPort: 0, ToPort: 65535, IpRanges: [{ CidrIp: '0.0.0.0/0' }] };
    const groupId = await createGroup(B, 'eu-central-1', [WORLD_SSH, worldRange]);
    const doc = alert(B, 'eu-central-1', groupId);
    await publish(hub.sns, hub.up.topic.arn, doc);

    // Attempt 1 revokes one rule, is throttled on the other (AWS_MAX_ATTEMPTS=1), and releases its lease.
    const run = await start({ LEASE_SECONDS: '120' });
    let revokes = 0;
    run.proxy.failNext(
      (r) => r.action === 'RevokeSecurityGroupIngress' && r.params.GroupId === groupId && ++revokes === 2,
      { status: 503, body: ec2Error('RequestLimitExceeded', 'Request limit exceeded.') },
    );
    const messages = await receiveMessages(hub.sqs, hub.up.queue.url, 1);
    const response = await invoke(run, eventOf(messages));
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: messages[0]?.MessageId }]);
    const released = await run.root.ledger.get(doc.data.id, 'fail');
    expect(released).toMatchObject({ state: 'in-progress', error: { code: 'RequestLimitExceeded' } });
    expect(released?.plan).toBeUndefined();
    const firstRevoked = flattenRules(released?.revoked ?? []);
    expect(firstRevoked).toHaveLength(1);

    // Attempt 2 claims the alert and dies before its checkpoint.
    const dead = await run.root.ledger.claim({
      alertId: doc.data.id,
      eventKey: 'fail',
      alertStatus: 'fail',
      owner: 'dead-worker',
      leaseSeconds: 120,
      now: run.clock.now(),
      fields: {},
    });
    expect(dead).toMatchObject({ kind: 'claimed', takenOver: false });

    // Meanwhile an operator removes the other world-open rule.
    const [other] = [WORLD_SSH, worldRange].filter(
      (rule) => !firstRevoked.includes(flattenRules([rule])[0] ?? ''),
    );
    if (!other) throw new Error('no rule left to remove');
    const ec2 = await memberEc2(B, 'eu-central-1');
    await ec2.send(new RevokeSecurityGroupIngressCommand({ GroupId: groupId, IpPermissions: [other] }));
    ec2.destroy();

    // Attempt 3 takes the alert over once attempt 2's lease has expired.
    await settle(hub.sqs, hub.up.queue.url, messages, response.batchItemFailures);
    run.clock.advanceSeconds(121);
    const { results } = await consumeOnce(run, hub.sqs, hub.up.queue.url);

    expect(results).toEqual([expect.objectContaining({ outcome: 'remediated', takenOver: true })]);
    const record = await run.root.ledger.get(doc.data.id, 'fail');
    expect(record).toMatchObject({ state: 'completed', outcome: 'remediated', attempts: 3 });
    expect(flattenRules(record?.revoked ?? [])).toEqual(firstRevoked);
    expect(record?.requestIds).toHaveLength(1);
    expect(record?.explanation?.notes.map((note) => note.code)).not.toContain('unrecorded-changes-counted');
    expect(await ingressRules(B, 'eu-central-1', groupId)).toEqual([]);
    expect(requests(run, 'RevokeSecurityGroupIngress')).toHaveLength(2);
  });

  it('keeps the work on the record when only the final ledger write fails: the redelivery records remediated with the revocation and its request id', async () => {
    const groupId = await createGroup(B, 'ap-southeast-2', [WORLD_SSH, OFFICE_SSH]);
    const doc = alert(B, 'ap-southeast-2', groupId);
    await publish(hub.sns, hub.up.topic.arn, doc);

    const run = await start();
    failLedgerWritesAfterRevoke(run, doc.data.id, groupId, 1);
    const { results } = await consumeOnce(run, hub.sqs, hub.up.queue.url);

    expect(results.map((r) => r.outcome)).toEqual(['retry', 'remediated']);
    expect(results[0]?.error).toMatchObject({ name: 'ThrottledError', retryable: true });
    const record = await run.root.ledger.get(doc.data.id, 'fail');
    expect(record).toMatchObject({ state: 'completed', outcome: 'remediated', attempts: 2 });
    expect(flattenRules(record?.revoked ?? [])).toEqual(['tcp 22-22 0.0.0.0/0']);
    expect(record?.requestIds).toHaveLength(1);
    expect(flattenRules(record?.permissionsBefore ?? [])).toEqual([
      'tcp 22-22 0.0.0.0/0',
      'tcp 22-22 10.0.0.0/8',
    ]);
    expect(await ingressRules(B, 'ap-southeast-2', groupId)).toEqual(['tcp 22-22 10.0.0.0/8']);
  });

  it('leaves a live lease of another worker alone and takes it over once it has expired', async () => {
    const groupId = await createGroup(B, 'eu-west-1', [WORLD_SSH]);
    const doc = alert(B, 'eu-west-1', groupId);
    await publish(hub.sns, hub.up.topic.arn, doc);

    const run = await start({ LEASE_SECONDS: '60' });
    // A worker claimed the alert and crashed before completing it.
    await run.root.ledger.claim({
      alertId: doc.data.id,
      eventKey: 'fail',
      alertStatus: 'fail',
      owner: 'crashed-worker',
      leaseSeconds: 60,
      now: run.clock.now(),
    });

    const messages = await receiveMessages(hub.sqs, hub.up.queue.url, 1);
    const early = await invoke(run, eventOf(messages));
    expect(early.batchItemFailures).toEqual([{ itemIdentifier: messages[0]?.MessageId }]);
    // The group is read before the claim (its write carries the checkpoint); nothing is changed.
    expect(requests(run, 'DescribeSecurityGroups')).toHaveLength(1);
    expect(requests(run, 'RevokeSecurityGroupIngress')).toEqual([]);
    expect(await run.root.ledger.get(doc.data.id, 'fail')).toMatchObject({ leaseOwner: 'crashed-worker' });
    await settle(hub.sqs, hub.up.queue.url, messages, early.batchItemFailures);

    run.clock.advanceSeconds(61);
    const { results } = await consumeOnce(run, hub.sqs, hub.up.queue.url);

    expect(results).toEqual([expect.objectContaining({ outcome: 'remediated', takenOver: true })]);
    expect(await run.root.ledger.get(doc.data.id, 'fail')).toMatchObject({
      outcome: 'remediated',
      attempts: 2,
    });
    expect(await ingressRules(B, 'eu-west-1', groupId)).toEqual([]);
  });

  it('changes nothing once its lease is about to expire: a retry, and the redelivery remediates', async () => {
    const groupId = await createGroup(B, 'us-east-1', [WORLD_SSH, OFFICE_SSH]);
    const doc = alert(B, 'us-east-1', groupId);
    await publish(hub.sns, hub.up.topic.arn, doc);

    const run = await start({ LEASE_SECONDS: '120' });
    // The attempt stalls after describing the group (a paused container): 110 of its 120 s are gone.
    let stalled = false;
    run.proxy.failNext(
      (r) => {
        if (!stalled && r.action === 'DescribeSecurityGroups' && r.params['GroupId.1'] === groupId) {
          stalled = true;
          run.clock.advanceSeconds(110);
        }
        return false;
      },
      { status: 500 },
    );
    const messages = await receiveMessages(hub.sqs, hub.up.queue.url, 1);
    const response = await invoke(run, eventOf(messages));

    expect(stalled).toBe(true);
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: messages[0]?.MessageId }]);
    expect(requests(run, 'RevokeSecurityGroupIngress')).toEqual([]);
    expect(await run.root.ledger.get(doc.data.id, 'fail')).toMatchObject({
      state: 'in-progress',
      error: { name: 'LeaseContentionError', retryable: true },
    });
    expect(await ingressRules(B, 'us-east-1', groupId)).toEqual([
      'tcp 22-22 0.0.0.0/0',
      'tcp 22-22 10.0.0.0/8',
    ]);

    await settle(hub.sqs, hub.up.queue.url, messages, response.batchItemFailures);
    const { results } = await consumeOnce(run, hub.sqs, hub.up.queue.url);
    expect(countOutcomes(results)).toEqual({ remediated: 1 });
    expect(await run.root.ledger.get(doc.data.id, 'fail')).toMatchObject({
      outcome: 'remediated',
      attempts: 2,
    });
    expect(await ingressRules(B, 'us-east-1', groupId)).toEqual(['tcp 22-22 10.0.0.0/8']);
  });

  it('narrow: stops before a re-authorization once the lease is about to expire, and the redelivery records the revocation and the re-authorizations never made', async () => {
    const { groupId, doc } = await publishWorldRangeAlert(B, 'us-west-1');

    const run = await start({ STRATEGY: 'narrow', LEASE_SECONDS: '120' });
    // The revoke takes most of the lease.
    let stalled = false;
    run.proxy.failNext(
      (r) => {
        if (!stalled && r.action === 'RevokeSecurityGroupIngress' && r.params.GroupId === groupId) {
          stalled = true;
          run.clock.advanceSeconds(110);
        }
        return false;
      },
      { status: 500 },
    );
    const { results } = await consumeOnce(run, hub.sqs, hub.up.queue.url);

    expect(results.map((r) => r.outcome)).toEqual(['retry', 'remediated']);
    expect(results[0]?.error).toMatchObject({ name: 'LeaseContentionError', retryable: true });
    expect(requests(run, 'AuthorizeSecurityGroupIngress')).toEqual([]);
    expect(await ingressRules(B, 'us-west-1', groupId)).toEqual([]);
    const record = await run.root.ledger.get(doc.data.id, 'fail');
    expect(record).toMatchObject({
      outcome: 'remediated',
      attempts: 2,
      authorized: [],
      explanation: { notes: expect.arrayContaining([{ code: 'reauthorizations-unmade', count: 2 }]) },
    });
    expect(flattenRules(record?.revoked ?? [])).toEqual(['tcp 0-65535 0.0.0.0/0']);
    expect(record?.requestIds).toHaveLength(1);
  });

  it('retries when EC2 refuses the member session (AuthFailure), and the redelivery assumes the role again and remediates', async () => {
    const groupId = await createGroup(A, 'ca-central-1', [WORLD_SSH]);
    const doc = alert(A, 'ca-central-1', groupId);
    await publish(hub.sns, hub.up.topic.arn, doc);

    const run = await start();
    run.proxy.failNext((r) => r.action === 'DescribeSecurityGroups' && r.params['GroupId.1'] === groupId, {
      status: 401,
      body: ec2Error('AuthFailure', 'AWS was not able to validate the provided access credentials'),
    });
    const { results } = await consumeOnce(run, hub.sqs, hub.up.queue.url);

    expect(results.map((r) => r.outcome)).toEqual(['retry', 'remediated']);
    expect(results[0]?.error).toMatchObject({
      name: 'TransientAwsError',
      retryable: true,
      code: 'AuthFailure',
    });
    const assumed = requests(run, 'AssumeRole');
    expect(assumed).toHaveLength(2);
    const describes = requests(run, 'DescribeSecurityGroups').filter(
      (r) => r.params['GroupId.1'] === groupId,
    );
    expect(describes[0]?.accessKeyId).not.toBe(describes[1]?.accessKeyId);
    expect(await ingressRules(A, 'ca-central-1', groupId)).toEqual([]);
  });

  it('records the plan and revokes nothing in dry-run mode', async () => {
    const groupId = await createGroup(A, 'eu-west-1', [WORLD_SSH, OFFICE_SSH]);
    const doc = alert(A, 'eu-west-1', groupId);
    await publish(hub.sns, hub.up.topic.arn, doc);

    const run = await start({ REMEDIATION_MODE: 'dry-run' });
    const { results } = await consumeOnce(run, hub.sqs, hub.up.queue.url);

    expect(countOutcomes(results)).toEqual({ 'dry-run': 1 });
    expect(requests(run, 'RevokeSecurityGroupIngress')).toEqual([]);
    const record = await run.root.ledger.get(doc.data.id, 'fail');
    expect(record).toMatchObject({ outcome: 'dry-run', mode: 'dry-run', decision: 'remediate', revoked: [] });
    expect(flattenRules(record?.plan?.revoke ?? [])).toEqual(['tcp 22-22 0.0.0.0/0']);
    expect(flattenRules(record?.permissionsAfter ?? [])).toEqual(
      flattenRules(record?.permissionsBefore ?? []),
    );
    expect(await ingressRules(A, 'eu-west-1', groupId)).toEqual([
      'tcp 22-22 0.0.0.0/0',
      'tcp 22-22 10.0.0.0/8',
    ]);
  });

  it('plans only for the accounts in DRY_RUN_ACCOUNTS and remediates the others', async () => {
    const inA = await createGroup(A, 'us-east-1', [WORLD_SSH]);
    const inB = await createGroup(B, 'us-east-1', [WORLD_SSH]);
    const docA = alert(A, 'us-east-1', inA);
    const docB = alert(B, 'us-east-1', inB);
    await publish(hub.sns, hub.up.topic.arn, docA);
    await publish(hub.sns, hub.up.topic.arn, docB);

    const run = await start({ DRY_RUN_ACCOUNTS: B });
    await consumeOnce(run, hub.sqs, hub.up.queue.url);

    expect((await run.root.ledger.get(docA.data.id, 'fail'))?.outcome).toBe('remediated');
    expect(await run.root.ledger.get(docB.data.id, 'fail')).toMatchObject({
      outcome: 'dry-run',
      mode: 'dry-run',
    });
    expect(await ingressRules(A, 'us-east-1', inA)).toEqual([]);
    expect(await ingressRules(B, 'us-east-1', inB)).toEqual(['tcp 22-22 0.0.0.0/0']);
  });

  it('narrows a world-open port range to everything but the alert’s port with strategy narrow', async () => {
    const { groupId, doc } = await publishWorldRangeAlert(A, 'us-west-2');

    const run = await start({ STRATEGY: 'narrow' });
    const { results } = await consumeOnce(run, hub.sqs, hub.up.queue.url);

    expect(countOutcomes(results)).toEqual({ remediated: 1 });
    expect(await ingressRules(A, 'us-west-2', groupId)).toEqual([
      'tcp 0-21 0.0.0.0/0',
      'tcp 23-65535 0.0.0.0/0',
    ]);
    const record = await run.root.ledger.get(doc.data.id, 'fail');
    expect(flattenRules(record?.revoked ?? [])).toEqual(['tcp 0-65535 0.0.0.0/0']);
    expect(flattenRules(record?.authorized ?? [])).toEqual(['tcp 0-21 0.0.0.0/0', 'tcp 23-65535 0.0.0.0/0']);
    expect(flattenRules(record?.permissionsAfter ?? [])).toEqual([
      'tcp 0-21 0.0.0.0/0',
      'tcp 23-65535 0.0.0.0/0',
    ]);
    expect(record?.requestIds).toHaveLength(3);
  });

  it.each([
    // The member role deployed without ec2:AuthorizeSecurityGroupIngress: the first re-authorization fails.
    ['UnauthorizedOperation', 403, 1, 'AccessDeniedError', [] as string[]],
    // The group is full: the second re-authorization fails.
    ['RulesPerSecurityGroupLimitExceeded', 400, 2, 'UnexpectedAwsError', ['tcp 0-21 0.0.0.0/0']],
  ])(
    'narrow: records remediated when a re-authorization fails with %s after the revoke, exposure closed and the error kept',
    async (code, status, failing, errorName, left) => {
      const { groupId, doc } = await publishWorldRangeAlert(A, 'ap-south-1');

      const run = await start({ STRATEGY: 'narrow' });
      let authorizations = 0;
      run.proxy.failNext(
        (r) =>
          r.action === 'AuthorizeSecurityGroupIngress' &&
          r.params.GroupId === groupId &&
          ++authorizations === failing,
        { status, body: ec2Error(code, 'The request was refused.') },
      );
      const { results } = await consumeOnce(run, hub.sqs, hub.up.queue.url);

      expect(countOutcomes(results)).toEqual({ remediated: 1 });
      expect(await ingressRules(A, 'ap-south-1', groupId)).toEqual(left);
      const record = await run.root.ledger.get(doc.data.id, 'fail');
      expect(record).toMatchObject({
        state: 'completed',
        outcome: 'remediated',
        error: { name: errorName, code, retryable: false },
        explanation: {
          reason: { code: 'narrow' },
          notes: [expect.objectContaining({ code: 'reauthorization-failed', retriesExhausted: false })],
        },
      });
      expect(flattenRules(record?.revoked ?? [])).toEqual(['tcp 0-65535 0.0.0.0/0']);
      expect(flattenRules(record?.authorized ?? [])).toEqual(left);
      expect(flattenRules(record?.permissionsAfter ?? [])).toEqual(left);
      // Only the first failure is tried: the rest of the range is not authorized after it.
      expect(requests(run, 'AuthorizeSecurityGroupIngress')).toHaveLength(failing);
    },
  );

  it('narrow: tries a re-authorization again after a retryable error (RequestLimitExceeded), and the range is narrowed as planned', async () => {
    const { groupId, doc } = await publishWorldRangeAlert(A, 'eu-north-1');

    // AWS_MAX_ATTEMPTS is 1 in these runs: the first failure is what the hub sees after the SDK's retries.
    const run = await start({ STRATEGY: 'narrow' });
    let authorizations = 0;
    run.proxy.failNext(
      (r) =>
        r.action === 'AuthorizeSecurityGroupIngress' &&
        r.params.GroupId === groupId &&
        ++authorizations === 1,
      { status: 503, body: ec2Error('RequestLimitExceeded', 'Request limit exceeded.') },
    );
    const { results } = await consumeOnce(run, hub.sqs, hub.up.queue.url);

    expect(countOutcomes(results)).toEqual({ remediated: 1 });
    expect(await ingressRules(A, 'eu-north-1', groupId)).toEqual([
      'tcp 0-21 0.0.0.0/0',
      'tcp 23-65535 0.0.0.0/0',
    ]);
    const record = await run.root.ledger.get(doc.data.id, 'fail');
    expect(record).toMatchObject({ state: 'completed', outcome: 'remediated' });
    expect(record?.error).toBeUndefined();
    expect(record?.explanation?.notes.map((note) => note.code)).not.toContain('reauthorization-failed');
    expect(flattenRules(record?.revoked ?? [])).toEqual(['tcp 0-65535 0.0.0.0/0']);
    expect(flattenRules(record?.authorized ?? [])).toEqual(['tcp 0-21 0.0.0.0/0', 'tcp 23-65535 0.0.0.0/0']);
    expect(record?.requestIds).toHaveLength(3);
    // The failed try and the one after it, then the second part.
    expect(requests(run, 'AuthorizeSecurityGroupIngress')).toHaveLength(3);
  });

  it('narrow: records remediated with the error when a re-authorization still fails with a retryable error after its retries', async () => {
    const { groupId, doc } = await publishWorldRangeAlert(A, 'eu-west-3');

    const run = await start({ STRATEGY: 'narrow' });
    run.proxy.failNext(
      (r) => r.action === 'AuthorizeSecurityGroupIngress' && r.params.GroupId === groupId,
      { status: 503, body: ec2Error('RequestLimitExceeded', 'Request limit exceeded.') },
      10,
    );
    const { results } = await consumeOnce(run, hub.sqs, hub.up.queue.url);

    expect(countOutcomes(results)).toEqual({ remediated: 1 });
    expect(await ingressRules(A, 'eu-west-3', groupId)).toEqual([]);
    const record = await run.root.ledger.get(doc.data.id, 'fail');
    expect(record).toMatchObject({
      state: 'completed',
      outcome: 'remediated',
      error: { code: 'RequestLimitExceeded', retryable: true },
      explanation: {
        notes: [
          expect.objectContaining({
            code: 'reauthorization-failed',
            rules: 2,
            retriesExhausted: true,
            retries: 3,
          }),
        ],
      },
    });
    expect(flattenRules(record?.revoked ?? [])).toEqual(['tcp 0-65535 0.0.0.0/0']);
    expect(record?.authorized).toEqual([]);
    // One try and three retries of the first part; the second is not tried after it.
    expect(requests(run, 'AuthorizeSecurityGroupIngress')).toHaveLength(4);
  });

  it('leaves a group tagged exempt alone, and records unsupported for an unknown signature', async () => {
    const exempt = await createGroup(B, 'eu-west-1', [WORLD_SSH], { 'remediation-hub:exempt': 'true' });
    const open = await createGroup(B, 'eu-west-1', [WORLD_SSH]);
    const exemptDoc = alert(B, 'eu-west-1', exempt);
    const unknownDoc = alert(B, 'eu-west-1', open, 'AWS:EC2-999');
    await publish(hub.sns, hub.up.topic.arn, exemptDoc);
    await publish(hub.sns, hub.up.topic.arn, unknownDoc);

    const run = await start();
    const { results } = await consumeOnce(run, hub.sqs, hub.up.queue.url);

    expect(countOutcomes(results)).toEqual({ exempt: 1, unsupported: 1 });
    expect(requests(run, 'RevokeSecurityGroupIngress')).toEqual([]);
    expect(await ingressRules(B, 'eu-west-1', exempt)).toEqual(['tcp 22-22 0.0.0.0/0']);
    expect(await ingressRules(B, 'eu-west-1', open)).toEqual(['tcp 22-22 0.0.0.0/0']);
  });

  it('logs each alert on a child logger with trusted fields only, and never the member credentials', async () => {
    const groupId = await createGroup(A, 'eu-central-1', [WORLD_SSH]);
    const doc = alert(A, 'eu-central-1', groupId);
    doc.data.attributes.untrusted_note = 'INJECTED-VALUE';
    await publish(hub.sns, hub.up.topic.arn, doc);

    const run = await start({ LOG_LEVEL: 'debug' });
    await consumeOnce(run, hub.sqs, hub.up.queue.url);

    const { credentials } = await run.root.credentials.forAccount(A);
    const text = run.log.text();
    expect(text).not.toContain(credentials.secretAccessKey);
    expect(text).not.toContain(credentials.sessionToken);
    expect(text).not.toContain('INJECTED-VALUE');
    const line = run.log.lines.find((l) => l.msg === 'alert processed');
    expect(line).toMatchObject({
      alertId: doc.data.id,
      accountId: A,
      region: 'eu-central-1',
      groupId,
      outcome: 'remediated',
      revoked: 1,
    });
  });
});
