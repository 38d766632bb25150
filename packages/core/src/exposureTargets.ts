import type { AuthorizedPorts, ControlDefinition, WorldFamily } from './controls.js';
import type { ControlParameters } from './finding.js';
import { groupThousands } from './groupThousands.js';
import {
  complementRanges,
  countPorts,
  formatRange,
  normalizeRanges,
  overlapsRanges,
  type PortRange,
} from './portRanges.js';
import type { ReadPermission } from './readPermission.js';

/**
 * What one finding asks the hub to close, worked out from its control's row and the finding's parameters: the
 * tcp and udp ports (normalised ranges), ping, and the world CIDR families. The planner reads only this.
 */
export interface ExposureTargets {
  tcp: readonly PortRange[];
  udp: readonly PortRange[];
  /** ICMP echo request (ping). */
  echo: boolean;
  families: readonly WorldFamily[];
  /** The ports that stay open whatever the strategy (EC2.18's authorised ports); else `undefined`. */
  authorized: AuthorizedPorts | undefined;
  /** How reasons name the exposure: `tcp 22`, `tcp 20, 21, 22 … (24 ports)`, `tcp and udp ports other than tcp 80, 443`. */
  label: string;
  /** How reasons name the authorised ports (`tcp 80, 443`); `''` when there are none. */
  authorizedLabel: string;
}

/** ICMP types that answer a ping: echo request (8) and its ICMPv6 twin (128); -1 means every type. */
const ECHO_REQUEST = { icmp: 8, icmpv6: 128 } as const;

/** A listed control's targets do not depend on the finding: worked out once per row. */
const listedTargets = new WeakMap<ControlDefinition, ExposureTargets>();

/** The targets of a finding of `control`; `parameters` matter only to `all-but-authorized` controls. */
export function exposureTargets(
  control: ControlDefinition,
  parameters: ControlParameters | undefined,
): ExposureTargets {
  const spec = control.exposure;
  if (spec.kind === 'all-but-authorized') {
    const authorized: AuthorizedPorts = {
      tcp: normalizeRanges(parameters?.authorizedTcpPorts ?? spec.defaults.tcp),
      udp: normalizeRanges(parameters?.authorizedUdpPorts ?? spec.defaults.udp),
    };
    const authorizedLabel = protocolsLabel(authorized);
    return {
      tcp: complementRanges(authorized.tcp),
      udp: complementRanges(authorized.udp),
      echo: false,
      families: spec.families,
      authorized,
      label: authorizedLabel === '' ? 'tcp and udp ports' : `tcp and udp ports other than ${authorizedLabel}`,
      authorizedLabel,
    };
  }
  let targets = listedTargets.get(control);
  if (targets === undefined) {
    // The label names each port (EC2.19: `tcp 20, 21, 22 …`); the targets are merged ranges.
    const ports = (protocol: 'tcp' | 'udp'): PortRange[] => {
      const listed = spec.exposures.flatMap((e) =>
        e.kind === 'port' && e.protocol === protocol ? [e.port] : [],
      );
      return [...new Set(listed)].sort((a, b) => a - b).map((port) => ({ from: port, to: port }));
    };
    const listed = { tcp: ports('tcp'), udp: ports('udp') };
    const echo = spec.exposures.some((e) => e.kind === 'icmp-echo');
    const label = [protocolsLabel(listed), echo ? 'ping (ICMP echo)' : ''].filter((part) => part !== '');
    targets = {
      tcp: normalizeRanges(listed.tcp),
      udp: normalizeRanges(listed.udp),
      echo,
      families: spec.families,
      authorized: undefined,
      label: label.join(' and '),
      authorizedLabel: '',
    };
    listedTargets.set(control, targets);
  }
  return targets;
}

/**
 * Whether a world-open rule (already known to be of one of the control's families) opens a target. Protocol
 * `-1` opens every port of every protocol; a tcp/udp rule opens the ports of its range; an icmp/icmpv6 rule
 * opens ping when its type (`FromPort`) is echo request or -1 (type 3, path MTU discovery, is no exposure).
 */
export function opensTarget(rule: ReadPermission, targets: ExposureTargets): boolean {
  switch (rule.protocol) {
    case 'all':
      return targets.tcp.length > 0 || targets.udp.length > 0 || targets.echo;
    case 'tcp':
    case 'udp':
      // readPermission checked that a tcp/udp rule has both ports.
      return overlapsRanges(
        { from: rule.fromPort as number, to: rule.toPort as number },
        targets[rule.protocol],
      );
    case 'icmp':
    case 'icmpv6':
      return targets.echo && (rule.fromPort === -1 || rule.fromPort === ECHO_REQUEST[rule.protocol]);
    default:
      return false;
  }
}

/** More entries than this are shortened: `tcp 20, 21, 22 … (24 ports)`; ranges count their ports. */
const MAX_LISTED = 4;
const SHOWN_WHEN_SHORTENED = 3;

/** `tcp 22, 3389 and udp 53`; `''` for no ports. */
function protocolsLabel(ports: AuthorizedPorts): string {
  return (['tcp', 'udp'] as const)
    .filter((protocol) => ports[protocol].length > 0)
    .map((protocol) => `${protocol} ${rangesLabel(ports[protocol])}`)
    .join(' and ');
}

function rangesLabel(ranges: readonly PortRange[]): string {
  if (ranges.length <= MAX_LISTED) return ranges.map(formatRange).join(', ');
  const shown = ranges.slice(0, SHOWN_WHEN_SHORTENED).map(formatRange).join(', ');
  return `${shown} … (${groupThousands(countPorts(ranges))} ports)`;
}
