import { describe, expect, it } from 'vitest';
import {
  claimSlots,
  DEFAULT_PACING_BURST,
  pacingEngaged,
  SHARED_RATE_SHARE,
  scheduleFloor,
  slotMillis,
  slotsEndingAt,
  slotsToClaim,
} from '../../src/pacing.js';
import { loadConfig } from '../../src/settings.js';

describe('the shared schedule', () => {
  it('spaces slots a little wider than the AWS refill, so the AWS bucket gains what jitter costs', () => {
    expect(SHARED_RATE_SHARE).toBeLessThan(1);
    expect(SHARED_RATE_SHARE).toBeGreaterThanOrEqual(0.9);
    expect(slotMillis(5)).toBeCloseTo(1000 / 4.8);
    expect(slotMillis(5, 1)).toBe(200);
    expect(() => slotMillis(0)).toThrow(RangeError);
  });

  it('claims as many slots as calls wait, at most the grant and at least one', () => {
    expect(slotsToClaim(1, 5)).toBe(1);
    expect(slotsToClaim(3, 5)).toBe(3);
    expect(slotsToClaim(40, 5)).toBe(5);
    expect(slotsToClaim(0, 5)).toBe(1);
  });

  it('starts a busy schedule at its first free slot, an idle one at most `burst` slots back', () => {
    // No credit: an idle schedule starts now.
    expect(claimSlots(undefined, 1000, 3, 200, 0)).toEqual({
      slots: [1000, 1200, 1400],
      nextAt: 1600,
      busy: false,
    });
    // A schedule idle for long gives `burst` slots of credit (used at once), no more.
    expect(claimSlots(undefined, 10_000, 3, 200, 5)).toEqual({
      slots: [9000, 9200, 9400],
      nextAt: 9600,
      busy: false,
    });
    expect(claimSlots(0, 10_000, 1, 200, 5).slots).toEqual([9000]);
    // Idle for less than the burst: the credit is the idle time.
    expect(claimSlots(9600, 10_000, 2, 200, 5)).toEqual({ slots: [9600, 9800], nextAt: 10_000, busy: false });
    // Busy: after the others' slots.
    expect(claimSlots(10_800, 10_000, 2, 200, 5)).toEqual({
      slots: [10_800, 11_000],
      nextAt: 11_200,
      busy: true,
    });
    expect(scheduleFloor(10_000, 200, 5)).toBe(9000);
    expect(DEFAULT_PACING_BURST).toBeLessThan(50);
  });

  it('recovers a busy claim’s slots from the nextAt its atomic add returned', () => {
    const { slots, nextAt } = claimSlots(1800, 1000, 3, 200);
    expect(slotsEndingAt(nextAt, 3, 200)).toEqual(slots);
  });

  it('two claims one after the other never share a slot, whatever their order', () => {
    const first = claimSlots(undefined, 1000, 4, 250);
    const second = claimSlots(first.nextAt, 1100, 4, 250);
    expect(new Set([...first.slots, ...second.slots]).size).toBe(8);
    expect(Math.min(...second.slots)).toBe(Math.max(...first.slots) + 250);
  });

  it('stays engaged for the window after the last throttle or busy claim, and not before any', () => {
    expect(pacingEngaged(undefined, 1000, 60_000)).toBe(false);
    expect(pacingEngaged(1000, 1000, 60_000)).toBe(true);
    expect(pacingEngaged(1000, 60_999, 60_000)).toBe(true);
    expect(pacingEngaged(1000, 61_000, 60_000)).toBe(false);
  });
});

describe('the pacing settings', () => {
  const valid = {
    LEDGER_TABLE: 'remediation-hub-ledger',
    MEMBER_ROLE_NAME: 'RemediationHubMemberRole',
    MEMBER_EXTERNAL_ID: 'd2f0c4c6-1a4e-4f55-9d0e-0c1f8f5e7a11',
    ALLOWED_ACCOUNTS: '111111111111',
    AWS_REGION: 'eu-west-1',
  };

  it('paces alone without a pacing table, shared with one', () => {
    expect(loadConfig(valid)).toMatchObject({
      pacing: 'local',
      pacingTable: undefined,
      pacingWindowSeconds: 60,
    });
    expect(loadConfig({ ...valid, PACING_TABLE: 'hub-pacing' })).toMatchObject({
      pacing: 'shared',
      pacingTable: 'hub-pacing',
    });
    expect(loadConfig({ ...valid, PACING_TABLE: 'hub-pacing', PACING: 'local' }).pacing).toBe('local');
    expect(loadConfig({ ...valid, PACING_WINDOW_SECONDS: '120' }).pacingWindowSeconds).toBe(120);
  });

  it('refuses shared pacing without a table, an unknown mode and a bad window', () => {
    expect(() => loadConfig({ ...valid, PACING: 'shared' })).toThrow(/PACING=shared needs PACING_TABLE/);
    expect(() => loadConfig({ ...valid, PACING: 'fifo' })).toThrow(/PACING must be one of local, shared/);
    expect(() => loadConfig({ ...valid, PACING_WINDOW_SECONDS: '0' })).toThrow(/PACING_WINDOW_SECONDS/);
    expect(() => loadConfig({ ...valid, PACING_TABLE: 'a' })).toThrow(/PACING_TABLE/);
  });
});
