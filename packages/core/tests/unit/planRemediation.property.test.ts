import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  applyPlan,
  type IpPermission,
  type PlanOptions,
  planRemediation,
  type RemediationPlan,
  type SecurityGroup,
  SIGNATURES,
  type SignatureDefinition,
} from '../../src/index.js';
import {
  allows,
  cidrsOf,
  covers,
  ipPermissionArbitrary,
  NAMES,
  type Protocol,
  sources,
  WORLD,
} from '../support/accessModel.js';
import { findingFor, makeGroup } from '../support/factories.js';

/** The (protocol, point) pairs a signature is about. */
function signaturePoints(signature: SignatureDefinition): Array<[Protocol, number]> {
  const { exposure } = signature;
  return exposure.kind === 'port'
    ? [[exposure.protocol, exposure.port]]
    : [
        ['icmp', 8],
        ['icmpv6', 128],
      ];
}

/** Every point where access can change: range edges and their neighbours, the signature's points. */
function probes(groups: IpPermission[][], signature: SignatureDefinition): Array<[Protocol, number, string]> {
  const permissions = groups.flat();
  const points: Record<Protocol, Set<number>> = {
    tcp: new Set([0, 65535]),
    udp: new Set([0, 65535]),
    icmp: new Set([0, 3, 8, 128]),
    icmpv6: new Set([2, 8, 128]),
  };
  for (const [protocol, point] of signaturePoints(signature)) {
    for (const p of [point - 1, point, point + 1]) points[protocol].add(p);
  }
  for (const permission of permissions) {
    for (const port of [permission.FromPort, permission.ToPort]) {
      if (port === undefined) continue;
      for (const p of [port - 1, port, port + 1]) {
        for (const protocol of ['tcp', 'udp'] as const) if (p >= 0 && p <= 65535) points[protocol].add(p);
      }
      for (const protocol of ['icmp', 'icmpv6'] as const) points[protocol].add(port);
    }
  }
  const allSources = [...new Set([...permissions.flatMap(sources), ...WORLD])];
  return (Object.keys(points) as Protocol[]).flatMap((protocol) =>
    [...points[protocol]].flatMap((point) =>
      allSources.map((source) => [protocol, point, source] as [Protocol, number, string]),
    ),
  );
}

/* Generators: security groups in the EC2 SDK v3 shape, biased towards the signatures' ports. */
const interestingPorts = [
  ...new Set(SIGNATURES.flatMap((s) => (s.exposure.kind === 'port' ? [s.exposure.port] : []))),
];
const ipPermission = ipPermissionArbitrary(interestingPorts);

interface Scenario {
  signature: SignatureDefinition;
  permissions: IpPermission[];
  strategy: PlanOptions['strategy'];
}

const scenario: fc.Arbitrary<Scenario> = fc.record({
  signature: fc.constantFrom(...SIGNATURES),
  permissions: fc.array(ipPermission, { maxLength: 6 }),
  strategy: fc.constantFrom('revoke', 'narrow') as fc.Arbitrary<PlanOptions['strategy']>,
});

function run({ signature, permissions, strategy }: Scenario) {
  const group: SecurityGroup = makeGroup(permissions);
  const options: PlanOptions = { strategy, exemptTagKey: 'remediation-hub:exempt', now: new Date() };
  const plan = planRemediation(findingFor(signature.identifier), group, options);
  const after = applyPlan(group, plan);
  return { group, options, plan, after, before: permissions, afterPermissions: after.IpPermissions ?? [] };
}

/** The world sources the plan revoked whole because they cannot be narrowed (protocol -1, ICMP -1). */
function fellBack(
  permission: IpPermission,
  source: string,
  plan: RemediationPlan,
  signature: SignatureDefinition,
) {
  if (!WORLD.includes(source)) return false;
  const name = NAMES[permission.IpProtocol ?? ''];
  if (name === 'all') return true;
  return (
    signature.exposure.kind === 'icmp-echo' &&
    (name === 'icmp' || name === 'icmpv6') &&
    permission.FromPort === -1 &&
    plan.revoke.length > 0
  );
}

const RUNS = { numRuns: 400 };

describe('planRemediation (properties over generated security groups)', () => {
  it('never adds access that was not there before', () => {
    fc.assert(
      fc.property(scenario, (input) => {
        const { before, afterPermissions } = run(input);
        for (const [protocol, point, source] of probes([before, afterPermissions], input.signature)) {
          if (allows(afterPermissions, protocol, point, source)) {
            expect(allows(before, protocol, point, source), `${protocol} ${point} from ${source}`).toBe(true);
          }
        }
      }),
      RUNS,
    );
  });

  it('leaves no world exposure of the signature, with either strategy', () => {
    fc.assert(
      fc.property(scenario, (input) => {
        const { afterPermissions, after, options, plan } = run(input);
        for (const [protocol, point] of signaturePoints(input.signature)) {
          for (const world of WORLD) expect(allows(afterPermissions, protocol, point, world)).toBe(false);
        }
        expect(planRemediation(findingFor(input.signature.identifier), after, options).decision).toBe(
          'compliant',
        );
        expect(plan.decision).toBe(plan.revoke.length > 0 ? 'remediate' : 'compliant');
      }),
      RUNS,
    );
  });

  it('revokes only world CIDRs, one per entry, each an exact rule of the group', () => {
    fc.assert(
      fc.property(scenario, (input) => {
        const { plan, before } = run(input);
        for (const entry of [...plan.revoke, ...plan.authorize]) {
          expect(cidrsOf(entry)).toHaveLength(1);
        }
        for (const entry of plan.revoke) {
          const [cidr] = cidrsOf(entry);
          expect(WORLD).toContain(cidr);
          expect(entry.IpRanges?.[0]?.Description ?? entry.Ipv6Ranges?.[0]?.Description).toBeUndefined();
          const exact = before.some(
            (p) =>
              p.IpProtocol === entry.IpProtocol &&
              p.FromPort === entry.FromPort &&
              p.ToPort === entry.ToPort &&
              sources(p).includes(cidr as string),
          );
          expect(exact, JSON.stringify(entry)).toBe(true);
        }
      }),
      RUNS,
    );
  });

  it('with narrow, keeps every other exposure that existed', () => {
    fc.assert(
      fc.property(scenario, (input) => {
        const { plan, before, afterPermissions } = run({ ...input, strategy: 'narrow' });
        const closed = new Set(
          signaturePoints(input.signature).map(([protocol, point]) => `${protocol} ${point}`),
        );
        for (const [protocol, point, source] of probes([before], input.signature)) {
          if (WORLD.includes(source) && closed.has(`${protocol} ${point}`)) continue;
          const keptBefore = before.some(
            (p) =>
              covers(p, protocol, point) &&
              sources(p).includes(source) &&
              !fellBack(p, source, plan, input.signature),
          );
          if (keptBefore) {
            expect(
              allows(afterPermissions, protocol, point, source),
              `${protocol} ${point} from ${source}`,
            ).toBe(true);
          }
        }
      }),
      RUNS,
    );
  });

  it('never authorizes a rule the group keeps, which EC2 would refuse as a duplicate', () => {
    fc.assert(
      fc.property(scenario, (input) => {
        const { group, plan } = run({ ...input, strategy: 'narrow' });
        const kept = applyPlan(group, { revoke: plan.revoke, authorize: [] }).IpPermissions ?? [];
        for (const entry of plan.authorize) {
          const [cidr] = cidrsOf(entry);
          const duplicate = kept.some(
            (p) =>
              NAMES[p.IpProtocol ?? ''] === NAMES[entry.IpProtocol ?? ''] &&
              p.FromPort === entry.FromPort &&
              p.ToPort === entry.ToPort &&
              sources(p).includes(cidr as string),
          );
          expect(duplicate, JSON.stringify(entry)).toBe(false);
        }
        expect(new Set(plan.authorize.map((e) => JSON.stringify(e))).size).toBe(plan.authorize.length);
      }),
      RUNS,
    );
  });

  it('revokes the same rules whatever the order of the permissions', () => {
    fc.assert(
      fc.property(scenario, (input) => {
        const forward = run(input).plan;
        const backward = run({ ...input, permissions: [...input.permissions].reverse() }).plan;
        expect(backward.revoke).toEqual(forward.revoke);
        expect(backward.decision).toBe(forward.decision);
      }),
      RUNS,
    );
  });
});
