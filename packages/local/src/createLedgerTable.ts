import {
  type AttributeDefinition,
  DescribeTimeToLiveCommand,
  type DynamoDBClient,
  UpdateTimeToLiveCommand,
} from '@aws-sdk/client-dynamodb';
import { LEDGER_TABLE } from '@remediation-hub/core';
import { createTableOnce } from './createTableOnce.js';

export interface LedgerTableInfo {
  tableName: string;
  tableArn: string | undefined;
  /** False when the table was already there (re-running is fine). */
  created: boolean;
}

/**
 * Creates the ledger table from core's `LEDGER_TABLE` (keys, the three indexes, TTL on `expiresAt`),
 * on demand billing. Idempotent: an existing table is left as it is and its TTL switched on if needed.
 * Used by `local up`, the demo and tests; the CDK stack reads the same definition.
 */
export async function createLedgerTable(
  dynamodb: DynamoDBClient,
  tableName: string,
): Promise<LedgerTableInfo> {
  const attributes = new Map<string, AttributeDefinition>();
  for (const key of [
    LEDGER_TABLE.partitionKey,
    LEDGER_TABLE.sortKey,
    ...LEDGER_TABLE.globalSecondaryIndexes.flatMap((i) => [i.partitionKey, i.sortKey]),
  ]) {
    attributes.set(key.name, { AttributeName: key.name, AttributeType: key.type });
  }

  const { tableArn, created } = await createTableOnce(dynamodb, {
    TableName: tableName,
    AttributeDefinitions: [...attributes.values()],
    KeySchema: [
      { AttributeName: LEDGER_TABLE.partitionKey.name, KeyType: 'HASH' },
      { AttributeName: LEDGER_TABLE.sortKey.name, KeyType: 'RANGE' },
    ],
    GlobalSecondaryIndexes: LEDGER_TABLE.globalSecondaryIndexes.map((index) => ({
      IndexName: index.indexName,
      KeySchema: [
        { AttributeName: index.partitionKey.name, KeyType: 'HASH' },
        { AttributeName: index.sortKey.name, KeyType: 'RANGE' },
      ],
      Projection: { ProjectionType: 'ALL' },
    })),
  });

  const ttl = await dynamodb.send(new DescribeTimeToLiveCommand({ TableName: tableName }));
  const status = ttl.TimeToLiveDescription?.TimeToLiveStatus;
  if (status !== 'ENABLED' && status !== 'ENABLING') {
    await dynamodb.send(
      new UpdateTimeToLiveCommand({
        TableName: tableName,
        TimeToLiveSpecification: { AttributeName: LEDGER_TABLE.ttlAttribute, Enabled: true },
      }),
    );
  }
  return { tableName, tableArn, created };
}
