import {
  ConfigurationError,
  DEFAULT_EXEMPT_TAG_KEY,
  DEFAULT_LEASE_SECONDS,
  DEFAULT_STRATEGY,
  REMEDIATION_MODES,
  type RemediationMode,
  STRATEGIES,
  type Strategy,
} from '@remediation-hub/core';
import { LOG_LEVELS } from './logging/createLogger.js';

/** The hub's configuration, read once from the environment at start. */
export interface HubConfig {
  /** `LEDGER_TABLE`: the DynamoDB ledger table. */
  ledgerTable: string;
  /** `MEMBER_ROLE_NAME`: the role the hub assumes in each member account. */
  memberRoleName: string;
  /** `MEMBER_ROLE_PATH` (default `/`): the IAM path of that role, `/` or `/a/b/`. */
  memberRolePath: string;
  /** `MEMBER_EXTERNAL_ID`: sent with every AssumeRole (the member role's trust condition). */
  memberExternalId: string;
  /** `ALLOWED_ACCOUNTS`: the only accounts the hub acts in. */
  allowedAccounts: ReadonlySet<string>;
  /** `REMEDIATION_MODE` (default `remediate`). */
  mode: RemediationMode;
  /** `DRY_RUN_ACCOUNTS`: accounts that are only planned for, whatever the mode. */
  dryRunAccounts: ReadonlySet<string>;
  /** `STRATEGY` (default `revoke`). */
  strategy: Strategy;
  /** `EXEMPT_TAG_KEY` (default `remediation-hub:exempt`). */
  exemptTagKey: string;
  /** `AWS_REGION` (or `AWS_DEFAULT_REGION`): the hub's own region (STS, DynamoDB, SQS). */
  region: string;
  /** `AWS_ENDPOINT_URL`: an emulator endpoint for every client; unset on AWS. */
  endpoint: string | undefined;
  /** The partition of the hub's region (`aws`, `aws-cn`, `aws-us-gov`), used in role ARNs. */
  partition: string;
  /** `LEASE_SECONDS` (default 120): how long a claim stays exclusive to one worker. */
  leaseSeconds: number;
  /** `BATCH_CONCURRENCY` (default 10): alerts of one batch processed at the same time. */
  batchConcurrency: number;
  /** `AWS_MAX_ATTEMPTS` (default 5): SDK attempts per call, retry mode adaptive. */
  maxAttempts: number;
}

type Env = Readonly<Record<string, string | undefined>>;

const ACCOUNT_ID = /^\d{12}$/;
const TABLE_NAME = /^[A-Za-z0-9_.-]{3,255}$/;
const ROLE_NAME = /^[\w+=,.@-]{1,64}$/;
const ROLE_PATH = /^\/(?:[\x21-\x7e]+\/)?$/;
const EXTERNAL_ID = /^[\w+=,.@:/-]{2,1224}$/;

/** The partition a region belongs to (role ARNs are partition-qualified). */
export function partitionOfRegion(region: string): string {
  if (region.startsWith('cn-')) return 'aws-cn';
  if (region.startsWith('us-gov-')) return 'aws-us-gov';
  if (region.startsWith('us-iso-')) return 'aws-iso';
  if (region.startsWith('us-isob-')) return 'aws-iso-b';
  return 'aws';
}

/**
 * Every problem with the environment, one line per bad variable (empty when the configuration is valid).
 */
export function configurationProblems(env: Env): string[] {
  return read(env).problems;
}

/**
 * Reads and validates the hub's configuration. Throws one `ConfigurationError` that names every bad
 * variable, so a broken deployment is fixed in one round.
 */
export function loadConfig(env: Env = process.env): HubConfig {
  const { config, problems } = read(env);
  if (problems.length > 0 || config === undefined) {
    throw new ConfigurationError(`invalid configuration: ${problems.join('; ')}`);
  }
  return config;
}

function read(env: Env): { config: HubConfig | undefined; problems: string[] } {
  const problems: string[] = [];
  const value = (name: string): string | undefined => {
    const raw = env[name]?.trim();
    return raw === undefined || raw === '' ? undefined : raw;
  };
  const required = (name: string, pattern: RegExp, what: string): string => {
    const v = value(name);
    if (v === undefined) {
      problems.push(`${name} is required (${what})`);
      return '';
    }
    if (!pattern.test(v)) problems.push(`${name} must be ${what}, got ${JSON.stringify(v)}`);
    return v;
  };
  const optional = (name: string, pattern: RegExp, what: string, fallback: string): string => {
    const v = value(name);
    if (v === undefined) return fallback;
    if (!pattern.test(v)) problems.push(`${name} must be ${what}, got ${JSON.stringify(v)}`);
    return v;
  };
  const oneOf = <T extends string>(name: string, allowed: readonly T[], fallback: T): T => {
    const v = value(name);
    if (v === undefined) return fallback;
    if (!(allowed as readonly string[]).includes(v)) {
      problems.push(`${name} must be one of ${allowed.join(', ')}, got ${JSON.stringify(v)}`);
      return fallback;
    }
    return v as T;
  };
  const integer = (name: string, min: number, max: number, fallback: number): number => {
    const v = value(name);
    if (v === undefined) return fallback;
    const n = Number(v);
    if (!/^\d+$/.test(v) || n < min || n > max) {
      problems.push(`${name} must be an integer from ${min} to ${max}, got ${JSON.stringify(v)}`);
      return fallback;
    }
    return n;
  };
  const accounts = (name: string, isRequired: boolean): Set<string> => {
    const v = value(name);
    if (v === undefined) {
      if (isRequired) problems.push(`${name} is required (comma-separated 12-digit account ids)`);
      return new Set();
    }
    const ids = v
      .split(',')
      .map((s) => s.trim())
      .filter((s) => s !== '');
    const bad = ids.filter((id) => !ACCOUNT_ID.test(id));
    if (bad.length > 0) {
      problems.push(
        `${name} must be comma-separated 12-digit account ids, got ${bad.map((b) => JSON.stringify(b)).join(', ')}`,
      );
    } else if (ids.length === 0 && isRequired) {
      problems.push(`${name} is required (comma-separated 12-digit account ids)`);
    }
    return new Set(ids.filter((id) => ACCOUNT_ID.test(id)));
  };

  const ledgerTable = required('LEDGER_TABLE', TABLE_NAME, 'a DynamoDB table name');
  const memberRoleName = required('MEMBER_ROLE_NAME', ROLE_NAME, 'an IAM role name');
  const memberRolePath = optional(
    'MEMBER_ROLE_PATH',
    ROLE_PATH,
    'an IAM path such as / or /remediation-hub/',
    '/',
  );
  const memberExternalId = required(
    'MEMBER_EXTERNAL_ID',
    EXTERNAL_ID,
    'an STS external id of 2 to 1224 characters [\\w+=,.@:/-]',
  );
  const allowedAccounts = accounts('ALLOWED_ACCOUNTS', true);
  const mode = oneOf('REMEDIATION_MODE', REMEDIATION_MODES, 'remediate');
  const dryRunAccounts = accounts('DRY_RUN_ACCOUNTS', false);
  const strategy = oneOf('STRATEGY', STRATEGIES, DEFAULT_STRATEGY);
  const exemptTagKey = optional(
    'EXEMPT_TAG_KEY',
    /^.{1,128}$/,
    'a tag key of 1 to 128 characters',
    DEFAULT_EXEMPT_TAG_KEY,
  );
  const region = value('AWS_REGION') ?? value('AWS_DEFAULT_REGION');
  if (region === undefined) problems.push('AWS_REGION is required (the hub region, e.g. us-east-1)');
  else if (!/^[a-z]{2}(-[a-z]+)+-\d+$/.test(region)) {
    problems.push(`AWS_REGION must be an AWS region such as us-east-1, got ${JSON.stringify(region)}`);
  }
  const endpoint = value('AWS_ENDPOINT_URL');
  if (endpoint !== undefined && !URL.canParse(endpoint)) {
    problems.push(`AWS_ENDPOINT_URL must be a URL, got ${JSON.stringify(endpoint)}`);
  }
  const leaseSeconds = integer('LEASE_SECONDS', 5, 3600, DEFAULT_LEASE_SECONDS);
  const batchConcurrency = integer('BATCH_CONCURRENCY', 1, 100, 10);
  const maxAttempts = integer('AWS_MAX_ATTEMPTS', 1, 10, 5);
  const logLevel = value('LOG_LEVEL');
  if (logLevel !== undefined && !(LOG_LEVELS as readonly string[]).includes(logLevel)) {
    problems.push(`LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}, got ${JSON.stringify(logLevel)}`);
  }

  if (problems.length > 0 || region === undefined) return { config: undefined, problems };
  return {
    problems,
    config: {
      ledgerTable,
      memberRoleName,
      memberRolePath,
      memberExternalId,
      allowedAccounts,
      mode,
      dryRunAccounts,
      strategy,
      exemptTagKey,
      region,
      endpoint,
      partition: partitionOfRegion(region),
      leaseSeconds,
      batchConcurrency,
      maxAttempts,
    },
  };
}
