import { MalformedSecurityGroupError } from './errors.js';
import type { IpPermission } from './types.js';

/** A protocol as the planner compares it: EC2 returns names or IANA numbers (`6` is tcp). */
export type ProtocolName = 'all' | 'tcp' | 'udp' | 'icmp' | 'icmpv6' | 'other';

/** An ingress permission whose protocol and ports have been checked. */
export interface ReadPermission {
  /** The permission's own `IpProtocol`, kept verbatim for revoke entries (EC2 matches exactly). */
  ipProtocol: string;
  protocol: ProtocolName;
  /** tcp/udp: first port; icmp/icmpv6: the type (-1 = all); `all`: absent or -1. */
  fromPort: number | undefined;
  /** tcp/udp: last port; icmp/icmpv6: the code (-1 = all). */
  toPort: number | undefined;
}

const PROTOCOLS: Readonly<Record<string, ProtocolName>> = {
  '-1': 'all',
  tcp: 'tcp',
  '6': 'tcp',
  udp: 'udp',
  '17': 'udp',
  icmp: 'icmp',
  '1': 'icmp',
  icmpv6: 'icmpv6',
  '58': 'icmpv6',
};

export function protocolName(ipProtocol: string): ProtocolName {
  return PROTOCOLS[ipProtocol.toLowerCase()] ?? 'other';
}

const isPort = (value: unknown): value is number =>
  typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= 65535;
const isIcmpNumber = (value: unknown): value is number =>
  typeof value === 'number' && Number.isInteger(value) && value >= -1 && value <= 255;

/**
 * Checks one ingress permission. A tcp/udp permission without both ports (or with ports out of order),
 * or an icmp permission without a type, is malformed: the planner refuses it rather than calling a
 * group compliant that it cannot read. `index` (its place in `IpPermissions`) names it in the message.
 */
export function readPermission(permission: IpPermission, index?: number, groupId?: string): ReadPermission {
  const { IpProtocol: ipProtocol, FromPort: fromPort, ToPort: toPort } = permission;
  if (typeof ipProtocol !== 'string' || ipProtocol === '') {
    return malformed(
      index,
      groupId,
      `IpProtocol: expected a protocol name or number, got ${JSON.stringify(ipProtocol)}`,
    );
  }
  const protocol = protocolName(ipProtocol);
  if (protocol === 'tcp' || protocol === 'udp') {
    if (!isPort(fromPort) || !isPort(toPort) || fromPort > toPort) {
      malformed(
        index,
        groupId,
        `${ipProtocol} permission needs FromPort and ToPort (0-65535, FromPort <= ToPort), got FromPort ${fromPort} and ToPort ${toPort}`,
      );
    }
  } else if (protocol === 'icmp' || protocol === 'icmpv6') {
    if (!isIcmpNumber(fromPort) || (toPort !== undefined && !isIcmpNumber(toPort))) {
      malformed(
        index,
        groupId,
        `${ipProtocol} permission needs an ICMP type in FromPort and a code in ToPort (each -1 to 255), got FromPort ${fromPort} and ToPort ${toPort}`,
      );
    }
  }
  return { ipProtocol, protocol, fromPort, toPort };
}

function malformed(index: number | undefined, groupId: string | undefined, problem: string): never {
  const where = index === undefined ? 'IpPermission' : `IpPermissions[${index}]`;
  throw new MalformedSecurityGroupError(`${where}: ${problem}`, { groupId });
}
