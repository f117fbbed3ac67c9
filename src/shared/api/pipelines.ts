import type { Event } from '../event';

/** Connector states users know from Kafka Connect, plus DEGRADED (running, retrying a failure) and STARTING. */
export type ConnectorState = 'STARTING' | 'RUNNING' | 'DEGRADED' | 'FAILED' | 'PAUSED' | 'STOPPED';

export interface ConnectorMetrics {
  rowsRead: number;
  rowsProduced: number;
  rowsApplied: number;
  errors: number;
  deadLettered: number;
  /**
   * Sink: records that failed with errors.tolerance=all and no dead letter topic: skipped and kept nowhere (absent
   * for sources).
   */
  dropped?: number;
  /** Sink: records in Kafka not yet applied, as last measured (see lagAsOf). */
  lag: number;
  /** Sink: when `lag` was measured (ms since the epoch); absent until the first measurement. */
  lagAsOf?: number;
  /**
   * Sink: `lag` is an old value: Kafka has not answered a measurement for a while (a broker down or paused), or the
   * sink stopped measuring (FAILED). Committed offsets cannot advance meanwhile, so the lag is at least this.
   */
  lagStale?: boolean;
  rowsPerSecond: number;
  /** End-to-end latency from the source change to the target commit. */
  latencyP50Ms?: number;
  latencyP99Ms?: number;
}

/**
 * One table of a connector. Source: a table it reads (rows = produced to Kafka, totalRows = the count when the
 * connector started, for the snapshot progress bar). Sink: a topic it applies (rows = applied into `table`).
 */
export interface ConnectorTableStatus {
  table: string;
  topic: string;
  rows: number;
  /** Source only: rows in the table when the connector started; absent until counted (or if counting failed). */
  totalRows?: number;
  /** Source only: the table was read to its end once since start (the snapshot of it is complete). */
  snapshotDone?: boolean;
}

export interface ConnectorStatus {
  name: string;
  role: 'source' | 'sink';
  state: ConnectorState;
  /** The root cause while DEGRADED or FAILED, written for the user; `retriable` false means the user must act. */
  error?: { code: string; message: string; retriable: boolean };
  /** Source: every table read to its end. Sink: nothing left in Kafka to apply. */
  caughtUp: boolean;
  metrics: ConnectorMetrics;
  /** Per table (source) or per topic (sink); absent before the connector discovered its tables. */
  tables?: ConnectorTableStatus[];
  /** Sink with errors.tolerance=all and a dead letter queue: the topic failed records go to. */
  deadLetterTopic?: string;
  /** The Kafka cluster the connector talks to (bootstrap servers), for links into the message viewer. */
  kafka?: string;
  /**
   * Facts that change the results while the connector runs on (db.timezone disagreeing with the server's zone, a
   * sink waiting for deletes a polling source never writes), written for the user; each appears once.
   */
  warnings?: string[];
  /** A log-based source: where it is in the database's log (`mariadb-bin.000003:1234, GTIDs 0-1-9`, `0/16B3748`). */
  logPosition?: string;
  /** A log-based source: how far its checkpoint is behind the database's log, measured every few seconds. */
  logLag?: LogLag;
}

/** Source lag of a log-based source, as the database measures it. */
export interface LogLag {
  /** The checkpointed position the lag is measured from. */
  position: string;
  /** Log bytes written since that position: binlog bytes (MySQL/MariaDB) or WAL bytes (PostgreSQL). */
  behindBytes?: number;
  /** PostgreSQL: the replication slot, the WAL it keeps on the server (bytes) and wal_status (`lost` = invalidated). */
  slot?: { name: string; retainedWalBytes?: number; walStatus?: string };
  /** When it was measured (epoch ms). */
  measuredAtMs: number;
}

export interface PipelineStatus {
  name: string;
  state: ConnectorState;
  connectors: ConnectorStatus[];
}

export interface PipelineProblem {
  severity: 'error' | 'warning';
  /** JSON path of the offending key, e.g. `$.connectors[0]['insert.mode']`. */
  path: string;
  message: string;
  hint?: string;
  /** Stable id of the check (e.g. `sink.delete-needs-record-key`), for quick fixes. */
  rule?: string;
  /** 1-based position of the key in the text, when known (editors underline it). */
  line?: number;
  column?: number;
}

export interface PipelineValidation {
  valid: boolean;
  problems: PipelineProblem[];
}

export interface PipelineSource {
  /** The pipeline file's text (JSON). */
  text: string;
  /** For messages and relative paths; default `pipeline.json`. */
  fileName?: string;
}

/** One sample of a connector's metrics; the engine samples every running connector once a second. */
export interface MetricsPoint {
  /** Epoch milliseconds. */
  at: number;
  rowsPerSecond: number;
  lag: number;
  /** End-to-end latency of the records applied since the previous sample (sinks only). */
  latencyP50Ms?: number;
  latencyP99Ms?: number;
}

export interface ConnectorHistory {
  name: string;
  role: 'source' | 'sink';
  points: MetricsPoint[];
}

/** Up to the last 10 minutes of samples per connector. */
export interface PipelineHistory {
  name: string;
  connectors: ConnectorHistory[];
}

/** A JSON value as it crosses the API (JSON Schema documents, Avro schemas). */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

/** A pipeline file saved in the workspace. */
export interface PipelineFileInfo {
  name: string;
  /** ISO time of the last save. */
  savedAt: string;
  /** Whether the passwords of the file are known to this engine process (they are never written to disk). */
  secretsInMemory: boolean;
  /** Where the file lies on disk: it is the pipeline text itself, so `ferry run <path>` runs it. */
  path?: string;
}

export interface PipelineFile extends PipelineFileInfo {
  text: string;
}

/** One column on its way: source declaration → Connect/Avro type → target column, with any loss on the way. */
export interface PreviewColumn {
  name: string;
  sourceType: string;
  connectType: string;
  optional: boolean;
  /** The column type the sink would create (`auto.create`), when a sink of this pipeline reads the topic. */
  targetType?: string;
  /** What is lost on the way, written for the user (e.g. microseconds of a timestamp(6)). */
  warning?: string;
}

export interface PreviewTable {
  /** Qualified source table name. */
  table: string;
  topic: string;
  /** The value subject in the Schema Registry (TopicNameStrategy). */
  subject: string;
  /** The Avro value schema the source would register. */
  avroSchema: JsonValue;
  columns: PreviewColumn[];
  /** The sink and table that would receive the topic, if any. */
  sink?: { connector: string; table: string };
}

/** A field of a sample record as Preview shows it: its Connect type and its value as text (null for null). */
export interface PreviewField {
  name: string;
  type: string;
  value: string | null;
}

/** A sample record at one point of a transform chain. */
export interface PreviewRecord {
  topic: string;
  /** Null: no key (Connect's JDBC source sends none until ValueToKey gives one). */
  key: PreviewField[] | null;
  /** Null: a tombstone. */
  value: PreviewField[] | null;
  headers: { name: string; value: string }[];
}

/** One transform of the chain applied to the sample. */
export interface PreviewTransformStep {
  alias: string;
  /** Short class name, e.g. `ReplaceField$Value`. */
  type: string;
  /** See TransformStepTrace: applied, skipped (predicate did not match), not-run, dropped, failed. */
  outcome: 'applied' | 'skipped' | 'not-run' | 'dropped' | 'failed';
  /** The record after the step; null once dropped or failed. */
  record: PreviewRecord | null;
  /** What happened, written for the user (the drop, the failure's message). */
  note?: string;
}

/** A sample record run through a connector's `transforms`, step by step. */
export interface PreviewTransformSample {
  /** Where the sample comes from, e.g. "first row of inventory.orders". */
  origin: string;
  /** Null when there is no record to show; `missing` says why. */
  before: PreviewRecord | null;
  steps: PreviewTransformStep[];
  missing?: string;
}

/** The state of a log source's database log, read without changing anything (Preview). */
export interface LogSourcePreview {
  /** binlog: MySQL/MariaDB; pgoutput: PostgreSQL logical decoding. */
  kind: 'binlog' | 'pgoutput';
  /** MySQL/MariaDB: where the binlog ends now and how it is written. */
  binlog?: { file: string; position: number; gtid: string | null; format: string; rowImage: string; serverId: number; version: string };
  /** PostgreSQL: the server's WAL now and its settings. */
  wal?: { currentLsn: string; walLevel: string; version: string };
  /** PostgreSQL: the replication slot (`slot.name`); retained WAL is what it keeps on the server. */
  slot?: { name: string; exists: boolean; plugin?: string; active?: boolean; confirmedLsn?: string; retainedWalBytes?: number; walStatus?: string };
  /** PostgreSQL: the publication (`publication.name`), its tables, and what the pipeline would do when it is missing. */
  publication?: { name: string; exists: boolean; allTables: boolean; tables: string[]; autocreate: string };
  /** Prerequisites not met, each with the statement that fixes it: the pipeline would fail at start until they are. */
  problems: string[];
  /** What `snapshot.mode` does on a first start (no checkpoint), and the tables with their estimated rows. */
  snapshot: { mode: string; note: string; tables: Array<{ table: string; estimatedRows: number | null }> };
  /** MySQL/MariaDB with include.schema.changes: the schema change topic. */
  schemaChangeTopic?: string;
}

export interface ConnectorPreview {
  name: string;
  role: 'source' | 'sink';
  /** Source: the tables the include/exclude lists select, with their topics and schemas. */
  tables: PreviewTable[];
  /** Source: tables in the database that the lists leave out. */
  excludedTables: string[];
  /** Source: topics that will be created. Sink: topics it reads. */
  topics: string[];
  /** The database could not be read (unreachable, bad password): what failed and what to do. */
  error?: { code: string; message: string };
  /** Connectors with `transforms`: one sample record before and after each step of the chain. */
  transformSample?: PreviewTransformSample;
  /** Log-based sources: the binlog or the slot and publication, and what the snapshot would read. */
  log?: LogSourcePreview;
}

/**
 * A PostgreSQL replication slot a log source keeps on its database, and the publication beside it: the server keeps
 * WAL for the slot until it is dropped, also while the pipeline is stopped.
 */
export interface ReplicationSlotInfo {
  connector: string;
  /** Where (`postgres://user@host:5432/db`). */
  database: string;
  slot: string;
  exists: boolean;
  active?: boolean;
  retainedWalBytes?: number;
  walStatus?: string;
  publication: string;
  publicationExists: boolean;
  /** False when `publication.autocreate.mode=disabled`: the publication was made by hand and dropping keeps it. */
  dropsPublication: boolean;
}

/** What dropping a pipeline's replication slots did, per log source. */
export interface ReplicationSlotDrop {
  connector: string;
  slot: string;
  slotDropped: boolean;
  publication: string;
  publicationDropped: boolean;
  /** The source's checkpoint was cleared: its next start takes a new snapshot and makes a new slot. */
  checkpointCleared: boolean;
  /** Why something was kept (a hand-made publication, a slot that was not there). */
  note?: string;
}

export interface PipelinePreview {
  /** False when the file has errors; `connectors` is then empty and the validation says why. */
  valid: boolean;
  connectors: ConnectorPreview[];
}

export interface IPipelinesApi {
  validate(source: PipelineSource): Promise<PipelineValidation>;
  /** Validates and starts; an invalid file is refused with CONFIG_INVALID and the problems in `detail`. */
  start(source: PipelineSource): Promise<PipelineStatus>;
  stop(name: string): Promise<PipelineStatus>;
  /** Sources stop polling and sinks stop fetching; nothing is lost, `resume` carries on from the same place. */
  pause(name: string): Promise<PipelineStatus>;
  resume(name: string): Promise<PipelineStatus>;
  list(): Promise<PipelineStatus[]>;
  /** Restarts one connector of a running pipeline (e.g. a FAILED one) from its last checkpoint or committed offset. */
  restartConnector(name: string, connector: string): Promise<PipelineStatus>;
  /** Metrics over time for the charts; `sinceMs` (epoch ms) returns only newer samples. */
  history(name: string, sinceMs?: number): Promise<PipelineHistory>;
  /** The JSON Schema of pipeline files (draft-07, with markdown docs and defaults), for the editor. */
  schema(): Promise<JsonValue>;
  /** What the file would do, without running it: tables matched, topics, Avro schemas, precision losses. */
  preview(source: PipelineSource): Promise<PipelinePreview>;
  /** The PostgreSQL replication slots (and publications) a running or just stopped pipeline's log sources keep on their databases. */
  replicationSlots(name: string): Promise<ReplicationSlotInfo[]>;
  /**
   * Drops them (the publication only when Ferry may have made it) and clears those sources' checkpoints, so the
   * database stops keeping WAL; refused while the pipeline runs. The next run snapshots again.
   */
  dropReplicationSlots(name: string): Promise<ReplicationSlotDrop[]>;
  /** Pipeline files saved in the workspace (passwords are kept in memory only, never on disk). */
  listFiles(): Promise<PipelineFileInfo[]>;
  readFile(name: string): Promise<PipelineFile>;
  /** Saves under the file's `name` (or `fileName`), replacing a file of that name. */
  saveFile(source: PipelineSource): Promise<PipelineFileInfo>;
  deleteFile(name: string): Promise<void>;
  readonly onDidChangeStatus: Event<PipelineStatus>;
}
