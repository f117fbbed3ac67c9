import { describe, expect, it } from 'vitest';
import { bisect, type ChecksumFn, defaultSegmentCount, isPowerOfTwo, type SegmentSums } from './bisection';
import type { Segment } from './queries';
import { nextBatch } from './leaves';

/** A side held in memory: position → row hash, summed per child segment the way the databases do. */
function side(rows: Map<bigint, bigint>, calls: Segment[][] = []): ChecksumFn {
  return async (within, childWidth) => {
    calls.push([...within]);
    const sums = new Map<bigint, SegmentSums>();
    for (const [position, hash] of rows) {
      if (!within.some((segment) => position >= segment.start && position < segment.start + segment.width)) continue;
      const start = (position / childWidth) * childWidth;
      const current = sums.get(start) ?? { count: 0n, sum: 0n };
      sums.set(start, { count: current.count + 1n, sum: current.sum + hash });
    }
    return sums;
  };
}

function table(count: number): Map<bigint, bigint> {
  const rows = new Map<bigint, bigint>();
  for (let key = 0; key < count; key += 1) rows.set(BigInt(key), BigInt(key * 7919 + 13));
  return rows;
}

const leafPositions = (leaves: { segment: Segment }[], changed: bigint[]): bigint[] =>
  changed.filter((position) => leaves.some((leaf) => position >= leaf.segment.start && position < leaf.segment.start + leaf.segment.width));

describe('bisect', () => {
  it('finds nothing in identical tables after one level', async () => {
    const calls: Segment[][] = [];
    const result = await bisect(side(table(5000), calls), side(table(5000)), { space: 8192n, segments: 32, factor: 32, threshold: 16 });
    expect(result.leaves).toEqual([]);
    expect(result.sourceRows).toBe(5000n);
    expect(result.rowsMatched).toBe(5000n);
    expect(calls).toHaveLength(1);
  });

  it('recurses into differing segments until they hold at most `threshold` rows, and only into those', async () => {
    const target = table(5000);
    target.delete(17n);
    target.set(4999n, 1n);
    target.set(7000n, 5n);
    const calls: Segment[][] = [];
    const progress: number[][] = [];
    const result = await bisect(side(table(5000), calls), side(target), {
      space: 8192n,
      segments: 4,
      factor: 4,
      threshold: 16,
      onLevel: (checked, total) => progress.push([checked, total]),
    });
    expect(leafPositions(result.leaves, [17n, 4999n, 7000n])).toEqual([17n, 4999n, 7000n]);
    for (const leaf of result.leaves) expect(leaf.sourceCount <= 16n && leaf.targetCount <= 16n).toBe(true);
    expect(result.leaves).toHaveLength(3);
    expect(result.sourceRows).toBe(5000n);
    expect(result.targetRows).toBe(5000n);
    // Level two only looks inside the two large segments that differed at level one (the third, [6144, 8192), holds
    // one target row and no source row: a leaf at once).
    expect(calls[1]).toEqual([
      { start: 0n, width: 2048n },
      { start: 4096n, width: 2048n },
    ]);
    expect(progress.at(-1)?.[0]).toBe(progress.at(-1)?.[1]);
  });

  it('reports a one-sided segment as such (an empty target)', async () => {
    const result = await bisect(side(table(10)), side(new Map()), { space: 16n, segments: 2, factor: 2, threshold: 100 });
    expect(result.leaves.map((leaf) => [leaf.sourceCount, leaf.targetCount])).toEqual([
      [8n, 0n],
      [2n, 0n],
    ]);
  });

  it('stops at segments of one position even above the threshold (duplicate keys)', async () => {
    const crowded = new Map<bigint, bigint>([[3n, 1n]]);
    const result = await bisect(side(crowded), side(new Map([[3n, 2n]])), { space: 8n, segments: 2, factor: 2, threshold: 0 });
    expect(result.leaves).toEqual([{ segment: { start: 3n, width: 1n }, sourceCount: 1n, targetCount: 1n }]);
  });
});

describe('segment counts', () => {
  it('aims at the requested rows per segment, within 32 and 65,536', () => {
    expect(defaultSegmentCount(0, 512)).toBe(32);
    expect(defaultSegmentCount(1_000_000, 512)).toBe(2048);
    expect(defaultSegmentCount(10_000_000, 512)).toBe(32_768);
    expect(defaultSegmentCount(1e12, 512)).toBe(65_536);
  });

  it('knows powers of two', () => {
    expect([1, 2, 32, 1024].every(isPowerOfTwo)).toBe(true);
    expect([0, 3, 1.5, -2].some(isPowerOfTwo)).toBe(false);
  });
});

describe('fetch batches', () => {
  it('groups leaves up to a row budget, at least one leaf each', () => {
    const leaf = (start: bigint, sourceCount: bigint, targetCount: bigint) => ({ segment: { start, width: 1n }, sourceCount, targetCount });
    const leaves = [leaf(0n, 5n, 0n), leaf(1n, 3n, 4n), leaf(2n, 10n, 0n), leaf(3n, 1n, 1n)];
    expect(nextBatch(leaves, 0, 9).map((l) => l.segment.start)).toEqual([0n, 1n]);
    expect(nextBatch(leaves, 2, 1).map((l) => l.segment.start)).toEqual([2n]);
    expect(nextBatch(leaves, 3, 100).map((l) => l.segment.start)).toEqual([3n]);
    expect(nextBatch(leaves, 4, 100)).toEqual([]);
  });
});
