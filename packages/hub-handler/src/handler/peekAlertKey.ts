import type { AlertKey } from '@remediation-hub/core';
import { readAlertDocument } from './readAlertDocument.js';

const SAFE_ID = /^[\w.:@/+=-]{1,256}$/;
const SAFE_STATUS = /^[\w-]{1,32}$/;

/**
 * The alert id and status of a message that `parseAlert` refused, when they can still be read (raw
 * document or SNS envelope), so its `rejected` record is keyed like any other notification. Only ids
 * and statuses of a safe shape are used; anything else is `undefined` and the caller keys the record
 * by the SQS message id.
 */
export function peekAlertKey(body: string): AlertKey | undefined {
  const value = readAlertDocument(body);
  const data = (value as { data?: { id?: unknown; attributes?: { status?: unknown } } } | undefined)?.data;
  const id = data?.id;
  if (typeof id !== 'string' || !SAFE_ID.test(id)) return undefined;
  const status = data?.attributes?.status;
  return { alertId: id, status: typeof status === 'string' && SAFE_STATUS.test(status) ? status : 'unknown' };
}
