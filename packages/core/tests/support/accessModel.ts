import fc from 'fast-check';
import type { IpPermission } from '../../src/index.js';

/*
 * An access model written independently of the planner: which (protocol, port or ICMP type, source) a list of
 * permissions lets in. Sources are CIDR strings, prefix lists and group references. With generators of security
 * groups in the EC2 SDK v3 shape, for the planner's property tests.
 */
export type Protocol = 'tcp' | 'udp' | 'icmp' | 'icmpv6';
export const NAMES: Record<string, Protocol | 'all'> = {
  tcp: 'tcp',
  '6': 'tcp',
  udp: 'udp',
  '17': 'udp',
  icmp: 'icmp',
  '1': 'icmp',
  icmpv6: 'icmpv6',
  '58': 'icmpv6',
  '-1': 'all',
};
export const WORLD = ['0.0.0.0/0', '::/0'];

export function sources(permission: IpPermission): string[] {
  return [
    ...(permission.IpRanges ?? []).map((r) => r.CidrIp ?? ''),
    ...(permission.Ipv6Ranges ?? []).map((r) => r.CidrIpv6 ?? ''),
    ...(permission.PrefixListIds ?? []).map((p) => `pl:${p.PrefixListId}`),
    ...(permission.UserIdGroupPairs ?? []).map((p) => `sg:${p.GroupId}`),
  ];
}

export function covers(permission: IpPermission, protocol: Protocol, point: number): boolean {
  const name = NAMES[permission.IpProtocol ?? ''];
  if (name === 'all') return true;
  if (name !== protocol) return false;
  if (protocol === 'tcp' || protocol === 'udp') {
    return (permission.FromPort ?? 1) <= point && point <= (permission.ToPort ?? 0);
  }
  return permission.FromPort === -1 || permission.FromPort === point;
}

export const allows = (
  permissions: IpPermission[],
  protocol: Protocol,
  point: number,
  source: string,
): boolean => permissions.some((p) => covers(p, protocol, point) && sources(p).includes(source));

export const cidrsOf = (entry: IpPermission): string[] => [
  ...(entry.IpRanges ?? []).map((r) => r.CidrIp ?? ''),
  ...(entry.Ipv6Ranges ?? []).map((r) => r.CidrIpv6 ?? ''),
];

/* Generators: security groups in the EC2 SDK v3 shape, biased towards the given ports. */
const v4Cidr = fc.constantFrom('0.0.0.0/0', '10.0.0.0/8', '0.0.0.0/1', '203.0.113.7/32');
const v6Cidr = fc.constantFrom('::/0', '2001:db8::/32', '::/1');
const description = fc.option(fc.constantFrom('office', 'legacy rule'), { nil: undefined });
const withDescription = <K extends string>(key: K, cidr: string, text: string | undefined) =>
  text === undefined
    ? ({ [key]: cidr } as Record<K, string>)
    : ({ [key]: cidr, Description: text } as Record<K, string>);

const ranges = fc.record(
  {
    IpRanges: fc.array(
      fc.tuple(v4Cidr, description).map(([c, d]) => withDescription('CidrIp', c, d)),
      { maxLength: 3 },
    ),
    Ipv6Ranges: fc.array(
      fc.tuple(v6Cidr, description).map(([c, d]) => withDescription('CidrIpv6', c, d)),
      {
        maxLength: 2,
      },
    ),
    PrefixListIds: fc.array(fc.constant({ PrefixListId: 'pl-0123456789abcdef0' }), { maxLength: 1 }),
    UserIdGroupPairs: fc.array(fc.constant({ GroupId: 'sg-0fedcba9876543210' }), { maxLength: 1 }),
  },
  { requiredKeys: [] },
);

/** Ports, biased towards `interestingPorts` and their neighbours. */
export function portArbitrary(interestingPorts: readonly number[]): fc.Arbitrary<number> {
  return fc.oneof(
    fc.constantFrom(0, 65535, ...interestingPorts),
    fc.constantFrom(...interestingPorts).map((p) => p + 1),
    fc.constantFrom(...interestingPorts).map((p) => p - 1),
    fc.integer({ min: 0, max: 65535 }),
  );
}

/** One ingress permission of any protocol, its ports biased towards `interestingPorts`. */
export function ipPermissionArbitrary(interestingPorts: readonly number[]): fc.Arbitrary<IpPermission> {
  const port = portArbitrary(interestingPorts);
  const portsPart = fc.oneof(
    fc
      .record({
        IpProtocol: fc.constantFrom('tcp', 'udp', '6', '17'),
        ports: fc.tuple(port, port).map(([a, b]) => [Math.min(a, b), Math.max(a, b)] as const),
      })
      .map(({ IpProtocol, ports }) => ({ IpProtocol, FromPort: ports[0], ToPort: ports[1] })),
    fc.record({
      IpProtocol: fc.constantFrom('icmp', 'icmpv6', '1', '58'),
      FromPort: fc.constantFrom(-1, 0, 3, 8, 128, 2, 11),
      ToPort: fc.constantFrom(-1, 0, 4),
    }),
    fc.constantFrom<IpPermission>(
      { IpProtocol: '-1' },
      { IpProtocol: '-1', FromPort: -1, ToPort: -1 },
      { IpProtocol: '47' },
    ),
  );
  return fc.tuple(portsPart, ranges).map(([head, sourcesOf]) => ({ ...head, ...sourcesOf }) as IpPermission);
}
