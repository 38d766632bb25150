import { type SNSClient, SubscribeCommand } from '@aws-sdk/client-sns';
import {
  CreateQueueCommand,
  DeleteMessageBatchCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SetQueueAttributesCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';

export interface OutcomeSubscription {
  queueUrl: string;
  queueArn: string;
  subscriptionArn: string;
  /** The SNS filter policy on the message attributes, if any (`{"outcome": ["failed"]}`). */
  filterPolicy: Record<string, unknown> | undefined;
}

/**
 * A subscriber of the outcome topic as a chat, e-mail or ticketing integration would be one: an SQS queue
 * subscribed with raw delivery (the body is the event, the SNS message attributes become SQS message
 * attributes) and, optionally, a filter policy on those attributes.
 */
export async function subscribeOutcomeQueue(input: {
  sns: SNSClient;
  sqs: SQSClient;
  topicArn: string;
  queueName: string;
  filterPolicy?: Record<string, unknown> | undefined;
}): Promise<OutcomeSubscription> {
  const { sns, sqs, topicArn } = input;
  const created = await sqs.send(new CreateQueueCommand({ QueueName: input.queueName }));
  const queueUrl = created.QueueUrl;
  if (!queueUrl) throw new Error('CreateQueue returned no QueueUrl');
  const { Attributes } = await sqs.send(
    new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['QueueArn'] }),
  );
  const queueArn = Attributes?.QueueArn;
  if (!queueArn) throw new Error(`no QueueArn for ${queueUrl}`);
  await sqs.send(
    new SetQueueAttributesCommand({
      QueueUrl: queueUrl,
      Attributes: {
        Policy: JSON.stringify({
          Version: '2012-10-17',
          Statement: [
            {
              Sid: 'OutcomeTopicSendsMessages',
              Effect: 'Allow',
              Principal: { Service: 'sns.amazonaws.com' },
              Action: 'sqs:SendMessage',
              Resource: queueArn,
              Condition: { ArnEquals: { 'aws:SourceArn': topicArn } },
            },
          ],
        }),
      },
    }),
  );
  const subscription = await sns.send(
    new SubscribeCommand({
      TopicArn: topicArn,
      Protocol: 'sqs',
      Endpoint: queueArn,
      ReturnSubscriptionArn: true,
      Attributes: {
        RawMessageDelivery: 'true',
        ...(input.filterPolicy ? { FilterPolicy: JSON.stringify(input.filterPolicy) } : {}),
      },
    }),
  );
  if (!subscription.SubscriptionArn) throw new Error('Subscribe returned no SubscriptionArn');
  return {
    queueUrl,
    queueArn,
    subscriptionArn: subscription.SubscriptionArn,
    filterPolicy: input.filterPolicy,
  };
}

/** One outcome event as a subscriber's queue received it. */
export interface ReceivedOutcomeEvent {
  /** The event (the message body, parsed). */
  event: Record<string, unknown>;
  /** The SNS message attributes, as SQS carries them with raw delivery. */
  attributes: Record<string, string>;
}

/**
 * Receives (and deletes) the events on a subscriber's queue: until `count` arrived, or until a receive waits
 * `idleSeconds` for nothing once `count` is reached (to see that no more come), or `timeoutMs` passed.
 */
export async function receiveOutcomeEvents(
  sqs: SQSClient,
  queueUrl: string,
  options: { count?: number; idleSeconds?: number; timeoutMs?: number } = {},
): Promise<ReceivedOutcomeEvent[]> {
  const received: ReceivedOutcomeEvent[] = [];
  const deadline = Date.now() + (options.timeoutMs ?? 10_000);
  const count = options.count ?? Number.POSITIVE_INFINITY;
  for (;;) {
    const waitTimeSeconds = received.length >= count ? (options.idleSeconds ?? 0) : 1;
    if (received.length >= count && waitTimeSeconds === 0) break;
    const { Messages = [] } = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: queueUrl,
        MaxNumberOfMessages: 10,
        WaitTimeSeconds: waitTimeSeconds,
        MessageAttributeNames: ['All'],
      }),
    );
    for (const message of Messages) {
      const attributes: Record<string, string> = {};
      for (const [name, value] of Object.entries(message.MessageAttributes ?? {})) {
        if (value.StringValue !== undefined) attributes[name] = value.StringValue;
      }
      received.push({ event: JSON.parse(message.Body ?? '{}') as Record<string, unknown>, attributes });
    }
    if (Messages.length > 0) {
      await sqs.send(
        new DeleteMessageBatchCommand({
          QueueUrl: queueUrl,
          Entries: Messages.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle })),
        }),
      );
    }
    if (Messages.length === 0 && received.length >= count) break;
    if (Date.now() > deadline) break;
  }
  return received;
}
