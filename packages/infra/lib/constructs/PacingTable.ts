import { PACING_TABLE } from '@remediation-hub/core';
import { RemovalPolicy } from 'aws-cdk-lib';
import { AttributeType, BillingMode, Table, TableEncryption } from 'aws-cdk-lib/aws-dynamodb';
import { Construct } from 'constructs';

/**
 * The shared pacing schedules: one item per account and region that throttled the hub, `nextAt` its first free
 * slot, so every Lambda container together stays under EC2's refill there (`PACING_TABLE`, see docs/architecture.md).
 * Its own table, not the ledger's: the ledger's items are the audit record (its scans would list these), these are
 * scratch, deleted by TTL a day after their last claim, and the function may only update them. Keys from core's
 * `PACING_TABLE`.
 */
export class PacingTable extends Construct {
  readonly table: Table;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    this.table = new Table(this, 'Table', {
      partitionKey: { name: PACING_TABLE.partitionKey.name, type: AttributeType.STRING },
      billingMode: BillingMode.PAY_PER_REQUEST,
      timeToLiveAttribute: PACING_TABLE.ttlAttribute,
      // Nothing here to restore (a schedule is minutes old), but the account's baseline asks every table for it.
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      encryption: TableEncryption.AWS_MANAGED,
      // Scratch: nothing in it outlives a storm.
      removalPolicy: RemovalPolicy.DESTROY,
    });
  }
}
