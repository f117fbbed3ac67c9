import { describe, expect, it } from 'vitest';
import { choosePartitions, parsePartitionList, parseTimestamp, planPartitions, type PartitionRange } from './startPositions';

const ranges: PartitionRange[] = [
  { partition: 0, low: 10n, high: 110n },
  { partition: 1, low: 0n, high: 3n },
  { partition: 2, low: 5n, high: 5n },
];

describe('start positions', () => {
  it('plans every start mode per partition', () => {
    expect(planPartitions(ranges, 'oldest', { limit: 500 })).toEqual([
      { partition: 0, start: 10n, end: 110n },
      { partition: 1, start: 0n, end: 3n },
      { partition: 2, start: 5n, end: 5n },
    ]);
    // newest: the limit split over partitions, never before the oldest offset still kept.
    expect(planPartitions(ranges, 'newest', { limit: 30 }).map((plan) => plan.start)).toEqual([100n, 0n, 5n]);
    expect(planPartitions(ranges, 'live', { limit: 30 }).map((plan) => [plan.start, plan.end])).toEqual([
      [110n, undefined],
      [3n, undefined],
      [5n, undefined],
    ]);
    expect(planPartitions(ranges, 'offset', { limit: 30, offset: '50' }).map((plan) => plan.start)).toEqual([50n, 3n, 5n]);
    expect(planPartitions(ranges, 'offset', { limit: 30, offset: '0' }).map((plan) => plan.start)).toEqual([10n, 0n, 5n]);
    const byTime = new Map([
      [0, 42n],
      [1, -1n],
    ]);
    expect(planPartitions(ranges, 'timestamp', { limit: 30, timestampOffsets: byTime }).map((plan) => plan.start)).toEqual([42n, 3n, 5n]);
  });

  it('refuses a bad offset, timestamp or partition, saying what is allowed', () => {
    expect(() => planPartitions(ranges, 'offset', { limit: 1, offset: '-3' })).toThrow(/not a whole number/);
    expect(() => parseTimestamp('yesterday-ish')).toThrow(/ISO time .* or epoch milliseconds/);
    expect(parseTimestamp('2024-01-01T00:00:00Z')).toBe(Date.UTC(2024, 0, 1));
    expect(parseTimestamp('1700000000000')).toBe(1700000000000);
    expect(() => choosePartitions(ranges, [1, 7], 'orders')).toThrow(/partitions 0–2; partition 7 does not exist/);
    expect(choosePartitions(ranges, [2, 0, 2], 'orders').map((range) => range.partition)).toEqual([0, 2]);
    expect(choosePartitions(ranges, [], 'orders')).toHaveLength(3);
  });

  it('parses partition lists with ranges', () => {
    expect(parsePartitionList('0, 2,5-7')).toEqual([0, 2, 5, 6, 7]);
    expect(parsePartitionList('')).toEqual([]);
    expect(() => parsePartitionList('3-1')).toThrow(/not a range/);
    expect(() => parsePartitionList('x')).toThrow(/not a number or a range/);
  });
});
