import * as z from 'zod';
import { compileOnFirstParse } from './compileOnFirstParse.js';
import { parseOrFail } from './describeIssue.js';
import { MalformedAlertError } from './errors.js';
import type { Finding, FindingKey, Source } from './finding.js';
import { parseEvidentDocument, peekEvidentKey } from './sources/parseEvident.js';
import {
  looksLikePrismaCloudAlert,
  parsePrismaCloudAlert,
  peekPrismaCloudKey,
} from './sources/parsePrismaCloud.js';
import { looksLikeScanFinding, parseScanFinding, peekScanKey } from './sources/parseScanFinding.js';
import {
  looksLikeSecurityHubEvent,
  looksLikeSecurityHubFinding,
  parseSecurityHubFinding,
  peekSecurityHubKey,
  securityHubEventFindings,
} from './sources/parseSecurityHub.js';

/** A finding the message carries that the hub cannot read: it is `rejected` on its own, with the error. */
export interface UnreadableFinding {
  /** The source the message's shape points to, where it points to one. */
  source: Source | undefined;
  /**
   * Its ledger key, when an id and status of a safe shape could still be read; else the caller keys it (by the
   * message id and, for a message of several findings, the finding's place in the returned list).
   */
  key: FindingKey | undefined;
  error: MalformedAlertError;
}

/** One finding of a message: read, or not readable (and why). */
export type ReadFinding =
  | { finding: Finding; unreadable?: undefined }
  | { finding?: undefined; unreadable: UnreadableFinding };

/** An SNS notification envelope (raw message delivery off): the finding is `Message`, as a string. */
const snsEnvelopeSchema = compileOnFirstParse(
  z.object({
    Type: z.literal('Notification', { error: 'expected "Notification"' }),
    Message: z.string({ error: 'expected a string (the alert as JSON)' }),
  }),
);

/**
 * Reads one queue message as the findings it carries, whatever the posture tool: a JSON string (an SQS body) or
 * an already parsed value, raw or inside an SNS notification envelope. The message's shape says which source
 * sent it, with no configuration, in this order:
 * 1. an EventBridge event of Security Hub (`detail-type` "Security Hub Findings - Imported", `source`
 *    "aws.securityhub", or a `detail.findings` list): one entry per finding, each read on its own, so that one
 *    bad finding spoils none of the others;
 * 2. a bare Security Hub finding (ASFF, with its `SchemaVersion`), as an operator replays one;
 * 3. a Prisma Cloud alert (`alertId` with `policyId` or `alertStatus`, no `data`);
 * 4. a finding of the hub's own scan (`remediation-hub scan --remediate`), by its marker;
 * 5. else an Evident alert: a document of no known shape is told what an Evident alert needs.
 *
 * Never throws for bad input: a message or finding the hub cannot read comes back as `unreadable`, its
 * `MalformedAlertError` one line that names the field, so that every finding of a message ends as a record of
 * its own. The list is never empty.
 */
export function parseFindings(input: unknown): ReadFinding[] {
  let document: unknown;
  try {
    const parsed = typeof input === 'string' ? parseJson(input, 'message') : input;
    document = isEnvelope(parsed) ? openEnvelope(parsed) : parsed;
  } catch (error) {
    return [unreadable(undefined, undefined, error)];
  }

  if (looksLikeSecurityHubEvent(document)) {
    let findings: unknown[];
    try {
      findings = securityHubEventFindings(document);
    } catch (error) {
      return [unreadable('security-hub', undefined, error)];
    }
    return findings.map((finding, index) =>
      read(
        'security-hub',
        () => parseSecurityHubFinding(finding, `detail.findings[${index}]`),
        () => peekSecurityHubKey(finding),
      ),
    );
  }
  if (looksLikeSecurityHubFinding(document)) {
    return [
      read(
        'security-hub',
        () => parseSecurityHubFinding(document),
        () => peekSecurityHubKey(document),
      ),
    ];
  }
  if (looksLikePrismaCloudAlert(document)) {
    return [
      read(
        'prisma-cloud',
        () => parsePrismaCloudAlert(document),
        () => peekPrismaCloudKey(document),
      ),
    ];
  }
  if (looksLikeScanFinding(document)) {
    return [
      read(
        'scan',
        () => parseScanFinding(document),
        () => peekScanKey(document),
      ),
    ];
  }
  return [
    read(
      'evident',
      () => parseEvidentDocument(document),
      () => peekEvidentKey(document),
    ),
  ];
}

/** One finding, read by its source's parser; a refused one keyed where its id can still be read. */
function read(source: Source, parse: () => Finding, peek: () => FindingKey | undefined): ReadFinding {
  try {
    return { finding: parse() };
  } catch (error) {
    return unreadable(source, peek(), error);
  }
}

/**
 * A finding the parser refused. A document that breaks the parser in another way (a `RangeError` from a value
 * nested too deeply, ...) is malformed just the same: it would break it on every delivery.
 */
function unreadable(source: Source | undefined, key: FindingKey | undefined, error: unknown): ReadFinding {
  const malformed =
    error instanceof MalformedAlertError
      ? error
      : new MalformedAlertError(
          `document: could not be read (${error instanceof Error ? `${error.name}: ${error.message}` : String(error)})`,
          { field: 'document', cause: error },
        );
  return { unreadable: { source, key, error: malformed } };
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
  const { Message } = parseOrFail(snsEnvelopeSchema, envelope, '', 'document', (field, message) => {
    throw new MalformedAlertError(message, { field });
  });
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
