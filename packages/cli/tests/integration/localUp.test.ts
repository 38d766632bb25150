import { DescribeTableCommand } from '@aws-sdk/client-dynamodb';
import { DescribeRuleCommand, ListTargetsByRuleCommand } from '@aws-sdk/client-eventbridge';
import { GetRoleCommand, GetRolePolicyCommand } from '@aws-sdk/client-iam';
import { GetSubscriptionAttributesCommand, ListSubscriptionsByTopicCommand } from '@aws-sdk/client-sns';
import { GetQueueAttributesCommand } from '@aws-sdk/client-sqs';
import { envelopePattern, LEDGER_TABLE, securityHubEventPattern } from '@remediation-hub/core';
import {
  accountClients,
  emulatorEndpoint,
  HUB_ACCOUNT_ID,
  hubClients,
  hubEvents,
  type LocalUpResult,
  localUp,
  makeAlert,
  publish,
  receiveMessages,
  uniqueName,
} from '@remediation-hub/testkit';
import { beforeAll, describe, expect, it } from 'vitest';

// Accounts 333333333370-379 belong to this file.
const A = '333333333370';
const B = '333333333371';
/** For hubs of their own (a member role is per account: re-creating it changes its external id). */
const C = '333333333372';

const hubCredentials = { accessKeyId: 'testing', secretAccessKey: 'testing' };

describe('localUp', () => {
  const prefix = `${uniqueName('up')}-`;
  const run = (options: Partial<Parameters<typeof localUp>[0]> = {}) =>
    localUp({
      accounts: [A, B],
      endpoint: emulatorEndpoint(),
      credentials: hubCredentials,
      prefix,
      visibilityTimeoutSeconds: 7,
      maxReceiveCount: 4,
      env: {},
      ...options,
    });
  let first: LocalUpResult;
  beforeAll(async () => {
    first = await run();
  });

  it('creates the hub in the hub account and prints what consume needs', async () => {
    expect(first).toMatchObject({
      hubAccountId: HUB_ACCOUNT_ID,
      region: 'us-east-1',
      topic: {
        name: `${prefix}remediation-hub-alerts`,
        arn: `arn:aws:sns:us-east-1:${HUB_ACCOUNT_ID}:${prefix}remediation-hub-alerts`,
      },
      queue: { name: `${prefix}remediation-hub-alerts`, visibilityTimeoutSeconds: 7 },
      deadLetterQueue: { name: `${prefix}remediation-hub-alerts-dlq`, maxReceiveCount: 4 },
      outcomeTopic: {
        name: `${prefix}remediation-hub-outcomes`,
        arn: `arn:aws:sns:us-east-1:${HUB_ACCOUNT_ID}:${prefix}remediation-hub-outcomes`,
      },
      ledgerTable: { name: `${prefix}remediation-hub-ledger` },
      pacingTable: { name: `${prefix}remediation-hub-pacing` },
      externalIdSource: 'generated',
    });
    expect(first.externalId).toMatch(/^[0-9a-f-]{36}$/);
    expect(first.env).toEqual({
      AWS_ENDPOINT_URL: emulatorEndpoint(),
      AWS_REGION: 'us-east-1',
      LEDGER_TABLE: `${prefix}remediation-hub-ledger`,
      MEMBER_ROLE_NAME: 'RemediationHubMemberRole',
      MEMBER_ROLE_PATH: '/remediation-hub/',
      MEMBER_EXTERNAL_ID: first.externalId,
      ALLOWED_ACCOUNTS: `${A},${B}`,
      REMEDIATION_MODE: 'remediate',
      STRATEGY: 'revoke',
      EXEMPT_TAG_KEY: 'remediation-hub:exempt',
      LEASE_SECONDS: '120',
      DEAD_LETTER_QUEUE_URL: first.deadLetterQueue.url,
      SECURITY_HUB_WRITE_BACK: 'off',
      OUTCOME_TOPIC_ARN: first.outcomeTopic?.arn,
      // Containers throttled in one account and region share one schedule there, as the stack's do.
      PACING_TABLE: `${prefix}remediation-hub-pacing`,
      QUEUE_URL: first.queue.url,
      TOPIC_ARN: first.topic.arn,
    });

    const hub = hubClients();
    const { Attributes: queue } = await hub.sqs.send(
      new GetQueueAttributesCommand({ QueueUrl: first.queue.url, AttributeNames: ['All'] }),
    );
    expect(queue?.VisibilityTimeout).toBe('7');
    expect(JSON.parse(queue?.RedrivePolicy ?? '{}')).toEqual({
      deadLetterTargetArn: first.deadLetterQueue.arn,
      maxReceiveCount: 4,
    });
    expect(JSON.parse(queue?.Policy ?? '{}').Statement).toEqual([
      expect.objectContaining({
        Principal: { Service: 'sns.amazonaws.com' },
        Action: 'sqs:SendMessage',
        Resource: first.queue.arn,
        Condition: { ArnEquals: { 'aws:SourceArn': first.topic.arn } },
      }),
      expect.objectContaining({
        Principal: { Service: 'events.amazonaws.com' },
        Action: 'sqs:SendMessage',
        Resource: first.queue.arn,
        Condition: { ArnEquals: { 'aws:SourceArn': first.securityHubRule.arn } },
      }),
    ]);
    // The stack's Security Hub rule, its pattern cut to what the emulator can match, targeting the queue.
    const events = hubEvents();
    const rule = await events.send(new DescribeRuleCommand({ Name: first.securityHubRule.name }));
    expect(rule).toMatchObject({ Arn: first.securityHubRule.arn, State: 'ENABLED' });
    expect(JSON.parse(rule.EventPattern ?? '{}')).toEqual(envelopePattern(securityHubEventPattern()));
    const { Targets } = await events.send(new ListTargetsByRuleCommand({ Rule: first.securityHubRule.name }));
    expect(Targets).toEqual([expect.objectContaining({ Arn: first.queue.arn })]);
    events.destroy();
    const { Attributes: subscription } = await hub.sns.send(
      new GetSubscriptionAttributesCommand({ SubscriptionArn: first.subscriptionArn }),
    );
    expect(subscription).toMatchObject({
      Endpoint: first.queue.arn,
      Protocol: 'sqs',
      RawMessageDelivery: 'true',
    });
    const { Table } = await hub.dynamodb.send(
      new DescribeTableCommand({ TableName: first.ledgerTable.name }),
    );
    expect(Table?.GlobalSecondaryIndexes?.map((i) => i.IndexName).sort()).toEqual(
      LEDGER_TABLE.globalSecondaryIndexes.map((i) => i.indexName).sort(),
    );
  });

  it('holds a received message longer than a claim’s lease by default, and dead-letters after ten receives', async () => {
    // A consumer that dies holding a claim: its message comes back after the lease has expired, and is taken
    // over, instead of meeting a live lease until it lands in the dead-letter queue.
    const defaults = await localUp({
      accounts: [C],
      endpoint: emulatorEndpoint(),
      credentials: hubCredentials,
      prefix: `${uniqueName('defaults')}-`,
      env: {},
    });
    expect(defaults.queue.visibilityTimeoutSeconds).toBeGreaterThan(Number(defaults.env.LEASE_SECONDS));
    expect(defaults.queue.visibilityTimeoutSeconds).toBe(180);
    expect(defaults.deadLetterQueue.maxReceiveCount).toBe(10);
    const shortLease = await localUp({
      accounts: [C],
      endpoint: emulatorEndpoint(),
      credentials: hubCredentials,
      prefix: `${uniqueName('short')}-`,
      env: {},
      leaseSeconds: 30,
    });
    expect(shortLease.env.LEASE_SECONDS).toBe('30');
    expect(shortLease.queue.visibilityTimeoutSeconds).toBe(90);
  });

  it('creates the member role in each account: trusted by the hub with the external id, least privilege', async () => {
    for (const accountId of [A, B]) {
      const { iam } = await accountClients(accountId);
      const { Role } = await iam.send(new GetRoleCommand({ RoleName: 'RemediationHubMemberRole' }));
      expect(Role?.Arn).toBe(`arn:aws:iam::${accountId}:role/remediation-hub/RemediationHubMemberRole`);
      expect(Role?.Path).toBe('/remediation-hub/');
      const trust = JSON.parse(decodeURIComponent(Role?.AssumeRolePolicyDocument ?? '{}'));
      expect(trust.Statement).toEqual([
        expect.objectContaining({
          Effect: 'Allow',
          Principal: { AWS: `arn:aws:iam::${HUB_ACCOUNT_ID}:root` },
          Action: 'sts:AssumeRole',
          Condition: { StringEquals: { 'sts:ExternalId': first.externalId } },
        }),
      ]);
      const { PolicyDocument } = await iam.send(
        new GetRolePolicyCommand({
          RoleName: 'RemediationHubMemberRole',
          PolicyName: 'RemediateWorldOpenIngress',
        }),
      );
      const policy = JSON.parse(decodeURIComponent(PolicyDocument ?? '{}'));
      expect(policy.Statement.flatMap((s: { Action: string[] }) => s.Action).sort()).toEqual([
        'ec2:AuthorizeSecurityGroupIngress',
        'ec2:DescribeSecurityGroupRules',
        'ec2:DescribeSecurityGroups',
        'ec2:RevokeSecurityGroupIngress',
      ]);
      expect(policy.Statement.slice(1).map((s: { Resource: string }) => s.Resource)).toEqual([
        `arn:aws:ec2:*:${accountId}:security-group/*`,
        `arn:aws:ec2:*:${accountId}:security-group/*`,
      ]);
    }
  });

  it('delivers what is published to the topic to the queue as the raw document', async () => {
    const hub = hubClients();
    const doc = makeAlert({
      id: uniqueName('raw'),
      accountId: A,
      region: 'us-east-1',
      groupId: 'sg-0123456789abcdef0',
    });
    await publish(hub.sns, first.topic.arn, doc);
    const [message] = await receiveMessages(hub.sqs, first.queue.url, 1);
    expect(JSON.parse(message?.Body ?? '{}')).toEqual(doc);
  });

  it('is idempotent: a second run finds everything in place and keeps the external id', async () => {
    const again = await run();
    expect(again.externalId).toBe(first.externalId);
    expect(again.externalIdSource).toBe('hub-queue-tag');
    expect(again.topic.arn).toBe(first.topic.arn);
    expect(again.queue.url).toBe(first.queue.url);
    expect(again.subscriptionArn).toBe(first.subscriptionArn);
    const hub = hubClients();
    const { Subscriptions } = await hub.sns.send(
      new ListSubscriptionsByTopicCommand({ TopicArn: first.topic.arn }),
    );
    expect(Subscriptions).toHaveLength(1);
  });

  it('updates the member roles’ trust when given another external id', async () => {
    const changed = await run({ externalId: 'rotated-external-id', accounts: [A] });
    expect(changed.externalIdSource).toBe('option');
    const { iam } = await accountClients(A);
    const { Role } = await iam.send(new GetRoleCommand({ RoleName: 'RemediationHubMemberRole' }));
    expect(decodeURIComponent(Role?.AssumeRolePolicyDocument ?? '')).toContain('rotated-external-id');
    expect((await run()).externalId).toBe('rotated-external-id');
  });

  it('refuses account ids that are not 12 digits', async () => {
    await expect(run({ accounts: ['123'] })).rejects.toThrow('not 12-digit account ids: 123');
    await expect(run({ accounts: [] })).rejects.toThrow('at least one member account');
  });

  it('creates the account registry table on request, with its index, and names it in the hub environment', async () => {
    const withRegistry = await run({ accountRegistry: true });
    const name = `${prefix}remediation-hub-accounts`;
    expect(withRegistry.accountRegistryTable?.name).toBe(name);
    expect(withRegistry.env.ACCOUNT_REGISTRY_TABLE).toBe(name);
    const { Table } = await hubClients().dynamodb.send(new DescribeTableCommand({ TableName: name }));
    expect(Table?.GlobalSecondaryIndexes?.map((i) => i.IndexName)).toEqual(['current']);
    // Without it, as before: no registry, the allow-list alone.
    expect(first.accountRegistryTable).toBeUndefined();
    expect(first.env.ACCOUNT_REGISTRY_TABLE).toBeUndefined();
  });
});
