import { createHash } from 'node:crypto';
import { type DynamoDBDocumentClient, GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { ACCOUNT_REGISTRY_TABLE, type OrganizationalUnitRef } from '@remediation-hub/core';
import { awsErrorCode } from './mapAwsError.js';

/** An OU membership as one worker read it from Organizations, shared with the others. */
export interface StoredMembership {
  allowed: readonly string[];
  dryRun: readonly string[];
  /** When the walk that read it started. */
  readAt: Date;
  units: number;
  calls: number;
}

/** Where Lambda containers share the OU membership, so the hub walks Organizations once per TTL, not once per container. */
export interface MembershipStore {
  read(): Promise<StoredMembership | undefined>;
  /** Claims the next walk until `until` (again, if `owner` holds it); `false` while another worker's claim holds. */
  claimWalk(owner: string, now: Date, until: Date): Promise<boolean>;
  /** Stores a walk's membership and ends the claim. */
  write(membership: StoredMembership): Promise<void>;
  /** Ends `owner`'s claim without a membership (its walk failed), so the next worker need not wait it out. */
  releaseWalk(owner: string): Promise<void>;
}

/**
 * The shared OU membership as one item of the account registry table (`ACCOUNT_REGISTRY_TABLE.membership`), keyed by
 * a hash of the units it was read for (a deployment that changes its OUs never reads another's membership). The
 * account ids are stored as comma-separated strings: 5,000 accounts take about 65 KB of the item's 400 KB.
 */
export class DynamoDbMembershipStore implements MembershipStore {
  readonly #client: DynamoDBDocumentClient;
  readonly #table: string;
  readonly #key: Record<string, string>;

  constructor(options: {
    client: DynamoDBDocumentClient;
    tableName: string;
    /** The units the membership is read for (`ALLOWED_OUS`, `DRY_RUN_OUS`) and the organisation. */
    units: {
      allowed: readonly OrganizationalUnitRef[];
      dryRun: readonly OrganizationalUnitRef[];
      organizationId: string | undefined;
    };
  }) {
    this.#client = options.client;
    this.#table = options.tableName;
    const { partitionKey, sortKey } = ACCOUNT_REGISTRY_TABLE;
    this.#key = {
      [partitionKey.name]: ACCOUNT_REGISTRY_TABLE.membership.partitionKey,
      [sortKey.name]: `${ACCOUNT_REGISTRY_TABLE.membership.sortKeyPrefix}${membershipKey(options.units)}`,
    };
  }

  async read(): Promise<StoredMembership | undefined> {
    const { Item } = await this.#client.send(
      new GetCommand({ TableName: this.#table, Key: this.#key, ConsistentRead: true }),
    );
    if (Item === undefined || typeof Item.readAt !== 'string' || typeof Item.allowed !== 'string')
      return undefined;
    const ids = (text: unknown) => (typeof text === 'string' && text !== '' ? text.split(',') : []);
    return {
      allowed: ids(Item.allowed),
      dryRun: ids(Item.dryRun),
      readAt: new Date(Item.readAt),
      units: Number(Item.units ?? 0),
      calls: Number(Item.calls ?? 0),
    };
  }

  async claimWalk(owner: string, now: Date, until: Date): Promise<boolean> {
    try {
      await this.#client.send(
        new UpdateCommand({
          TableName: this.#table,
          Key: this.#key,
          UpdateExpression: 'SET walker = :owner, walkUntil = :until',
          ConditionExpression: 'attribute_not_exists(walkUntil) OR walkUntil < :now OR walker = :owner',
          ExpressionAttributeValues: { ':owner': owner, ':until': until.getTime(), ':now': now.getTime() },
        }),
      );
      return true;
    } catch (error) {
      if (awsErrorCode(error) === 'ConditionalCheckFailedException') return false;
      throw error;
    }
  }

  async releaseWalk(owner: string): Promise<void> {
    try {
      await this.#client.send(
        new UpdateCommand({
          TableName: this.#table,
          Key: this.#key,
          UpdateExpression: 'REMOVE walker, walkUntil',
          ConditionExpression: 'walker = :owner',
          ExpressionAttributeValues: { ':owner': owner },
        }),
      );
    } catch (error) {
      // Another worker's claim since (this one expired): not ours to end.
      if (awsErrorCode(error) !== 'ConditionalCheckFailedException') throw error;
    }
  }

  async write(membership: StoredMembership): Promise<void> {
    await this.#client.send(
      new UpdateCommand({
        TableName: this.#table,
        Key: this.#key,
        UpdateExpression:
          'SET allowed = :allowed, dryRun = :dryRun, readAt = :readAt, units = :units, calls = :calls REMOVE walker, walkUntil',
        ExpressionAttributeValues: {
          ':allowed': membership.allowed.join(','),
          ':dryRun': membership.dryRun.join(','),
          ':readAt': membership.readAt.toISOString(),
          ':units': membership.units,
          ':calls': membership.calls,
        },
      }),
    );
  }
}

/** A short hash of the units (order aside) and the organisation. */
export function membershipKey(units: {
  allowed: readonly OrganizationalUnitRef[];
  dryRun: readonly OrganizationalUnitRef[];
  organizationId: string | undefined;
}): string {
  const canonical = [
    units.organizationId ?? '',
    [...new Set(units.allowed.map((u) => u.id))].sort().join(','),
    [...new Set(units.dryRun.map((u) => u.id))].sort().join(','),
  ].join('|');
  return createHash('sha256').update(canonical).digest('hex').slice(0, 16);
}
