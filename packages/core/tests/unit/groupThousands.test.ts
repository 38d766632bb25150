import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { groupThousands } from '../../src/groupThousands.js';

describe('groupThousands', () => {
  it.each([
    [0, '0'],
    [999, '999'],
    [1_024, '1,024'],
    [65_536, '65,536'],
    [1_000_000, '1,000,000'],
    [-12_345, '-12,345'],
  ])('writes %d as %s', (value, text) => {
    expect(groupThousands(value)).toBe(text);
  });

  it("writes every safe integer as toLocaleString('en-US') does", () => {
    fc.assert(
      fc.property(fc.maxSafeInteger(), (value) => {
        expect(groupThousands(value)).toBe(value.toLocaleString('en-US'));
      }),
    );
  });
});
