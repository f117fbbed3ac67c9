import type { QueryValue } from './query';

/** Which row to follow: a source table of a pipeline and its key. */
export interface TraceRequest {
  /** A running pipeline, or one that ran in this session (or is saved in the workspace). */
  pipeline: string;
  /** The source table as the pipeline reports it (`table` or `schema.table`). */
  table: string;
  /**
   * Column → value of the row. Extra columns are fine (a whole result row can be passed): only the table's primary
   * key columns are used (without a primary key: the connector's incrementing column, else every column given).
   */
  key: Record<string, QueryValue>;
  /** Records read from the topic at most (default 100,000); the report says when the cap stopped the scan. */
  maxScan?: number;
  /** `auto` (default): the whole topic when it is within the cap, else from the row's change time; `all`: from the beginning. */
  scan?: 'auto' | 'all';
}

/** A row as one side holds it now. */
export interface TraceRow {
  found: boolean;
  /** `postgres://user@host:port/db` (never the password). */
  database: string;
  table: string;
  columns: string[];
  values: QueryValue[];
  /** When the row last changed, from the source's timestamp column(s) (timestamp modes), ISO UTC. */
  changedAt?: string;
  changedAtMs?: number;
  changedAtColumn?: string;
}

/** How the sink applied a record: the chunk (one target transaction) it was part of. */
export interface TraceSinkWrite {
  connector: string;
  targetTable: string;
  topic: string;
  partition: number;
  firstOffset: string;
  lastOffset: string;
  /** Records in that chunk. */
  records: number;
  /** When the target transaction committed (ISO); absent when known only from the committed consumer offset. */
  committedAt?: string;
  committedAtMs?: number;
  /**
   * `applied-log`: this engine's sink applied it (exact chunk and commit time). `committed-offset`: the sink's
   * consumer group committed past it (applied, time unknown: before this engine watched). `dead-letter`: the record
   * failed and went to the dead letter topic. `pending`: not applied yet (sink lag).
   */
  evidence: 'applied-log' | 'committed-offset' | 'dead-letter' | 'pending';
}

export interface TraceRecord {
  topic: string;
  partition: number;
  offset: string;
  /** Kafka's timestamp of the record (ISO) and epoch ms. */
  timestamp: string;
  timestampMs: number;
  /** `ferry.source.ts`: when the change happened at the source (epoch ms), when the record carries it. */
  sourceTimestampMs?: number;
  schemaId?: number;
  subject?: string;
  version?: number;
  /** c insert, u update, d delete; JDBC sources send whole rows, so c/u is inferred from the order of records. */
  op: 'c' | 'u' | 'd';
  opInferred: boolean;
  /**
   * A log-captured record (a Debezium change event): where the change is in the database's log, from the event's
   * source block — `mariadb-bin.000003:1234` (with ` row N` past the first row of an event) or `LSN 0/16B3748`.
   */
  sourcePosition?: string;
  /** A log-captured record read by the snapshot (Debezium op `r`), not from the log. */
  snapshot?: boolean;
  tombstone: boolean;
  /** The decoded value as the sink sees it (null for a tombstone). */
  value: Record<string, QueryValue> | null;
  headers: Record<string, string>;
  write?: TraceSinkWrite;
}

/** One hop of the journey and how long it took. */
export interface TraceHop {
  from: 'source' | 'kafka' | 'sink';
  to: 'kafka' | 'sink' | 'target';
  label: string;
  ms: number;
}

export interface TraceColumnDifference {
  name: string;
  /** Canonical text both sides were compared as (Verify's normalisation). */
  source: string | null;
  target: string | null;
}

export interface TraceReport {
  pipeline: string;
  sourceConnector: string;
  sinkConnector?: string;
  topic: string;
  /** The key actually used, column → value. */
  key: Record<string, QueryValue>;
  source: TraceRow;
  records: TraceRecord[];
  scan: {
    partitions: number;
    /** Records read, and the offsets each partition was read from/to. */
    scanned: number;
    from: 'beginning' | 'row-time' | 'tail';
    capped: boolean;
    ranges: { partition: number; from: string; to: string }[];
  };
  target?: TraceRow & {
    /** Equal after Verify's normalisation; undefined when it could not be compared. */
    equal?: boolean;
    differences: TraceColumnDifference[];
  };
  /** Source change → Kafka append → target commit, for the record that carries the row's current state. */
  hops: TraceHop[];
  /** Source change → target commit. */
  totalMs?: number;
  notes: string[];
  tookMs: number;
}

export interface ITraceApi {
  /** A row's journey; rejects with TRACE_* errors naming the unknown pipeline, table or key column. */
  row(request: TraceRequest): Promise<TraceReport>;
}
