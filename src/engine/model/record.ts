import type { RecordSchema, Row } from './schema';
import type { TableId } from './table';

/** c = create, u = update, d = delete, r = read during a snapshot (Debezium's letters). */
export type ChangeOp = 'c' | 'u' | 'd' | 'r';

/**
 * Where a source is in its database, as plain JSON so it can be checkpointed. Its shape belongs to the source
 * kind: polling readers keep the incrementing id and the timestamp, log readers a binlog file/pos or an LSN.
 */
export type Position = { readonly [key: string]: string | number | boolean | null };

/** One row change, as a source reader emits it and before any conversion to Kafka bytes. */
export interface ChangeRecord {
  table: TableId;
  op: ChangeOp;
  keySchema: RecordSchema | null;
  key: Row | null;
  valueSchema: RecordSchema;
  /** The row after the change; null for a delete. */
  after: Row | null;
  /** The row before the change, when the source knows it (log-based capture). */
  before?: Row | null;
  /** Position after this record; checkpointed only once Kafka acknowledged the record. */
  position: Position;
  /** When the change happened in the source, in epoch milliseconds, when known (Debezium's `source.ts_ms`). */
  sourceTimestampMs?: number;
  /**
   * The change's time for end-to-end latency, when the log's own time is coarser than that: a binlog event carries
   * whole seconds, so `sourceTimestampMs` alone would add up to a second (half on average) to every latency sample.
   */
  latencyTimestampMs?: number;
}

/** A record as a sink receives it from Kafka, after the converter decoded key and value. */
export interface SinkRecord {
  topic: string;
  partition: number;
  offset: string;
  timestampMs: number;
  keySchema: RecordSchema | null;
  key: Row | null;
  valueSchema: RecordSchema | null;
  /** null is a tombstone. */
  value: Row | null;
  headers: Record<string, Uint8Array>;
}
