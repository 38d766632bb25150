import { keyOfPermission as keyOf } from './permissionIdentity.js';
import type { RemediationPlan } from './plan.js';
import type { IpPermission, SecurityGroup } from './types.js';

/**
 * The group as it is after the plan, computed as EC2 applies it: a revocation removes its CIDR from the
 * permission with the same protocol and ports (a permission left without any source disappears); an
 * authorization adds its CIDR to the permission with the same protocol and ports, or adds a permission.
 * Pure: the input group is not changed.
 */
export function applyPlan(
  group: SecurityGroup,
  plan: Pick<RemediationPlan, 'revoke' | 'authorize'>,
): SecurityGroup {
  let permissions: IpPermission[] = structuredClone(group.IpPermissions ?? []);

  for (const entry of plan.revoke) {
    const key = keyOf(entry);
    const v4 = new Set(entry.IpRanges?.map((range) => range.CidrIp));
    const v6 = new Set(entry.Ipv6Ranges?.map((range) => range.CidrIpv6));
    for (const permission of permissions) {
      if (keyOf(permission) !== key) continue;
      if (permission.IpRanges !== undefined) {
        permission.IpRanges = permission.IpRanges.filter((range) => !v4.has(range.CidrIp));
      }
      if (permission.Ipv6Ranges !== undefined) {
        permission.Ipv6Ranges = permission.Ipv6Ranges.filter((range) => !v6.has(range.CidrIpv6));
      }
    }
  }
  permissions = permissions.filter(hasSource);

  for (const entry of plan.authorize) {
    const key = keyOf(entry);
    const target = permissions.find((permission) => keyOf(permission) === key);
    if (target === undefined) {
      permissions.push(structuredClone(entry));
      continue;
    }
    for (const range of entry.IpRanges ?? []) {
      target.IpRanges ??= [];
      if (!target.IpRanges.some((r) => r.CidrIp === range.CidrIp)) target.IpRanges.push({ ...range });
    }
    for (const range of entry.Ipv6Ranges ?? []) {
      target.Ipv6Ranges ??= [];
      if (!target.Ipv6Ranges.some((r) => r.CidrIpv6 === range.CidrIpv6)) target.Ipv6Ranges.push({ ...range });
    }
  }

  const { IpPermissions: _before, ...rest } = group;
  return { ...structuredClone(rest), IpPermissions: permissions };
}

function hasSource(permission: IpPermission): boolean {
  return (
    (permission.IpRanges?.length ?? 0) +
      (permission.Ipv6Ranges?.length ?? 0) +
      (permission.PrefixListIds?.length ?? 0) +
      (permission.UserIdGroupPairs?.length ?? 0) >
    0
  );
}
