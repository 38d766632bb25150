import {
  type Ledger,
  type LedgerQuery,
  type LedgerRecord,
  OUTCOMES,
  type Outcome,
  type Source,
} from '@remediation-hub/core';

export interface AuditFilters {
  accountId?: string | undefined;
  region?: string | undefined;
  resourceId?: string | undefined;
  outcome?: Outcome | undefined;
  source?: Source | undefined;
  since?: Date | undefined;
  limit: number;
}

export interface AuditListing {
  /** Newest first, at most `limit`. */
  records: LedgerRecord[];
  /** Which index answered: `byResource`, `byAccount`, `byOutcome`, `bySource`, or `byOutcome, every outcome`. */
  servedBy: string;
}

/**
 * `audit list`: the ledger's records matching the filters, newest first, always from an index.
 *
 * A filter on resource, account, outcome or source goes to that index (the ledger picks the most selective).
 * Without one of those (no filter, `--region` or `--since` alone) the table is not scanned either:
 * every outcome's partition of `byOutcome` is queried (with `recordedAt >= since` as its key
 * condition) and the newest `limit` of the merged answers are kept. That covers every completed
 * record; a claim still in progress has no outcome yet and shows up in `--account`/`--resource`
 * queries only.
 */
export async function listAuditRecords(ledger: Ledger, filters: AuditFilters): Promise<AuditListing> {
  const base: LedgerQuery = {
    accountId: filters.accountId,
    region: filters.region,
    resourceId: filters.resourceId,
    outcome: filters.outcome,
    source: filters.source,
    since: filters.since,
    limit: filters.limit,
  };
  if (filters.resourceId !== undefined) return { records: await ledger.query(base), servedBy: 'byResource' };
  if (filters.accountId !== undefined) return { records: await ledger.query(base), servedBy: 'byAccount' };
  if (filters.outcome !== undefined) return { records: await ledger.query(base), servedBy: 'byOutcome' };
  if (filters.source !== undefined) return { records: await ledger.query(base), servedBy: 'bySource' };

  const perOutcome = await Promise.all(OUTCOMES.map((outcome) => ledger.query({ ...base, outcome })));
  const records = perOutcome.flat().sort(newestFirst).slice(0, filters.limit);
  return { records, servedBy: 'byOutcome, every outcome' };
}

export function newestFirst(a: LedgerRecord, b: LedgerRecord): number {
  if (a.recordedAt !== b.recordedAt) return a.recordedAt < b.recordedAt ? 1 : -1;
  return a.alertId < b.alertId ? -1 : a.alertId > b.alertId ? 1 : 0;
}
