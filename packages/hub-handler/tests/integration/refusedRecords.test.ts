import { ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import {
  createGroup,
  ingressRules,
  makeAlert,
  sqsEvent,
  uniqueName,
  WORLD_SSH,
} from '@remediation-hub/testkit';
import { describe, expect, it } from 'vitest';
import { DEAD_LETTER_ATTRIBUTES } from '../../src/adapters/SqsDeadLetterQueue.js';
import { invoke, requestsOf, useTestHub } from '../support/testHub.js';

// Account 333333333307 belongs to this file.
const A = '333333333307';

/** A DynamoDB JSON error, as the service answers. */
const dynamoError = (type: string, message: string) => ({
  status: 400,
  headers: { 'content-type': 'application/x-amz-json-1.0' },
  body: JSON.stringify({ __type: `com.amazonaws.dynamodb.v20120810#${type}`, message }),
});

/**
 * An error that would come back on every delivery ends the first time: a `failed` record under the message's
 * key when only the finding's own record is refused, or a dead letter that says why when nothing can be written.
 */
describe('hub pipeline: a record the ledger refuses', () => {
  const hub = useTestHub('refused', [A]);

  it('records failed under the message key when the ledger refuses the finding’s own record, and consumes the message', async () => {
    const groupId = await createGroup(A, 'us-east-1', [WORLD_SSH]);
    const doc = makeAlert({ id: uniqueName('alert'), accountId: A, region: 'us-east-1', groupId });
    const run = await hub.start();
    run.proxy.failNext(
      // The finding's own item only, not the record of the refusal (keyed `unrecorded:<message id>`).
      (r) => r.action === 'PutItem' && r.body.includes(doc.data.id) && !r.body.includes('"unrecorded:'),
      dynamoError('ValidationException', 'Item size has exceeded the maximum allowed size'),
      10,
    );
    const event = sqsEvent([JSON.stringify(doc)]);
    const messageId = event.Records[0]?.messageId ?? '';

    const response = await invoke(run, event);

    expect(response.batchItemFailures).toEqual([]);
    expect(await run.root.ledger.get(`unrecorded:${messageId}`, 'unknown')).toMatchObject({
      outcome: 'failed',
      accountId: A,
      resourceId: groupId,
      explanation: {
        reason: {
          code: 'record-refused',
          alertId: doc.data.id,
          eventKey: 'fail',
          error: expect.stringContaining('ValidationException'),
        },
      },
      error: { name: 'UnexpectedAwsError', retryable: false },
    });
    expect(await run.root.ledger.get(doc.data.id, 'fail')).toBeUndefined();
    // Refused at the claim, which comes after the group is read (its write carries the checkpoint): EC2 was
    // read, never changed.
    expect(requestsOf(run, 'DescribeSecurityGroups')).toHaveLength(1);
    expect(requestsOf(run, 'RevokeSecurityGroupIngress')).toEqual([]);
    expect(await ingressRules(A, 'us-east-1', groupId)).toEqual(['tcp 22-22 0.0.0.0/0']);
  });

  it('dead-letters the message with its reason when not even the failure can be recorded', async () => {
    const doc = makeAlert({
      id: uniqueName('alert'),
      accountId: A,
      region: 'us-east-1',
      groupId: 'sg-0123456789abcdef0',
    });
    const run = await hub.start({ DEAD_LETTER_QUEUE_URL: hub.up.deadLetterQueue.url });
    run.proxy.failNext(
      (r) => r.action === 'PutItem',
      dynamoError('AccessDeniedException', 'not authorized to perform dynamodb:PutItem'),
      10,
    );
    const event = sqsEvent([JSON.stringify(doc)]);
    const messageId = event.Records[0]?.messageId ?? '';

    const response = await invoke(run, event);

    expect(response.batchItemFailures).toEqual([]);
    expect(requestsOf(run, 'SendMessage')).toHaveLength(1);
    const { Messages = [] } = await hub.sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: hub.up.deadLetterQueue.url,
        MessageAttributeNames: ['All'],
        MaxNumberOfMessages: 10,
        WaitTimeSeconds: 1,
      }),
    );
    const letter = Messages.find(
      (m) => m.MessageAttributes?.[DEAD_LETTER_ATTRIBUTES.messageId]?.StringValue === messageId,
    );
    expect(letter?.Body).toBe(JSON.stringify(doc));
    expect(letter?.MessageAttributes?.[DEAD_LETTER_ATTRIBUTES.error]?.StringValue).toBe('AccessDeniedError');
    expect(letter?.MessageAttributes?.[DEAD_LETTER_ATTRIBUTES.reason]?.StringValue).toContain(
      'dynamodb:PutItem',
    );
  });

  it('sends the message back, as before, when no dead-letter queue is configured', async () => {
    const doc = makeAlert({
      id: uniqueName('alert'),
      accountId: A,
      region: 'us-east-1',
      groupId: 'sg-0123456789abcdef0',
    });
    const run = await hub.start({ DEAD_LETTER_QUEUE_URL: '' });
    run.proxy.failNext(
      (r) => r.action === 'PutItem',
      dynamoError('AccessDeniedException', 'not authorized to perform dynamodb:PutItem'),
      10,
    );
    const event = sqsEvent([JSON.stringify(doc)]);

    const response = await invoke(run, event);

    expect(response.batchItemFailures).toEqual([{ itemIdentifier: event.Records[0]?.messageId }]);
    expect(requestsOf(run, 'SendMessage')).toEqual([]);
  });
});
