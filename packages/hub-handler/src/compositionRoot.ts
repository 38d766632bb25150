import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { EC2ClientConfig } from '@aws-sdk/client-ec2';
import { STSClient, type STSClientConfig } from '@aws-sdk/client-sts';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { AccountDirectory, Clock, HubConfig } from '@remediation-hub/core';
import type { SQSEvent } from 'aws-lambda';
import { type AccountSources, accountSourcesFor } from './accountDirectoryFor.js';
import { DynamoDbLedger } from './adapters/DynamoDbLedger.js';
import { Ec2SecurityGroupGateway } from './adapters/Ec2SecurityGroupGateway.js';
import { StsCredentialsCache } from './adapters/StsCredentialsCache.js';
import type { RateLimiter } from './adapters/TokenBucketLimiter.js';
import type { AlertMessage, AlertProcessorDeps, AlertResult } from './handler/processAlert.js';
import { processMessage } from './handler/processAlert.js';
import { type BatchOptions, type BatchResult, processBatch } from './handler/processBatch.js';
import { createLogger, type Logger } from './logging/createLogger.js';
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
  const { config } = options;
  const logger = options.logger ?? createLogger();
  const clock = options.clock ?? systemClock;
  const endpoint = options.endpoint ?? config.endpoint;
  const retry = { retryMode: 'adaptive', maxAttempts: config.maxAttempts } as const;
  const base = {
    region: config.region,
    ...retry,
    ...(endpoint ? { endpoint } : {}),
    ...(options.credentials ? { credentials: options.credentials } : {}),
  };

  const sts = new STSClient(base);
  const dynamodb = new DynamoDBClient(base);
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
  });
  const gateway = new Ec2SecurityGroupGateway({
    credentials,
    clientConfig: { ...retry, ...(endpoint ? { endpoint } : {}), ...options.ec2ClientConfig },
    ...(options.limiter ? { limiter: options.limiter } : {}),
  });
  const ledger = new DynamoDbLedger({ client: documentClient, tableName: config.ledgerTable });
  const accountSources = accountSourcesFor(config, { documentClient, clock, logger, clientConfig: base });
  const deps: AlertProcessorDeps = {
    settings: config,
    accounts: options.accounts ?? accountSources.directory,
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
    accountSources,
    deps,
    processBatch: (event, owner, options) =>
      processBatch(event, { ...deps, concurrency: config.batchConcurrency }, { ...options, owner }),
    processMessage: (message) => processMessage(message, deps),
    destroy: () => {
      gateway.destroy();
      sts.destroy();
      dynamodb.destroy();
      accountSources.destroy();
    },
  };
}
