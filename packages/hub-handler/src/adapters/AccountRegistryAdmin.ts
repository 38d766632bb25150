import {
  type DynamoDBDocumentClient,
  GetCommand,
  QueryCommand,
  type QueryCommandInput,
  TransactWriteCommand,
} from '@aws-sdk/lib-dynamodb';
import {
  ACCOUNT_REGISTRY_TABLE,
  OperationRefusedError,
  type RegistryAuditEvent,
  type RegistryChangeRequest,
  type RegistryEntry,
  registryChange,
} from '@remediation-hub/core';
import { awsErrorCode, mapAwsError } from './mapAwsError.js';
import { withoutUndefined } from './withoutUndefined.js';

export interface AccountRegistryAdminOptions {
  client: DynamoDBDocumentClient;
  tableName: string;
}

/** The result of one change: what it was, and whether it changed anything. */
export interface RegistryChangeResult {
  accountId: string;
  changed: boolean;
  before: RegistryEntry | undefined;
  after: RegistryEntry | undefined;
  audit: RegistryAuditEvent | undefined;
}

const PK = ACCOUNT_REGISTRY_TABLE.partitionKey.name;
const SK = ACCOUNT_REGISTRY_TABLE.sortKey.name;
const INDEX = ACCOUNT_REGISTRY_TABLE.currentIndex;

/**
 * The account registry's writes and reports, for `remediation-hub accounts` (the hub function only reads the
 * registry, `DynamoDbAccountRegistry`). Every change writes the entry and its audit item (who, when, before and
 * after, the command) in one transaction, conditioned on the entry being as it was read: two operators changing the
 * same account at once cannot lose a change, and no change goes unaudited.
 */
export class AccountRegistryAdmin {
  readonly #client: DynamoDBDocumentClient;
  readonly #table: string;

  constructor(options: AccountRegistryAdminOptions) {
    this.#client = options.client;
    this.#table = options.tableName;
  }

  get tableName(): string {
    return this.#table;
  }

  /** Every current entry, by account id (the sparse `current` index: the audit items are not read). */
  async list(): Promise<RegistryEntry[]> {
    const items = await this.#queryAll({
      TableName: this.#table,
      IndexName: INDEX.indexName,
      KeyConditionExpression: '#registry = :accounts',
      ExpressionAttributeNames: { '#registry': INDEX.partitionKey.name },
      ExpressionAttributeValues: { ':accounts': INDEX.value },
    });
    return items.map(toEntry);
  }

  /** The account's current entry (a strongly consistent read). */
  async get(accountId: string): Promise<RegistryEntry | undefined> {
    try {
      const { Item } = await this.#client.send(
        new GetCommand({
          TableName: this.#table,
          Key: { [PK]: accountId, [SK]: ACCOUNT_REGISTRY_TABLE.currentEntry },
          ConsistentRead: true,
        }),
      );
      return Item === undefined ? undefined : toEntry(Item);
    } catch (error) {
      throw mapAwsError(error, `dynamodb:GetItem ${this.#table}`, { accountId });
    }
  }

  /** The account's changes, newest first. */
  async history(accountId: string, limit = 50): Promise<RegistryAuditEvent[]> {
    try {
      const { Items = [] } = await this.#client.send(
        new QueryCommand({
          TableName: this.#table,
          KeyConditionExpression: '#pk = :account AND begins_with(#sk, :audit)',
          ExpressionAttributeNames: { '#pk': PK, '#sk': SK },
          ExpressionAttributeValues: { ':account': accountId, ':audit': ACCOUNT_REGISTRY_TABLE.auditPrefix },
          ScanIndexForward: false,
          Limit: limit,
        }),
      );
      return Items.map(toAuditEvent);
    } catch (error) {
      throw mapAwsError(error, `dynamodb:Query ${this.#table}`, { accountId });
    }
  }

  /** Applies one change (nothing when it changes nothing) with its audit item, in one transaction. */
  async apply(request: RegistryChangeRequest): Promise<RegistryChangeResult> {
    const before = await this.get(request.accountId);
    const change = registryChange(before, request);
    if (change === undefined) {
      return { accountId: request.accountId, changed: false, before, after: before, audit: undefined };
    }
    const key = { [PK]: request.accountId, [SK]: ACCOUNT_REGISTRY_TABLE.currentEntry };
    const asRead: {
      ConditionExpression: string;
      ExpressionAttributeNames: Record<string, string>;
      ExpressionAttributeValues?: Record<string, unknown>;
    } =
      before === undefined
        ? { ConditionExpression: 'attribute_not_exists(#pk)', ExpressionAttributeNames: { '#pk': PK } }
        : {
            ConditionExpression: '#version = :version',
            ExpressionAttributeNames: { '#version': 'version' },
            ExpressionAttributeValues: { ':version': before.version },
          };
    const entryWrite =
      change.entry === undefined
        ? { Delete: { TableName: this.#table, Key: key, ...asRead } }
        : {
            Put: {
              TableName: this.#table,
              Item: withoutUndefined({ ...change.entry, ...key, [INDEX.partitionKey.name]: INDEX.value }),
              ...asRead,
            },
          };
    try {
      await this.#client.send(
        new TransactWriteCommand({
          TransactItems: [
            entryWrite,
            {
              Put: {
                TableName: this.#table,
                Item: withoutUndefined({ ...change.audit }),
                ConditionExpression: 'attribute_not_exists(#pk)',
                ExpressionAttributeNames: { '#pk': PK },
              },
            },
          ],
        }),
      );
    } catch (error) {
      if (awsErrorCode(error) === 'TransactionCanceledException') {
        throw new OperationRefusedError(
          `account ${request.accountId} changed in the registry while this change was made; nothing was written, run it again`,
          { accountId: request.accountId, cause: error },
        );
      }
      throw mapAwsError(error, `dynamodb:TransactWriteItems ${this.#table}`, {
        accountId: request.accountId,
      });
    }
    return {
      accountId: request.accountId,
      changed: true,
      before,
      after: change.entry,
      audit: change.audit,
    };
  }

  async #queryAll(input: QueryCommandInput): Promise<Record<string, unknown>[]> {
    const items: Record<string, unknown>[] = [];
    let startKey: Record<string, unknown> | undefined;
    try {
      do {
        const page = await this.#client.send(new QueryCommand({ ...input, ExclusiveStartKey: startKey }));
        items.push(...(page.Items ?? []));
        startKey = page.LastEvaluatedKey;
      } while (startKey !== undefined);
    } catch (error) {
      throw mapAwsError(error, `dynamodb:Query ${this.#table}`, {});
    }
    return items;
  }
}

function toEntry(item: Record<string, unknown>): RegistryEntry {
  return {
    accountId: String(item[PK]),
    standing: item.standing as RegistryEntry['standing'],
    note: typeof item.note === 'string' ? item.note : undefined,
    updatedAt: String(item.updatedAt),
    updatedBy: String(item.updatedBy),
    version: Number(item.version),
  };
}

function toAuditEvent(item: Record<string, unknown>): RegistryAuditEvent {
  return {
    accountId: String(item[PK]),
    entry: String(item[SK]),
    at: String(item.at),
    actor: String(item.actor),
    action: item.action as RegistryAuditEvent['action'],
    before: (item.before ?? null) as RegistryAuditEvent['before'],
    after: (item.after ?? null) as RegistryAuditEvent['after'],
    note: typeof item.note === 'string' ? item.note : undefined,
    command: String(item.command),
  };
}
