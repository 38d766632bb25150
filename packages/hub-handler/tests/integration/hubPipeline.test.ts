import {
  DeleteSecurityGroupCommand,
  type IpPermission,
  RevokeSecurityGroupIngressCommand,
} from '@aws-sdk/client-ec2';
import {
  awsQueryError,
  createGroup,
  ec2Error,
  eventOf,
  ingressRules,
  makeAlert,
  memberEc2,
  OFFICE_SSH,
  publish,
  queueDepth,
  receiveMessages,
  settle,
  snsEnvelope,
  uniqueName,
  WORLD_HTTPS,
  WORLD_SSH,
} from '@remediation-hub/testkit';
import { describe, expect, it } from 'vitest';
import type { AlertResult } from '../../src/handler/processAlert.js';
import { countOutcomes } from '../../src/handler/processBatch.js';
import { consumeOnce, invoke, requestsOf, useTestHub } from '../support/testHub.js';

// Accounts 333333333350-359 belong to this file. 359 is never on the allow-list.
const A = '333333333350';
const B = '333333333351';
const C = '333333333352';
const NOT_ALLOWED = '333333333359';

/** A DescribeSecurityGroups answer for one group with these (single-CIDR IPv4) ingress permissions. */
function describeResponse(ownerId: string, groupId: string, permissions: IpPermission[]): string {
  const items = permissions
    .map(
      (p) =>
        `<item><ipProtocol>${p.IpProtocol}</ipProtocol><fromPort>${p.FromPort}</fromPort><toPort>${p.ToPort}</toPort><groups/><ipRanges>${(p.IpRanges ?? []).map((r) => `<item><cidrIp>${r.CidrIp}</cidrIp></item>`).join('')}</ipRanges><ipv6Ranges/><prefixListIds/></item>`,
    )
    .join('');
  return `<?xml version="1.0" encoding="UTF-8"?>
<DescribeSecurityGroupsResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/"><requestId>5c0e6f59-0000-4000-8000-000000000001</requestId><securityGroupInfo><item><ownerId>${ownerId}</ownerId><groupId>${groupId}</groupId><groupName>stale</groupName><groupDescription>as described before the change</groupDescription><ipPermissions>${items}</ipPermissions><ipPermissionsEgress/></item></securityGroupInfo></DescribeSecurityGroupsResponse>`;
}

/**
 * The hub's real path: alerts published to the SNS topic, delivered (raw) to the SQS queue, polled by
 * the consumer, handed to the Lambda handler, remediated in member accounts with AssumeRole credentials.
 */
describe('hub pipeline: SNS → SQS → handler → member accounts', () => {
  const hub = useTestHub('pipeline', [A, B, C]);
  const start = (env: Record<string, string> = {}) => hub.start(env);
  const alert = (
    accountId: string,
    region: string,
    groupId: string,
    extra: Partial<Parameters<typeof makeAlert>[0]> = {},
  ) => makeAlert({ id: uniqueName('alert'), accountId, region, groupId, ...extra });
  const requests = requestsOf;
  const expectDrained = async () => {
    expect(await queueDepth(hub.sqs, hub.up.queue.url)).toEqual({ visible: 0, inFlight: 0 });
    expect(await queueDepth(hub.sqs, hub.up.deadLetterQueue.url)).toEqual({ visible: 0, inFlight: 0 });
  };

  it('remediates alerts for three accounts in two regions: each group loses exactly its world rule', async () => {
    const groups = {
      aEast: await createGroup(A, 'us-east-1', [
        { ...WORLD_SSH, IpRanges: [{ CidrIp: '0.0.0.0/0' }, { CidrIp: '10.0.0.0/8' }] },
        WORLD_HTTPS,
      ]),
      aWest: await createGroup(A, 'eu-west-1', [WORLD_SSH]),
      bWest: await createGroup(B, 'eu-west-1', [WORLD_SSH, { ...OFFICE_SSH, FromPort: 2222, ToPort: 2222 }]),
      cEast: await createGroup(C, 'us-east-1', [
        { ...WORLD_SSH, Ipv6Ranges: [{ CidrIpv6: '::/0' }] },
        { IpProtocol: 'tcp', FromPort: 5432, ToPort: 5432, IpRanges: [{ CidrIp: '172.16.0.0/12' }] },
      ]),
    };
    const docs = [
      alert(A, 'us-east-1', groups.aEast),
      alert(A, 'eu-west-1', groups.aWest),
      alert(B, 'eu-west-1', groups.bWest),
      alert(C, 'us-east-1', groups.cEast),
    ];
    await publish(hub.sns, hub.up.topic.arn, docs[0] ?? {});
    // Evident's SNS integration without raw delivery: the document arrives inside an envelope.
    await publish(hub.sns, hub.up.topic.arn, JSON.stringify(snsEnvelope(docs[1] ?? {})));
    await publish(hub.sns, hub.up.topic.arn, docs[2] ?? {});
    await publish(hub.sns, hub.up.topic.arn, docs[3] ?? {});

    const run = await start();
    const { results } = await consumeOnce(run, hub.sqs, hub.up.queue.url);

    expect(countOutcomes(results)).toEqual({ remediated: 4 });
    expect(await ingressRules(A, 'us-east-1', groups.aEast)).toEqual([
      'tcp 22-22 10.0.0.0/8',
      'tcp 443-443 0.0.0.0/0',
    ]);
    expect(await ingressRules(A, 'eu-west-1', groups.aWest)).toEqual([]);
    expect(await ingressRules(B, 'eu-west-1', groups.bWest)).toEqual(['tcp 2222-2222 10.0.0.0/8']);
    expect(await ingressRules(C, 'us-east-1', groups.cEast)).toEqual(['tcp 5432-5432 172.16.0.0/12']);
    await expectDrained();

    // One AssumeRole per distinct account for the whole run, each with the configured ExternalId.
    const assumed = requests(run, 'AssumeRole').map((r) => r.params);
    expect(assumed.map((p) => p.RoleArn).sort()).toEqual(
      [A, B, C].map((account) => `arn:aws:iam::${account}:role/remediation-hub/RemediationHubMemberRole`),
    );
    for (const params of assumed) {
      expect(params).toMatchObject({ ExternalId: hub.up.externalId, RoleSessionName: 'remediation-hub' });
    }

    // The audit record of one of them.
    const record = await run.root.ledger.get(docs[3]?.data.id, 'fail');
    expect(record).toMatchObject({
      state: 'completed',
      outcome: 'remediated',
      accountId: C,
      region: 'us-east-1',
      resourceId: groups.cEast,
      signature: { identifier: 'AWS:EC2-002' },
      mode: 'remediate',
      strategy: 'revoke',
      decision: 'remediate',
      roleArn: `arn:aws:iam::${C}:role/remediation-hub/RemediationHubMemberRole`,
      attempts: 1,
    });
    expect(record?.revoked).toHaveLength(2);
    expect(record?.authorized).toEqual([]);
    expect(record?.requestIds).toHaveLength(2);
    expect(record?.permissionsBefore).toHaveLength(2);
    expect(record?.permissionsAfter).toEqual([
      expect.objectContaining({
        FromPort: 5432,
        IpRanges: [expect.objectContaining({ CidrIp: '172.16.0.0/12' })],
      }),
    ]);
    expect(record?.timings.completedAt).toEqual(expect.any(String));
    expect(record?.timings.durationMs).toBeGreaterThanOrEqual(0);
    expect(record?.error).toBeUndefined();
  });

  // moto checks a DynamoDB condition and then writes, with no lock between the two (DynamoDB itself is
  // atomic), so under a loaded machine two racing claims can both pass on the emulator. A real double
  // claim would fail every attempt; `retry` only absorbs the emulator's rare race.
  it('revokes once for an alert delivered five times, some at the same moment: one remediated, four duplicates', {
    retry: 2,
  }, async () => {
    const groupId = await createGroup(A, 'us-east-1', [WORLD_SSH, OFFICE_SSH]);
    const doc = alert(A, 'us-east-1', groupId);
    for (let i = 0; i < 5; i++) await publish(hub.sns, hub.up.topic.arn, doc);

    // Two Lambda containers; three invocations at once, as SQS hands out batches.
    const x = await start();
    const y = await start();
    const messages = await receiveMessages(hub.sqs, hub.up.queue.url, 5);
    const batches = [messages.slice(0, 2), messages.slice(2, 3), messages.slice(3)];
    const responses = await Promise.all([
      invoke(x, eventOf(batches[0] ?? [])),
      invoke(y, eventOf(batches[1] ?? [])),
      invoke(x, eventOf(batches[2] ?? [])),
    ]);
    for (const [i, response] of responses.entries()) {
      await settle(hub.sqs, hub.up.queue.url, batches[i] ?? [], response.batchItemFailures);
    }
    // Deliveries that met the other worker's lease come back, and are duplicates by then.
    await consumeOnce(x, hub.sqs, hub.up.queue.url);
    await expectDrained();

    const revokes = [
      ...requests(x, 'RevokeSecurityGroupIngress'),
      ...requests(y, 'RevokeSecurityGroupIngress'),
    ];
    expect(revokes).toHaveLength(1);
    const record = await x.root.ledger.get(doc.data.id, 'fail');
    expect(record).toMatchObject({ outcome: 'remediated', duplicateDeliveries: 4, attempts: 1 });
    expect(await x.root.ledger.listByAlert(doc.data.id)).toHaveLength(1);
    expect(await ingressRules(A, 'us-east-1', groupId)).toEqual(['tcp 22-22 10.0.0.0/8']);
  });

  it('rejects an alert for an account off the allow-list, and one whose external_accounts.arn names another account, without any AssumeRole', async () => {
    const offList = alert(NOT_ALLOWED, 'us-east-1', 'sg-0123456789abcdef0');
    const groupId = await createGroup(A, 'us-east-1', [WORLD_SSH]);
    const mismatch = alert(A, 'us-east-1', groupId, {
      externalAccountArn: `arn:aws:iam::${B}:role/Evident-Service-Role`,
    });
    await publish(hub.sns, hub.up.topic.arn, offList);
    await publish(hub.sns, hub.up.topic.arn, mismatch);

    const run = await start();
    const { results } = await consumeOnce(run, hub.sqs, hub.up.queue.url);

    expect(countOutcomes(results)).toEqual({ rejected: 2 });
    expect(requests(run, 'AssumeRole')).toEqual([]);
    expect(run.proxy.requests.filter((r) => r.service === 'ec2')).toEqual([]);
    expect(await run.root.ledger.get(offList.data.id, 'fail')).toMatchObject({
      outcome: 'rejected',
      accountId: NOT_ALLOWED,
      explanation: { reason: { code: 'account-not-allowed', accountId: NOT_ALLOWED }, notes: [] },
      reason: `account ${NOT_ALLOWED} is not on the hub's allow-list`,
      error: { name: 'AccountNotAllowedError', retryable: false },
    });
    expect(await run.root.ledger.get(mismatch.data.id, 'fail')).toMatchObject({
      outcome: 'rejected',
      explanation: {
        reason: {
          code: 'account-mismatch',
          accountId: A,
          field: 'included[external_accounts].attributes.arn',
          otherAccountId: B,
        },
      },
      reason: expect.stringContaining(`external_accounts].attributes.arn names ${B}`),
    });
    expect(await ingressRules(A, 'us-east-1', groupId)).toEqual(['tcp 22-22 0.0.0.0/0']);
    await expectDrained();
  });

  it('records failed, terminally, when the member role is missing or refuses the hub (AccessDenied), and consumes the message', async () => {
    const groupId = await createGroup(B, 'us-east-1', [WORLD_SSH]);
    const doc = alert(B, 'us-east-1', groupId);
    await publish(hub.sns, hub.up.topic.arn, doc);

    const run = await start();
    // moto lets AssumeRole into any role, even a missing one; AWS answers AccessDenied for both cases.
    run.proxy.failNext(
      { action: 'AssumeRole' },
      {
        status: 403,
        body: awsQueryError(
          'AccessDenied',
          `User: arn:aws:sts::123456789012:assumed-role/hub/x is not authorized to perform: sts:AssumeRole on resource: arn:aws:iam::${B}:role/remediation-hub/RemediationHubMemberRole`,
        ),
      },
    );
    const { results, summary } = await consumeOnce(run, hub.sqs, hub.up.queue.url);

    expect(countOutcomes(results)).toEqual({ failed: 1 });
    expect(summary).toMatchObject({ received: 1, deleted: 1, returned: 0 });
    await expectDrained();
    expect(await run.root.ledger.get(doc.data.id, 'fail')).toMatchObject({
      state: 'completed',
      outcome: 'failed',
      error: { name: 'AccessDeniedError', retryable: false, code: 'AccessDenied' },
    });
    expect(await ingressRules(B, 'us-east-1', groupId)).toEqual(['tcp 22-22 0.0.0.0/0']);
  });

  it('records resource-gone for a group deleted before the alert is processed', async () => {
    const groupId = await createGroup(C, 'eu-west-1', [WORLD_SSH]);
    const ec2 = await memberEc2(C, 'eu-west-1');
    await ec2.send(new DeleteSecurityGroupCommand({ GroupId: groupId }));
    ec2.destroy();
    const doc = alert(C, 'eu-west-1', groupId);
    await publish(hub.sns, hub.up.topic.arn, doc);

    const run = await start();
    const { results } = await consumeOnce(run, hub.sqs, hub.up.queue.url);

    expect(countOutcomes(results)).toEqual({ 'resource-gone': 1 });
    expect(await run.root.ledger.get(doc.data.id, 'fail')).toMatchObject({
      outcome: 'resource-gone',
      error: { name: 'ResourceGoneError', retryable: false },
    });
    await expectDrained();
  });

  it('records already-compliant when the world rule is already gone, and when it disappears between describe and revoke', async () => {
    const closed = await createGroup(A, 'eu-west-1', [OFFICE_SSH]);
    const racing = await createGroup(B, 'eu-west-1', [WORLD_SSH]);
    const closedDoc = alert(A, 'eu-west-1', closed);
    const racingDoc = alert(B, 'eu-west-1', racing);
    await publish(hub.sns, hub.up.topic.arn, closedDoc);
    await publish(hub.sns, hub.up.topic.arn, racingDoc);

    const run = await start();
    // Someone else removes the rule right after the hub described the group: the hub's describe answers with
    // the group as it was, and its revoke finds the rule gone (InvalidPermission.NotFound).
    const ec2 = await memberEc2(B, 'eu-west-1');
    await ec2.send(new RevokeSecurityGroupIngressCommand({ GroupId: racing, IpPermissions: [WORLD_SSH] }));
    ec2.destroy();
    run.proxy.failNext((r) => r.action === 'DescribeSecurityGroups' && r.params['GroupId.1'] === racing, {
      status: 200,
      body: describeResponse(B, racing, [WORLD_SSH]),
    });
    const { results } = await consumeOnce(run, hub.sqs, hub.up.queue.url);

    expect(countOutcomes(results)).toEqual({ 'already-compliant': 2 });
    expect(requests(run, 'RevokeSecurityGroupIngress')).toHaveLength(1);
    // The group was read again before the hub concluded.
    expect(
      requests(run, 'DescribeSecurityGroups').filter((r) => r.params['GroupId.1'] === racing),
    ).toHaveLength(2);
    expect(await run.root.ledger.get(closedDoc.data.id, 'fail')).toMatchObject({
      outcome: 'already-compliant',
      decision: 'compliant',
      revoked: [],
    });
    expect(await run.root.ledger.get(racingDoc.data.id, 'fail')).toMatchObject({
      outcome: 'already-compliant',
      decision: 'remediate',
      revoked: [],
      permissionsAfter: [],
      explanation: {
        reason: { code: 'already-closed', check: { code: 'compliant' } },
        notes: [{ code: 'concurrent-change', alreadyGone: 1, alreadyThere: 0, notAuthorized: 0 }],
      },
    });
    await expectDrained();
  });

  it('retries when a revoke reports the rule gone but the group read again still has it, and remediates on redelivery', async () => {
    const groupId = await createGroup(C, 'eu-west-1', [WORLD_SSH, OFFICE_SSH]);
    const doc = alert(C, 'eu-west-1', groupId);
    await publish(hub.sns, hub.up.topic.arn, doc);

    const run = await start();
    run.proxy.failNext((r) => r.action === 'RevokeSecurityGroupIngress' && r.params.GroupId === groupId, {
      status: 400,
      body: ec2Error(
        'InvalidPermission.NotFound',
        'The specified rule does not exist in this security group.',
      ),
    });
    const { results } = await consumeOnce(run, hub.sqs, hub.up.queue.url);

    expect(results.map((r) => r.outcome)).toEqual(['retry', 'remediated']);
    expect(results[0]?.error).toMatchObject({
      name: 'ConcurrentChangeError',
      retryable: true,
      message: expect.stringContaining('a concurrent change was detected'),
    });
    expect(await run.root.ledger.get(doc.data.id, 'fail')).toMatchObject({
      outcome: 'remediated',
      attempts: 2,
      revoked: [WORLD_SSH],
    });
    expect(await ingressRules(C, 'eu-west-1', groupId)).toEqual(['tcp 22-22 10.0.0.0/8']);
    await expectDrained();
  });

  it('ignores a pass alert without assuming any role', async () => {
    const groupId = await createGroup(C, 'us-east-1', [WORLD_SSH]);
    const doc = alert(C, 'us-east-1', groupId, { status: 'pass' });
    await publish(hub.sns, hub.up.topic.arn, doc);

    const run = await start();
    const { results } = await consumeOnce(run, hub.sqs, hub.up.queue.url);

    expect(countOutcomes(results)).toEqual({ ignored: 1 });
    expect(requests(run, 'AssumeRole')).toEqual([]);
    expect(await run.root.ledger.get(doc.data.id, 'pass')).toMatchObject({
      outcome: 'ignored',
      decision: 'ignored',
    });
    expect(await ingressRules(C, 'us-east-1', groupId)).toEqual(['tcp 22-22 0.0.0.0/0']);
    await expectDrained();
  });

  it('rejects malformed messages, consumes them, and still processes the other alerts of the batch', async () => {
    const groupId = await createGroup(A, 'us-east-1', [WORLD_SSH]);
    const good = alert(A, 'us-east-1', groupId);
    const badAccount = alert(A, 'us-east-1', groupId);
    badAccount.included.find((e: { type: string }) => e.type === 'external_accounts').attributes.account =
      '12345';
    await publish(hub.sns, hub.up.topic.arn, '{"data": {"id": ');
    await publish(hub.sns, hub.up.topic.arn, good);
    await publish(hub.sns, hub.up.topic.arn, badAccount);

    const run = await start();
    const { results, summary } = await consumeOnce(run, hub.sqs, hub.up.queue.url);

    expect(summary.batches).toBe(1);
    expect(countOutcomes(results)).toEqual({ rejected: 2, remediated: 1 });
    const notJson = results.find((r) => r.alertId?.startsWith('unparsed:')) as AlertResult;
    expect(notJson.alertId).toBe(`unparsed:${notJson.messageId}`);
    expect(await run.root.ledger.get(notJson.alertId ?? '', 'unknown')).toMatchObject({
      outcome: 'rejected',
      error: { name: 'MalformedAlertError', retryable: false },
    });
    // An id that can still be read keys the rejection like any notification.
    expect(await run.root.ledger.get(badAccount.data.id, 'fail')).toMatchObject({
      outcome: 'rejected',
      reason: expect.stringContaining('included[external_accounts].attributes.account'),
    });
    expect(await ingressRules(A, 'us-east-1', groupId)).toEqual([]);
    await expectDrained();
  });
});
