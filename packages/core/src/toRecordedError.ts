import { isRetryable } from './errors.js';
import type { RecordedError } from './ledgerRecord.js';

/**
 * What the ledger keeps of an error: its class name, message, whether it is retryable, and the AWS
 * (or Node) error code when there is one: the error's own `code`, else the name of an AWS SDK service
 * exception (it carries `$metadata`), looked for on the error and then on its `cause`.
 */
export function toRecordedError(error: unknown): RecordedError {
  const retryable = isRetryable(error);
  if (!(error instanceof Error)) {
    return { name: 'NonError', message: describeThrown(error), retryable };
  }
  const code = codeOf(error) ?? codeOf(error.cause);
  return {
    name: error.name,
    message: error.message,
    retryable,
    ...(code === undefined ? {} : { code }),
  };
}

function codeOf(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const { code, name, $metadata } = value as { code?: unknown; name?: unknown; $metadata?: unknown };
  if (typeof code === 'string' && code !== '') return code;
  if (typeof $metadata === 'object' && $metadata !== null && typeof name === 'string') return name;
  return undefined;
}

function describeThrown(value: unknown): string {
  if (typeof value === 'string') return value;
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}
