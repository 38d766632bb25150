import type { RecordedError } from '@remediation-hub/core';
import type { SQSBatchItemFailure, SQSRecord } from 'aws-lambda';
import type { AlertResult } from './processAlert.js';
import { sentBack } from './sentBack.js';

/** What an SQS batch came to. */
export interface BatchResult {
  /** The SQS partial batch response: every message that goes back to the queue (outcome `retry`). */
  batchItemFailures: SQSBatchItemFailure[];
  /** One result per finding (a message may carry several), in the batch's order. */
  results: AlertResult[];
}

/** The reason given for a message whose alert was still running when the batch was answered early. */
export const UNFINISHED: RecordedError = {
  name: 'Unfinished',
  message: 'still running when the invocation answered early, before its timeout',
  retryable: true,
};

/** The reason given for a message whose alert was not started: time was running out, or the batch was answered. */
export const NOT_STARTED: RecordedError = {
  name: 'NotStarted',
  message: 'not started: the invocation is running out of time',
  retryable: true,
};

/**
 * The live state of one SQS batch: which records have started and, as each finishes, its result. `processBatch`
 * fills it; whoever holds it can answer for the batch at any moment with `answerEarly` (the Lambda handler does,
 * from middy's early timeout, when the invocation is about to be killed).
 *
 * An early answer is final: it is computed once, from the state at that moment, and later calls return the same
 * object. A record that finished keeps its real result (a terminal outcome is not reported, a retryable one is);
 * every other record is reported as a batch item failure, so its message comes back. Once answered, no record
 * starts any more (`processBatch` asks `answered` before each); the alerts already running go on until they end
 * (nothing can stop an EC2 call in flight) and their results are recorded, but they change nothing in the answer.
 * That is safe: each running alert holds its ledger lease, checks the lease margin before every EC2 change and
 * writes its record under that lease, so the redelivery of its message finds the alert either completed
 * (`duplicate`) or still leased (a retry), or takes over an expired lease and plans from the group as it is.
 */
export class BatchProgress {
  readonly #records: readonly SQSRecord[];
  readonly #started: boolean[];
  readonly #results: Array<readonly AlertResult[] | undefined>;
  #answer: BatchResult | undefined;

  constructor(records: readonly SQSRecord[]) {
    this.#records = records;
    this.#started = records.map(() => false);
    this.#results = records.map(() => undefined);
  }

  /** The number of records in the batch. */
  get size(): number {
    return this.#records.length;
  }

  /** True once the batch was answered early: nothing may start any more. */
  get answered(): boolean {
    return this.#answer !== undefined;
  }

  /** The record at `index` is starting. */
  start(index: number): void {
    this.#started[index] = true;
  }

  /** The record at `index` finished with these results (one per finding of its message). */
  settle(index: number, results: readonly AlertResult[]): void {
    this.#results[index] = results;
  }

  /** The messages of the records that have not finished yet, in the batch's order. */
  unfinished(): string[] {
    return this.#records.filter((_, index) => this.#results[index] === undefined).map((r) => r.messageId);
  }

  /**
   * The batch's answer now, before every record finished: finished records keep their results, records still
   * running are `Unfinished` retries, records not started are `NotStarted` retries. Final: later calls, and later
   * results, do not change it.
   */
  answerEarly(): BatchResult {
    this.#answer ??= toBatchResult(
      this.#records.map(
        (record, index) =>
          this.#results[index] ?? [
            sentBack(record.messageId, this.#started[index] ? UNFINISHED : NOT_STARTED),
          ],
      ),
    );
    return this.#answer;
  }

  /** The result of the whole batch, once every record finished (after an early answer too: what really happened). */
  complete(): BatchResult {
    const results = this.#results.map((result, index) => {
      if (result === undefined) throw new Error(`record ${index} of the batch has no result`);
      return result;
    });
    return toBatchResult(results);
  }
}

/** A message goes back when any of its findings is a retry (the others are duplicates when it returns). */
function toBatchResult(perRecord: ReadonlyArray<readonly AlertResult[]>): BatchResult {
  const results = perRecord.flat();
  const retried = new Set(results.filter((result) => result.outcome === 'retry').map((r) => r.messageId));
  return {
    batchItemFailures: [...retried].map((messageId) => ({ itemIdentifier: messageId })),
    results,
  };
}
