import { describe, expect, it } from 'vitest';
import { describeValue } from '../../src/describeIssue.js';

describe('describeValue', () => {
  it('shows a received value as short JSON, and absence as nothing', () => {
    expect(describeValue('12345')).toBe('"12345"');
    expect(describeValue(null)).toBe('null');
    expect(describeValue(undefined)).toBe('nothing');
    expect(describeValue('x'.repeat(100))).toBe(`"${'x'.repeat(59)}…`);
  });

  it('never cuts a character in half: a lone surrogate is not UTF-8, and the ledger refuses the record', () => {
    // The quote and 29 emoji fill 59 of the 60 code units; the 30th emoji does not fit whole.
    const shown = describeValue('😀'.repeat(100));
    expect(shown).toBe(`"${'😀'.repeat(29)}…`);
    // encodeURIComponent throws on a lone surrogate.
    expect(() => encodeURIComponent(shown)).not.toThrow();
  });

  it('names what JSON cannot write by its kind instead of throwing', () => {
    const cycle: Record<string, unknown> = {};
    cycle.self = cycle;
    expect(describeValue(cycle)).toBe('an object too deeply nested to show');
    let deep: unknown[] = [];
    for (let i = 0; i < 20_000; i++) deep = [deep];
    expect(describeValue(deep)).toBe('an array too deeply nested to show');
    expect(describeValue(10n)).toBe('10');
  });
});
