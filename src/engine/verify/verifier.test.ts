import { describe, expect, it } from 'vitest';
import { splitSegments } from './verifier';
import type { Segment } from './queries';

const rowsOf = (group: readonly Segment[], occupied: bigint): bigint =>
  group.reduce((sum, segment) => {
    const end = segment.start + segment.width < occupied ? segment.start + segment.width : occupied;
    return sum + (end > segment.start ? end - segment.start : 0n);
  }, 0n);

describe('splitSegments', () => {
  it('gives each connection about the same rows when integer keys fill only part of the position space', () => {
    // 10M keys in a 2^24 space: halving the space gave one connection 8.4M rows and the other 1.6M.
    const occupied = 10_000_000n;
    const groups = splitSegments([{ start: 0n, width: 1n << 24n }], 2, 512n, occupied);
    expect(groups).toHaveLength(2);
    const [first = [], second = []] = groups;
    expect(Number(rowsOf(first, occupied))).toBeGreaterThan(4_400_000);
    expect(Number(rowsOf(second, occupied))).toBeGreaterThan(4_400_000);
    // Every position is still scanned (rows added above the range since verify began are not left out), once.
    const all = groups.flat().sort((a, b) => (a.start < b.start ? -1 : 1));
    let next = 0n;
    for (const segment of all) {
      expect(segment.start).toBe(next);
      expect(segment.width % 512n).toBe(0n);
      next = segment.start + segment.width;
    }
    expect(next).toBe(1n << 24n);
    // Groups are runs of adjacent segments: one key range each.
    expect(first.every((segment) => second.every((other) => segment.start < other.start))).toBe(true);
  });

  it('splits key-hash positions by width, never below the child width, and keeps many segments as they are', () => {
    const hashGroups = splitSegments([{ start: 0n, width: 1n << 60n }], 2, 1n << 50n);
    expect(hashGroups.map((group) => group.reduce((sum, segment) => sum + segment.width, 0n))).toEqual([1n << 59n, 1n << 59n]);
    expect(splitSegments([{ start: 0n, width: 64n }], 4, 32n)).toEqual([[{ start: 0n, width: 32n }], [{ start: 32n, width: 32n }]]);
    const many = Array.from({ length: 100 }, (_, index) => ({ start: BigInt(index) * 1024n, width: 512n }));
    const groups = splitSegments(many, 2, 16n, 1n << 20n);
    expect(groups.flat()).toEqual(many);
    expect(groups.map((group) => group.length)).toEqual([50, 50]);
  });

  it('weighs segments wholly above the keys range by width rather than dropping them', () => {
    const groups = splitSegments([{ start: 4096n, width: 1024n }], 2, 32n, 100n);
    expect(groups.flat().reduce((sum, segment) => sum + segment.width, 0n)).toBe(1024n);
    expect(groups).toHaveLength(2);
  });
});
