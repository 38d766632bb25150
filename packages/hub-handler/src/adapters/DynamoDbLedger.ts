import { randomUUID } from 'node:crypto';
import type { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import {
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  type QueryCommandInput,
  ScanCommand,
  type ScanCommandInput,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import {
  type ClaimRequest,
  type ClaimResult,
  DEFAULT_RETENTION_DAYS,
  decideClaim,
  firstClaim,
  LEDGER_TABLE,
  LeaseContentionError,
  type Ledger,
  type LedgerIndexName,
  type LedgerQuery,
  type LedgerRecord,
  withPendingEvent,
} from '@remediation-hub/core';
import { awsErrorCode, mapAwsError } from './mapAwsError.js';
import { withoutUndefined } from './withoutUndefined.js';

export interface DynamoDbLedgerOptions {
  client: DynamoDBDocumentClient;
  tableName: string;
  /** Items expire (DynamoDB TTL on `expiresAt`) this many days after their last write. */
  retentionDays?: number;
  /**
   * The hub publishes outcome events: each completion is written with its event pending (core's
   * `withPendingEvent`), in the same write, so that no event is lost if the publish never happens.
   */
  outcomeEvents?: boolean;
}

/**
 * Optimistic concurrency: every write stores a fresh token, and a claim that takes over an existing item
 * is conditioned on the token it read. Internal; never part of a returned record.
 */
export const WRITE_TOKEN = 'writeToken';
const CONDITION_FAILED = 'ConditionalCheckFailedException';
const CLAIM_ROUNDS = 4;

const PK = LEDGER_TABLE.partitionKey.name;
const SK = LEDGER_TABLE.sortKey.name;

/** Which index serves a filter, most selective first. */
const INDEX_FOR_FILTER: ReadonlyArray<{
  filter: 'resourceId' | 'accountId' | 'outcome' | 'source';
  index: LedgerIndexName;
}> = [
  { filter: 'resourceId', index: 'byResource' },
  { filter: 'accountId', index: 'byAccount' },
  { filter: 'outcome', index: 'byOutcome' },
  { filter: 'source', index: 'bySource' },
];

/**
 * The ledger on one DynamoDB table (definition: core's `LEDGER_TABLE`): one item per alert notification,
 * the idempotency record (claim with a lease) and the audit record alike.
 */
export class DynamoDbLedger implements Ledger {
  readonly #client: DynamoDBDocumentClient;
  readonly #table: string;
  readonly #retentionSeconds: number;
  readonly #completion: (record: LedgerRecord) => LedgerRecord;

  constructor(options: DynamoDbLedgerOptions) {
    this.#client = options.client;
    this.#table = options.tableName;
    this.#retentionSeconds = (options.retentionDays ?? DEFAULT_RETENTION_DAYS) * 86_400;
    this.#completion = options.outcomeEvents ? withPendingEvent : (record) => record;
  }

  get tableName(): string {
    return this.#table;
  }

  /**
   * Claims a notification: creates it, or writes what core's `decideClaim` makes of the stored item (take over
   * an expired or released lease, or claim again a reclaimable completed outcome), conditioned on the item not
   * having changed since it was read (its write token). Any other completed item is a duplicate; a live lease
   * of another owner is contention. What is written is `request.write`'s record, built from the claimed one
   * (the attempt's checkpoint, or its completion when no EC2 change follows). The stored item is read from the
   * failed condition itself (`ReturnValuesOnConditionCheckFailure`): a first claim is one PutItem, a duplicate
   * or contention one PutItem, a takeover two. A GetItem follows only when the failure carries no item (an
   * emulator that does not return it, or an item deleted in between), never against DynamoDB itself.
   */
  async claim(request: ClaimRequest): Promise<ClaimResult> {
    const expiresAt = this.#expiresAt(request.now);
    const write = request.write ?? ((claimed: LedgerRecord) => claimed);
    let stored: Record<string, unknown> | undefined;
    for (let round = 0; round < CLAIM_ROUNDS; round++) {
      if (stored === undefined) {
        const fresh = write(firstClaim(request, expiresAt), 'first');
        const put = await this.#putIf(this.#asWritten(fresh), `attribute_not_exists(${PK})`, {});
        if (put.written) return { kind: 'claimed', record: fresh, takenOver: false, how: 'first' };
        stored = put.stored ?? (await this.#getItem(request.alertId, request.eventKey));
        // The item was there and is gone again (its TTL): claim it afresh.
        if (stored === undefined) continue;
      }
      const record = toRecord(stored);
      const decision = decideClaim(record, request, expiresAt);
      if (decision.kind !== 'claim') return { kind: decision.kind, record };
      const seen = stored[WRITE_TOKEN];
      const condition =
        typeof seen === 'string'
          ? `#token = :seen`
          : `attribute_exists(${PK}) AND attribute_not_exists(#token)`;
      const values = typeof seen === 'string' ? { ':seen': seen } : {};
      const claimed = write(decision.record, decision.how);
      const put = await this.#putIf(this.#asWritten(claimed), condition, values);
      if (put.written) {
        return {
          kind: 'claimed',
          record: claimed,
          takenOver: decision.how === 'take-over',
          how: decision.how,
        };
      }
      stored = put.stored ?? (await this.#getItem(request.alertId, request.eventKey));
    }
    throw new LeaseContentionError(
      `the ledger item ${request.alertId}/${request.eventKey} kept changing while it was being claimed`,
      { alertId: request.alertId },
    );
  }

  /**
   * Writes the record as this owner's last word on the attempt: `state: 'completed'` with an outcome, or
   * `state: 'in-progress'` with an error and `leaseExpiresAt` set to now (the lease released after a
   * retryable error, so the redelivery can claim it at once). Fails with `LeaseContentionError` when
   * another owner has taken the item over.
   */
  async complete(record: LedgerRecord): Promise<void> {
    const { written } = await this.#putIf(
      this.#asWritten(record),
      '#state = :inProgress AND leaseOwner = :owner',
      {
        ':inProgress': 'in-progress',
        ':owner': record.leaseOwner ?? '',
      },
    );
    if (!written) {
      throw new LeaseContentionError(
        `the lease on ${record.alertId}/${record.eventKey} is no longer held by ${record.leaseOwner ?? 'this worker'}`,
        { alertId: record.alertId, accountId: record.accountId, groupId: record.resourceId },
      );
    }
  }

  /**
   * Writes a terminal record that never had a claim; a second delivery of it counts as a duplicate. True
   * when this call wrote the record, false when it was there already.
   */
  async recordTerminal(record: LedgerRecord): Promise<boolean> {
    const { written } = await this.#putIf(
      this.#completion({
        ...record,
        expiresAt: record.expiresAt || this.#expiresAt(new Date(record.recordedAt)),
      }),
      `attribute_not_exists(${PK})`,
      {},
    );
    if (!written) await this.countDuplicate(record.alertId, record.eventKey, new Date(record.recordedAt));
    return written;
  }

  /**
   * Counts a duplicate delivery. With `delivery`, conditioned on it not being the last one counted: the SDK
   * sends an UpdateItem again when its answer is lost, and `ADD` is not idempotent.
   */
  async countDuplicate(alertId: string, eventKey: string, now: Date, delivery?: string): Promise<void> {
    const once = delivery === undefined ? '' : ' AND (attribute_not_exists(#last) OR #last <> :delivery)';
    try {
      await this.#client.send(
        new UpdateCommand({
          TableName: this.#table,
          Key: { [PK]: alertId, [SK]: eventKey },
          UpdateExpression: `ADD duplicateDeliveries :one SET lastDuplicateAt = :now, #token = :token${
            delivery === undefined ? '' : ', #last = :delivery'
          }`,
          ConditionExpression: `attribute_exists(${PK})${once}`,
          ExpressionAttributeNames: {
            '#token': WRITE_TOKEN,
            ...(delivery === undefined ? {} : { '#last': 'lastDuplicateDelivery' }),
          },
          ExpressionAttributeValues: {
            ':one': 1,
            ':now': now.toISOString(),
            ':token': randomUUID(),
            ...(delivery === undefined ? {} : { ':delivery': delivery }),
          },
        }),
      );
    } catch (error) {
      if (awsErrorCode(error) === CONDITION_FAILED) return;
      throw mapAwsError(error, `dynamodb:UpdateItem ${this.#table}`, { alertId });
    }
  }

  /** In-progress records whose lease expired before `now`, oldest lease first (the sparse `byLease` index). */
  async listExpiredLeases(now: Date, limit = 100): Promise<LedgerRecord[]> {
    const index = LEDGER_TABLE.globalSecondaryIndexes.find((i) => i.indexName === 'byLease');
    if (!index) throw new Error('index byLease is not in LEDGER_TABLE');
    return this.#collect(
      {
        TableName: this.#table,
        IndexName: index.indexName,
        KeyConditionExpression: '#pk = :inProgress AND #sk < :now',
        ExpressionAttributeNames: { '#pk': index.partitionKey.name, '#sk': index.sortKey.name },
        ExpressionAttributeValues: { ':inProgress': 'in-progress', ':now': now.getTime() },
        ScanIndexForward: true,
      },
      limit,
    );
  }

  async get(alertId: string, eventKey: string): Promise<LedgerRecord | undefined> {
    const item = await this.#getItem(alertId, eventKey);
    return item ? toRecord(item) : undefined;
  }

  /** Every item of one alert id (its notifications and undo events), in sort-key order. */
  async listByAlert(alertId: string): Promise<LedgerRecord[]> {
    const records: LedgerRecord[] = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await this.#send('Query', () =>
        this.#client.send(
          new QueryCommand({
            TableName: this.#table,
            KeyConditionExpression: '#pk = :pk',
            ExpressionAttributeNames: { '#pk': PK },
            ExpressionAttributeValues: { ':pk': alertId },
            ConsistentRead: true,
            ExclusiveStartKey: startKey,
          }),
        ),
      );
      for (const item of page.Items ?? []) records.push(toRecord(item));
      startKey = page.LastEvaluatedKey;
    } while (startKey);
    return records;
  }

  /**
   * Newest first. A filter on resource, account, outcome or source is served by its index (key condition on the
   * index, `recordedAt >= since` on its sort key, the other filters as a filter expression); only a query
   * without any of them scans the table.
   */
  async query(query: LedgerQuery): Promise<LedgerRecord[]> {
    const limit = query.limit ?? Number.POSITIVE_INFINITY;
    if (limit <= 0) return [];
    const choice = INDEX_FOR_FILTER.find(({ filter }) => query[filter] !== undefined);
    const names: Record<string, string> = {};
    const values: Record<string, unknown> = {};
    const filters: string[] = [];
    const addFilter = (attribute: string, value: unknown, operator = '='): void => {
      const n = `#f${filters.length}`;
      const v = `:f${filters.length}`;
      names[n] = attribute;
      values[v] = value;
      filters.push(`${n} ${operator} ${v}`);
    };
    for (const attribute of ['resourceId', 'accountId', 'outcome', 'source', 'region'] as const) {
      const value = query[attribute];
      if (value !== undefined && attribute !== choice?.filter) addFilter(attribute, value);
    }

    if (choice) {
      const indexKey = LEDGER_TABLE.globalSecondaryIndexes.find((i) => i.indexName === choice.index);
      if (!indexKey) throw new Error(`index ${choice.index} is not in LEDGER_TABLE`);
      names['#pk'] = indexKey.partitionKey.name;
      values[':pk'] = query[choice.filter];
      let keyCondition = '#pk = :pk';
      if (query.since) {
        names['#sk'] = indexKey.sortKey.name;
        values[':since'] = query.since.toISOString();
        keyCondition += ' AND #sk >= :since';
      }
      const input: QueryCommandInput = {
        TableName: this.#table,
        IndexName: choice.index,
        KeyConditionExpression: keyCondition,
        FilterExpression: filters.length > 0 ? filters.join(' AND ') : undefined,
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: values,
        ScanIndexForward: false,
      };
      return this.#collect(input, limit);
    }

    if (query.since) addFilter('recordedAt', query.since.toISOString(), '>=');
    const input: ScanCommandInput = {
      TableName: this.#table,
      FilterExpression: filters.length > 0 ? filters.join(' AND ') : undefined,
      ExpressionAttributeNames: filters.length > 0 ? names : undefined,
      ExpressionAttributeValues: filters.length > 0 ? values : undefined,
    };
    const records: LedgerRecord[] = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await this.#send('Scan', () =>
        this.#client.send(new ScanCommand({ ...input, ExclusiveStartKey: startKey })),
      );
      for (const item of page.Items ?? []) records.push(toRecord(item));
      startKey = page.LastEvaluatedKey;
    } while (startKey);
    records.sort((a, b) => (a.recordedAt < b.recordedAt ? 1 : a.recordedAt > b.recordedAt ? -1 : 0));
    return Number.isFinite(limit) ? records.slice(0, limit) : records;
  }

  /** Pages through an index query until `limit` records passed the filter or the index is exhausted. */
  async #collect(input: QueryCommandInput, limit: number): Promise<LedgerRecord[]> {
    const records: LedgerRecord[] = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      const remaining = limit - records.length;
      const pageSize = input.FilterExpression
        ? undefined
        : Number.isFinite(remaining)
          ? remaining
          : undefined;
      const page = await this.#send('Query', () =>
        this.#client.send(new QueryCommand({ ...input, Limit: pageSize, ExclusiveStartKey: startKey })),
      );
      for (const item of page.Items ?? []) {
        if (records.length >= limit) break;
        records.push(toRecord(item));
      }
      startKey = page.LastEvaluatedKey;
    } while (startKey && records.length < limit);
    return records;
  }

  async #getItem(alertId: string, eventKey: string): Promise<Record<string, unknown> | undefined> {
    const response = await this.#send('GetItem', () =>
      this.#client.send(
        new GetCommand({
          TableName: this.#table,
          Key: { [PK]: alertId, [SK]: eventKey },
          ConsistentRead: true,
        }),
      ),
    );
    return response.Item;
  }

  /**
   * A conditional PutItem. When the condition does not hold, nothing is written and DynamoDB returns the item as
   * it is (`stored`; absent when there is none, or when the emulator does not return it). A failure that
   * returns this write's own token is a try of it that was applied and whose answer was lost: written.
   */
  async #putIf(
    record: LedgerRecord,
    condition: string,
    values: Record<string, unknown>,
  ): Promise<{ written: true } | { written: false; stored: Record<string, unknown> | undefined }> {
    const item = { ...withoutUndefined(record), [WRITE_TOKEN]: randomUUID() };
    try {
      await this.#client.send(
        new PutCommand({
          TableName: this.#table,
          Item: item,
          ConditionExpression: condition,
          ExpressionAttributeNames: namesIn(condition),
          ExpressionAttributeValues: Object.keys(values).length > 0 ? values : undefined,
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
      return { written: true };
    } catch (error) {
      if (awsErrorCode(error) === CONDITION_FAILED) {
        const returned = (error as ConditionalCheckFailedException).Item;
        const stored = returned === undefined ? undefined : unmarshall(returned);
        // This very write, applied by a try whose answer was lost (the SDK sent it again): written.
        if (stored?.[WRITE_TOKEN] === item[WRITE_TOKEN]) return { written: true };
        return { written: false, stored };
      }
      throw mapAwsError(error, `dynamodb:PutItem ${this.#table}`, {
        alertId: record.alertId,
        accountId: record.accountId,
        groupId: record.resourceId,
      });
    }
  }

  /** A record as the table holds it: a completion without a lease, and with its event pending when events go out. */
  #asWritten(record: LedgerRecord): LedgerRecord {
    return record.state === 'completed' ? this.#completion({ ...record, leaseExpiresAt: undefined }) : record;
  }

  async #send<T>(operation: string, call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (error) {
      throw mapAwsError(error, `dynamodb:${operation} ${this.#table}`, {});
    }
  }

  #expiresAt(now: Date): number {
    return Math.floor(now.getTime() / 1000) + this.#retentionSeconds;
  }
}

function toRecord(item: Record<string, unknown>): LedgerRecord {
  const { [WRITE_TOKEN]: _token, ...rest } = item;
  return rest as unknown as LedgerRecord;
}

function namesIn(expression: string): Record<string, string> | undefined {
  const names: Record<string, string> = {};
  if (expression.includes('#state')) names['#state'] = 'state';
  if (expression.includes('#token')) names['#token'] = WRITE_TOKEN;
  return Object.keys(names).length > 0 ? names : undefined;
}
