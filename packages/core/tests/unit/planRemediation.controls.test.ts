import { describe, expect, it } from 'vitest';
import {
  applyPlan,
  type ControlParameters,
  type Finding,
  type IpPermission,
  type PlanOptions,
  parseFindings,
  planRemediation,
  type SecurityGroup,
} from '../../src/index.js';
import {
  allTraffic,
  controlFinding,
  findingFor,
  GROUP_ID,
  makeGroup,
  NARROW,
  permission,
  REVOKE,
  tcp,
  udp,
} from '../support/factories.js';
import { prismaCloudTestBody } from '../support/prismaCloudAlerts.js';
import { loadSecurityHubEvent, type SecurityHubEventName } from '../support/securityHubEvents.js';

const v4 = (protocol: string, from: number | undefined, to: number | undefined): IpPermission =>
  permission(protocol, from, to, '0.0.0.0/0');
const v6 = (protocol: string, from: number | undefined, to: number | undefined): IpPermission =>
  permission(protocol, from, to, '::/0');

const hub = (id: string, parameters?: ControlParameters) => controlFinding('security-hub', id, parameters);
const ports = (...list: Array<number | [number, number]>) =>
  list.map((p) => (typeof p === 'number' ? { from: p, to: p } : { from: p[0], to: p[1] }));

function planFor(finding: Finding, permissions: IpPermission[], options: PlanOptions = REVOKE) {
  return planRemediation(finding, makeGroup(permissions), options);
}

describe('planRemediation: Security Hub controls', () => {
  describe('EC2.13 and EC2.14: one port, both world CIDRs', () => {
    it.each([
      ['EC2.13', 22, 'SSH'],
      ['EC2.14', 3389, 'RDP'],
    ] as const)('%s revokes tcp %i from 0.0.0.0/0 and ::/0', (id, port, service) => {
      const plan = planFor(hub(id), [tcp(port, port, '0.0.0.0/0', '::/0'), tcp(443, 443, '0.0.0.0/0')]);
      expect(plan.revoke).toEqual([v4('tcp', port, port), v6('tcp', port, port)]);
      expect(plan.reason).toBe(`revoke tcp ${port} from 0.0.0.0/0 and ::/0 (${id}, ${service})`);
    });

    it('is unsupported under another source: the registry is keyed by source and id', () => {
      expect(planFor(findingFor('EC2.13'), [tcp(22, 22, '0.0.0.0/0')]).decision).toBe('unsupported');
      expect(planFor(hub('AWS:EC2-002'), [tcp(22, 22, '0.0.0.0/0')]).decision).toBe('unsupported');
    });
  });

  describe('EC2.19: 24 high-risk tcp ports', () => {
    it('revokes every world-open rule that opens one of them, and only those', () => {
      const plan = planFor(hub('EC2.19'), [
        tcp(20, 21, '0.0.0.0/0'),
        tcp(80, 80, '0.0.0.0/0'),
        tcp(8080, 8080, '::/0'),
        tcp(10000, 20000, '0.0.0.0/0'),
        udp(3389, 3389, '0.0.0.0/0'),
        tcp(9300, 9300, '10.0.0.0/8'),
      ]);
      expect(plan.revoke).toEqual([v4('tcp', 20, 21), v6('tcp', 8080, 8080)]);
      expect(plan.reason).toBe(
        'revoke tcp 20, 21, 22 … (24 ports) from 0.0.0.0/0 and ::/0 (EC2.19, high-risk ports)',
      );
    });

    it('narrows a full range into the pieces between the 24 ports, sorted and maximal', () => {
      const plan = planFor(hub('EC2.19'), [tcp(0, 65535, '0.0.0.0/0')], NARROW);
      const pieces: Array<[number, number]> = [
        [0, 19],
        [24, 24],
        [26, 109],
        [111, 134],
        [136, 142],
        [144, 444],
        [446, 1432],
        [1435, 2999],
        [3001, 3305],
        [3307, 3388],
        [3390, 4332],
        [4334, 4999],
        [5001, 5431],
        [5433, 5499],
        [5501, 5600],
        [5602, 8079],
        [8081, 8087],
        [8089, 8887],
        [8889, 9199],
        [9201, 9299],
        [9301, 65535],
      ];
      expect(plan.revoke).toEqual([v4('tcp', 0, 65535)]);
      expect(plan.authorize).toEqual(pieces.map(([from, to]) => v4('tcp', from, to)));
      expect(plan.reason).toBe(
        'narrow tcp 20, 21, 22 … (24 ports) from 0.0.0.0/0 (EC2.19, high-risk ports): revoke 1 rule, re-authorize the rest of the port range as 21 rules',
      );
    });

    it('narrows without re-authorizing a piece the group keeps', () => {
      const plan = planFor(hub('EC2.19'), [tcp(0, 30, '0.0.0.0/0'), tcp(26, 30, '0.0.0.0/0')], NARROW);
      expect(plan.authorize).toEqual([v4('tcp', 0, 19), v4('tcp', 24, 24)]);
    });
  });

  describe('EC2.18: every tcp and udp port but the authorised ones', () => {
    const defaults = hub('EC2.18');

    it('revokes world-open ports other than tcp 80 and 443 by default, and leaves those alone', () => {
      const plan = planFor(defaults, [
        tcp(22, 22, '0.0.0.0/0'),
        tcp(443, 443, '0.0.0.0/0', '::/0'),
        tcp(80, 80, '0.0.0.0/0'),
        udp(53, 53, '::/0'),
        tcp(3306, 3306, '10.0.0.0/8'),
      ]);
      expect(plan.decision).toBe('remediate');
      expect(plan.revoke).toEqual([v4('tcp', 22, 22), v6('udp', 53, 53)]);
      expect(plan.authorize).toEqual([]);
      expect(plan.reason).toBe(
        'revoke tcp and udp ports other than tcp 80, 443 from 0.0.0.0/0 and ::/0 (EC2.18, unauthorised ports)',
      );
    });

    it('is compliant when the world reaches only authorised ports, or by ICMP', () => {
      const plan = planFor(defaults, [
        tcp(80, 80, '0.0.0.0/0', '::/0'),
        tcp(443, 443, '0.0.0.0/0'),
        permission('icmp', 8, -1, '0.0.0.0/0'),
      ]);
      expect(plan.decision).toBe('compliant');
      expect(plan.reason).toBe(
        `no world-open tcp and udp ports other than tcp 80, 443 in ${GROUP_ID} (EC2.18, unauthorised ports)`,
      );
    });

    it.each([
      ['revoke', REVOKE],
      ['narrow', NARROW],
    ] as const)('with %s, re-authorizes the authorised ports inside a revoked range', (strategy, options) => {
      const plan = planFor(defaults, [tcp(0, 65535, '0.0.0.0/0'), tcp(80, 443, '::/0')], options);
      expect(plan.revoke).toEqual([v4('tcp', 0, 65535), v6('tcp', 80, 443)]);
      expect(plan.authorize).toEqual([
        v4('tcp', 80, 80),
        v6('tcp', 80, 80),
        v4('tcp', 443, 443),
        v6('tcp', 443, 443),
      ]);
      expect(plan.explanation.notes).toEqual([
        { code: 'authorized-ports-kept', ports: 'tcp 80, 443', rules: 4 },
      ]);
      const kept =
        'the revoked rules also opened authorised ports, which stay open: tcp 80, 443 re-authorized as 4 rules';
      expect(plan.reason).toBe(
        strategy === 'revoke'
          ? `revoke tcp and udp ports other than tcp 80, 443 from 0.0.0.0/0 and ::/0 (EC2.18, unauthorised ports); ${kept}`
          : `narrow tcp and udp ports other than tcp 80, 443 from 0.0.0.0/0 and ::/0 (EC2.18, unauthorised ports): revoke 2 rules, re-authorize the rest of the port range as 4 rules; ${kept}`,
      );
    });

    it.each([
      ['revoke', REVOKE, []],
      ['narrow', NARROW, [{ code: 'all-traffic-revoked-whole' }]],
    ] as const)(
      'with %s, keeps the authorised tcp and udp ports of a revoked protocol -1 rule',
      (_s, options, notes) => {
        const finding = hub('EC2.18', {
          authorizedTcpPorts: ports(443, [8000, 8100]),
          authorizedUdpPorts: ports(53),
        });
        const plan = planFor(finding, [allTraffic('0.0.0.0/0')], options);
        expect(plan.revoke).toEqual([v4('-1', undefined, undefined)]);
        expect(plan.authorize).toEqual([v4('tcp', 443, 443), v4('tcp', 8000, 8100), v4('udp', 53, 53)]);
        expect(plan.explanation.notes).toEqual([
          ...notes,
          { code: 'authorized-ports-kept', ports: 'tcp 443, 8000-8100 and udp 53', rules: 3 },
        ]);
      },
    );

    it('does not re-authorize an authorised rule the group keeps', () => {
      const plan = planFor(defaults, [tcp(0, 65535, '0.0.0.0/0'), tcp(80, 80, '0.0.0.0/0')]);
      expect(plan.revoke).toEqual([v4('tcp', 0, 65535)]);
      expect(plan.authorize).toEqual([v4('tcp', 443, 443)]);
    });

    it('takes the finding’s authorised ports over the default, udp ones included', () => {
      const finding = hub('EC2.18', {
        authorizedTcpPorts: ports(22),
        authorizedUdpPorts: ports([1000, 2000]),
      });
      const plan = planFor(finding, [
        tcp(22, 22, '0.0.0.0/0'),
        tcp(80, 80, '0.0.0.0/0'),
        udp(1500, 2500, '::/0'),
      ]);
      expect(plan.revoke).toEqual([v4('tcp', 80, 80), v6('udp', 1500, 2500)]);
      expect(plan.authorize).toEqual([v6('udp', 1500, 2000)]);
      expect(plan.explanation.reason).toMatchObject({
        exposure: 'tcp and udp ports other than tcp 22 and udp 1000-2000',
      });
    });

    it('with nothing authorised, revokes every world-open tcp and udp rule and re-authorizes nothing', () => {
      const finding = hub('EC2.18', { authorizedTcpPorts: [], authorizedUdpPorts: [] });
      const plan = planFor(finding, [tcp(80, 80, '0.0.0.0/0'), allTraffic('::/0')], NARROW);
      expect(plan.revoke).toEqual([v6('-1', undefined, undefined), v4('tcp', 80, 80)]);
      expect(plan.authorize).toEqual([]);
      expect(plan.explanation.notes).toEqual([{ code: 'all-traffic-revoked-whole' }]);
      expect(plan.reason).toMatch(/^narrow tcp and udp ports from 0\.0\.0\.0\/0 and ::\/0 \(EC2\.18/);
    });

    it('with every port authorised, is compliant even for protocol -1', () => {
      const every = ports([0, 65535]);
      const finding = hub('EC2.18', { authorizedTcpPorts: every, authorizedUdpPorts: every });
      expect(planFor(finding, [allTraffic('0.0.0.0/0')]).decision).toBe('compliant');
    });

    it('shortens a long list of authorised ports in the reason, counting their ports', () => {
      const finding = hub('EC2.18', { authorizedTcpPorts: ports(80, 443, [8000, 8009], 9000, 9443) });
      expect(planFor(finding, [tcp(22, 22, '0.0.0.0/0')]).reason).toBe(
        'revoke tcp and udp ports other than tcp 80, 443, 8000-8009 … (14 ports) from 0.0.0.0/0 (EC2.18, unauthorised ports)',
      );
    });
  });

  describe('EC2.53 and EC2.54: 22 and 3389, tcp and udp, one world CIDR each', () => {
    const group = [tcp(0, 65535, '0.0.0.0/0'), tcp(22, 22, '::/0'), udp(3389, 3389, '0.0.0.0/0', '::/0')];

    it('EC2.53 revokes from 0.0.0.0/0 only, and narrows around both ports', () => {
      const plan = planFor(hub('EC2.53'), group, NARROW);
      expect(plan.revoke).toEqual([v4('tcp', 0, 65535), v4('udp', 3389, 3389)]);
      expect(plan.authorize).toEqual([v4('tcp', 0, 21), v4('tcp', 23, 3388), v4('tcp', 3390, 65535)]);
      expect(plan.reason).toBe(
        'narrow tcp 22, 3389 and udp 22, 3389 from 0.0.0.0/0 (EC2.53, remote administration, IPv4): revoke 2 rules, re-authorize the rest of the port range as 3 rules',
      );
    });

    it('EC2.54 revokes from ::/0 only', () => {
      const plan = planFor(hub('EC2.54'), group);
      expect(plan.revoke).toEqual([v6('tcp', 22, 22), v6('udp', 3389, 3389)]);
    });

    it('says which world CIDR it looked at when compliant or exempt', () => {
      expect(planFor(hub('EC2.53'), [tcp(22, 22, '::/0')]).reason).toBe(
        `no tcp 22, 3389 and udp 22, 3389 open to 0.0.0.0/0 in ${GROUP_ID} (EC2.53, remote administration, IPv4)`,
      );
      const exempt = planRemediation(
        hub('EC2.54'),
        makeGroup([tcp(22, 22, '::/0')], [{ Key: 'remediation-hub:exempt', Value: 'true' }]),
        REVOKE,
      );
      expect(exempt.explanation.reason).toMatchObject({ code: 'exempt', worldCidrs: ['::/0'] });
      expect(exempt.reason).toBe(
        `${GROUP_ID} is tagged remediation-hub:exempt=true; tcp 22, 3389 and udp 22, 3389 from ::/0 left open (EC2.54, remote administration, IPv6)`,
      );
    });
  });

  describe('says why a finding is not acted on', () => {
    it.each<[SecurityHubEventName, string]>([
      ['ec2.13-passed', 'Compliance.Status is PASSED; only FAILED is remediated'],
      ['ec2.19-suppressed', 'Workflow.Status is SUPPRESSED; only NEW and NOTIFIED are remediated'],
    ])('%s', (name, reason) => {
      const finding = parseFindings(loadSecurityHubEvent(name))[0]?.finding as Finding;
      const plan = planRemediation(
        finding,
        { ...makeGroup([allTraffic('0.0.0.0/0')]), GroupId: finding.groupId },
        REVOKE,
      );
      expect(plan).toMatchObject({ decision: 'ignored', revoke: [], authorize: [], reason });
    });

    it('for an unknown control, naming it', () => {
      expect(planFor(hub('S3.1'), [allTraffic('0.0.0.0/0')]).reason).toBe(
        'S3.1 (S3.1) is not one the hub remediates',
      );
    });
  });

  it('plans a parsed finding against the group it names: EC2.18 closes tcp 22 and keeps 443', () => {
    const finding = parseFindings(loadSecurityHubEvent('ec2.18-consolidated'))[0]?.finding as Finding;
    const details = loadSecurityHubEvent('ec2.18-consolidated').detail.findings[0]?.Resources[0]?.Details;
    const group = details?.AwsEc2SecurityGroup as SecurityGroup;
    const plan = planRemediation(finding, group, NARROW);
    expect(plan.revoke).toEqual([v4('tcp', 22, 22)]);
    expect(applyPlan(group, plan).IpPermissions).toEqual([tcp(443, 443, '0.0.0.0/0', '::/0')]);
  });
});

describe('planRemediation: Prisma Cloud policies', () => {
  it.each([
    ['617b9138-584b-4e8e-ad15-7fbabafbed1a', 22, 'SSH'],
    ['519456f2-f9eb-407b-b32d-064f1ac7f0ca', 23, 'Telnet'],
    ['b82f90ce-ed8b-4b49-970c-2268b0a6c2e5', 3389, 'RDP'],
  ] as const)('policy %s closes tcp %i', (policyId, port, service) => {
    const plan = planFor(controlFinding('prisma-cloud', policyId), [tcp(0, 65535, '0.0.0.0/0', '::/0')]);
    expect(plan.revoke).toEqual([v4('tcp', 0, 65535), v6('tcp', 0, 65535)]);
    expect(plan.reason).toBe(`revoke tcp ${port} from 0.0.0.0/0 and ::/0 (${policyId}, ${service})`);
  });

  it('an unknown policy is unsupported', () => {
    const finding = controlFinding('prisma-cloud', '566686e8-0581-4df5-ae22-5a901ed37b58');
    expect(planFor(finding, [allTraffic('0.0.0.0/0')]).decision).toBe('unsupported');
  });

  it('the integration’s test message is ignored, before the group is looked at', () => {
    const finding = parseFindings(prismaCloudTestBody())[0]?.finding as Finding;
    const plan = planRemediation(finding, { GroupId: finding.groupId }, REVOKE);
    expect(plan).toMatchObject({
      decision: 'ignored',
      explanation: { reason: { code: 'not-actionable', testMessage: true } },
      reason: "sender is Test Notification: the source's integration test message, consumed without action",
    });
  });
});
