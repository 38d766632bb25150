import {
  type Ledger,
  type LedgerRecord,
  OUTCOMES,
  type Outcome,
  timeToCloseSeconds,
} from '@remediation-hub/core';

/** Counts of one group (an account, a control): all its records, and by outcome. */
export interface StatsRow {
  key: string;
  total: number;
  outcomes: Partial<Record<Outcome, number>>;
}

export interface AuditStats {
  since: string;
  /** Always `byOutcome, one query per outcome`: no scan. */
  servedBy: string;
  total: number;
  byOutcome: Partial<Record<Outcome, number>>;
  /** Most records first. */
  byAccount: StatsRow[];
  bySource: StatsRow[];
  byControl: StatsRow[];
  /** Deliveries the hub counted as duplicates on these records. */
  duplicateDeliveries: number;
  /** Of the remediated records whose source said when it first saw the exposure. */
  timeToCloseSeconds: { count: number; p50: number; p95: number; max: number } | undefined;
}

/** A second delivery is counted on the record it repeats, never recorded as one. */
const RECORDED_OUTCOMES = OUTCOMES.filter((outcome) => outcome !== 'duplicate');

/**
 * `audit stats`: counts of the records written since `since` by outcome, account, source and control. Served
 * by the `byOutcome` index, one query per outcome with `recordedAt >= since` as the key condition (every
 * completed record has an outcome), aggregated here: never a table scan. In-progress claims are not counted.
 */
export async function auditStats(ledger: Ledger, since: Date): Promise<AuditStats> {
  const perOutcome = await Promise.all(RECORDED_OUTCOMES.map((outcome) => ledger.query({ outcome, since })));
  const records = perOutcome.flat();
  const byOutcome: Partial<Record<Outcome, number>> = {};
  for (const record of records) {
    if (record.outcome) byOutcome[record.outcome] = (byOutcome[record.outcome] ?? 0) + 1;
  }
  const closes = records
    .map((record) => timeToCloseSeconds(record))
    .filter((seconds): seconds is number => seconds !== null)
    .sort((a, b) => a - b);
  return {
    since: since.toISOString(),
    servedBy: 'byOutcome, one query per outcome',
    total: records.length,
    byOutcome,
    byAccount: rows(records, (r) => r.accountId ?? '-'),
    bySource: rows(records, (r) => r.source ?? '-'),
    byControl: rows(records, (r) => r.signature?.identifier || '-'),
    duplicateDeliveries: records.reduce((sum, r) => sum + (r.duplicateDeliveries ?? 0), 0),
    timeToCloseSeconds:
      closes.length === 0
        ? undefined
        : {
            count: closes.length,
            p50: percentile(closes, 0.5),
            p95: percentile(closes, 0.95),
            max: closes.at(-1) ?? 0,
          },
  };
}

function rows(records: readonly LedgerRecord[], keyOf: (record: LedgerRecord) => string): StatsRow[] {
  const byKey = new Map<string, StatsRow>();
  for (const record of records) {
    const key = keyOf(record);
    const row = byKey.get(key) ?? { key, total: 0, outcomes: {} };
    row.total++;
    if (record.outcome) row.outcomes[record.outcome] = (row.outcomes[record.outcome] ?? 0) + 1;
    byKey.set(key, row);
  }
  return [...byKey.values()].sort((a, b) => b.total - a.total || (a.key < b.key ? -1 : 1));
}

/** The nearest-rank percentile of sorted values (as CloudWatch's p95 of the same values, near enough). */
export function percentile(sorted: readonly number[], p: number): number {
  const rank = Math.max(1, Math.ceil(p * sorted.length));
  return sorted[rank - 1] ?? 0;
}
