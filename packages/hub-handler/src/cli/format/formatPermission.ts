import type { IpPermission } from '@remediation-hub/core';

/**
 * One line per source of a permission: `tcp 22 from 0.0.0.0/0`, `all traffic from ::/0`,
 * `tcp 0-65535 from sg-0123 (group)`. Readable in a terminal and stable enough to diff.
 */
export function formatPermission(permission: IpPermission): string[] {
  const what = describeProtocolAndPorts(permission);
  const sources = [
    ...(permission.IpRanges ?? []).map((r) => r.CidrIp ?? '?'),
    ...(permission.Ipv6Ranges ?? []).map((r) => r.CidrIpv6 ?? '?'),
    ...(permission.PrefixListIds ?? []).map((p) => `${p.PrefixListId ?? '?'} (prefix list)`),
    ...(permission.UserIdGroupPairs ?? []).map((g) => `${g.GroupId ?? g.GroupName ?? '?'} (group)`),
  ];
  if (sources.length === 0) return [`${what} from nothing`];
  return sources.map((source) => `${what} from ${source}`);
}

/** Every permission of a list, one line per source. */
export function formatPermissions(permissions: readonly IpPermission[] | undefined): string[] {
  return (permissions ?? []).flatMap(formatPermission);
}

export function describeProtocolAndPorts(permission: IpPermission): string {
  const protocol = (permission.IpProtocol ?? '?').toLowerCase();
  const { FromPort: from, ToPort: to } = permission;
  if (protocol === '-1') return 'all traffic';
  if (protocol === 'icmp' || protocol === 'icmpv6' || protocol === '1' || protocol === '58') {
    const name = protocol === '58' || protocol === 'icmpv6' ? 'icmpv6' : 'icmp';
    if (from === undefined || from === -1) return `${name} all types`;
    return `${name} type ${from}${to !== undefined && to !== -1 ? ` code ${to}` : ''}`;
  }
  if (from === undefined || to === undefined) return protocol;
  return from === to ? `${protocol} ${from}` : `${protocol} ${from}-${to}`;
}
