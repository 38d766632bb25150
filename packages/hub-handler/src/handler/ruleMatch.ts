import { type IpPermission, protocolName } from '@remediation-hub/core';

/**
 * Rules as EC2 matches them, for plan entries (one CIDR each, as the planner writes them): protocol (`6` and
 * `tcp` are one), ports (none for protocol `-1`) and the CIDR. Descriptions do not count.
 */
interface Rule {
  protocol: string;
  fromPort: number | undefined;
  toPort: number | undefined;
  cidr: string | undefined;
}

function protocolOf(permission: IpPermission): string {
  const ipProtocol = permission.IpProtocol ?? '';
  const name = protocolName(ipProtocol);
  return name === 'other' ? ipProtocol.toLowerCase() : name;
}

function rulesOf(permission: IpPermission): Rule[] {
  const protocol = protocolOf(permission);
  const all = protocol === 'all';
  const fromPort = all ? undefined : permission.FromPort;
  const toPort = all ? undefined : permission.ToPort;
  return [
    ...(permission.IpRanges ?? []).map((range) => ({ protocol, fromPort, toPort, cidr: range.CidrIp })),
    ...(permission.Ipv6Ranges ?? []).map((range) => ({ protocol, fromPort, toPort, cidr: range.CidrIpv6 })),
  ];
}

const same = (a: Rule, b: Rule): boolean =>
  a.protocol === b.protocol && a.fromPort === b.fromPort && a.toPort === b.toPort && a.cidr === b.cidr;

/** The plan entry's rule, as one CIDR; `undefined` for an entry that is not one CIDR rule. */
function ruleOf(entry: IpPermission): Rule | undefined {
  const rules = rulesOf(entry);
  return rules.length === 1 ? rules[0] : undefined;
}

/** Both entries name the same rule. */
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

/**
 * `part` is a tcp/udp sub-range of `whole` for the same CIDR: what `narrow` re-authorizes of a revoked rule.
 */
export function isSubRange(part: IpPermission, whole: IpPermission): boolean {
  const p = ruleOf(part);
  const w = ruleOf(whole);
  if (p === undefined || w === undefined) return false;
  if (p.protocol !== w.protocol || p.cidr !== w.cidr) return false;
  if (p.protocol !== 'tcp' && p.protocol !== 'udp') return false;
  const { fromPort: pf, toPort: pt } = p;
  const { fromPort: wf, toPort: wt } = w;
  if (pf === undefined || pt === undefined || wf === undefined || wt === undefined) return false;
  return wf <= pf && pt <= wt;
}

/** A tcp/udp rule over more than one port: one that `narrow` splits and partly re-authorizes. */
export function isPortRange(entry: IpPermission): boolean {
  const rule = ruleOf(entry);
  return (
    rule !== undefined &&
    (rule.protocol === 'tcp' || rule.protocol === 'udp') &&
    rule.fromPort !== undefined &&
    rule.toPort !== undefined &&
    rule.fromPort < rule.toPort
  );
}
