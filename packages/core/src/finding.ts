import { notificationEventKey } from './ledgerRecord.js';

/** The posture tools whose findings the hub reads. The shape of a message says which sent it. */
export const SOURCES = ['evident'] as const;
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
  /** The values that are acted on, e.g. `['fail', 'warn']`. */
  actedOn: readonly string[];
}

/**
 * One finding about one security group, whatever the posture tool that raised it: what the hub needs to
 * decide, act and record. Produced by `parseFindings`.
 */
export interface Finding {
  source: Source;
  /** The source's id of the finding (Evident `data.id`): the ledger's partition key. */
  id: string;
  /**
   * Which notification of that finding this is (Evident: its status, so a `fail` and a later `pass` are two):
   * the ledger's sort key. A second delivery of the same notification has the same key; a new failure of
   * the same finding id has a new one.
   */
  eventKey: string;
  /** The source's own status word, as the operator knows it (`fail`, `pass`, ...). */
  status: string;
  /** Set when the source says the exposure is not there: the finding is `ignored`. */
  inactive: Inactive | undefined;
  /** The account the group is in: 12 digits. */
  accountId: string;
  /** The other places of the finding that name an account: a finding that names two is `rejected`. */
  accountClaims: readonly AccountClaim[];
  /** The AWS region of the group, e.g. `ap-northeast-1`. */
  region: string;
  /** The security group id (`sg-...`). */
  groupId: string;
  /** The check that failed: an Evident signature. */
  control: {
    /** `AWS:EC2-002` */
    id: string;
    /** The source's name for it. */
    name: string;
  };
  riskLevel: string | null;
  /** When the source first saw the exposure (ISO 8601), where it says; time-to-close starts there. */
  firstSeenAt: string | null;
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
