/**
 * Log-based capture keys: Debezium's MySQL, MariaDB and PostgreSQL connectors (debezium.io reference, 3.x) and
 * Confluent Cloud's managed CDC classes built on them (MySqlCdcSourceV2, PostgresCdcSourceV2), which take the same
 * `database.*` keys. Defaults are Debezium's.
 */
import { booleanKey, enumKey, intKey, listKey, passwordKey, stringKey } from '../keys';
import { CONVERTER_KEYS, ERROR_KEYS, IDENTITY_KEYS, MANAGED_KAFKA_KEYS, TRANSFORM_KEYS } from './commonKeys';

const GROUP = {
  connection: 'Database connection',
  capture: 'What to capture',
  snapshot: 'Snapshot',
  events: 'Change events',
  postgres: 'PostgreSQL replication',
  kafka: 'Kafka',
};

const LOG_SOURCE_OWN_KEYS = [
  stringKey('database.hostname', { doc: 'Host name or IP address of the database server.', group: GROUP.connection, example: '127.0.0.1' }),
  intKey('database.port', { doc: 'Port of the database server.', group: GROUP.connection, min: 1, max: 65535, defaultDoc: '3306 (MySQL, MariaDB), 5432 (PostgreSQL)' }),
  stringKey('database.user', { doc: 'User to connect as. MySQL/MariaDB: needs REPLICATION SLAVE, REPLICATION CLIENT and SELECT; PostgreSQL: the REPLICATION attribute.', group: GROUP.connection }),
  passwordKey('database.password', { doc: 'Password of `database.user`. Stored and shown masked.', group: GROUP.connection }),
  stringKey('database.dbname', { doc: 'PostgreSQL: the database to capture (MySQL and MariaDB capture the databases of `database.include.list`); SQL Server before Debezium 2: the database.', group: GROUP.connection }),
  listKey('database.names', { doc: 'SQL Server: the database to capture (Debezium 2+ spelling; Ferry captures one database per connector). CDC must be on for it and its tables.', group: GROUP.connection, default: [] }),
  intKey('database.server.id', {
    doc: 'MySQL/MariaDB: the replica id this connector registers with; unique among the server\'s replicas. Debezium picks a random one between 5400 and 6400 when absent; Ferry derives a stable one from the connector name.',
    group: GROUP.connection,
    min: 1,
    max: 4294967295,
  }),
  enumKey('database.ssl.mode', ['disable', 'disabled', 'prefer', 'preferred', 'require', 'required', 'verify-ca', 'verify_ca', 'verify-full', 'verify_identity'], {
    doc: 'TLS to the database, in Debezium\'s MySQL (`disabled`, `preferred`, `required`, `verify_ca`, `verify_identity`) or PostgreSQL (`disable`, `prefer`, `require`, `verify-ca`, `verify-full`) spelling.',
    group: GROUP.connection,
    default: 'prefer',
  }),
  stringKey('topic.prefix', {
    doc: 'Names the server: topics are `<topic.prefix>.<database>.<table>` (PostgreSQL: `<topic.prefix>.<schema>.<table>`), and Avro record names start with it.',
    group: GROUP.capture,
    example: 'shop',
  }),
  listKey('database.include.list', { doc: 'MySQL/MariaDB databases to capture (regular expressions matched against the whole name).', group: GROUP.capture, default: [] }),
  listKey('database.exclude.list', { doc: 'MySQL/MariaDB databases not to capture (regular expressions).', group: GROUP.capture, default: [] }),
  listKey('schema.include.list', { doc: 'PostgreSQL and SQL Server schemas to capture (regular expressions).', group: GROUP.capture, default: [] }),
  listKey('schema.exclude.list', { doc: 'PostgreSQL and SQL Server schemas not to capture (regular expressions).', group: GROUP.capture, default: [] }),
  listKey('table.include.list', { doc: 'Tables to capture, as regular expressions matched against `<database>.<table>` (PostgreSQL `<schema>.<table>`).', group: GROUP.capture, default: [] }),
  listKey('table.exclude.list', { doc: 'Tables not to capture (regular expressions).', group: GROUP.capture, default: [] }),
  listKey('column.exclude.list', { doc: 'Columns left out of change events, as regular expressions matched against `<database>.<table>.<column>`.', group: GROUP.capture, default: [] }),
  enumKey('snapshot.mode', ['initial', 'initial_only', 'when_needed', 'no_data', 'never', 'schema_only'], {
    doc: 'When to snapshot: `initial` (default) snapshots the tables once, then streams; `initial_only` snapshots and stops; `when_needed` also snapshots again when the saved position is gone; `no_data` (old name `schema_only`, and `never`) streams from now without a snapshot.',
    group: GROUP.snapshot,
    default: 'initial',
  }),
  intKey('snapshot.fetch.size', { doc: 'Rows read per query during the snapshot.', group: GROUP.snapshot, default: 10240, min: 1 }),
  enumKey('decimal.handling.mode', ['precise', 'double', 'string'], {
    doc: 'How DECIMAL/NUMERIC columns are written: `precise` (Connect Decimal, exact), `double` (float64, may round) or `string` (the decimal as text).',
    group: GROUP.events,
    default: 'precise',
  }),
  enumKey('time.precision.mode', ['adaptive_time_microseconds', 'adaptive', 'connect'], {
    doc: 'How temporal columns are written: `adaptive_time_microseconds` (MySQL/MariaDB default) and `adaptive` (PostgreSQL default) write Debezium\'s io.debezium.time types (Date in days; Timestamp in ms or MicroTimestamp in µs by the column\'s precision; TIME as MicroTime in µs, or with `adaptive` Time in ms up to precision 3); `connect` writes Connect\'s Date, Time and Timestamp (ms). Columns with a time zone are ZonedTimestamp text in every mode.',
    group: GROUP.events,
    defaultDoc: 'adaptive_time_microseconds (MySQL, MariaDB), adaptive (PostgreSQL)',
  }),
  booleanKey('tombstones.on.delete', { doc: 'Send a tombstone (a null value with the row\'s key) after each delete, so compaction removes the row and sinks can delete it.', group: GROUP.events, default: true }),
  intKey('heartbeat.interval.ms', { doc: 'How often an idle connector confirms its position (0 = never); keeps a PostgreSQL slot from holding WAL while captured tables are quiet.', group: GROUP.events, default: 0, min: 0 }),
  booleanKey('include.schema.changes', { doc: 'Write DDL to the `<topic.prefix>` schema change topic (MySQL, MariaDB).', group: GROUP.events, default: true }),
  stringKey('slot.name', { doc: 'PostgreSQL: the logical replication slot.', group: GROUP.postgres, default: 'debezium' }),
  stringKey('publication.name', { doc: 'PostgreSQL: the publication the slot streams.', group: GROUP.postgres, default: 'dbz_publication' }),
  enumKey('publication.autocreate.mode', ['all_tables', 'disabled', 'filtered', 'no_tables'], {
    doc: 'PostgreSQL: create the publication when it is missing, for all tables or only the captured ones (`filtered`); `disabled` requires it to exist.',
    group: GROUP.postgres,
    default: 'all_tables',
  }),
  enumKey('plugin.name', ['pgoutput', 'decoderbufs'], { doc: 'PostgreSQL: the logical decoding plugin. Ferry reads `pgoutput`, built into PostgreSQL 10+.', group: GROUP.postgres, default: 'pgoutput' }),
  stringKey('unavailable.value.placeholder', {
    doc: 'PostgreSQL: the value written for an unchanged TOASTed column that an update does not carry.',
    group: GROUP.postgres,
    default: '__debezium_unavailable_value',
  }),
  stringKey('output.data.format', { doc: 'Managed CDC connectors: value format (`AVRO`).', group: GROUP.kafka, managedOnly: true }),
  stringKey('output.key.format', { doc: 'Managed CDC connectors: key format (`AVRO`).', group: GROUP.kafka, managedOnly: true }),
  stringKey('schema.history.internal', {
    doc: 'MySQL/MariaDB: where the schema history (each captured table\'s columns at every DDL, so a restart from an older checkpoint reads older rows with the columns they had) is kept: `io.debezium.storage.kafka.history.KafkaSchemaHistory` (with `schema.history.internal.kafka.topic`) or `io.debezium.storage.file.history.FileSchemaHistory` (with `schema.history.internal.file.filename`). Without either, Ferry keeps it in a file beside the pipeline\'s checkpoint.',
    group: GROUP.events,
  }),
  stringKey('schema.history.internal.kafka.topic', { doc: 'MySQL/MariaDB: the topic that holds the schema history (one partition, kept forever), on the pipeline\'s Kafka cluster.', group: GROUP.events }),
  stringKey('schema.history.internal.kafka.bootstrap.servers', { doc: 'Cluster of `schema.history.internal.kafka.topic`; Ferry uses the pipeline\'s cluster.', group: GROUP.events }),
  stringKey('schema.history.internal.file.filename', { doc: 'MySQL/MariaDB, with `FileSchemaHistory`: the file that holds the schema history (Ferry\'s own JSON lines, not Debezium\'s file format).', group: GROUP.events }),
] as const;

export const LOG_SOURCE_KEYS = [...IDENTITY_KEYS, ...MANAGED_KAFKA_KEYS, ...LOG_SOURCE_OWN_KEYS, ...CONVERTER_KEYS, ...ERROR_KEYS, ...TRANSFORM_KEYS] as const;
