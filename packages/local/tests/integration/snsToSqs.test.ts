import { CreateTopicCommand, PublishCommand, SubscribeCommand } from '@aws-sdk/client-sns';
import { CreateQueueCommand, GetQueueAttributesCommand, ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { describe, expect, it } from 'vitest';
import { hubClients, makeAlert } from '../../src/index.js';

async function wire(name: string, raw: boolean) {
  const { sns, sqs } = hubClients();
  const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: name }));
  const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: name }));
  const attributes = await sqs.send(
    new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['QueueArn'] }),
  );
  await sns.send(
    new SubscribeCommand({
      TopicArn,
      Protocol: 'sqs',
      Endpoint: attributes.Attributes?.QueueArn,
      Attributes: { RawMessageDelivery: String(raw) },
    }),
  );
  return { sns, sqs, TopicArn: TopicArn as string, QueueUrl: QueueUrl as string };
}

async function receiveOne(sqs: ReturnType<typeof hubClients>['sqs'], QueueUrl: string): Promise<string> {
  const { Messages } = await sqs.send(
    new ReceiveMessageCommand({ QueueUrl, WaitTimeSeconds: 5, MaxNumberOfMessages: 1 }),
  );
  expect(Messages).toHaveLength(1);
  return Messages?.[0]?.Body as string;
}

describe('SNS to SQS in the hub account', () => {
  const alert = makeAlert({
    id: '9001',
    accountId: '111111111111',
    region: 'ap-northeast-1',
    groupId: 'sg-0abc',
  });

  it('delivers the alert itself when raw message delivery is on', async () => {
    const { sns, sqs, TopicArn, QueueUrl } = await wire('testkit-raw-on', true);
    await sns.send(new PublishCommand({ TopicArn, Message: JSON.stringify(alert) }));
    expect(JSON.parse(await receiveOne(sqs, QueueUrl))).toEqual(alert);
  });

  it('delivers an SNS notification envelope whose Message is the alert when raw delivery is off', async () => {
    const { sns, sqs, TopicArn, QueueUrl } = await wire('testkit-raw-off', false);
    await sns.send(new PublishCommand({ TopicArn, Message: JSON.stringify(alert) }));
    const envelope = JSON.parse(await receiveOne(sqs, QueueUrl));
    expect(envelope.Type).toBe('Notification');
    expect(envelope.TopicArn).toBe(TopicArn);
    expect(JSON.parse(envelope.Message)).toEqual(alert);
  });
});
