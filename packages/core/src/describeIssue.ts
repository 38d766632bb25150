import type { z } from 'zod';

const MAX_VALUE_CHARS = 60;

/**
 * A received value as a short, one-line string: `"12345"`, `5`, `null`, `nothing` (absent). Never throws: a
 * value JSON cannot write (nested thousands of levels deep, which overflows the stack, or a cycle) is named by
 * its kind instead, so describing a bad value can never turn a malformed alert into a crash.
 */
export function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  let text: string;
  try {
    text = JSON.stringify(value) ?? String(value);
  } catch {
    text = Array.isArray(value)
      ? 'an array too deeply nested to show'
      : typeof value === 'object' && value !== null
        ? 'an object too deeply nested to show'
        : String(value);
  }
  if (text.length <= MAX_VALUE_CHARS) return text;
  // Never half of a surrogate pair (an emoji): a lone surrogate is not UTF-8, and the ledger write of the record
  // that carries this description would fail (the emulator answers 500), every time the message came back.
  const end = isHighSurrogate(text.charCodeAt(MAX_VALUE_CHARS - 1)) ? MAX_VALUE_CHARS - 1 : MAX_VALUE_CHARS;
  return `${text.slice(0, end)}…`;
}

function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}

const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/**
 * The text with every lone surrogate replaced by U+FFFD (`String.prototype.toWellFormed`, not in ES2023's
 * lib): a message that quotes the input (JSON.parse names the code unit it stopped at, half an emoji) must
 * still be UTF-8, or the ledger write of the record that carries it fails on every delivery.
 */
export function wellFormed(text: string): string {
  return text.replace(LONE_SURROGATE, '\ufffd');
}

/** `included[regions]` + `['attributes', 'code']` → `included[regions].attributes.code`. */
export function fieldPath(prefix: string, path: readonly PropertyKey[]): string {
  let out = prefix;
  for (const segment of path) {
    out += typeof segment === 'number' ? `[${segment}]` : `${out === '' ? '' : '.'}${String(segment)}`;
  }
  return out;
}

/**
 * One zod issue as `<field>: <what was expected>, got <what came>`. The schemas of the core give every
 * check an `expected ...` message; parse with `reportInput: true` so the received value is known.
 * `rootName` names the value itself when the issue is about the whole of it.
 */
export function describeIssue(
  prefix: string,
  issue: z.core.$ZodIssue,
  rootName: string,
): { field: string; message: string } {
  const field = fieldPath(prefix, issue.path) || rootName;
  return { field, message: `${field}: ${issue.message}, got ${describeValue(issue.input)}` };
}

/**
 * Parses `value` with `schema`, or calls `fail` with the field and message of the first issue.
 * The valid case takes zod's fast path; `reportInput` (which leaves it) is used only to describe a
 * failure, by parsing the invalid value a second time.
 */
export function parseOrFail<T extends z.ZodType>(
  schema: T,
  value: unknown,
  prefix: string,
  rootName: string,
  fail: (field: string, message: string) => never,
): z.output<T> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const detailed = schema.safeParse(value, { reportInput: true });
  const issue = (detailed.error ?? result.error).issues[0] as z.core.$ZodIssue;
  const { field, message } = describeIssue(prefix, issue, rootName);
  return fail(field, message);
}
