import type { SQSClient } from '@aws-sdk/client-sqs';
import { type DeadLetterQueue, type RecordedError, wellFormed } from '@remediation-hub/core';
import { mapAwsError } from './mapAwsError.js';

export interface SqsDeadLetterQueueOptions {
  queueUrl: string;
  /** The SQS client's configuration (region, endpoint, retries). */
  clientConfig: ConstructorParameters<typeof SQSClient>[0];
}

/** Message attributes a dead letter carries: why it is there, and which message it was. */
export const DEAD_LETTER_ATTRIBUTES = {
  reason: 'remediation-hub.reason',
  error: 'remediation-hub.error',
  code: 'remediation-hub.code',
  messageId: 'remediation-hub.message-id',
} as const;

/**
 * The hub queue's dead-letter queue, written by the hub itself: the message body as it came, with its reason
 * in message attributes (`DEAD_LETTER_ATTRIBUTES`), so an operator reading the queue knows why it is there.
 * The SQS client is loaded on the first dead letter only: a healthy hub never pays for it at start.
 */
export class SqsDeadLetterQueue implements DeadLetterQueue {
  readonly #queueUrl: string;
  readonly #clientConfig: SqsDeadLetterQueueOptions['clientConfig'];
  #client: Promise<{ client: SQSClient; send: typeof sendMessage }> | undefined;

  constructor(options: SqsDeadLetterQueueOptions) {
    this.#queueUrl = options.queueUrl;
    this.#clientConfig = options.clientConfig;
  }

  async send(message: { messageId: string; body: string }, reason: RecordedError): Promise<void> {
    this.#client ??= load(this.#clientConfig);
    const { client, send } = await this.#client;
    try {
      await send(client, this.#queueUrl, message, reason);
    } catch (error) {
      throw mapAwsError(error, `sqs:SendMessage ${this.#queueUrl}`, {});
    }
  }

  /** Closes the client's connections (CLI runs and tests). */
  async destroy(): Promise<void> {
    if (this.#client) (await this.#client).client.destroy();
  }
}

async function load(config: SqsDeadLetterQueueOptions['clientConfig']) {
  const { SQSClient } = await import('@aws-sdk/client-sqs');
  return { client: new SQSClient(config ?? {}), send: sendMessage };
}

async function sendMessage(
  client: SQSClient,
  queueUrl: string,
  message: { messageId: string; body: string },
  reason: RecordedError,
): Promise<void> {
  const { SendMessageCommand } = await import('@aws-sdk/client-sqs');
  // Cut to SQS's attribute size; a pair cut in half becomes U+FFFD, as SQS refuses a lone surrogate.
  const text = (value: string) => ({
    DataType: 'String',
    StringValue: wellFormed(value.slice(0, 1024)) || '-',
  });
  await client.send(
    new SendMessageCommand({
      QueueUrl: queueUrl,
      MessageBody: message.body === '' ? '(empty)' : message.body,
      MessageAttributes: {
        [DEAD_LETTER_ATTRIBUTES.reason]: text(reason.message),
        [DEAD_LETTER_ATTRIBUTES.error]: text(reason.name),
        [DEAD_LETTER_ATTRIBUTES.messageId]: text(message.messageId),
        ...(reason.code === undefined ? {} : { [DEAD_LETTER_ATTRIBUTES.code]: text(reason.code) }),
      },
    }),
  );
}
