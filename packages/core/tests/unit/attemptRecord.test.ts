import { describe, expect, it } from 'vitest';
import {
  type AttemptProgress,
  checkpointRecord,
  completedRecord,
  firstClaim,
  type IpPermission,
  type LedgerRecord,
  releasedRecord,
  resumeProgress,
  unclaimedRecord,
} from '../../src/index.js';

const T0 = new Date('2026-03-01T10:00:00.000Z');
const at = (seconds: number) => new Date(T0.getTime() + seconds * 1000);
const rule = (from: number, to: number): IpPermission => ({
  IpProtocol: 'tcp',
  FromPort: from,
  ToPort: to,
  IpRanges: [{ CidrIp: '0.0.0.0/0' }],
});

const claimed = (extra: Partial<LedgerRecord> = {}): LedgerRecord => ({
  ...firstClaim(
    { alertId: 'a-1', eventKey: 'fail', alertStatus: 'fail', owner: 'w', leaseSeconds: 120, now: T0 },
    0,
  ),
  ...extra,
});

const progress = (extra: Partial<AttemptProgress> = {}): AttemptProgress => ({
  mode: 'remediate',
  revoked: [rule(0, 65535)],
  authorized: [],
  requestIds: ['r-1'],
  decision: 'remediate',
  explanation: { reason: { code: 'account-not-allowed', accountId: '1' }, notes: [] },
  plan: { revoke: [rule(0, 65535)], authorize: [rule(0, 21), rule(23, 65535)] },
  ...extra,
});

describe('an attempt’s records', () => {
  it('resumes from the claimed record: earlier work stays; the group is kept only when it may have changed', () => {
    const before = [rule(0, 65535)];
    const fresh = resumeProgress(claimed({ permissionsBefore: before }), 'dry-run', false);
    expect(fresh).toEqual({
      mode: 'dry-run',
      revoked: [],
      authorized: [],
      requestIds: [],
      permissionsBefore: undefined,
      permissionsAfter: undefined,
    });
    const changed = claimed({ revoked: before, permissionsBefore: before, permissionsAfter: [] });
    expect(resumeProgress(changed, 'remediate', false)).toMatchObject({
      revoked: before,
      permissionsBefore: before,
      permissionsAfter: [],
    });
    expect(resumeProgress(claimed({ permissionsBefore: before }), 'remediate', true).permissionsBefore).toBe(
      before,
    );
  });

  it('checkpoints the plan in progress, the explanation rendered as the reason', () => {
    const record = checkpointRecord(claimed(), progress(), at(1));
    expect(record).toMatchObject({
      state: 'in-progress',
      recordedAt: at(1).toISOString(),
      plan: progress().plan,
      explanation: progress().explanation,
      reason: "account 1 is not on the hub's allow-list",
    });
  });

  it('releases: the lease expires now, the plan is dropped, unmade re-authorizations are kept', () => {
    const error = { name: 'ThrottledError', message: 'slow down', retryable: true };
    const record = releasedRecord(claimed(), progress(), at(2), error);
    expect(record).toMatchObject({
      state: 'in-progress',
      plan: undefined,
      pendingReauthorizations: [rule(0, 21), rule(23, 65535)],
      leaseExpiresAt: at(2).getTime(),
      recordedAt: at(2).toISOString(),
      error,
      revoked: [rule(0, 65535)],
    });
  });

  it('keeps changes in doubt on a released record until an attempt settles them, and only while there are any', () => {
    const inDoubt = { revoke: [rule(22, 22)], authorize: [] };
    const error = { name: 'TransientAwsError', message: 'reset', retryable: true };
    expect(releasedRecord(claimed(), progress({ inDoubt }), at(2), error).inDoubt).toEqual(inDoubt);
    const none = { revoke: [], authorize: [] };
    expect(releasedRecord(claimed(), progress({ inDoubt: none }), at(2), error).inDoubt).toBeUndefined();
    // Carried into the next attempt, with the group before (the doubt may have changed it).
    const next = resumeProgress(claimed({ inDoubt, permissionsBefore: [rule(22, 22)] }), 'remediate', false);
    expect(next).toMatchObject({ inDoubt, permissionsBefore: [rule(22, 22)] });
  });

  it('completes with the outcome, the error and the attempt’s timings', () => {
    const record = completedRecord(claimed(), progress({ error: undefined }), {
      outcome: 'remediated',
      error: undefined,
      messageId: 'm-1',
      startedAt: at(0),
      now: at(3),
    });
    expect(record).toMatchObject({
      state: 'completed',
      outcome: 'remediated',
      messageId: 'm-1',
      error: undefined,
      leaseExpiresAt: undefined,
      timings: {
        firstSeenAt: T0.toISOString(),
        startedAt: T0.toISOString(),
        completedAt: at(3).toISOString(),
        durationMs: 3000,
      },
    });
  });

  it('records a notification refused before any claim as completed at once, with its explanation', () => {
    const record = unclaimedRecord(
      { alertId: 'unparsed:m-1', eventKey: 'unknown', alertStatus: 'unknown' },
      { messageId: 'm-1' },
      {
        outcome: 'rejected',
        explanation: { reason: { code: 'malformed', message: 'message is not JSON' }, notes: [] },
        error: { name: 'MalformedAlertError', message: 'message is not JSON', retryable: false },
        startedAt: at(0),
        now: at(0),
      },
    );
    expect(record).toMatchObject({
      alertId: 'unparsed:m-1',
      state: 'completed',
      outcome: 'rejected',
      reason: 'message is not JSON',
      expiresAt: 0,
      attempts: 1,
      revoked: [],
      messageId: 'm-1',
    });
  });
});
