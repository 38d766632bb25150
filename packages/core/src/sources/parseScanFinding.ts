import { type ControlDefinition, scanControlId } from '../controls.js';
import { digestOf } from '../digest.js';
import type { Finding, FindingKey } from '../finding.js';
import { protocolOf } from '../permissionIdentity.js';
import type { IpPermission } from '../types.js';
import { check, isRecord } from './check.js';
import {
  SCAN_FINDING_MARKER,
  SCAN_FINDING_VERSION,
  type ScanFindingDocument,
  scanFindingSchema,
} from './scanSchema.js';

/**
 * The hub's own findings (`remediation-hub scan --remediate`). Keyed so that the ledger tells a still-open
 * exposure from a new one:
 * - id: `scan:<account>:<region>:<group>:<source>/<control>`, one per group and control, whatever the scan;
 * - eventKey: `open#<digest of the rules that expose it>` (`#<episode>` from the second episode): a second scan
 *   of the same open rules is the same notification (a duplicate) until the rules change, or until the exposure
 *   was closed and opened again (the scan then sends the next episode: `scanDecision`).
 */

/** A document that carries the scan finding's marker. */
export function looksLikeScanFinding(document: unknown): boolean {
  return isRecord(document) && SCAN_FINDING_MARKER in document;
}

/** The ledger id of a scan finding. */
export function scanFindingId(accountId: string, region: string, groupId: string, control: string): string {
  return `scan:${accountId}:${region}:${groupId}:${control}`;
}

/** The ledger sort key of a scan finding (see above): at most 5 + 16 + 5 bytes. */
export function scanEventKey(exposure: readonly string[], episode: number): string {
  const digest = digestOf([...new Set(exposure)].sort().join('\n'));
  return episode === 1 ? `open#${digest}` : `open#${digest}#${episode}`;
}

/** A planned revocation (one CIDR) as a scan names it: `tcp 22-22 0.0.0.0/0`, `-1 all ::/0`. */
export function exposureRule(permission: IpPermission): string {
  const cidr = permission.IpRanges?.[0]?.CidrIp ?? permission.Ipv6Ranges?.[0]?.CidrIpv6 ?? '';
  const protocol = protocolOf(permission.IpProtocol ?? '');
  if (protocol === 'all') return `-1 all ${cidr}`;
  return `${protocol} ${permission.FromPort ?? -1}-${permission.ToPort ?? -1} ${cidr}`;
}

export interface ScanFindingSpec {
  accountId: string;
  region: string;
  groupId: string;
  ownerId?: string | undefined;
  /** The registry row the exposure was found by. */
  control: Pick<ControlDefinition, 'source' | 'id' | 'service'>;
  /** What the plan revokes (`RemediationPlan.revoke`). */
  revoke: readonly IpPermission[];
  episode: number;
  scannedAt: Date;
}

/** The message `scan --remediate` sends for one exposure. */
export function scanFindingDocument(spec: ScanFindingSpec): ScanFindingDocument {
  return {
    [SCAN_FINDING_MARKER]: SCAN_FINDING_VERSION,
    accountId: spec.accountId,
    region: spec.region,
    groupId: spec.groupId,
    ...(spec.ownerId === undefined ? {} : { ownerId: spec.ownerId }),
    control: scanControlId(spec.control),
    controlName: spec.control.service,
    exposure: [...new Set(spec.revoke.map(exposureRule))].sort(),
    episode: spec.episode,
    scannedAt: spec.scannedAt.toISOString(),
  } as ScanFindingDocument;
}

/** Reads a scan finding; anything wrong is a `MalformedAlertError` naming the field. */
export function parseScanFinding(document: unknown): Finding {
  const scan = check(scanFindingSchema, document, '', undefined);
  return {
    source: 'scan',
    id: scanFindingId(scan.accountId, scan.region, scan.groupId, scan.control),
    eventKey: scanEventKey(scan.exposure, scan.episode),
    status: 'open',
    inactive: undefined,
    accountId: scan.accountId,
    accountClaims: scan.ownerId == null ? [] : [{ field: 'ownerId', accountId: scan.ownerId }],
    region: scan.region,
    groupId: scan.groupId,
    control: { id: scan.control, name: scan.controlName },
    riskLevel: null,
    firstSeenAt: scan.scannedAt,
  };
}

/** The key of a scan finding the parser refused, where its fields can still be read. */
export function peekScanKey(document: unknown): FindingKey | undefined {
  try {
    const finding = parseScanFinding(document);
    return { id: finding.id, eventKey: finding.eventKey, status: finding.status };
  } catch {
    return undefined;
  }
}
