import {
  DEFAULT_EXEMPT_TAG_KEY,
  DEFAULT_LEASE_SECONDS,
  DEFAULT_STRATEGY,
  REMEDIATION_MODES,
  type RemediationMode,
  STRATEGIES,
  type Strategy,
} from './constants.js';
import { ConfigurationError } from './errors.js';
import {
  ORGANIZATION_ID_PATTERN,
  type OrganizationalUnitRef,
  parseOrganizationalUnitRef,
} from './organizationalUnits.js';
import { PACING_MODES, type PacingMode } from './pacing.js';

/**
 * The hub's settings contract: every environment variable the hub function reads, in one place. The handler
 * reads them (`loadConfig`), `local up` and the CDK stack write them (`hubEnvironment`), and infra's tests
 * check that the stack sets exactly variables listed here, every required one included.
 */
export const HUB_SETTINGS = {
  ledgerTable: { variable: 'LEDGER_TABLE', required: true },
  /** Required unless `ALLOWED_OUS` or `ACCOUNT_REGISTRY_TABLE` says which accounts the hub acts in. */
  allowedAccounts: { variable: 'ALLOWED_ACCOUNTS', required: false },
  memberRoleName: { variable: 'MEMBER_ROLE_NAME', required: true },
  memberRolePath: { variable: 'MEMBER_ROLE_PATH', required: false },
  memberExternalId: { variable: 'MEMBER_EXTERNAL_ID', required: true },
  mode: { variable: 'REMEDIATION_MODE', required: false },
  dryRunAccounts: { variable: 'DRY_RUN_ACCOUNTS', required: false },
  allowedOus: { variable: 'ALLOWED_OUS', required: false },
  dryRunOus: { variable: 'DRY_RUN_OUS', required: false },
  organizationId: { variable: 'ORGANIZATION_ID', required: false },
  accountRegistryTable: { variable: 'ACCOUNT_REGISTRY_TABLE', required: false },
  accountsCacheSeconds: { variable: 'ACCOUNTS_CACHE_SECONDS', required: false },
  registryCacheSeconds: { variable: 'REGISTRY_CACHE_SECONDS', required: false },
  strategy: { variable: 'STRATEGY', required: false },
  exemptTagKey: { variable: 'EXEMPT_TAG_KEY', required: false },
  /** Lambda sets it for every function; a stack must not (it is reserved). */
  region: { variable: 'AWS_REGION', required: true, setByLambda: true },
  endpoint: { variable: 'AWS_ENDPOINT_URL', required: false },
  leaseSeconds: { variable: 'LEASE_SECONDS', required: false },
  batchConcurrency: { variable: 'BATCH_CONCURRENCY', required: false },
  maxAttempts: { variable: 'AWS_MAX_ATTEMPTS', required: false },
  deadLetterQueueUrl: { variable: 'DEAD_LETTER_QUEUE_URL', required: false },
  logLevel: { variable: 'LOG_LEVEL', required: false },
  securityHubWriteBack: { variable: 'SECURITY_HUB_WRITE_BACK', required: false },
  outcomeTopicArn: { variable: 'OUTCOME_TOPIC_ARN', required: false },
  pacing: { variable: 'PACING', required: false },
  pacingTable: { variable: 'PACING_TABLE', required: false },
  pacingWindowSeconds: { variable: 'PACING_WINDOW_SECONDS', required: false },
} as const satisfies Record<string, { variable: string; required: boolean; setByLambda?: boolean }>;

export type HubSettingName = keyof typeof HUB_SETTINGS;

/** The variables of `HUB_SETTINGS`. */
export const HUB_VARIABLES: readonly string[] = Object.values(HUB_SETTINGS).map((s) => s.variable);

/**
 * The environment that gives the hub these settings (values as strings: CloudFormation tokens in the stack).
 * Only the settings given are written; the others keep their defaults.
 */
export function hubEnvironment(values: Partial<Record<HubSettingName, string>>): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(values)) {
    if (value !== undefined) env[HUB_SETTINGS[name as HubSettingName].variable] = value;
  }
  return env;
}

/** `SECURITY_HUB_WRITE_BACK`: whether the hub tells Security Hub what became of its findings. */
export const WRITE_BACK_SETTINGS = ['on', 'off'] as const;

/** pino's levels, for `LOG_LEVEL`. */
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

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
  /** `ALLOWED_ACCOUNTS`: accounts the hub acts in (beside the OUs' and the registry's). */
  allowedAccounts: ReadonlySet<string>;
  /** `REMEDIATION_MODE` (default `remediate`). */
  mode: RemediationMode;
  /** `DRY_RUN_ACCOUNTS`: accounts that are only planned for, whatever the mode. */
  dryRunAccounts: ReadonlySet<string>;
  /** `ALLOWED_OUS`: every account under these units (child OUs included) is allowed. */
  allowedOus: readonly OrganizationalUnitRef[];
  /** `DRY_RUN_OUS`: allowed accounts under these units are only planned for. */
  dryRunOus: readonly OrganizationalUnitRef[];
  /** `ORGANIZATION_ID` (or the organisation of the OU paths): the hub refuses to read another organisation. */
  organizationId: string | undefined;
  /** `ACCOUNT_REGISTRY_TABLE`: the account registry (allow, deny, per-account mode), if the deployment has one. */
  accountRegistryTable: string | undefined;
  /** `ACCOUNTS_CACHE_SECONDS` (default 900): how long the OUs' membership, once read, is trusted. */
  accountsCacheSeconds: number;
  /** `REGISTRY_CACHE_SECONDS` (default 60): how long the registry, once read, is trusted. */
  registryCacheSeconds: number;
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
  /**
   * `DEAD_LETTER_QUEUE_URL`: where a message goes, with the reason, when it would fail the same way on every
   * delivery and not even its failure can be recorded (the ledger refuses it); unset: it is retried as any error.
   */
  deadLetterQueueUrl: string | undefined;
  /**
   * `SECURITY_HUB_WRITE_BACK` (default `on`): after a remediation (or a failure) of a Security Hub finding, set its
   * workflow to `RESOLVED` (or `NOTIFIED`) with a note, through `BatchUpdateFindings` in the hub's region, as the
   * hub account (the Security Hub administrator). `off` where the hub account is not the administrator, or on an
   * emulator without the API.
   */
  securityHubWriteBack: boolean;
  /**
   * `OUTCOME_TOPIC_ARN`: the SNS topic that gets one outcome event per completed record; unset, the hub
   * publishes none (and makes no call for them).
   */
  outcomeTopicArn: string | undefined;
  /**
   * `PACING` (default `shared` with `PACING_TABLE`, else `local`): `local`, each container paces mutating EC2 calls
   * with its own bucket per account and region; `shared`, a container that was throttled in an account and region
   * (or finds other containers queueing there) takes its slots from one schedule per account and region in
   * `PACING_TABLE`, so all containers together stay under EC2's refill. No extra call while nothing is throttled.
   */
  pacing: PacingMode;
  /** `PACING_TABLE`: the DynamoDB table of the shared schedules (key `bucketKey`, TTL `expiresAt`). */
  pacingTable: string | undefined;
  /** `PACING_WINDOW_SECONDS` (default 60): how long the shared schedule stays engaged after the last throttle. */
  pacingWindowSeconds: number;
}

type Env = Readonly<Record<string, string | undefined>>;

const ACCOUNT_ID = /^\d{12}$/;
const TABLE_NAME = /^[A-Za-z0-9_.-]{3,255}$/;
const ROLE_NAME = /^[\w+=,.@-]{1,64}$/;
const ROLE_PATH = /^\/(?:[\x21-\x7e]+\/)?$/;
const EXTERNAL_ID = /^[\w+=,.@:/-]{2,1224}$/;
const TOPIC_ARN = /^arn:aws[\w-]*:sns:[a-z0-9-]+:\d{12}:[\w-]{1,256}$/;

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
export function loadConfig(env: Env): HubConfig {
  const { config, problems } = read(env);
  if (problems.length > 0 || config === undefined) {
    throw new ConfigurationError(`invalid configuration: ${problems.join('; ')}`);
  }
  return config;
}

const V = Object.fromEntries(Object.entries(HUB_SETTINGS).map(([k, s]) => [k, s.variable])) as {
  [K in HubSettingName]: (typeof HUB_SETTINGS)[K]['variable'];
};

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

  const ledgerTable = required(V.ledgerTable, TABLE_NAME, 'a DynamoDB table name');
  const memberRoleName = required(V.memberRoleName, ROLE_NAME, 'an IAM role name');
  const memberRolePath = optional(
    V.memberRolePath,
    ROLE_PATH,
    'an IAM path such as / or /remediation-hub/',
    '/',
  );
  const memberExternalId = required(
    V.memberExternalId,
    EXTERNAL_ID,
    'an STS external id of 2 to 1224 characters [\\w+=,.@:/-]',
  );
  const units = (name: string): OrganizationalUnitRef[] => {
    const v = value(name);
    if (v === undefined) return [];
    const texts = v
      .split(',')
      .map((s) => s.trim())
      .filter((s) => s !== '');
    const refs = texts.map((text) => ({ text, ref: parseOrganizationalUnitRef(text) }));
    const bad = refs.filter((r) => r.ref === undefined).map((r) => JSON.stringify(r.text));
    if (bad.length > 0) {
      problems.push(
        `${name} must be comma-separated OU ids (ou-ab12-11111111), root ids (r-ab12) or organisation paths (o-a1b2c3d4e5/r-ab12/ou-ab12-11111111/), got ${bad.join(', ')}`,
      );
    }
    return refs.flatMap((r) => (r.ref === undefined ? [] : [r.ref]));
  };
  const allowedOus = units(V.allowedOus);
  const dryRunOus = units(V.dryRunOus);
  const accountRegistryTable = value(V.accountRegistryTable);
  if (accountRegistryTable !== undefined && !TABLE_NAME.test(accountRegistryTable)) {
    problems.push(
      `${V.accountRegistryTable} must be a DynamoDB table name, got ${JSON.stringify(accountRegistryTable)}`,
    );
  }
  const organizationId = organizationOf(value(V.organizationId), [...allowedOus, ...dryRunOus], problems);
  const allowedAccounts = accounts(V.allowedAccounts, false);
  // A malformed list is reported as such above; only an absent one leaves the hub without any source.
  const listsAccounts = (value(V.allowedAccounts) ?? '').split(',').some((id) => id.trim() !== '');
  if (!listsAccounts && allowedOus.length === 0 && accountRegistryTable === undefined) {
    problems.push(
      `${V.allowedAccounts}, ${V.allowedOus} or ${V.accountRegistryTable} is required (which accounts the hub acts in)`,
    );
  }
  if (dryRunOus.length > 0 && allowedOus.length === 0) {
    problems.push(
      `${V.dryRunOus} needs ${V.allowedOus}: dry-run units only narrow the allowed ones (list a unit in both to onboard it in dry-run)`,
    );
  }
  const accountsCacheSeconds = integer(V.accountsCacheSeconds, 10, 86_400, 900);
  const registryCacheSeconds = integer(V.registryCacheSeconds, 1, 3_600, 60);
  const mode = oneOf(V.mode, REMEDIATION_MODES, 'remediate');
  const dryRunAccounts = accounts(V.dryRunAccounts, false);
  const strategy = oneOf(V.strategy, STRATEGIES, DEFAULT_STRATEGY);
  const exemptTagKey = optional(
    V.exemptTagKey,
    /^.{1,128}$/,
    'a tag key of 1 to 128 characters',
    DEFAULT_EXEMPT_TAG_KEY,
  );
  const region = value(V.region) ?? value('AWS_DEFAULT_REGION');
  if (region === undefined) problems.push('AWS_REGION is required (the hub region, e.g. us-east-1)');
  else if (!/^[a-z]{2}(-[a-z]+)+-\d+$/.test(region)) {
    problems.push(`AWS_REGION must be an AWS region such as us-east-1, got ${JSON.stringify(region)}`);
  }
  const endpoint = value(V.endpoint);
  if (endpoint !== undefined && !URL.canParse(endpoint)) {
    problems.push(`AWS_ENDPOINT_URL must be a URL, got ${JSON.stringify(endpoint)}`);
  }
  const leaseSeconds = integer(V.leaseSeconds, 5, 3600, DEFAULT_LEASE_SECONDS);
  const batchConcurrency = integer(V.batchConcurrency, 1, 100, 10);
  const maxAttempts = integer(V.maxAttempts, 1, 10, 5);
  const deadLetterQueueUrl = value(V.deadLetterQueueUrl);
  if (deadLetterQueueUrl !== undefined && !URL.canParse(deadLetterQueueUrl)) {
    problems.push(
      `${V.deadLetterQueueUrl} must be an SQS queue URL, got ${JSON.stringify(deadLetterQueueUrl)}`,
    );
  }
  const securityHubWriteBack = oneOf(V.securityHubWriteBack, WRITE_BACK_SETTINGS, 'on') === 'on';
  const logLevel = value(V.logLevel);
  if (logLevel !== undefined && !(LOG_LEVELS as readonly string[]).includes(logLevel)) {
    problems.push(`LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}, got ${JSON.stringify(logLevel)}`);
  }

  const outcomeTopicArn = value(V.outcomeTopicArn);
  if (outcomeTopicArn !== undefined && !TOPIC_ARN.test(outcomeTopicArn)) {
    problems.push(
      `OUTCOME_TOPIC_ARN must be an SNS topic ARN such as arn:aws:sns:us-east-1:123456789012:outcomes, got ${JSON.stringify(outcomeTopicArn)}`,
    );
  }

  const pacingTable = value(V.pacingTable);
  if (pacingTable !== undefined && !TABLE_NAME.test(pacingTable)) {
    problems.push(`${V.pacingTable} must be a DynamoDB table name, got ${JSON.stringify(pacingTable)}`);
  }
  const pacing = oneOf<PacingMode>(V.pacing, PACING_MODES, pacingTable === undefined ? 'local' : 'shared');
  if (pacing === 'shared' && pacingTable === undefined) {
    problems.push(`${V.pacing}=shared needs ${V.pacingTable} (the table of the shared schedules)`);
  }
  const pacingWindowSeconds = integer(V.pacingWindowSeconds, 1, 3600, 60);

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
      allowedOus,
      dryRunOus,
      organizationId,
      accountRegistryTable,
      accountsCacheSeconds,
      registryCacheSeconds,
      strategy,
      exemptTagKey,
      region,
      endpoint,
      partition: partitionOfRegion(region),
      leaseSeconds,
      batchConcurrency,
      maxAttempts,
      deadLetterQueueUrl,
      securityHubWriteBack,
      outcomeTopicArn,
      pacing,
      pacingTable,
      pacingWindowSeconds,
    },
  };
}

/** `ORGANIZATION_ID`, or the one organisation the OU paths name; a path of another organisation is a problem. */
function organizationOf(
  configured: string | undefined,
  units: readonly OrganizationalUnitRef[],
  problems: string[],
): string | undefined {
  if (configured !== undefined && !ORGANIZATION_ID_PATTERN.test(configured)) {
    problems.push(
      `ORGANIZATION_ID must be an organisation id such as o-a1b2c3d4e5, got ${JSON.stringify(configured)}`,
    );
    return undefined;
  }
  const named = [
    ...new Set(units.flatMap((u) => (u.organizationId === undefined ? [] : [u.organizationId]))),
  ];
  const all = configured === undefined ? named : [configured, ...named.filter((o) => o !== configured)];
  if (all.length > 1) {
    problems.push(
      `ALLOWED_OUS, DRY_RUN_OUS and ORGANIZATION_ID name more than one organisation: ${all.join(', ')}`,
    );
  }
  return all[0];
}
