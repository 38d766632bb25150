import { notificationEventKey } from './ledgerRecord.js';
import type { PortRange } from './portRanges.js';

/**
 * The posture tools whose findings the hub reads, and `scan`: the hub's own findings, sent by
 * `remediation-hub scan --remediate` for exposures that were open before any tool raised an alert. The shape
 * of a message says which sent it.
 */
export const SOURCES = ['evident', 'security-hub', 'prisma-cloud', 'scan'] as const;
export type Source = (typeof SOURCES)[number];

/** Where a finding names an account other than its own account field; each must agree with `accountId`. */
export interface AccountClaim {
  /** The field that names it, e.g. `included[external_accounts].attributes.arn`. */
  field: string;
  accountId: string;
}

/** Why a finding is not acted on: the source says the exposure is not (or no longer) there. */
export interface Inactive {
  /** The field that says so, e.g. `status` or `Compliance.Status`. */
  field: string;
  value: string;
  /** The values that are acted on, e.g. `['fail', 'warn']`; none for a test message. */
  actedOn: readonly string[];
  /** The message is the source's integration test (Prisma Cloud's `Test Notification`), not a finding. */
  testMessage?: true | undefined;
}

/**
 * The settings of the check that the finding carries, where the control's outcome depends on them. Only
 * Security Hub EC2.18 has any: `Compliance.SecurityControlParameters`. A list that is absent means "the
 * control's default"; an empty list means "none".
 */
export interface ControlParameters {
  /** tcp ports authorised to be open to the world (`authorizedTcpPorts`), as normalised ranges. */
  authorizedTcpPorts?: readonly PortRange[] | undefined;
  /** udp ports authorised to be open to the world (`authorizedUdpPorts`), as normalised ranges. */
  authorizedUdpPorts?: readonly PortRange[] | undefined;
}

/**
 * What the hub needs to tell the source back about its finding, copied from the finding onto its ledger record.
 * Only Security Hub findings carry one: `BatchUpdateFindings` names a finding by `Id` and `ProductArn`.
 */
export interface SourceRef {
  /** The finding's `ProductArn` (`arn:aws:securityhub:<region>::product/aws/securityhub`), copied, never built. */
  productArn: string;
  /**
   * The finding's `Workflow.Status` as it arrived (`NEW` when absent): a failure is not written back to a finding
   * already `NOTIFIED` (the write would come back as another event of the same notification).
   */
  workflowStatus: string;
}

/**
 * One finding about one security group, whatever the posture tool that raised it: what the hub needs to
 * decide, act and record. Produced by `parseFindings`.
 */
export interface Finding {
  source: Source;
  /**
   * The source's id of the finding (Evident `data.id`, Security Hub `Id`, Prisma Cloud `alertId`): the ledger's
   * partition key. At most 1,024 UTF-8 bytes (DynamoDB allows 2,048 for a partition key).
   */
  id: string;
  /**
   * Which notification of that finding this is, the episode: the ledger's sort key. A second delivery of the
   * same notification has the same key; a new failure of the same finding id has a new one.
   * - Evident: its status (`fail`; a later `pass` is another), as existing ledgers key it.
   * - Security Hub: `<Compliance.Status>#<UpdatedAt>`. The provider moves `UpdatedAt` with every evaluation,
   *   and `BatchUpdateFindings` does not, so redeliveries and the events of the hub's own write-back stay
   *   duplicates while a re-opened finding (same `Id`) is a new notification.
   * - Prisma Cloud: `<alertStatus>#<lastSeen ?? firstSeen as ISO 8601>`, or `<alertStatus>` without either.
   * At most 64 bytes (DynamoDB allows 1,024 for a sort key).
   */
  eventKey: string;
  /** The source's own status word, as the operator knows it (`fail`, `FAILED`, `open`, ...). */
  status: string;
  /**
   * Set when the source says the exposure is not there: the finding is `ignored`. Only an inactive finding may
   * lack what follows: a test message carries `unknown` for the account, region and group it does not name.
   */
  inactive: Inactive | undefined;
  /** The account the group is in: 12 digits. */
  accountId: string;
  /**
   * The other places of the finding that name an account (Evident's role ARN, Security Hub's resource ARN,
   * Prisma Cloud's `resource.accountId`): a finding that names two is `rejected`.
   */
  accountClaims: readonly AccountClaim[];
  /** The AWS region of the group, e.g. `ap-northeast-1`. */
  region: string;
  /** The security group id (`sg-...`). */
  groupId: string;
  /** The check that failed: an Evident signature, a Security Hub control, a Prisma Cloud policy. */
  control: {
    /** The registry's id of it: `AWS:EC2-002`, `EC2.18`, a Prisma Cloud policy UUID. */
    id: string;
    /** The source's name for it (Evident's signature name, Security Hub's `Title`, Prisma's `policyName`). */
    name: string;
    /** The check's settings, where the finding carries any (Security Hub EC2.18's authorised ports). */
    parameters?: ControlParameters | undefined;
  };
  /** The source's severity word (`high`, `CRITICAL`), where it gives one. */
  riskLevel: string | null;
  /** When the source first saw the exposure (ISO 8601), where it says; time-to-close starts there. */
  firstSeenAt: string | null;
  /** What the source needs to hear back (Security Hub's `ProductArn`), where it says. */
  sourceRef?: SourceRef | undefined;
}

/** Where a finding's group lives, as the gateway needs it. */
export function targetOf(finding: Pick<Finding, 'accountId' | 'region' | 'groupId'>) {
  return { accountId: finding.accountId, region: finding.region, groupId: finding.groupId };
}

/** The ledger key of a finding, read safely from a document the parser refused. */
export interface FindingKey {
  id: string;
  eventKey: string;
  /** The source's status word, or `unknown`. */
  status: string;
}

/** A key read from a document that was refused: only ids and statuses of a safe shape are used. */
export function safeKey(
  id: unknown,
  status: unknown,
  eventKey = notificationEventKey,
): FindingKey | undefined {
  if (typeof id !== 'string' || !SAFE_ID.test(id)) return undefined;
  const word = typeof status === 'string' && SAFE_STATUS.test(status) ? status : 'unknown';
  return { id, eventKey: eventKey(word), status: word };
}

const SAFE_ID = /^[\w.:@/+=-]{1,256}$/;
const SAFE_STATUS = /^[\w-]{1,32}$/;
