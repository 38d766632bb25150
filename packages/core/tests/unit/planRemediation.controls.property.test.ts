import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  applyPlan,
  type ControlParameters,
  EC2_19_PORTS,
  type IpPermission,
  isPartOf,
  type PlanOptions,
  type PortRange,
  planRemediation,
  type SecurityGroup,
} from '../../src/index.js';
import {
  allows,
  cidrsOf,
  ipPermissionArbitrary,
  NAMES,
  type Protocol,
  sources,
  WORLD,
} from '../support/accessModel.js';
import { controlFinding, makeGroup } from '../support/factories.js';

/*
 * Properties of the Security Hub and Prisma Cloud controls over generated groups (and, for EC2.18, generated
 * authorised ports), checked with the independent access model of tests/support/accessModel.ts.
 */

const DEFAULT_AUTHORIZED = {
  tcp: [
    { from: 80, to: 80 },
    { from: 443, to: 443 },
  ],
  udp: [] as PortRange[],
};
const interestingPorts = [...EC2_19_PORTS, 80, 443, 53, 123, 8000, 8100];
const port = fc.oneof(fc.constantFrom(...interestingPorts), fc.integer({ min: 0, max: 65535 }));
const range = fc.tuple(port, port).map(([a, b]): PortRange => ({ from: Math.min(a, b), to: Math.max(a, b) }));
/** A parameter absent (the default), empty (none authorised), or a few ports and ranges. */
const authorizedList = fc.option(fc.array(range, { maxLength: 4 }), { nil: undefined });
const parameters: fc.Arbitrary<ControlParameters> = fc
  .record({ authorizedTcpPorts: authorizedList, authorizedUdpPorts: authorizedList })
  .map(({ authorizedTcpPorts, authorizedUdpPorts }) => ({
    ...(authorizedTcpPorts === undefined ? {} : { authorizedTcpPorts }),
    ...(authorizedUdpPorts === undefined ? {} : { authorizedUdpPorts }),
  }));

const strategy = fc.constantFrom<PlanOptions['strategy']>('revoke', 'narrow');
const permissions = fc.array(ipPermissionArbitrary(interestingPorts), { maxLength: 6 });

const SOURCE_OF: Record<string, 'security-hub' | 'prisma-cloud'> = {
  'EC2.13': 'security-hub',
  'EC2.14': 'security-hub',
  'EC2.18': 'security-hub',
  'EC2.19': 'security-hub',
  'EC2.53': 'security-hub',
  'EC2.54': 'security-hub',
  '617b9138-584b-4e8e-ad15-7fbabafbed1a': 'prisma-cloud',
  '519456f2-f9eb-407b-b32d-064f1ac7f0ca': 'prisma-cloud',
  'b82f90ce-ed8b-4b49-970c-2268b0a6c2e5': 'prisma-cloud',
};

interface Scenario {
  control: string;
  parameters: ControlParameters | undefined;
  permissions: IpPermission[];
  strategy: PlanOptions['strategy'];
}

function run({ control, parameters: given, permissions: before, strategy: chosen }: Scenario) {
  const group: SecurityGroup = makeGroup(before);
  const options: PlanOptions = { strategy: chosen, exemptTagKey: 'remediation-hub:exempt', now: new Date() };
  const finding = controlFinding(SOURCE_OF[control] ?? 'security-hub', control, given);
  const plan = planRemediation(finding, group, options);
  const after = applyPlan(group, plan);
  return { finding, options, plan, after, afterPermissions: after.IpPermissions ?? [] };
}

const scenarioOf = (control: string, withParameters = false): fc.Arbitrary<Scenario> =>
  fc.record({
    control: fc.constant(control),
    parameters: withParameters ? parameters : fc.constant(undefined),
    permissions,
    strategy,
  });

/** Every point where access can change: the edges of every range given and of every permission, ±1. */
function probePoints(
  groups: IpPermission[][],
  ranges: readonly PortRange[] = [],
): Record<Protocol, number[]> {
  const edges = new Set([0, 65535, ...ranges.flatMap((r) => [r.from, r.to])]);
  for (const p of groups.flat()) {
    if (p.FromPort !== undefined) edges.add(p.FromPort);
    if (p.ToPort !== undefined) edges.add(p.ToPort);
  }
  const ports = [...edges].flatMap((e) => [e - 1, e, e + 1]).filter((p) => p >= 0 && p <= 65535);
  return { tcp: ports, udp: ports, icmp: [-1, 0, 3, 8, 128], icmpv6: [-1, 2, 8, 128] };
}

const inRanges = (ranges: readonly PortRange[], point: number) =>
  ranges.some((r) => r.from <= point && point <= r.to);

/** The authorised ranges of an EC2.18 scenario, as the finding gives them or by default. */
function authorizedOf(given: ControlParameters | undefined): { tcp: PortRange[]; udp: PortRange[] } {
  return {
    tcp: [...(given?.authorizedTcpPorts ?? DEFAULT_AUTHORIZED.tcp)],
    udp: [...(given?.authorizedUdpPorts ?? DEFAULT_AUTHORIZED.udp)],
  };
}

const RUNS = { numRuns: 400 };
const ALL_CONTROLS = Object.keys(SOURCE_OF);
const anyControl = fc
  .constantFrom(...ALL_CONTROLS)
  .chain((control) => scenarioOf(control, control === 'EC2.18'));

describe('planRemediation: properties of the Security Hub and Prisma Cloud controls', () => {
  it('EC2.18 never closes an authorised port: every one the world reached before, it reaches after', () => {
    fc.assert(
      fc.property(scenarioOf('EC2.18', true), (input) => {
        const { afterPermissions } = run(input);
        const authorized = authorizedOf(input.parameters);
        const points = probePoints(
          [input.permissions, afterPermissions],
          [...authorized.tcp, ...authorized.udp],
        );
        for (const protocol of ['tcp', 'udp'] as const) {
          for (const point of points[protocol].filter((p) => inRanges(authorized[protocol], p))) {
            for (const world of WORLD) {
              if (allows(input.permissions, protocol, point, world)) {
                expect(
                  allows(afterPermissions, protocol, point, world),
                  `${protocol} ${point} from ${world}`,
                ).toBe(true);
              }
            }
          }
        }
      }),
      RUNS,
    );
  });

  it('EC2.18 leaves no unauthorised tcp or udp port open to the world, and protocol -1 closed', () => {
    fc.assert(
      fc.property(scenarioOf('EC2.18', true), (input) => {
        const { afterPermissions, after, finding, options } = run(input);
        const authorized = authorizedOf(input.parameters);
        const points = probePoints([input.permissions], [...authorized.tcp, ...authorized.udp]);
        for (const protocol of ['tcp', 'udp'] as const) {
          for (const point of points[protocol].filter((p) => !inRanges(authorized[protocol], p))) {
            for (const world of WORLD) expect(allows(afterPermissions, protocol, point, world)).toBe(false);
          }
        }
        expect(planRemediation(finding, after, options).decision).toBe('compliant');
      }),
      RUNS,
    );
  });

  it.each([
    ['EC2.53', '::/0'],
    ['EC2.54', '0.0.0.0/0'],
  ])('%s never touches %s: no revocation, no authorization, the same access from it', (control, other) => {
    fc.assert(
      fc.property(scenarioOf(control), (input) => {
        const { plan, afterPermissions } = run(input);
        for (const entry of [...plan.revoke, ...plan.authorize]) expect(cidrsOf(entry)).not.toContain(other);
        const points = probePoints([input.permissions, afterPermissions]);
        for (const protocol of Object.keys(points) as Protocol[]) {
          for (const point of points[protocol]) {
            expect(allows(afterPermissions, protocol, point, other)).toBe(
              allows(input.permissions, protocol, point, other),
            );
          }
        }
      }),
      RUNS,
    );
  });

  it('EC2.19 revokes only rules that expose one of its ports', () => {
    fc.assert(
      fc.property(scenarioOf('EC2.19'), (input) => {
        const { plan } = run(input);
        for (const entry of plan.revoke) {
          const name = NAMES[entry.IpProtocol ?? ''];
          const exposes =
            name === 'all' ||
            (name === 'tcp' &&
              EC2_19_PORTS.some((p) => (entry.FromPort ?? 1) <= p && p <= (entry.ToPort ?? 0)));
          expect(exposes, JSON.stringify(entry)).toBe(true);
        }
      }),
      RUNS,
    );
  });

  it('every control never adds access that was not there before', () => {
    fc.assert(
      fc.property(anyControl, (input) => {
        const { afterPermissions } = run(input);
        const points = probePoints([input.permissions, afterPermissions]);
        const allSources = [
          ...new Set([...input.permissions.flatMap(sources), ...afterPermissions.flatMap(sources), ...WORLD]),
        ];
        for (const protocol of Object.keys(points) as Protocol[]) {
          for (const point of points[protocol]) {
            for (const source of allSources) {
              if (allows(afterPermissions, protocol, point, source)) {
                expect(
                  allows(input.permissions, protocol, point, source),
                  `${protocol} ${point} ${source}`,
                ).toBe(true);
              }
            }
          }
        }
      }),
      RUNS,
    );
  });

  it('every control revokes exact world rules, one CIDR each, and re-authorizes only parts of them', () => {
    fc.assert(
      fc.property(anyControl, (input) => {
        const { plan } = run(input);
        for (const entry of plan.revoke) {
          const [cidr] = cidrsOf(entry);
          expect(cidrsOf(entry)).toHaveLength(1);
          expect(WORLD).toContain(cidr);
          const exact = input.permissions.some(
            (p) =>
              p.IpProtocol === entry.IpProtocol &&
              p.FromPort === entry.FromPort &&
              p.ToPort === entry.ToPort &&
              sources(p).includes(cidr as string),
          );
          expect(exact, JSON.stringify(entry)).toBe(true);
        }
        for (const entry of plan.authorize) {
          expect(cidrsOf(entry)).toHaveLength(1);
          expect(
            plan.revoke.some((rule) => isPartOf(entry, rule)),
            JSON.stringify(entry),
          ).toBe(true);
        }
        expect(plan.decision).toBe(plan.revoke.length > 0 ? 'remediate' : 'compliant');
      }),
      RUNS,
    );
  });

  it('every control, planned again on the group after its plan, is compliant', () => {
    fc.assert(
      fc.property(anyControl, (input) => {
        const { after, finding, options } = run(input);
        expect(planRemediation(finding, after, options).decision).toBe('compliant');
      }),
      RUNS,
    );
  });
});
