import { randomBytes } from 'node:crypto';
import {
  AuthorizeSecurityGroupIngressCommand,
  CreateSecurityGroupCommand,
  CreateTagsCommand,
  DescribeSecurityGroupsCommand,
  EC2Client,
  type IpPermission,
} from '@aws-sdk/client-ec2';
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
  type RecordingProxy,
  startRecordingProxy,
} from '@remediation-hub/testkit';
import type { SQSEvent } from 'aws-lambda';
import { afterAll, afterEach, beforeAll } from 'vitest';
import { localLambdaContext } from '../../src/cli/hubEnvironment.js';
import {
  type CompositionRoot,
  type CompositionRootOptions,
  createCompositionRoot,
} from '../../src/compositionRoot.js';
import { type HubConfig, loadConfig } from '../../src/config.js';
import { type ConsumeSummary, consumeQueue } from '../../src/consume/consumeQueue.js';
import { createLambdaHandler } from '../../src/handler/createLambdaHandler.js';
import type { AlertResult } from '../../src/handler/processAlert.js';
import { syntheticSqsRecord } from '../../src/handler/syntheticSqsRecord.js';
import { type LocalUpResult, localUp } from '../../src/local/localUp.js';
import { createLogger, type Logger } from '../../src/logging/createLogger.js';

/** A name no other test (or run) uses: tests share one emulator. */
export function uniqueName(prefix: string): string {
  return `${prefix}-${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`;
}

/** A pino logger that keeps its lines in memory. */
export function memoryLogger(level = 'debug'): {
  logger: Logger;
  lines: Array<Record<string, unknown>>;
  text: () => string;
} {
  const raw: string[] = [];
  const logger = createLogger({ level, destination: { write: (line: string) => void raw.push(line) } });
  return {
    logger,
    get lines() {
      return raw.map((line) => JSON.parse(line) as Record<string, unknown>);
    },
    text: () => raw.join(''),
  };
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
export async function upTestHub(name: string, accounts: string[]): Promise<LocalUpResult> {
  return localUp({
    accounts,
    endpoint: emulatorEndpoint(),
    prefix: `${uniqueName(name)}-`,
    credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
    visibilityTimeoutSeconds: 30,
    maxReceiveCount: 3,
  });
}

export interface HubRun {
  config: HubConfig;
  root: CompositionRoot;
  proxy: RecordingProxy;
  log: ReturnType<typeof memoryLogger>;
  clock: ReturnType<typeof testClock>;
  close(): Promise<void>;
}

/**
 * A hub runtime (as one Lambda container) for the hub `up` created, every AWS call of the hub going
 * through a recording proxy in front of the emulator.
 */
export async function startHubRun(
  up: Pick<LocalUpResult, 'env'> | { env: Record<string, string> },
  env: Record<string, string> = {},
  rootOptions: Pick<CompositionRootOptions, 'limiter'> = {},
): Promise<HubRun> {
  const proxy = await startRecordingProxy();
  const log = memoryLogger();
  const clock = testClock();
  const config = loadConfig({ AWS_MAX_ATTEMPTS: '1', ...up.env, ...env });
  const root = createCompositionRoot({
    config,
    logger: log.logger,
    clock,
    endpoint: proxy.endpoint,
    credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
    ...rootOptions,
  });
  return {
    config,
    root,
    proxy,
    log,
    clock,
    close: async () => {
      root.destroy();
      await proxy.close();
    },
  };
}

export function hubSns(): SNSClient {
  return new SNSClient(awsClientConfig());
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

/** `consume --once` on the hub's queue with this run's root: the real poller and the real Lambda handler. */
export async function consumeOnce(
  run: HubRun,
  sqs: SQSClient,
  queueUrl: string,
): Promise<{ summary: ConsumeSummary; results: AlertResult[] }> {
  const results: AlertResult[] = [];
  const handler = createLambdaHandler(run.root, { onBatch: (batch) => results.push(...batch.results) });
  const summary = await consumeQueue({
    sqs,
    queueUrl,
    handle: (event) => handler(event, localLambdaContext('test-consume')),
    once: true,
    waitTimeSeconds: 0,
    retryDelaySeconds: 0,
    region: 'us-east-1',
  });
  return { summary, results };
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

/** Only these outcomes, counted. */
export function outcomesOf(results: readonly AlertResult[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const { outcome } of results) counts[outcome] = (counts[outcome] ?? 0) + 1;
  return counts;
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

/** Runs the Lambda handler of `run` on an event. */
export function invoke(run: HubRun, event: SQSEvent) {
  return createLambdaHandler(run.root)(event, localLambdaContext('test-lambda'));
}

/** A hub for one test file: created once, with hub SNS/SQS clients, and every run started closed after each test. */
export interface TestHubFixture {
  readonly up: LocalUpResult;
  readonly sns: SNSClient;
  readonly sqs: SQSClient;
  start(env?: Record<string, string>, rootOptions?: Pick<CompositionRootOptions, 'limiter'>): Promise<HubRun>;
}

/** Registers the file's hooks (beforeAll, afterEach, afterAll) and returns the hub they manage. */
export function useTestHub(name: string, accounts: string[]): TestHubFixture {
  let up: LocalUpResult | undefined;
  let sns: SNSClient | undefined;
  let sqs: SQSClient | undefined;
  const runs: HubRun[] = [];
  const ready = <T>(value: T | undefined): T => {
    if (value === undefined) throw new Error('the test hub is used before its beforeAll ran');
    return value;
  };
  beforeAll(async () => {
    up = await upTestHub(name, accounts);
    sns = hubSns();
    sqs = hubSqs();
  });
  afterEach(async () => {
    for (const run of runs.splice(0)) await run.close();
  });
  afterAll(() => {
    sns?.destroy();
    sqs?.destroy();
  });
  return {
    get up() {
      return ready(up);
    },
    get sns() {
      return ready(sns);
    },
    get sqs() {
      return ready(sqs);
    },
    async start(env = {}, rootOptions = {}) {
      const run = await startHubRun(ready(up), env, rootOptions);
      runs.push(run);
      return run;
    },
  };
}

/** The requests of one API action that a run's recording proxy saw. */
export function requestsOf(run: HubRun, action: string) {
  return run.proxy.requests.filter((r) => r.action === action);
}
