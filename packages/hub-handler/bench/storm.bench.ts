/**
 * Many consumers, one EC2 bucket: a storm of alerts for one account and region (an organisation-wide template
 * opened SSH on hundreds of groups), processed by K consumers at once, each a separate Node.js process as Lambda
 * containers are (its own token buckets, its own credentials cache), all polling the same SQS queue and all
 * reaching AWS through one recording proxy that applies EC2's real buckets per account and region (mutating calls:
 * 50, refilling 5 per second; Describe*: 100, refilling 20 per second) and answers `RequestLimitExceeded` when
 * empty. Then the same number of alerts spread over many accounts, which no single bucket limits. Prints one
 * table (or, with --json, one JSON object); asserts nothing.
 *
 *   node --import tsx packages/hub-handler/bench/storm.bench.ts [--k 1,5,20] [--alerts 200] [--spread-k 5,20]
 *     [--spread-accounts 40] [--pacing as-deployed|local|shared[,...]] [--retry-delay 10] [--timeout 300] [--json]
 *
 * The CLI is stable (the `pnpm bench` runner runs it as a subprocess, e.g. `--json --k 1`):
 * - `--k`: consumer counts of the storm runs (comma-separated; empty: none); `--spread-k` the same for the spread;
 * - `--pacing`: each design runs for each K, side by side: `as-deployed` (what `local up` gives the hub, as the
 *   stack does: the pacing table, so `PACING=shared`), `local` (each container its own bucket, as before issue 15),
 *   `shared` (the shared schedule after a throttle);
 * - `--json`: exactly one line on stdout, `{ bench: 'storm', node, alerts, spreadAccounts, retryDelaySeconds,
 *   ec2Buckets, runs: RunResult[] }` (fields of RunResult below); progress goes to stderr.
 * The default run (K = 1, 5, 20 storm and K = 5, 20 spread, as deployed, 200 alerts: 5 runs) took 2 min 43 s on a
 * loaded 2-core machine (8 runs, with `--pacing local,shared --spread-k 20`, about 6 minutes); K = 20 starts 20
 * Node.js processes.
 *
 * Each consumer is `consumeQueue` (the hub's poller outside Lambda: receive 10, run the Lambda handler, delete what
 * succeeded, send the batch item failures back with a visibility of --retry-delay seconds) around the real Lambda
 * handler built by the composition root, with a 60 s invocation deadline (the stack's function timeout). The queue
 * moves a message to its dead-letter queue after 10 receives (the stack's default). Figures per run:
 * - revokes/s ÷ 5: successful RevokeSecurityGroupIngress calls past EC2's burst of 50, per second between the first
 *   and the last, as a share of EC2's refill of 5 per second (storm only: spread accounts never empty a bucket);
 * - throttled/revoke: mutating calls refused with RequestLimitExceeded, per successful revoke; describes refused
 *   are counted apart;
 * - failed, dead-lettered, lost: ledger outcome `failed`, messages in the dead-letter queue, alerts with neither a
 *   completed record nor a dead letter when the run ended;
 * - double revokes: rules revoked successfully more than once, counted at the proxy (answers 200) and in the ledger;
 * - time to close: from the alert's SendMessage to its record's `timings.completedAt`, p50 and p95;
 * - AssumeRole calls, DynamoDB calls per alert, SQS receives per alert (1 = no alert came back).
 */
import { type ChildProcess, fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  AuthorizeSecurityGroupIngressCommand,
  CreateSecurityGroupCommand,
  EC2Client,
} from '@aws-sdk/client-ec2';
import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  SendMessageBatchCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { BatchGetCommand, DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DEFAULT_MAX_RECEIVE_COUNT, type LedgerRecord, loadConfig } from '@remediation-hub/core';
import {
  assumeAccount,
  type ConsumeSummary,
  consumeQueue,
  hubCredentials,
  localLambdaContext,
  localUp,
  makeAlert,
  type RateLimitCounts,
  type RecordedRequest,
  type RecordingProxy,
  startEmulator,
  startRecordingProxy,
  uniqueName,
  useEmulator,
  WORLD_SSH,
} from '@remediation-hub/testkit';
import { EC2_DESCRIBE_RATE, EC2_MUTATING_RATE } from '../src/adapters/TokenBucketLimiter.js';
import { createCompositionRoot } from '../src/compositionRoot.js';
import { createLambdaHandler } from '../src/handler/createLambdaHandler.js';
import { createLogger } from '../src/logging/createLogger.js';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
const REGION = 'us-east-1';
/** The stack's function timeout: each consumer's invocations get this deadline. */
const INVOCATION_MILLIS = 60_000;

/** What the parent tells a consumer process (in its environment, as JSON). */
interface ConsumerSpec {
  /** The hub's environment (`loadConfig`), as the stack would set it. */
  env: Record<string, string>;
  /** Where the hub's clients go: the recording proxy. */
  hubEndpoint: string;
  /** Where the poller's SQS client goes (the event source's calls are not the hub's). */
  sqsEndpoint: string;
  queueUrl: string;
  retryDelaySeconds: number;
}

type FromConsumer = { kind: 'ready' } | { kind: 'done'; summary: ConsumeSummary | undefined; error?: string };

/** One "Lambda container": a composition root of its own, polling the queue until told to stop. */
async function runConsumer(spec: ConsumerSpec): Promise<void> {
  const send = (message: FromConsumer) => process.send?.(message);
  const root = createCompositionRoot({
    config: loadConfig(spec.env),
    logger: createLogger({ level: process.env.STORM_LOG_LEVEL ?? 'silent' }),
    endpoint: spec.hubEndpoint,
    credentials: hubCredentials,
  });
  const handler = createLambdaHandler(root);
  const sqs = new SQSClient({ region: REGION, endpoint: spec.sqsEndpoint, credentials: hubCredentials });
  const stop = new AbortController();
  process.on('message', (message) => {
    if (message === 'stop') stop.abort();
  });
  send({ kind: 'ready' });
  // Counted batch by batch: a poller stopped mid-receive returns no summary.
  const summary: ConsumeSummary = { batches: 0, received: 0, deleted: 0, returned: 0 };
  let error: string | undefined;
  try {
    await consumeQueue({
      sqs,
      queueUrl: spec.queueUrl,
      handle: (event) => handler(event, localLambdaContext('storm-consumer', INVOCATION_MILLIS)),
      once: false,
      waitTimeSeconds: 1,
      retryDelaySeconds: spec.retryDelaySeconds,
      region: REGION,
      signal: stop.signal,
      onBatch: ({ received, deleted, returned }) => {
        summary.batches += 1;
        summary.received += received;
        summary.deleted += deleted;
        summary.returned += returned;
      },
    });
  } catch (caught) {
    if (!stop.signal.aborted) error = String(caught);
  } finally {
    sqs.destroy();
    root.destroy();
  }
  send({ kind: 'done', summary, ...(error ? { error } : {}) });
  process.disconnect?.();
}

// --- the parent: set-up, runs, table ------------------------------------------------------------------------

interface Flags {
  k: number[];
  alerts: number;
  spreadK: number[];
  spreadAccounts: number;
  pacing: string[];
  retryDelaySeconds: number;
  timeoutSeconds: number;
  json: boolean;
}

function readFlags(argv: readonly string[]): Flags {
  const value = (name: string): string | undefined => {
    const index = argv.indexOf(`--${name}`);
    return index === -1 ? undefined : argv[index + 1];
  };
  const numbers = (name: string, fallback: string): number[] =>
    (value(name) ?? fallback)
      .split(',')
      .filter((v) => v !== '')
      .map((v) => {
        const n = Number(v);
        if (!Number.isInteger(n) || n < 0) throw new Error(`--${name}: not a whole number: ${v}`);
        return n;
      });
  const one = (name: string, fallback: number): number => numbers(name, String(fallback))[0] ?? fallback;
  return {
    k: numbers('k', '1,5,20'),
    alerts: one('alerts', 200),
    spreadK: numbers('spread-k', '5,20'),
    spreadAccounts: one('spread-accounts', 40),
    pacing: (value('pacing') ?? 'as-deployed').split(',').filter((v) => v !== ''),
    retryDelaySeconds: one('retry-delay', 10),
    timeoutSeconds: one('timeout', 300),
    json: argv.includes('--json'),
  };
}

type Scenario = 'storm' | 'spread';

interface RunSpec {
  scenario: Scenario;
  k: number;
  pacing: string;
}

interface RunResult extends RunSpec {
  alerts: number;
  accounts: number;
  completed: number;
  remediated: number;
  failed: number;
  deadLettered: number;
  lost: number;
  revokesOk: number;
  /** Successful revokes per second past the burst, ÷ EC2's 5 per second (storm only). */
  revokeRateRatio: number | undefined;
  throttledMutating: number;
  throttledPerRevoke: number;
  throttledDescribes: number;
  doubleRevokesProxy: number;
  doubleRevokesLedger: number;
  /** Revokes answered `InvalidPermission.NotFound`: the rule was gone already (another worker's revoke). */
  revokesNotFound: number;
  p50CloseSeconds: number | undefined;
  p95CloseSeconds: number | undefined;
  wallSeconds: number;
  assumeRoleCalls: number;
  dynamodbCallsPerAlert: number;
  receivesPerAlert: number;
  consumerErrors: string[];
}

async function main(): Promise<void> {
  const flags = readFlags(process.argv.slice(2));
  const log = (line: string) => process.stderr.write(`${line}\n`);
  const emulator = await startEmulator();
  useEmulator(emulator.endpoint, REGION);
  const stormAccount = '444444444400';
  const spreadAccounts = Array.from(
    { length: flags.spreadAccounts },
    (_, i) => `4444444445${String(i).padStart(2, '0')}`,
  );
  const clientConfig = { region: REGION, endpoint: emulator.endpoint, credentials: hubCredentials };
  const sqs = new SQSClient(clientConfig);
  const dynamodb = new DynamoDBClient(clientConfig);
  const documents = DynamoDBDocumentClient.from(dynamodb);
  const results: RunResult[] = [];
  try {
    const up = await localUp({
      accounts: [stormAccount, ...spreadAccounts],
      endpoint: emulator.endpoint,
      prefix: `${uniqueName('storm')}-`,
      credentials: hubCredentials,
      outcomeTopic: false,
    });
    // The designs side by side for each K: the machine's noise hits them alike.
    const runs: RunSpec[] = [
      ...flags.k.flatMap((k) => flags.pacing.map((pacing) => ({ scenario: 'storm' as const, k, pacing }))),
      ...flags.spreadK.flatMap((k) =>
        flags.pacing.map((pacing) => ({ scenario: 'spread' as const, k, pacing })),
      ),
    ];
    for (const spec of runs) {
      const accounts = spec.scenario === 'storm' ? [stormAccount] : spreadAccounts;
      log(
        `run: ${spec.scenario}, K = ${spec.k}, pacing ${spec.pacing}, ${flags.alerts} alerts over ${accounts.length} account(s)`,
      );
      const result = await run(spec, accounts, up.env, flags, {
        emulator: emulator.endpoint,
        sqs,
        documents,
        log,
      });
      results.push(result);
      log(`      ${summaryLine(result)}`);
    }
  } finally {
    sqs.destroy();
    dynamodb.destroy();
    await emulator.stop();
  }
  const table = {
    bench: 'storm',
    node: process.version,
    alerts: flags.alerts,
    spreadAccounts: flags.spreadAccounts,
    retryDelaySeconds: flags.retryDelaySeconds,
    ec2Buckets: { mutating: EC2_MUTATING_RATE, describe: EC2_DESCRIBE_RATE },
    runs: results,
  };
  if (flags.json) {
    process.stdout.write(`${JSON.stringify(table)}\n`);
  } else {
    process.stdout.write(renderTable(results, flags));
  }
}

interface RunContext {
  emulator: string;
  sqs: SQSClient;
  documents: DynamoDBDocumentClient;
  log: (line: string) => void;
}

async function run(
  spec: RunSpec,
  accounts: readonly string[],
  hubEnv: Record<string, string>,
  flags: Flags,
  context: RunContext,
): Promise<RunResult> {
  const { sqs, documents, log } = context;
  // A queue of its own per run: nothing left over from another run can reach it.
  const name = uniqueName(`storm-${spec.scenario}-${spec.k}`);
  const dlqUrl = await createQueue(sqs, `${name}-dlq`, {});
  const dlqArn = await queueArn(sqs, dlqUrl);
  const queueUrl = await createQueue(sqs, name, {
    VisibilityTimeout: String(Number(hubEnv.LEASE_SECONDS ?? 120) + 60),
    RedrivePolicy: JSON.stringify({
      deadLetterTargetArn: dlqArn,
      maxReceiveCount: DEFAULT_MAX_RECEIVE_COUNT,
    }),
  });

  // The groups: one world-open SSH rule each, alerts round-robin over the accounts.
  const targets = await createGroups(accounts, flags.alerts, context.emulator);
  const accountOfGroup = new Map(targets.map((t) => [t.groupId, t.accountId]));

  // A proxy of its own per run: EC2's buckets start full.
  const proxy = await startRecordingProxy({ target: context.emulator });
  const bucketKey = (request: RecordedRequest): string => {
    const groupId = request.params.GroupId ?? request.params['GroupId.1'] ?? '';
    return `${accountOfGroup.get(groupId) ?? 'unknown'}:${request.region ?? ''}`;
  };
  const isEc2 = (actions: readonly string[]) => (request: RecordedRequest) =>
    request.service === 'ec2' && actions.includes(request.action ?? '');
  const mutating = proxy.rateLimit(isEc2(['RevokeSecurityGroupIngress', 'AuthorizeSecurityGroupIngress']), {
    ...EC2_MUTATING_RATE,
    key: bucketKey,
  });
  const describes = proxy.rateLimit(isEc2(['DescribeSecurityGroups']), {
    ...EC2_DESCRIBE_RATE,
    key: bucketKey,
  });

  const env = { ...hubEnv, ...pacingEnv(spec.pacing), DEAD_LETTER_QUEUE_URL: dlqUrl };
  const consumers = await startConsumers(spec.k, {
    env,
    hubEndpoint: proxy.endpoint,
    sqsEndpoint: context.emulator,
    queueUrl,
    retryDelaySeconds: flags.retryDelaySeconds,
  });
  let outcome: Awaited<ReturnType<typeof awaitCompletion>>;
  let summaries: Awaited<ReturnType<typeof stopConsumers>>;
  try {
    const publishedAt = await publishAlerts(sqs, queueUrl, targets);
    outcome = await awaitCompletion(
      documents,
      sqs,
      hubEnv.LEDGER_TABLE ?? '',
      dlqUrl,
      publishedAt,
      flags,
      log,
    );
  } finally {
    summaries = await stopConsumers(consumers);
    await proxy.close();
  }
  return measure(spec, accounts.length, flags.alerts, outcome, proxy, mutating, describes, summaries);
}

/** The hub's environment for a pacing design; `as-deployed` is the code's default. */
function pacingEnv(pacing: string): Record<string, string> {
  if (pacing === 'as-deployed') return {};
  if (pacing === 'local' || pacing === 'shared') return { PACING: pacing };
  throw new Error(`unknown pacing ${pacing} (as-deployed, local, shared)`);
}

interface Target {
  accountId: string;
  groupId: string;
  alertId: string;
}

async function createGroups(accounts: readonly string[], count: number, endpoint: string): Promise<Target[]> {
  const clients = new Map<string, EC2Client>();
  for (const accountId of accounts) {
    clients.set(
      accountId,
      new EC2Client({ region: REGION, endpoint, credentials: await assumeAccount(accountId, { endpoint }) }),
    );
  }
  const targets: Target[] = [];
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < count; i = next++) {
      const accountId = accounts[i % accounts.length] as string;
      const ec2 = clients.get(accountId) as EC2Client;
      const { GroupId } = await ec2.send(
        new CreateSecurityGroupCommand({ GroupName: uniqueName('storm-sg'), Description: 'storm bench' }),
      );
      if (!GroupId) throw new Error('no GroupId');
      await ec2.send(new AuthorizeSecurityGroupIngressCommand({ GroupId, IpPermissions: [WORLD_SSH] }));
      targets[i] = { accountId, groupId: GroupId, alertId: uniqueName('storm-alert') };
    }
  };
  await Promise.all(Array.from({ length: 8 }, worker));
  for (const client of clients.values()) client.destroy();
  return targets;
}

interface Consumer {
  child: ChildProcess;
  done: Promise<Extract<FromConsumer, { kind: 'done' }>>;
}

async function startConsumers(k: number, spec: ConsumerSpec): Promise<Consumer[]> {
  const file = fileURLToPath(import.meta.url);
  const consumers: Consumer[] = [];
  const ready: Promise<void>[] = [];
  for (let i = 0; i < k; i++) {
    const child = fork(file, ['--consumer'], {
      execArgv: ['--import', 'tsx'],
      env: { ...process.env, STORM_CONSUMER: JSON.stringify(spec) },
      stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
    });
    let onReady: () => void = () => {};
    ready.push(new Promise<void>((resolve) => (onReady = resolve)));
    const done = new Promise<Extract<FromConsumer, { kind: 'done' }>>((resolve) => {
      child.on('message', (message: FromConsumer) => {
        if (message.kind === 'ready') onReady();
        else resolve(message);
      });
      child.on('exit', (code) => resolve({ kind: 'done', summary: undefined, error: `exited with ${code}` }));
    });
    consumers.push({ child, done });
  }
  await Promise.all(ready);
  return consumers;
}

async function stopConsumers(consumers: readonly Consumer[]) {
  for (const { child } of consumers) if (child.connected) child.send('stop');
  const timeout = setTimeout(() => {
    for (const { child } of consumers) child.kill('SIGKILL');
  }, 30_000);
  const done = await Promise.all(consumers.map((c) => c.done));
  clearTimeout(timeout);
  return done;
}

/** Sends one alert per target, 10 per call; returns when each was sent (epoch ms) by alert id. */
async function publishAlerts(sqs: SQSClient, queueUrl: string, targets: readonly Target[]) {
  const publishedAt = new Map<string, number>();
  for (let i = 0; i < targets.length; i += 10) {
    const chunk = targets.slice(i, i + 10);
    const sentAt = Date.now();
    const answer = await sqs.send(
      new SendMessageBatchCommand({
        QueueUrl: queueUrl,
        Entries: chunk.map((t, index) => ({
          Id: String(index),
          MessageBody: JSON.stringify(
            makeAlert({ id: t.alertId, accountId: t.accountId, region: REGION, groupId: t.groupId }),
          ),
        })),
      }),
    );
    if ((answer.Failed ?? []).length > 0)
      throw new Error(`SendMessageBatch failed: ${JSON.stringify(answer.Failed)}`);
    for (const t of chunk) publishedAt.set(t.alertId, sentAt);
  }
  return publishedAt;
}

/** Polls the ledger and the dead-letter queue until every alert is completed or dead-lettered, or time is up. */
async function awaitCompletion(
  documents: DynamoDBDocumentClient,
  sqs: SQSClient,
  table: string,
  dlqUrl: string,
  publishedAt: ReadonlyMap<string, number>,
  flags: Flags,
  log: (line: string) => void,
) {
  const started = Date.now();
  const records = new Map<string, LedgerRecord>();
  let deadLettered = 0;
  let lastReport = started;
  for (;;) {
    const open = [...publishedAt.keys()].filter((id) => !records.has(id));
    for (let i = 0; i < open.length; i += 100) {
      const keys = open.slice(i, i + 100).map((alertId) => ({ alertId, eventKey: 'fail' }));
      let request: Record<string, { Keys: Record<string, unknown>[] }> | undefined = {
        [table]: { Keys: keys },
      };
      while (request && Object.keys(request).length > 0) {
        const answer = await documents.send(new BatchGetCommand({ RequestItems: request }));
        for (const item of (answer.Responses?.[table] ?? []) as LedgerRecord[]) {
          if (item.state === 'completed') records.set(item.alertId, item);
        }
        request = answer.UnprocessedKeys as typeof request;
      }
    }
    deadLettered = await depth(sqs, dlqUrl);
    if (records.size + deadLettered >= publishedAt.size) break;
    if (Date.now() - started > flags.timeoutSeconds * 1000) {
      log(
        `      timed out after ${flags.timeoutSeconds} s: ${publishedAt.size - records.size - deadLettered} alerts open`,
      );
      break;
    }
    if (Date.now() - lastReport > 15_000) {
      lastReport = Date.now();
      log(
        `      ${records.size} completed, ${deadLettered} dead-lettered after ${Math.round((Date.now() - started) / 1000)} s`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
  return { records, deadLettered, publishedAt };
}

function measure(
  spec: RunSpec,
  accounts: number,
  alerts: number,
  outcome: Awaited<ReturnType<typeof awaitCompletion>>,
  proxy: RecordingProxy,
  mutating: RateLimitCounts,
  describes: RateLimitCounts,
  consumers: ReadonlyArray<Extract<FromConsumer, { kind: 'done' }>>,
): RunResult {
  const { records, deadLettered, publishedAt } = outcome;
  const requests = proxy.requests;
  const revokes = requests.filter((r) => r.action === 'RevokeSecurityGroupIngress');
  const revokesOk = revokes.filter((r) => r.status === 200);
  const perRule = new Map<string, number>();
  for (const r of revokesOk) {
    const rule = [
      r.params.GroupId,
      r.params['IpPermissions.1.IpProtocol'],
      r.params['IpPermissions.1.FromPort'],
      r.params['IpPermissions.1.IpRanges.1.CidrIp'],
    ].join(' ');
    perRule.set(rule, (perRule.get(rule) ?? 0) + 1);
  }
  const doubleRevokesProxy = [...perRule.values()].reduce((sum, n) => sum + Math.max(0, n - 1), 0);
  const ledgerPerGroup = new Map<string, number>();
  for (const record of records.values()) {
    const group = record.resourceId ?? '';
    ledgerPerGroup.set(group, (ledgerPerGroup.get(group) ?? 0) + (record.revoked?.length ?? 0));
  }
  const doubleRevokesLedger = [...ledgerPerGroup.values()].reduce((sum, n) => sum + Math.max(0, n - 1), 0);

  const times = revokesOk.map((r) => r.answeredAt ?? r.receivedAt).sort((a, b) => a - b);
  const burst = EC2_MUTATING_RATE.capacity;
  const span = ((times.at(-1) ?? 0) - (times[0] ?? 0)) / 1000;
  const revokeRateRatio =
    spec.scenario === 'storm' && revokesOk.length > burst + 10 && span > 0
      ? (revokesOk.length - burst) / span / EC2_MUTATING_RATE.refillPerSecond
      : undefined;

  const close: number[] = [];
  let lastCompleted = 0;
  for (const record of records.values()) {
    const completedAt = Date.parse(record.timings.completedAt ?? record.recordedAt);
    lastCompleted = Math.max(lastCompleted, completedAt);
    close.push((completedAt - (publishedAt.get(record.alertId) ?? completedAt)) / 1000);
  }
  close.sort((a, b) => a - b);
  const firstPublished = Math.min(...publishedAt.values());
  const received = consumers.reduce((sum, c) => sum + (c.summary?.received ?? 0), 0);
  const outcomes = [...records.values()].map((r) => r.outcome);
  return {
    ...spec,
    alerts,
    accounts,
    completed: records.size,
    remediated: outcomes.filter((o) => o === 'remediated').length,
    failed: outcomes.filter((o) => o === 'failed').length,
    deadLettered,
    lost: Math.max(0, alerts - records.size - deadLettered),
    revokesOk: revokesOk.length,
    revokeRateRatio,
    throttledMutating: mutating.throttled,
    throttledPerRevoke: revokesOk.length === 0 ? mutating.throttled : mutating.throttled / revokesOk.length,
    throttledDescribes: describes.throttled,
    doubleRevokesProxy,
    doubleRevokesLedger,
    revokesNotFound: revokes.filter((r) => r.status === 400).length,
    p50CloseSeconds: percentile(close, 0.5),
    p95CloseSeconds: percentile(close, 0.95),
    wallSeconds: lastCompleted > 0 ? (lastCompleted - firstPublished) / 1000 : 0,
    assumeRoleCalls: requests.filter((r) => r.action === 'AssumeRole').length,
    dynamodbCallsPerAlert: requests.filter((r) => r.service === 'dynamodb').length / alerts,
    receivesPerAlert: received / alerts,
    consumerErrors: consumers.flatMap((c) => (c.error ? [c.error] : [])),
  };
}

function percentile(sorted: readonly number[], p: number): number | undefined {
  if (sorted.length === 0) return undefined;
  return sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)];
}

async function createQueue(
  sqs: SQSClient,
  name: string,
  attributes: Record<string, string>,
): Promise<string> {
  const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: name, Attributes: attributes }));
  if (!QueueUrl) throw new Error('CreateQueue returned no QueueUrl');
  return QueueUrl;
}

async function queueArn(sqs: SQSClient, url: string): Promise<string> {
  const { Attributes } = await sqs.send(
    new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['QueueArn'] }),
  );
  return Attributes?.QueueArn ?? '';
}

async function depth(sqs: SQSClient, url: string): Promise<number> {
  const { Attributes } = await sqs.send(
    new GetQueueAttributesCommand({
      QueueUrl: url,
      AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
    }),
  );
  return (
    Number(Attributes?.ApproximateNumberOfMessages ?? 0) +
    Number(Attributes?.ApproximateNumberOfMessagesNotVisible ?? 0)
  );
}

const fixed = (value: number | undefined, digits = 2) => (value === undefined ? '—' : value.toFixed(digits));

function summaryLine(r: RunResult): string {
  return `${r.completed}/${r.alerts} completed (${r.failed} failed), ${r.deadLettered} dead-lettered, ${r.lost} lost; revokes/s ÷ 5 ${fixed(r.revokeRateRatio)}; throttled/revoke ${fixed(r.throttledPerRevoke)}; p95 ${fixed(r.p95CloseSeconds, 1)} s; wall ${r.wallSeconds.toFixed(1)} s`;
}

function renderTable(results: readonly RunResult[], flags: Flags): string {
  const header = [
    'scenario',
    'pacing',
    'K',
    'accounts',
    'done',
    'failed',
    'DLQ',
    'lost',
    'double',
    'revokes/s÷5',
    'throttled/revoke',
    'describes throttled',
    'p50 s',
    'p95 s',
    'wall s',
    'AssumeRole',
    'DynamoDB/alert',
    'receives/alert',
  ];
  const rows = results.map((r) => [
    r.scenario,
    r.pacing,
    String(r.k),
    String(r.accounts),
    `${r.completed}/${r.alerts}`,
    String(r.failed),
    String(r.deadLettered),
    String(r.lost),
    `${r.doubleRevokesProxy}/${r.doubleRevokesLedger}`,
    fixed(r.revokeRateRatio),
    fixed(r.throttledPerRevoke),
    String(r.throttledDescribes),
    fixed(r.p50CloseSeconds, 1),
    fixed(r.p95CloseSeconds, 1),
    r.wallSeconds.toFixed(1),
    String(r.assumeRoleCalls),
    fixed(r.dynamodbCallsPerAlert),
    fixed(r.receivesPerAlert),
  ]);
  const lines = [header, ...rows].map((cells) => `| ${cells.join(' | ')} |`);
  lines.splice(1, 0, `|${header.map(() => '---').join('|')}|`);
  return `storm: ${flags.alerts} alerts; one account (storm) or ${flags.spreadAccounts} accounts (spread); EC2's buckets at the proxy; failed messages back after ${flags.retryDelaySeconds} s; Node ${process.version}\n${lines.join('\n')}\n`;
}

// Last, once every constant above is initialized.
if (process.argv.includes('--consumer')) {
  await runConsumer(JSON.parse(process.env.STORM_CONSUMER ?? '{}') as ConsumerSpec);
} else {
  await main();
}
