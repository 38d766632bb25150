import { describe, expect, it } from 'vitest';
import { LEDGER_TABLE, notificationEventKey, OUTCOMES, undoEventKey } from '../../src/index.js';

describe('ledger event keys', () => {
  it('keys a notification by its status, so a fail and a later pass are two items', () => {
    expect(notificationEventKey('fail')).toBe('fail');
    expect(notificationEventKey('pass')).not.toBe(notificationEventKey('fail'));
  });

  it('keys an undo event by status and time', () => {
    expect(undoEventKey('fail', new Date('2026-01-02T03:04:05.678Z'))).toBe(
      'undo#fail#2026-01-02T03:04:05.678Z',
    );
  });

  it('names one index per operator question and the TTL attribute', () => {
    expect(LEDGER_TABLE.globalSecondaryIndexes.map((index) => index.indexName)).toEqual([
      'byAccount',
      'byResource',
      'byOutcome',
      'bySource',
      'byLease',
      'byPendingEvent',
    ]);
    // Every index an audit query answers is sorted by the time of the last write, so --since is a key condition
    // on any of them; byLease (stuck claims) is sorted by when the lease expires.
    const audited = LEDGER_TABLE.globalSecondaryIndexes.filter((index) => index.indexName !== 'byLease');
    expect(new Set(audited.map((index) => index.sortKey.name))).toEqual(new Set(['recordedAt']));
    expect(LEDGER_TABLE.ttlAttribute).toBe('expiresAt');
    expect(new Set(OUTCOMES).size).toBe(OUTCOMES.length);
  });
});
