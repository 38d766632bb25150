import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { PACING_TABLE, slotsEndingAt } from '@remediation-hub/core';
import { mapAwsError } from './mapAwsError.js';

/** A schedule's item is kept this long after its last claim (DynamoDB's TTL deletes it later). */
const KEEP_SECONDS = 86_400;

export interface SharedSchedule {
  /**
   * Claims `count` consecutive slots of `slotMillis` on the schedule of `key`; returns their times (epoch ms) and
   * whether the schedule was busy (someone else's slots were still ahead).
   */
  claim(
    key: string,
    count: number,
    slotMillis: number,
    now: number,
  ): Promise<{ slots: number[]; busy: boolean }>;
}

/**
 * One item per account and region, `nextAt` its first free slot. A claim is one atomic write, never a read and
 * a write: on an idle schedule (`nextAt` past or absent) `SET nextAt = now + span` on condition it is idle; on a
 * busy one `ADD nextAt span` on condition it is still busy. DynamoDB applies either whole, one at a time per item,
 * so two containers never get the same slot. A claim that guessed wrong (the schedule turned idle or busy
 * meanwhile) fails its condition and tries the other write; the guess is the last `nextAt` this container saw.
 */
export class DynamoDbSharedSchedule implements SharedSchedule {
  readonly #client: DynamoDBDocumentClient;
  readonly #table: string;
  readonly #lastSeen = new Map<string, number>();

  constructor(options: { client: DynamoDBDocumentClient; tableName: string }) {
    this.#client = options.client;
    this.#table = options.tableName;
  }

  async claim(
    key: string,
    count: number,
    slotMillis: number,
    now: number,
  ): Promise<{ slots: number[]; busy: boolean }> {
    const span = count * slotMillis;
    let busy = (this.#lastSeen.get(key) ?? 0) > now;
    for (let attempt = 0; attempt < 4; attempt++) {
      try {
        const nextAt = busy ? await this.#add(key, span, now) : await this.#start(key, span, now);
        this.#lastSeen.set(key, nextAt);
        return { slots: slotsEndingAt(nextAt, count, slotMillis), busy };
      } catch (error) {
        if (!(error instanceof ConditionalCheckFailedException)) {
          throw mapAwsError(error, `dynamodb:UpdateItem ${this.#table}`, {});
        }
        busy = !busy;
      }
    }
    throw mapAwsError(
      new Error(`the shared schedule ${key} kept changing between idle and busy`),
      `dynamodb:UpdateItem ${this.#table}`,
      {},
    );
  }

  /** The schedule is idle: its slots start now. */
  async #start(key: string, span: number, now: number): Promise<number> {
    const nextAt = now + span;
    await this.#client.send(
      new UpdateCommand({
        TableName: this.#table,
        Key: { [PACING_TABLE.partitionKey.name]: key },
        UpdateExpression: 'SET nextAt = :nextAt, #ttl = :ttl',
        ConditionExpression: 'attribute_not_exists(nextAt) OR nextAt <= :now',
        ExpressionAttributeNames: { '#ttl': PACING_TABLE.ttlAttribute },
        ExpressionAttributeValues: { ':nextAt': nextAt, ':now': now, ':ttl': expiry(now) },
      }),
    );
    return nextAt;
  }

  /** The schedule is busy: the slots follow the last one claimed. */
  async #add(key: string, span: number, now: number): Promise<number> {
    const answer = await this.#client.send(
      new UpdateCommand({
        TableName: this.#table,
        Key: { [PACING_TABLE.partitionKey.name]: key },
        UpdateExpression: 'ADD nextAt :span SET #ttl = :ttl',
        ConditionExpression: 'nextAt > :now',
        ExpressionAttributeNames: { '#ttl': PACING_TABLE.ttlAttribute },
        ExpressionAttributeValues: { ':span': span, ':now': now, ':ttl': expiry(now) },
        ReturnValues: 'UPDATED_NEW',
      }),
    );
    const nextAt = Number(answer.Attributes?.nextAt);
    if (!Number.isFinite(nextAt)) throw new Error(`the shared schedule ${key} returned no nextAt`);
    return nextAt;
  }
}

function expiry(now: number): number {
  return Math.floor(now / 1000) + KEEP_SECONDS;
}
