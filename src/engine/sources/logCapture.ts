import type { LogLag, LogSourcePreview, ReplicationSlotInfo } from '../../shared/api/pipelines';
import type { CapturedTable } from './capturedTable';
import type { Logger } from '../base/logger';
import type { KafkaClientSettings } from '../kafka';
import type { ChangeRecord, Position, TableId } from '../model';
import type { TableChange } from '../schema';
import type { DebeziumTypeOptions } from './debeziumTypes';
import type { NumericMapping } from './polling/options';
import type { SourceConnectionOptions } from './polling/pollingReader';
import type { Zone } from './polling/zone';

/**
 * The source port for log-based capture: what the pipeline's log source task needs from a database's change log,
 * whichever database it is. A capture snapshots the tables when asked and streams committed changes from a
 * position; the task owns Kafka, checkpoints and status, and tells the capture what Kafka acknowledged.
 */
export interface LogCapture {
  /** Debezium's `source.connector` value: mysql, mariadb, postgresql or sqlserver. */
  readonly connectorName: 'mysql' | 'mariadb' | 'postgresql' | 'sqlserver';
  /**
   * Checks the database, lists the captured tables and starts streaming: from `checkpoint` when given, else from a
   * consistent snapshot's position (`snapshot: true`, whose pages the task reads first) or from now.
   *
   * `replayFrom` is where an earlier snapshot began that was interrupted after some of its rows reached Kafka. The new
   * snapshot reads the tables as they are now, but streaming starts at `replayFrom` (and so does the returned
   * snapshot's position): a row that the interrupted snapshot delivered and that was deleted since is in no snapshot
   * page, so only the log from there can delete it. Replaying changes the new snapshot already holds is harmless:
   * each row ends at its latest state.
   */
  begin(checkpoint: Position | undefined, snapshot: boolean, replayFrom?: Position): Promise<LogCaptureStart>;
  /** Whole committed transactions (and DDL, for captures that write schema changes), up to about `maxRecords` records, waiting at most `maxWaitMs` for the first. */
  read(maxRecords: number, maxWaitMs: number, signal?: AbortSignal): Promise<LogRecord[]>;
  /** Everything up to `position` is in Kafka: a slot may release the WAL before it. */
  acknowledge(position: Position): Promise<void>;
  /** Debezium's `source` block fields that depend on the database, for one record. */
  sourceFields(record: Pick<ChangeRecord, 'table' | 'position'>): LogSourceFields;
  /** Where the capture is, for status lines (`mariadb-bin.000003:1234`, `0/16B3748`). */
  describe(position: Position): string;
  /** How far `position` is behind the end of the database's log, and what a PostgreSQL slot retains; undefined when unknown. */
  lag?(position: Position): Promise<Omit<LogLag, 'measuredAtMs'> | undefined>;
  /**
   * Preview: the log's state (binlog position and format; slot, publication and WAL) and the captured tables with
   * their schemas and estimated rows, read without creating or changing anything. Unmet prerequisites are listed, not thrown.
   */
  inspect?(): Promise<LogInspection>;
  /** PostgreSQL: the slot and publication this capture keeps on the server (read only). */
  replicationSlot?(): Promise<Omit<ReplicationSlotInfo, 'connector' | 'database'>>;
  /** PostgreSQL: drops the slot, and the publication unless it was made by hand; refused while a reader holds the slot. */
  dropReplicationSlot?(): Promise<{ slotDropped: boolean; publicationDropped: boolean }>;
  close(): Promise<void>;
}

export interface LogInspection {
  log: Omit<LogSourcePreview, 'snapshot' | 'schemaChangeTopic'>;
  tables: Array<{ table: CapturedTable; estimatedRows: number | null }>;
  /** Tables of the database the include/exclude lists leave out, qualified. */
  excludedTables: string[];
}

export interface LogCaptureStart {
  tables: TableId[];
  snapshot?: { position: Position; pages: AsyncGenerator<LogRecord[], void, undefined> };
}

/**
 * A DDL that changed a captured table, for Debezium's schema change topic (`include.schema.changes`, MySQL and
 * MariaDB): one record per table the statement changed, at the statement's place in the log (a snapshot writes one
 * CREATE per table at its position).
 */
export interface SchemaChangeRecord {
  kind: 'schemaChange';
  table: TableId;
  /** The database the DDL applies to: the record key's `databaseName`. */
  databaseName: string;
  ddl: string;
  /** Null for a database-level DDL (CREATE/ALTER/DROP DATABASE): Debezium writes it with no table changes. */
  tableChange: TableChange | null;
  position: Position;
  sourceTimestampMs: number;
}

/** What a log capture hands out: row changes and, where asked for, schema changes. */
export type LogRecord = ChangeRecord | SchemaChangeRecord;

export function isSchemaChange(record: LogRecord): record is SchemaChangeRecord {
  return 'kind' in record && record.kind === 'schemaChange';
}

export type LogSourceFields =
  | { kind: 'binlog'; db: string; table: string; serverId: number; gtid: string | null; file: string; pos: number; row: number }
  | { kind: 'postgres'; db: string; schema: string; table: string; txId: number | null; lsn: number | null; sequence: string | null }
  | { kind: 'sqlserver'; db: string; schema: string; table: string; changeLsn: string | null; commitLsn: string | null; eventSerialNo: number | null };

export interface LogCaptureInit {
  connection: SourceConnectionOptions;
  /** mysql covers MySQL and MariaDB. */
  dialect: 'mysql' | 'postgres' | 'sqlserver';
  connectorName: 'mysql' | 'mariadb' | 'postgresql' | 'sqlserver';
  topicPrefix: string;
  includeTable: (table: TableId) => boolean;
  /** MySQL/MariaDB: the databases whose database-level DDL goes to the schema change topic. */
  includeDatabase?: (database: string) => boolean;
  zone: Zone;
  numericMapping?: NumericMapping;
  /** Debezium's column types (time.precision.mode, decimal.handling.mode). */
  types?: DebeziumTypeOptions;
  snapshotFetchSize: number;
  /** MySQL/MariaDB replica id. */
  serverId: number;
  /** MySQL/MariaDB: hand out schema change records (`include.schema.changes`). */
  includeSchemaChanges?: boolean;
  /** MySQL/MariaDB: where the schema history is kept; in memory when absent (nothing restarts the capture). */
  schemaHistory?: { kind: 'file'; path: string } | { kind: 'kafka'; topic: string; kafka: KafkaClientSettings };
  /** PostgreSQL replication. */
  slotName: string;
  publicationName: string;
  publicationAutocreate: 'all_tables' | 'disabled' | 'filtered';
  logger?: Logger;
}
