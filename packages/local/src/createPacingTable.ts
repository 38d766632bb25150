import { type DynamoDBClient, UpdateTimeToLiveCommand } from '@aws-sdk/client-dynamodb';
import { PACING_TABLE } from '@remediation-hub/core';
import { createTableOnce } from './createTableOnce.js';

/**
 * Creates the pacing table from core's `PACING_TABLE` (the shared schedules per account and region), on demand
 * billing, TTL on. Idempotent. Used by `local up`, the tests and the storm benchmark; the CDK stack reads the
 * same definition.
 */
export async function createPacingTable(
  dynamodb: DynamoDBClient,
  tableName: string,
): Promise<{ tableName: string; tableArn: string | undefined; created: boolean }> {
  const { partitionKey, ttlAttribute } = PACING_TABLE;
  const table = await createTableOnce(dynamodb, {
    TableName: tableName,
    AttributeDefinitions: [{ AttributeName: partitionKey.name, AttributeType: partitionKey.type }],
    KeySchema: [{ AttributeName: partitionKey.name, KeyType: 'HASH' }],
  });
  if (table.created) {
    await dynamodb.send(
      new UpdateTimeToLiveCommand({
        TableName: tableName,
        TimeToLiveSpecification: { AttributeName: ttlAttribute, Enabled: true },
      }),
    );
  }
  return table;
}
