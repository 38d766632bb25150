import type { LedgerRecord } from '@remediation-hub/core';
import { describe, expect, it } from 'vitest';
import type { BatchResult } from '../../src/handler/BatchProgress.js';
import { HubMetrics } from '../../src/metrics/HubMetrics.js';

const remediated = (i: number, source: LedgerRecord['source'] = 'evident'): LedgerRecord => ({
  alertId: `a-${i}`,
  eventKey: 'fail',
  alertStatus: 'fail',
  state: 'completed',
  outcome: 'remediated',
  mode: 'remediate',
  source,
  signature: { identifier: 'AWS:EC2-002', name: 'SSH' },
  sourceFirstSeenAt: '2026-11-26T20:00:00.000Z',
  recordedAt: '2026-11-26T20:10:00.000Z',
  expiresAt: 0,
  revoked: [],
  authorized: [],
  requestIds: [],
  attempts: 1,
  timings: {
    firstSeenAt: '2026-11-26T20:09:00.000Z',
    startedAt: '2026-11-26T20:09:00.000Z',
    completedAt: new Date(Date.parse('2026-11-26T20:00:00.000Z') + i * 1000).toISOString(),
  },
});

function capture() {
  const lines: string[] = [];
  const metrics = new HubMetrics({ write: (line) => void lines.push(line) });
  const documents = () => lines.map((line) => JSON.parse(line) as Record<string, unknown>);
  return { metrics, documents };
}

describe('HubMetrics', () => {
  it('counts completed records per outcome, source and control in one document per combination', async () => {
    const { metrics, documents } = capture();
    for (let i = 1; i <= 3; i++) await metrics.listener.completed(remediated(i));
    await metrics.listener.completed(remediated(4, 'security-hub'));
    await metrics.listener.completed({ ...remediated(5), outcome: 'exempt' });
    metrics.flush();

    const outcomes = documents()
      .filter((d) => 'Outcome' in d)
      .map((d) => [d.outcome, d.source, d.control, d.Outcome]);
    expect(outcomes).toEqual([
      ['remediated', 'evident', 'AWS:EC2-002', 3],
      ['remediated', 'security-hub', 'AWS:EC2-002', 1],
      ['exempt', 'evident', 'AWS:EC2-002', 1],
    ]);
  });

  it('keeps at most 99 time-to-close values in a document: Powertools would publish the 100th itself, past `write`', () => {
    const { metrics, documents } = capture();
    for (let i = 1; i <= 150; i++) metrics.completed(remediated(i));
    metrics.flush();

    const values = documents()
      .filter((d) => 'TimeToCloseSeconds' in d)
      .map((d) => d.TimeToCloseSeconds as number[]);
    expect(values.map((v) => v.length)).toEqual([99, 51]);
    expect(values.flat()).toEqual(Array.from({ length: 150 }, (_, i) => i + 1));
  });

  it('writes the batch figures and forgets what it wrote', () => {
    const { metrics, documents } = capture();
    metrics.assumeRoleFailure('111111111111');
    metrics.assumeRoleFailure('111111111111');
    metrics.throttledRetry('ec2');
    const result = {
      results: [{ outcome: 'duplicate' }, { outcome: 'retry' }],
      batchItemFailures: [{ itemIdentifier: 'm-2' }],
    } as unknown as BatchResult;
    metrics.flush({ result, durationMs: 1234 });
    expect(documents().map((d) => d._aws && Object.keys(d).filter((k) => /^[A-Z]/.test(k)))).toEqual([
      ['AssumeRoleFailure'],
      ['ThrottledRetries'],
      ['BatchDurationMs', 'MessagesSentBack', 'DuplicateDeliveries'],
    ]);
    expect(documents()).toContainEqual(
      expect.objectContaining({ account: '111111111111', AssumeRoleFailure: 2 }),
    );
    expect(documents()).toContainEqual(
      expect.objectContaining({ BatchDurationMs: 1234, MessagesSentBack: 1, DuplicateDeliveries: 1 }),
    );

    const before = documents().length;
    metrics.flush();
    expect(documents()).toHaveLength(before);
  });
});
