import { describe, expect, it } from 'vitest';
import {
  type ClaimRequest,
  decideClaim,
  firstClaim,
  type LedgerRecord,
  type Outcome,
  wasReleased,
} from '../../src/index.js';

const T0 = new Date('2026-03-01T10:00:00.000Z');
const at = (seconds: number) => new Date(T0.getTime() + seconds * 1000);
const EXPIRES = 1_800_000_000;
const PLAN = {
  revoke: [{ IpProtocol: 'tcp', FromPort: 22, ToPort: 22, IpRanges: [{ CidrIp: '0.0.0.0/0' }] }],
  authorize: [],
};

function request(now: Date, owner = 'worker-2', reclaimableOutcomes?: readonly Outcome[]): ClaimRequest {
  return {
    alertId: 'a-1',
    eventKey: 'fail',
    alertStatus: 'fail',
    owner,
    leaseSeconds: 120,
    now,
    fields: { accountId: '111111111111', resourceId: 'sg-0a', mode: 'remediate' },
    reclaimableOutcomes,
  };
}

/** The record of worker-1's claim at T0, in progress. */
const claimedAtT0 = (): LedgerRecord => firstClaim(request(T0, 'worker-1'), EXPIRES);

function completed(outcome: Outcome, extra: Partial<LedgerRecord> = {}): LedgerRecord {
  return {
    ...claimedAtT0(),
    state: 'completed',
    outcome,
    recordedAt: at(5).toISOString(),
    leaseExpiresAt: undefined,
    decision: 'remediate',
    reason: 'revoke tcp 22',
    explanation: { reason: { code: 'account-not-allowed', accountId: '111111111111' }, notes: [] },
    plan: PLAN,
    error: { name: 'AccessDeniedError', message: 'no', retryable: false },
    ...extra,
  };
}

describe('claim decisions', () => {
  it('a first claim is in progress under the owner’s lease, with the request’s fields and no work yet', () => {
    expect(claimedAtT0()).toEqual({
      alertId: 'a-1',
      eventKey: 'fail',
      alertStatus: 'fail',
      state: 'in-progress',
      outcome: undefined,
      recordedAt: T0.toISOString(),
      expiresAt: EXPIRES,
      attempts: 1,
      leaseOwner: 'worker-1',
      leaseExpiresAt: T0.getTime() + 120_000,
      accountId: '111111111111',
      resourceId: 'sg-0a',
      mode: 'remediate',
      revoked: [],
      authorized: [],
      requestIds: [],
      timings: { firstSeenAt: T0.toISOString(), startedAt: T0.toISOString() },
    });
  });

  it('is a duplicate for a completed notification whose outcome is not reclaimable', () => {
    expect(decideClaim(completed('remediated'), request(at(60)), EXPIRES)).toEqual({ kind: 'duplicate' });
    expect(
      decideClaim(completed('dry-run'), request(at(60), 'w', ['failed', 'rejected']), EXPIRES).kind,
    ).toBe('duplicate');
  });

  it('claims a failed notification again by default, keeping its history and work, dropping its conclusion', () => {
    const stored = completed('failed', { revoked: PLAN.revoke, requestIds: ['r-1'], duplicateDeliveries: 2 });
    const decision = decideClaim(stored, request(at(60)), EXPIRES);
    expect(decision).toMatchObject({ kind: 'claim', how: 'reclaim' });
    if (decision.kind !== 'claim') return;
    expect(decision.record).toMatchObject({
      state: 'in-progress',
      outcome: undefined,
      previousOutcome: 'failed',
      decision: undefined,
      explanation: undefined,
      reason: undefined,
      plan: undefined,
      error: undefined,
      attempts: 2,
      leaseOwner: 'worker-2',
      leaseExpiresAt: at(60).getTime() + 120_000,
      revoked: PLAN.revoke,
      requestIds: ['r-1'],
      duplicateDeliveries: 2,
      timings: { firstSeenAt: T0.toISOString(), startedAt: at(60).toISOString() },
    });
  });

  it('claims a reclaimable outcome named by the request, never one an operator undid', () => {
    expect(decideClaim(completed('dry-run'), request(at(60), 'w', ['dry-run']), EXPIRES).kind).toBe('claim');
    expect(
      decideClaim(completed('failed', { revertedBy: 'undo#fail#x' }), request(at(60)), EXPIRES).kind,
    ).toBe('duplicate');
  });

  it('is contended while another owner’s lease is live, and takes it over once it has expired, plan kept', () => {
    const live = { ...claimedAtT0(), plan: PLAN };
    expect(decideClaim(live, request(at(119)), EXPIRES)).toEqual({ kind: 'contended' });
    const decision = decideClaim(live, request(at(121)), EXPIRES);
    expect(decision).toMatchObject({ kind: 'claim', how: 'take-over', record: { plan: PLAN, attempts: 2 } });
  });

  it('lets the same owner claim its own live lease again', () => {
    expect(decideClaim(claimedAtT0(), request(at(10), 'worker-1'), EXPIRES).kind).toBe('claim');
  });

  it('resumes a released lease at once, dropping any plan left on it', () => {
    const released: LedgerRecord = {
      ...claimedAtT0(),
      plan: PLAN,
      recordedAt: at(30).toISOString(),
      leaseExpiresAt: at(30).getTime(),
    };
    expect(wasReleased(released)).toBe(true);
    expect(wasReleased(claimedAtT0())).toBe(false);
    const decision = decideClaim(released, request(at(31)), EXPIRES);
    expect(decision).toMatchObject({ kind: 'claim', how: 'resume', record: { plan: undefined } });
  });
  it('is contended for a record another worker wrote after the claimant began reading the group', () => {
    // A failed outcome completed at T0+5 s, while this claimant's read began at T0+4 s: the read may predate
    // what that attempt changed, so the message comes back to read the group again.
    const readFrom = (seconds: number): ClaimRequest => ({ ...request(at(3)), readAt: at(seconds) });
    expect(decideClaim(completed('failed'), readFrom(4), EXPIRES)).toEqual({ kind: 'contended' });
    expect(decideClaim(completed('failed'), readFrom(6), EXPIRES).kind).toBe('claim');
    // A released lease written after the read began, likewise; its own earlier write never is.
    const released: LedgerRecord = {
      ...claimedAtT0(),
      recordedAt: at(30).toISOString(),
      leaseExpiresAt: at(30).getTime(),
    };
    expect(decideClaim(released, { ...request(at(29)), readAt: at(29) }, EXPIRES)).toEqual({
      kind: 'contended',
    });
    expect(decideClaim(released, { ...request(at(29), 'worker-1'), readAt: at(29) }, EXPIRES).kind).toBe(
      'claim',
    );
  });
});
