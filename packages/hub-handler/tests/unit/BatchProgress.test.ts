import { sqsEvent } from '@remediation-hub/testkit';
import { describe, expect, it } from 'vitest';
import { BatchProgress } from '../../src/handler/BatchProgress.js';
import type { AlertResult } from '../../src/handler/processAlert.js';
import { sentBack } from '../../src/handler/sentBack.js';

const { Records: records } = sqsEvent(['a', 'b', 'c', 'd'], 'progress');
const ids = records.map((r) => r.messageId);
const remediated = (messageId: string): AlertResult => ({
  ...sentBack(messageId, { name: 'unused', message: '', retryable: false }),
  outcome: 'remediated',
  error: undefined,
});
const leaseHeld = (messageId: string): AlertResult =>
  sentBack(messageId, { name: 'LeaseContentionError', message: 'held', retryable: true });

describe('BatchProgress', () => {
  it('answers early with finished results kept, running ones unfinished and the rest not started', () => {
    const progress = new BatchProgress(records);
    progress.start(0);
    progress.settle(0, [remediated(ids[0] as string)]);
    progress.start(1);
    progress.settle(1, [leaseHeld(ids[1] as string)]);
    progress.start(2);

    expect(progress.unfinished()).toEqual([ids[2], ids[3]]);
    const answer = progress.answerEarly();

    expect(answer.batchItemFailures.map((f) => f.itemIdentifier)).toEqual([ids[1], ids[2], ids[3]]);
    expect(answer.results.map((r) => [r.outcome, r.error?.name])).toEqual([
      ['remediated', undefined],
      ['retry', 'LeaseContentionError'],
      ['retry', 'Unfinished'],
      ['retry', 'NotStarted'],
    ]);
  });

  it('keeps its early answer whatever finishes later, and says it was answered', () => {
    const progress = new BatchProgress(records);
    expect(progress.answered).toBe(false);
    const answer = progress.answerEarly();
    expect(progress.answered).toBe(true);
    for (const [index, id] of ids.entries()) progress.settle(index, [remediated(id)]);

    expect(progress.answerEarly()).toBe(answer);
    expect(answer.batchItemFailures).toHaveLength(4);
    // What really happened stays readable.
    expect(progress.complete().batchItemFailures).toEqual([]);
  });

  it('refuses a complete result while a record has none', () => {
    const progress = new BatchProgress(records);
    progress.settle(0, [remediated(ids[0] as string)]);
    expect(() => progress.complete()).toThrow('record 1 of the batch has no result');
  });

  it('sends a message of several findings back when any of them is a retry, once', () => {
    const progress = new BatchProgress(records);
    const [first, second] = ids as [string, string];
    progress.settle(0, [remediated(first), leaseHeld(first), leaseHeld(first)]);
    progress.settle(1, [remediated(second), remediated(second)]);
    progress.settle(2, []);
    progress.settle(3, []);
    const result = progress.complete();
    expect(result.batchItemFailures).toEqual([{ itemIdentifier: first }]);
    expect(result.results).toHaveLength(5);
  });
});
