import type { CidrRule } from './cidrRule.js';
import { WORLD_IPV4, WORLD_IPV6 } from './constants.js';
import { readPermission } from './readPermission.js';
import type { IpPermission } from './types.js';

/** One (protocol, ports, world CIDR) fact: the permission lets the whole internet in on these ports. */
export type WorldExposure = CidrRule;

/**
 * Every world CIDR of every permission: `0.0.0.0/0` in `IpRanges`, `::/0` in `Ipv6Ranges` (equality,
 * not containment). Every permission is checked, so a malformed one is an error here, never skipped.
 */
export function worldExposures(
  permissions: readonly IpPermission[] | undefined,
  groupId?: string,
): WorldExposure[] {
  const exposures: WorldExposure[] = [];
  if (permissions === undefined) return exposures;
  for (let index = 0; index < permissions.length; index++) {
    const permission = permissions[index] as IpPermission;
    const { ipProtocol, protocol, fromPort, toPort } = readPermission(permission, index, groupId);
    // Object literals of one shape (no spread): this runs for every alert, on every permission.
    for (const range of permission.IpRanges ?? []) {
      if (range.CidrIp === WORLD_IPV4) {
        const description = range.Description;
        exposures.push({
          ipProtocol,
          protocol,
          fromPort,
          toPort,
          cidr: WORLD_IPV4,
          family: 'ipv4',
          description,
        });
      }
    }
    for (const range of permission.Ipv6Ranges ?? []) {
      if (range.CidrIpv6 === WORLD_IPV6) {
        const description = range.Description;
        exposures.push({
          ipProtocol,
          protocol,
          fromPort,
          toPort,
          cidr: WORLD_IPV6,
          family: 'ipv6',
          description,
        });
      }
    }
  }
  return exposures;
}
