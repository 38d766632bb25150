import {
  ChangeMessageVisibilityBatchCommand,
  DeleteMessageBatchCommand,
  GetQueueAttributesCommand,
  type Message,
  ReceiveMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';

export interface ConsumeQueueOptions {
  sqs: SQSClient;
  queueUrl: string;
  /** The hub handler: an SQS event in, a partial batch response out. */
  handle: (event: SQSEvent) => Promise<SQSBatchResponse>;
  /** Return when the queue is empty (and nothing this run sent back is still to come). */
  once: boolean;
  /** Long-poll wait per ReceiveMessage (0 to 20 s). */
  waitTimeSeconds: number;
  /** A failed message becomes visible again after this many seconds (its visibility timeout is set to it). */
  retryDelaySeconds: number;
  /** The region put on the events' records. */
  region: string;
  /** Stops polling (SIGINT). */
  signal?: AbortSignal;
  /** After each batch: how many were deleted and returned. */
  onBatch?: (batch: { received: number; deleted: number; returned: number }) => void;
  /** Logs what could not be deleted or sent back (both are harmless: the message comes back). */
  onWarning?: (message: string, error: unknown) => void;
}

export interface ConsumeSummary {
  batches: number;
  received: number;
  deleted: number;
  returned: number;
}

/**
 * The hub's poller outside Lambda: long-polls the queue, hands each received batch to the handler as an
 * SQS event (what the Lambda event source mapping does), deletes what succeeded and leaves the batch item
 * failures for redelivery (with a short visibility timeout, so they come back after `retryDelaySeconds`).
 */
export async function consumeQueue(options: ConsumeQueueOptions): Promise<ConsumeSummary> {
  const { sqs, queueUrl } = options;
  const summary: ConsumeSummary = { batches: 0, received: 0, deleted: 0, returned: 0 };
  const queueArn = await attribute(sqs, queueUrl, 'QueueArn');
  /** Messages this run sent back and has not seen succeed yet. */
  const pending = new Set<string>();

  while (!options.signal?.aborted) {
    const { Messages: messages = [] } = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: queueUrl,
        MaxNumberOfMessages: 10,
        WaitTimeSeconds: options.waitTimeSeconds,
        MessageSystemAttributeNames: ['All'],
        MessageAttributeNames: ['All'],
      }),
      { abortSignal: options.signal },
    );

    if (messages.length === 0) {
      if (options.once && (pending.size === 0 || (await queueIsDrained(sqs, queueUrl)))) break;
      continue;
    }

    const event: SQSEvent = { Records: messages.map((m) => toRecord(m, queueArn, options.region)) };
    const response = await options.handle(event);
    const failed = new Set(response.batchItemFailures.map((f) => f.itemIdentifier));
    const succeeded = messages.filter((m) => !failed.has(m.MessageId ?? ''));
    const returned = messages.filter((m) => failed.has(m.MessageId ?? ''));

    if (succeeded.length > 0) {
      try {
        const result = await sqs.send(
          new DeleteMessageBatchCommand({
            QueueUrl: queueUrl,
            Entries: succeeded.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle })),
          }),
        );
        for (const failure of result.Failed ?? []) {
          options.onWarning?.(
            `could not delete a message: ${failure.Code ?? ''} ${failure.Message ?? ''}`,
            failure,
          );
        }
      } catch (error) {
        options.onWarning?.('could not delete the batch; its messages will come back as duplicates', error);
      }
    }
    if (returned.length > 0) {
      try {
        await sqs.send(
          new ChangeMessageVisibilityBatchCommand({
            QueueUrl: queueUrl,
            Entries: returned.map((m, i) => ({
              Id: String(i),
              ReceiptHandle: m.ReceiptHandle,
              VisibilityTimeout: options.retryDelaySeconds,
            })),
          }),
        );
      } catch (error) {
        options.onWarning?.('could not shorten the visibility of failed messages; they return later', error);
      }
    }
    for (const m of succeeded) pending.delete(m.MessageId ?? '');
    for (const m of returned) pending.add(m.MessageId ?? '');

    summary.batches += 1;
    summary.received += messages.length;
    summary.deleted += succeeded.length;
    summary.returned += returned.length;
    options.onBatch?.({ received: messages.length, deleted: succeeded.length, returned: returned.length });
  }
  return summary;
}

/** Nothing visible and nothing in flight: what was sent back has moved to the dead-letter queue. */
async function queueIsDrained(sqs: SQSClient, queueUrl: string): Promise<boolean> {
  const { Attributes } = await sqs.send(
    new GetQueueAttributesCommand({
      QueueUrl: queueUrl,
      AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
    }),
  );
  return (
    Number(Attributes?.ApproximateNumberOfMessages ?? 0) === 0 &&
    Number(Attributes?.ApproximateNumberOfMessagesNotVisible ?? 0) === 0
  );
}

async function attribute(sqs: SQSClient, queueUrl: string, name: 'QueueArn'): Promise<string> {
  const { Attributes } = await sqs.send(
    new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: [name] }),
  );
  return Attributes?.[name] ?? '';
}

/** An SQS message as the Lambda event source mapping presents it. */
function toRecord(message: Message, queueArn: string, region: string): SQSRecord {
  const a = message.Attributes ?? {};
  return {
    messageId: message.MessageId ?? '',
    receiptHandle: message.ReceiptHandle ?? '',
    body: message.Body ?? '',
    attributes: {
      ApproximateReceiveCount: a.ApproximateReceiveCount ?? '1',
      SentTimestamp: a.SentTimestamp ?? '',
      SenderId: a.SenderId ?? '',
      ApproximateFirstReceiveTimestamp: a.ApproximateFirstReceiveTimestamp ?? '',
      ...(a.MessageGroupId ? { MessageGroupId: a.MessageGroupId } : {}),
      ...(a.MessageDeduplicationId ? { MessageDeduplicationId: a.MessageDeduplicationId } : {}),
      ...(a.SequenceNumber ? { SequenceNumber: a.SequenceNumber } : {}),
    },
    messageAttributes: Object.fromEntries(
      Object.entries(message.MessageAttributes ?? {}).map(([name, v]) => [
        name,
        {
          dataType: v.DataType ?? 'String',
          ...(v.StringValue === undefined ? {} : { stringValue: v.StringValue }),
          ...(v.BinaryValue === undefined
            ? {}
            : { binaryValue: Buffer.from(v.BinaryValue).toString('base64') }),
        },
      ]),
    ),
    md5OfBody: message.MD5OfBody ?? '',
    eventSource: 'aws:sqs',
    eventSourceARN: queueArn,
    awsRegion: region,
  };
}
