import {
  CreateTableCommand,
  type CreateTableCommandInput,
  DescribeTableCommand,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';

/**
 * Creates a table on demand billing unless it exists (`created: false`), and waits until it is active: the one
 * way `local up`, the tests and the benchmarks make the hub's tables from core's definitions.
 */
export async function createTableOnce(
  dynamodb: DynamoDBClient,
  input: Omit<CreateTableCommandInput, 'BillingMode'>,
): Promise<{ tableName: string; tableArn: string | undefined; created: boolean }> {
  const tableName = input.TableName as string;
  let created = true;
  try {
    await dynamodb.send(new CreateTableCommand({ ...input, BillingMode: 'PAY_PER_REQUEST' }));
  } catch (error) {
    if ((error as { name?: string }).name !== 'ResourceInUseException') throw error;
    created = false;
  }
  const deadline = Date.now() + 60_000;
  for (;;) {
    const { Table } = await dynamodb.send(new DescribeTableCommand({ TableName: tableName }));
    if (Table?.TableStatus === 'ACTIVE') return { tableName, tableArn: Table.TableArn, created };
    if (Date.now() > deadline) {
      throw new Error(`table ${tableName} is still ${Table?.TableStatus ?? 'unknown'} after 60 s`);
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}
