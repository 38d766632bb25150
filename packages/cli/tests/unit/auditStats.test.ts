import type { Ledger, LedgerQuery, LedgerRecord, Outcome } from '@remediation-hub/core';
import { describe, expect, it } from 'vitest';
import { renderStats } from '../../src/commands/auditOutcomes.js';
import { auditStats, percentile } from '../../src/operations/auditStats.js';

const record = (
  alertId: string,
  outcome: Outcome,
  accountId: string,
  control: string,
  closeSeconds?: number,
): LedgerRecord => ({
  alertId,
  eventKey: 'fail',
  alertStatus: 'fail',
  state: 'completed',
  outcome,
  mode: 'remediate',
  source: control.startsWith('EC2.') ? 'security-hub' : 'evident',
  accountId,
  signature: { identifier: control, name: control },
  sourceFirstSeenAt: closeSeconds === undefined ? null : '2026-11-26T20:00:00.000Z',
  recordedAt: '2026-11-26T21:00:00.000Z',
  expiresAt: 0,
  revoked: [],
  authorized: [],
  requestIds: [],
  attempts: 1,
  duplicateDeliveries: outcome === 'remediated' ? 1 : undefined,
  timings: {
    firstSeenAt: '2026-11-26T20:59:00.000Z',
    startedAt: '2026-11-26T20:59:00.000Z',
    completedAt: new Date(Date.parse('2026-11-26T20:00:00.000Z') + (closeSeconds ?? 0) * 1000).toISOString(),
  },
});

const RECORDS = [
  record('1', 'remediated', '111111111111', 'AWS:EC2-002', 60),
  record('2', 'remediated', '111111111111', 'EC2.19', 120),
  record('3', 'remediated', '222222222222', 'AWS:EC2-002', 600),
  record('4', 'failed', '222222222222', 'AWS:EC2-002'),
  record('5', 'rejected', '444444444444', 'AWS:EC2-002'),
];

/** A ledger that answers `query` by outcome only, and records what it was asked. */
function byOutcomeOnly(): Ledger & { asked: LedgerQuery[] } {
  const asked: LedgerQuery[] = [];
  const fail = () => Promise.reject(new Error('not used by audit stats'));
  return {
    asked,
    query: async (query) => {
      asked.push(query);
      return RECORDS.filter((r) => r.outcome === query.outcome);
    },
    claim: fail,
    complete: fail,
    recordTerminal: fail,
    countDuplicate: fail,
    get: fail,
    listByAlert: fail,
    listExpiredLeases: fail,
  };
}

describe('auditStats', () => {
  it('asks the ledger one outcome at a time (the byOutcome index), since the given time, and never without an outcome', async () => {
    const ledger = byOutcomeOnly();
    const since = new Date('2026-11-26T00:00:00.000Z');
    await auditStats(ledger, since);
    expect(ledger.asked.every((q) => q.outcome !== undefined && q.since === since)).toBe(true);
    expect(ledger.asked.map((q) => q.outcome)).not.toContain('duplicate');
    expect(new Set(ledger.asked.map((q) => q.outcome)).size).toBe(ledger.asked.length);
  });

  it('counts by outcome, account, source and control, most records first, with time-to-close percentiles', async () => {
    const stats = await auditStats(byOutcomeOnly(), new Date('2026-11-26T00:00:00.000Z'));
    expect(stats).toMatchObject({
      total: 5,
      byOutcome: { remediated: 3, failed: 1, rejected: 1 },
      duplicateDeliveries: 3,
      timeToCloseSeconds: { count: 3, p50: 120, p95: 600, max: 600 },
    });
    expect(stats.byAccount).toEqual([
      { key: '111111111111', total: 2, outcomes: { remediated: 2 } },
      { key: '222222222222', total: 2, outcomes: { remediated: 1, failed: 1 } },
      { key: '444444444444', total: 1, outcomes: { rejected: 1 } },
    ]);
    expect(stats.bySource.map((row) => [row.key, row.total])).toEqual([
      ['evident', 4],
      ['security-hub', 1],
    ]);
    expect(stats.byControl.map((row) => [row.key, row.total])).toEqual([
      ['AWS:EC2-002', 4],
      ['EC2.19', 1],
    ]);
    const text = renderStats(stats);
    expect(text).toMatch(/^OUTCOME\s+RECORDS\nremediated\s+3\n/);
    expect(text).toContain('222222222222        2  failed 1, remediated 1');
    expect(text).toMatch(/time to close \(3 remediated\): p50 120 s, p95 600 s, max 600 s$/);
  });

  it('says so when nothing was recorded', async () => {
    const empty = { ...byOutcomeOnly(), query: async () => [] };
    expect(renderStats(await auditStats(empty, new Date('2026-11-26T00:00:00.000Z')))).toBe(
      'no ledger records since 2026-11-26T00:00:00.000Z (index byOutcome, one query per outcome)',
    );
  });
});

describe('percentile', () => {
  it('is the nearest rank of sorted values', () => {
    const values = Array.from({ length: 20 }, (_, i) => i + 1);
    expect(percentile(values, 0.5)).toBe(10);
    expect(percentile(values, 0.95)).toBe(19);
    expect(percentile([7], 0.95)).toBe(7);
  });
});
