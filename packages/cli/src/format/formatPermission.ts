import type { IpPermission } from '@remediation-hub/core';

export interface FormatOptions {
  /** Appends each source's rule description in quotes, when it has one. */
  descriptions?: boolean;
}

/**
 * One line per source of a permission: `tcp 22 from 0.0.0.0/0`, `all traffic from ::/0`,
 * `tcp 0-65535 from sg-0123 (group)`. Readable in a terminal and stable enough to diff.
 */
export function formatPermission(permission: IpPermission, options: FormatOptions = {}): string[] {
  const what = describeProtocolAndPorts(permission);
  const described = (source: string, description: string | undefined) =>
    options.descriptions && description ? `${source} ${JSON.stringify(description)}` : source;
  const sources = [
    ...(permission.IpRanges ?? []).map((r) => described(r.CidrIp ?? '?', r.Description)),
    ...(permission.Ipv6Ranges ?? []).map((r) => described(r.CidrIpv6 ?? '?', r.Description)),
    ...(permission.PrefixListIds ?? []).map((p) =>
      described(`${p.PrefixListId ?? '?'} (prefix list)`, p.Description),
    ),
    ...(permission.UserIdGroupPairs ?? []).map((g) =>
      described(`${g.GroupId ?? g.GroupName ?? '?'} (group)`, g.Description),
    ),
  ];
  if (sources.length === 0) return [`${what} from nothing`];
  return sources.map((source) => `${what} from ${source}`);
}

/** Every permission of a list, one line per source. */
export function formatPermissions(
  permissions: readonly IpPermission[] | undefined,
  options: FormatOptions = {},
): string[] {
  return (permissions ?? []).flatMap((permission) => formatPermission(permission, options));
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
