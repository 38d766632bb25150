/**
 * The ledger table's definition: the one place its keys, indexes and TTL attribute are named.
 * The DynamoDB adapter, the test and demo bootstrap, and the CDK stack all read it.
 */
export const LEDGER_TABLE = {
  partitionKey: { name: 'alertId', type: 'S' },
  /**
   * A notification's `Finding.eventKey` (Evident: its status, `fail`; Security Hub: `FAILED#<UpdatedAt>`; Prisma
   * Cloud: `open#<lastSeen>`); `undo#<status>#<iso time>` for an undo event.
   */
  sortKey: { name: 'eventKey', type: 'S' },
  ttlAttribute: 'expiresAt',
  globalSecondaryIndexes: [
    {
      indexName: 'byAccount',
      partitionKey: { name: 'accountId', type: 'S' },
      sortKey: { name: 'recordedAt', type: 'S' },
    },
    {
      indexName: 'byResource',
      partitionKey: { name: 'resourceId', type: 'S' },
      sortKey: { name: 'recordedAt', type: 'S' },
    },
    {
      indexName: 'byOutcome',
      partitionKey: { name: 'outcome', type: 'S' },
      sortKey: { name: 'recordedAt', type: 'S' },
    },
    {
      /** The posture tool that raised the finding: records from before it was written (Evident) are not in it. */
      indexName: 'bySource',
      partitionKey: { name: 'source', type: 'S' },
      sortKey: { name: 'recordedAt', type: 'S' },
    },
    /**
     * Sparse: only items that hold a lease (in progress: a claim, a checkpoint, a release), by when it expires.
     * Completed records hold none. `state = in-progress AND leaseExpiresAt < now` lists the attempts that died or
     * were released and have not been completed since: alerts whose message may never come back.
     */
    {
      indexName: 'byLease',
      partitionKey: { name: 'state', type: 'S' },
      sortKey: { name: 'leaseExpiresAt', type: 'N' },
    },
    /**
     * Sparse: only records whose outcome event has not gone out carry `pendingEvent` (`audit resend`). One
     * partition (the value is always `pending`); an item is in it from its completion to its confirmed publish.
     */
    {
      indexName: 'byPendingEvent',
      partitionKey: { name: 'pendingEvent', type: 'S' },
      sortKey: { name: 'recordedAt', type: 'S' },
    },
  ],
} as const;

export type LedgerIndexName = (typeof LEDGER_TABLE.globalSecondaryIndexes)[number]['indexName'];
