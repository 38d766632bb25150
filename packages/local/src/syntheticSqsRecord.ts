import type { SQSRecord } from 'aws-lambda';

export interface SyntheticRecordSpec {
  messageId: string;
  body: string;
  /** Who delivers it, e.g. `remediation-hub-replay`; also the `eventSource` unless that is given. */
  senderId: string;
  eventSource?: string;
  eventSourceARN: string;
  awsRegion: string;
}

/**
 * An SQS record for a message that did not come from SQS (a replayed file, a test), delivered once, so it
 * takes the same handler path as the queue's own messages.
 */
export function syntheticSqsRecord(spec: SyntheticRecordSpec): SQSRecord {
  const now = String(Date.now());
  return {
    messageId: spec.messageId,
    receiptHandle: '',
    body: spec.body,
    attributes: {
      ApproximateReceiveCount: '1',
      SentTimestamp: now,
      SenderId: spec.senderId,
      ApproximateFirstReceiveTimestamp: now,
    },
    messageAttributes: {},
    md5OfBody: '',
    eventSource: spec.eventSource ?? 'aws:sqs',
    eventSourceARN: spec.eventSourceARN,
    awsRegion: spec.awsRegion,
  };
}
