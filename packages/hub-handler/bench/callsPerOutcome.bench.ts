/**
 * What one delivery costs in AWS calls, for each way an alert can end: remediated, a duplicate, contention, every
 * outcome that changes nothing, a retry, and a takeover after a crash. On the embedded emulator, through the
 * Lambda handler as it runs in AWS, every request counted by a recording proxy. Prints figures; it asserts
 * nothing beyond each scenario reaching the outcome it is about.
 *
 *   node --import tsx packages/hub-handler/bench/callsPerOutcome.bench.ts [alerts per scenario]
 *
 * Each scenario is one SQS batch of that many alerts, one group each, in two member accounts whose credentials
 * the container already holds (warm: a first alert of each account was processed before), except the `cold`
 * line: the same duplicate deliveries to a container that has not assumed the accounts' roles yet. The batch is
 * invoked directly, so no SQS call is the hub's (the event source's receive and delete are not counted).
 */

import { loadConfig } from '@remediation-hub/core';
import {
  createGroup,
  ec2Error,
  localLambdaContext,
  makeAlert,
  type RecordingProxy,
  sqsEvent,
  startEmulator,
  startRecordingProxy,
  testClock,
  uniqueName,
  upTestHub,
  useEmulator,
  WORLD_SSH,
} from '@remediation-hub/testkit';
import { type CompositionRoot, createCompositionRoot } from '../src/compositionRoot.js';
import { createLambdaHandler } from '../src/handler/createLambdaHandler.js';
import type { AlertResult } from '../src/handler/processAlert.js';
import { createLogger } from '../src/logging/createLogger.js';

const ALERTS = Number(process.argv[2] ?? 10);
const ACCOUNTS = ['333333333490', '333333333491'];
const NOT_ALLOWED = '333333333499';
const REGION = 'us-east-1';
const LEASE_SECONDS = 60;

const emulator = await startEmulator();
useEmulator(emulator.endpoint);

interface Hub {
  root: CompositionRoot;
  clock: ReturnType<typeof testClock>;
  run(bodies: string[]): Promise<AlertResult[]>;
}

function startHub(env: Record<string, string>, proxy: RecordingProxy): Hub {
  const clock = testClock();
  const root = createCompositionRoot({
    config: loadConfig({ ...env, AWS_MAX_ATTEMPTS: '1', LEASE_SECONDS: String(LEASE_SECONDS) }),
    logger: createLogger({ level: 'silent' }),
    clock,
    endpoint: proxy.endpoint,
    credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
  });
  return {
    root,
    clock,
    async run(bodies) {
      const results: AlertResult[] = [];
      const handler = createLambdaHandler(root, { onBatch: (batch) => results.push(...batch.results) });
      await handler(sqsEvent(bodies), localLambdaContext('bench-calls'));
      return results;
    },
  };
}

const accountOf = (i: number) => ACCOUNTS[i % ACCOUNTS.length] as string;
const alertBody = (
  accountId: string,
  groupId: string,
  extra: Partial<Parameters<typeof makeAlert>[0]> = {},
) => JSON.stringify(makeAlert({ id: uniqueName('calls'), accountId, region: REGION, groupId, ...extra }));
async function groups(count: number, rules = [WORLD_SSH], tags: Record<string, string> = {}) {
  const made: Array<{ accountId: string; groupId: string }> = [];
  for (let i = 0; i < count; i++) {
    const accountId = accountOf(i);
    made.push({ accountId, groupId: await createGroup(accountId, REGION, rules, tags) });
  }
  return made;
}
const openAlerts = async () => (await groups(ALERTS)).map((g) => alertBody(g.accountId, g.groupId));

/** The SDK's answer for a ledger write DynamoDB would not take (its retries spent). */
const throughputExceeded = {
  status: 400,
  headers: { 'content-type': 'application/x-amz-json-1.0' },
  body: JSON.stringify({
    __type: 'com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException',
    message: 'The level of configured provisioned throughput for the table was exceeded.',
  }),
};

interface Scenario {
  name: string;
  /** What each delivery is expected to come to. */
  outcome: AlertResult['outcome'];
  /** The container it runs in (default: the warm one). */
  hub?: () => Hub;
  /** Builds the deliveries (not counted), and arms faults once the proxy is cleared. */
  prepare(hub: Hub): Promise<{ bodies: string[]; arm?: () => void }>;
}

const up = await upTestHub('calls', ACCOUNTS);
const proxy = await startRecordingProxy({ target: emulator.endpoint });
const hubs: Hub[] = [];
const newHub = (env: Record<string, string> = {}) => {
  const hub = startHub({ ...up.env, ...env }, proxy);
  hubs.push(hub);
  return hub;
};
const warmHubs = new Map<string, Hub>();
/** A container that already holds both accounts' credentials. */
const warm = async (env: Record<string, string> = {}): Promise<Hub> => {
  const key = JSON.stringify(env);
  const known = warmHubs.get(key);
  if (known) return known;
  const hub = newHub(env);
  for (const accountId of ACCOUNTS) await hub.root.credentials.forAccount(accountId);
  warmHubs.set(key, hub);
  return hub;
};

/** Every describe of the scenario answered with an EC2 error (`status`, `code`): the outcome it comes to. */
function describeRefused(
  name: string,
  outcome: Scenario['outcome'],
  status: number,
  code: string,
  message: string,
): Scenario {
  return {
    name,
    outcome,
    prepare: async () => ({
      bodies: await openAlerts(),
      arm: () =>
        proxy.failNext(
          (r) => r.action === 'DescribeSecurityGroups',
          { status, body: ec2Error(code, message) },
          ALERTS,
        ),
    }),
  };
}

const scenarios: Scenario[] = [
  { name: 'remediated', outcome: 'remediated', prepare: async () => ({ bodies: await openAlerts() }) },
  {
    name: 'duplicate of a remediated alert',
    outcome: 'duplicate',
    prepare: async (hub) => {
      const bodies = await openAlerts();
      await hub.run(bodies);
      return { bodies };
    },
  },
  {
    name: 'duplicate, cold credentials',
    outcome: 'duplicate',
    hub: () => newHub(),
    prepare: async () => {
      const bodies = await openAlerts();
      await (await warm()).run(bodies);
      return { bodies };
    },
  },
  {
    name: 'contended (live lease elsewhere)',
    outcome: 'retry',
    prepare: async (hub) => {
      const bodies = await openAlerts();
      for (const body of bodies) {
        await hub.root.ledger.claim({
          alertId: JSON.parse(body).data.id,
          eventKey: 'fail',
          alertStatus: 'fail',
          owner: 'another-container',
          leaseSeconds: LEASE_SECONDS,
          now: hub.clock.now(),
        });
      }
      return { bodies };
    },
  },
  {
    name: 'already-compliant',
    outcome: 'already-compliant',
    prepare: async () => ({
      bodies: (await groups(ALERTS, [])).map((g) => alertBody(g.accountId, g.groupId)),
    }),
  },
  {
    name: 'exempt',
    outcome: 'exempt',
    prepare: async () => ({
      bodies: (await groups(ALERTS, [WORLD_SSH], { 'remediation-hub:exempt': 'true' })).map((g) =>
        alertBody(g.accountId, g.groupId),
      ),
    }),
  },
  {
    name: 'resource-gone',
    outcome: 'resource-gone',
    prepare: async () => ({
      bodies: Array.from({ length: ALERTS }, (_, i) =>
        alertBody(accountOf(i), `sg-${(0xa000000 + i).toString(16).padStart(17, '0')}`),
      ),
    }),
  },
  {
    name: 'dry-run',
    outcome: 'dry-run',
    hub: () => warmHubs.get(JSON.stringify({ REMEDIATION_MODE: 'dry-run' })) as Hub,
    prepare: async () => ({ bodies: await openAlerts() }),
  },
  {
    name: 'unsupported',
    outcome: 'unsupported',
    prepare: async () => ({
      bodies: (await groups(ALERTS)).map((g) =>
        alertBody(g.accountId, g.groupId, { signature: 'AWS:EC2-999' }),
      ),
    }),
  },
  {
    name: 'ignored (status pass)',
    outcome: 'ignored',
    prepare: async () => ({
      bodies: (await groups(ALERTS)).map((g) => alertBody(g.accountId, g.groupId, { status: 'pass' })),
    }),
  },
  {
    name: 'rejected (account not allowed)',
    outcome: 'rejected',
    prepare: async () => ({
      bodies: Array.from({ length: ALERTS }, () => alertBody(NOT_ALLOWED, 'sg-0123456789abcdef0')),
    }),
  },
  describeRefused(
    'failed (member role refused)',
    'failed',
    403,
    'UnauthorizedOperation',
    'You are not authorized.',
  ),
  describeRefused(
    'retry (Describe throttled)',
    'retry',
    503,
    'RequestLimitExceeded',
    'Request limit exceeded.',
  ),
  {
    name: 'taken over after a crash between revoke and completion',
    outcome: 'remediated',
    hub: () => newHub(),
    prepare: async (hub) => {
      const made = await groups(ALERTS);
      const bodies = made.map((g) => alertBody(g.accountId, g.groupId));
      const alertOf = new Map(
        made.map((g, i) => [g.groupId, JSON.parse(bodies[i] as string).data.id as string]),
      );
      // Every ledger write after an alert's revoke fails (completion and release): the attempt dies there.
      const revoked = new Set<string>();
      proxy.failNext(
        (r) => {
          const groupAlert = alertOf.get(r.params.GroupId ?? '');
          if (r.action === 'RevokeSecurityGroupIngress' && groupAlert) revoked.add(groupAlert);
          return (
            (r.action === 'PutItem' || r.action === 'UpdateItem') &&
            [...revoked].some((alertId) => r.body.includes(alertId))
          );
        },
        throughputExceeded,
        2 * ALERTS,
      );
      const first = await hub.run(bodies);
      if (first.some((r) => r.outcome !== 'retry')) throw new Error('the crash was not simulated');
      hub.clock.advanceSeconds(LEASE_SECONDS + 1);
      return { bodies };
    },
  },
];

const rows: Array<{ name: string; perAlert: number; calls: string }> = [];
try {
  await warm({ REMEDIATION_MODE: 'dry-run' });
  const defaultHub = await warm();
  for (const scenario of scenarios) {
    const hub = scenario.hub?.() ?? defaultHub;
    const { bodies, arm } = await scenario.prepare(hub);
    proxy.clear();
    arm?.();
    const results = await hub.run(bodies);
    const wrong = results.filter((r) => r.outcome !== scenario.outcome);
    if (wrong.length > 0 || results.length !== bodies.length) {
      throw new Error(
        `${scenario.name}: expected ${scenario.outcome}, got ${results.map((r) => r.outcome).join(', ')}`,
      );
    }
    const calls = new Map<string, number>();
    for (const request of proxy.requests) {
      const key = `${request.service}:${request.action}`;
      calls.set(key, (calls.get(key) ?? 0) + 1);
    }
    const total = [...calls.values()].reduce((a, b) => a + b, 0);
    rows.push({
      name: scenario.name,
      perAlert: total / bodies.length,
      calls: [...calls]
        .sort(([a], [b]) => (a < b ? -1 : 1))
        .map(([k, n]) => `${k} ${(n / bodies.length).toFixed(2)}`)
        .join(', '),
    });
  }
  console.log(`AWS calls per delivery by outcome: ${ALERTS} alerts per scenario, Node ${process.version}`);
  const width = Math.max(...rows.map((r) => r.name.length));
  for (const row of rows) {
    console.log(`${row.name.padEnd(width)}  ${row.perAlert.toFixed(2)}  (${row.calls || 'none'})`);
  }
} finally {
  for (const hub of hubs) hub.root.destroy();
  await proxy.close();
  await emulator.stop();
}
