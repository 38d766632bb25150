/**
 * What the outcome topic costs per alert: AWS calls (by service and action) and client CPU, with and without
 * OUTCOME_TOPIC_ARN, on the embedded emulator, through the Lambda handler as it runs in AWS (the EMF metrics on
 * in both, written to a sink that drops them). Prints figures; it asserts nothing.
 *
 *   node --import tsx packages/hub-handler/bench/outcomeCost.bench.ts [alerts per batch] [rounds] [--json]
 *
 * `--json`: one line on stdout, `{ bench: 'outcome-cost', alerts, rounds, configurations: [{ label, callsPerAlert,
 * byAction, cpuMsPerAlert, cpuMsRange, wallMsPerAlert }] }` (the `pnpm bench` runner reads it).
 *
 * Each round processes one SQS batch of remediated alerts (SSH open to the world, one group each, in two member
 * accounts, so the per-account credentials are cached after the first alert of each) for each configuration:
 * - calls: every request the hub sent, counted by a recording proxy (the batch is invoked directly, so no SQS
 *   call is made by the handler; the event source's own receive and delete are not the hub's);
 * - CPU: `process.cpuUsage()` around the handler, with the clients pointed straight at the emulator (the proxy
 *   would add its own CPU), the emulator being another process; wall time is the emulator's more than ours.
 * The first round of each configuration warms up (client creation, AssumeRole) and is left out.
 */
import { performance } from 'node:perf_hooks';
import { loadConfig } from '@remediation-hub/core';
import {
  createGroup,
  localLambdaContext,
  makeAlert,
  type RecordingProxy,
  sqsEvent,
  startEmulator,
  startRecordingProxy,
  uniqueName,
  upTestHub,
  useEmulator,
  WORLD_SSH,
} from '@remediation-hub/testkit';
import { createCompositionRoot } from '../src/compositionRoot.js';
import { createLambdaHandler } from '../src/handler/createLambdaHandler.js';
import { createLogger } from '../src/logging/createLogger.js';
import { HubMetrics } from '../src/metrics/HubMetrics.js';

const JSON_OUTPUT = process.argv.includes('--json');
const positional = process.argv.slice(2).filter((arg) => !arg.startsWith('--'));
const ALERTS = Number(positional[0] ?? 20);
const ROUNDS = Number(positional[1] ?? 4);
const ACCOUNTS = ['333333333480', '333333333481'];

const emulator = await startEmulator();
useEmulator(emulator.endpoint);

interface Measure {
  alerts: number;
  calls: Map<string, number>;
  cpuMicros: number;
  wallMs: number;
}

/** One batch of `ALERTS` fresh remediated alerts through a fresh-enough hub (`root` is reused across rounds). */
async function batch(env: Record<string, string>) {
  const bodies: string[] = [];
  for (let i = 0; i < ALERTS; i++) {
    const accountId = ACCOUNTS[i % ACCOUNTS.length] as string;
    const groupId = await createGroup(accountId, 'us-east-1', [WORLD_SSH]);
    bodies.push(
      JSON.stringify(makeAlert({ id: uniqueName('bench'), accountId, region: 'us-east-1', groupId })),
    );
  }
  return { env, event: sqsEvent(bodies) };
}

function hub(env: Record<string, string>, endpoint: string) {
  const root = createCompositionRoot({
    config: loadConfig({ ...env, AWS_MAX_ATTEMPTS: '3' }),
    logger: createLogger({ level: 'silent' }),
    endpoint,
    credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
    metrics: new HubMetrics({ write: () => {} }),
  });
  return { root, handler: createLambdaHandler(root) };
}

async function run(label: string, env: Record<string, string>, proxy: RecordingProxy): Promise<Measure[]> {
  const counted = hub(env, proxy.endpoint);
  const timed = hub(env, emulator.endpoint);
  const measures: Measure[] = [];
  try {
    for (let round = 0; round <= ROUNDS; round++) {
      // Calls, through the proxy.
      const forCalls = await batch(env);
      proxy.clear();
      const results = await counted.handler(forCalls.event, localLambdaContext(`bench-${label}`));
      const calls = new Map<string, number>();
      for (const request of proxy.requests) {
        const key = `${request.service}:${request.action}`;
        calls.set(key, (calls.get(key) ?? 0) + 1);
      }
      if (results.batchItemFailures.length > 0) throw new Error(`${label}: messages were sent back`);
      const remediated = await counted.root.ledger.query({
        outcome: 'remediated',
        since: new Date(Date.now() - 60_000),
      });
      if (remediated.length < ALERTS) throw new Error(`${label}: not every alert was remediated`);
      // CPU and wall time, straight to the emulator.
      const forCpu = await batch(env);
      const cpu = process.cpuUsage();
      const started = performance.now();
      await timed.handler(forCpu.event, localLambdaContext(`bench-${label}`));
      const wallMs = performance.now() - started;
      const used = process.cpuUsage(cpu);
      if (round > 0) measures.push({ alerts: ALERTS, calls, cpuMicros: used.user + used.system, wallMs });
    }
  } finally {
    counted.root.destroy();
    timed.root.destroy();
  }
  return measures;
}

const up = await upTestHub('bench', ACCOUNTS, { outcomeTopic: true });
const proxy = await startRecordingProxy({ target: emulator.endpoint });
try {
  const withTopic = up.env;
  const { OUTCOME_TOPIC_ARN: _topic, ...withoutTopic } = up.env;
  const results: Array<[string, Measure[]]> = [];
  for (const [label, env] of [
    ['without topic', withoutTopic],
    ['with topic', withTopic],
  ] as const) {
    results.push([label, await run(label, env, proxy)]);
  }

  const median = (values: number[]) => values[Math.floor(values.length / 2)] ?? 0;
  const configurations = results.map(([label, measures]) => {
    const total = measures.reduce((sum, m) => sum + m.alerts, 0);
    const calls = new Map<string, number>();
    for (const m of measures) for (const [k, n] of m.calls) calls.set(k, (calls.get(k) ?? 0) + n);
    const byAction = Object.fromEntries(
      [...calls].sort(([a], [b]) => (a < b ? -1 : 1)).map(([k, n]) => [k, n / total]),
    );
    const cpu = measures.map((m) => m.cpuMicros / m.alerts / 1000).sort((a, b) => a - b);
    const wall = measures.map((m) => m.wallMs / m.alerts).sort((a, b) => a - b);
    return {
      label,
      callsPerAlert: [...calls.values()].reduce((a, b) => a + b, 0) / total,
      byAction,
      cpuMsPerAlert: median(cpu),
      cpuMsRange: [cpu[0] ?? 0, cpu.at(-1) ?? 0] as const,
      wallMsPerAlert: median(wall),
    };
  });
  if (JSON_OUTPUT) {
    console.log(JSON.stringify({ bench: 'outcome-cost', alerts: ALERTS, rounds: ROUNDS, configurations }));
  } else {
    console.log(
      `outcome topic cost per remediated alert: ${ALERTS} alerts per batch, ${ROUNDS} rounds after a warm-up, Node ${process.version}, emulator ${emulator.endpoint}`,
    );
    for (const c of configurations) {
      const perAlert = Object.entries(c.byAction)
        .map(([k, n]) => `${k} ${n.toFixed(2)}`)
        .join(', ');
      console.log(
        `${c.label.padEnd(14)} calls/alert ${c.callsPerAlert.toFixed(2)} (${perAlert}); client CPU ${c.cpuMsPerAlert.toFixed(2)} ms/alert (median, range ${c.cpuMsRange[0].toFixed(2)}-${c.cpuMsRange[1].toFixed(2)}); wall ${c.wallMsPerAlert.toFixed(1)} ms/alert`,
      );
    }
  }
} finally {
  await proxy.close();
  await emulator.stop();
}
