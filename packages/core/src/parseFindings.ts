import { z } from 'zod';
import { parseOrFail } from './describeIssue.js';
import { MalformedAlertError } from './errors.js';
import type { Finding } from './finding.js';
import { parseEvidentDocument } from './sources/parseEvident.js';

/** An SNS notification envelope (raw message delivery off): the finding is `Message`, as a string. */
const snsEnvelopeSchema = z.compile(
  z.object({
    Type: z.literal('Notification', { error: 'expected "Notification"' }),
    Message: z.string({ error: 'expected a string (the alert as JSON)' }),
  }),
);

/**
 * Reads one queue message as the findings it carries, whatever the posture tool: a JSON string (an SQS
 * body) or an already parsed value, raw or inside an SNS notification envelope. The message's shape says
 * which source sent it; no configuration. Anything the hub cannot read is one `MalformedAlertError`
 * whose one-line message names the field.
 */
export function parseFindings(input: unknown): Finding[] {
  const parsed = typeof input === 'string' ? parseJson(input, 'message') : input;
  const document = isEnvelope(parsed) ? openEnvelope(parsed) : parsed;
  // Evident is the default: a document of no known shape is told what an Evident alert needs.
  return [parseEvidentDocument(document)];
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
