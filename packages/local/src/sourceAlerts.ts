import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { EventBridgeEvent } from './securityHubEvents.js';

/** A sample document, loosely typed: the demo and tests change it freely. */
// biome-ignore lint/suspicious/noExplicitAny: a sample document is changed freely.
type Sample = Record<string, any>;

const samples = new Map<string, Sample>();
function sample(path: string): Sample {
  let loaded = samples.get(path);
  if (loaded === undefined) {
    loaded = JSON.parse(readFileSync(new URL(`../samples/${path}`, import.meta.url), 'utf8')) as Sample;
    samples.set(path, loaded);
  }
  return structuredClone(loaded);
}

/**
 * The three ways a Security Hub finding names its control, each from a sample of that form (copies of core's
 * fixtures): `consolidated` (`Compliance.SecurityControlId`, today's default), `per-standard` (FSBP's
 * `ProductFields.ControlId` only, the real 2021 sample) and `cis-1.2` (`ProductFields.RuleId` `4.1`/`4.2` only).
 */
export const SECURITY_HUB_FORMS = {
  consolidated: 'securityhub/ec2.18-consolidated.json',
  'per-standard': 'securityhub/ec2.19-fsbp.json',
  'cis-1.2': 'securityhub/cis-1.2-4.1.json',
} as const;
export type SecurityHubForm = keyof typeof SECURITY_HUB_FORMS;

export interface SecurityHubFindingSpec {
  form: SecurityHubForm;
  accountId: string;
  region: string;
  groupId: string;
  /** `EC2.19`, `EC2.18`, ...; for `cis-1.2` the rule, `4.1` or `4.2`. Default: the sample's. */
  control?: string;
  /** The finding's `Id` (default: a new one of the form's shape). Keep it to re-open the same finding. */
  id?: string;
  /** `UpdatedAt`, the episode (default: now). */
  updatedAt?: string;
  /** When Security Hub first saw the failure: `FirstObservedAt` and `CreatedAt` (default: the sample's). */
  firstSeenAt?: Date;
  /** `Compliance.SecurityControlParameters` (EC2.18's authorised ports), replacing the sample's. */
  parameters?: Array<{ Name: string; Value: string[] }>;
}

/** One ASFF finding about a group, from the sample of its form, with its identity and control set. */
export function makeSecurityHubFinding(spec: SecurityHubFindingSpec): Sample {
  const [finding] = sample(SECURITY_HUB_FORMS[spec.form]).detail.findings as Sample[];
  if (finding === undefined) throw new Error(`the ${spec.form} sample carries no finding`);
  const { accountId, region, groupId } = spec;
  const partition = 'aws';
  const uuid = randomUUID();
  const control = spec.control;
  if (spec.form === 'consolidated') {
    const id = control ?? finding.Compliance.SecurityControlId;
    finding.Compliance.SecurityControlId = id;
    finding.GeneratorId = `security-control/${id}`;
    finding.Id =
      spec.id ?? `arn:${partition}:securityhub:${region}:${accountId}:security-control/${id}/finding/${uuid}`;
  } else if (spec.form === 'per-standard') {
    const id = control ?? finding.ProductFields.ControlId;
    finding.ProductFields.ControlId = id;
    finding.GeneratorId = `aws-foundational-security-best-practices/v/1.0.0/${id}`;
    finding.Id =
      spec.id ??
      `arn:${partition}:securityhub:${region}:${accountId}:subscription/aws-foundational-security-best-practices/v/1.0.0/${id}/finding/${uuid}`;
  } else {
    const rule = control ?? finding.ProductFields.RuleId;
    finding.ProductFields.RuleId = rule;
    finding.GeneratorId = `arn:${partition}:securityhub:::ruleset/cis-aws-foundations-benchmark/v/1.2.0/rule/${rule}`;
    finding.Id =
      spec.id ??
      `arn:${partition}:securityhub:${region}:${accountId}:subscription/cis-aws-foundations-benchmark/v/1.2.0/${rule}/finding/${uuid}`;
  }
  if (spec.parameters !== undefined) finding.Compliance.SecurityControlParameters = spec.parameters;
  const now = new Date().toISOString();
  finding.UpdatedAt = spec.updatedAt ?? now;
  finding.LastObservedAt = finding.UpdatedAt;
  if (spec.firstSeenAt !== undefined) {
    finding.FirstObservedAt = spec.firstSeenAt.toISOString();
    finding.CreatedAt = finding.FirstObservedAt;
  }
  finding.AwsAccountId = accountId;
  finding.Region = region;
  finding.ProductArn = `arn:${partition}:securityhub:${region}::product/aws/securityhub`;
  const [resource] = finding.Resources as Sample[];
  if (resource === undefined) throw new Error(`the ${spec.form} sample has no resource`);
  resource.Id = `arn:${partition}:ec2:${region}:${accountId}:security-group/${groupId}`;
  resource.Region = region;
  const details = resource.Details?.AwsEc2SecurityGroup;
  // Security Hub's copy of the group is informational (and dropped above 240 KB): keep only who owns which group.
  if (details)
    resource.Details.AwsEc2SecurityGroup = {
      GroupId: groupId,
      OwnerId: accountId,
      GroupName: details.GroupName,
    };
  return finding;
}

/** The EventBridge event of these findings ("Security Hub Findings - Imported"), for `putEvents`. */
export function securityHubEvent(findings: Sample[]): EventBridgeEvent {
  return {
    version: '0',
    id: randomUUID(),
    'detail-type': 'Security Hub Findings - Imported',
    source: 'aws.securityhub',
    detail: { findings },
  };
}

export interface PrismaCloudAlertSpec {
  /** `P-<digits>`. */
  alertId: string;
  accountId: string;
  region: string;
  groupId: string;
  /** Default: the SSH policy, `617b9138-584b-4e8e-ad15-7fbabafbed1a`. */
  policyId?: string;
  policyName?: string;
  status?: 'open' | 'resolved' | 'dismissed' | 'snoozed';
  /** Epoch ms (default: now): `lastSeen`, the episode. */
  lastSeen?: number;
  /** When Prisma Cloud first saw it: `firstSeen` (default: the sample's, or `lastSeen` if later). */
  firstSeenAt?: Date;
}

/** A Prisma Cloud alert as its Amazon SQS integration sends it (the SQS body), about one group. */
export function makePrismaCloudAlert(spec: PrismaCloudAlertSpec): Sample {
  const alert = sample('prisma/ssh-open.json');
  alert.alertId = spec.alertId;
  alert.alertStatus = spec.status ?? 'open';
  alert.accountId = spec.accountId;
  alert.resourceRegionId = spec.region;
  alert.resourceId = spec.groupId;
  if (spec.policyId !== undefined) alert.policyId = spec.policyId;
  if (spec.policyName !== undefined) alert.policyName = spec.policyName;
  alert.lastSeen = spec.lastSeen ?? Date.now();
  alert.firstSeen = Math.min(spec.firstSeenAt?.getTime() ?? alert.firstSeen, alert.lastSeen);
  alert.resource.accountId = spec.accountId;
  alert.resource.regionId = spec.region;
  alert.resource.id = spec.groupId;
  alert.resource.data.groupId = spec.groupId;
  alert.resource.data.ownerId = spec.accountId;
  return alert;
}

/**
 * A test message of Prisma Cloud's SQS integration (`alertId` `T-0`, `sender` "Test Notification"; the body of
 * Palo Alto's own Lambda test event, since the body of the integration's Test button is not documented).
 */
export function prismaCloudTestMessage(): Sample {
  return sample('prisma/test-notification.json');
}
