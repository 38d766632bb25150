import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { PACING_TABLE, scheduleFloor, slotsEndingAt } from '@remediation-hub/core';
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
 * a write: on an idle schedule (`nextAt` absent or at least `burst` slots past) `SET nextAt = floor + span` on
 * condition it is idle; otherwise `ADD nextAt span` on condition it is not. DynamoDB applies either whole, one at a time per item,
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
    // An idle schedule starts at the floor: up to `burst` slots of credit for the time nobody called.
    const floor = scheduleFloor(now, slotMillis);
    let queued = (this.#lastSeen.get(key) ?? 0) > floor;
    for (let attempt = 0; attempt < 4; attempt++) {
      try {
        const nextAt = queued ? await this.#add(key, span, floor) : await this.#start(key, span, floor);
        this.#lastSeen.set(key, nextAt);
        const slots = slotsEndingAt(nextAt, count, slotMillis);
        return { slots, busy: (slots[0] ?? 0) > now };
      } catch (error) {
        if (!(error instanceof ConditionalCheckFailedException)) {
          throw mapAwsError(error, `dynamodb:UpdateItem ${this.#table}`, {});
        }
        queued = !queued;
      }
    }
    throw mapAwsError(
      new Error(`the shared schedule ${key} kept changing between idle and busy`),
      `dynamodb:UpdateItem ${this.#table}`,
      {},
    );
  }

  /** The schedule is idle (its next slot is at or before the floor): its slots start at the floor. */
  async #start(key: string, span: number, floor: number): Promise<number> {
    const nextAt = floor + span;
    await this.#client.send(
      new UpdateCommand({
        TableName: this.#table,
        Key: { [PACING_TABLE.partitionKey.name]: key },
        UpdateExpression: 'SET nextAt = :nextAt, #ttl = :ttl',
        ConditionExpression: 'attribute_not_exists(nextAt) OR nextAt <= :floor',
        ExpressionAttributeNames: { '#ttl': PACING_TABLE.ttlAttribute },
        ExpressionAttributeValues: { ':nextAt': nextAt, ':floor': floor, ':ttl': expiry(floor) },
      }),
    );
    return nextAt;
  }

  /** Slots are queued past the floor: the new ones follow the last one claimed. */
  async #add(key: string, span: number, floor: number): Promise<number> {
    const answer = await this.#client.send(
      new UpdateCommand({
        TableName: this.#table,
        Key: { [PACING_TABLE.partitionKey.name]: key },
        UpdateExpression: 'ADD nextAt :span SET #ttl = :ttl',
        ConditionExpression: 'nextAt > :floor',
        ExpressionAttributeNames: { '#ttl': PACING_TABLE.ttlAttribute },
        ExpressionAttributeValues: { ':span': span, ':floor': floor, ':ttl': expiry(floor) },
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
