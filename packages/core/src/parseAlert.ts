import type { z } from 'zod';
import type { Alert } from './alert.js';
import {
  alertDocumentSchema,
  IAM_ARN,
  INCLUDED_SCHEMAS,
  type IncludedType,
  snsEnvelopeSchema,
} from './alertSchema.js';
import { describeValue, parseOrFail } from './describeIssue.js';
import { MalformedAlertError } from './errors.js';
import { regionFromEvidentCode } from './regions.js';

const INCLUDED_TYPES = Object.keys(INCLUDED_SCHEMAS) as IncludedType[];

/**
 * Reads an Evident alert as the hub receives it: a JSON string (an SQS body) or an already parsed
 * value, either the JSON:API document itself (SNS raw message delivery) or an SNS notification
 * envelope whose `Message` is the document as a string.
 *
 * Only what the hub reads is validated; unknown fields are fine. Anything wrong is a
 * `MalformedAlertError` whose one-line message names the field, e.g.
 * `included[external_accounts].attributes.account: expected 12 digits, got "12345"`.
 */
export function parseAlert(input: unknown): Alert {
  const parsed = typeof input === 'string' ? parseJson(input, 'message') : input;
  const document = isEnvelope(parsed) ? openEnvelope(parsed) : parsed;

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

  return {
    id,
    status: attributes.status,
    accountId: account.account,
    externalAccountArn: account.arn,
    // The schema matched IAM_ARN, so group 2 (the account) is there.
    externalAccountArnAccountId: IAM_ARN.exec(account.arn)?.[2] ?? '',
    region: regionFromEvidentCode(region.code),
    securityGroupId: attributes.resource,
    signature: { identifier: signature.identifier, name: signature.name },
    riskLevel: attributes.risk_level ?? null,
    createdAt: attributes.created_at ?? null,
    startedAt: attributes.started_at ?? null,
    updatedAt: attributes.updated_at ?? null,
  };
}

/** `data.id` when it is usable, so that errors about the rest of the alert can name it. */
function peekAlertId(document: unknown): string | undefined {
  const id = (document as { data?: { id?: unknown } } | null)?.data?.id;
  return typeof id === 'string' && id !== '' ? id : undefined;
}

/** An SNS notification envelope: an object that is not a JSON:API document but has SNS's keys. */
function isEnvelope(value: unknown): value is Record<string, unknown> {
  return (
    typeof value === 'object' &&
    value !== null &&
    !Array.isArray(value) &&
    !('data' in value) &&
    ('Type' in value || 'Message' in value)
  );
}

function openEnvelope(envelope: Record<string, unknown>): unknown {
  const { Message } = check(snsEnvelopeSchema, envelope, '', undefined);
  return parseJson(Message, 'Message');
}

function parseJson(text: string, field: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new MalformedAlertError(`${field} is not JSON: ${reason.replace(/\s+/g, ' ')}`, {
      field,
      cause: error,
    });
  }
}

function check<T extends z.ZodType>(
  schema: T,
  value: unknown,
  prefix: string,
  alertId: string | undefined,
): z.output<T> {
  return parseOrFail(schema, value, prefix, 'document', (field, message) => {
    throw new MalformedAlertError(message, { field, alertId });
  });
}

function fail(field: string, problem: string, alertId: string | undefined): never {
  throw new MalformedAlertError(`${field}: ${problem}`, { field, alertId });
}
