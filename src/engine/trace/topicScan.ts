import { randomUUID } from 'node:crypto';
import { isEngineError } from '../../shared/errors';
import type { FetchedMessage, KafkaClient } from '../kafka';
import { traceError } from './errors';

export interface PartitionRange {
  partition: number;
  low: bigint;
  high: bigint;
}

/** Read offsets [from, to) of one partition. */
export interface PartitionScan {
  partition: number;
  from: bigint;
  to: bigint;
}

export interface ScanPlan {
  partitions: PartitionScan[];
  from: 'beginning' | 'row-time' | 'tail';
  /** The cap cut the scan short of what the start point asked for. */
  capped: boolean;
}

/**
 * Where to read a topic for one row. Records of JDBC sources have null keys, so they can sit in any partition and
 * must be found by their values: the whole topic when it fits the cap (every version of the row), else from the row's
 * change time (offsetsForTimes, `rowTimeOffsets`), else the newest records. A cap always holds, split evenly.
 */
export function planScan(ranges: readonly PartitionRange[], options: { cap: number; all: boolean; rowTimeOffsets?: ReadonlyMap<number, bigint> }): ScanPlan {
  const total = ranges.reduce((sum, range) => sum + (range.high - range.low), 0n);
  const cap = BigInt(Math.max(1, options.cap));
  const perPartition = ranges.length === 0 ? cap : (cap + BigInt(ranges.length) - 1n) / BigInt(ranges.length);
  if (total <= cap) {
    return { partitions: ranges.map((range) => ({ partition: range.partition, from: range.low, to: range.high })), from: 'beginning', capped: false };
  }
  if (options.all) {
    // From the beginning as asked, as far as the cap goes.
    return { partitions: ranges.map((range) => ({ partition: range.partition, from: range.low, to: min(range.high, range.low + perPartition) })), from: 'beginning', capped: true };
  }
  const rowTime = options.rowTimeOffsets;
  if (rowTime) {
    let capped = false;
    const partitions = ranges.map((range) => {
      const found = rowTime.get(range.partition);
      // -1 (no record at or after the time) reads nothing of that partition.
      const from = found === undefined || found < 0n ? range.high : max(range.low, min(found, range.high));
      const to = min(range.high, from + perPartition);
      if (to < range.high) capped = true;
      return { partition: range.partition, from, to };
    });
    return { partitions, from: 'row-time', capped };
  }
  return { partitions: ranges.map((range) => ({ partition: range.partition, from: max(range.low, range.high - perPartition), to: range.high })), from: 'tail', capped: true };
}

function min(a: bigint, b: bigint): bigint {
  return a < b ? a : b;
}

function max(a: bigint, b: bigint): bigint {
  return a > b ? a : b;
}

/** A scan with no new record for this long has read all there is (compaction gaps, transaction markers). */
const IDLE_END_MS = 5_000;

/**
 * Reads the planned offsets of a topic with a private, never-committed consumer group (deleted afterwards) and hands
 * every record to `onRecord`. Resolves with the number of records read.
 */
export async function scanTopic(kafka: KafkaClient, topic: string, scans: readonly PartitionScan[], onRecord: (partition: number, message: FetchedMessage) => Promise<void> | void): Promise<number> {
  const open = new Map(scans.filter((scan) => scan.from < scan.to).map((scan) => [scan.partition, scan]));
  if (open.size === 0) return 0;
  const groupId = `ferry-trace-${randomUUID()}`;
  // The session's one member gets exactly the partitions to scan (no rebalancing across other members).
  const consumer = kafka.consumer({ groupId, fixedAssignment: { topic, partitions: [...open.keys()] }, maxWaitMs: 250, allowAutoTopicCreation: false, retry: { retries: 3 } });
  let scanned = 0;
  let failure: unknown;
  let last = Date.now();
  try {
    await consumer.connect();
    await consumer.subscribe({ topics: [topic], fromBeginning: false });
    const finished = new Promise<void>((resolve) => {
      const timer = setInterval(() => {
        if (open.size === 0 || failure !== undefined || Date.now() - last > IDLE_END_MS) {
          clearInterval(timer);
          resolve();
        }
      }, 50);
      consumer.on('crash', (event) => {
        failure = event.error;
      });
    });
    await consumer.run({
      autoCommit: false,
      eachBatch: async ({ batch, isRunning, isStale }) => {
        const scan = open.get(batch.partition);
        if (!scan) return;
        for (const message of batch.messages) {
          if (!isRunning() || isStale() || failure !== undefined) return;
          const offset = BigInt(message.offset);
          if (offset >= scan.to) {
            open.delete(batch.partition);
            return;
          }
          if (offset < scan.from) continue;
          last = Date.now();
          scanned++;
          try {
            await onRecord(batch.partition, message);
          } catch (error) {
            failure = error;
            return;
          }
          if (offset + 1n >= scan.to) {
            open.delete(batch.partition);
            return;
          }
        }
      },
    });
    for (const scan of open.values()) consumer.seek({ topic, partition: scan.partition, offset: scan.from.toString() });
    last = Date.now();
    await finished;
  } finally {
    await consumer.disconnect().catch(() => {});
    const admin = kafka.admin();
    await admin
      .connect()
      .then(() => admin.deleteGroups([groupId]))
      .catch(() => {})
      .finally(() => void admin.disconnect().catch(() => {}));
  }
  if (failure !== undefined) {
    if (isEngineError(failure)) throw failure;
    throw traceError('TRACE_KAFKA_FAILED', `Reading topic ${topic} failed: ${failure instanceof Error ? failure.message : String(failure)}`, { cause: failure });
  }
  return scanned;
}
