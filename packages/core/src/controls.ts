import type { Source } from './finding.js';
import type { PortRange } from './portRanges.js';
import { PRISMA_CLOUD_POLICIES } from './prismaCloudPolicies.js';
import { SECURITY_HUB_CONTROLS } from './securityHubControls.js';
import { type Exposure, SIGNATURES } from './signatures.js';

/** A family of world CIDRs: `ipv4` is `0.0.0.0/0`, `ipv6` is `::/0`. */
export type WorldFamily = 'ipv4' | 'ipv6';
export const BOTH_FAMILIES: readonly WorldFamily[] = ['ipv4', 'ipv6'];

/** The tcp and udp ports a control authorises to be open to the world. */
export interface AuthorizedPorts {
  tcp: readonly PortRange[];
  udp: readonly PortRange[];
}

/**
 * What a control asks the hub to close, as data:
 * - `listed`: these exposures (one port, several ports, ping), on the world CIDRs of these families;
 * - `all-but-authorized`: every tcp and udp port (and so protocol -1) open to the world except the authorised
 *   ones, which the finding carries (`Finding.control.parameters`; `defaults` when it carries none). Nothing
 *   authorised is ever closed, whatever the strategy.
 */
export type ExposureSpec =
  | { kind: 'listed'; exposures: readonly Exposure[]; families: readonly WorldFamily[] }
  | { kind: 'all-but-authorized'; defaults: AuthorizedPorts; families: readonly WorldFamily[] };

/** One row of the registry: a check of one source that the hub remediates. */
export interface ControlDefinition {
  source: Source;
  /** The source's id: Evident `AWS:EC2-002`, Security Hub `EC2.19`, a Prisma Cloud policy UUID. */
  id: string;
  /** A short name of what is exposed, for reasons: `SSH`, `high-risk ports`. */
  service: string;
  exposure: ExposureSpec;
}

/**
 * Every control the hub remediates, of every source. Data, not code paths: adding one is a row in the source's
 * table. Evident's rows are its signatures (`SIGNATURES`), each about both world CIDRs.
 */
export const CONTROLS: readonly ControlDefinition[] = [
  ...SIGNATURES.map(
    (signature): ControlDefinition => ({
      source: 'evident',
      id: signature.identifier,
      service: signature.service,
      exposure: { kind: 'listed', exposures: [signature.exposure], families: BOTH_FAMILIES },
    }),
  ),
  ...SECURITY_HUB_CONTROLS,
  ...PRISMA_CLOUD_POLICIES,
];

/** The id of a control in `scan` findings: the tool's and the control's, `evident/AWS:EC2-002`. */
export function scanControlId(control: Pick<ControlDefinition, 'source' | 'id'>): string {
  return `${control.source}/${control.id}`;
}

/**
 * The rows of the `scan` source: each control of `CONTROLS` again, under `scanControlId`, closing exactly what
 * that control closes. A finding of `remediation-hub scan` names the control its exposure was found by.
 */
export const SCAN_CONTROLS: readonly ControlDefinition[] = CONTROLS.map((control) => ({
  ...control,
  source: 'scan',
  id: scanControlId(control),
}));

/** One map per source: a lookup is two `get`s, with no key to build (the planner looks up every finding). */
const bySource = new Map<Source, Map<string, ControlDefinition>>();
for (const control of [...CONTROLS, ...SCAN_CONTROLS]) {
  let byId = bySource.get(control.source);
  if (byId === undefined) {
    byId = new Map();
    bySource.set(control.source, byId);
  }
  byId.set(control.id, control);
}

/** The registry row of a source's control, or `undefined` when the hub does not remediate it. */
export function findControl(source: Source, id: string): ControlDefinition | undefined {
  return bySource.get(source)?.get(id);
}
