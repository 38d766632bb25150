import { describe, expect, it } from 'vitest';
import { LeaseContentionError } from '../../src/index.js';
import { assertLeaseMargin, leaseMarginMs } from '../../src/leaseMargin.js';

const at = (iso: string) => ({ now: () => new Date(iso) });
const lease = (leaseExpiresAt: string, leaseSeconds: number) => ({
  alertId: 'a-1',
  eventKey: 'fail',
  accountId: '111111111111',
  groupId: 'sg-0123456789abcdef0',
  leaseExpiresAt: Date.parse(leaseExpiresAt),
  leaseSeconds,
});

describe('leaseMarginMs', () => {
  it.each([
    [120, 12_000],
    [60, 10_000],
    [900, 90_000],
    [5, 2_500],
    [15, 7_500],
  ])(
    'keeps a margin of 10 %% of a %i s lease, at least 10 s and at most half of it: %i ms',
    (seconds, margin) => {
      expect(leaseMarginMs(seconds)).toBe(margin);
    },
  );
});

describe('assertLeaseMargin', () => {
  it('lets a change start while more than the margin is left', () => {
    expect(() =>
      assertLeaseMargin(at('2026-01-01T00:01:47Z'), lease('2026-01-01T00:02:00Z', 120)),
    ).not.toThrow();
  });

  it('refuses a change with a retryable LeaseContentionError once the margin is reached, and after expiry', () => {
    for (const now of ['2026-01-01T00:01:48Z', '2026-01-01T00:05:00Z']) {
      const error = (() => {
        try {
          assertLeaseMargin(at(now), lease('2026-01-01T00:02:00Z', 120));
        } catch (e) {
          return e;
        }
        return undefined;
      })();
      expect(error).toBeInstanceOf(LeaseContentionError);
      expect(error).toMatchObject({ retryable: true, alertId: 'a-1', groupId: 'sg-0123456789abcdef0' });
    }
  });
});
