import {
  createGroup,
  localLambdaContext,
  makeAlert,
  sqsEvent,
  uniqueName,
  WORLD_SSH,
} from '@remediation-hub/testkit';
import type { Context, SQSEvent } from 'aws-lambda';
import { describe, expect, it, vi } from 'vitest';
import { BatchProgress, type BatchResult } from '../../src/handler/BatchProgress.js';
import { createLambdaHandler } from '../../src/handler/createLambdaHandler.js';
import type { HubRun } from '../support/testHub.js';
import { useTestHub } from '../support/testHub.js';

// Accounts 333333333330-339 belong to this file.
const A = '333333333330';
const B = '333333333331';

/** What middy does for the hub in one invocation: the request id on every log line, the early answer. */
describe('the Lambda handler, one invocation at a time', () => {
  const hub = useTestHub('invocation', [A]);
  const worldOpenAlert = (groupId: string) =>
    makeAlert({ id: uniqueName('alert'), accountId: A, region: 'us-east-1', groupId });
  /** The lines `run` logged while `handler` answered `event`. */
  const linesOf = async (
    run: HubRun,
    handler: (event: SQSEvent, context: Context) => Promise<unknown>,
    event: SQSEvent,
    context: Context,
  ) => {
    const before = run.log.lines.length;
    await handler(event, context);
    return run.log.lines.slice(before);
  };

  it('gives every log line of an invocation, the per-alert lines included, its own request id', async () => {
    const run = await hub.start();
    const handler = createLambdaHandler(run.root);
    const first = sqsEvent([
      JSON.stringify(worldOpenAlert(await createGroup(A, 'us-east-1', [WORLD_SSH]))),
      '{ not json',
    ]);
    const second = sqsEvent([JSON.stringify(worldOpenAlert(await createGroup(A, 'us-east-1', [WORLD_SSH])))]);
    const firstContext = localLambdaContext('remediation-hub');
    const secondContext = localLambdaContext('remediation-hub');

    const firstLines = await linesOf(run, handler, first, firstContext);
    const secondLines = await linesOf(run, handler, second, secondContext);

    expect(firstContext.awsRequestId).not.toBe(secondContext.awsRequestId);
    for (const [lines, context] of [
      [firstLines, firstContext],
      [secondLines, secondContext],
    ] as const) {
      // Not vacuous: the alert's own lines (its child logger's keys) and the batch's summary are there.
      expect(lines.filter((line) => line.alertId !== undefined && line.groupId !== undefined)).not.toEqual(
        [],
      );
      expect(lines.filter((line) => line.msg === 'batch processed')).toHaveLength(1);
      expect(lines.map((line) => [line.msg, line.awsRequestId])).toEqual(
        lines.map((line) => [line.msg, context.awsRequestId]),
      );
    }
  });

  it('answers before its deadline while an alert hangs: unfinished messages come back, finished ones keep their result', async () => {
    const run = await hub.start();
    const answered: BatchResult[] = [];
    const handler = createLambdaHandler(run.root, {
      reserveMillis: 500,
      timeoutEarlyInMillis: 1_000,
      onBatch: (batch) => answered.push(batch),
    });
    const fast = worldOpenAlert(await createGroup(A, 'us-east-1', [WORLD_SSH]));
    const held = worldOpenAlert(await createGroup(A, 'us-east-1', [WORLD_SSH]));
    const slowGroup = await createGroup(A, 'us-east-1', [WORLD_SSH]);
    const slow = worldOpenAlert(slowGroup);
    // About the same group as `slow`, so it waits for it (processBatch serializes a group's alerts).
    const queued = worldOpenAlert(slowGroup);
    // Another worker holds a live lease on `held`: a retryable result, reached at once.
    await run.root.ledger.claim({
      alertId: held.data.id,
      eventKey: 'fail',
      alertStatus: 'fail',
      owner: 'other-container',
      leaseSeconds: 120,
      now: new Date(),
    });
    // EC2 answers `slow`'s read of its group only after the invocation's deadline.
    run.proxy.delayNext(
      (r) => r.action === 'DescribeSecurityGroups' && r.params['GroupId.1'] === slowGroup,
      6_000,
    );
    const event = sqsEvent(['{ not json', ...[fast, held, slow, queued].map((doc) => JSON.stringify(doc))]);
    const [malformedId, fastId, heldId, slowId, queuedId] = event.Records.map((r) => r.messageId);
    const context = localLambdaContext('remediation-hub', 5_000);

    const response = await handler(event, context);

    expect(context.getRemainingTimeInMillis()).toBeGreaterThan(0);
    expect(response).toEqual({
      batchItemFailures: [
        { itemIdentifier: heldId },
        { itemIdentifier: slowId },
        { itemIdentifier: queuedId },
      ],
    });
    expect(answered).toHaveLength(1);
    expect(answered[0]?.results.map((r) => [r.messageId, r.outcome, r.error?.name])).toEqual([
      [malformedId, 'rejected', 'MalformedAlertError'],
      [fastId, 'remediated', undefined],
      [heldId, 'retry', 'LeaseContentionError'],
      [slowId, 'retry', 'Unfinished'],
      [queuedId, 'retry', 'NotStarted'],
    ]);
    // `slow` was under way: claimed, its group being read.
    expect(
      run.proxy.requests.filter(
        (r) => r.action === 'DescribeSecurityGroups' && r.params['GroupId.1'] === slowGroup,
      ),
    ).toHaveLength(1);

    // The invocation goes on in the background until `slow` ends, under its own request id; nothing more starts.
    const late = await vi.waitFor(
      () => {
        const line = run.log.lines.find((l) => l.msg === 'batch finished after its early answer');
        if (!line) throw new Error('the batch has not finished yet');
        return line;
      },
      { timeout: 15_000, interval: 100 },
    );
    expect(late).toMatchObject({
      awsRequestId: context.awsRequestId,
      outcomes: { rejected: 1, remediated: 2, retry: 2 },
    });
    expect(answered).toHaveLength(1);
    expect(await run.root.ledger.get(slow.data.id, 'fail')).toMatchObject({ outcome: 'remediated' });
    expect(await run.root.ledger.get(queued.data.id, 'fail')).toBeUndefined();

    // The messages that came back: `slow` is a duplicate of what its late attempt recorded, `queued` runs now.
    const redelivery = await handler(
      { Records: event.Records.filter((r) => [heldId, slowId, queuedId].includes(r.messageId)) },
      localLambdaContext('remediation-hub'),
    );
    expect(redelivery).toEqual({ batchItemFailures: [{ itemIdentifier: heldId }] });
    expect(answered[1]?.results.map((r) => [r.messageId, r.outcome])).toEqual([
      [heldId, 'retry'],
      [slowId, 'duplicate'],
      [queuedId, expect.not.stringMatching(/^retry$/)],
    ]);
  });
});

describe('processBatch with a progress answered early', () => {
  const hub = useTestHub('answered', [B]);

  it('starts nothing more: every record not finished goes back untouched', async () => {
    const run = await hub.start();
    const groupId = await createGroup(B, 'us-east-1', [WORLD_SSH]);
    const doc = makeAlert({ id: uniqueName('alert'), accountId: B, region: 'us-east-1', groupId });
    const event = sqsEvent([JSON.stringify(doc)]);
    const progress = new BatchProgress(event.Records);
    progress.answerEarly();

    const result = await run.root.processBatch(event, 'answered-test', { progress });

    expect(result.results.map((r) => [r.outcome, r.error?.name])).toEqual([['retry', 'NotStarted']]);
    expect(run.proxy.requests).toEqual([]);
  });
});
