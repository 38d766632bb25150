import type { ReadPermission } from './readPermission.js';
import type { Exposure } from './signatures.js';

/** ICMP types that answer a ping: echo request (8) and its ICMPv6 twin (128); -1 means every type. */
const ECHO_REQUEST = { icmp: 8, icmpv6: 128 } as const;

/**
 * Whether a permission opens a signature's exposure. Protocol `-1` opens everything. A tcp/udp
 * permission opens port P when `FromPort <= P <= ToPort`. For ping, an icmp/icmpv6 permission opens
 * it when its type (`FromPort`) is echo request or -1; other types (3, path MTU discovery) do not.
 */
export function exposes(permission: ReadPermission, exposure: Exposure): boolean {
  const { protocol, fromPort, toPort } = permission;
  if (protocol === 'all') return true;
  if (exposure.kind === 'port') {
    return (
      protocol === exposure.protocol &&
      fromPort !== undefined &&
      toPort !== undefined &&
      fromPort <= exposure.port &&
      exposure.port <= toPort
    );
  }
  return (
    (protocol === 'icmp' || protocol === 'icmpv6') && (fromPort === -1 || fromPort === ECHO_REQUEST[protocol])
  );
}

/** `tcp 22`, `ping (ICMP echo)`: how reasons name an exposure. */
export function exposureLabel(exposure: Exposure): string {
  return exposure.kind === 'port' ? `${exposure.protocol} ${exposure.port}` : 'ping (ICMP echo)';
}
