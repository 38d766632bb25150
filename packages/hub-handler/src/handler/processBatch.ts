import { toRecordedError } from '@remediation-hub/core';
import type { SQSEvent, SQSRecord } from 'aws-lambda';
import type { Logger } from '../logging/createLogger.js';
import { BatchProgress, type BatchResult, NOT_STARTED } from './BatchProgress.js';
import { peekAlertKey } from './peekAlertKey.js';
import { peekGroupKey } from './peekGroupKey.js';
import { type AlertProcessorDeps, type AlertResult, processAlert } from './processAlert.js';
import { sentBack } from './sentBack.js';

export type { BatchResult } from './BatchProgress.js';

export interface BatchProcessorDeps extends AlertProcessorDeps {
  /** Alerts of one batch processed at the same time. */
  concurrency: number;
}

export interface BatchOptions {
  /** Identifies this worker; each delivery's lease owner is `<owner>:<message id>`. */
  owner: string;
  /** Asked before each alert starts; `false` (time is running out) sends the rest back untouched. */
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
 * An SQS batch through `processAlert`, at most `concurrency` alerts at a time. Alerts about the same security
 * group (account, region, group id) run one after the other, in the batch's order: Evident raises one alert per
 * signature, so a group open to the world on a whole port range brings several at once (SSH, RDP, ...), and
 * each must plan from the group the previous one left, not race it (two `narrow`s of one range would each
 * re-open the other's port). Deliveries of the same notification are thereby serialized too (the later ones
 * are duplicates, not lease contention). Different groups run concurrently. A record never fails the batch:
 * an unexpected exception is a retry of that record alone. Each record's start and result go to the batch's
 * progress as they happen, so the batch can be answered before it is done (`BatchProgress.answerEarly`).
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

  const groups = new Map<string, number[]>();
  records.forEach((record, index) => {
    const key = serializationKey(record);
    const group = groups.get(key);
    if (group) group.push(index);
    else groups.set(key, [index]);
  });

  const runGroup = async (indexes: number[]): Promise<void> => {
    for (const index of indexes) {
      const record = records[index] as SQSRecord;
      if (!progress.answered && (options.shouldStart === undefined || options.shouldStart())) {
        progress.start(index);
        progress.settle(index, await processRecord(record, alertDeps, options.owner));
      } else {
        progress.settle(index, sentBack(record.messageId, NOT_STARTED));
      }
    }
  };
  const queue = [...groups.values()];
  const workers = Array.from({ length: Math.max(1, Math.min(deps.concurrency, queue.length)) }, async () => {
    for (let group = queue.shift(); group !== undefined; group = queue.shift()) await runGroup(group);
  });
  await Promise.all(workers);
  return progress.complete();
}

async function processRecord(
  record: SQSRecord,
  deps: AlertProcessorDeps,
  owner: string,
): Promise<AlertResult> {
  const receiveCount = Number(record.attributes?.ApproximateReceiveCount ?? Number.NaN);
  try {
    return await processAlert(
      {
        messageId: record.messageId,
        body: record.body ?? '',
        owner: `${owner}:${record.messageId}`,
        receiveCount: Number.isFinite(receiveCount) ? receiveCount : undefined,
      },
      deps,
    );
  } catch (error) {
    // Never lose an alert: whatever went wrong, the message comes back and, after the queue's
    // maxReceiveCount, lands in the dead-letter queue.
    deps.logger
      .child({ messageId: record.messageId })
      .error({ err: error, receiveCount }, 'unexpected error, the message will come back');
    return sentBack(record.messageId, { ...toRecordedError(error), retryable: true });
  }
}

/**
 * Alerts about one security group share a key; a message whose group cannot be read is keyed by its
 * notification (alert id and status), or, unreadable, by itself.
 */
function serializationKey(record: SQSRecord): string {
  const body = record.body ?? '';
  const group = peekGroupKey(body);
  if (group !== undefined) return `group:${group}`;
  const alert = peekAlertKey(body);
  if (alert !== undefined) return `alert:${alert.alertId}\u0000${alert.status}`;
  return `message:${record.messageId}`;
}

/** Counts of outcomes, e.g. `{ remediated: 3, duplicate: 4 }`. */
export function countOutcomes(results: readonly AlertResult[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const { outcome } of results) counts[outcome] = (counts[outcome] ?? 0) + 1;
  return counts;
}
