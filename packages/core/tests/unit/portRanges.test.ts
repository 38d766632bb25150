import { describe, expect, it } from 'vitest';
import {
  complementRanges,
  countPorts,
  formatRange,
  intersectRanges,
  normalizeRanges,
  overlapsRanges,
  type PortRange,
  subtractRanges,
} from '../../src/portRanges.js';

const r = (...list: Array<number | [number, number]>): PortRange[] =>
  list.map((p) => (typeof p === 'number' ? { from: p, to: p } : { from: p[0], to: p[1] }));

describe('port ranges', () => {
  it('normalises: sorted, overlapping and adjacent ranges merged, input untouched', () => {
    const input = r(443, 22, [20, 21], [80, 90], [85, 100], 101, [0, 0], 65535);
    const before = structuredClone(input);
    expect(normalizeRanges(input)).toEqual(r(0, [20, 22], [80, 101], 443, 65535));
    expect(input).toEqual(before);
    expect(normalizeRanges([])).toEqual([]);
    expect(normalizeRanges(r([1, 10], [2, 3]))).toEqual(r([1, 10]));
  });

  it('subtracts a set from a range, keeping what lies between and around', () => {
    expect(subtractRanges({ from: 0, to: 65535 }, r(22))).toEqual(r([0, 21], [23, 65535]));
    expect(subtractRanges({ from: 22, to: 22 }, r(22))).toEqual([]);
    expect(subtractRanges({ from: 20, to: 30 }, r([0, 5], [20, 21], 25, [29, 40]))).toEqual(
      r([22, 24], [26, 28]),
    );
    expect(subtractRanges({ from: 20, to: 30 }, r([40, 50]))).toEqual(r([20, 30]));
    expect(subtractRanges({ from: 0, to: 65535 }, r([0, 65535]))).toEqual([]);
  });

  it('intersects a range with a set', () => {
    expect(intersectRanges({ from: 0, to: 65535 }, r(80, 443))).toEqual(r(80, 443));
    expect(intersectRanges({ from: 100, to: 200 }, r([0, 150], [180, 300], 400))).toEqual(
      r([100, 150], [180, 200]),
    );
    expect(intersectRanges({ from: 1, to: 2 }, r(0, 3))).toEqual([]);
  });

  it('tells whether a range holds a port of a set', () => {
    expect(overlapsRanges({ from: 10, to: 30 }, r(5, 30))).toBe(true);
    expect(overlapsRanges({ from: 10, to: 30 }, r(5, 31))).toBe(false);
    expect(overlapsRanges({ from: 10, to: 30 }, [])).toBe(false);
  });

  it('complements, counts and formats', () => {
    expect(complementRanges(r(80, 443))).toEqual(r([0, 79], [81, 442], [444, 65535]));
    expect(complementRanges([])).toEqual(r([0, 65535]));
    expect(countPorts(r([0, 79], 80))).toBe(81);
    expect(formatRange({ from: 22, to: 22 })).toBe('22');
    expect(formatRange({ from: 1000, to: 2000 })).toBe('1000-2000');
  });
});
