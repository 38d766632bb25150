import { randomUUID } from 'node:crypto';
import { type DynamoDBDocumentClient, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { LEDGER_TABLE, type LedgerRecord, OperationRefusedError } from '@remediation-hub/core';
import { awsErrorCode, mapAwsError } from '../adapters/mapAwsError.js';

export interface RecordRevertInput {
  client: DynamoDBDocumentClient;
  tableName: string;
  /** The remediation that was undone, as it was read. */
  original: LedgerRecord;
  /** The undo event (`outcome: 'reverted'`, `revertOf` pointing at the original). */
  event: LedgerRecord;
}

const PK = LEDGER_TABLE.partitionKey.name;
const SK = LEDGER_TABLE.sortKey.name;
/** The ledger adapter's optimistic-concurrency attribute; every write renews it. */
const WRITE_TOKEN = 'writeToken';

/**
 * `findUndoTarget`'s `changedTheGroup` as a condition: a completed `remediated` record, or a completed
 * `failed` one that revoked or authorized something before its error (a partial remediation).
 */
const CHANGED_THE_GROUP =
  '#state = :completed AND (#outcome = :remediated OR (#outcome = :failed AND (size(#revoked) > :zero OR size(#authorized) > :zero)))';
const CHANGED_THE_GROUP_NAMES = {
  '#state': 'state',
  '#outcome': 'outcome',
  '#revoked': 'revoked',
  '#authorized': 'authorized',
};
const CHANGED_THE_GROUP_VALUES = {
  ':completed': 'completed',
  ':remediated': 'remediated',
  ':failed': 'failed',
  ':zero': 0,
};

/**
 * Writes the undo event and marks the original remediation `revertedBy` that event, in one
 * TransactWriteItems: both or neither. The original is marked only while it is still a record that
 * changed the group (`remediated`, or `failed` part-way) without `revertedBy`, so two undos racing each other cannot both be recorded; the loser gets
 * an `OperationRefusedError`.
 */
export async function recordRevert({ client, tableName, original, event }: RecordRevertInput): Promise<void> {
  try {
    await client.send(
      new TransactWriteCommand({
        TransactItems: [
          {
            Put: {
              TableName: tableName,
              Item: { ...withoutUndefined(event), [WRITE_TOKEN]: randomUUID() },
              ConditionExpression: 'attribute_not_exists(#pk)',
              ExpressionAttributeNames: { '#pk': PK },
            },
          },
          {
            Update: {
              TableName: tableName,
              Key: { [PK]: original.alertId, [SK]: original.eventKey },
              UpdateExpression: 'SET revertedBy = :by, #token = :token',
              ConditionExpression: `attribute_exists(#pk) AND attribute_not_exists(revertedBy) AND ${CHANGED_THE_GROUP}`,
              ExpressionAttributeNames: { '#pk': PK, '#token': WRITE_TOKEN, ...CHANGED_THE_GROUP_NAMES },
              ExpressionAttributeValues: {
                ':by': event.eventKey,
                ':token': randomUUID(),
                ...CHANGED_THE_GROUP_VALUES,
              },
            },
          },
        ],
      }),
    );
  } catch (error) {
    if (awsErrorCode(error) === 'TransactionCanceledException' && isConditionFailure(error)) {
      throw new OperationRefusedError(
        `${original.alertId}/${original.eventKey} was undone by someone else while this undo ran; the security group changes were idempotent, the ledger keeps the other undo`,
        { alertId: original.alertId, accountId: original.accountId, groupId: original.resourceId },
      );
    }
    throw mapAwsError(error, `dynamodb:TransactWriteItems ${tableName}`, {
      alertId: original.alertId,
      accountId: original.accountId,
      groupId: original.resourceId,
    });
  }
}

function isConditionFailure(error: unknown): boolean {
  const reasons = (error as { CancellationReasons?: Array<{ Code?: string }> }).CancellationReasons;
  if (!Array.isArray(reasons) || reasons.length === 0) {
    return String((error as Error).message).includes('ConditionalCheckFailed');
  }
  return reasons.some((reason) => reason.Code === 'ConditionalCheckFailed');
}

function withoutUndefined<T>(value: T): T {
  if (Array.isArray(value)) return value.map((v) => withoutUndefined(v)) as T;
  if (value !== null && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) if (v !== undefined) out[k] = withoutUndefined(v);
    return out as T;
  }
  return value;
}
