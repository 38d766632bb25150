import { ACTIONABLE_STATUSES } from '../constants.js';
import { describeValue } from '../describeIssue.js';
import { type Finding, type FindingKey, safeKey } from '../finding.js';
import { notificationEventKey } from '../ledgerRecord.js';
import { regionFromEvidentCode } from '../regions.js';
import { check, fail, readableId } from './check.js';
import { alertDocumentSchema, IAM_ARN, INCLUDED_SCHEMAS, type IncludedType } from './evidentSchema.js';

const INCLUDED_TYPES = Object.keys(INCLUDED_SCHEMAS) as IncludedType[];

/**
 * Reads an Evident alert (the JSON:API document, already out of its SNS envelope) as a finding.
 *
 * Only what the hub reads is validated; unknown fields are fine. Anything wrong is a
 * `MalformedAlertError` whose one-line message names the field, e.g.
 * `included[external_accounts].attributes.account: expected 12 digits, got "12345"`.
 */
export function parseEvidentDocument(document: unknown): Finding {
  const alertId = peekAlertId(document);
  const { data, included } = check(alertDocumentSchema, document, '', alertId);
  const { id, attributes } = data;

  // One pass over `included`: every entry must be a typed object; each type the hub needs exactly once.
  const entries: Partial<Record<IncludedType, unknown>> = {};
  const counts: Partial<Record<IncludedType, number>> = {};
  for (let index = 0; index < included.length; index++) {
    const entry = included[index];
    if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) {
      fail(`included[${index}]`, `expected an object, got ${describeValue(entry)}`, alertId);
    }
    const type = (entry as { type?: unknown }).type;
    if (typeof type !== 'string') {
      fail(`included[${index}].type`, `expected a string, got ${describeValue(type)}`, alertId);
    }
    if (Object.hasOwn(INCLUDED_SCHEMAS, type)) {
      const known = type as IncludedType;
      entries[known] = entry;
      counts[known] = (counts[known] ?? 0) + 1;
    }
  }
  for (const type of INCLUDED_TYPES) {
    const count = counts[type] ?? 0;
    if (count !== 1) {
      fail(`included[${type}]`, `expected one entry of type "${type}", got ${count || 'none'}`, alertId);
    }
  }

  const account = check(
    INCLUDED_SCHEMAS.external_accounts,
    entries.external_accounts,
    'included[external_accounts]',
    alertId,
  ).attributes;
  const region = check(INCLUDED_SCHEMAS.regions, entries.regions, 'included[regions]', alertId).attributes;
  const signature = check(
    INCLUDED_SCHEMAS.signatures,
    entries.signatures,
    'included[signatures]',
    alertId,
  ).attributes;

  const status = attributes.status;
  return {
    source: 'evident',
    id,
    eventKey: notificationEventKey(status),
    status,
    inactive: ACTIONABLE_STATUSES.includes(status)
      ? undefined
      : { field: 'status', value: status, actedOn: ACTIONABLE_STATUSES },
    accountId: account.account,
    accountClaims: [
      {
        field: 'included[external_accounts].attributes.arn',
        // The schema matched IAM_ARN, so group 2 (the account) is there.
        accountId: IAM_ARN.exec(account.arn)?.[2] ?? '',
      },
    ],
    region: regionFromEvidentCode(region.code),
    groupId: attributes.resource,
    control: { id: signature.identifier, name: signature.name },
    riskLevel: attributes.risk_level ?? null,
    firstSeenAt: attributes.started_at ?? attributes.created_at ?? null,
  };
}

/** The key of an Evident document the parser refused, when its id and status can still be read. */
export function peekEvidentKey(document: unknown): FindingKey | undefined {
  const data = (document as { data?: { id?: unknown; attributes?: { status?: unknown } } } | null)?.data;
  return safeKey(data?.id, data?.attributes?.status);
}

/** `data.id` when it is usable, so that errors about the rest of the alert can name it. */
function peekAlertId(document: unknown): string | undefined {
  return readableId((document as { data?: { id?: unknown } } | null)?.data?.id);
}
