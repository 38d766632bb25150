import middy from '@middy/core';
import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import type { CompositionRoot } from '../compositionRoot.js';
import type { Logger } from '../logging/createLogger.js';
import { requestLogger } from '../middleware/requestLogger.js';
import { BatchProgress, type BatchResult } from './BatchProgress.js';
import { countOutcomes } from './processBatch.js';

export interface LambdaHandlerOptions {
  /** Alerts are not started when less than this is left of the invocation (they are retried instead). */
  reserveMillis?: number;
  /**
   * middy's `timeoutEarlyInMillis`: this long before the invocation's deadline, the handler answers for the
   * batch with what is finished (see `createLambdaHandler`). Enough to return a small JSON answer with room for
   * a slow event loop; less than `reserveMillis`, so alerts started in time have the difference to finish.
   * 0 turns the early answer off (the invocation is killed at its timeout and the whole batch comes back).
   */
  timeoutEarlyInMillis?: number;
  /** Sees every batch's per-message results, as answered (the `consume` command's summary). */
  onBatch?: (result: BatchResult) => void;
}

/** The batch of the invocation running now. */
interface RunningBatch {
  progress: BatchProgress;
  log: Logger;
}

/**
 * The SQS-triggered Lambda handler: the batch through the hub, answered as an SQS partial batch response (the
 * event source mapping needs `ReportBatchItemFailures`). Only retryable failures are reported; terminal outcomes
 * are in the ledger and their messages are consumed. The `requestLogger` middleware binds the invocation's
 * request id to every log line of the batch.
 *
 * Running out of time, in two steps. Alerts are not started with less than `reserveMillis` left (`shouldStart`).
 * Alerts already started may still hang (a slow EC2 or DynamoDB call): middy's early timeout answers for the
 * batch `timeoutEarlyInMillis` before the deadline, from the batch's live state (`BatchProgress.answerEarly`):
 * every message not finished is a batch item failure and comes back, those finished keep their own result. A
 * Lambda killed at its timeout would instead send the whole batch back, finished messages included.
 *
 * middy's `timeoutEarlyResponse` is called without the request, so the live state of the batch is kept here,
 * for the invocation running now. A handler serves one invocation at a time: Lambda's Node.js runtime does not
 * invoke it again before it answered, and middy core shares one AbortController across invocations on the same
 * assumption. The running batch is set before the handler's first `await`, and middy arms its early timeout
 * only after it called the handler, so the early answer is always the running invocation's. An invocation
 * answered early goes on in the background until its running alerts end (see `BatchProgress`): it logs what
 * they came to, and changes neither the answer nor the next invocation's state.
 */
export function createLambdaHandler(root: CompositionRoot, options: LambdaHandlerOptions = {}) {
  const reserveMillis = options.reserveMillis ?? 10_000;
  let running: RunningBatch | undefined;

  const answerEarly = (): SQSBatchResponse => {
    if (running === undefined) throw new Error('the early timeout fired with no batch running');
    const { progress, log } = running;
    const unfinished = progress.unfinished();
    const result = progress.answerEarly();
    options.onBatch?.(result);
    log.warn(
      { records: result.results.length, unfinished, retries: result.batchItemFailures.length },
      'batch answered early: the invocation is about to time out, its unfinished messages come back',
    );
    return { batchItemFailures: result.batchItemFailures };
  };

  return middy<SQSEvent, SQSBatchResponse, Error, Context>({
    timeoutEarlyInMillis: options.timeoutEarlyInMillis ?? 1_000,
    timeoutEarlyResponse: answerEarly,
  })
    .use(requestLogger(root.logger))
    .handler(async (event, context) => {
      if (context.logger === undefined) throw new Error('the requestLogger middleware did not run');
      const log = context.logger;
      const progress = new BatchProgress(event.Records ?? []);
      const batch: RunningBatch = { progress, log };
      running = batch;
      const started = performance.now();
      try {
        const result = await root.processBatch(event, context.awsRequestId, {
          logger: log,
          progress,
          shouldStart: () =>
            typeof context.getRemainingTimeInMillis !== 'function' ||
            context.getRemainingTimeInMillis() > reserveMillis,
        });
        const summary = {
          records: result.results.length,
          outcomes: countOutcomes(result.results),
          retries: result.batchItemFailures.length,
        };
        if (progress.answered) {
          // middy already returned the early answer; this one goes nowhere.
          log.info(summary, 'batch finished after its early answer');
        } else {
          options.onBatch?.(result);
          log.info(summary, 'batch processed');
        }
        // EMF lines of this batch (and of records finished in the background since the last one): no AWS call.
        root.metrics?.flush({ result, durationMs: Math.round(performance.now() - started) });
        return { batchItemFailures: result.batchItemFailures };
      } finally {
        if (running === batch) running = undefined;
      }
    });
}
