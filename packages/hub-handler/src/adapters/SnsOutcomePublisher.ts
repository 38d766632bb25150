import { type MessageAttributeValue, PublishCommand, type SNSClient } from '@aws-sdk/client-sns';
import {
  type Clock,
  type LedgerRecord,
  type OutcomeEventLedger,
  type OutcomeListener,
  outcomeEvent,
  outcomeEventAttributes,
  type RecordedError,
  toRecordedError,
} from '@remediation-hub/core';
import type { Logger } from '../logging/createLogger.js';
import { systemClock } from '../systemClock.js';
import { mapAwsError } from './mapAwsError.js';

export interface SnsOutcomePublisherOptions {
  /** The hub's SNS client; its SDK retries are the publish's retries. */
  sns: SNSClient;
  topicArn: string;
  /** Where the record is marked sent, or its failed publish noted. */
  events: OutcomeEventLedger;
  logger: Logger;
  clock?: Clock;
}

/** What became of one publish. */
export type PublishResult =
  /** SNS accepted the event; `marked`: the record says so (false when the mark failed or the record moved on). */
  | { sent: true; messageId: string; marked: boolean }
  /** SNS refused it after the SDK's retries: the record stays pending (and says why) for `audit resend`. */
  | { sent: false; error: RecordedError };

/**
 * Publishes each completed record's outcome event (core's `outcomeEvent`) on the outcome topic, with the
 * message attributes subscribers filter on, after the ledger write that marked it pending. Delivery is at
 * least once, never lost: a confirmed publish marks the record sent; a failed one (after the SDK's retries)
 * stays pending and is noted on the record, and `audit resend` sends it later; a crash in between leaves it
 * pending too. A mark that fails after a publish may cause one more copy later: subscribers drop copies by
 * `eventId`. It never throws into the batch: the outcome stands whatever the topic does.
 */
export class SnsOutcomePublisher implements OutcomeListener {
  readonly name = 'outcome-topic';
  readonly topicArn: string;
  readonly #sns: SNSClient;
  readonly #events: OutcomeEventLedger;
  readonly #log: Logger;
  readonly #clock: Clock;

  constructor(options: SnsOutcomePublisherOptions) {
    this.#sns = options.sns;
    this.topicArn = options.topicArn;
    this.#events = options.events;
    this.#log = options.logger;
    this.#clock = options.clock ?? systemClock;
  }

  async completed(record: LedgerRecord): Promise<void> {
    await this.publish(record);
  }

  /** Publishes the record's event and marks the record; never throws. */
  async publish(record: LedgerRecord): Promise<PublishResult> {
    const key = { alertId: record.alertId, eventKey: record.eventKey };
    let messageId: string;
    try {
      const event = outcomeEvent(record);
      const attributes: Record<string, MessageAttributeValue> = {};
      for (const [name, value] of Object.entries(outcomeEventAttributes(event))) {
        attributes[name] = { DataType: 'String', StringValue: value };
      }
      const response = await this.#sns.send(
        new PublishCommand({
          TopicArn: this.topicArn,
          Message: JSON.stringify(event),
          MessageAttributes: attributes,
        }),
      );
      messageId = response.MessageId ?? '';
    } catch (publishError) {
      const error = toRecordedError(
        mapAwsError(publishError, `sns:Publish ${this.topicArn}`, { alertId: record.alertId }),
      );
      this.#log.warn(
        { err: publishError, ledgerKey: key, outcome: record.outcome },
        'could not publish the outcome event; the record keeps it pending for audit resend',
      );
      try {
        await this.#events.markFailed(record, { at: this.#clock.now(), error });
      } catch (markError) {
        this.#log.warn({ err: markError, ledgerKey: key }, 'could not note the failed publish on the record');
      }
      return { sent: false, error };
    }
    let marked = false;
    try {
      marked = await this.#events.markSent(record, { at: this.#clock.now(), messageId });
    } catch (markError) {
      this.#log.warn(
        { err: markError, ledgerKey: key, messageId },
        'the outcome event went out but the record still says pending: audit resend may send it again',
      );
    }
    return { sent: true, messageId, marked };
  }
}
