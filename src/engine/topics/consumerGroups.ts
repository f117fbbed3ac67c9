import type { ConsumerGroupState, OffsetResetTarget } from '../../shared/api/topics';
import { topicsError } from './errors';
import { parseTimestamp, type PartitionRange } from './startPositions';

const STATES = new Set<ConsumerGroupState>(['Stable', 'Empty', 'PreparingRebalance', 'CompletingRebalance', 'Dead']);

export function groupStateOf(state: string | undefined): ConsumerGroupState {
  return STATES.has(state as ConsumerGroupState) ? (state as ConsumerGroupState) : 'Unknown';
}

/** A group whose offsets may be moved: nobody consumes with it (Kafka would overwrite the reset on the next commit). */
export function isInactive(state: ConsumerGroupState, members: number): boolean {
  return members === 0 && (state === 'Empty' || state === 'Dead');
}

/** Committed offset (kafkajs gives "-1" when none) and the records left to read. */
export function partitionLag(committed: string, low: string, high: string): { committed: string | null; lag: string } {
  const end = BigInt(high);
  const start = BigInt(low);
  if (BigInt(committed) < 0n) return { committed: null, lag: (end - start).toString() };
  const at = BigInt(committed);
  // A committed offset below the log start (retention deleted records) reads from the start.
  const from = at < start ? start : at;
  return { committed: at.toString(), lag: (end > from ? end - from : 0n).toString() };
}

export interface ResetPlanOptions {
  /** For `timestamp`: the first offset at or after the time per partition (-1 or absent: none, the end). */
  timestampOffsets?: ReadonlyMap<number, bigint>;
  offset?: string;
}

/** The offset each chosen partition moves to. */
export function planReset(ranges: readonly PartitionRange[], to: OffsetResetTarget, options: ResetPlanOptions = {}): { partition: number; offset: string }[] {
  let wanted: bigint | undefined;
  if (to === 'offset') {
    if (options.offset === undefined || !/^\d+$/.test(options.offset.trim())) {
      throw topicsError('TOPICS_BAD_REQUEST', `Offset "${options.offset ?? ''}" must be a whole number ≥ 0 (it is clamped to what each partition holds).`);
    }
    wanted = BigInt(options.offset.trim());
  }
  return ranges.map((range) => {
    let offset: bigint;
    switch (to) {
      case 'earliest':
        offset = range.low;
        break;
      case 'latest':
        offset = range.high;
        break;
      case 'timestamp': {
        const found = options.timestampOffsets?.get(range.partition);
        offset = found === undefined || found < 0n ? range.high : found;
        break;
      }
      case 'offset':
        offset = (wanted as bigint) < range.low ? range.low : (wanted as bigint) > range.high ? range.high : (wanted as bigint);
        break;
      default:
        throw topicsError('TOPICS_BAD_REQUEST', `Reset target "${String(to)}" must be earliest, latest, timestamp or offset.`);
    }
    return { partition: range.partition, offset: offset.toString() };
  });
}

export { parseTimestamp };
