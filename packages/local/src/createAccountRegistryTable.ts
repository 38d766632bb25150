import type { AttributeDefinition, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { ACCOUNT_REGISTRY_TABLE } from '@remediation-hub/core';
import { createTableOnce } from './createTableOnce.js';

/**
 * Creates the account registry table from core's `ACCOUNT_REGISTRY_TABLE` (keys and the sparse `current` index),
 * on demand billing. Idempotent. Used by `local up --registry`, the tests and the benchmark; the CDK stack reads
 * the same definition.
 */
export async function createAccountRegistryTable(
  dynamodb: DynamoDBClient,
  tableName: string,
): Promise<{ tableName: string; tableArn: string | undefined; created: boolean }> {
  const { partitionKey, sortKey, currentIndex } = ACCOUNT_REGISTRY_TABLE;
  const attributes = new Map<string, AttributeDefinition>();
  for (const key of [partitionKey, sortKey, currentIndex.partitionKey, currentIndex.sortKey]) {
    attributes.set(key.name, { AttributeName: key.name, AttributeType: key.type });
  }
  return createTableOnce(dynamodb, {
    TableName: tableName,
    AttributeDefinitions: [...attributes.values()],
    KeySchema: [
      { AttributeName: partitionKey.name, KeyType: 'HASH' },
      { AttributeName: sortKey.name, KeyType: 'RANGE' },
    ],
    GlobalSecondaryIndexes: [
      {
        IndexName: currentIndex.indexName,
        KeySchema: [
          { AttributeName: currentIndex.partitionKey.name, KeyType: 'HASH' },
          { AttributeName: currentIndex.sortKey.name, KeyType: 'RANGE' },
        ],
        Projection: { ProjectionType: 'ALL' },
      },
    ],
  });
}
