/**
 * The hub end to end on the emulator, and beside it the no-logic client replaying exactly the hub's calls.
 *
 * N remediated alerts (SSH open to the world, one security group each) over M member accounts and two regions go
 * through the Lambda handler as it runs in AWS (middy, pino at `info` into a sink, EMF metrics into a sink), one SQS
 * batch of `concurrency` records at a time (`BATCH_CONCURRENCY` = `concurrency`), every AWS call through a recording
 * proxy that runs in a process of its own (so this process's CPU is the hub's alone). After each round of the hub,
 * the replay client sends the very calls the proxy saw (`harness/replayCall.ts`) against twin groups and twin alert
 * ids, alert by alert in the same batches and at the same concurrency: its CPU is what the AWS SDK alone spends on
 * those calls, its throughput the emulator's bound. A warm-up round (one alert per account and region: AssumeRole,
 * clients, connections) is left out of the figures.
 *
 * Figures are counted from the proxy, not assumed. Prints nothing itself (`log` gets progress lines).
 */
import { randomBytes } from 'node:crypto';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { loadConfig } from '@remediation-hub/core';
import {
  assumeAccount,
  createGroup,
  hubCredentials,
  localLambdaContext,
  makeAlert,
  sqsEvent,
  startEmulator,
  uniqueName,
  upTestHub,
  useEmulator,
  WORLD_SSH,
} from '@remediation-hub/testkit';
import { createCompositionRoot } from '../src/compositionRoot.js';
import { createLambdaHandler } from '../src/handler/createLambdaHandler.js';
import { createLogger } from '../src/logging/createLogger.js';
import { HubMetrics } from '../src/metrics/HubMetrics.js';
import { attributeCalls } from './harness/attribute.js';
import { type ProxiedCall, startProxyProcess } from './harness/proxyProcess.js';
import { ReplayClient, substitute, toReplayCall } from './harness/replayClient.js';
import { addTally, overheadShare, percentile, tally } from './harness/stats.js';

export const REGIONS = ['us-east-1', 'us-west-2'] as const;
const ALERT_ID = /e2e-[0-9a-z]+-[0-9a-f]{6}/;

export interface EndToEndOptions {
  alerts: number;
  accounts: number;
  concurrency: number;
  rounds: number;
  /** Warm-up alerts, left out (default one per account and region). */
  warmup?: number;
  logLevel?: string;
  log?: (line: string) => void;
}

export interface EndToEndResult {
  alerts: number;
  accounts: number;
  regions: readonly string[];
  concurrency: number;
  rounds: number;
  /** Alerts whose outcome was `remediated` (the per-alert figures are over these). */
  remediated: number;
  /** Every other outcome the measured alerts had, by name (none expected). */
  otherOutcomes: Record<string, number>;
  hub: {
    alertsPerSecond: number;
    latencyMs: { p50: number; p95: number; max: number };
    cpuMsPerAlert: number;
    wallSeconds: number;
  };
  /** Calls of the measured rounds, per remediated alert (SQS excluded: the batch is handed to the handler). */
  callsPerAlert: { total: number; byAction: Record<string, number> };
  /** Calls the proxy saw that no alert or account could be told from (none expected). */
  unattributedCalls: number;
  /** Calls the emulator (or the proxy) refused with an HTTP error, by `service:action status`. */
  failedCalls: Record<string, number>;
  /** AssumeRole over the whole run, warm-up included, against the accounts alerted. */
  assumeRole: { calls: number; distinctAccounts: number; accountsAlerted: number };
  sdkOnly: {
    /** The same calls, replayed by the no-logic client. */
    calls: number;
    cpuMsPerAlert: number;
    /** Replayed calls that failed (the hub's own failed calls fail again). */
    failedCalls: number;
    /** The emulator's bound: alerts per second the no-logic client reached at the same concurrency. */
    alertsPerSecond: number;
  };
  /** (hub CPU − SDK CPU) / SDK CPU, over all measured rounds. */
  hubCpuShare: number;
  /** The same, round by round (the spread says how noisy the machine was). */
  hubCpuShareByRound: number[];
  /** The hub's alerts per second over the no-logic client's. */
  throughputRatio: number;
}

interface Alert {
  id: string;
  accountId: string;
  region: string;
  groupId: string;
  /** The replay's twin: a group with the same rule, an alert id of the same length. */
  twinId: string;
  twinGroupId: string;
}

const now = () => performance.timeOrigin + performance.now();

/** A full GC before each timed window, so that neither side pays for the garbage the set-up (or the other) left. */
setFlagsFromString('--expose_gc');
const gc = runInNewContext('gc') as () => void;

const cpuMs = (since: NodeJS.CpuUsage) => {
  const used = process.cpuUsage(since);
  return (used.user + used.system) / 1000;
};

async function pool<T>(items: readonly T[], width: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(width, items.length) }, async () => {
      while (next < items.length) await work(items[next++] as T);
    }),
  );
}

export async function runEndToEnd(options: EndToEndOptions): Promise<EndToEndResult> {
  const log = options.log ?? (() => {});
  const givenEndpoint = process.env.AWS_ENDPOINT_URL;
  const emulator = await startEmulator({ log });
  useEmulator(emulator.endpoint);
  try {
    return await measure(options, log);
  } finally {
    await emulator.stop();
    if (givenEndpoint === undefined) delete process.env.AWS_ENDPOINT_URL;
    else process.env.AWS_ENDPOINT_URL = givenEndpoint;
  }
}

async function measure(options: EndToEndOptions, log: (line: string) => void): Promise<EndToEndResult> {
  // Member accounts of their own (a shared emulator may hold other runs' accounts).
  const stem = `3${(randomBytes(2).readUInt16BE() % 10_000).toString().padStart(4, '0')}`;
  const accounts = Array.from({ length: options.accounts }, (_, i) => `${stem}${String(i).padStart(7, '0')}`);
  const warmup = options.warmup ?? accounts.length * REGIONS.length;
  log(`e2e: set-up of a hub over ${accounts.length} accounts`);
  const up = await upTestHub('bench', accounts);
  const proxy = await startProxyProcess(process.env.AWS_ENDPOINT_URL as string);
  const root = createCompositionRoot({
    config: loadConfig({ ...up.env, BATCH_CONCURRENCY: String(options.concurrency) }),
    logger: createLogger({ level: (options.logLevel ?? 'info') as 'info', destination: { write: () => {} } }),
    endpoint: proxy.endpoint,
    credentials: hubCredentials,
    metrics: new HubMetrics({ write: () => {} }),
  });
  const handler = createLambdaHandler(root);
  const memberCredentials = new Map(
    await Promise.all(accounts.map(async (a) => [a, await assumeAccount(a)] as const)),
  );
  const replay = new ReplayClient({
    endpoint: proxy.endpoint,
    region: up.region,
    hubCredentials: hubCredentials,
    memberCredentials,
    maxAttempts: root.config?.maxAttempts ?? 3,
  });

  const allCalls: ProxiedCall[] = [];
  let calls = new Map<string, number>();
  const failedCalls = new Map<string, number>();
  const latencies: number[] = [];
  const outcomes: Record<string, number> = {};
  let hubCpu = 0;
  const perRoundCpu: Array<{ alerts: number; hub: number; sdk: number }> = [];
  let hubWall = 0;
  let replayCpu = 0;
  let replayWall = 0;
  let replayedCalls = 0;
  let replayFailures = 0;
  let measuredAlerts = 0;
  let remediated = 0;
  let unattributed = 0;
  try {
    const perRound = Math.ceil(options.alerts / options.rounds);
    const sizes = [
      warmup,
      ...Array.from({ length: options.rounds }, (_, r) => Math.min(perRound, options.alerts - r * perRound)),
    ];
    let serial = 0;
    for (const [round, size] of sizes.entries()) {
      if (size <= 0) continue;
      const measured = round > 0;
      log(
        `e2e: ${measured ? `round ${round} of ${options.rounds}` : 'warm-up'}: ${size} alerts, creating groups`,
      );
      const roundStarted = Date.now();
      const alerts: Alert[] = [];
      for (let i = 0; i < size; i++, serial++) {
        const accountId = accounts[serial % accounts.length] as string;
        const region = REGIONS[Math.floor(serial / accounts.length) % REGIONS.length] as string;
        alerts.push({
          id: uniqueName('e2e'),
          accountId,
          region,
          groupId: '',
          twinId: uniqueName('e2e'),
          twinGroupId: '',
        });
      }
      await pool(alerts, 8, async (alert) => {
        alert.groupId = await createGroup(alert.accountId, alert.region, [WORLD_SSH]);
        alert.twinGroupId = await createGroup(alert.accountId, alert.region, [WORLD_SSH]);
      });
      await proxy.take();

      // The hub: one batch of `concurrency` records at a time, as one Lambda container takes them.
      const batches: Alert[][] = [];
      for (let i = 0; i < alerts.length; i += options.concurrency)
        batches.push(alerts.slice(i, i + options.concurrency));
      const batchStart = new Map<string, number>();
      // The SQS events are made before the clock starts: the bench's work, not the hub's.
      const events = batches.map((batch) =>
        sqsEvent(
          batch.map((a) =>
            JSON.stringify(
              makeAlert({ id: a.id, accountId: a.accountId, region: a.region, groupId: a.groupId }),
            ),
          ),
        ),
      );
      gc();
      const cpu = process.cpuUsage();
      const started = now();
      for (const [index, batch] of batches.entries()) {
        const event = events[index] as (typeof events)[number];
        const at = now();
        for (const a of batch) batchStart.set(a.id, at);
        const answer = await handler(event, localLambdaContext('bench-e2e'));
        if (answer.batchItemFailures.length > 0)
          outcomes['sent back'] = (outcomes['sent back'] ?? 0) + answer.batchItemFailures.length;
      }
      const wall = (now() - started) / 1000;
      const used = cpuMs(cpu);
      const hubCalls = await proxy.take();
      allCalls.push(...hubCalls);

      const alertOfGroup = new Map(alerts.map((a) => [a.groupId, a.id]));
      const attributed = attributeCalls(hubCalls, { alertIds: ALERT_ID, alertOfGroup });
      if (!measured) {
        log(`e2e: warm-up done in ${wall.toFixed(1)} s, ${hubCalls.length} calls`);
      } else {
        hubCpu += used;
        hubWall += wall;
        perRoundCpu.push({ alerts: alerts.length, hub: used, sdk: 0 });
        measuredAlerts += alerts.length;
        unattributed += attributed.other.length;
        calls = addTally(calls, tally(hubCalls.filter((c) => c.service !== 'sqs')));
        for (const c of hubCalls) {
          if ((c.status ?? 0) >= 400) {
            const key = `${c.service}:${c.action} ${c.status}`;
            failedCalls.set(key, (failedCalls.get(key) ?? 0) + 1);
          }
        }
        for (const a of alerts) {
          const own = attributed.byAlert.get(a.id) ?? [];
          const last = Math.max(...own.map((c) => c.answeredAt ?? c.receivedAt));
          if (own.length > 0) latencies.push(last - (batchStart.get(a.id) as number));
        }
      }

      // The replay: each alert's calls in order, against its twins, in the same batches and concurrency.
      const twins = new Map<string, string>();
      for (const a of alerts) {
        twins.set(a.id, a.twinId);
        twins.set(a.groupId, a.twinGroupId);
      }
      // Mapped back to SDK inputs before the clock starts: the bench's work, not the SDK's.
      const byAlert = alerts.map((a) => ({
        alert: a,
        calls: (attributed.byAlert.get(a.id) ?? []).map((c) => ({
          call: toReplayCall(substitute(c, twins)),
          region: c.region,
        })),
      }));
      // AssumeRole (warm-up only, the credentials cache holds them after) goes first, as the hub's did.
      const assumeRoles = [...attributed.assumeRoles.values()].flat().map((c) => ({ call: toReplayCall(c) }));
      gc();
      const replayCpuStart = process.cpuUsage();
      const replayStarted = now();
      for (const { call } of assumeRoles) {
        await replay.send(call, {}).catch(() => {
          replayFailures++;
        });
      }
      for (let i = 0; i < byAlert.length; i += options.concurrency) {
        await Promise.all(
          byAlert.slice(i, i + options.concurrency).map(async ({ alert, calls: list }) => {
            for (const c of list) {
              try {
                await replay.send(c.call, { account: alert.accountId, region: c.region });
              } catch {
                if (measured) replayFailures++;
              }
            }
          }),
        );
      }
      const replayWallRound = (now() - replayStarted) / 1000;
      const replayCpuRound = cpuMs(replayCpuStart);
      const replayed = await proxy.take();
      // Which alerts the hub remediated, from its ledger (after the replay: these reads are the bench's, not counted).
      const records = await root.ledger.query({
        outcome: 'remediated',
        since: new Date(roundStarted - 60_000),
      });
      await proxy.take();
      const done = new Set(records.map((r) => r.alertId));
      if (measured) {
        for (const a of alerts) {
          if (done.has(a.id)) remediated++;
          else outcomes['not remediated'] = (outcomes['not remediated'] ?? 0) + 1;
        }
        replayCpu += replayCpuRound;
        (perRoundCpu.at(-1) as { sdk: number }).sdk = replayCpuRound;
        replayWall += replayWallRound;
        replayedCalls += replayed.filter((c) => c.service !== 'sqs').length;
      }
      log(
        `e2e: ${measured ? `round ${round}` : 'warm-up'}: hub ${wall.toFixed(1)} s, ${used.toFixed(0)} ms CPU, ${hubCalls.length} calls; replay ${replayWallRound.toFixed(1)} s, ${replayCpuRound.toFixed(0)} ms CPU, ${replayed.length} calls`,
      );
    }
  } finally {
    replay.destroy();
    root.destroy();
    await proxy.close();
  }

  const assumed = allCalls.filter((c) => c.service === 'sts' && c.action === 'AssumeRole');
  const distinct = new Set(assumed.map((c) => /iam::(\d{12}):/.exec(c.params.RoleArn ?? '')?.[1]));
  const per = (n: number) => (remediated > 0 ? n / remediated : Number.NaN);
  const total = [...calls.values()].reduce((a, b) => a + b, 0);
  const hubCpuPerAlert = per(hubCpu);
  const sdkCpuPerAlert = per(replayCpu);
  const hubRate = measuredAlerts / hubWall;
  const boundRate = measuredAlerts / replayWall;
  return {
    alerts: measuredAlerts,
    accounts: options.accounts,
    regions: REGIONS,
    concurrency: options.concurrency,
    rounds: options.rounds,
    remediated,
    otherOutcomes: outcomes,
    hub: {
      alertsPerSecond: hubRate,
      latencyMs: {
        p50: percentile(latencies, 50),
        p95: percentile(latencies, 95),
        max: Math.max(...latencies),
      },
      cpuMsPerAlert: hubCpuPerAlert,
      wallSeconds: hubWall,
    },
    callsPerAlert: {
      total: per(total),
      byAction: Object.fromEntries([...calls].map(([k, n]) => [k, per(n)])),
    },
    unattributedCalls: unattributed,
    failedCalls: Object.fromEntries(failedCalls),
    assumeRole: { calls: assumed.length, distinctAccounts: distinct.size, accountsAlerted: accounts.length },
    sdkOnly: {
      calls: replayedCalls,
      cpuMsPerAlert: sdkCpuPerAlert,
      failedCalls: replayFailures,
      alertsPerSecond: boundRate,
    },
    hubCpuShare: overheadShare(hubCpuPerAlert, sdkCpuPerAlert),
    hubCpuShareByRound: perRoundCpu.map((r) => overheadShare(r.hub, r.sdk)),
    throughputRatio: hubRate / boundRate,
  };
}
