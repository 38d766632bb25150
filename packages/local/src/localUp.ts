import { randomUUID } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  CreateEventBusCommand,
  EventBridgeClient,
  PutRuleCommand,
  PutTargetsCommand,
} from '@aws-sdk/client-eventbridge';
import {
  CreateRoleCommand,
  GetRoleCommand,
  IAMClient,
  PutRolePolicyCommand,
  UpdateAssumeRolePolicyCommand,
} from '@aws-sdk/client-iam';
import {
  CreateTopicCommand,
  SetSubscriptionAttributesCommand,
  SNSClient,
  SubscribeCommand,
} from '@aws-sdk/client-sns';
import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  ListQueueTagsCommand,
  SetQueueAttributesCommand,
  SQSClient,
  TagQueueCommand,
} from '@aws-sdk/client-sqs';
import {
  AssumeRoleCommand,
  GetCallerIdentityCommand,
  STSClient,
  type STSClientConfig,
} from '@aws-sdk/client-sts';
import {
  DEFAULT_EXEMPT_TAG_KEY,
  DEFAULT_LEASE_SECONDS,
  DEFAULT_MAX_RECEIVE_COUNT,
  DEFAULT_STRATEGY,
  envelopePattern,
  hubEnvironment,
  partitionOfRegion,
  securityHubEventPattern,
} from '@remediation-hub/core';
import { ORGANIZATION_ACCESS_ROLE } from './clients.js';
import { createAccountRegistryTable } from './createAccountRegistryTable.js';
import { createLedgerTable } from './createLedgerTable.js';
import { createPacingTable } from './createPacingTable.js';
import { MEMBER_ROLE, memberRolePolicyDocument, memberRoleTrustPolicy } from './memberRolePolicies.js';

/** The tag on the hub queue that keeps the external id stable across `local up` runs. */
export const EXTERNAL_ID_TAG = 'remediation-hub:external-id';

export interface LocalUpOptions {
  /** Member accounts: a member role is created in each, and they make up `ALLOWED_ACCOUNTS`. */
  accounts: string[];
  /** The emulator. `local up` never runs without one. */
  endpoint: string;
  /** The hub region (default `us-east-1`). */
  region?: string;
  /** The hub account's credentials (default: the SDK's chain). */
  credentials?: STSClientConfig['credentials'];
  /** Prefixes the hub's resource names, so several hubs (tests) can share one emulator. */
  prefix?: string;
  /** The ledger table name (default `<prefix>remediation-hub-ledger`). */
  ledgerTable?: string;
  /** Default: the one kept on the hub queue from an earlier run, else `MEMBER_EXTERNAL_ID`, else random. */
  externalId?: string;
  memberRoleName?: string;
  memberRolePath?: string;
  /**
   * Also create the account registry table (`true`: `<prefix>remediation-hub-accounts`, or this name) and give the
   * hub `ACCOUNT_REGISTRY_TABLE`.
   */
  accountRegistry?: boolean | string;
  /**
   * The event bus of the Security Hub rule (default `default`, where Security Hub sends its events on AWS). Tests
   * and the demo give each hub a bus of its own: on a shared emulator, every hub's rule on the default bus would
   * take every Security Hub event put there.
   */
  eventBusName?: string;
  /** The hub's claim lease (`LEASE_SECONDS`, default 120), written into the printed environment. */
  leaseSeconds?: number;
  /**
   * Seconds a received message stays invisible. Default: the lease and a minute more, so that the message of
   * a consumer that died holding a claim comes back after the claim's lease has expired and is taken over, not
   * turned away by a live lease until it lands in the dead-letter queue (the CDK stack holds it far longer).
   */
  visibilityTimeoutSeconds?: number;
  /** Receives before a message moves to the dead-letter queue (default 10, as the stack's). */
  maxReceiveCount?: number;
  /** One line per step (the CLI shows them on a terminal). */
  onProgress?: (line: string) => void;
  /** The environment `MEMBER_EXTERNAL_ID` is read from (default `process.env`). */
  env?: Readonly<Record<string, string | undefined>>;
  /**
   * Creates the outcome topic and sets `OUTCOME_TOPIC_ARN` in `env`, so the hub publishes an outcome event per
   * completed record (default true).
   */
  outcomeTopic?: boolean;
  /**
   * Creates the pacing table (`<prefix>remediation-hub-pacing`) and sets `PACING_TABLE`, so containers throttled in
   * one account and region share one schedule there, as the stack's (default true); `false`: each paces alone.
   */
  pacingTable?: boolean;
}

export interface LocalUpResult {
  endpoint: string;
  region: string;
  hubAccountId: string;
  topic: { name: string; arn: string };
  /** The topic of outcome events (`OUTCOME_TOPIC_ARN`); absent with `outcomeTopic: false`. */
  outcomeTopic: { name: string; arn: string } | undefined;
  queue: { name: string; url: string; arn: string; visibilityTimeoutSeconds: number };
  deadLetterQueue: { name: string; url: string; arn: string; maxReceiveCount: number };
  subscriptionArn: string;
  /**
   * The EventBridge rule that sends Security Hub's findings to the queue (the stack's rule). Its pattern is the
   * envelope part of the stack's (`source`, `detail-type`): moto cannot match under `detail.findings[]`.
   */
  securityHubRule: { name: string; arn: string; eventBusName: string; eventPattern: string };
  ledgerTable: { name: string; arn: string | undefined };
  /** The account registry table, when asked for. */
  accountRegistryTable: { name: string; arn: string | undefined } | undefined;
  /** The pacing table (`PACING_TABLE`); absent with `pacingTable: false`. */
  pacingTable: { name: string; arn: string | undefined } | undefined;
  externalId: string;
  externalIdSource: 'option' | 'hub-queue-tag' | 'environment' | 'generated';
  memberRoles: Array<{ accountId: string; roleName: string; roleArn: string }>;
  /** What `consume` (and `replay`) need, as environment variables. */
  env: Record<string, string>;
}

const ACCOUNT_ID = /^\d{12}$/;

/**
 * Creates a hub on the emulator: in the hub account the SNS topic, the SQS queue with its dead-letter queue
 * and redrive policy, the EventBridge rule for Security Hub's findings with the queue as its target, the queue
 * policy for the topic and the rule, the raw-delivery subscription, the ledger table and the outcome topic;
 * in each member account (reached through `OrganizationAccountAccessRole`, as AWS Organizations provides)
 * the member role with its trust policy and least-privilege inline policy. Idempotent: re-running updates
 * what is there and keeps the external id.
 */
export async function localUp(options: LocalUpOptions): Promise<LocalUpResult> {
  const accounts = [...new Set(options.accounts.map((a) => a.trim()).filter((a) => a !== ''))];
  if (accounts.length === 0) throw new Error('local up needs at least one member account');
  const bad = accounts.filter((a) => !ACCOUNT_ID.test(a));
  if (bad.length > 0) throw new Error(`not 12-digit account ids: ${bad.join(', ')}`);
  if (!URL.canParse(options.endpoint)) throw new Error(`not an endpoint URL: ${options.endpoint}`);

  const region = options.region ?? 'us-east-1';
  const partition = partitionOfRegion(region);
  const prefix = options.prefix ?? '';
  const progress = options.onProgress ?? (() => {});
  const leaseSeconds = options.leaseSeconds ?? DEFAULT_LEASE_SECONDS;
  const visibilityTimeoutSeconds = options.visibilityTimeoutSeconds ?? leaseSeconds + 60;
  const maxReceiveCount = options.maxReceiveCount ?? DEFAULT_MAX_RECEIVE_COUNT;
  const roleName = options.memberRoleName ?? MEMBER_ROLE.name;
  const rolePath = options.memberRolePath ?? MEMBER_ROLE.path;
  const config = {
    region,
    endpoint: options.endpoint,
    maxAttempts: 3,
    ...(options.credentials ? { credentials: options.credentials } : {}),
  };
  const sts = new STSClient(config);
  const sns = new SNSClient(config);
  const sqs = new SQSClient(config);
  const dynamodb = new DynamoDBClient(config);
  const events = new EventBridgeClient(config);
  try {
    const identity = await sts.send(new GetCallerIdentityCommand({}));
    const hubAccountId = identity.Account;
    if (!hubAccountId) throw new Error('GetCallerIdentity returned no account');
    progress(`hub account ${hubAccountId} in ${region} at ${options.endpoint}`);

    const topicName = `${prefix}remediation-hub-alerts`;
    const topic = await sns.send(new CreateTopicCommand({ Name: topicName }));
    const topicArn = required(topic.TopicArn, 'CreateTopic returned no TopicArn');
    progress(`topic ${topicArn}`);

    const dlqName = `${prefix}remediation-hub-alerts-dlq`;
    const dlqUrl = await ensureQueue(sqs, dlqName, { MessageRetentionPeriod: String(14 * 86_400) });
    const dlqArn = await queueArn(sqs, dlqUrl);
    progress(`dead-letter queue ${dlqUrl}`);

    const queueName = `${prefix}remediation-hub-alerts`;
    const queueAttributes = { VisibilityTimeout: String(visibilityTimeoutSeconds) };
    const queueUrl = await ensureQueue(sqs, queueName, queueAttributes);
    const mainArn = await queueArn(sqs, queueUrl);

    // Security Hub's findings reach the same queue through an EventBridge rule, as in the stack.
    const ruleName = `${prefix}remediation-hub-security-hub`;
    const eventBusName = options.eventBusName ?? 'default';
    if (eventBusName !== 'default') await ensureEventBus(events, eventBusName);
    const eventPattern = JSON.stringify(envelopePattern(securityHubEventPattern()));
    const rule = await events.send(
      new PutRuleCommand({
        Name: ruleName,
        EventBusName: eventBusName,
        EventPattern: eventPattern,
        State: 'ENABLED',
        Description: 'Security Hub findings of the controls the hub closes, to the hub queue',
      }),
    );
    const ruleArn = required(rule.RuleArn, 'PutRule returned no RuleArn');
    await sqs.send(
      new SetQueueAttributesCommand({
        QueueUrl: queueUrl,
        Attributes: {
          ...queueAttributes,
          RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlqArn, maxReceiveCount }),
          Policy: JSON.stringify({
            Version: '2012-10-17',
            Statement: [
              {
                Sid: 'AlertsTopicSendsMessages',
                Effect: 'Allow',
                Principal: { Service: 'sns.amazonaws.com' },
                Action: 'sqs:SendMessage',
                Resource: mainArn,
                Condition: { ArnEquals: { 'aws:SourceArn': topicArn } },
              },
              {
                Sid: 'SecurityHubRuleSendsMessages',
                Effect: 'Allow',
                Principal: { Service: 'events.amazonaws.com' },
                Action: 'sqs:SendMessage',
                Resource: mainArn,
                Condition: { ArnEquals: { 'aws:SourceArn': ruleArn } },
              },
            ],
          }),
        },
      }),
    );
    progress(`queue ${queueUrl} (redrive to the DLQ after ${maxReceiveCount} receives)`);
    const targets = await events.send(
      new PutTargetsCommand({
        Rule: ruleName,
        EventBusName: eventBusName,
        Targets: [{ Id: 'hub-queue', Arn: mainArn }],
      }),
    );
    if ((targets.FailedEntryCount ?? 0) > 0) {
      throw new Error(`PutTargets on ${ruleName} failed: ${JSON.stringify(targets.FailedEntries)}`);
    }
    progress(`Security Hub rule ${ruleArn} to the queue`);

    const subscription = await sns.send(
      new SubscribeCommand({
        TopicArn: topicArn,
        Protocol: 'sqs',
        Endpoint: mainArn,
        ReturnSubscriptionArn: true,
      }),
    );
    const subscriptionArn = required(subscription.SubscriptionArn, 'Subscribe returned no SubscriptionArn');
    await sns.send(
      new SetSubscriptionAttributesCommand({
        SubscriptionArn: subscriptionArn,
        AttributeName: 'RawMessageDelivery',
        AttributeValue: 'true',
      }),
    );
    progress(`raw-delivery subscription ${subscriptionArn}`);

    let outcomeTopic: LocalUpResult['outcomeTopic'];
    if (options.outcomeTopic !== false) {
      const name = `${prefix}remediation-hub-outcomes`;
      const created = await sns.send(new CreateTopicCommand({ Name: name }));
      outcomeTopic = { name, arn: required(created.TopicArn, 'CreateTopic returned no TopicArn') };
      progress(`outcome topic ${outcomeTopic.arn}`);
    }

    const tableName = options.ledgerTable ?? `${prefix}remediation-hub-ledger`;
    const table = await createLedgerTable(dynamodb, tableName);
    progress(`ledger table ${tableName}${table.created ? '' : ' (already there)'}`);

    let accountRegistryTable: LocalUpResult['accountRegistryTable'];
    if (options.accountRegistry !== undefined && options.accountRegistry !== false) {
      const name =
        typeof options.accountRegistry === 'string'
          ? options.accountRegistry
          : `${prefix}remediation-hub-accounts`;
      const registry = await createAccountRegistryTable(dynamodb, name);
      accountRegistryTable = { name, arn: registry.tableArn };
      progress(`account registry table ${name}${registry.created ? '' : ' (already there)'}`);
    }

    let pacingTable: LocalUpResult['pacingTable'];
    if (options.pacingTable !== false) {
      const name = `${prefix}remediation-hub-pacing`;
      const pacing = await createPacingTable(dynamodb, name);
      pacingTable = { name, arn: pacing.tableArn };
      progress(`pacing table ${name}${pacing.created ? '' : ' (already there)'}`);
    }

    const { externalId, source } = await chooseExternalId(sqs, queueUrl, options);
    await sqs.send(new TagQueueCommand({ QueueUrl: queueUrl, Tags: { [EXTERNAL_ID_TAG]: externalId } }));

    const memberRoles: LocalUpResult['memberRoles'] = [];
    for (const accountId of accounts) {
      const roleArn = await ensureMemberRole({
        sts,
        accountId,
        hubAccountId,
        externalId,
        roleName,
        rolePath,
        partition,
        config,
      });
      memberRoles.push({ accountId, roleName, roleArn });
      progress(`member role ${roleArn}`);
    }

    const env: Record<string, string> = {
      ...hubEnvironment({
        endpoint: options.endpoint,
        region,
        ledgerTable: tableName,
        memberRoleName: roleName,
        memberRolePath: rolePath,
        memberExternalId: externalId,
        allowedAccounts: accounts.join(','),
        leaseSeconds: String(leaseSeconds),
        deadLetterQueueUrl: dlqUrl,
        mode: 'remediate',
        strategy: DEFAULT_STRATEGY,
        exemptTagKey: DEFAULT_EXEMPT_TAG_KEY,
        // The emulator has no BatchUpdateFindings: every write-back would fail there.
        securityHubWriteBack: 'off',
        outcomeTopicArn: outcomeTopic?.arn,
        ...(accountRegistryTable ? { accountRegistryTable: accountRegistryTable.name } : {}),
        ...(pacingTable ? { pacingTable: pacingTable.name } : {}),
      }),
      // Not the hub's: where `consume` polls, and where `publish` puts an alert.
      QUEUE_URL: queueUrl,
      TOPIC_ARN: topicArn,
    };
    return {
      endpoint: options.endpoint,
      region,
      hubAccountId,
      topic: { name: topicName, arn: topicArn },
      outcomeTopic,
      queue: { name: queueName, url: queueUrl, arn: mainArn, visibilityTimeoutSeconds },
      deadLetterQueue: { name: dlqName, url: dlqUrl, arn: dlqArn, maxReceiveCount },
      subscriptionArn,
      securityHubRule: { name: ruleName, arn: ruleArn, eventBusName, eventPattern },
      ledgerTable: { name: tableName, arn: table.tableArn },
      accountRegistryTable,
      pacingTable,
      externalId,
      externalIdSource: source,
      memberRoles,
      env,
    };
  } finally {
    sts.destroy();
    sns.destroy();
    sqs.destroy();
    dynamodb.destroy();
    events.destroy();
  }
}

async function ensureQueue(
  sqs: SQSClient,
  name: string,
  attributes: Record<string, string>,
): Promise<string> {
  try {
    const created = await sqs.send(new CreateQueueCommand({ QueueName: name, Attributes: attributes }));
    return required(created.QueueUrl, 'CreateQueue returned no QueueUrl');
  } catch (error) {
    // Re-running with other attributes: keep the queue (and its messages), update the attributes.
    if (!/QueueAlreadyExists|QueueNameExists/.test((error as Error).name)) throw error;
    const { QueueUrl } = await sqs.send(new GetQueueUrlCommand({ QueueName: name }));
    const url = required(QueueUrl, 'GetQueueUrl returned no QueueUrl');
    await sqs.send(new SetQueueAttributesCommand({ QueueUrl: url, Attributes: attributes }));
    return url;
  }
}

async function ensureEventBus(events: EventBridgeClient, name: string): Promise<void> {
  try {
    await events.send(new CreateEventBusCommand({ Name: name }));
  } catch (error) {
    if ((error as Error).name !== 'ResourceAlreadyExistsException') throw error;
  }
}

async function queueArn(sqs: SQSClient, url: string): Promise<string> {
  const { Attributes } = await sqs.send(
    new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['QueueArn'] }),
  );
  return required(Attributes?.QueueArn, `no QueueArn for ${url}`);
}

/**
 * The external id: given, or the one a previous run kept on the hub queue (so member roles created then
 * still match), or `MEMBER_EXTERNAL_ID`, or a fresh random UUID. It is not a secret (AWS: it guards
 * against the confused deputy), so it is printed and kept as a queue tag.
 */
async function chooseExternalId(
  sqs: SQSClient,
  queueUrl: string,
  options: LocalUpOptions,
): Promise<{ externalId: string; source: LocalUpResult['externalIdSource'] }> {
  if (options.externalId) return { externalId: options.externalId, source: 'option' };
  const { Tags } = await sqs.send(new ListQueueTagsCommand({ QueueUrl: queueUrl }));
  const kept = Tags?.[EXTERNAL_ID_TAG];
  if (kept) return { externalId: kept, source: 'hub-queue-tag' };
  const fromEnv = (options.env ?? process.env).MEMBER_EXTERNAL_ID?.trim();
  if (fromEnv) return { externalId: fromEnv, source: 'environment' };
  return { externalId: randomUUID(), source: 'generated' };
}

async function ensureMemberRole(input: {
  sts: STSClient;
  accountId: string;
  hubAccountId: string;
  externalId: string;
  roleName: string;
  rolePath: string;
  partition: string;
  config: { region: string; endpoint: string; maxAttempts: number };
}): Promise<string> {
  const { accountId, partition } = input;
  const assumed = await input.sts.send(
    new AssumeRoleCommand({
      RoleArn: `arn:${partition}:iam::${accountId}:role/${ORGANIZATION_ACCESS_ROLE}`,
      RoleSessionName: 'remediation-hub-local-up',
    }),
  );
  const c = assumed.Credentials;
  if (!c?.AccessKeyId || !c.SecretAccessKey || !c.SessionToken) {
    throw new Error(`AssumeRole into ${accountId} returned no credentials`);
  }
  const iam = new IAMClient({
    ...input.config,
    credentials: {
      accessKeyId: c.AccessKeyId,
      secretAccessKey: c.SecretAccessKey,
      sessionToken: c.SessionToken,
    },
  });
  try {
    const trust = JSON.stringify(
      memberRoleTrustPolicy({ partition, hubAccountId: input.hubAccountId, externalId: input.externalId }),
    );
    let roleArn: string | undefined;
    try {
      const created = await iam.send(
        new CreateRoleCommand({
          RoleName: input.roleName,
          Path: input.rolePath,
          AssumeRolePolicyDocument: trust,
          Description: 'Lets the remediation hub close world-open security-group ingress rules.',
          MaxSessionDuration: 3600,
        }),
      );
      roleArn = created.Role?.Arn;
    } catch (error) {
      if (
        (error as Error).name !== 'EntityAlreadyExistsException' &&
        (error as Error).name !== 'EntityAlreadyExists'
      ) {
        throw error;
      }
      await iam.send(new UpdateAssumeRolePolicyCommand({ RoleName: input.roleName, PolicyDocument: trust }));
    }
    await iam.send(
      new PutRolePolicyCommand({
        RoleName: input.roleName,
        PolicyName: MEMBER_ROLE.policyName,
        PolicyDocument: JSON.stringify(memberRolePolicyDocument({ partition, accountId })),
      }),
    );
    if (!roleArn) {
      const { Role } = await iam.send(new GetRoleCommand({ RoleName: input.roleName }));
      roleArn = Role?.Arn;
    }
    return required(roleArn, `no ARN for role ${input.roleName} in ${accountId}`);
  } finally {
    iam.destroy();
  }
}

function required<T>(value: T | undefined, message: string): T {
  if (value === undefined || value === null || value === '') throw new Error(message);
  return value;
}
