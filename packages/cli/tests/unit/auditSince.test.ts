import { describe, expect, it } from 'vitest';
import { parseSince } from '../../src/operations/parseSince.js';

const NOW = new Date('2025-06-15T12:00:00.000Z');

describe('parseSince', () => {
  it.each([
    ['30m', '2025-06-15T11:30:00.000Z'],
    ['24h', '2025-06-14T12:00:00.000Z'],
    ['7d', '2025-06-08T12:00:00.000Z'],
    ['2w', '2025-06-01T12:00:00.000Z'],
    ['7D', '2025-06-08T12:00:00.000Z'],
  ])('reads the duration %s back from now', (text, expected) => {
    expect(parseSince(text, NOW).toISOString()).toBe(expected);
  });

  it.each([
    ['2025-06-01', '2025-06-01T00:00:00.000Z'],
    ['2025-06-01T08:30:00Z', '2025-06-01T08:30:00.000Z'],
    ['2025-06-01T08:30:00.250Z', '2025-06-01T08:30:00.250Z'],
    ['2025-06-01T10:30:00+02:00', '2025-06-01T08:30:00.000Z'],
  ])('reads the ISO-8601 time %s', (text, expected) => {
    expect(parseSince(text, NOW).toISOString()).toBe(expected);
  });

  it('refuses a time without a zone rather than guess the machine zone', () => {
    expect(() => parseSince('2025-06-01T08:30:00', NOW)).toThrow(/ISO-8601/);
  });

  it.each(['7', '7 days', 'yesterday', '2025-13-45', '-7d', ''])(
    'refuses %j with a message naming what is accepted',
    (text) => {
      expect(() => parseSince(text, NOW)).toThrow(/30m, 24h, 7d, 2w or an ISO-8601 time/);
    },
  );

  it('refuses a time in the future', () => {
    expect(() => parseSince('2025-07-01', NOW)).toThrow(/in the future/);
  });
});
