import {
  CreateTableCommand,
  DescribeTableCommand,
  type DynamoDBClient,
  UpdateTimeToLiveCommand,
} from '@aws-sdk/client-dynamodb';
import { PACING_TABLE } from '@remediation-hub/core';

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
  let created = true;
  try {
    await dynamodb.send(
      new CreateTableCommand({
        TableName: tableName,
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: [{ AttributeName: partitionKey.name, AttributeType: partitionKey.type }],
        KeySchema: [{ AttributeName: partitionKey.name, KeyType: 'HASH' }],
      }),
    );
  } catch (error) {
    if ((error as { name?: string }).name !== 'ResourceInUseException') throw error;
    created = false;
  }
  const deadline = Date.now() + 60_000;
  for (;;) {
    const { Table } = await dynamodb.send(new DescribeTableCommand({ TableName: tableName }));
    if (Table?.TableStatus === 'ACTIVE') {
      if (created) {
        await dynamodb.send(
          new UpdateTimeToLiveCommand({
            TableName: tableName,
            TimeToLiveSpecification: { AttributeName: ttlAttribute, Enabled: true },
          }),
        );
      }
      return { tableName, tableArn: Table.TableArn, created };
    }
    if (Date.now() > deadline)
      throw new Error(`table ${tableName} is still ${Table?.TableStatus} after 60 s`);
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}
