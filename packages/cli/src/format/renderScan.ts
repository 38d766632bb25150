import type { IpPermission } from '@remediation-hub/core';
import type { AccountScan, ScannedGroup } from '../operations/scanAccount.js';
import type { ScanExposureResult } from '../operations/sendScanFindings.js';
import { formatPermissions } from './formatPermission.js';
import { type Column, renderTable } from './renderTable.js';

export interface ScanReport {
  accountId: string;
  /** How the hub stands towards the account: what `--remediate` would lead to. */
  standing: 'remediate' | 'dry-run' | 'not-allowed';
  remediate: boolean;
  queueUrl: string | undefined;
  regions: AccountScan['regions'];
  regionSource: AccountScan['regionSource'];
  exposures: ScanExposureResult[];
  exemptions: Array<{
    region: string;
    groupId: string;
    groupName: string | undefined;
    kind: 'exempt' | 'expired' | 'invalid';
    tag: string;
    value: string;
    until: string | undefined;
    /** What the exemption leaves open now (for `exempt`). */
    leftOpen: IpPermission[];
  }>;
  left: Array<{
    region: string;
    groupId: string;
    groupName: string | undefined;
    why: 'no-control' | 'not-world';
    rules: IpPermission[];
  }>;
  unreadable: AccountScan['unreadable'];
  counts: {
    regions: number;
    skippedRegions: number;
    groups: number;
    exposures: number;
    sent: number;
    notSent: number;
  };
}

/** The report of a scan, for `--json` and for the table. */
export function scanReport(
  scan: AccountScan,
  exposures: ScanExposureResult[],
  context: Pick<ScanReport, 'standing' | 'remediate' | 'queueUrl'>,
): ScanReport {
  const exemptions: ScanReport['exemptions'] = [];
  const left: ScanReport['left'] = [];
  for (const group of scan.groups) {
    const where = { region: group.region, groupId: group.groupId, groupName: group.groupName };
    if (group.exemption !== undefined) {
      exemptions.push({
        ...where,
        kind: group.exemption.kind,
        tag: group.exemption.tag,
        value: group.exemption.value,
        until: group.exemption.kind === 'invalid' ? undefined : group.exemption.until,
        leftOpen: group.exempted.flatMap((exposure) => exposure.plan.revoke),
      });
    }
    if (group.uncovered.length > 0) left.push({ ...where, why: 'no-control', rules: group.uncovered });
    // Narrower sources are shown for the groups that have something to say about the world.
    if (group.notWorld.length > 0 && hasWorldRules(group))
      left.push({ ...where, why: 'not-world', rules: group.notWorld });
  }
  const sent = exposures.filter((e) => e.action?.sent === true).length;
  return {
    accountId: scan.accountId,
    ...context,
    regions: scan.regions,
    regionSource: scan.regionSource,
    exposures,
    exemptions,
    left,
    unreadable: scan.unreadable,
    counts: {
      regions: scan.regions.filter((r) => r.status === 'scanned').length,
      skippedRegions: scan.regions.filter((r) => r.status === 'skipped').length,
      groups: scan.groups.length + scan.unreadable.length,
      exposures: exposures.length,
      sent,
      notSent: exposures.filter((e) => e.action?.sent === false).length,
    },
  };
}

function hasWorldRules(group: ScannedGroup): boolean {
  return group.exposures.length + group.exempted.length + group.uncovered.length > 0;
}

const rules = (permissions: readonly IpPermission[]) => formatPermissions(permissions).join(', ');

const EXPOSURE_COLUMNS: Column<ScanExposureResult>[] = [
  { header: 'REGION', value: (e) => e.region },
  { header: 'GROUP', value: (e) => e.groupId },
  { header: 'NAME', value: (e) => e.groupName ?? '-' },
  { header: 'CONTROL', value: (e) => e.control },
  { header: 'WOULD REVOKE', value: (e) => rules(e.revoke) },
];

/** The scan for people: what the hub would revoke, what it leaves and why, and what `--remediate` did. */
export function renderScan(report: ScanReport): string {
  const out: string[] = [];
  const { counts } = report;
  const groupsExposed = new Set(report.exposures.map((e) => `${e.region} ${e.groupId}`)).size;
  out.push(
    `scan of ${report.accountId}: ${counts.regions} region${counts.regions === 1 ? '' : 's'}${
      counts.skippedRegions > 0 ? ` (${counts.skippedRegions} skipped)` : ''
    }, ${counts.groups} security group${counts.groups === 1 ? '' : 's'}, ${counts.exposures} exposure${
      counts.exposures === 1 ? '' : 's'
    } the hub would revoke in ${groupsExposed} group${groupsExposed === 1 ? '' : 's'}`,
  );
  out.push('');
  if (report.exposures.length > 0) {
    const columns = report.remediate
      ? [...EXPOSURE_COLUMNS, { header: 'SENT', value: (e: ScanExposureResult) => sentLabel(e) }]
      : EXPOSURE_COLUMNS;
    out.push(renderTable(columns, report.exposures));
    const authorized = report.exposures.filter((e) => e.authorize.length > 0);
    for (const e of authorized) {
      out.push(`  ${e.groupId} ${e.control}: would re-authorize ${rules(e.authorize)} (narrow)`);
    }
  } else {
    out.push('nothing the hub would revoke');
  }
  if (report.exemptions.length > 0) {
    out.push('');
    out.push('EXEMPTIONS');
    for (const x of report.exemptions) {
      out.push(`  ${x.region}  ${x.groupId}  ${x.groupName ?? '-'}  ${exemptionLabel(x)}`);
    }
  }
  if (report.left.length > 0) {
    out.push('');
    out.push('LEFT OPEN');
    for (const l of report.left) {
      const why =
        l.why === 'no-control' ? 'open to the world, no control covers it' : 'not world-open, never touched';
      out.push(`  ${l.region}  ${l.groupId}  ${l.groupName ?? '-'}  ${why}: ${rules(l.rules)}`);
    }
  }
  for (const u of report.unreadable) out.push(`  ${u.region}  ${u.groupId}  not planned: ${u.message}`);
  const skipped = report.regions.filter((r) => r.status === 'skipped');
  if (skipped.length > 0) {
    out.push('');
    out.push(`skipped regions: ${skipped.map((r) => `${r.region} (${r.reason})`).join(', ')}`);
  }
  out.push('');
  out.push(closing(report));
  return out.join('\n');
}

function exemptionLabel(x: ScanReport['exemptions'][number]): string {
  const tag = `${x.tag}=${x.value}`;
  if (x.kind === 'invalid') {
    return `${tag} is not an exemption (expected true or a date such as 2027-03-31): remediated like any other`;
  }
  if (x.kind === 'expired')
    return `${tag}: the exemption expired at the end of ${x.until} UTC: remediated like any other`;
  const open = x.leftOpen.length > 0 ? `, leaving open ${rules(x.leftOpen)}` : '';
  return `${tag}: exempt ${x.until === undefined ? 'with no end' : `until the end of ${x.until} UTC`}${open}`;
}

function sentLabel(e: ScanExposureResult): string {
  const action = e.action;
  if (action === undefined) return '-';
  if (action.sent) {
    return action.why === 'new'
      ? 'sent'
      : action.why === 'again'
        ? 'sent again'
        : `sent (reopened, episode ${action.episode})`;
  }
  if (action.why === 'undone') return `no: undone (${action.undoneBy ?? 'undo'}), not re-applied`;
  if (action.why === 'dry-run') return 'no: recorded dry-run, the account is still in dry-run';
  return 'no: being processed';
}

function closing(report: ScanReport): string {
  const standing =
    report.standing === 'not-allowed'
      ? `the hub does not act in ${report.accountId} (not on its allow-list)`
      : report.standing === 'dry-run'
        ? `the hub only plans in ${report.accountId} (dry-run)`
        : `the hub remediates in ${report.accountId}`;
  if (!report.remediate) {
    return `dry run: nothing was sent; ${standing}. \`--remediate\` sends one finding per exposure to the hub queue.`;
  }
  const { sent, notSent } = report.counts;
  if (sent === 0) {
    return `nothing new to send${notSent > 0 ? ` (${notSent} exposure${notSent === 1 ? '' : 's'} the hub has already)` : ''}; ${standing}.`;
  }
  return `sent ${sent} finding${sent === 1 ? '' : 's'} to ${report.queueUrl}${
    notSent > 0 ? ` (${notSent} not sent: the hub has them already)` : ''
  }; ${standing}. \`remediation-hub consume --once\` processes them.`;
}
