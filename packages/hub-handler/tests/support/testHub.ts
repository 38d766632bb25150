import type { SNSClient } from '@aws-sdk/client-sns';
import type { SQSClient } from '@aws-sdk/client-sqs';
import { type HubConfig, loadConfig } from '@remediation-hub/core';
import {
  type ConsumeSummary,
  consumeQueue,
  hubSns,
  hubSqs,
  type LocalUpResult,
  localLambdaContext,
  type RecordingProxy,
  startRecordingProxy,
  testClock,
  upTestHub,
} from '@remediation-hub/testkit';
import type { SQSEvent } from 'aws-lambda';
import { afterAll, afterEach, beforeAll } from 'vitest';
import {
  type CompositionRoot,
  type CompositionRootOptions,
  createCompositionRoot,
} from '../../src/compositionRoot.js';
import { createLambdaHandler } from '../../src/handler/createLambdaHandler.js';
import type { AlertResult } from '../../src/handler/processAlert.js';
import { createLogger, type Logger } from '../../src/logging/createLogger.js';

/** A pino logger that keeps its lines in memory. */
export function memoryLogger(level = 'debug'): {
  logger: Logger;
  lines: Array<Record<string, unknown>>;
  text: () => string;
} {
  const raw: string[] = [];
  const logger = createLogger({ level, destination: { write: (line: string) => void raw.push(line) } });
  return {
    logger,
    get lines() {
      return raw.map((line) => JSON.parse(line) as Record<string, unknown>);
    },
    text: () => raw.join(''),
  };
}

export interface HubRun {
  config: HubConfig;
  root: CompositionRoot;
  proxy: RecordingProxy;
  log: ReturnType<typeof memoryLogger>;
  clock: ReturnType<typeof testClock>;
  close(): Promise<void>;
}

/**
 * A hub runtime (as one Lambda container) for the hub `up` created, every AWS call of the hub going
 * through a recording proxy in front of the emulator.
 */
export async function startHubRun(
  up: Pick<LocalUpResult, 'env'> | { env: Record<string, string> },
  env: Record<string, string> = {},
  rootOptions: Pick<CompositionRootOptions, 'limiter' | 'listeners' | 'sleep' | 'metrics'> = {},
): Promise<HubRun> {
  const proxy = await startRecordingProxy();
  const log = memoryLogger();
  const clock = testClock();
  const config = loadConfig({ AWS_MAX_ATTEMPTS: '1', ...up.env, ...env });
  const root = createCompositionRoot({
    config,
    logger: log.logger,
    clock,
    endpoint: proxy.endpoint,
    credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
    ...rootOptions,
  });
  return {
    config,
    root,
    proxy,
    log,
    clock,
    close: async () => {
      root.destroy();
      await proxy.close();
    },
  };
}

/** `consume --once` on the hub's queue with this run's root: the real poller and the real Lambda handler. */
export async function consumeOnce(
  run: HubRun,
  sqs: SQSClient,
  queueUrl: string,
): Promise<{ summary: ConsumeSummary; results: AlertResult[] }> {
  const results: AlertResult[] = [];
  const handler = createLambdaHandler(run.root, { onBatch: (batch) => results.push(...batch.results) });
  const summary = await consumeQueue({
    sqs,
    queueUrl,
    handle: (event) => handler(event, localLambdaContext('test-consume')),
    once: true,
    waitTimeSeconds: 0,
    retryDelaySeconds: 0,
    region: 'us-east-1',
  });
  return { summary, results };
}

/** Runs the Lambda handler of `run` on an event. */
export function invoke(run: HubRun, event: SQSEvent) {
  return createLambdaHandler(run.root)(event, localLambdaContext('test-lambda'));
}

/** A hub for one test file: created once, with hub SNS/SQS clients, and every run started closed after each test. */
export interface TestHubFixture {
  readonly up: LocalUpResult;
  readonly sns: SNSClient;
  readonly sqs: SQSClient;
  start(
    env?: Record<string, string>,
    rootOptions?: Pick<CompositionRootOptions, 'limiter' | 'listeners' | 'sleep' | 'metrics'>,
  ): Promise<HubRun>;
}

/** Registers the file's hooks (beforeAll, afterEach, afterAll) and returns the hub they manage. */
export function useTestHub(
  name: string,
  accounts: string[] | (() => Promise<string[]>),
  options: Parameters<typeof upTestHub>[2] = {},
): TestHubFixture {
  let up: LocalUpResult | undefined;
  let sns: SNSClient | undefined;
  let sqs: SQSClient | undefined;
  const runs: HubRun[] = [];
  const ready = <T>(value: T | undefined): T => {
    if (value === undefined) throw new Error('the test hub is used before its beforeAll ran');
    return value;
  };
  beforeAll(async () => {
    up = await upTestHub(name, typeof accounts === 'function' ? await accounts() : accounts, options);
    sns = hubSns();
    sqs = hubSqs();
  });
  afterEach(async () => {
    for (const run of runs.splice(0)) await run.close();
  });
  afterAll(() => {
    sns?.destroy();
    sqs?.destroy();
  });
  return {
    get up() {
      return ready(up);
    },
    get sns() {
      return ready(sns);
    },
    get sqs() {
      return ready(sqs);
    },
    async start(env = {}, rootOptions = {}) {
      const run = await startHubRun(ready(up), env, rootOptions);
      runs.push(run);
      return run;
    },
  };
}

/** The requests of one API action that a run's recording proxy saw. */
export function requestsOf(run: HubRun, action: string) {
  return run.proxy.requests.filter((r) => r.action === action);
}
