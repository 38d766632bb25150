import { LEDGER_TABLE } from '@remediation-hub/core';
import { RemovalPolicy } from 'aws-cdk-lib';
import { AttributeType, BillingMode, ProjectionType, Table, TableEncryption } from 'aws-cdk-lib/aws-dynamodb';
import { Construct } from 'constructs';

type KeyDefinition = { readonly name: string; readonly type: 'S' | 'N' | 'B' };

const ATTRIBUTE_TYPES = {
  S: AttributeType.STRING,
  N: AttributeType.NUMBER,
  B: AttributeType.BINARY,
} as const;

function attribute(key: KeyDefinition): { name: string; type: AttributeType } {
  return { name: key.name, type: ATTRIBUTE_TYPES[key.type] };
}

/**
 * The ledger: one item per alert notification, the idempotency and the audit record at once.
 * Keys, indexes and the TTL attribute come from the shared definition in `@remediation-hub/core`,
 * which the DynamoDB adapter and the emulator bootstrap read too.
 */
export class LedgerTable extends Construct {
  readonly table: Table;

  /** `indexes`: how many of `LEDGER_TABLE`'s indexes, in order (default all; fewer only while upgrading). */
  constructor(scope: Construct, id: string, props: { indexes?: number } = {}) {
    super(scope, id);
    this.table = new Table(this, 'Table', {
      partitionKey: attribute(LEDGER_TABLE.partitionKey),
      sortKey: attribute(LEDGER_TABLE.sortKey),
      billingMode: BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      timeToLiveAttribute: LEDGER_TABLE.ttlAttribute,
      deletionProtection: true,
      encryption: TableEncryption.AWS_MANAGED,
      // The audit record outlives the stack.
      removalPolicy: RemovalPolicy.RETAIN,
    });
    for (const index of LEDGER_TABLE.globalSecondaryIndexes.slice(0, props.indexes)) {
      this.table.addGlobalSecondaryIndex({
        indexName: index.indexName,
        partitionKey: attribute(index.partitionKey),
        sortKey: attribute(index.sortKey),
        projectionType: ProjectionType.ALL,
      });
    }
  }
}
