/**
 * The resolved pipeline: what the runner is written against. Every value is typed, defaulted and
 * alias-normalised, so no code outside this folder looks at a raw key name. Secrets stay wrapped in `Secret`.
 */
import type { JsonObject, JsonValue } from './jsonText';
import type { Flavor } from './keys';
import type { Secret } from './secret';
import type { ResolvedObjectStoreSink } from './objectStoreTypes';

export type { ObjectStoreLayout, ObjectStorePartitioner, ResolvedObjectStoreSink } from './objectStoreTypes';

export type Dialect = 'mysql' | 'postgres' | 'sqlserver';

/** One scale for every driver: mysql2, pg and mssql options are derived from it. */
export type SslMode = 'disable' | 'prefer' | 'require' | 'verify-ca' | 'verify-full';

export interface ResolvedConnection {
  dialect: Dialect;
  host: string;
  port: number;
  user: string | undefined;
  password: Secret | undefined;
  database: string | undefined;
  ssl: SslMode;
  /** SQL Server named instance (`host\instance`), when given. */
  instanceName: string | undefined;
  /** Driver properties from `connection.url` that are not mapped above (credentials removed). */
  properties: Readonly<Record<string, string>>;
  /** `connection.attempts` / `connection.backoff.ms`. */
  attempts: number;
  backoffMs: number;
  /** `mysql://user@host:3306/db`: for status lines and messages; never contains the password. */
  display: string;
}

export type SecurityProtocol = 'PLAINTEXT' | 'SSL' | 'SASL_PLAINTEXT' | 'SASL_SSL';
export type SaslMechanism = 'PLAIN' | 'SCRAM-SHA-256' | 'SCRAM-SHA-512';

export interface ResolvedKafka {
  bootstrapServers: readonly string[];
  securityProtocol: SecurityProtocol;
  /** Present for SASL_PLAINTEXT and SASL_SSL. */
  sasl: { mechanism: SaslMechanism; username: string; password: Secret } | undefined;
  /** Present for SSL and SASL_SSL. Paths are as written (relative ones resolve against the pipeline file's folder). */
  tls:
    | {
        caLocation: string | undefined;
        certificateLocation: string | undefined;
        keyLocation: string | undefined;
        keyPassword: Secret | undefined;
        /** `ssl.endpoint.identification.algorithm`: https (default) verifies the broker's host name. */
        verifyHostname: boolean;
      }
    | undefined;
  clientId: string;
  requestTimeoutMs: number;
  /** The bootstrap servers are Confluent Cloud's (`*.confluent.cloud`). */
  confluentCloud: boolean;
}

export interface ResolvedSchemaRegistry {
  urls: readonly string[];
  basicAuth: { username: string; password: Secret } | undefined;
}

export type ValueFormat = 'AVRO' | 'JSON';
export type KeyFormat = 'AVRO' | 'JSON' | 'STRING';
export type SubjectNameStrategy = 'TopicNameStrategy' | 'RecordNameStrategy' | 'TopicRecordNameStrategy';

/** How keys or values are (de)serialised: a converter in Connect terms. */
export interface ResolvedSerde<F extends string> {
  format: F;
  /** Set for AVRO (the registry the converter talks to); undefined for JSON and STRING. */
  schemaRegistry: ResolvedSchemaRegistry | undefined;
  subjectNameStrategy: SubjectNameStrategy;
  autoRegisterSchemas: boolean;
  useLatestVersion: boolean;
  /** JSON only: Connect's `schemas.enable=true`, i.e. `{"schema", "payload"}` envelopes; absent or false = schemaless. */
  jsonSchemas?: boolean;
}

export interface ResolvedTransform {
  /** The alias listed in `transforms`. */
  alias: string;
  /** `transforms.<alias>.type`. */
  type: string;
  /** Whether Ferry's runner applies this type (see SUPPORTED_TRANSFORMS); unsupported ones are kept, not applied. */
  supported: boolean;
  /** `transforms.<alias>.*` minus `type`, `predicate` and `negate`, as strings. */
  config: Readonly<Record<string, string>>;
  predicate: string | undefined;
  negate: boolean;
}

export interface ResolvedPredicate {
  alias: string;
  type: string;
  config: Readonly<Record<string, string>>;
}

export interface ResolvedErrorHandling {
  tolerance: 'none' | 'all';
  retryTimeoutMs: number;
  retryDelayMaxMs: number;
  logEnable: boolean;
  logIncludeMessages: boolean;
}

export interface ResolvedDeadLetterQueue {
  topic: string;
  replicationFactor: number;
  contextHeadersEnable: boolean;
}

interface ResolvedConnectorBase {
  name: string;
  /** As written (e.g. `MySqlSource` or the Java class name). */
  connectorClass: string;
  flavor: Flavor;
  dialect: Dialect;
  connection: ResolvedConnection;
  /** The cluster with this connector's credentials (see docs/connectors/README.md, "Merge rules"). */
  kafka: ResolvedKafka;
  tasksMax: number;
  dbTimezone: string;
  quoteSqlIdentifiers: 'always' | 'never';
  transforms: readonly ResolvedTransform[];
  predicates: readonly ResolvedPredicate[];
  /** Keys Ferry does not know, as given (warned about, never dropped); secret-looking values are masked. */
  unknown: Readonly<Record<string, JsonValue>>;
  /**
   * The connector object as written, for deploying it to Kafka Connect unchanged, with every value that holds
   * a secret replaced by "****"; `originalSecrets` has those values (key → whole original value).
   */
  original: Readonly<JsonObject>;
  originalSecrets: Readonly<Record<string, Secret>>;
  /** JSON path of the connector in the file, for runtime messages. */
  path: string;
}

export type SourceMode = 'bulk' | 'incrementing' | 'timestamp' | 'timestamp+incrementing';
export type NumericMapping = 'none' | 'precision_only' | 'best_fit' | 'best_fit_eager_double';
export type TimestampGranularity =
  | 'connect_logical'
  | 'micros_long'
  | 'micros_string'
  | 'micros_iso_datetime_string'
  | 'nanos_long'
  | 'nanos_string'
  | 'nanos_iso_datetime_string';
export type TransactionIsolationMode = 'DEFAULT' | 'READ_UNCOMMITTED' | 'READ_COMMITTED' | 'REPEATABLE_READ' | 'SERIALIZABLE' | 'SQL_SERVER_SNAPSHOT';

/**
 * Which tables a source reads. `names` are `table.whitelist`/`table.blacklist` (exact names, optionally
 * qualified); `patterns` are the 10.8+ `table.include.list`/`table.exclude.list` regexes matched against the
 * fully-qualified name. The two are kept apart because they match differently.
 */
export type TableSelection =
  | { kind: 'all' }
  | { kind: 'names'; include: readonly string[]; exclude: readonly string[] }
  | { kind: 'patterns'; include: readonly string[]; exclude: readonly string[] };

/** Table mode reads whole tables; query mode reads one custom SELECT (and the topic is exactly `topic.prefix`). */
export type SourceCapture = { kind: 'tables'; tables: TableSelection } | { kind: 'query'; query: string; masked: boolean };

export interface ResolvedJdbcSource extends ResolvedConnectorBase {
  role: 'source';
  mode: SourceMode;
  capture: SourceCapture;
  /** `timestamp.column.name`: the effective timestamp is COALESCE of these, first non-null wins. */
  timestampColumns: readonly string[];
  /** undefined = auto-detect the table's auto-increment column. */
  incrementingColumn: string | undefined;
  /** `timestamp.columns.mapping` / `incrementing.column.mapping` entries (10.8+), as written. */
  timestampColumnsMapping: readonly string[];
  incrementingColumnMapping: readonly string[];
  validateNonNull: boolean;
  timestampDelayIntervalMs: number;
  /** Epoch ms to start from when nothing is checkpointed; -1 = the database's current time; undefined = epoch 0. */
  timestampInitial: number | undefined;
  timestampGranularity: TimestampGranularity;
  pollIntervalMs: number;
  batchMaxRows: number;
  tablePollIntervalMs: number;
  /** `query.suffix`: appended to every generated data query, in table and query mode alike (as upstream). */
  querySuffix: string;
  tableTypes: readonly string[];
  schemaPattern: string | undefined;
  catalogPattern: string | undefined;
  topicPrefix: string;
  numericMapping: NumericMapping;
  dateCalendarSystem: 'LEGACY' | 'PROLEPTIC_GREGORIAN';
  transactionIsolationMode: TransactionIsolationMode;
  queryRetryAttempts: number;
  /** `topic.creation.default.*`; undefined = the broker's defaults. */
  topicCreation: { partitions: number | undefined; replicationFactor: number | undefined };
  /** `ferry.changelog.op.column`: rows are a trigger-written change log; `d` rows become tombstones, every record is keyed. */
  changelogOpColumn: string | undefined;
  /** JDBC sources emit null keys; the key converter matters only when transforms set a key. */
  key: ResolvedSerde<KeyFormat>;
  value: ResolvedSerde<ValueFormat>;
  errors: ResolvedErrorHandling;
}

export type InsertMode = 'insert' | 'upsert' | 'update';
export type PkMode = 'none' | 'kafka' | 'record_key' | 'record_value';

export type SinkTopics = { kind: 'list'; topics: readonly string[] } | { kind: 'regex'; regex: string };

export interface ResolvedJdbcSink extends ResolvedConnectorBase {
  role: 'sink';
  topics: SinkTopics;
  /** Connect's consumer group for a sink: `connect-<name>` unless `consumer.override.group.id` is set. */
  groupId: string;
  insertMode: InsertMode;
  pkMode: PkMode;
  pkFields: readonly string[];
  fieldsWhitelist: readonly string[];
  autoCreate: boolean;
  autoEvolve: boolean;
  deleteEnabled: boolean;
  batchSize: number;
  /** With `${topic}` replaced by the record's topic; dots then separate catalog/schema/table. */
  tableNameFormat: string;
  tableTypes: readonly string[];
  dateTimezone: 'DB_TIMEZONE' | 'UTC';
  timestampFieldsList: readonly string[];
  timestampPrecisionMode: 'microseconds' | 'nanoseconds';
  maxRetries: number;
  retryBackoffMs: number;
  replaceNullWithDefault: boolean;
  mssqlUseMergeHoldlock: boolean;
  maxPollRecords: number;
  maxPollIntervalMs: number;
  /** undefined when the key format is not configured (then keys are not decoded; record_key needs it). */
  key: ResolvedSerde<KeyFormat> | undefined;
  value: ResolvedSerde<ValueFormat>;
  errors: ResolvedErrorHandling & { deadLetterQueue: ResolvedDeadLetterQueue | undefined };
}

/** Debezium's `snapshot.mode`, normalised (`schema_only` and `never` are `no_data`). */
export type LogSnapshotMode = 'initial' | 'initial_only' | 'when_needed' | 'no_data';

/**
 * A log-based source (Debezium's MySqlConnector / MariaDbConnector / PostgresConnector, Confluent Cloud's CDC
 * classes): a snapshot, then every committed change from the binlog or a logical replication slot, written as
 * Debezium change events to `<topic.prefix>.<database or schema>.<table>`.
 */
/** A file (`path` absent: beside the pipeline's checkpoint) or a topic on the pipeline's Kafka cluster. */
export type ResolvedSchemaHistory = { kind: 'file'; path?: string } | { kind: 'kafka'; topic: string };

export interface ResolvedLogSource extends Omit<ResolvedConnectorBase, 'quoteSqlIdentifiers' | 'dbTimezone'> {
  role: 'source';
  capture: { kind: 'log' };
  topicPrefix: string;
  /** Regular expressions over database (MySQL) or schema (PostgreSQL) names, and over `<db or schema>.<table>`. */
  include: { databases: readonly string[]; databasesExcluded: readonly string[]; tables: readonly string[]; tablesExcluded: readonly string[]; columnsExcluded: readonly string[] };
  snapshotMode: LogSnapshotMode;
  snapshotFetchSize: number;
  tombstonesOnDelete: boolean;
  heartbeatIntervalMs: number;
  /** Debezium's `time.precision.mode` (default: MySQL/MariaDB adaptive_time_microseconds, PostgreSQL adaptive). */
  timePrecisionMode: 'adaptive_time_microseconds' | 'adaptive' | 'connect';
  /** Debezium's `decimal.handling.mode`. */
  decimalHandlingMode: 'precise' | 'double' | 'string';
  /** MySQL/MariaDB replica id. */
  serverId: number;
  /** MySQL/MariaDB: where the schema history is kept (`schema.history.internal.*`). */
  schemaHistory: ResolvedSchemaHistory;
  /** MySQL/MariaDB: write each DDL to the `<topic.prefix>` schema change topic (`include.schema.changes`). */
  includeSchemaChanges: boolean;
  /** PostgreSQL replication. */
  slotName: string;
  publicationName: string;
  publicationAutocreate: 'all_tables' | 'disabled' | 'filtered';
  dbTimezone: string;
  key: ResolvedSerde<KeyFormat>;
  value: ResolvedSerde<ValueFormat>;
  errors: ResolvedErrorHandling;
}

export type ResolvedSource = ResolvedJdbcSource | ResolvedLogSource;

export type ResolvedConnector = ResolvedJdbcSource | ResolvedLogSource | ResolvedJdbcSink | ResolvedObjectStoreSink;

/** A sink that writes objects (Azure Blob / ADLS Gen2), as opposed to a JDBC sink. */
export function isObjectStoreSink(connector: ResolvedConnector | ResolvedReplicator): connector is ResolvedObjectStoreSink {
  return connector.role === 'sink' && 'storage' in connector;
}

/** A JDBC sink (Confluent's or Debezium's class): the sinks with a database. */
export function isJdbcSink(connector: ResolvedConnector | ResolvedReplicator): connector is ResolvedJdbcSink {
  return connector.role === 'sink' && !('storage' in connector);
}

/** Connectors with a database connection (every source, the JDBC sinks). */
export function hasDatabase(connector: ResolvedConnector): connector is ResolvedJdbcSource | ResolvedLogSource | ResolvedJdbcSink {
  return !('storage' in connector);
}

/** A JDBC (polling) source, as opposed to a log-based one. */
export function isPollingSource(connector: ResolvedConnector | ResolvedReplicator): connector is ResolvedJdbcSource {
  return connector.role === 'source' && connector.capture.kind !== 'log';
}

export function isLogSource(connector: ResolvedConnector | ResolvedReplicator): connector is ResolvedLogSource {
  return connector.role === 'source' && connector.capture.kind === 'log';
}

/** At-least-once commits progress after the destination acknowledged; exactly-once writes and commits in one transaction. */
export type ReplicatorDelivery = 'at-least-once' | 'exactly-once';

/** Which source topics a replicator copies: `topic.whitelist` ∪ `topic.regex`, minus `topic.blacklist` (applied first). */
export interface ReplicatorTopicSelection {
  include: readonly string[];
  regex: string | undefined;
  exclude: readonly string[];
}

/** Confluent Replicator (`io.confluent.connect.replicator.ReplicatorSourceConnector`): Kafka → Kafka. */
export interface ResolvedReplicator {
  role: 'replicator';
  name: string;
  connectorClass: string;
  flavor: Flavor;
  /** `src.kafka.*`. */
  source: ResolvedKafka;
  /** `dest.kafka.*`, else the pipeline's `kafka` block (Replicator writes to its Connect worker's cluster). */
  destination: ResolvedKafka;
  tasksMax: number;
  topics: ReplicatorTopicSelection;
  /** `topic.rename.format`, with `${topic}` standing for the source topic. */
  renameFormat: string;
  autoCreate: boolean;
  preservePartitions: boolean;
  configSync: boolean;
  configSyncIntervalMs: number;
  topicPollIntervalMs: number;
  timestampType: 'CreateTime' | 'LogAppendTime';
  /** 0 = the source topic's replication factor. */
  destReplicationFactor: number;
  provenanceHeader: boolean;
  /** `src.consumer.group.id`: the source-side group that holds the replicator's progress (default: its name). */
  groupId: string;
  offsetTranslation: { enabled: boolean; groups: readonly string[]; groupsExclude: readonly string[]; intervalMs: number };
  delivery: ReplicatorDelivery;
  /** Set when subjects are migrated to a destination registry (`schema.registry.url`). */
  schemaMigration: { source: ResolvedSchemaRegistry; destination: ResolvedSchemaRegistry } | undefined;
  consumer: { maxBytes: number; maxBytesPerPartition: number; maxWaitMs: number; sessionTimeoutMs: number };
  /** Bytes gathered into one produce request (or transaction) before it is sent. */
  producer: { requestBytes: number; lingerMs: number; compression: 'none' | 'gzip' | 'snappy' | 'lz4' | 'zstd' };
  unknown: Readonly<Record<string, JsonValue>>;
  original: Readonly<JsonObject>;
  originalSecrets: Readonly<Record<string, Secret>>;
  path: string;
}

export interface ResolvedPipeline {
  name: string;
  /** The file it came from, as given to parsePipelineFile (relative TLS paths resolve against its folder). */
  fileName: string;
  /** The pipeline-level cluster and credentials; each connector carries its effective copy. */
  kafka: ResolvedKafka;
  schemaRegistry: ResolvedSchemaRegistry | undefined;
  connectors: readonly ResolvedConnector[];
  /** Kafka → Kafka replicators in the same file; they run beside the connectors (`ferry replicate`, the replicators API). */
  replicators: readonly ResolvedReplicator[];
  /** Unknown top-level keys, as given. */
  unknown: Readonly<Record<string, JsonValue>>;
  /** `offset.flush.interval.ms`: how often source checkpoints are flushed to disk. */
  offsetFlushIntervalMs: number;
}
