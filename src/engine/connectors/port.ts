/**
 * The connector port (architecture §5), in the spirit of Kafka Connect's SourceTask/SinkTask and Conduit's plug-ins:
 * a source opens at its checkpoint and hands the runner batches of records; a sink takes batches of records and says
 * what it could not apply. Everything around them — the Kafka producer and consumer, acks, checkpoints, offset
 * commits, the dead letter queue, retries with backoff, pause and status — belongs to the runner (pipeline/), so
 * every plug-in behaves alike. A plug-in never imports the Kafka client.
 */
import type { Position, RecordSchema, Row, SinkRecord } from '../model';
import type { ChangeEvent, DebeziumConnector, SchemaChangeEvent } from '../schema';
import type { EngineError } from '../../shared/errors';
import type { KafkaClientSettings } from '../kafka';
import type { ConnectorTableStatus, LogLag } from '../../shared/api/pipelines';
import type { ResolvedDeadLetterQueue, ResolvedErrorHandling, ResolvedKafka, ResolvedPredicate, ResolvedSerde, ResolvedTransform, KeyFormat, SinkTopics, ValueFormat } from '../config';

/** A source's positions by stream key (a table's partition key, `log` for a whole log): what the runner checkpoints. */
export type SourcePositions = Readonly<Record<string, Position>>;

/** A key or value as a row of a schema, before the runner's converter turns it into bytes. */
export interface SchemaRow {
  schema: RecordSchema;
  row: Row;
}

/**
 * What a source hands the runner for one Kafka record. The runner applies the transforms and converters (as a
 * Connect worker does), so a plug-in never sees a Schema Registry or the Kafka client.
 * - `row`: a plain row (the polling source); the transform chain runs on it.
 * - `change`: a Debezium change event (the log sources); the runner writes the envelope (Avro or Connect JSON) or,
 *   with ExtractNewRecordState on the source, the new row state.
 */
export type SourceValue =
  | ({ kind: 'row' } & SchemaRow)
  | { kind: 'change'; schema: RecordSchema; event: ChangeEvent; connector: DebeziumConnector }
  /** A DDL on Debezium's schema change topic (`include.schema.changes`); the runner writes key and value as Debezium does. */
  | { kind: 'schemaChange'; event: SchemaChangeEvent; connector: 'mysql' | 'mariadb' };

export interface SourceRecord {
  /** As the source names it; the runner routes it through the transforms (RegexRouter, …). */
  topic: string;
  key: SchemaRow | null;
  /** null: a tombstone. */
  value: SourceValue | null;
  /** When the change happened at the source (epoch ms); the runner samples it for end-to-end latency. Default: when it was read. */
  sourceTimestampMs?: number;
}

/** How a source captures, carried to sinks (and through replicators) in the sampled record's headers. */
export type CaptureKind = 'polling' | 'log';

export interface SourceBatch {
  records: readonly SourceRecord[];
  /** Source changes read for this batch (before transforms dropped some or tombstones were added). */
  changes: number;
  /**
   * Positions the runner checkpoints once Kafka acknowledged every record of this batch and of the batches before it.
   * Absent when there is nothing to save (a snapshot page: an interrupted snapshot starts again, and a log source replays
   * its log from where the interrupted one began).
   */
  positions?: SourcePositions;
}

/** A topic a source writes; the runner creates it before the first record. */
export interface SourceTopic {
  name: string;
  partitions?: number;
  replicationFactor?: number;
}

/** What the runner lends a source plug-in. */
export interface SourceContext {
  readonly connector: string;
  /** The last checkpoint (in memory: possibly newer than what is flushed to disk). */
  checkpoint(): SourcePositions;
  /** Forgets the checkpoint: the database no longer has that position and the source starts afresh (`snapshot.mode=when_needed`). */
  resetCheckpoint(): void;
  /**
   * Records positions that say where the source began, not what Kafka holds (a snapshot's starting log position), and
   * writes the checkpoint file at once: they must be durable before the first record they cover is produced.
   */
  saveStartingPositions(positions: SourcePositions): Promise<void>;
  /** Progress, tables or warnings changed: the runner republishes the status. */
  changed(): void;
  /** A topic as records of the source reach Kafka, after the transforms' routing (for progress lines). */
  routedTopic(topic: string): string;
  /** Aborted when the connector stops: reads waiting for data return early. */
  readonly signal: AbortSignal;
  /** Where the pipeline keeps its state (beside the checkpoint), for state a source keeps itself; absent in tools without one. */
  readonly stateDir?: string;
  /**
   * The pipeline's Kafka cluster, for the one source that keeps its own state in a topic as Debezium does (the MySQL
   * schema history, `schema.history.internal.kafka.topic`); records still go through the runner.
   */
  readonly kafka?: KafkaClientSettings;
}

export interface SourceConnector {
  readonly capture: CaptureKind;
  /**
   * Connects and positions the reader at `context.checkpoint()`; returns every topic it will write, which the runner
   * creates first (so a sink of an empty table finds its topic). Called again after `recover`.
   */
  open(): Promise<SourceTopic[]>;
  /** The next batch; may be empty (nothing new). Called again while the previous batch is on its way to Kafka. */
  read(): Promise<SourceBatch>;
  /**
   * Kafka acknowledged every record of `batch` (and of those before it): progress counts move on. The same batch
   * object as `read` returned, but its `records` are already emptied (the runner lets go of them once encoded): keep
   * what the counts need beside the batch, not the records.
   */
  delivered(batch: SourceBatch): void;
  /**
   * The checkpoint up to `positions` is flushed to disk: a log capture may now let the database release its log
   * before them (Connect's SourceTask.commit, Debezium's slot confirmation).
   */
  committed?(positions: SourcePositions): Promise<void>;
  /**
   * A read or a delivery failed: what was read past `checkpoint` is forgotten, and the next `open` (or, for a reader
   * that stays open, the next `read`) starts there. Positions never run ahead of what Kafka holds.
   */
  recover(checkpoint: SourcePositions): Promise<void>;
  /** Read to the end of what the source has now (nothing waiting), as far as the plug-in knows. */
  readonly caughtUp: boolean;
  /** The plug-in's part of the status. */
  progress(): SourceProgress;
  close(): Promise<void>;
}

export interface SourceProgress {
  tables?: ConnectorTableStatus[];
  warnings?: readonly string[];
  /** A log source's position, as the database names it (`mariadb-bin.000003:1234`, `0/16B3748`). */
  logPosition?: string;
  /** A log source's lag behind the database's log (and its PostgreSQL slot's retained WAL). */
  logLag?: LogLag;
}

/** The keys of a sink connector the runner itself needs (consumer, converters, transforms, errors); a plug-in's config extends it. */
export interface ResolvedSinkBase {
  name: string;
  role: 'sink';
  connectorClass: string;
  kafka: ResolvedKafka;
  topics: SinkTopics;
  /** `connect-<name>` unless `consumer.override.group.id` is set. */
  groupId: string;
  /** Records per `put`. */
  batchSize: number;
  key: ResolvedSerde<KeyFormat> | undefined;
  value: ResolvedSerde<ValueFormat>;
  transforms: readonly ResolvedTransform[];
  predicates: readonly ResolvedPredicate[];
  errors: ResolvedErrorHandling & { deadLetterQueue: ResolvedDeadLetterQueue | undefined };
}

/** What the runner lends a sink plug-in. */
export interface SinkContext {
  readonly connector: string;
  /**
   * The plug-in saw its target go away outside a `put` (a driver's 'error' event on an idle connection, a refused
   * login): the runner shows DEGRADED with the cause at once and probes until the target answers again.
   */
  targetUnavailable(error: unknown): void;
  /** Warnings changed: the runner republishes the status. */
  changed(): void;
  /** Aborted when the connector stops. */
  readonly signal: AbortSignal;
}

export interface SinkPutOptions {
  /** errors.tolerance=all: records refused on their own are returned and the rest applied; otherwise the first refusal throws. */
  tolerateRecordErrors: boolean;
  /** Call between attempts and during long waits: the runner stays a member of its consumer group meanwhile. */
  keepAlive: () => Promise<void>;
  signal: AbortSignal;
}

export interface SinkRecordFailure {
  record: SinkRecord;
  error: EngineError;
}

/** How far a Kafka partition is durable: every record before `offset` (the next offset to consume) is written or skipped. */
export interface DurableOffset {
  topic: string;
  partition: number;
  offset: string;
}

/** What one `put` did: the runner commits offsets after it returns and dead-letters the refused records. */
export interface SinkPutResult {
  applied: number;
  refused: readonly SinkRecordFailure[];
  /**
   * Set by sinks that gather records across puts (object stores cut objects by `flush.size`): the runner commits
   * exactly these offsets and never past them. Absent: everything put is durable.
   */
  durable?: readonly DurableOffset[];
}

export interface SinkConnector {
  /** Where it writes, for messages (`postgres://host:5432/db`, `https://account.blob.core.windows.net/container`). */
  readonly target: string;
  /** Start-up tries to reach the target this many times, this far apart, before the connector FAILS (`connection.attempts`, `connection.backoff.ms`). */
  readonly reach: { attempts: number; backoffMs: number };
  /** Logs in once and out again; throws the cause when the target cannot be reached. */
  probe(): Promise<void>;
  /**
   * Applies the records durably (one transaction, one object) before returning: the runner commits their offsets
   * only afterwards. Throws for a failure every record would hit (a configuration error, exhausted retries).
   */
  put(records: readonly SinkRecord[], options: SinkPutOptions): Promise<SinkPutResult>;
  /** The target was unreachable (no record at fault): the runner tries the same batch again after a pause, DEGRADED. */
  isUnavailable(error: unknown): boolean;
  /** Where one topic's records land (a table, a blob prefix), for the status and the applied log; cached by the runner. */
  destinationOf(topic: string): string;
  /** Facts that change the results while the sink runs on (e.g. deletes that will never arrive). */
  warnings(): readonly string[];
  /**
   * Sinks that gather records: writes what is due by the clock (scheduled rotation); called every second, also while
   * no records arrive, never concurrently with `put` or `reset`; returns the offsets that became durable.
   */
  flushDue?(): Promise<readonly DurableOffset[]>;
  /**
   * Sinks that gather records: drop what is buffered (for these partitions, or all). The runner reads again from the
   * last durable offsets: after the group was (re)joined, or a put failed because the target was unreachable.
   */
  reset?(partitions?: readonly { topic: string; partition: number }[]): void;
  close(): Promise<void>;
}
