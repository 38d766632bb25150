import { describe, expect, it } from 'vitest';
import { applyPlan, planRemediation } from '../../src/index.js';
import { allTraffic, makeFinding, makeGroup, NARROW, permission, REVOKE, tcp } from '../support/factories.js';

describe('applyPlan', () => {
  it('removes a revoked CIDR and keeps the rest of the permission', () => {
    const group = makeGroup([tcp(22, 22, '0.0.0.0/0', '10.0.0.0/8')]);
    const after = applyPlan(group, planRemediation(makeFinding(), group, REVOKE));
    expect(after.IpPermissions).toEqual([tcp(22, 22, '10.0.0.0/8')]);
  });

  it('drops a permission left without any source', () => {
    const group = makeGroup([tcp(22, 22, '0.0.0.0/0', '::/0'), tcp(443, 443, '0.0.0.0/0')]);
    const after = applyPlan(group, planRemediation(makeFinding(), group, REVOKE));
    expect(after.IpPermissions).toEqual([tcp(443, 443, '0.0.0.0/0')]);
  });

  it('keeps a permission that still has a group reference', () => {
    const group = makeGroup([
      {
        IpProtocol: 'tcp',
        FromPort: 22,
        ToPort: 22,
        IpRanges: [{ CidrIp: '0.0.0.0/0' }],
        UserIdGroupPairs: [{ GroupId: 'sg-0fedcba9876543210' }],
      },
    ]);
    const after = applyPlan(group, planRemediation(makeFinding(), group, REVOKE));
    expect(after.IpPermissions).toEqual([
      {
        IpProtocol: 'tcp',
        FromPort: 22,
        ToPort: 22,
        IpRanges: [],
        UserIdGroupPairs: [{ GroupId: 'sg-0fedcba9876543210' }],
      },
    ]);
  });

  it('adds the narrowed ranges as new permissions', () => {
    const group = makeGroup([tcp(0, 65535, '0.0.0.0/0', '10.0.0.0/8')]);
    const after = applyPlan(group, planRemediation(makeFinding(), group, NARROW));
    expect(after.IpPermissions).toEqual([
      tcp(0, 65535, '10.0.0.0/8'),
      tcp(0, 21, '0.0.0.0/0'),
      tcp(23, 65535, '0.0.0.0/0'),
    ]);
  });

  it('adds an authorized CIDR to the permission with the same protocol and ports', () => {
    const group = makeGroup([tcp(0, 21, '10.0.0.0/8'), tcp(23, 80, '0.0.0.0/0')]);
    const after = applyPlan(group, {
      revoke: [],
      authorize: [tcp(0, 21, '0.0.0.0/0'), tcp(0, 21, '::/0'), permission('6', 23, 80, '0.0.0.0/0', '::/0')],
    });
    expect(after.IpPermissions).toEqual([
      { ...tcp(0, 21, '10.0.0.0/8', '0.0.0.0/0'), Ipv6Ranges: [{ CidrIpv6: '::/0' }] },
      { ...tcp(23, 80, '0.0.0.0/0'), Ipv6Ranges: [{ CidrIpv6: '::/0' }] },
    ]);
  });

  it('matches protocol -1 whether its ports are absent or -1, and protocol numbers to names', () => {
    const group = makeGroup([allTraffic('0.0.0.0/0', '10.0.0.0/8'), tcp(22, 22, '::/0')]);
    const after = applyPlan(group, {
      revoke: [permission('-1', -1, -1, '0.0.0.0/0'), permission('6', 22, 22, '::/0')],
      authorize: [],
    });
    expect(after.IpPermissions).toEqual([allTraffic('10.0.0.0/8')]);
  });

  it('ignores a revocation that matches nothing, as EC2 reports it unknown', () => {
    const group = makeGroup([tcp(22, 22, '0.0.0.0/0')]);
    expect(applyPlan(group, { revoke: [tcp(22, 23, '0.0.0.0/0'), {}], authorize: [] })).toEqual(group);
  });

  it('keeps the rest of the group and does not change its input', () => {
    const group = makeGroup([tcp(22, 22, '0.0.0.0/0')], [{ Key: 'Name', Value: 'web' }]);
    const before = structuredClone(group);
    const after = applyPlan(group, planRemediation(makeFinding(), group, REVOKE));
    expect(group).toEqual(before);
    expect(after).toEqual({ ...before, IpPermissions: [] });
    expect(after.Tags).not.toBe(group.Tags);
  });

  it('starts from no permissions when the group has none', () => {
    const group = makeGroup([]);
    delete group.IpPermissions;
    expect(applyPlan(group, { revoke: [], authorize: [tcp(1, 2, '0.0.0.0/0')] }).IpPermissions).toEqual([
      tcp(1, 2, '0.0.0.0/0'),
    ]);
  });
});
