import { describe, expect, it } from 'vitest';
import {
  type IpPermission,
  MalformedSecurityGroupError,
  type PlanOptions,
  planRemediation,
  SIGNATURES,
} from '../../src/index.js';
import {
  allTraffic,
  findingFor,
  GROUP_ID,
  makeFinding,
  makeGroup,
  NARROW,
  permission,
  REVOKE,
  tcp,
  udp,
} from '../support/factories.js';

const SSH = makeFinding();
const SSH_CONTROL = { id: 'AWS:EC2-002', service: 'SSH' };
const PING = findingFor('AWS:EC2-022', 'Global ICMP (Ping) Access');
const v4 = (
  protocol: string,
  from: number | undefined,
  to: number | undefined,
  cidr = '0.0.0.0/0',
): IpPermission => permission(protocol, from, to, cidr);
const v6 = (
  protocol: string,
  from: number | undefined,
  to: number | undefined,
  cidr = '::/0',
): IpPermission => permission(protocol, from, to, cidr);

function planFor(permissions: IpPermission[], options: PlanOptions = REVOKE, alert = SSH) {
  return planRemediation(alert, makeGroup(permissions), options);
}

describe('planRemediation', () => {
  describe('with strategy revoke', () => {
    it.each<[string, IpPermission[], IpPermission[]]>([
      ['the world CIDR of a permission on the port', [tcp(22, 22, '0.0.0.0/0')], [v4('tcp', 22, 22)]],
      [
        'only the world CIDR of a mixed permission',
        [tcp(22, 22, '10.0.0.0/8', '0.0.0.0/0', '192.168.1.0/24')],
        [v4('tcp', 22, 22)],
      ],
      ['the IPv6 world CIDR', [tcp(22, 22, '::/0', '2001:db8::/32')], [v6('tcp', 22, 22)]],
      [
        'both world CIDRs, IPv4 first',
        [tcp(22, 22, '::/0', '0.0.0.0/0')],
        [v4('tcp', 22, 22), v6('tcp', 22, 22)],
      ],
      ['a port range covering the port', [tcp(0, 65535, '0.0.0.0/0')], [v4('tcp', 0, 65535)]],
      ['a range starting at the port', [tcp(22, 80, '0.0.0.0/0')], [v4('tcp', 22, 80)]],
      ['a range ending at the port', [tcp(10, 22, '0.0.0.0/0')], [v4('tcp', 10, 22)]],
      [
        'protocol -1 without ports',
        [allTraffic('0.0.0.0/0', '::/0')],
        [v4('-1', undefined, undefined), v6('-1', undefined, undefined)],
      ],
      [
        'protocol -1 with ports -1, keeping them',
        [permission('-1', -1, -1, '0.0.0.0/0')],
        [v4('-1', -1, -1)],
      ],
      [
        'tcp given as protocol number 6, keeping the number',
        [permission('6', 22, 22, '0.0.0.0/0')],
        [v4('6', 22, 22)],
      ],
      [
        'every permission that covers the port, in a stable order',
        [
          tcp(20, 30, '0.0.0.0/0'),
          allTraffic('::/0'),
          tcp(0, 65535, '0.0.0.0/0', '::/0'),
          tcp(22, 22, '0.0.0.0/0'),
        ],
        [
          v6('-1', undefined, undefined),
          v4('tcp', 0, 65535),
          v6('tcp', 0, 65535),
          v4('tcp', 20, 30),
          v4('tcp', 22, 22),
        ],
      ],
      ['a world CIDR listed twice only once', [tcp(22, 22, '0.0.0.0/0', '0.0.0.0/0')], [v4('tcp', 22, 22)]],
    ])('revokes %s', (_case, permissions, revoke) => {
      const plan = planFor(permissions);
      expect(plan.decision).toBe('remediate');
      expect(plan.revoke).toEqual(revoke);
      expect(plan.authorize).toEqual([]);
    });

    it.each<[string, IpPermission[]]>([
      ['narrower CIDRs', [tcp(22, 22, '10.0.0.0/8', '0.0.0.0/1', '128.0.0.0/1', '2001:db8::/32', '::/1')]],
      [
        'group references and prefix lists',
        [
          {
            IpProtocol: 'tcp',
            FromPort: 22,
            ToPort: 22,
            UserIdGroupPairs: [{ GroupId: 'sg-0fedcba9876543210' }],
          },
          { IpProtocol: '-1', PrefixListIds: [{ PrefixListId: 'pl-0123456789abcdef0' }] },
        ],
      ],
      [
        'other world-open ports',
        [tcp(443, 443, '0.0.0.0/0', '::/0'), tcp(23, 1024, '0.0.0.0/0'), tcp(0, 21, '::/0')],
      ],
      ['udp on the tcp port', [udp(22, 22, '0.0.0.0/0'), udp(0, 65535, '::/0')]],
      [
        'world CIDRs in the wrong family field',
        [
          {
            IpProtocol: 'tcp',
            FromPort: 22,
            ToPort: 22,
            IpRanges: [{ CidrIp: '::/0' }],
            Ipv6Ranges: [{ CidrIpv6: '0.0.0.0/0' }],
          },
        ],
      ],
      [
        'ranges without a CIDR',
        [{ IpProtocol: 'tcp', FromPort: 22, ToPort: 22, IpRanges: [{}], Ipv6Ranges: [{}] }],
      ],
      [
        'other protocols',
        [permission('47', undefined, undefined, '0.0.0.0/0'), permission('icmp', 8, -1, '0.0.0.0/0')],
      ],
      ['no permissions', []],
    ])('leaves %s alone', (_case, permissions) => {
      const plan = planFor(permissions);
      expect(plan).toEqual({
        decision: 'compliant',
        revoke: [],
        authorize: [],
        explanation: {
          reason: { code: 'compliant', groupId: GROUP_ID, exposure: 'tcp 22', control: SSH_CONTROL },
          notes: [],
        },
        reason: `no world-open tcp 22 in ${GROUP_ID} (AWS:EC2-002, SSH)`,
      });
    });

    it('is compliant when the group has no IpPermissions at all', () => {
      const group = makeGroup([]);
      delete group.IpPermissions;
      expect(planRemediation(SSH, group, REVOKE).decision).toBe('compliant');
    });

    it('ignores egress rules', () => {
      const group = makeGroup([]);
      group.IpPermissionsEgress = [tcp(22, 22, '0.0.0.0/0'), allTraffic('0.0.0.0/0', '::/0')];
      expect(planRemediation(SSH, group, REVOKE).decision).toBe('compliant');
    });

    it('tells udp from tcp for a udp signature', () => {
      const dns = findingFor('AWS:EC2-023');
      expect(planFor([tcp(53, 53, '0.0.0.0/0')], REVOKE, dns).decision).toBe('compliant');
      expect(
        planFor([udp(53, 53, '0.0.0.0/0'), permission('17', 0, 100, '::/0')], REVOKE, dns).revoke,
      ).toEqual([v6('17', 0, 100), v4('udp', 53, 53)]);
    });

    it('says what it revokes and why', () => {
      expect(planFor([tcp(22, 22, '0.0.0.0/0', '::/0')]).explanation).toEqual({
        reason: { code: 'revoke', exposure: 'tcp 22', cidrs: ['0.0.0.0/0', '::/0'], control: SSH_CONTROL },
        notes: [],
      });
      expect(planFor([tcp(22, 22, '0.0.0.0/0', '::/0')]).reason).toBe(
        'revoke tcp 22 from 0.0.0.0/0 and ::/0 (AWS:EC2-002, SSH)',
      );
      expect(planFor([allTraffic('::/0')]).reason).toBe('revoke tcp 22 from ::/0 (AWS:EC2-002, SSH)');
    });

    it.each(SIGNATURES.map((s) => [s.identifier, s] as const))(
      'remediates %s opened by protocol -1',
      (identifier) => {
        const plan = planFor([allTraffic('0.0.0.0/0')], REVOKE, findingFor(identifier));
        expect(plan.decision).toBe('remediate');
        expect(plan.revoke).toEqual([v4('-1', undefined, undefined)]);
      },
    );

    it.each(
      SIGNATURES.flatMap((s) =>
        s.exposure.kind === 'port' ? [[s.identifier, s.exposure.protocol, s.exposure.port] as const] : [],
      ),
    )('remediates %s opened on %s %i and nothing next to it', (identifier, protocol, port) => {
      const alert = findingFor(identifier);
      const open = planFor(
        [
          permission(protocol, port, port, '0.0.0.0/0'),
          permission(protocol, port + 1, port + 10, '0.0.0.0/0'),
        ],
        REVOKE,
        alert,
      );
      expect(open.revoke).toEqual([v4(protocol, port, port)]);
      expect(planFor([permission(protocol, port - 1, port - 1, '0.0.0.0/0')], REVOKE, alert).decision).toBe(
        'compliant',
      );
    });
  });

  describe('for ping (AWS:EC2-022)', () => {
    it.each<[string, IpPermission, IpPermission[]]>([
      ['icmp echo request (type 8)', permission('icmp', 8, -1, '0.0.0.0/0'), [v4('icmp', 8, -1)]],
      ['icmp all types (-1)', permission('icmp', -1, -1, '0.0.0.0/0'), [v4('icmp', -1, -1)]],
      ['icmp given as protocol number 1', permission('1', 8, 0, '0.0.0.0/0'), [v4('1', 8, 0)]],
      ['icmpv6 echo request (type 128)', permission('icmpv6', 128, -1, '::/0'), [v6('icmpv6', 128, -1)]],
      ['icmpv6 all types (-1)', permission('icmpv6', -1, -1, '::/0'), [v6('icmpv6', -1, -1)]],
      ['icmpv6 given as protocol number 58', permission('58', 128, 0, '::/0'), [v6('58', 128, 0)]],
      ['icmp without a code', permission('icmp', 8, undefined, '0.0.0.0/0'), [v4('icmp', 8, undefined)]],
      [
        'all traffic (-1)',
        allTraffic('0.0.0.0/0', '::/0'),
        [v4('-1', undefined, undefined), v6('-1', undefined, undefined)],
      ],
    ])('revokes %s', (_case, open, revoke) => {
      const plan = planFor([open], REVOKE, PING);
      expect(plan.revoke).toEqual(revoke);
      expect(plan.reason).toMatch(/^revoke ping \(ICMP echo\) from .* \(AWS:EC2-022, ping\)$/);
    });

    it.each<[string, IpPermission]>([
      [
        'fragmentation needed (icmp type 3), which path MTU discovery needs',
        permission('icmp', 3, 4, '0.0.0.0/0'),
      ],
      ['packet too big (icmpv6 type 2)', permission('icmpv6', 2, 0, '::/0')],
      ['echo reply (icmp type 0)', permission('icmp', 0, -1, '0.0.0.0/0')],
      ['icmp type 128, which is not echo in ICMPv4', permission('icmp', 128, -1, '0.0.0.0/0')],
      ['icmpv6 type 8, which is not echo in ICMPv6', permission('icmpv6', 8, -1, '::/0')],
      ['echo from a narrow CIDR', permission('icmp', 8, -1, '10.0.0.0/8')],
      ['tcp on every port', tcp(0, 65535, '0.0.0.0/0')],
    ])('keeps %s', (_case, kept) => {
      expect(planFor([kept], REVOKE, PING).decision).toBe('compliant');
    });
  });

  describe('with strategy narrow', () => {
    it.each<[string, IpPermission[], IpPermission[], IpPermission[]]>([
      [
        'splits a full range around the port',
        [tcp(0, 65535, '0.0.0.0/0')],
        [v4('tcp', 0, 65535)],
        [v4('tcp', 0, 21), v4('tcp', 23, 65535)],
      ],
      [
        'keeps the upper side when the range starts at the port',
        [tcp(22, 80, '0.0.0.0/0')],
        [v4('tcp', 22, 80)],
        [v4('tcp', 23, 80)],
      ],
      [
        'keeps the lower side when the range ends at the port',
        [tcp(20, 22, '::/0')],
        [v6('tcp', 20, 22)],
        [v6('tcp', 20, 21)],
      ],
      [
        'keeps a one-port side',
        [tcp(21, 23, '0.0.0.0/0')],
        [v4('tcp', 21, 23)],
        [v4('tcp', 21, 21), v4('tcp', 23, 23)],
      ],
      ['authorizes nothing for the port alone', [tcp(22, 22, '0.0.0.0/0')], [v4('tcp', 22, 22)], []],
      [
        'narrows each world CIDR and leaves the others in place',
        [tcp(0, 1023, '0.0.0.0/0', '10.0.0.0/8', '::/0')],
        [v4('tcp', 0, 1023), v6('tcp', 0, 1023)],
        [v4('tcp', 0, 21), v6('tcp', 0, 21), v4('tcp', 23, 1023), v6('tcp', 23, 1023)],
      ],
      [
        'does not authorize a rule the group already keeps',
        [tcp(0, 65535, '0.0.0.0/0'), tcp(23, 65535, '0.0.0.0/0')],
        [v4('tcp', 0, 65535)],
        [v4('tcp', 0, 21)],
      ],
      [
        'authorizes overlapping remainders once each',
        [tcp(0, 65535, '0.0.0.0/0'), tcp(0, 100, '0.0.0.0/0')],
        [v4('tcp', 0, 100), v4('tcp', 0, 65535)],
        [v4('tcp', 0, 21), v4('tcp', 23, 100), v4('tcp', 23, 65535)],
      ],
      [
        'keeps the protocol number',
        [permission('6', 1, 1000, '0.0.0.0/0')],
        [v4('6', 1, 1000)],
        [v4('6', 1, 21), v4('6', 23, 1000)],
      ],
    ])('%s', (_case, permissions, revoke, authorize) => {
      const plan = planFor(permissions, NARROW);
      expect(plan.decision).toBe('remediate');
      expect(plan.revoke).toEqual(revoke);
      expect(plan.authorize).toEqual(authorize);
    });

    it('carries the range description into the authorized rules but not into revocations', () => {
      const plan = planFor(
        [
          {
            IpProtocol: 'tcp',
            FromPort: 0,
            ToPort: 65535,
            IpRanges: [{ CidrIp: '0.0.0.0/0', Description: 'legacy' }],
          },
        ],
        NARROW,
      );
      expect(plan.revoke).toEqual([v4('tcp', 0, 65535)]);
      expect(plan.authorize).toEqual([
        {
          IpProtocol: 'tcp',
          FromPort: 0,
          ToPort: 21,
          IpRanges: [{ CidrIp: '0.0.0.0/0', Description: 'legacy' }],
        },
        {
          IpProtocol: 'tcp',
          FromPort: 23,
          ToPort: 65535,
          IpRanges: [{ CidrIp: '0.0.0.0/0', Description: 'legacy' }],
        },
      ]);
    });

    it('says how it narrowed', () => {
      expect(planFor([tcp(0, 65535, '0.0.0.0/0')], NARROW).explanation.reason).toEqual({
        code: 'narrow',
        exposure: 'tcp 22',
        cidrs: ['0.0.0.0/0'],
        control: SSH_CONTROL,
        revoke: 1,
        authorize: 2,
      });
      expect(planFor([tcp(0, 65535, '0.0.0.0/0')], NARROW).reason).toBe(
        'narrow tcp 22 from 0.0.0.0/0 (AWS:EC2-002, SSH): revoke 1 rule, re-authorize the rest of the port range as 2 rules',
      );
      expect(planFor([tcp(22, 22, '0.0.0.0/0')], NARROW).reason).toBe(
        'narrow tcp 22 from 0.0.0.0/0 (AWS:EC2-002, SSH): revoke 1 rule',
      );
    });

    it('falls back to revoke for protocol -1 and says so', () => {
      const plan = planFor([allTraffic('0.0.0.0/0'), tcp(0, 100, '::/0')], NARROW);
      expect(plan.revoke).toEqual([v4('-1', undefined, undefined), v6('tcp', 0, 100)]);
      expect(plan.authorize).toEqual([v6('tcp', 0, 21), v6('tcp', 23, 100)]);
      expect(plan.explanation.notes).toEqual([{ code: 'all-traffic-revoked-whole' }]);
      expect(plan.reason).toBe(
        'narrow tcp 22 from 0.0.0.0/0 and ::/0 (AWS:EC2-002, SSH): revoke 2 rules, re-authorize the rest of the port range as 2 rules; protocol -1 (all traffic) cannot be narrowed, so it is revoked whole',
      );
    });

    it('falls back to revoke for icmp all types and says so', () => {
      const plan = planFor([permission('icmp', -1, -1, '0.0.0.0/0')], NARROW, PING);
      expect(plan.revoke).toEqual([v4('icmp', -1, -1)]);
      expect(plan.authorize).toEqual([]);
      expect(plan.explanation.notes).toEqual([{ code: 'all-icmp-types-revoked-whole' }]);
      expect(plan.reason).toBe(
        'narrow ping (ICMP echo) from 0.0.0.0/0 (AWS:EC2-022, ping): revoke 1 rule; ICMP type -1 (all types) cannot be narrowed, so it is revoked whole',
      );
    });

    it('revokes icmp echo alone without a fallback note', () => {
      const plan = planFor(
        [permission('icmpv6', 128, -1, '::/0'), permission('icmpv6', 2, 0, '::/0')],
        NARROW,
        PING,
      );
      expect(plan.revoke).toEqual([v6('icmpv6', 128, -1)]);
      expect(plan.authorize).toEqual([]);
      expect(plan.explanation.notes).toEqual([]);
      expect(plan.reason).not.toContain('cannot be narrowed');
    });
  });

  describe('decides', () => {
    const exempt = [{ Key: 'remediation-hub:exempt', Value: 'true' }];
    const open = [tcp(22, 22, '0.0.0.0/0')];

    it.each(['pass', 'error', 'info'] as const)('ignored for status %s, before anything else', (status) => {
      const finding = makeFinding({
        status,
        inactive: { field: 'status', value: status, actedOn: ['fail', 'warn'] },
        control: { id: 'AWS:EC2-999', name: 'x' },
      });
      expect(planRemediation(finding, makeGroup(open, exempt), REVOKE)).toEqual({
        decision: 'ignored',
        revoke: [],
        authorize: [],
        explanation: {
          reason: { code: 'not-actionable', field: 'status', value: status, actedOn: ['fail', 'warn'] },
          notes: [],
        },
        reason: `status is ${status}; only fail and warn are remediated`,
      });
    });

    it('remediate for status warn', () => {
      expect(
        planRemediation(makeFinding({ status: 'warn', eventKey: 'warn' }), makeGroup(open), REVOKE).decision,
      ).toBe('remediate');
    });

    it('unsupported for an unknown signature, before the exemption', () => {
      const finding = findingFor('AWS:EC2-001', 'Unknown');
      expect(planRemediation(finding, makeGroup(open, exempt), REVOKE)).toEqual({
        decision: 'unsupported',
        revoke: [],
        authorize: [],
        explanation: {
          reason: { code: 'unsupported-control', control: 'AWS:EC2-001', name: 'Unknown' },
          notes: [],
        },
        reason: 'AWS:EC2-001 (Unknown) is not one the hub remediates',
      });
    });

    it.each(['true', 'TRUE', 'True'])('exempt for the tag value %s, before reading permissions', (value) => {
      // The permission is malformed: an exempt group is not even read.
      const group = makeGroup(
        [{ IpProtocol: 'tcp', IpRanges: [{ CidrIp: '0.0.0.0/0' }] }],
        [
          { Key: 'Name', Value: 'web' },
          { Key: 'remediation-hub:exempt', Value: value },
        ],
      );
      expect(planRemediation(SSH, group, REVOKE)).toEqual({
        decision: 'exempt',
        revoke: [],
        authorize: [],
        explanation: {
          reason: {
            code: 'exempt',
            groupId: GROUP_ID,
            tag: 'remediation-hub:exempt',
            value,
            exposure: 'tcp 22',
            control: SSH_CONTROL,
          },
          notes: [],
        },
        reason: `${GROUP_ID} is tagged remediation-hub:exempt=${value}; tcp 22 left open (AWS:EC2-002, SSH)`,
      });
    });

    it.each([
      ['another value', [{ Key: 'remediation-hub:exempt', Value: 'yes' }]],
      ['no value', [{ Key: 'remediation-hub:exempt' }]],
      ['another key', [{ Key: 'exempt', Value: 'true' }]],
      ['the key in another case', [{ Key: 'Remediation-Hub:Exempt', Value: 'true' }]],
    ])('not exempt for %s', (_case, tags) => {
      expect(planRemediation(SSH, makeGroup(open, tags), REVOKE).decision).toBe('remediate');
    });

    it('exempt by a configured tag key', () => {
      const options = { ...REVOKE, exemptTagKey: 'security:skip' };
      expect(
        planRemediation(SSH, makeGroup(open, [{ Key: 'security:skip', Value: 'true' }]), options).decision,
      ).toBe('exempt');
      expect(planRemediation(SSH, makeGroup(open, exempt), options).decision).toBe('remediate');
    });

    it('compliant with an empty plan', () => {
      expect(planRemediation(SSH, makeGroup([tcp(443, 443, '0.0.0.0/0')]), NARROW)).toMatchObject({
        decision: 'compliant',
        revoke: [],
        authorize: [],
        explanation: { reason: { code: 'compliant' }, notes: [] },
        reason: `no world-open tcp 22 in ${GROUP_ID} (AWS:EC2-002, SSH)`,
      });
    });
  });

  describe('refuses input it cannot decide on', () => {
    it('a group other than the finding’s', () => {
      const group = { ...makeGroup([]), GroupId: 'sg-0000000000000000a' };
      expect(() => planRemediation(SSH, group, REVOKE)).toThrow(
        expect.objectContaining({
          name: 'MalformedSecurityGroupError',
          message: `GroupId: the finding is about ${GROUP_ID}, the security group given is sg-0000000000000000a`,
          groupId: GROUP_ID,
          alertId: '1306879672',
          accountId: '111111111111',
          region: 'ap-northeast-1',
        }),
      );
      const { GroupId: _, ...anonymous } = group;
      expect(() => planRemediation(SSH, anonymous, REVOKE)).toThrow(
        `GroupId: the finding is about ${GROUP_ID}, the security group given is without a GroupId`,
      );
    });

    it.each<[string, IpPermission, string]>([
      [
        'tcp without ports',
        { IpProtocol: 'tcp', IpRanges: [{ CidrIp: '10.0.0.0/8' }] },
        'IpPermissions[1]: tcp permission needs FromPort and ToPort (0-65535, FromPort <= ToPort), got FromPort undefined and ToPort undefined',
      ],
      [
        'udp with FromPort only',
        { IpProtocol: 'udp', FromPort: 53, IpRanges: [{ CidrIp: '0.0.0.0/0' }] },
        'IpPermissions[1]: udp permission needs FromPort and ToPort (0-65535, FromPort <= ToPort), got FromPort 53 and ToPort undefined',
      ],
      [
        'tcp with ports out of order',
        tcp(30, 20, '0.0.0.0/0'),
        'IpPermissions[1]: tcp permission needs FromPort and ToPort (0-65535, FromPort <= ToPort), got FromPort 30 and ToPort 20',
      ],
      [
        'tcp with ports -1',
        permission('6', -1, -1, '0.0.0.0/0'),
        'IpPermissions[1]: 6 permission needs FromPort and ToPort (0-65535, FromPort <= ToPort), got FromPort -1 and ToPort -1',
      ],
      [
        'tcp beyond port 65535',
        tcp(0, 65536, '0.0.0.0/0'),
        'IpPermissions[1]: tcp permission needs FromPort and ToPort (0-65535, FromPort <= ToPort), got FromPort 0 and ToPort 65536',
      ],
      [
        'icmp without a type',
        permission('icmp', undefined, -1, '0.0.0.0/0'),
        'IpPermissions[1]: icmp permission needs an ICMP type in FromPort and a code in ToPort (each -1 to 255), got FromPort undefined and ToPort -1',
      ],
      [
        'icmpv6 with a code out of range',
        permission('icmpv6', 128, 300, '::/0'),
        'IpPermissions[1]: icmpv6 permission needs an ICMP type in FromPort and a code in ToPort (each -1 to 255), got FromPort 128 and ToPort 300',
      ],
      [
        'no protocol',
        { FromPort: 22, ToPort: 22, IpRanges: [{ CidrIp: '0.0.0.0/0' }] },
        'IpPermissions[1]: IpProtocol: expected a protocol name or number, got undefined',
      ],
    ])('%s, wherever it is', (_case, malformed, message) => {
      for (const options of [REVOKE, NARROW]) {
        const run = () => planFor([tcp(443, 443, '0.0.0.0/0'), malformed], options);
        expect(run).toThrow(MalformedSecurityGroupError);
        expect(run).toThrow(message);
      }
    });

    it('names the group in the error', () => {
      try {
        planFor([{ IpProtocol: 'tcp' }]);
        expect.unreachable();
      } catch (error) {
        expect(error).toBeInstanceOf(MalformedSecurityGroupError);
        expect((error as MalformedSecurityGroupError).groupId).toBe(GROUP_ID);
        expect((error as MalformedSecurityGroupError).retryable).toBe(false);
      }
    });
  });

  it('does not change the group it is given', () => {
    const group = makeGroup([tcp(0, 65535, '0.0.0.0/0', '10.0.0.0/8')]);
    const before = structuredClone(group);
    planRemediation(SSH, group, NARROW);
    expect(group).toEqual(before);
  });
});
