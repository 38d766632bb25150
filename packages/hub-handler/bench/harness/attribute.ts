/**
 * Which alert each recorded call was made for (pure). The hub's calls carry the alert's id (DynamoDB items and
 * keys, the outcome event) or its security group's id (EC2); AssumeRole is per account (the credentials cache
 * makes one per account, for whichever alert of it came first); SQS calls are per batch, the poller's.
 */
import type { RecordedCall } from './replayCall.js';

export interface Attributed<T> {
  /** Each alert's calls, in the order they were made. */
  byAlert: Map<string, T[]>;
  /** AssumeRole calls by the account of their role ARN. */
  assumeRoles: Map<string, T[]>;
  /** The poller's SQS calls. */
  sqs: T[];
  /** Anything else (none expected: reported, so that a change in the hub's calls cannot hide here). */
  other: T[];
}

const GROUP_ID = /sg-[0-9a-f]{8,17}/;
const ROLE_ACCOUNT = /^arn:[\w-]+:iam::(\d{12}):role\//;

/**
 * `alertIds` finds an alert id in a body (the ids a run makes share a pattern); `alertOfGroup` names the alert
 * of each security group (one group per alert). The first match in a body decides.
 */
export function attributeCalls<T extends RecordedCall>(
  calls: Iterable<T>,
  options: { alertIds: RegExp; alertOfGroup: ReadonlyMap<string, string> },
): Attributed<T> {
  const result: Attributed<T> = { byAlert: new Map(), assumeRoles: new Map(), sqs: [], other: [] };
  const push = <K>(map: Map<K, T[]>, key: K, call: T) => {
    const list = map.get(key);
    if (list) list.push(call);
    else map.set(key, [call]);
  };
  for (const call of calls) {
    if (call.service === 'sqs') {
      result.sqs.push(call);
      continue;
    }
    if (call.service === 'sts' && call.action === 'AssumeRole') {
      const account = ROLE_ACCOUNT.exec(call.params.RoleArn ?? '')?.[1];
      if (account !== undefined) {
        push(result.assumeRoles, account, call);
        continue;
      }
    }
    const alertId = alertIdIn(call, options);
    if (alertId === undefined) result.other.push(call);
    else push(result.byAlert, alertId, call);
  }
  return result;
}

function alertIdIn(
  call: RecordedCall,
  options: { alertIds: RegExp; alertOfGroup: ReadonlyMap<string, string> },
): string | undefined {
  const direct = options.alertIds.exec(call.body)?.[0];
  if (direct !== undefined) return direct;
  const group = GROUP_ID.exec(call.body)?.[0];
  return group === undefined ? undefined : options.alertOfGroup.get(group);
}
