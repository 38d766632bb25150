import { permissionKey, protocolOf } from './permissionIdentity.js';
import type { ReadPermission } from './readPermission.js';
import type { IpPermission } from './types.js';

/** One EC2 rule as EC2 revokes and authorizes it: one protocol, one port range, one CIDR. */
export interface CidrRule extends ReadPermission {
  cidr: string;
  family: 'ipv4' | 'ipv6';
  /** The description of the CIDR entry in the group. */
  description: string | undefined;
}

/** `permissionKey` plus the CIDR: the rule's identity (see `permissionIdentity`). */
export function ruleKey(rule: CidrRule): string {
  return `${permissionKey(rule.ipProtocol, rule.fromPort, rule.toPort)}|${rule.cidr}`;
}

const port = (value: number | undefined): number => value ?? -2;

const order = (a: string | undefined, b: string | undefined): number =>
  a === b ? 0 : (a ?? '') < (b ?? '') ? -1 : 1;

/**
 * A total order: protocol, ports, IPv4 before IPv6, then the spelling (`6` or `tcp`, ports absent or -1)
 * and the description, so that the same group gives the same plan whatever the order of its rules.
 */
export function compareRules(a: CidrRule, b: CidrRule): number {
  return (
    order(protocolOf(a.ipProtocol), protocolOf(b.ipProtocol)) ||
    port(a.fromPort) - port(b.fromPort) ||
    port(a.toPort) - port(b.toPort) ||
    order(a.family, b.family) ||
    order(a.cidr, b.cidr) ||
    order(a.ipProtocol, b.ipProtocol) ||
    order(a.description, b.description)
  );
}

/** Sorted, without duplicates (by `ruleKey`; the first in that order wins). */
export function uniqueRules(rules: readonly CidrRule[]): CidrRule[] {
  const seen = new Set<string>();
  const out: CidrRule[] = [];
  for (const rule of [...rules].sort(compareRules)) {
    const key = ruleKey(rule);
    if (!seen.has(key)) {
      seen.add(key);
      out.push(rule);
    }
  }
  return out;
}

/**
 * The rule as an EC2 SDK v3 `IpPermission` with exactly one CIDR. Ports appear only when the rule has
 * them. The CIDR's description is carried only when asked (authorize: nothing is lost); revoke entries
 * leave it out, since EC2 matches a revocation without it.
 */
export function toIpPermission(rule: CidrRule, withDescription: boolean): IpPermission {
  const permission: IpPermission = { IpProtocol: rule.ipProtocol };
  if (rule.fromPort !== undefined) permission.FromPort = rule.fromPort;
  if (rule.toPort !== undefined) permission.ToPort = rule.toPort;
  const description =
    withDescription && rule.description !== undefined ? { Description: rule.description } : {};
  if (rule.family === 'ipv4') permission.IpRanges = [{ CidrIp: rule.cidr, ...description }];
  else permission.Ipv6Ranges = [{ CidrIpv6: rule.cidr, ...description }];
  return permission;
}
