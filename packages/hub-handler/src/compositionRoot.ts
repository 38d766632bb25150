import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { EC2ClientConfig } from '@aws-sdk/client-ec2';
import { SecurityHubClient } from '@aws-sdk/client-securityhub';
import { SNSClient } from '@aws-sdk/client-sns';
import { STSClient, type STSClientConfig } from '@aws-sdk/client-sts';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { AccountDirectory, Clock, HubConfig, OutcomeListener } from '@remediation-hub/core';
import type { SQSEvent } from 'aws-lambda';
import { type AccountSources, accountSourcesFor } from './accountDirectoryFor.js';
import { DynamoDbLedger } from './adapters/DynamoDbLedger.js';
import { DynamoDbOutcomeEventLedger } from './adapters/DynamoDbOutcomeEventLedger.js';
import { DynamoDbSharedSchedule } from './adapters/DynamoDbSharedSchedule.js';
import { Ec2SecurityGroupGateway } from './adapters/Ec2SecurityGroupGateway.js';
import { SecurityHubWriteBack } from './adapters/SecurityHubWriteBack.js';
import { SharedPacingLimiter } from './adapters/SharedPacingLimiter.js';
import { SnsOutcomePublisher } from './adapters/SnsOutcomePublisher.js';
import { SqsDeadLetterQueue } from './adapters/SqsDeadLetterQueue.js';
import { StsCredentialsCache } from './adapters/StsCredentialsCache.js';
import { EC2_MUTATING_RATE, type RateLimiter, TokenBucketLimiter } from './adapters/TokenBucketLimiter.js';
import type { AlertMessage, AlertProcessorDeps, AlertResult } from './handler/processAlert.js';
import { processMessage } from './handler/processAlert.js';
import { type BatchOptions, type BatchResult, processBatch } from './handler/processBatch.js';
import { createLogger, type Logger } from './logging/createLogger.js';
import { countThrottledRetries } from './metrics/countThrottledRetries.js';
import type { HubMetrics } from './metrics/HubMetrics.js';
import { systemClock } from './systemClock.js';

export interface CompositionRootOptions {
  config: HubConfig;
  logger?: Logger;
  clock?: Clock;
  /** The hub's own credentials; default: the SDK's default chain (the Lambda role on AWS). */
  credentials?: STSClientConfig['credentials'];
  /** Overrides `config.endpoint` for every client (tests put a recording proxy here). */
  endpoint?: string;
  /** Merged into the member-account EC2 clients. */
  ec2ClientConfig?: Partial<EC2ClientConfig>;
  /** Paces mutating EC2 calls per account and region (default: EC2's bucket, 50 and 5 per s). */
  limiter?: RateLimiter;
  /** The role session name the member accounts' CloudTrail shows. */
  sessionName?: string;
  /**
   * Which accounts the hub acts in (default: from the configuration, `accountSourcesFor`: the registry, the OUs and
   * the environment lists).
   */
  accounts?: AccountDirectory;
  /**
   * Told of every completed record, after its ledger write: after the metrics and the outcome topic's publisher,
   * before the Security Hub write-back.
   */
  listeners?: readonly OutcomeListener[];
  /** Waits between the Security Hub write-back's tries (tests pass one that does not wait). */
  sleep?: (ms: number) => Promise<void>;
  /**
   * The hub's EMF metrics (the Lambda's entry point passes them; the CLI does not): fed by the completed records,
   * the STS cache and every client's throttled retries, and written when a batch ends.
   */
  metrics?: HubMetrics;
}

/** Everything the hub needs, built once per Lambda container (or CLI run). */
export interface CompositionRoot {
  config: HubConfig;
  logger: Logger;
  clock: Clock;
  sts: STSClient;
  dynamodb: DynamoDBClient;
  documentClient: DynamoDBDocumentClient;
  credentials: StsCredentialsCache;
  gateway: Ec2SecurityGroupGateway;
  ledger: DynamoDbLedger;
  metrics: HubMetrics | undefined;
  /** With `OUTCOME_TOPIC_ARN`: the publisher of outcome events and its ledger marks. */
  outcomes:
    | { publisher: SnsOutcomePublisher; events: DynamoDbOutcomeEventLedger; sns: SNSClient }
    | undefined;
  /** The configured account sources (registry, OUs), for reports; `deps.accounts` is what the hub asks. */
  accountSources: AccountSources;
  deps: AlertProcessorDeps;
  /** An SQS batch → partial batch response and per-message results. `owner` identifies this worker. */
  processBatch(event: SQSEvent, owner: string, options?: Omit<BatchOptions, 'owner'>): Promise<BatchResult>;
  processMessage(message: AlertMessage): Promise<AlertResult[]>;
  /** Closes the base clients' connections (CLI and tests; a Lambda container never needs it). */
  destroy(): void;
}

export function createCompositionRoot(options: CompositionRootOptions): CompositionRoot {
  const { config, metrics } = options;
  const logger = options.logger ?? createLogger();
  const clock = options.clock ?? systemClock;
  const adapters = createAdapters(options, logger, clock);
  const {
    sts,
    dynamodb,
    documentClient,
    credentials,
    gateway,
    ledger,
    outcomes,
    securityHub,
    deadLetters,
    accountSources,
  } = adapters;
  // The hub account's own Security Hub in the hub's region, where the rule received the finding.
  const writeBack = securityHub
    ? [
        new SecurityHubWriteBack({
          client: securityHub,
          logger,
          ...(options.sleep ? { sleep: options.sleep } : {}),
        }),
      ]
    : [];
  const deps: AlertProcessorDeps = {
    settings: config,
    accounts: options.accounts ?? accountSources.directory,
    listeners: [
      ...(metrics ? [metrics.listener] : []),
      ...(outcomes ? [outcomes.publisher] : []),
      ...(options.listeners ?? []),
      ...writeBack,
    ],
    deadLetters,
    credentials,
    gateway,
    ledger,
    clock,
    logger,
  };

  return {
    config,
    logger,
    clock,
    sts,
    dynamodb,
    documentClient,
    credentials,
    gateway,
    ledger,
    metrics,
    outcomes,
    accountSources,
    deps,
    processBatch: (event, owner, options) =>
      processBatch(event, { ...deps, concurrency: config.batchConcurrency }, { ...options, owner }),
    processMessage: (message) => processMessage(message, deps),
    destroy: () => {
      gateway.destroy();
      sts.destroy();
      dynamodb.destroy();
      outcomes?.sns.destroy();
      securityHub?.destroy();
      void deadLetters?.destroy();
      accountSources.destroy();
    },
  };
}

/**
 * EC2's mutating calls paced per account and region: by this container's own bucket, and with `PACING=shared` by
 * the shared schedule in `PACING_TABLE` once an account and region throttles (see SharedPacingLimiter).
 */
function mutatingLimiter(
  config: HubConfig,
  documentClient: DynamoDBDocumentClient,
  logger: Logger,
): RateLimiter {
  const local = new TokenBucketLimiter(EC2_MUTATING_RATE);
  if (config.pacing !== 'shared' || config.pacingTable === undefined) return local;
  return new SharedPacingLimiter({
    local,
    schedule: new DynamoDbSharedSchedule({ client: documentClient, tableName: config.pacingTable }),
    refillPerSecond: EC2_MUTATING_RATE.refillPerSecond,
    windowMillis: config.pacingWindowSeconds * 1000,
    onScheduleError: (key, error) =>
      logger.warn({ bucketKey: key, err: error }, 'shared pacing schedule unreachable: pacing alone'),
  });
}

/**
 * The base clients, once per container, and the adapters over them. Clients that only some settings need (the
 * outcome topic's, Security Hub's) are made only then: no topic, no client and no call.
 */
function createAdapters(options: CompositionRootOptions, logger: Logger, clock: Clock) {
  const { config, metrics } = options;
  const { endpoint, retry, base } = clientBase(options);
  // Throttled retries counted per service, inside each client's own retry strategy.
  const counted = (awsService: string) =>
    metrics ? { extensions: [countThrottledRetries(() => metrics.throttledRetry(awsService))] } : {};

  const sts = new STSClient({ ...base, ...counted('sts') });
  const dynamodb = new DynamoDBClient({ ...base, ...counted('dynamodb') });
  const documentClient = DynamoDBDocumentClient.from(dynamodb, {
    marshallOptions: { removeUndefinedValues: true, convertClassInstanceToMap: false },
  });
  const credentials = new StsCredentialsCache({
    sts,
    roleName: config.memberRoleName,
    rolePath: config.memberRolePath,
    externalId: config.memberExternalId,
    partition: config.partition,
    clock,
    ...(options.sessionName ? { sessionName: options.sessionName } : {}),
    ...(metrics ? { onAssumeRoleFailure: (accountId: string) => metrics.assumeRoleFailure(accountId) } : {}),
  });
  const ec2Extensions = [
    ...(options.ec2ClientConfig?.extensions ?? []),
    ...(metrics ? [countThrottledRetries(() => metrics.throttledRetry('ec2'))] : []),
  ];
  const gateway = new Ec2SecurityGroupGateway({
    credentials,
    clientConfig: {
      ...retry,
      ...(endpoint ? { endpoint } : {}),
      ...options.ec2ClientConfig,
      ...(ec2Extensions.length > 0 ? { extensions: ec2Extensions } : {}),
    },
    limiter: options.limiter ?? mutatingLimiter(config, documentClient, logger),
  });
  const topicArn = config.outcomeTopicArn;
  const ledger = new DynamoDbLedger({
    client: documentClient,
    tableName: config.ledgerTable,
    outcomeEvents: topicArn !== undefined,
  });
  const outcomes = outcomePublishing(config, { base, counted, documentClient, logger, clock });
  const securityHub = config.securityHubWriteBack ? new SecurityHubClient(base) : undefined;
  const deadLetters = deadLetterQueue(config, base);
  const accountSources = accountSourcesFor(config, { documentClient, clock, logger, clientConfig: base });
  return {
    sts,
    dynamodb,
    documentClient,
    credentials,
    gateway,
    ledger,
    outcomes,
    securityHub,
    deadLetters,
    accountSources,
  };
}

/** What every client of the container shares: the region, adaptive retries, the endpoint and credentials given. */
function clientBase(options: CompositionRootOptions) {
  const { config } = options;
  const endpoint = options.endpoint ?? config.endpoint;
  const retry = { retryMode: 'adaptive', maxAttempts: config.maxAttempts } as const;
  const base = {
    region: config.region,
    ...retry,
    ...(endpoint ? { endpoint } : {}),
    ...(options.credentials ? { credentials: options.credentials } : {}),
  };
  return { endpoint, retry, base };
}

type ClientBase = ReturnType<typeof clientBase>['base'];

/** The outcome topic's publisher and the events' ledger: none without OUTCOME_TOPIC_ARN (no client, no call). */
function outcomePublishing(
  config: HubConfig,
  shared: {
    base: ClientBase;
    counted: (awsService: string) => object;
    documentClient: DynamoDBDocumentClient;
    logger: Logger;
    clock: Clock;
  },
) {
  const topicArn = config.outcomeTopicArn;
  if (topicArn === undefined) return undefined;
  const { base, counted, documentClient, logger, clock } = shared;
  // At least 3 attempts, whatever AWS_MAX_ATTEMPTS says: an event is worth a retry before audit resend.
  const sns = new SNSClient({ ...base, maxAttempts: Math.max(3, config.maxAttempts), ...counted('sns') });
  const events = new DynamoDbOutcomeEventLedger({ client: documentClient, tableName: config.ledgerTable });
  const publisher = new SnsOutcomePublisher({ sns, topicArn, events, logger, clock });
  return { publisher, events, sns };
}

/** The dead-letter queue for failures that repeat on every delivery, its client loaded on the first one only. */
function deadLetterQueue(config: HubConfig, base: ClientBase): SqsDeadLetterQueue | undefined {
  if (config.deadLetterQueueUrl === undefined) return undefined;
  return new SqsDeadLetterQueue({
    queueUrl: config.deadLetterQueueUrl,
    // The dead-letter queue lives where its URL says (the hub's own region in the stack).
    clientConfig: { ...base, region: regionOfQueueUrl(config.deadLetterQueueUrl) ?? config.region },
  });
}

/** `us-east-1` of `https://sqs.us-east-1.amazonaws.com/123456789012/name`; undefined for an emulator's URL. */
function regionOfQueueUrl(url: string): string | undefined {
  return /^https:\/\/sqs\.([a-z0-9-]+)\.amazonaws\.com/.exec(url)?.[1];
}
