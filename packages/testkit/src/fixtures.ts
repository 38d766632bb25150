import { randomBytes } from 'node:crypto';
import {
  AuthorizeSecurityGroupIngressCommand,
  CreateSecurityGroupCommand,
  CreateTagsCommand,
  DescribeSecurityGroupsCommand,
  EC2Client,
  type IpPermission,
} from '@aws-sdk/client-ec2';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import {
  ChangeMessageVisibilityCommand,
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  type Message,
  ReceiveMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import type { Clock } from '@remediation-hub/core';
import {
  assumeAccount,
  awsClientConfig,
  type EvidentDocument,
  emulatorEndpoint,
  type LocalUpOptions,
  type LocalUpResult,
  localUp,
  syntheticSqsRecord,
} from '@remediation-hub/local';
import type { SQSEvent } from 'aws-lambda';

/** A name no other test (or run) uses: tests share one emulator. */
export function uniqueName(prefix: string): string {
  return `${prefix}-${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`;
}

/** A clock the test moves forward. */
export function testClock(): Clock & { advanceSeconds(seconds: number): void } {
  let offset = 0;
  return {
    now: () => new Date(Date.now() + offset),
    advanceSeconds: (seconds) => {
      offset += seconds * 1000;
    },
  };
}

/** One rule that opens every tcp port to the world: Evident raises EC2-002 (SSH), EC2-004 (RDP), ... for it. */
export const WORLD_ALL_TCP: IpPermission = {
  IpProtocol: 'tcp',
  FromPort: 0,
  ToPort: 65535,
  IpRanges: [{ CidrIp: '0.0.0.0/0' }],
};

export const WORLD_SSH: IpPermission = {
  IpProtocol: 'tcp',
  FromPort: 22,
  ToPort: 22,
  IpRanges: [{ CidrIp: '0.0.0.0/0' }],
};
export const OFFICE_SSH: IpPermission = {
  IpProtocol: 'tcp',
  FromPort: 22,
  ToPort: 22,
  IpRanges: [{ CidrIp: '10.0.0.0/8' }],
};
export const WORLD_HTTPS: IpPermission = {
  IpProtocol: 'tcp',
  FromPort: 443,
  ToPort: 443,
  IpRanges: [{ CidrIp: '0.0.0.0/0' }],
};

export async function memberEc2(accountId: string, region: string): Promise<EC2Client> {
  return new EC2Client(awsClientConfig({ region, credentials: await assumeAccount(accountId) }));
}

/** A security group in a member account, with these ingress permissions (and tags). */
export async function createGroup(
  accountId: string,
  region: string,
  permissions: IpPermission[],
  tags: Record<string, string> = {},
): Promise<string> {
  const ec2 = await memberEc2(accountId, region);
  const { GroupId } = await ec2.send(
    new CreateSecurityGroupCommand({
      GroupName: uniqueName('sg'),
      Description: 'remediation-hub test group',
    }),
  );
  if (!GroupId) throw new Error('no GroupId');
  if (permissions.length > 0) {
    await ec2.send(new AuthorizeSecurityGroupIngressCommand({ GroupId, IpPermissions: permissions }));
  }
  const tagList = Object.entries(tags).map(([Key, Value]) => ({ Key, Value }));
  if (tagList.length > 0) await ec2.send(new CreateTagsCommand({ Resources: [GroupId], Tags: tagList }));
  ec2.destroy();
  return GroupId;
}

/** A group's ingress rules, flattened to `tcp 22 0.0.0.0/0` strings (order-independent comparison). */
export async function ingressRules(accountId: string, region: string, groupId: string): Promise<string[]> {
  const ec2 = await memberEc2(accountId, region);
  const { SecurityGroups } = await ec2.send(new DescribeSecurityGroupsCommand({ GroupIds: [groupId] }));
  ec2.destroy();
  return flattenRules(SecurityGroups?.[0]?.IpPermissions ?? []);
}

export function flattenRules(permissions: readonly IpPermission[]): string[] {
  const rules: string[] = [];
  for (const p of permissions) {
    const ports = p.FromPort === undefined ? 'all' : `${p.FromPort}-${p.ToPort}`;
    for (const r of p.IpRanges ?? []) rules.push(`${p.IpProtocol} ${ports} ${r.CidrIp}`);
    for (const r of p.Ipv6Ranges ?? []) rules.push(`${p.IpProtocol} ${ports} ${r.CidrIpv6}`);
    for (const r of p.UserIdGroupPairs ?? []) rules.push(`${p.IpProtocol} ${ports} ${r.GroupId}`);
    for (const r of p.PrefixListIds ?? []) rules.push(`${p.IpProtocol} ${ports} ${r.PrefixListId}`);
  }
  return rules.sort();
}

export function sqsEvent(bodies: string[], prefix = uniqueName('msg')): SQSEvent {
  return {
    Records: bodies.map((body, index) =>
      syntheticSqsRecord({
        messageId: `${prefix}-${index}`,
        body,
        senderId: 'test',
        eventSourceARN: 'arn:aws:sqs:us-east-1:123456789012:test',
        awsRegion: 'us-east-1',
      }),
    ),
  };
}

/** A hub created by `localUp` on the emulator, for one test file. */
/**
 * A hub of its own on the test emulator. Without an outcome topic unless asked, so that a test counts the calls
 * of the hub it means.
 */
export async function upTestHub(
  name: string,
  accounts: string[],
  options: { outcomeTopic?: boolean } & Pick<LocalUpOptions, 'accountRegistry'> = {},
): Promise<LocalUpResult> {
  const prefix = `${uniqueName(name)}-`;
  return localUp({
    accountRegistry: options.accountRegistry,
    outcomeTopic: options.outcomeTopic === true,
    accounts,
    endpoint: emulatorEndpoint(),
    prefix,
    // A bus of its own: every hub's rule on the default bus would take every other test's Security Hub events.
    eventBusName: `${prefix}bus`,
    credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
    visibilityTimeoutSeconds: 30,
    maxReceiveCount: 3,
  });
}

export function hubSns(): SNSClient {
  return new SNSClient(awsClientConfig());
}

export function hubEvents(): EventBridgeClient {
  return new EventBridgeClient(awsClientConfig());
}

export function hubSqs(): SQSClient {
  return new SQSClient(awsClientConfig());
}

export async function publish(
  sns: SNSClient,
  topicArn: string,
  message: EvidentDocument | string,
): Promise<void> {
  await sns.send(
    new PublishCommand({
      TopicArn: topicArn,
      Message: typeof message === 'string' ? message : JSON.stringify(message),
    }),
  );
}

export async function queueDepth(
  sqs: SQSClient,
  queueUrl: string,
): Promise<{ visible: number; inFlight: number }> {
  const { Attributes } = await sqs.send(
    new GetQueueAttributesCommand({
      QueueUrl: queueUrl,
      AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
    }),
  );
  return {
    visible: Number(Attributes?.ApproximateNumberOfMessages ?? 0),
    inFlight: Number(Attributes?.ApproximateNumberOfMessagesNotVisible ?? 0),
  };
}

/** Receives exactly `count` messages from the queue (as a Lambda poller would, several receives). */
export async function receiveMessages(sqs: SQSClient, queueUrl: string, count: number): Promise<Message[]> {
  const messages: Message[] = [];
  const deadline = Date.now() + 10_000;
  while (messages.length < count && Date.now() < deadline) {
    const { Messages = [] } = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: queueUrl,
        MaxNumberOfMessages: Math.min(10, count - messages.length),
        WaitTimeSeconds: 1,
        MessageSystemAttributeNames: ['All'],
      }),
    );
    messages.push(...Messages);
  }
  if (messages.length !== count) throw new Error(`received ${messages.length} of ${count} messages`);
  return messages;
}

/** Received messages as the SQS event a Lambda invocation gets. */
export function eventOf(messages: Message[]): SQSEvent {
  return {
    Records: messages.map((m) => ({
      messageId: m.MessageId ?? '',
      receiptHandle: m.ReceiptHandle ?? '',
      body: m.Body ?? '',
      attributes: {
        ApproximateReceiveCount: m.Attributes?.ApproximateReceiveCount ?? '1',
        SentTimestamp: m.Attributes?.SentTimestamp ?? '',
        SenderId: m.Attributes?.SenderId ?? '',
        ApproximateFirstReceiveTimestamp: m.Attributes?.ApproximateFirstReceiveTimestamp ?? '',
      },
      messageAttributes: {},
      md5OfBody: m.MD5OfBody ?? '',
      eventSource: 'aws:sqs',
      eventSourceARN: 'arn:aws:sqs:us-east-1:123456789012:test',
      awsRegion: 'us-east-1',
    })),
  };
}

/** What the event source mapping does after an invocation: delete the successes, release the failures. */
export async function settle(
  sqs: SQSClient,
  queueUrl: string,
  messages: Message[],
  failures: ReadonlyArray<{ itemIdentifier: string }>,
): Promise<void> {
  const failed = new Set(failures.map((f) => f.itemIdentifier));
  for (const m of messages) {
    if (failed.has(m.MessageId ?? '')) {
      await sqs.send(
        new ChangeMessageVisibilityCommand({
          QueueUrl: queueUrl,
          ReceiptHandle: m.ReceiptHandle,
          VisibilityTimeout: 0,
        }),
      );
    } else {
      await sqs.send(new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: m.ReceiptHandle }));
    }
  }
}
