import type { RecordedError } from '@remediation-hub/core';
import type { AlertResult } from './processAlert.js';

/** The result of a message that goes back to the queue before anything about it could be read. */
export function sentBack(messageId: string, error: RecordedError): AlertResult {
  return {
    messageId,
    source: undefined,
    alertId: undefined,
    eventKey: undefined,
    accountId: undefined,
    region: undefined,
    groupId: undefined,
    outcome: 'retry',
    error,
    takenOver: false,
  };
}
