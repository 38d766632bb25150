import type { z } from 'zod';
import { parseOrFail } from '../describeIssue.js';
import { MalformedAlertError } from '../errors.js';

/**
 * How every source's parser refuses a finding: a `MalformedAlertError` whose one-line message names the field
 * (`<prefix><path>: expected ..., got ...`), with the finding's id once it is readable.
 */

/** Parses `value` with a (compiled) schema, or refuses it naming the first field that is wrong. */
export function check<T extends z.ZodType>(
  schema: T,
  value: unknown,
  prefix: string,
  findingId: string | undefined,
): z.output<T> {
  return parseOrFail(schema, value, prefix, 'document', (field, message) => {
    throw new MalformedAlertError(message, { field, alertId: findingId });
  });
}

/** Refuses a finding: `<field>: <problem>`. */
export function fail(field: string, problem: string, findingId: string | undefined): never {
  throw new MalformedAlertError(`${field}: ${problem}`, { field, alertId: findingId });
}

/** A non-empty string id, so that errors about the rest of the finding can name it. */
export function readableId(id: unknown): string | undefined {
  return typeof id === 'string' && id !== '' ? id : undefined;
}

/** An object (not an array): what a shape test may look into. */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
