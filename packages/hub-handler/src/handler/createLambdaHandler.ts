import middy from '@middy/core';
import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import type { CompositionRoot } from '../compositionRoot.js';
import { type BatchResult, countOutcomes } from './processBatch.js';

export interface LambdaHandlerOptions {
  /** Alerts are not started when less than this is left of the invocation (they are retried instead). */
  reserveMillis?: number;
  /** Sees every batch's per-message results (the `consume` command's summary). */
  onBatch?: (result: BatchResult) => void;
}

/**
 * The SQS-triggered Lambda handler: the batch through the hub, answered as an SQS partial batch
 * response (the event source mapping needs `ReportBatchItemFailures`). Only retryable failures are
 * reported; terminal outcomes are in the ledger and their messages are consumed.
 */
export function createLambdaHandler(root: CompositionRoot, options: LambdaHandlerOptions = {}) {
  const reserveMillis = options.reserveMillis ?? 10_000;
  return middy<SQSEvent, SQSBatchResponse, Error, Context>().handler(async (event, context) => {
    const result = await root.processBatch(event, context.awsRequestId, {
      shouldStart: () =>
        typeof context.getRemainingTimeInMillis !== 'function' ||
        context.getRemainingTimeInMillis() > reserveMillis,
    });
    options.onBatch?.(result);
    root.logger.info(
      {
        records: result.results.length,
        outcomes: countOutcomes(result.results),
        retries: result.batchItemFailures.length,
      },
      'batch processed',
    );
    return { batchItemFailures: result.batchItemFailures };
  });
}
