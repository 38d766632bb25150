import { describe, expect, it } from 'vitest';
import {
  hasRule,
  isPartOf,
  isPortRange,
  isSubRange,
  samePermission,
  sameRule,
} from '../../src/permissionIdentity.js';

const tcp = (from: number, to: number, cidr = '0.0.0.0/0', protocol = 'tcp') => ({
  IpProtocol: protocol,
  FromPort: from,
  ToPort: to,
  IpRanges: [{ CidrIp: cidr }],
});

describe('permissionIdentity', () => {
  it('matches rules as EC2 does: protocol names and numbers alike, descriptions ignored, ports of -1 ignored', () => {
    expect(sameRule(tcp(22, 22), tcp(22, 22, '0.0.0.0/0', '6'))).toBe(true);
    expect(
      sameRule(tcp(22, 22), { ...tcp(22, 22), IpRanges: [{ CidrIp: '0.0.0.0/0', Description: 'x' }] }),
    ).toBe(true);
    expect(sameRule(tcp(22, 22), tcp(22, 23))).toBe(false);
    expect(
      sameRule(
        { IpProtocol: '-1', IpRanges: [{ CidrIp: '0.0.0.0/0' }] },
        { ...tcp(-1, -1), IpProtocol: '-1' },
      ),
    ).toBe(true);
  });

  it('finds a rule among a group’s permissions, CIDR by CIDR', () => {
    const group = [{ ...tcp(0, 65535), IpRanges: [{ CidrIp: '10.0.0.0/8' }, { CidrIp: '0.0.0.0/0' }] }];
    expect(hasRule(group, tcp(0, 65535))).toBe(true);
    expect(hasRule(group, tcp(0, 65535, '::/0'))).toBe(false);
    expect(hasRule(group, tcp(0, 21))).toBe(false);
  });

  it('knows the sub-ranges narrow re-authorizes and the ranges it splits', () => {
    expect(isSubRange(tcp(23, 65535), tcp(0, 65535))).toBe(true);
    expect(isSubRange(tcp(23, 65535), tcp(0, 65535, '10.0.0.0/8'))).toBe(false);
    expect(isSubRange(tcp(0, 3388), tcp(23, 65535))).toBe(false);
    expect(isSubRange(tcp(23, 100, '0.0.0.0/0', 'udp'), tcp(0, 65535))).toBe(false);
    expect(isPortRange(tcp(0, 65535))).toBe(true);
    expect(isPortRange(tcp(22, 22))).toBe(false);
    expect(isPortRange({ IpProtocol: '-1', IpRanges: [{ CidrIp: '0.0.0.0/0' }] })).toBe(false);
  });

  it('knows what a re-authorization is part of: a sub-range, or any tcp/udp rule of a protocol -1 rule', () => {
    const all = (cidr: string) => ({ IpProtocol: '-1', IpRanges: [{ CidrIp: cidr }] });
    expect(isPartOf(tcp(23, 65535), tcp(0, 65535))).toBe(true);
    expect(isPartOf(tcp(80, 80), all('0.0.0.0/0'))).toBe(true);
    expect(isPartOf(tcp(53, 53, '0.0.0.0/0', 'udp'), { ...all('0.0.0.0/0'), IpProtocol: '-1' })).toBe(true);
    expect(isPartOf(tcp(80, 80), all('10.0.0.0/8'))).toBe(false);
    expect(isPartOf({ ...tcp(8, -1), IpProtocol: 'icmp' }, all('0.0.0.0/0'))).toBe(false);
    expect(isPartOf(tcp(80, 80), tcp(81, 443))).toBe(false);
    // isSubRange stays what narrow pairs with its range.
    expect(isSubRange(tcp(80, 80), all('0.0.0.0/0'))).toBe(false);
  });

  it('tells one permission from another by protocol meaning and ports, for undo as for the planner', () => {
    // Undo's own copy once compared the spelling: `6` and `tcp` were two permissions there.
    expect(samePermission(tcp(22, 22, '0.0.0.0/0', '6'), tcp(22, 22, '10.0.0.0/8', 'TCP'))).toBe(true);
    expect(samePermission(tcp(22, 22), tcp(22, 22, '0.0.0.0/0', 'udp'))).toBe(false);
    expect(samePermission(tcp(22, 22), tcp(22, 23))).toBe(false);
    expect(samePermission({ IpProtocol: '-1' }, { IpProtocol: '-1', FromPort: -1, ToPort: -1 })).toBe(true);
    expect(samePermission({ IpProtocol: '50' }, { IpProtocol: '50' })).toBe(true);
  });
});
