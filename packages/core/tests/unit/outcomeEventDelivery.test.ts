import { describe, expect, it } from 'vitest';
import { type LedgerRecord, owesOutcomeEvent, PENDING_EVENT, withPendingEvent } from '../../src/index.js';

const completed: LedgerRecord = {
  alertId: '924998430',
  eventKey: 'fail',
  alertStatus: 'fail',
  state: 'completed',
  outcome: 'failed',
  recordedAt: '2026-11-26T20:14:15.000Z',
  expiresAt: 0,
  revoked: [],
  authorized: [],
  requestIds: [],
  attempts: 2,
  timings: { firstSeenAt: '2026-11-26T20:00:00.000Z', startedAt: '2026-11-26T20:14:14.000Z' },
  // What an earlier completion's event left: this completion owes a new one.
  outcomeEvent: { state: 'sent', sentAt: '2026-11-26T20:05:00.000Z', messageId: 'm-1' },
};

describe('withPendingEvent', () => {
  it('marks a completion as owing its event, in the sparse index, replacing what an earlier event did', () => {
    expect(withPendingEvent(completed)).toEqual({
      ...completed,
      outcomeEvent: { state: 'pending' },
      pendingEvent: PENDING_EVENT,
    });
  });

  it('leaves an in-progress write (a checkpoint, a release) as it is', () => {
    const inProgress: LedgerRecord = { ...completed, state: 'in-progress', outcome: undefined };
    expect(withPendingEvent(inProgress)).toBe(inProgress);
  });
});

describe('owesOutcomeEvent', () => {
  const now = new Date('2026-11-26T20:20:00.000Z');
  const pending = withPendingEvent(completed);

  it('is true for a completed record whose event is pending and at least a minute old', () => {
    expect(owesOutcomeEvent(pending, now)).toBe(true);
    expect(owesOutcomeEvent({ ...pending, recordedAt: '2026-11-26T20:19:00.000Z' }, now)).toBe(true);
  });

  it('leaves younger records to the hub, and skips sent events and records being processed again', () => {
    expect(owesOutcomeEvent({ ...pending, recordedAt: '2026-11-26T20:19:30.000Z' }, now)).toBe(false);
    expect(owesOutcomeEvent({ ...pending, recordedAt: '2026-11-26T20:19:30.000Z' }, now, 0)).toBe(true);
    expect(owesOutcomeEvent(completed, now)).toBe(false);
    expect(owesOutcomeEvent({ ...pending, state: 'in-progress' }, now)).toBe(false);
  });
});
