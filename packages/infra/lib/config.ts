import { DEFAULT_MAX_RECEIVE_COUNT, LEDGER_TABLE } from '@remediation-hub/core';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';

/**
 * Synth-time configuration of the app: names and sizes that must agree between the hub stack and the
 * member-role template, or that CDK needs as numbers at synth time. Deploy-time choices (Evident's
 * account and external id, the allow-list, the mode) are CloudFormation parameters instead.
 */
export interface RemediationHubConfig {
  /** Name of the role the hub assumes in every member account. */
  readonly memberRoleName: string;
  /** IAM path of the member role: starts and ends with `/`. */
  readonly memberRolePath: string;
  /** Name of the hub function's execution role; member roles trust exactly this role (aws:PrincipalArn). */
  readonly hubRoleName: string;
  readonly hubRolePath: string;
  /** Lambda timeout; the queue's visibility timeout is six times this plus the batching window. */
  readonly functionTimeoutSeconds: number;
  readonly functionMemoryMb: number;
  /** Reserved concurrency of the hub function (an upper bound on the hub's own parallelism). */
  readonly reservedConcurrency: number;
  /** Maximum concurrency of the SQS event source (2 to 1,000, at most the reserved concurrency). */
  readonly maxConcurrency: number;
  readonly batchSize: number;
  readonly maxBatchingWindowSeconds: number;
  /** Default of the MaxReceiveCount parameter: receives before a message goes to the dead-letter queue. */
  readonly defaultMaxReceiveCount: number;
  /** The oldest-message alarm fires when a message has waited this long. */
  readonly oldestMessageAlarmSeconds: number;
  readonly logRetentionDays: number;
  /** Name of the StackSet the StackSet stack creates in the management or delegated-administrator account. */
  readonly stackSetName: string;
  /**
   * How many of the ledger's indexes (in `LEDGER_TABLE`'s order) the table has. All of them, except while
   * upgrading a table made with fewer: DynamoDB adds one index per table update, so such a stack is updated once
   * per missing index, this raised by one each time (docs/deployment.md, "Upgrading the ledger's indexes").
   */
  readonly ledgerIndexes: number;
}

/** The indexes of a ledger table made before 2026-12 (byAccount, byResource, byOutcome). */
export const FIRST_LEDGER_INDEXES = 3;

export const DEFAULT_CONFIG: RemediationHubConfig = {
  memberRoleName: 'RemediationHubMemberRole',
  memberRolePath: '/remediation-hub/',
  hubRoleName: 'RemediationHubFunctionRole',
  hubRolePath: '/remediation-hub/',
  functionTimeoutSeconds: 60,
  functionMemoryMb: 512,
  reservedConcurrency: 10,
  maxConcurrency: 5,
  batchSize: 10,
  maxBatchingWindowSeconds: 0,
  defaultMaxReceiveCount: DEFAULT_MAX_RECEIVE_COUNT,
  oldestMessageAlarmSeconds: 900,
  logRetentionDays: 365,
  stackSetName: 'remediation-hub-member-role',
  ledgerIndexes: LEDGER_TABLE.globalSecondaryIndexes.length,
};

/** Stack names, fixed so that the synthesized file names and the docs' commands stay stable. */
export const STACK_NAMES = {
  hub: 'RemediationHub',
  memberRole: 'RemediationHubMemberRole',
  memberRoleStackSet: 'RemediationHubMemberRoleStackSet',
} as const;

/** Lambda's SQS guidance: at least six times the function timeout, plus the batching window. */
export function queueVisibilityTimeoutSeconds(config: RemediationHubConfig): number {
  return 6 * config.functionTimeoutSeconds + config.maxBatchingWindowSeconds;
}

/**
 * The hub's claim lease (`LEASE_SECONDS`): longer than the function may run, so a lease can never expire
 * under an invocation that is still changing the group (another worker would then take it over).
 */
export function leaseSecondsFor(config: RemediationHubConfig): number {
  return config.functionTimeoutSeconds + 60;
}

/** The ARN pattern the hub may assume: the member role, in any account of any partition. */
export function memberRoleArnPattern(config: RemediationHubConfig): string {
  return `arn:*:iam::*:role${config.memberRolePath}${config.memberRoleName}`;
}

export class InfraConfigError extends Error {
  override readonly name = 'InfraConfigError';
}

const ROLE_NAME = /^[\w+=,.@-]{1,64}$/;
const ROLE_PATH = /^\/([\x21-\x7e]{0,510}\/)?$/;

/**
 * Merges overrides (the CDK context key `remediationHub`: an object from cdk.json, or a JSON string from
 * `-c remediationHub='{...}'`) into the defaults and validates the result.
 */
export function resolveConfig(input: unknown = {}): RemediationHubConfig {
  let overrides = input;
  if (typeof input === 'string') {
    try {
      overrides = JSON.parse(input);
    } catch (error) {
      throw new InfraConfigError('the remediationHub context is not valid JSON', { cause: error });
    }
  }
  if (overrides === null || typeof overrides !== 'object' || Array.isArray(overrides)) {
    throw new InfraConfigError('the remediationHub context must be an object');
  }
  const unknownKeys = Object.keys(overrides).filter((key) => !(key in DEFAULT_CONFIG));
  if (unknownKeys.length > 0) {
    throw new InfraConfigError(`unknown remediationHub setting(s): ${unknownKeys.join(', ')}`);
  }
  const config = { ...DEFAULT_CONFIG, ...overrides } as RemediationHubConfig;
  const problems: string[] = [];
  for (const key of ['memberRoleName', 'hubRoleName'] as const) {
    if (typeof config[key] !== 'string' || !ROLE_NAME.test(config[key]))
      problems.push(`${key} is not an IAM role name`);
  }
  for (const key of ['memberRolePath', 'hubRolePath'] as const) {
    if (typeof config[key] !== 'string' || !ROLE_PATH.test(config[key])) {
      problems.push(`${key} must start and end with "/"`);
    }
  }
  const integer = (key: keyof RemediationHubConfig, min: number, max: number): void => {
    const value = config[key];
    if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
      problems.push(`${key} must be an integer from ${min} to ${max}`);
    }
  };
  integer('functionTimeoutSeconds', 1, 900);
  integer('functionMemoryMb', 128, 10_240);
  integer('reservedConcurrency', 2, 1_000);
  integer('maxConcurrency', 2, 1_000);
  integer('batchSize', 1, 10_000);
  integer('maxBatchingWindowSeconds', 0, 300);
  integer('defaultMaxReceiveCount', 1, 1_000);
  integer('oldestMessageAlarmSeconds', 60, 1_209_600);
  integer('ledgerIndexes', FIRST_LEDGER_INDEXES, LEDGER_TABLE.globalSecondaryIndexes.length);
  if (!(Object.values(RetentionDays) as unknown[]).includes(config.logRetentionDays)) {
    problems.push('logRetentionDays must be a CloudWatch Logs retention period (e.g. 365)');
  }
  if (typeof config.stackSetName !== 'string' || !/^[A-Za-z][A-Za-z0-9-]{0,127}$/.test(config.stackSetName)) {
    problems.push('stackSetName is not a StackSet name');
  }
  if (problems.length === 0) {
    if (config.maxConcurrency > config.reservedConcurrency) {
      problems.push('maxConcurrency must not exceed reservedConcurrency');
    }
    if (config.batchSize > 10 && config.maxBatchingWindowSeconds === 0) {
      problems.push('a batchSize above 10 needs a maxBatchingWindowSeconds of at least 1');
    }
  }
  if (problems.length > 0)
    throw new InfraConfigError(`invalid remediationHub config: ${problems.join('; ')}`);
  return config;
}
