/**
 * Sets of tcp/udp ports as sorted, merged, inclusive ranges: what a control closes (EC2.19's 24 ports, "every
 * port but the authorised ones") and what `narrow` re-authorizes. Pure arithmetic; every function returns a new
 * normalised list (sorted by `from`, no overlaps, no two ranges touching).
 */

/** An inclusive range of ports, `from <= to`, each 0-65535. */
export interface PortRange {
  from: number;
  to: number;
}

export const MIN_PORT = 0;
export const MAX_PORT = 65535;

/** Sorted, with overlapping and adjacent ranges merged: 22, 20-21, 80 → 20-22, 80. */
export function normalizeRanges(ranges: readonly PortRange[]): PortRange[] {
  const sorted = [...ranges].sort((a, b) => a.from - b.from || a.to - b.to);
  const out: PortRange[] = [];
  for (const range of sorted) {
    const last = out[out.length - 1];
    if (last !== undefined && range.from <= last.to + 1) {
      if (range.to > last.to) last.to = range.to;
    } else {
      out.push({ from: range.from, to: range.to });
    }
  }
  return out;
}

/** Every port (0-65535) outside the normalised `set`. */
export function complementRanges(set: readonly PortRange[]): PortRange[] {
  return subtractRanges({ from: MIN_PORT, to: MAX_PORT }, set);
}

/** The ports of `range` outside the normalised `set`, as ranges: 0-65535 minus 22 → 0-21, 23-65535. */
export function subtractRanges(range: PortRange, set: readonly PortRange[]): PortRange[] {
  const out: PortRange[] = [];
  let next = range.from;
  for (const hole of set) {
    if (hole.to < next) continue;
    if (hole.from > range.to) break;
    if (hole.from > next) out.push({ from: next, to: hole.from - 1 });
    next = hole.to + 1;
    if (next > range.to) return out;
  }
  out.push({ from: next, to: range.to });
  return out;
}

/** The ports of `range` inside the normalised `set`, as ranges. */
export function intersectRanges(range: PortRange, set: readonly PortRange[]): PortRange[] {
  const out: PortRange[] = [];
  for (const part of set) {
    if (part.to < range.from) continue;
    if (part.from > range.to) break;
    out.push({ from: Math.max(part.from, range.from), to: Math.min(part.to, range.to) });
  }
  return out;
}

/** Whether `range` holds at least one port of the normalised `set`. */
export function overlapsRanges(range: PortRange, set: readonly PortRange[]): boolean {
  for (const part of set) {
    if (part.to < range.from) continue;
    return part.from <= range.to;
  }
  return false;
}

/** How many ports the ranges hold. */
export function countPorts(ranges: readonly PortRange[]): number {
  let count = 0;
  for (const range of ranges) count += range.to - range.from + 1;
  return count;
}

/** `22`, `1000-2000`. */
export function formatRange(range: PortRange): string {
  return range.from === range.to ? `${range.from}` : `${range.from}-${range.to}`;
}
