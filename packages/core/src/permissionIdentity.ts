import { protocolName } from './readPermission.js';
import type { IpPermission } from './types.js';

/**
 * "Is this the same permission, the same rule?", answered once for the planner, the handler and undo, as EC2
 * matches them: the protocol by meaning (`6` and `tcp` are one, case does not matter), the ports (none for
 * protocol `-1`, whether absent or -1), and for a rule its one CIDR. Descriptions never count.
 */

/** The protocol as EC2 compares it: a known name for a known name or number, else the spelling, lower-cased. */
export function protocolOf(ipProtocol: string): string {
  const name = protocolName(ipProtocol);
  return name === 'other' ? ipProtocol.toLowerCase() : name;
}

/** Identifies a permission's protocol and ports: two permissions with one key are one permission to EC2. */
export function permissionKey(
  ipProtocol: string,
  fromPort: number | undefined,
  toPort: number | undefined,
): string {
  const protocol = protocolOf(ipProtocol);
  if (protocol === 'all') return 'all';
  return `${protocol}|${fromPort ?? ''}|${toPort ?? ''}`;
}

/** `permissionKey` of an SDK permission. */
export function keyOfPermission(permission: IpPermission): string {
  return permissionKey(permission.IpProtocol ?? '', permission.FromPort, permission.ToPort);
}

/** Both permissions have the same protocol and ports (their sources aside). */
export function samePermission(a: IpPermission, b: IpPermission): boolean {
  return keyOfPermission(a) === keyOfPermission(b);
}

/** One rule as EC2 matches it: a permission's protocol and ports, and one of its CIDRs. */
interface Rule {
  key: string;
  cidr: string | undefined;
}

function rulesOf(permission: IpPermission): Rule[] {
  const key = keyOfPermission(permission);
  return [
    ...(permission.IpRanges ?? []).map((range) => ({ key, cidr: range.CidrIp })),
    ...(permission.Ipv6Ranges ?? []).map((range) => ({ key, cidr: range.CidrIpv6 })),
  ];
}

/** The entry's rule, as one CIDR; `undefined` for an entry that is not one CIDR rule. */
function ruleOf(entry: IpPermission): Rule | undefined {
  const rules = rulesOf(entry);
  return rules.length === 1 ? rules[0] : undefined;
}

const same = (a: Rule, b: Rule): boolean => a.key === b.key && a.cidr === b.cidr;

/** Both entries (one CIDR each, as plans write them) name the same rule. */
export function sameRule(a: IpPermission, b: IpPermission): boolean {
  const ra = ruleOf(a);
  const rb = ruleOf(b);
  return ra !== undefined && rb !== undefined && same(ra, rb);
}

/** The group's permissions hold the entry's rule (its CIDR on a permission with its protocol and ports). */
export function hasRule(permissions: readonly IpPermission[], entry: IpPermission): boolean {
  const rule = ruleOf(entry);
  return rule !== undefined && permissions.some((p) => rulesOf(p).some((r) => same(r, rule)));
}

/** A tcp/udp entry of one CIDR, with its range. */
function rangeOf(
  entry: IpPermission,
): { protocol: 'tcp' | 'udp'; from: number; to: number; cidr: string | undefined } | undefined {
  const rule = ruleOf(entry);
  const protocol = protocolName(entry.IpProtocol ?? '');
  if (rule === undefined || (protocol !== 'tcp' && protocol !== 'udp')) return undefined;
  if (entry.FromPort === undefined || entry.ToPort === undefined) return undefined;
  return { protocol, from: entry.FromPort, to: entry.ToPort, cidr: rule.cidr };
}

/** `part` is a tcp/udp sub-range of `whole` for the same CIDR: what `narrow` re-authorizes of a revoked rule. */
export function isSubRange(part: IpPermission, whole: IpPermission): boolean {
  const p = rangeOf(part);
  const w = rangeOf(whole);
  if (p === undefined || w === undefined) return false;
  return p.protocol === w.protocol && p.cidr === w.cidr && w.from <= p.from && p.to <= w.to;
}

/** A tcp/udp rule over more than one port: one that `narrow` splits and partly re-authorizes. */
export function isPortRange(entry: IpPermission): boolean {
  const range = rangeOf(entry);
  return range !== undefined && range.from < range.to;
}

/**
 * `part` is part of what `whole` opened, for the same CIDR: a tcp/udp sub-range of it (`isSubRange`), or any
 * tcp/udp rule when `whole` is protocol -1. Every re-authorization of a plan is part of one of its revocations:
 * `narrow` re-authorizes sub-ranges, and a control with authorised ports (Security Hub EC2.18) re-authorizes them
 * inside a revoked -1 rule too. Kept apart from `isSubRange`, which pairs `narrow`'s pieces with their range.
 */
export function isPartOf(part: IpPermission, whole: IpPermission): boolean {
  if (isSubRange(part, whole)) return true;
  const p = rangeOf(part);
  const w = ruleOf(whole);
  return p !== undefined && w !== undefined && w.key === 'all' && p.cidr === w.cidr;
}
