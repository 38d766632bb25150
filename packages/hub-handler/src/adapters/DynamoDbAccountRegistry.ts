import { type DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import {
  ACCOUNT_REGISTRY_TABLE,
  AccountDirectoryUnavailableError,
  type Clock,
  REGISTRY_STANDINGS,
  type RegistryStanding,
} from '@remediation-hub/core';
import type { Logger } from '../logging/createLogger.js';
import { systemClock } from '../systemClock.js';
import { RefreshingCache } from './RefreshingCache.js';

export interface DynamoDbAccountRegistryOptions {
  client: DynamoDBDocumentClient;
  /** `ACCOUNT_REGISTRY_TABLE`. */
  tableName: string;
  /** `REGISTRY_CACHE_SECONDS`. */
  ttlSeconds: number;
  clock?: Clock;
  logger?: Logger;
}

/** What one read of the registry found. */
export interface RegistrySnapshot {
  standings: ReadonlyMap<string, RegistryStanding>;
  /** Query pages read. */
  pages: number;
}

/**
 * The account registry as the hub reads it: every current entry at once, from the table's sparse `current` index
 * (one paginated Query, about 1 MB per page, so 5,000 accounts are one or two pages), trusted for
 * `REGISTRY_CACHE_SECONDS` with one read in flight at a time. The hub only reads it; `remediation-hub accounts`
 * writes it (`AccountRegistryAdmin`). Fails closed: when it cannot be read and no read within the TTL is held,
 * `standing` throws a retryable `AccountDirectoryUnavailableError`.
 */
export class DynamoDbAccountRegistry {
  readonly #client: DynamoDBDocumentClient;
  readonly #table: string;
  readonly #cache: RefreshingCache<RegistrySnapshot>;
  #reads = 0;

  constructor(options: DynamoDbAccountRegistryOptions) {
    this.#client = options.client;
    this.#table = options.tableName;
    this.#cache = new RefreshingCache({
      load: () => this.#read(),
      ttlSeconds: options.ttlSeconds,
      clock: options.clock ?? systemClock,
      onBackgroundError: (error) =>
        options.logger?.warn({ err: error }, 'account registry: refreshing failed, retrying later'),
    });
  }

  /** The account's registry standing, `null` when the registry has no entry for it. */
  async standing(accountId: string): Promise<RegistryStanding | null> {
    return (await this.snapshot()).standings.get(accountId) ?? null;
  }

  async snapshot(): Promise<RegistrySnapshot> {
    try {
      return await this.#cache.get();
    } catch (error) {
      throw new AccountDirectoryUnavailableError(
        `cannot read the account registry ${this.#table}: ${error instanceof Error ? error.message : String(error)}`,
        { source: 'registry', cause: error },
      );
    }
  }

  /** Reads made so far. */
  get reads(): number {
    return this.#reads;
  }

  async #read(): Promise<RegistrySnapshot> {
    this.#reads++;
    const { currentIndex, partitionKey } = ACCOUNT_REGISTRY_TABLE;
    const standings = new Map<string, RegistryStanding>();
    let pages = 0;
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await this.#client.send(
        new QueryCommand({
          TableName: this.#table,
          IndexName: currentIndex.indexName,
          KeyConditionExpression: '#registry = :accounts',
          ExpressionAttributeNames: {
            '#registry': currentIndex.partitionKey.name,
            '#account': partitionKey.name,
          },
          ExpressionAttributeValues: { ':accounts': currentIndex.value },
          ProjectionExpression: '#account, standing',
          ExclusiveStartKey: startKey,
        }),
      );
      pages++;
      for (const item of page.Items ?? []) {
        const accountId = item[partitionKey.name];
        const standing = item.standing;
        if (typeof accountId === 'string' && (REGISTRY_STANDINGS as readonly unknown[]).includes(standing)) {
          standings.set(accountId, standing as RegistryStanding);
        } else {
          // An entry the hub cannot read could be a deny: never guess.
          throw new Error(`registry entry ${JSON.stringify(accountId)} has no valid standing`);
        }
      }
      startKey = page.LastEvaluatedKey;
    } while (startKey !== undefined);
    return { standings, pages };
  }
}
