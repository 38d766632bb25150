import { describeValue } from '../describeIssue.js';
import { type Finding, type FindingKey, safeKey } from '../finding.js';
import { isAwsRegion } from '../regions.js';
import { check, fail, isRecord, readableId } from './check.js';
import { ACCOUNT_ID, GROUP_ID } from './fields.js';
import {
  MAX_EPOCH_MS,
  PRISMA_ALERT_STATUSES,
  prismaCloudAlertSchema,
  TEST_ALERT_IDS,
  TEST_SENDER,
} from './prismaCloudSchema.js';

/**
 * Prisma Cloud alerts, as its Amazon SQS integration delivers them: the SQS body is the alert JSON itself
 * (`alertId`, `alertStatus`, `accountId`, `resourceRegionId`, `resourceId`, `policyId`, ...), never wrapped.
 */

/** An object with `alertId` and `policyId` or `alertStatus`, and no JSON:API `data`. */
export function looksLikePrismaCloudAlert(document: unknown): boolean {
  return (
    isRecord(document) &&
    'alertId' in document &&
    ('policyId' in document || 'alertStatus' in document) &&
    !('data' in document)
  );
}

/** Only an open alert says the exposure is there; resolved, dismissed and snoozed ones are `ignored`. */
const OPEN: readonly string[] = ['open'];

/** What a test message does not name. */
const UNKNOWN = 'unknown';

/** The ledger's sort key of a Prisma Cloud notification (see `Finding.eventKey`). */
export function prismaCloudEventKey(status: string, seen: number | null | undefined): string {
  return seen == null ? status : `${status}#${new Date(seen).toISOString()}`;
}

/**
 * Reads one Prisma Cloud alert. Anything wrong is a `MalformedAlertError` whose one-line message names the
 * field, e.g. `resource.accountId: expected 12 digits, got "12345"`. The integration's test message is read as
 * an inactive finding (so it is recorded `ignored` and never retried), whatever else it lacks.
 */
export function parsePrismaCloudAlert(document: unknown): Finding {
  const test = testMessageFinding(document);
  if (test !== undefined) return test;

  const alertId = readableId((document as { alertId?: unknown } | null)?.alertId);
  const alert = check(prismaCloudAlertSchema, document, '', alertId);
  const regionId = alert.resource.regionId;
  if (regionId != null && regionId !== alert.resourceRegionId) {
    // Acting in the wrong region would find no group there and record it gone: refuse instead.
    fail(
      'resource.regionId',
      `expected the region of resourceRegionId (${alert.resourceRegionId}), got ${describeValue(regionId)}`,
      alertId,
    );
  }
  const status = alert.alertStatus;
  return {
    source: 'prisma-cloud',
    id: alert.alertId,
    eventKey: prismaCloudEventKey(status, alert.lastSeen ?? alert.firstSeen),
    status,
    inactive: OPEN.includes(status) ? undefined : { field: 'alertStatus', value: status, actedOn: OPEN },
    accountId: alert.accountId,
    accountClaims: [{ field: 'resource.accountId', accountId: alert.resource.accountId }],
    region: alert.resourceRegionId,
    groupId: alert.resourceId,
    control: { id: alert.policyId, name: alert.policyName ?? alert.policyId },
    riskLevel: alert.severity ?? null,
    firstSeenAt: alert.firstSeen == null ? null : new Date(alert.firstSeen).toISOString(),
  };
}

/** The key of an alert the parser refused, when its id and status (and times) can still be read. */
export function peekPrismaCloudKey(document: unknown): FindingKey | undefined {
  const alert = document as { alertId?: unknown; alertStatus?: unknown } | null;
  return safeKey(alert?.alertId, alert?.alertStatus, (status) =>
    prismaCloudEventKey(status, seenOf(document)),
  );
}

/** `lastSeen ?? firstSeen`, where one of them is a usable time. */
function seenOf(document: unknown): number | undefined {
  const alert = document as { lastSeen?: unknown; firstSeen?: unknown } | null;
  return [alert?.lastSeen, alert?.firstSeen].find(isEpochMs);
}

const isEpochMs = (value: unknown): value is number =>
  typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= MAX_EPOCH_MS;

/**
 * The integration's test message, as an inactive finding; `undefined` for any other alert. A message is the test
 * when it says so (`sender` "Test Notification", or `alertId` `T-0` / `P-0`) and names no usable group: the
 * real body of Prisma's Test button is not documented, and a real alert about a group is never taken for it.
 * Fields it lacks (or gives in a shape the hub would refuse) are `unknown`; it names no account to cross-check.
 */
function testMessageFinding(document: unknown): Finding | undefined {
  if (!isRecord(document)) return undefined;
  const { sender, alertId, alertStatus, resourceId, accountId, resourceRegionId, policyId, policyName } =
    document;
  const bySender = sender === TEST_SENDER;
  const marked = bySender || (typeof alertId === 'string' && TEST_ALERT_IDS.includes(alertId));
  if (!marked || (typeof resourceId === 'string' && GROUP_ID.test(resourceId))) return undefined;
  const status = PRISMA_ALERT_STATUSES.some((known) => known === alertStatus)
    ? (alertStatus as string)
    : 'test';
  const key = safeKey(alertId, status, (word) => prismaCloudEventKey(word, seenOf(document)));
  // Without an id of a safe shape it is read as an alert, and refused naming alertId.
  if (key === undefined) return undefined;
  return {
    source: 'prisma-cloud',
    id: key.id,
    eventKey: key.eventKey,
    status: key.status,
    inactive: bySender
      ? { field: 'sender', value: TEST_SENDER, actedOn: [], testMessage: true }
      : { field: 'alertId', value: key.id, actedOn: [], testMessage: true },
    accountId: typeof accountId === 'string' && ACCOUNT_ID.test(accountId) ? accountId : UNKNOWN,
    accountClaims: [],
    region:
      typeof resourceRegionId === 'string' && isAwsRegion(resourceRegionId) ? resourceRegionId : UNKNOWN,
    groupId: UNKNOWN,
    control: {
      id: typeof policyId === 'string' && policyId !== '' && policyId.length <= 256 ? policyId : UNKNOWN,
      name: typeof policyName === 'string' ? policyName : TEST_SENDER,
    },
    riskLevel: null,
    firstSeenAt: null,
  };
}
