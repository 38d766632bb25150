import { describeValue } from '../describeIssue.js';
import type { AccountClaim, ControlParameters, Finding, FindingKey, Inactive } from '../finding.js';
import { safeKey } from '../finding.js';
import { normalizeRanges, type PortRange } from '../portRanges.js';
import { isAwsRegion } from '../regions.js';
import { CIS_1_2_RULE_CONTROLS } from '../securityHubControls.js';
import { check, fail, isRecord, readableId } from './check.js';
import {
  ASFF_TIME,
  IMPORTED_DETAIL_TYPE,
  SECURITY_GROUP_ARN,
  SECURITY_HUB_EVENT_SOURCE,
  type SecurityHubFinding,
  securityGroupResourceSchema,
  securityHubEventSchema,
  securityHubFindingSchema,
} from './securityHubSchema.js';

/**
 * AWS Security Hub findings (ASFF), as its EventBridge rule delivers them to SQS: an event of detail-type
 * "Security Hub Findings - Imported" whose `detail.findings` holds one finding or more. A bare ASFF finding (as
 * the console's "Finding JSON" shows it) is read too, so that an operator can replay one.
 *
 * Only the finding says which account and group it is about: the event's `account`, `region` and `resources`
 * are never read (for an aggregation region or an administrator account they name other things).
 */

/** An EventBridge event that says it is Security Hub's, or carries findings: it is read as one. */
export function looksLikeSecurityHubEvent(document: unknown): boolean {
  return (
    isRecord(document) &&
    (document['detail-type'] === IMPORTED_DETAIL_TYPE ||
      document.source === SECURITY_HUB_EVENT_SOURCE ||
      (isRecord(document.detail) && Array.isArray(document.detail.findings)))
  );
}

/** A bare ASFF finding: it carries the format's `SchemaVersion`. */
export function looksLikeSecurityHubFinding(document: unknown): boolean {
  return isRecord(document) && 'SchemaVersion' in document;
}

/** The event's findings, unread; an event the hub does not read is a `MalformedAlertError` naming the field. */
export function securityHubEventFindings(event: unknown): unknown[] {
  return check(securityHubEventSchema, event, '', undefined).detail.findings;
}

/** Compliance.Status acted on: only a failed check says the exposure is there. */
const FAILED: readonly string[] = ['FAILED'];
const ACTIVE: readonly string[] = ['ACTIVE'];
/** Workflow statuses acted on: a person suppressed or resolved the others. An absent workflow is `NEW`. */
const OPEN_WORKFLOW: readonly string[] = ['NEW', 'NOTIFIED'];

/** The ledger's sort key of a Security Hub notification (see `Finding.eventKey`). */
export function securityHubEventKey(status: string, updatedAt: string): string {
  return `${status}#${updatedAt}`;
}

/**
 * Reads one ASFF finding. `prefix` (`detail.findings[1]`) places its fields in the event for errors. Anything
 * wrong is a `MalformedAlertError` whose one-line message names the field, e.g.
 * `detail.findings[0].AwsAccountId: expected 12 digits, got "12345"`.
 */
export function parseSecurityHubFinding(document: unknown, prefix = ''): Finding {
  const path = (field: string): string => (prefix === '' ? field : `${prefix}.${field}`);
  const findingId = readableId((document as { Id?: unknown } | null)?.Id);
  const finding = check(securityHubFindingSchema, document, prefix, findingId);
  const { Id: id, Compliance: compliance } = finding;

  const { index, resource } = securityGroupResource(finding.Resources, path, id);
  const at = `Resources[${index}]`;
  // The schema matched SECURITY_GROUP_ARN: every group is there.
  const [, , arnRegion = '', arnAccount = '', arnGroup = ''] = SECURITY_GROUP_ARN.exec(resource.Id) ?? [];
  if (!isAwsRegion(arnRegion)) {
    fail(
      path(`${at}.Id`),
      `expected the ARN of a group in a known AWS region, got ${describeValue(resource.Id)}`,
      id,
    );
  }
  if (resource.Region != null && resource.Region !== arnRegion) {
    fail(
      path(`${at}.Region`),
      `expected the region of ${at}.Id (${arnRegion}), got ${describeValue(resource.Region)}`,
      id,
    );
  }
  const details = resource.Details?.AwsEc2SecurityGroup;
  if (details?.GroupId != null && details.GroupId !== arnGroup) {
    fail(
      path(`${at}.Details.AwsEc2SecurityGroup.GroupId`),
      `expected the group of ${at}.Id (${arnGroup}), got ${describeValue(details.GroupId)}`,
      id,
    );
  }
  const accountClaims: AccountClaim[] = [{ field: `${at}.Id`, accountId: arnAccount }];
  if (details?.OwnerId != null) {
    accountClaims.push({ field: `${at}.Details.AwsEc2SecurityGroup.OwnerId`, accountId: details.OwnerId });
  }

  const controlId = controlIdOf(finding, path);
  const parameters = readParameters(compliance.SecurityControlParameters, path('Compliance'), id);
  const name = finding.Title ?? controlId;
  const productArn = finding.ProductArn;
  return {
    source: 'security-hub',
    id,
    eventKey: securityHubEventKey(compliance.Status, finding.UpdatedAt),
    status: compliance.Status,
    inactive: inactiveOf(finding),
    accountId: finding.AwsAccountId,
    accountClaims,
    region: arnRegion,
    groupId: arnGroup,
    control: parameters === undefined ? { id: controlId, name } : { id: controlId, name, parameters },
    riskLevel: finding.Severity?.Label ?? null,
    firstSeenAt: finding.FirstObservedAt ?? finding.CreatedAt ?? null,
    // Without its ProductArn the finding is still remediated; it cannot be written back to (and the log says so).
    sourceRef:
      productArn == null ? undefined : { productArn, workflowStatus: finding.Workflow?.Status ?? 'NEW' },
  };
}

/** The key of a finding the parser refused, when its id, status and `UpdatedAt` can still be read. */
export function peekSecurityHubKey(document: unknown): FindingKey | undefined {
  const finding = document as { Id?: unknown; UpdatedAt?: unknown; Compliance?: { Status?: unknown } } | null;
  const updatedAt = finding?.UpdatedAt;
  const episode = typeof updatedAt === 'string' && ASFF_TIME.test(updatedAt) ? updatedAt : 'unknown';
  return safeKey(finding?.Id, finding?.Compliance?.Status, (status) => securityHubEventKey(status, episode));
}

/** The one `AwsEc2SecurityGroup` of `Resources`, checked. */
function securityGroupResource(resources: readonly unknown[], path: (field: string) => string, id: string) {
  let found: { index: number; value: unknown } | undefined;
  let count = 0;
  for (let index = 0; index < resources.length; index++) {
    const entry = resources[index];
    if (!isRecord(entry)) {
      fail(path(`Resources[${index}]`), `expected an object, got ${describeValue(entry)}`, id);
    }
    if (entry.Type === 'AwsEc2SecurityGroup') {
      count++;
      found ??= { index, value: entry };
    }
  }
  if (found === undefined || count > 1) {
    fail(
      path('Resources'),
      `expected one resource of Type AwsEc2SecurityGroup, got ${count === 0 ? 'none' : count}`,
      id,
    );
  }
  const resource = check(securityGroupResourceSchema, found.value, path(`Resources[${found.index}]`), id);
  return { index: found.index, resource };
}

/**
 * The control, named one of three ways: the consolidated `Compliance.SecurityControlId`; per standard
 * `ProductFields.ControlId` (FSBP, PCI); CIS 1.2.0's `ProductFields.RuleId`, mapped to its control (a rule that
 * maps to none is kept as `CIS 1.2.0 <rule>`, which the registry does not know: `unsupported`).
 */
function controlIdOf(finding: SecurityHubFinding, path: (field: string) => string): string {
  const consolidated = finding.Compliance.SecurityControlId ?? finding.ProductFields?.ControlId;
  if (consolidated != null) return consolidated;
  const rule = finding.ProductFields?.RuleId;
  if (rule != null) {
    return Object.hasOwn(CIS_1_2_RULE_CONTROLS, rule)
      ? (CIS_1_2_RULE_CONTROLS[rule] as string)
      : `CIS 1.2.0 ${rule}`;
  }
  return fail(
    path('Compliance.SecurityControlId'),
    'expected the control id (or ProductFields.ControlId, or the CIS 1.2.0 ProductFields.RuleId), got nothing',
    finding.Id,
  );
}

/** Why a finding is not acted on: its check passed, its record is archived, or a person closed it. */
function inactiveOf(finding: SecurityHubFinding): Inactive | undefined {
  const status = finding.Compliance.Status;
  if (status !== 'FAILED') return { field: 'Compliance.Status', value: status, actedOn: FAILED };
  if (finding.RecordState !== 'ACTIVE') {
    return { field: 'RecordState', value: finding.RecordState, actedOn: ACTIVE };
  }
  const workflow = finding.Workflow?.Status ?? 'NEW';
  if (!OPEN_WORKFLOW.includes(workflow)) {
    return { field: 'Workflow.Status', value: workflow, actedOn: OPEN_WORKFLOW };
  }
  return undefined;
}

/**
 * EC2.18's authorised ports from `SecurityControlParameters`: `[{"Name": "authorizedTcpPorts", "Value": ["80",
 * "443"]}]`. A parameter that is absent keeps the control's default; one that is present with no value
 * authorises nothing. `undefined` when the finding carries neither. (On the hot path: field names are built
 * only to refuse a finding.)
 */
function readParameters(
  list: ReadonlyArray<{ Name: string; Value: string[] }> | null | undefined,
  prefix: string,
  id: string,
): ControlParameters | undefined {
  if (list == null) return undefined;
  let tcp: PortRange[] | undefined;
  let udp: PortRange[] | undefined;
  for (let index = 0; index < list.length; index++) {
    const { Name: name, Value: values } = list[index] as { Name: string; Value: string[] };
    const isTcp = name === 'authorizedTcpPorts';
    if (!isTcp && name !== 'authorizedUdpPorts') continue;
    const field = (): string => `${prefix}.SecurityControlParameters[${index}]`;
    if ((isTcp ? tcp : udp) !== undefined) {
      fail(`${field()}.Name`, `expected one parameter named ${name}, got another`, id);
    }
    const ports = parsePorts(values, (at) => `${field()}.Value[${at}]`, id);
    if (isTcp) tcp = ports;
    else udp = ports;
  }
  if (tcp === undefined && udp === undefined) return undefined;
  const parameters: ControlParameters = {};
  if (tcp !== undefined) parameters.authorizedTcpPorts = tcp;
  if (udp !== undefined) parameters.authorizedUdpPorts = udp;
  return parameters;
}

/** `80`, `1020-1025`: one port or an inclusive range, 0-65535. */
const PORT_OR_RANGE = /^(\d{1,5})(?:-(\d{1,5}))?$/;
const PORTS = 'expected ports such as "80" or "1020-1025", comma-separated';

/**
 * Ports as ASFF carries them: one string per value (`"80"`), though the AWS Config rule behind EC2.18 takes a
 * comma-separated list with ranges (`"443,1020-1025"`), and findings have been seen to carry it whole. Both are
 * read; empty pieces are skipped; anything else refuses the finding naming the value.
 */
function parsePorts(values: readonly string[], fieldOf: (index: number) => string, id: string): PortRange[] {
  const ranges: PortRange[] = [];
  for (let index = 0; index < values.length; index++) {
    const value = values[index] as string;
    const pieces = value.includes(',') ? value.split(',') : [value];
    for (const piece of pieces) {
      const text = piece.trim();
      if (text === '') continue;
      const match = PORT_OR_RANGE.exec(text);
      const from = Number(match?.[1]);
      const to = match?.[2] === undefined ? from : Number(match[2]);
      if (match === null || from > to || to > 65535) {
        fail(fieldOf(index), `${PORTS}, got ${describeValue(value)}`, id);
      }
      ranges.push({ from, to });
    }
  }
  return normalizeRanges(ranges);
}
