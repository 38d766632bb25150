import { randomBytes } from 'node:crypto';
import { DescribeTableCommand, DescribeTimeToLiveCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { LEDGER_TABLE } from '@remediation-hub/core';
import { afterAll, describe, expect, it } from 'vitest';
import { awsClientConfig, createLedgerTable } from '../../src/index.js';

describe('createLedgerTable', () => {
  const tableName = `ledger-${randomBytes(4).toString('hex')}`;
  const dynamodb = new DynamoDBClient(awsClientConfig());
  afterAll(() => dynamodb.destroy());

  it('creates the table from LEDGER_TABLE: keys, the three indexes and TTL', async () => {
    await expect(createLedgerTable(dynamodb, tableName)).resolves.toMatchObject({ tableName, created: true });
    const { Table } = await dynamodb.send(new DescribeTableCommand({ TableName: tableName }));
    expect(Table?.KeySchema).toEqual([
      { AttributeName: LEDGER_TABLE.partitionKey.name, KeyType: 'HASH' },
      { AttributeName: LEDGER_TABLE.sortKey.name, KeyType: 'RANGE' },
    ]);
    expect(
      Table?.GlobalSecondaryIndexes?.map((i) => [
        i.IndexName,
        ...(i.KeySchema ?? []).map((k) => k.AttributeName),
      ]),
    ).toEqual(
      LEDGER_TABLE.globalSecondaryIndexes.map((i) => [i.indexName, i.partitionKey.name, i.sortKey.name]),
    );
    const ttl = await dynamodb.send(new DescribeTimeToLiveCommand({ TableName: tableName }));
    expect(ttl.TimeToLiveDescription).toMatchObject({
      TimeToLiveStatus: 'ENABLED',
      AttributeName: LEDGER_TABLE.ttlAttribute,
    });
  });

  it('is idempotent: running it again leaves the table as it is', async () => {
    await expect(createLedgerTable(dynamodb, tableName)).resolves.toMatchObject({
      tableName,
      created: false,
    });
  });
});
