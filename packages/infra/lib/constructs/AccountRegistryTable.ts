import { ACCOUNT_REGISTRY_TABLE } from '@remediation-hub/core';
import { RemovalPolicy } from 'aws-cdk-lib';
import { AttributeType, BillingMode, ProjectionType, Table, TableEncryption } from 'aws-cdk-lib/aws-dynamodb';
import { Construct } from 'constructs';

/**
 * The account registry: per-account allow, deny and mode, with every change's audit item beside it. Its own table
 * (not the ledger's): the hub function may only read it, the operators' `remediation-hub accounts` writes it, and
 * its items never expire. Keys and the sparse `current` index come from core's `ACCOUNT_REGISTRY_TABLE`.
 */
export class AccountRegistryTable extends Construct {
  readonly table: Table;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    const { partitionKey, sortKey, currentIndex } = ACCOUNT_REGISTRY_TABLE;
    this.table = new Table(this, 'Table', {
      partitionKey: { name: partitionKey.name, type: AttributeType.STRING },
      sortKey: { name: sortKey.name, type: AttributeType.STRING },
      billingMode: BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      deletionProtection: true,
      encryption: TableEncryption.AWS_MANAGED,
      // Who allowed or denied which account, and when, outlives the stack.
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.table.addGlobalSecondaryIndex({
      indexName: currentIndex.indexName,
      partitionKey: { name: currentIndex.partitionKey.name, type: AttributeType.STRING },
      sortKey: { name: currentIndex.sortKey.name, type: AttributeType.STRING },
      projectionType: ProjectionType.ALL,
    });
  }
}
