import type { StartMode } from '../../shared/api/topics';
import { topicsError } from './errors';

export interface PartitionRange {
  partition: number;
  low: bigint;
  high: bigint;
}

export interface PartitionPlan {
  partition: number;
  /** First offset to read. */
  start: bigint;
  /** Stop before this offset (the high watermark when the read began); undefined for a live tail. */
  end: bigint | undefined;
}

export const DEFAULT_LIMIT = 500;
export const MAX_LIMIT = 100_000;

/** Picks the chosen partitions out of the topic's, naming any that do not exist. */
export function choosePartitions(ranges: readonly PartitionRange[], chosen: readonly number[] | undefined, topic: string): PartitionRange[] {
  if (!chosen || chosen.length === 0) return [...ranges];
  const byId = new Map(ranges.map((range) => [range.partition, range]));
  const missing = chosen.filter((partition) => !byId.has(partition));
  if (missing.length > 0) {
    throw topicsError('TOPICS_BAD_REQUEST', `Topic ${topic} has partitions 0–${ranges.length - 1}; partition ${missing.join(', ')} does not exist. Choose from those.`);
  }
  return [...new Set(chosen)].sort((a, b) => a - b).map((partition) => byId.get(partition) as PartitionRange);
}

/** Parses "0,2,5-7" into partition numbers; empty text means all. */
export function parsePartitionList(text: string): number[] {
  const out: number[] = [];
  for (const part of text.split(',').map((item) => item.trim()).filter(Boolean)) {
    const range = /^(\d+)\s*-\s*(\d+)$/.exec(part);
    if (range) {
      const from = Number(range[1]);
      const to = Number(range[2]);
      if (to < from || to - from > 10_000) throw topicsError('TOPICS_BAD_REQUEST', `Partitions: "${part}" is not a range from low to high.`);
      for (let partition = from; partition <= to; partition++) out.push(partition);
    } else if (/^\d+$/.test(part)) out.push(Number(part));
    else throw topicsError('TOPICS_BAD_REQUEST', `Partitions: "${part}" is not a number or a range like 2-5.`);
  }
  return out;
}

export function parseTimestamp(text: string | undefined): number {
  const trimmed = (text ?? '').trim();
  const value = /^\d+$/.test(trimmed) ? Number(trimmed) : Date.parse(trimmed);
  if (trimmed === '' || !Number.isFinite(value)) {
    throw topicsError('TOPICS_BAD_REQUEST', `Timestamp "${trimmed}" is not a date: use ISO time (2026-01-31T12:00:00Z) or epoch milliseconds.`);
  }
  return value;
}

/**
 * Where each partition starts and ends for a start mode. `newest` splits `limit` evenly over the partitions (the
 * last records of each), `offset` clamps to what the log holds, `timestamp` uses the offsets Kafka found for the time.
 */
export function planPartitions(
  ranges: readonly PartitionRange[],
  mode: StartMode,
  options: { limit: number; offset?: string; timestampOffsets?: ReadonlyMap<number, bigint> },
): PartitionPlan[] {
  const clamp = (value: bigint, range: PartitionRange): bigint => (value < range.low ? range.low : value > range.high ? range.high : value);
  let offset: bigint | undefined;
  if (mode === 'offset') {
    if (!/^\d+$/.test((options.offset ?? '').trim())) {
      throw topicsError('TOPICS_BAD_REQUEST', `Offset "${options.offset ?? ''}" is not a whole number ≥ 0.`);
    }
    offset = BigInt((options.offset ?? '0').trim());
  }
  const perPartition = BigInt(Math.max(1, Math.ceil(options.limit / Math.max(1, ranges.length))));
  return ranges.map((range) => {
    switch (mode) {
      case 'live':
        return { partition: range.partition, start: range.high, end: undefined };
      case 'oldest':
        return { partition: range.partition, start: range.low, end: range.high };
      case 'newest':
        return { partition: range.partition, start: clamp(range.high - perPartition, range), end: range.high };
      case 'offset':
        return { partition: range.partition, start: clamp(offset ?? 0n, range), end: range.high };
      case 'timestamp': {
        const found = options.timestampOffsets?.get(range.partition);
        // -1 (or nothing) means no record at or after the time: start at the end, read nothing.
        return { partition: range.partition, start: found === undefined || found < 0n ? range.high : clamp(found, range), end: range.high };
      }
    }
  });
}
