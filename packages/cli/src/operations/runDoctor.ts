import { DescribeTableCommand, type DynamoDBClient, type TableDescription } from '@aws-sdk/client-dynamodb';
import {
  DescribeSecurityGroupsCommand,
  EC2Client,
  RevokeSecurityGroupIngressCommand,
} from '@aws-sdk/client-ec2';
import { GetQueueAttributesCommand, GetQueueUrlCommand, SQSClient } from '@aws-sdk/client-sqs';
import {
  ACCOUNT_REGISTRY_TABLE,
  AccessDeniedError,
  type AccountStanding,
  configurationProblems,
  type HubConfig,
  LEDGER_TABLE,
  loadConfig,
  type StandingSource,
} from '@remediation-hub/core';
import {
  awsErrorCode,
  CompositeAccountDirectory,
  type CompositionRoot,
  createCompositionRoot,
  createLogger,
  TokenBucketLimiter,
} from '@remediation-hub/hub-handler';
import { cliHubCredentials } from '../hubEnvironment.js';

type Env = Readonly<Record<string, string | undefined>>;

export type CheckStatus = 'ok' | 'problem' | 'skipped';

export interface DoctorCheck {
  check: string;
  status: CheckStatus;
  detail: string;
}

/** What trying the member role of one account found. */
export interface AccountProbe {
  accountId: string;
  standing: AccountStanding | 'unknown';
  source: StandingSource | undefined;
  /** `sts:AssumeRole` with the ExternalId. */
  assume: CheckStatus;
  /** `ec2:DescribeSecurityGroups` in the hub region. */
  describe: CheckStatus;
  /** `ec2:RevokeSecurityGroupIngress` with `DryRun` on one of the account's groups. */
  revoke: CheckStatus;
  /** What is wrong, when anything is. */
  problem: string | undefined;
}

export interface DoctorReport {
  healthy: boolean;
  checks: DoctorCheck[];
  accounts: AccountProbe[];
}

export interface DoctorOptions {
  env: Env;
  /** `all` (every account the hub may act in) or these accounts. */
  accounts: 'all' | readonly string[];
  /** The hub queue (default `QUEUE_URL`). */
  queueUrl?: string | undefined;
  /** Overrides `AWS_ENDPOINT_URL` (tests put a recording proxy here). */
  endpoint?: string | undefined;
  /** Member accounts probed per second (default 10) and at once (default 4): STS allows 600 per s, EC2 is per account. */
  ratePerSecond?: number;
  concurrency?: number;
  onProgress?: (line: string) => void;
}

/** A security group revoked in dry-run only: TEST-NET-1, never a rule anyone has. */
const PROBE_PERMISSION = {
  IpProtocol: 'tcp',
  FromPort: 22,
  ToPort: 22,
  IpRanges: [{ CidrIp: '192.0.2.1/32' }],
};

/**
 * Checks a hub the way an operator would after onboarding: the configuration, the ledger table and its indexes,
 * the registry table, the queue and its dead-letter queue, the OUs, then the member role of each account the hub
 * may act in (paced): AssumeRole with the ExternalId, DescribeSecurityGroups, and a dry-run
 * RevokeSecurityGroupIngress (EC2 answers `DryRunOperation` when the role may, `UnauthorizedOperation` when not).
 */
export async function runDoctor(options: DoctorOptions): Promise<DoctorReport> {
  const checks: DoctorCheck[] = [];
  const problems = configurationProblems(options.env);
  if (problems.length > 0) {
    checks.push({ check: 'configuration', status: 'problem', detail: problems.join('; ') });
    return { healthy: false, checks, accounts: [] };
  }
  const config = loadConfig(options.env);
  checks.push({ check: 'configuration', status: 'ok', detail: describeConfig(config) });
  const credentials = cliHubCredentials(options.env);
  const root = createCompositionRoot({
    config,
    logger: createLogger({ destination: 'stderr', level: 'silent' }),
    sessionName: 'remediation-hub-doctor',
    ...(credentials ? { credentials } : {}),
    ...(options.endpoint ? { endpoint: options.endpoint } : {}),
  });
  const endpoint = options.endpoint ?? config.endpoint;
  const sqs = new SQSClient({
    region: config.region,
    maxAttempts: config.maxAttempts,
    ...(endpoint ? { endpoint } : {}),
    ...(credentials ? { credentials } : {}),
  });
  try {
    checks.push(
      await checkTable(
        root.dynamodb,
        'ledger table',
        config.ledgerTable,
        LEDGER_TABLE.globalSecondaryIndexes.map((i) => i.indexName),
      ),
    );
    if (config.accountRegistryTable !== undefined) {
      checks.push(
        await checkTable(root.dynamodb, 'registry table', config.accountRegistryTable, [
          ACCOUNT_REGISTRY_TABLE.currentIndex.indexName,
        ]),
      );
    }
    checks.push(
      ...(await checkQueues(
        sqs,
        options.queueUrl ?? nonEmpty(options.env.QUEUE_URL),
        nonEmpty(options.env.DEAD_LETTER_QUEUE_URL),
      )),
    );
    const organizations = root.accountSources.organizations;
    if (organizations !== undefined) {
      try {
        const snapshot = await organizations.snapshot();
        checks.push({
          check: 'organizations',
          status: 'ok',
          detail: `${config.allowedOus.length} allowed unit(s) and ${config.dryRunOus.length} dry-run unit(s) hold ${snapshot.allowed.size} account(s) (${snapshot.dryRun.size} in dry-run): ${snapshot.units} unit(s) walked in ${snapshot.calls} call(s)`,
        });
      } catch (error) {
        checks.push({ check: 'organizations', status: 'problem', detail: messageOf(error) });
      }
    }
    const registry = root.accountSources.registry;
    if (registry !== undefined) {
      try {
        const snapshot = await registry.snapshot();
        const denied = [...snapshot.standings.values()].filter((s) => s === 'deny').length;
        checks.push({
          check: 'registry',
          status: 'ok',
          detail: `${snapshot.standings.size} entr${snapshot.standings.size === 1 ? 'y' : 'ies'} (${denied} deny)`,
        });
      } catch (error) {
        checks.push({ check: 'registry', status: 'problem', detail: messageOf(error) });
      }
    }
    const accounts = await probeAccounts(root, config, options, endpoint);
    const bad = accounts.filter((a) => a.problem !== undefined);
    checks.push({
      check: 'member roles',
      status: accounts.length === 0 ? 'skipped' : bad.length > 0 ? 'problem' : 'ok',
      detail:
        accounts.length === 0
          ? 'no account to try'
          : bad.length > 0
            ? `${bad.length} of ${accounts.length} account(s) with a problem: ${bad.map((a) => a.accountId).join(', ')}`
            : `${accounts.length} account(s): AssumeRole with the external id, DescribeSecurityGroups and a dry-run RevokeSecurityGroupIngress all allowed`,
    });
    return { healthy: checks.every((c) => c.status !== 'problem'), checks, accounts };
  } finally {
    sqs.destroy();
    root.destroy();
  }
}

function describeConfig(config: HubConfig): string {
  const sources = [
    config.allowedAccounts.size > 0 ? `${config.allowedAccounts.size} listed account(s)` : undefined,
    config.allowedOus.length > 0 ? `${config.allowedOus.length} OU(s)` : undefined,
    config.accountRegistryTable !== undefined ? `registry ${config.accountRegistryTable}` : undefined,
  ].filter((s) => s !== undefined);
  return `accounts from ${sources.join(', ')}; ${config.mode}, ${config.strategy}; member role ${config.memberRolePath}${config.memberRoleName}`;
}

async function checkTable(
  dynamodb: DynamoDBClient,
  check: string,
  name: string,
  indexes: readonly string[],
): Promise<DoctorCheck> {
  let table: TableDescription | undefined;
  try {
    table = (await dynamodb.send(new DescribeTableCommand({ TableName: name }))).Table;
  } catch (error) {
    const detail =
      awsErrorCode(error) === 'ResourceNotFoundException'
        ? `table ${name} does not exist in this account and region (check the table name)`
        : `cannot describe table ${name}: ${messageOf(error)}`;
    return { check, status: 'problem', detail };
  }
  const present = new Map((table?.GlobalSecondaryIndexes ?? []).map((i) => [i.IndexName, i.IndexStatus]));
  const missing = indexes.filter((i) => !present.has(i));
  const inactive = indexes.filter((i) => present.has(i) && present.get(i) !== 'ACTIVE');
  if (table?.TableStatus !== 'ACTIVE' || missing.length > 0 || inactive.length > 0) {
    const parts = [
      table?.TableStatus !== 'ACTIVE' ? `is ${table?.TableStatus ?? 'unknown'}` : undefined,
      missing.length > 0 ? `lacks index(es) ${missing.join(', ')}` : undefined,
      inactive.length > 0 ? `index(es) not active yet: ${inactive.join(', ')}` : undefined,
    ].filter((p) => p !== undefined);
    return { check, status: 'problem', detail: `table ${name} ${parts.join(', ')}` };
  }
  return { check, status: 'ok', detail: `${name} ACTIVE, indexes ${indexes.join(', ')}` };
}

async function checkQueues(
  sqs: SQSClient,
  queueUrl: string | undefined,
  deadLetterUrl: string | undefined,
): Promise<DoctorCheck[]> {
  if (queueUrl === undefined) {
    return [
      {
        check: 'queue',
        status: 'skipped',
        detail: 'no --queue-url and no QUEUE_URL (the hub stack outputs QueueUrl)',
      },
    ];
  }
  const checks: DoctorCheck[] = [];
  let redrive: { deadLetterTargetArn?: string; maxReceiveCount?: number } | undefined;
  try {
    const { Attributes = {} } = await sqs.send(
      new GetQueueAttributesCommand({
        QueueUrl: queueUrl,
        AttributeNames: [
          'ApproximateNumberOfMessages',
          'ApproximateNumberOfMessagesNotVisible',
          'RedrivePolicy',
        ],
      }),
    );
    redrive = Attributes.RedrivePolicy ? JSON.parse(Attributes.RedrivePolicy) : undefined;
    checks.push({
      check: 'queue',
      status: redrive === undefined ? 'problem' : 'ok',
      detail: `${Attributes.ApproximateNumberOfMessages ?? '?'} waiting, ${Attributes.ApproximateNumberOfMessagesNotVisible ?? '?'} in flight${redrive === undefined ? '; no dead-letter queue: a failing alert would be retried until it expires' : `, dead letters after ${redrive.maxReceiveCount} receives`}`,
    });
  } catch (error) {
    return [{ check: 'queue', status: 'problem', detail: `cannot read ${queueUrl}: ${messageOf(error)}` }];
  }
  let dlqUrl = deadLetterUrl;
  try {
    if (dlqUrl === undefined && redrive?.deadLetterTargetArn !== undefined) {
      const [, , , , owner, name] = redrive.deadLetterTargetArn.split(':');
      dlqUrl = (await sqs.send(new GetQueueUrlCommand({ QueueName: name, QueueOwnerAWSAccountId: owner })))
        .QueueUrl;
    }
    if (dlqUrl === undefined) return checks;
    const { Attributes = {} } = await sqs.send(
      new GetQueueAttributesCommand({ QueueUrl: dlqUrl, AttributeNames: ['ApproximateNumberOfMessages'] }),
    );
    const depth = Number(Attributes.ApproximateNumberOfMessages ?? 0);
    checks.push({
      check: 'dead letters',
      status: depth > 0 ? 'problem' : 'ok',
      detail:
        depth > 0
          ? `${depth} message(s) in ${dlqUrl}: alerts the hub gave up on (read them, fix the cause, redrive; docs/operations.md)`
          : `none in ${dlqUrl}`,
    });
  } catch (error) {
    checks.push({
      check: 'dead letters',
      status: 'problem',
      detail: `cannot read the dead-letter queue: ${messageOf(error)}`,
    });
  }
  return checks;
}

async function probeAccounts(
  root: CompositionRoot,
  config: HubConfig,
  options: DoctorOptions,
  endpoint: string | undefined,
): Promise<AccountProbe[]> {
  const directory = root.deps.accounts;
  let candidates: string[];
  if (options.accounts === 'all') {
    const all = new Set(config.allowedAccounts);
    const organizations = root.accountSources.organizations;
    if (organizations !== undefined) {
      for (const id of (await organizations.snapshot().catch(() => undefined))?.allowed ?? []) all.add(id);
    }
    const registry = root.accountSources.registry;
    if (registry !== undefined) {
      for (const id of (await registry.snapshot().catch(() => undefined))?.standings.keys() ?? [])
        all.add(id);
    }
    candidates = [...all].sort();
  } else {
    candidates = [...options.accounts];
  }
  const limiter = new TokenBucketLimiter({ capacity: 1, refillPerSecond: options.ratePerSecond ?? 10 });
  const results: AccountProbe[] = new Array(candidates.length);
  let next = 0;
  const explicit = options.accounts !== 'all';
  const worker = async () => {
    for (let index = next++; index < candidates.length; index = next++) {
      const accountId = candidates[index] as string;
      const probe: AccountProbe = {
        accountId,
        standing: 'unknown',
        source: undefined,
        assume: 'skipped',
        describe: 'skipped',
        revoke: 'skipped',
        problem: undefined,
      };
      results[index] = probe;
      try {
        if (directory instanceof CompositeAccountDirectory) {
          const { decision } = await directory.explain(accountId);
          probe.standing = decision.standing;
          probe.source = 'source' in decision ? decision.source : undefined;
        } else {
          probe.standing = await directory.standing(accountId);
          probe.source = probe.standing === 'not-allowed' ? 'none' : 'environment';
        }
      } catch (error) {
        probe.problem = `cannot tell whether the hub may act there: ${messageOf(error)}`;
        continue;
      }
      if (probe.standing === 'unknown') {
        probe.problem = 'cannot tell whether the hub may act there: a source could not be read';
        continue;
      }
      if (probe.standing === 'not-allowed') {
        // Asked for by name, an account the hub will not act in is worth saying; found by `all`, it is denied.
        if (explicit)
          probe.problem = `not allowed (${probe.source === 'registry' ? 'denied in the registry' : 'in no OU, list or registry entry'}); not tried`;
        continue;
      }
      await limiter.acquire('member-roles');
      options.onProgress?.(`trying ${accountId}`);
      await probeMemberRole(probe, root, config, endpoint);
    }
  };
  await Promise.all(
    Array.from({ length: Math.max(1, Math.min(options.concurrency ?? 4, candidates.length)) }, worker),
  );
  return explicit ? results : results.filter((r) => r.standing !== 'not-allowed');
}

async function probeMemberRole(
  probe: AccountProbe,
  root: CompositionRoot,
  config: HubConfig,
  endpoint: string | undefined,
): Promise<void> {
  let assumed: Awaited<ReturnType<CompositionRoot['credentials']['forAccount']>>;
  try {
    assumed = await root.credentials.forAccount(probe.accountId);
    probe.assume = 'ok';
  } catch (error) {
    probe.assume = 'problem';
    probe.problem =
      error instanceof AccessDeniedError
        ? `cannot assume ${root.credentials.roleArnFor(probe.accountId)}: the member role is missing, or its trust refuses the hub role or the external id (${messageOf(error)})`
        : `cannot assume the member role: ${messageOf(error)}`;
    return;
  }
  const ec2 = new EC2Client({
    region: config.region,
    maxAttempts: config.maxAttempts,
    credentials: assumed.credentials,
    ...(endpoint ? { endpoint } : {}),
  });
  try {
    let groupId: string | undefined;
    try {
      const { SecurityGroups = [] } = await ec2.send(new DescribeSecurityGroupsCommand({ MaxResults: 5 }));
      groupId = SecurityGroups[0]?.GroupId;
      probe.describe = 'ok';
    } catch (error) {
      probe.describe = 'problem';
      probe.problem = `the member role lacks ec2:DescribeSecurityGroups in ${config.region}: ${messageOf(error)}`;
      return;
    }
    if (groupId === undefined) return;
    try {
      await ec2.send(
        new RevokeSecurityGroupIngressCommand({
          GroupId: groupId,
          IpPermissions: [PROBE_PERMISSION],
          DryRun: true,
        }),
      );
      probe.revoke = 'ok';
    } catch (error) {
      if (awsErrorCode(error) === 'DryRunOperation') {
        probe.revoke = 'ok';
        return;
      }
      probe.revoke = 'problem';
      probe.problem =
        awsErrorCode(error) === 'UnauthorizedOperation'
          ? `the member role lacks ec2:RevokeSecurityGroupIngress (a dry run on ${groupId} was refused)`
          : `a dry-run RevokeSecurityGroupIngress on ${groupId} failed: ${messageOf(error)}`;
    }
  } finally {
    ec2.destroy();
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function nonEmpty(value: string | undefined): string | undefined {
  const trimmed = value?.trim();
  return trimmed === undefined || trimmed === '' ? undefined : trimmed;
}
