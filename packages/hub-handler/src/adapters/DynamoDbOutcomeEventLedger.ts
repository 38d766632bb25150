import { randomUUID } from 'node:crypto';
import {
  type DynamoDBDocumentClient,
  QueryCommand,
  type QueryCommandOutput,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import {
  LEDGER_TABLE,
  type LedgerRecord,
  type OutcomeEventDelivery,
  type OutcomeEventLedger,
  PENDING_EVENT,
  type RecordedError,
} from '@remediation-hub/core';
import { WRITE_TOKEN } from './DynamoDbLedger.js';
import { awsErrorCode, mapAwsError } from './mapAwsError.js';
import { withoutUndefined } from './withoutUndefined.js';

export interface DynamoDbOutcomeEventLedgerOptions {
  client: DynamoDBDocumentClient;
  tableName: string;
}

const PK = LEDGER_TABLE.partitionKey.name;
const SK = LEDGER_TABLE.sortKey.name;
const INDEX = 'byPendingEvent' satisfies (typeof LEDGER_TABLE.globalSecondaryIndexes)[number]['indexName'];
const CONDITION_FAILED = 'ConditionalCheckFailedException';

/**
 * The outcome-event side of the ledger table: one UpdateItem when an event went out (or a publish failed),
 * Queries of the sparse `byPendingEvent` index for `audit resend`. Each update writes a fresh write token, as
 * every ledger write does, so that a claim that read the item before conditions on the item as it is now.
 */
export class DynamoDbOutcomeEventLedger implements OutcomeEventLedger {
  readonly #client: DynamoDBDocumentClient;
  readonly #table: string;

  constructor(options: DynamoDbOutcomeEventLedgerOptions) {
    this.#client = options.client;
    this.#table = options.tableName;
  }

  async markSent(record: LedgerRecord, sent: { at: Date; messageId: string }): Promise<boolean> {
    const delivery: OutcomeEventDelivery = {
      state: 'sent',
      sentAt: sent.at.toISOString(),
      messageId: sent.messageId,
    };
    try {
      await this.#client.send(
        new UpdateCommand({
          TableName: this.#table,
          Key: { [PK]: record.alertId, [SK]: record.eventKey },
          UpdateExpression: 'SET outcomeEvent = :sent, #token = :token REMOVE pendingEvent',
          ConditionExpression: 'recordedAt = :recordedAt AND pendingEvent = :pending',
          ExpressionAttributeNames: { '#token': WRITE_TOKEN },
          ExpressionAttributeValues: {
            ':sent': withoutUndefined(delivery),
            ':token': randomUUID(),
            ':recordedAt': record.recordedAt,
            ':pending': PENDING_EVENT,
          },
        }),
      );
      return true;
    } catch (error) {
      if (awsErrorCode(error) === CONDITION_FAILED) return false;
      throw mapAwsError(error, `dynamodb:UpdateItem ${this.#table}`, { alertId: record.alertId });
    }
  }

  async markFailed(record: LedgerRecord, failure: { at: Date; error: RecordedError }): Promise<void> {
    try {
      await this.#client.send(
        new UpdateCommand({
          TableName: this.#table,
          Key: { [PK]: record.alertId, [SK]: record.eventKey },
          UpdateExpression:
            'SET outcomeEvent.failures = if_not_exists(outcomeEvent.failures, :zero) + :one, outcomeEvent.lastError = :error, outcomeEvent.lastFailedAt = :at, #token = :token',
          ConditionExpression: 'recordedAt = :recordedAt AND pendingEvent = :pending',
          ExpressionAttributeNames: { '#token': WRITE_TOKEN },
          ExpressionAttributeValues: {
            ':zero': 0,
            ':one': 1,
            ':error': withoutUndefined(failure.error),
            ':at': failure.at.toISOString(),
            ':token': randomUUID(),
            ':recordedAt': record.recordedAt,
            ':pending': PENDING_EVENT,
          },
        }),
      );
    } catch (error) {
      if (awsErrorCode(error) === CONDITION_FAILED) return;
      throw mapAwsError(error, `dynamodb:UpdateItem ${this.#table}`, { alertId: record.alertId });
    }
  }

  async listPending(query: {
    recordedBefore: Date;
    since?: Date | undefined;
    limit?: number | undefined;
  }): Promise<LedgerRecord[]> {
    const limit = query.limit ?? Number.POSITIVE_INFINITY;
    const values: Record<string, unknown> = {
      ':pending': PENDING_EVENT,
      ':before': query.recordedBefore.toISOString(),
    };
    let keyCondition = 'pendingEvent = :pending AND recordedAt <= :before';
    if (query.since !== undefined) {
      if (query.since > query.recordedBefore) return [];
      values[':since'] = query.since.toISOString();
      keyCondition = 'pendingEvent = :pending AND recordedAt BETWEEN :since AND :before';
    }
    const records: LedgerRecord[] = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      let page: QueryCommandOutput;
      try {
        page = await this.#client.send(
          new QueryCommand({
            TableName: this.#table,
            IndexName: INDEX,
            KeyConditionExpression: keyCondition,
            ExpressionAttributeValues: values,
            ScanIndexForward: true,
            ExclusiveStartKey: startKey,
          }),
        );
      } catch (error) {
        throw mapAwsError(error, `dynamodb:Query ${this.#table}/${INDEX}`, {});
      }
      for (const item of page.Items ?? []) {
        if (records.length >= limit) break;
        const { [WRITE_TOKEN]: _token, ...record } = item;
        records.push(record as unknown as LedgerRecord);
      }
      startKey = page.LastEvaluatedKey;
    } while (startKey && records.length < limit);
    return records;
  }
}
