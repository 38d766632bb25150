import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { PACING_TABLE } from '@remediation-hub/core';
import { awsClientConfig, createPacingTable, uniqueName } from '@remediation-hub/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoDbSharedSchedule } from '../../src/adapters/DynamoDbSharedSchedule.js';

const SLOT = 200;
const T0 = 1_800_000_000_000;

describe('DynamoDbSharedSchedule', () => {
  const tableName = uniqueName('pacing');
  let dynamodb: DynamoDBClient;
  let documents: DynamoDBDocumentClient;
  const schedule = () => new DynamoDbSharedSchedule({ client: documents, tableName });
  const nextAtOf = async (key: string) => {
    const { Item } = await documents.send(
      new GetCommand({
        TableName: tableName,
        Key: { [PACING_TABLE.partitionKey.name]: key },
        ConsistentRead: true,
      }),
    );
    return Item?.nextAt as number | undefined;
  };

  beforeAll(async () => {
    dynamodb = new DynamoDBClient(awsClientConfig());
    documents = DynamoDBDocumentClient.from(dynamodb);
    await createPacingTable(dynamodb, tableName);
  });
  afterAll(() => dynamodb.destroy());

  it('starts an idle schedule with its burst of credit, and the next claim after the last slot', async () => {
    const key = uniqueName('acct');
    const one = schedule();
    // The burst: 5 slots back (1,000 ms at 200 ms a slot), used at once.
    expect(await one.claim(key, 3, SLOT, T0)).toEqual({
      slots: [T0 - 1000, T0 - 800, T0 - 600],
      busy: false,
    });
    expect(await one.claim(key, 7, SLOT, T0 + 100)).toEqual({
      slots: [T0 - 400, T0 - 200, T0, T0 + 200, T0 + 400, T0 + 600, T0 + 800],
      busy: false,
    });
    expect(await one.claim(key, 2, SLOT, T0 + 100)).toEqual({ slots: [T0 + 1000, T0 + 1200], busy: true });
    expect(await nextAtOf(key)).toBe(T0 + 1400);
    // Long after every slot: idle again, with the same credit and no more (the time nobody called is not kept).
    expect(await one.claim(key, 1, SLOT, T0 + 60_000)).toEqual({ slots: [T0 + 59_000], busy: false });
  });

  it('gives the claimer that guessed wrong the slots after the winner’s (its condition fails, it tries the other write)', async () => {
    const key = uniqueName('acct');
    const first = schedule();
    const second = schedule();
    // `second` has never seen the schedule: it guesses idle, but `first` has just made it busy.
    await first.claim(key, 10, SLOT, T0);
    const late = await second.claim(key, 2, SLOT, T0 + 10);
    expect(late).toEqual({ slots: [T0 + 1000, T0 + 1200], busy: true });
    // And `first`, which guesses queued from its last claim, finds the schedule idle long after and starts it anew.
    expect(await first.claim(key, 1, SLOT, T0 + 60_000)).toEqual({ slots: [T0 + 59_000], busy: false });
    expect(await nextAtOf(key)).toBe(T0 + 59_200);
  });

  it('two claimers racing on a busy schedule each get their slots, and the schedule ends past every slot given', async () => {
    // DynamoDB applies conditional writes to one item one at a time, so racing claims never share a slot. The
    // emulator (moto) may let two racing writes both read the same `nextAt`; what is asserted here holds either
    // way, and the disjointness is asserted only against DynamoDB itself (no AWS_ENDPOINT_URL).
    const key = uniqueName('acct');
    const a = schedule();
    const b = schedule();
    await a.claim(key, 6, SLOT, T0);
    await b.claim(key, 1, SLOT, T0);
    const rounds = await Promise.all(
      Array.from({ length: 10 }, (_, i) => (i % 2 === 0 ? a : b).claim(key, 3, SLOT, T0 + i)),
    );
    for (const { slots, busy } of rounds) {
      expect(busy).toBe(true);
      expect(slots).toHaveLength(3);
      const [s0 = 0, s1 = 0, s2 = 0] = slots;
      expect([s1 - s0, s2 - s1]).toEqual([SLOT, SLOT]);
      expect(s0).toBeGreaterThanOrEqual(T0 + 400);
    }
    const last = Math.max(...rounds.flatMap((r) => r.slots));
    expect(await nextAtOf(key)).toBeGreaterThanOrEqual(last + SLOT);
    if (process.env.AWS_ENDPOINT_URL === undefined) {
      const all = rounds.flatMap((r) => r.slots);
      expect(new Set(all).size).toBe(all.length);
    }
  });
});
