import { describe, expect, it } from 'vitest';
import { type LedgerRecord, type Outcome, scanDecision } from '../../src/index.js';

const BASE = 'open#0123456789abcdef';
const record = (
  eventKey: string,
  outcome: Outcome | undefined,
  extra: Partial<LedgerRecord> = {},
): LedgerRecord => ({
  alertId: 'scan:1',
  eventKey,
  alertStatus: 'open',
  state: outcome === undefined ? 'in-progress' : 'completed',
  ...(outcome === undefined ? {} : { outcome }),
  recordedAt: '2027-03-31T00:00:00.000Z',
  expiresAt: 0,
  revoked: [],
  authorized: [],
  requestIds: [],
  attempts: 1,
  timings: { firstSeenAt: '2027-03-31T00:00:00.000Z', startedAt: '2027-03-31T00:00:00.000Z' },
  ...extra,
});

describe('scanDecision', () => {
  it('sends episode 1 of rules the ledger has not seen (another digest does not count)', () => {
    expect(scanDecision([record('open#ffffffffffffffff', 'remediated')], BASE, false)).toMatchObject({
      send: true,
      episode: 1,
      why: 'new',
    });
  });

  it('sends nothing while the same rules are being processed, or after an undo, or while still in dry-run', () => {
    expect(scanDecision([record(BASE, undefined)], BASE, false)).toMatchObject({
      send: false,
      why: 'in-progress',
    });
    expect(
      scanDecision([record(BASE, 'remediated', { revertedBy: 'undo#open#x' })], BASE, false),
    ).toMatchObject({
      send: false,
      why: 'undone',
    });
    expect(scanDecision([record(BASE, 'dry-run')], BASE, true)).toMatchObject({
      send: false,
      why: 'dry-run',
    });
  });

  it.each([
    ['failed', false],
    ['rejected', true],
    ['dry-run', false],
  ] as const)(
    'sends the same episode again after %s when the hub would process it again',
    (outcome, dryRun) => {
      expect(
        scanDecision([record(`${BASE}#3`, outcome), record(BASE, 'remediated')], BASE, dryRun),
      ).toMatchObject({
        send: true,
        episode: 3,
        why: 'again',
      });
    },
  );

  it.each(['remediated', 'already-compliant', 'exempt'] as const)(
    'sends the next episode when rules recorded %s are open again',
    (outcome) => {
      expect(
        scanDecision([record(BASE, 'remediated'), record(`${BASE}#2`, outcome)], BASE, false),
      ).toMatchObject({
        send: true,
        episode: 3,
        why: 'reopened',
      });
    },
  );

  it('ignores keys that only start like the rules', () => {
    expect(
      scanDecision([record(`${BASE}#x`, 'remediated'), record(`${BASE}0`, 'remediated')], BASE, false),
    ).toMatchObject({ send: true, episode: 1, why: 'new' });
  });
});
