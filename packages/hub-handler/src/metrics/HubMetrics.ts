import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { type LedgerRecord, type OutcomeListener, timeToCloseSeconds } from '@remediation-hub/core';
import type { BatchResult } from '../handler/BatchProgress.js';
import type { Logger } from '../logging/createLogger.js';

/** The CloudWatch namespace of every hub metric; the alarms and the dashboard of the hub stack read it. */
export const METRICS_NAMESPACE = 'RemediationHub';
/** The `service` dimension that Powertools puts in every dimension set. */
export const METRICS_SERVICE = 'remediation-hub';

/** The hub's metrics and their dimension sets (each set also has `service`). */
export const HUB_METRICS = {
  /** One per completed record (what the outcome topic gets): sets [outcome], [outcome, source], [outcome, control]. */
  outcome: 'Outcome',
  /** Per remediated record: the source's first sight of the exposure to its confirmed revoke. Sets [], [source]. */
  timeToClose: 'TimeToCloseSeconds',
  /** Per AssumeRole of a member role that failed. Sets [], [account]. */
  assumeRoleFailure: 'AssumeRoleFailure',
  /** Per AWS call the SDK retried because it was throttled. Sets [], [awsService]. */
  throttledRetries: 'ThrottledRetries',
  /** Per batch: its wall time, its messages sent back to the queue, its duplicate deliveries. Set []. */
  batchDuration: 'BatchDurationMs',
  retries: 'MessagesSentBack',
  duplicates: 'DuplicateDeliveries',
} as const;

/**
 * Values of one metric in one document: EMF allows 100, and Powertools publishes a document on its own (to its
 * own console, not `write`) the moment a metric reaches 100 values, so a document holds at most 99.
 */
const MAX_VALUES = 99;

export interface HubMetricsOptions {
  /** Writes one EMF document (one line). Default: stdout, where Lambda hands it to CloudWatch Logs. */
  write?: (line: string) => void;
  /** Where Powertools' own warnings go (a bad dimension, ...). */
  logger?: Logger;
}

type Unit = (typeof MetricUnit)[keyof typeof MetricUnit];

/**
 * The hub's metrics in CloudWatch Embedded Metric Format, through Powertools Metrics: counted in memory as the
 * batch goes (completed records, STS failures, throttled SDK retries) and written as EMF lines to the log when
 * the batch ends (`flush`). No AWS call: CloudWatch extracts the metrics from the log. One document per
 * combination of dimension values, so that `account` or `control` never multiplies the others.
 */
export class HubMetrics {
  readonly #write: (line: string) => void;
  readonly #logger: Logger | undefined;
  readonly #outcomes = new Map<string, { outcome: string; source: string; control: string; count: number }>();
  readonly #timeToClose = new Map<string, number[]>();
  readonly #assumeRoleFailures = new Map<string, number>();
  readonly #throttled = new Map<string, number>();

  /** Feeds `Outcome` and `TimeToCloseSeconds` from every completed record (first of the hub's listeners). */
  readonly listener: OutcomeListener = {
    name: 'metrics',
    completed: async (record) => this.completed(record),
  };

  constructor(options: HubMetricsOptions = {}) {
    this.#write = options.write ?? ((line) => void process.stdout.write(`${line}\n`));
    this.#logger = options.logger;
  }

  completed(record: LedgerRecord): void {
    const outcome = record.outcome ?? 'unknown';
    const source = record.source ?? 'unknown';
    const control = record.signature?.identifier || 'unknown';
    const key = `${outcome}\u0000${source}\u0000${control}`;
    const entry = this.#outcomes.get(key) ?? { outcome, source, control, count: 0 };
    entry.count++;
    this.#outcomes.set(key, entry);
    const seconds = timeToCloseSeconds(record);
    if (seconds !== null) add(this.#timeToClose, source, seconds);
  }

  assumeRoleFailure(accountId: string): void {
    this.#assumeRoleFailures.set(accountId, (this.#assumeRoleFailures.get(accountId) ?? 0) + 1);
  }

  throttledRetry(awsService: string): void {
    this.#throttled.set(awsService, (this.#throttled.get(awsService) ?? 0) + 1);
  }

  /**
   * Writes what was counted since the last flush, with the batch's own figures, and starts counting afresh.
   * Records that finish after an early answer are counted into the next flush.
   */
  flush(batch?: { result: BatchResult; durationMs: number }): void {
    for (const { outcome, source, control, count } of this.#outcomes.values()) {
      this.#emit(
        { outcome },
        [{}, { source }, { control }],
        [[HUB_METRICS.outcome, MetricUnit.Count, [count]]],
      );
    }
    for (const [source, values] of this.#timeToClose) {
      for (let at = 0; at < values.length; at += MAX_VALUES) {
        const chunk = values.slice(at, at + MAX_VALUES);
        this.#emit({}, [{}, { source }], [[HUB_METRICS.timeToClose, MetricUnit.Seconds, chunk]]);
      }
    }
    for (const [account, count] of this.#assumeRoleFailures) {
      this.#emit({}, [{}, { account }], [[HUB_METRICS.assumeRoleFailure, MetricUnit.Count, [count]]]);
    }
    for (const [awsService, count] of this.#throttled) {
      this.#emit({}, [{}, { awsService }], [[HUB_METRICS.throttledRetries, MetricUnit.Count, [count]]]);
    }
    if (batch !== undefined) {
      const { result, durationMs } = batch;
      const duplicates = result.results.filter((r) => r.outcome === 'duplicate').length;
      this.#emit(
        {},
        [{}],
        [
          [HUB_METRICS.batchDuration, MetricUnit.Milliseconds, [durationMs]],
          [HUB_METRICS.retries, MetricUnit.Count, [result.batchItemFailures.length]],
          [HUB_METRICS.duplicates, MetricUnit.Count, [duplicates]],
        ],
      );
    }
    this.#outcomes.clear();
    this.#timeToClose.clear();
    this.#assumeRoleFailures.clear();
    this.#throttled.clear();
  }

  /**
   * One EMF document: `defaults` are in every dimension set, each of `sets` adds one set (`{}`: the defaults
   * alone). Written through `write`, not Powertools' own console, so that tests and the CLI choose where.
   */
  #emit(
    defaults: Record<string, string>,
    sets: ReadonlyArray<Record<string, string>>,
    metrics: ReadonlyArray<readonly [string, Unit, readonly number[]]>,
  ): void {
    const document = new Metrics({
      namespace: METRICS_NAMESPACE,
      serviceName: METRICS_SERVICE,
      defaultDimensions: defaults,
      ...(this.#logger ? { logger: this.#logger } : {}),
    });
    for (const set of sets) document.addDimensions(set);
    for (const [name, unit, values] of metrics) {
      for (const value of values) document.addMetric(name, unit, value);
    }
    this.#write(JSON.stringify(document.serializeMetrics()));
  }
}

function add(map: Map<string, number[]>, key: string, value: number): void {
  const values = map.get(key);
  if (values) values.push(value);
  else map.set(key, [value]);
}
