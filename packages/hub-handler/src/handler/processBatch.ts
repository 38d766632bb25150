import { parseFindings, type ReadFinding, toRecordedError } from '@remediation-hub/core';
import type { SQSEvent, SQSRecord } from 'aws-lambda';
import type { Logger } from '../logging/createLogger.js';
import { BatchProgress, type BatchResult, NOT_STARTED } from './BatchProgress.js';
import { type AlertProcessorDeps, type AlertResult, processMessage } from './processAlert.js';
import { sentBack } from './sentBack.js';

export type { BatchResult } from './BatchProgress.js';

export interface BatchProcessorDeps extends AlertProcessorDeps {
  /** Alerts of one batch processed at the same time. */
  concurrency: number;
}

export interface BatchOptions {
  /** Identifies this worker; each delivery's lease owner is `<owner>:<message id>`. */
  owner: string;
  /** Asked before each message starts; `false` (time is running out) sends the rest back untouched. */
  shouldStart?: () => boolean;
  /**
   * The logger of this batch, instead of `deps.logger`: every line of the batch comes from it, the per-alert
   * child loggers of `processAlert` included (the Lambda handler's is bound to the invocation's request id).
   */
  logger?: Logger;
  /**
   * Filled as the batch goes (records started, results as each finishes), for whoever must answer before the
   * batch is done (the Lambda handler's early timeout); built from the same records. Once it is answered, no
   * further record starts. Default: a progress of the batch's own.
   */
  progress?: BatchProgress;
}

/**
 * An SQS batch through `processMessage`, at most `concurrency` messages at a time. Each body is read once,
 * here, so that alerts about the same security group (account, region, group id) run one after the other, in
 * the batch's order: a group open to the world on a whole port range brings several alerts at once (SSH, RDP,
 * ...), and each must plan from the group the previous one left, not race it (two `narrow`s of one range would
 * each re-open the other's port). Deliveries of the same notification are thereby serialized too (the later
 * ones are duplicates, not lease contention). Different groups run concurrently. A record never fails the
 * batch: an unexpected exception is a retry of that record alone. Each record's start and results go to the
 * batch's progress as they happen, so the batch can be answered before it is done (`BatchProgress.answerEarly`).
 */
export async function processBatch(
  event: SQSEvent,
  deps: BatchProcessorDeps,
  options: BatchOptions,
): Promise<BatchResult> {
  const records = event.Records ?? [];
  const progress = options.progress ?? new BatchProgress(records);
  if (progress.size !== records.length) {
    throw new Error(`the batch has ${records.length} records, its progress ${progress.size}`);
  }
  const alertDeps: AlertProcessorDeps = options.logger ? { ...deps, logger: options.logger } : deps;
  const findings = records.map((record) => parseFindings(record.body ?? ''));

  const runLane = async (indexes: readonly number[]): Promise<void> => {
    for (const index of indexes) {
      const record = records[index] as SQSRecord;
      if (!progress.answered && (options.shouldStart === undefined || options.shouldStart())) {
        progress.start(index);
        const read = findings[index] as ReadFinding[];
        progress.settle(index, await processRecord(record, read, alertDeps, options.owner));
      } else {
        progress.settle(index, [sentBack(record.messageId, NOT_STARTED)]);
      }
    }
  };
  const queue = [...lanes(findings)];
  const workers = Array.from({ length: Math.max(1, Math.min(deps.concurrency, queue.length)) }, async () => {
    for (let lane = queue.shift(); lane !== undefined; lane = queue.shift()) await runLane(lane);
  });
  await Promise.all(workers);
  return progress.complete();
}

/**
 * The batch's records in lanes: records that share a security group (any finding of one about any group of
 * the other) are in one lane, in the batch's order; so are deliveries of one notification. A record whose
 * findings could not be read keys by their ids where readable, else is a lane of its own.
 */
export function lanes(findings: ReadonlyArray<readonly ReadFinding[]>): number[][] {
  const parent = findings.map((_, index) => index);
  const root = (index: number): number => {
    let at = index;
    while (parent[at] !== at) at = parent[at] as number;
    return at;
  };
  const firstWith = new Map<string, number>();
  findings.forEach((reads, index) => {
    for (const key of reads.flatMap(laneKeys)) {
      const other = firstWith.get(key);
      if (other === undefined) firstWith.set(key, index);
      else parent[root(index)] = root(other);
    }
  });
  const byRoot = new Map<number, number[]>();
  findings.forEach((_, index) => {
    const lane = byRoot.get(root(index));
    if (lane) lane.push(index);
    else byRoot.set(root(index), [index]);
  });
  return [...byRoot.values()];
}

function laneKeys(read: ReadFinding): string[] {
  if (read.finding !== undefined) {
    const { accountId, region, groupId, id, eventKey } = read.finding;
    return [`group:${accountId}:${region}:${groupId}`, `alert:${id}\u0000${eventKey}`];
  }
  const key = read.unreadable.key;
  return key === undefined ? [] : [`alert:${key.id}\u0000${key.eventKey}`];
}

async function processRecord(
  record: SQSRecord,
  findings: readonly ReadFinding[],
  deps: AlertProcessorDeps,
  owner: string,
): Promise<AlertResult[]> {
  const receiveCount = Number(record.attributes?.ApproximateReceiveCount ?? Number.NaN);
  try {
    return await processMessage(
      {
        messageId: record.messageId,
        body: record.body ?? '',
        owner: `${owner}:${record.messageId}`,
        receiveCount: Number.isFinite(receiveCount) ? receiveCount : undefined,
        findings,
      },
      deps,
    );
  } catch (error) {
    // Never lose an alert: whatever went wrong, the message comes back and, after the queue's
    // maxReceiveCount, lands in the dead-letter queue.
    deps.logger
      .child({ messageId: record.messageId })
      .error({ err: error, receiveCount }, 'unexpected error, the message will come back');
    return [sentBack(record.messageId, { ...toRecordedError(error), retryable: true })];
  }
}

/** Counts of outcomes, e.g. `{ remediated: 3, duplicate: 4 }`. */
export function countOutcomes(results: readonly AlertResult[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const { outcome } of results) counts[outcome] = (counts[outcome] ?? 0) + 1;
  return counts;
}
