import type { Segment } from './queries';

/** Count and hash sum of one segment on one side. */
export interface SegmentSums {
  count: bigint;
  sum: bigint;
}

/** Checksums of the child segments (width `childWidth`) of `within`, keyed by start. */
export type ChecksumFn = (within: readonly Segment[], childWidth: bigint) => Promise<Map<bigint, SegmentSums>>;

export interface BisectionOptions {
  /** Size of the position space, a power of two: 2^60 for key hashes, the integer key range rounded up. */
  space: bigint;
  /** First-level segment count, a power of two. */
  segments: number;
  /** Children per differing segment, a power of two. */
  factor: number;
  /** A differing segment with at most this many rows on each side becomes a leaf. */
  threshold: number;
  /** Called after each level: segments checked so far, an upper bound of those to check, source rows matched. */
  onLevel?: (checked: number, total: number, rowsMatched: bigint) => void;
}

/** A differing segment small enough to fetch. */
export interface Leaf {
  segment: Segment;
  sourceCount: bigint;
  targetCount: bigint;
}

export interface BisectionResult {
  leaves: Leaf[];
  sourceRows: bigint;
  targetRows: bigint;
  /** Source rows in segments whose checksums matched. */
  rowsMatched: bigint;
  segmentsChecked: number;
}

export function isPowerOfTwo(value: number): boolean {
  return Number.isInteger(value) && value >= 1 && (value & (value - 1)) === 0;
}

/** A first-level segment count for about `rowsPerSegment` rows each: a power of two from 32 to 65,536. */
export function defaultSegmentCount(estimatedRows: number, rowsPerSegment: number): number {
  let segments = 32;
  while (segments < 65_536 && segments * rowsPerSegment < estimatedRows) segments *= 2;
  return segments;
}

const EMPTY: SegmentSums = { count: 0n, sum: 0n };

/**
 * data-diff's checksum bisection: both sides are asked, at the same time, for per-segment counts and hash sums;
 * equal segments are done, differing ones are split `factor` ways until they hold at most `threshold` rows, and
 * those leaves are fetched. Segments are ranges of a position that every engine computes identically (an integer
 * key, or a hash of the key's canonical text), never of an engine's own key order, so collations, composite keys
 * and string keys cannot misalign them.
 */
export async function bisect(source: ChecksumFn, target: ChecksumFn, options: BisectionOptions): Promise<BisectionResult> {
  const result: BisectionResult = { leaves: [], sourceRows: 0n, targetRows: 0n, rowsMatched: 0n, segmentsChecked: 0 };
  let within: Segment[] = [{ start: 0n, width: options.space }];
  let childWidth = options.space / BigInt(options.segments);
  let levelSize = options.segments;
  let total = options.segments;
  const factor = BigInt(options.factor);
  for (let level = 0; ; level += 1) {
    const [sourceSums, targetSums] = await Promise.all([source(within, childWidth), target(within, childWidth)]);
    const starts = new Set([...sourceSums.keys(), ...targetSums.keys()]);
    const next: Segment[] = [];
    for (const start of [...starts].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))) {
      const a = sourceSums.get(start) ?? EMPTY;
      const b = targetSums.get(start) ?? EMPTY;
      if (level === 0) {
        result.sourceRows += a.count;
        result.targetRows += b.count;
      }
      if (a.count === b.count && a.sum === b.sum) {
        result.rowsMatched += a.count;
        continue;
      }
      const segment = { start, width: childWidth };
      const largest = a.count > b.count ? a.count : b.count;
      if (largest <= BigInt(options.threshold) || childWidth < factor) result.leaves.push({ segment, sourceCount: a.count, targetCount: b.count });
      else next.push(segment);
    }
    result.segmentsChecked += levelSize;
    if (next.length > 0) {
      levelSize = next.length * options.factor;
      total += levelSize;
    }
    options.onLevel?.(result.segmentsChecked, total, result.rowsMatched);
    if (next.length === 0) return result;
    within = next;
    childWidth /= factor;
  }
}
