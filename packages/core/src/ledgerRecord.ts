import type { Decision, Outcome, RemediationMode, Strategy } from './constants.js';
import type { Source, SourceRef } from './finding.js';
import type { OutcomeEventDelivery, PENDING_EVENT } from './outcomeEventDelivery.js';
import type { Explanation } from './reasons.js';
import type { IpPermission } from './types.js';

export type RecordState = 'in-progress' | 'completed';

export interface RecordedError {
  /** The error class name, e.g. `AccessDeniedError`. */
  name: string;
  message: string;
  retryable: boolean;
  /** The AWS error code, when the error came from AWS. */
  code?: string | undefined;
}

/**
 * One ledger item: the idempotency record and the audit record of one alert notification
 * (or of one undo event). Attribute names are the DynamoDB attribute names.
 */
export interface LedgerRecord {
  /** `Finding.id` (Evident `data.id`, Security Hub `Id`, Prisma Cloud `alertId`); `unparsed:<SQS message id>` for a message that could not be parsed. */
  alertId: string;
  /** A notification's `Finding.eventKey` (Evident: its status); `undo#<status>#<iso time>` for an undo event. */
  eventKey: string;
  alertStatus: string;
  state: RecordState;
  outcome?: Outcome | undefined;
  /** ISO-8601 time of the last write; the sort key of every index. */
  recordedAt: string;
  /** TTL, epoch seconds. */
  expiresAt: number;

  /** The posture tool that raised the finding; absent on records from before the hub read other sources (Evident). */
  source?: Source | undefined;
  accountId?: string | undefined;
  region?: string | undefined;
  /** The security group id the finding is about (`byResource` index). */
  resourceId?: string | undefined;
  /** The control or signature that failed (`AWS:EC2-002`); the attribute keeps its first name for existing ledgers. */
  signature?: { identifier: string; name: string } | undefined;
  riskLevel?: string | null | undefined;
  /** `Finding.sourceRef`: what the source's write-back needs (Security Hub's `ProductArn`). */
  sourceRef?: SourceRef | undefined;
  /**
   * When the source first saw the exposure (`Finding.firstSeenAt`, ISO 8601), where it says: time-to-close
   * runs from here to the completion. Absent on records written before the hub kept it.
   */
  sourceFirstSeenAt?: string | null | undefined;

  mode?: RemediationMode | undefined;
  strategy?: Strategy | undefined;
  decision?: Decision | undefined;
  /** Why, as data: a reason code with its fields, and notes. Tests and subscribers read this. */
  explanation?: Explanation | undefined;
  /** `explanation` in English (`renderExplanation`), for people reading the audit trail. */
  reason?: string | undefined;
  /** What EC2 confirmed was revoked / authorised (empty in dry-run: see `plan`). */
  revoked: IpPermission[];
  authorized: IpPermission[];
  /**
   * The planner's revocations and authorisations, recorded whether or not they were applied (dry-run). On an
   * in-progress record, the checkpoint of an attempt that may have changed the group without recording it;
   * an attempt that releases its lease after a retryable error recorded exactly what it did and drops it.
   */
  plan?: { revoke: IpPermission[]; authorize: IpPermission[] } | undefined;
  /**
   * `narrow` re-authorizations an attempt planned for a rule it revoked but had not made when it released its
   * lease after a retryable error (its plan is dropped then): a later attempt says on the record they were
   * never made.
   */
  pendingReauthorizations?: IpPermission[] | undefined;
  /**
   * Changes an attempt sent whose outcome is unknown (the call failed with a retryable error: a reset, a 5xx),
   * kept until an attempt reads the group and counts them as the hub's when it finds them made.
   */
  inDoubt?: { revoke: IpPermission[]; authorize: IpPermission[] } | undefined;
  permissionsBefore?: IpPermission[] | undefined;
  permissionsAfter?: IpPermission[] | undefined;
  /** EC2 request ids of the mutating calls, to join with CloudTrail. */
  requestIds: string[];
  /** The member role the hub assumed. */
  roleArn?: string | undefined;

  attempts: number;
  /**
   * The outcome this notification had when it was claimed again after completing (a `failed`, or a
   * `dry-run` / `rejected` under an older configuration: `ClaimRequest.reclaimableOutcomes`).
   */
  previousOutcome?: Outcome | undefined;
  /** Deliveries of an already completed notification, counted rather than re-processed. */
  duplicateDeliveries?: number | undefined;
  /** ISO time of the last duplicate delivery. */
  lastDuplicateAt?: string | undefined;
  /** The last duplicate delivery counted (its lease owner), so an UpdateItem sent again is not counted twice. */
  lastDuplicateDelivery?: string | undefined;
  leaseOwner?: string | undefined;
  /** Epoch milliseconds. */
  leaseExpiresAt?: number | undefined;

  timings: {
    /** ISO time the first claim was made. */
    firstSeenAt: string;
    startedAt: string;
    completedAt?: string | undefined;
    durationMs?: number | undefined;
  };
  error?: RecordedError | undefined;

  /** On an undo event: the record it reverted. */
  revertOf?: { alertId: string; eventKey: string } | undefined;
  /** On a reverted remediation: the undo event's key. */
  revertedBy?: string | undefined;
  /** SQS message id of the delivery that completed this record. */
  messageId?: string | undefined;

  /**
   * Whether this completion's outcome event went out, when the hub publishes them (`OUTCOME_TOPIC_ARN`):
   * the completion write sets `pending`, a confirmed publish `sent` (see `outcomeEventDelivery.ts`).
   */
  outcomeEvent?: OutcomeEventDelivery | undefined;
  /**
   * `pending` while `outcomeEvent` is pending, absent otherwise: the key of the sparse `byPendingEvent` index
   * that `audit resend` queries (never a scan).
   */
  pendingEvent?: typeof PENDING_EVENT | undefined;
}

export function notificationEventKey(status: string): string {
  return status;
}

export function undoEventKey(status: string, at: Date): string {
  return `undo#${status}#${at.toISOString()}`;
}
