import { describe, expect, it } from 'vitest';
import type { IpPermission, LedgerRecord } from '../../src/index.js';
import { unrecordedChanges } from '../../src/unrecordedChanges.js';

const tcp = (from: number, to: number, cidr = '0.0.0.0/0'): IpPermission => ({
  IpProtocol: 'tcp',
  FromPort: from,
  ToPort: to,
  IpRanges: [{ CidrIp: cidr }],
});

/** An in-progress record as the checkpoint left it: plan and group before, nothing recorded as done. */
function checkpoint(overrides: Partial<LedgerRecord>): LedgerRecord {
  return {
    alertId: 'a-1',
    eventKey: 'fail',
    alertStatus: 'fail',
    state: 'in-progress',
    recordedAt: '2026-01-01T00:00:00.000Z',
    expiresAt: 0,
    revoked: [],
    authorized: [],
    requestIds: [],
    attempts: 1,
    timings: { firstSeenAt: '2026-01-01T00:00:00.000Z', startedAt: '2026-01-01T00:00:00.000Z' },
    ...overrides,
  };
}

describe('unrecordedChanges', () => {
  it('counts planned revocations whose rules are gone, and only those', () => {
    const earlier = checkpoint({
      plan: { revoke: [tcp(22, 22), tcp(22, 22, '::/0')], authorize: [] },
      permissionsBefore: [tcp(22, 22), { ...tcp(22, 22), IpRanges: [], Ipv6Ranges: [{ CidrIpv6: '::/0' }] }],
    });
    const live = [{ ...tcp(22, 22), IpRanges: [], Ipv6Ranges: [{ CidrIpv6: '::/0' }] }];
    expect(unrecordedChanges(earlier, live)).toEqual({ revoked: [tcp(22, 22)], authorized: [] });
  });

  it('does not count again what the record already holds', () => {
    const earlier = checkpoint({
      plan: { revoke: [tcp(22, 22)], authorize: [] },
      revoked: [tcp(22, 22)],
    });
    expect(unrecordedChanges(earlier, [])).toEqual({ revoked: [], authorized: [] });
  });

  it('counts narrow re-authorizations that are in the group now but were not before, of a revoked rule', () => {
    const earlier = checkpoint({
      plan: { revoke: [tcp(0, 65535)], authorize: [tcp(0, 21), tcp(23, 65535)] },
      permissionsBefore: [tcp(0, 65535)],
    });
    // The earlier attempt revoked the range and re-authorized 0-21 before it died.
    expect(unrecordedChanges(earlier, [tcp(0, 21)])).toEqual({
      revoked: [tcp(0, 65535)],
      authorized: [tcp(0, 21)],
    });
    // Nothing happened: nothing is counted.
    expect(unrecordedChanges(earlier, [tcp(0, 65535)])).toEqual({ revoked: [], authorized: [] });
  });

  it('counts nothing without a checkpointed plan', () => {
    expect(unrecordedChanges(checkpoint({}), [])).toEqual({ revoked: [], authorized: [] });
  });
});
