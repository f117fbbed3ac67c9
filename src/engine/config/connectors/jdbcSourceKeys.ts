/**
 * JDBC source keys ([JDBC] JdbcSourceConnectorConfig and Confluent Cloud's MySqlSource / PostgresSource /
 * MicrosoftSqlServerSource, reference §1.1–1.2). Defaults are those of kafka-connect-jdbc 10.8+.
 */
import { booleanKey, enumKey, intKey, listKey, passwordKey, stringKey } from '../keys';
import {
  CONNECTION_KEYS,
  CONVERTER_KEYS,
  DATA_FORMATS,
  ERROR_KEYS,
  FORMAT_DOCS,
  GROUP,
  IDENTITY_KEYS,
  KEY_FORMATS,
  MANAGED_KAFKA_KEYS,
  TRANSFORM_KEYS,
} from './commonKeys';

export const SOURCE_TABLE_TYPES = ['TABLE', 'VIEW', 'SYSTEM TABLE', 'GLOBAL TEMPORARY', 'LOCAL TEMPORARY', 'ALIAS', 'SYNONYM'] as const;

const SOURCE_SPECIFIC_KEYS = [
  enumKey('mode', ['bulk', 'incrementing', 'timestamp', 'timestamp+incrementing'], {
    doc: 'How new and changed rows are found: `bulk` copies whole tables every poll; `incrementing` reads rows with a larger id; `timestamp` rows with a later timestamp; `timestamp+incrementing` both, which is the only mode that neither misses updates nor loses rows sharing a timestamp.',
    group: GROUP.mode,
    connectCase: 'exact',
    defaultDoc: 'none: required for Kafka Connect; Confluent Cloud infers it from the columns given',
    valueDocs: {
      bulk: 'Copy every table in full on each poll; no offsets.',
      incrementing: '`WHERE id > last ORDER BY id`: new rows only, updates are missed.',
      timestamp: '`WHERE ts > last AND ts < now - delay`: new and updated rows; rows sharing the last timestamp can be re-read.',
      'timestamp+incrementing': 'Timestamp and id together: new and updated rows, exactly once per change.',
    },
  }),
  stringKey('incrementing.column.name', {
    doc: 'Strictly increasing integer column (`incrementing` modes). Leave empty to use the table\'s auto-increment column.',
    group: GROUP.mode,
    default: '',
  }),
  listKey('timestamp.column.name', {
    doc: 'Timestamp column(s) (`timestamp` modes). With several, the first non-null wins (`COALESCE(c1, c2, …)`); at least one should be NOT NULL, and on SQL Server it must be `datetime2`.',
    group: GROUP.mode,
    default: [],
    example: ['updated_at'],
  }),
  listKey('timestamp.columns.mapping', {
    doc: 'Per-table timestamp columns as `<table regex>:[col1|col2]` entries; every captured table must match exactly one.',
    group: GROUP.mode,
    since: '10.8',
    default: [],
    selfManagedOnly: true,
  }),
  listKey('incrementing.column.mapping', {
    doc: 'Per-table incrementing columns as `<table regex>:<column>` entries; every captured table must match exactly one.',
    group: GROUP.mode,
    since: '10.8',
    default: [],
    selfManagedOnly: true,
  }),
  booleanKey('validate.non.null', {
    doc: 'Check at start that the timestamp/incrementing columns are NOT NULL. Set false for views, which report every column as nullable.',
    group: GROUP.mode,
    default: true,
  }),
  intKey('timestamp.delay.interval.ms', {
    doc: 'Only read rows whose timestamp is at least this old (database time). Set it to your longest transaction so rows committed late are not skipped.',
    group: GROUP.mode,
    default: 0,
    min: 0,
  }),
  intKey('timestamp.initial', {
    doc: 'Epoch milliseconds to start from when no position is stored; -1 starts at the database\'s current time (skips history). Unset reads everything. Ignored once a position exists.',
    group: GROUP.mode,
  }),
  enumKey(
    'timestamp.granularity',
    ['connect_logical', 'micros_long', 'micros_string', 'micros_iso_datetime_string', 'nanos_long', 'nanos_string', 'nanos_iso_datetime_string'],
    {
      doc: 'How timestamp columns are written to records: Connect\'s millisecond Timestamp (default) or microsecond/nanosecond longs or strings.',
      group: GROUP.data,
      default: 'connect_logical',
      connectCase: 'exact',
      selfManagedOnly: true,
    },
  ),
  intKey('poll.interval.ms', {
    doc: 'Pause between two polls of the same table, in milliseconds. Lower means fresher data and more load on the database.',
    group: GROUP.polling,
    default: 5000,
    min: 1,
  }),
  intKey('batch.max.rows', {
    doc: 'Maximum rows read per batch from one table (a Java int in Connect, hence the maximum). A batch is held in memory until Kafka acknowledged it.',
    group: GROUP.polling,
    default: 1000,
    min: 1,
    max: 2_147_483_647,
    defaultDoc: '1000 (100 in kafka-connect-jdbc 10.7 and earlier)',
  }),
  intKey('table.poll.interval.ms', {
    doc: 'How often the list of tables is refreshed to pick up new or dropped tables, in milliseconds.',
    group: GROUP.polling,
    default: 60000,
    min: 1,
    selfManagedOnly: true,
  }),
  intKey('query.retry.attempts', {
    doc: 'How many times a failed poll query is retried before the connector fails; -1 retries forever.',
    group: GROUP.polling,
    default: -1,
    min: -1,
    selfManagedOnly: true,
  }),
  listKey('table.whitelist', {
    doc: 'Tables to copy (exact names, optionally schema-qualified). Empty copies every table the user can see. Cannot be combined with `table.blacklist`, the regex lists or `query`.',
    group: GROUP.tables,
    default: [],
    example: ['orders'],
  }),
  listKey('table.blacklist', {
    doc: 'Tables not to copy (exact names). Cannot be combined with `table.whitelist`.',
    group: GROUP.tables,
    default: [],
  }),
  listKey('table.include.list', {
    doc: 'Regular expressions matched against fully-qualified table names (`db.schema.table`), case-sensitive. A newer alternative to `table.whitelist`; do not mix the two.',
    group: GROUP.tables,
    since: '10.8',
    default: [],
  }),
  listKey('table.exclude.list', {
    doc: 'Regular expressions of fully-qualified table names to skip; needs `table.include.list`.',
    group: GROUP.tables,
    since: '10.8',
    default: [],
  }),
  listKey('table.types', {
    doc: 'Which kinds of objects are discovered. Add `VIEW` to capture views (and usually set `validate.non.null=false`).',
    group: GROUP.tables,
    default: ['TABLE'],
    items: SOURCE_TABLE_TYPES,
  }),
  stringKey('schema.pattern', {
    doc: 'Only discover tables in schemas matching this pattern (SQL LIKE). On SQL Server the schema is the owner, e.g. `dbo`.',
    group: GROUP.tables,
  }),
  stringKey('catalog.pattern', {
    doc: 'Only discover tables in catalogs (databases) matching this pattern.',
    group: GROUP.tables,
    selfManagedOnly: true,
  }),
  stringKey('ferry.changelog.op.column', {
    doc: 'Ferry only: read each table as a change log that triggers write (trigger-based capture, for a database without log access): the column named here holds `c`, `u` or `d`. A row whose value is `d` is sent as a tombstone keyed by the table\'s primary key, so a sink with `delete.enabled=true` and `pk.mode=record_key` deletes the row; other rows are sent without this column, keyed by the primary key. Use a table or view keyed like the captured table, holding each row\'s latest change, and `timestamp+incrementing` or `timestamp` mode.',
    group: GROUP.tables,
  }),
  stringKey('query', {
    doc: 'A custom SELECT to run instead of copying whole tables. The incremental `WHERE` is appended to it, so wrap a query that has its own WHERE: `SELECT * FROM (…) t`. The topic is exactly `topic.prefix`.',
    group: GROUP.tables,
    default: '',
  }),
  passwordKey('query.masked', {
    doc: 'Same as `query`, but stored and shown masked (for queries that contain secrets).',
    group: GROUP.tables,
    selfManagedOnly: true,
  }),
  stringKey('query.suffix', {
    doc: 'Text appended to every generated data query, in table and query mode, after Ferry\'s own row limit: e.g. `FOR UPDATE` or SQL Server\'s `OPTION (RECOMPILE)`. Not a `LIMIT`: Ferry already limits each query to `batch.max.rows`.',
    group: GROUP.tables,
    default: '',
    selfManagedOnly: true,
  }),
  stringKey('topic.prefix', {
    doc: 'Table mode: each table goes to topic `<topic.prefix><table>` (no separator is added). Query mode: the topic name itself. Kafka allows only letters, digits, `.`, `_` and `-`.',
    group: GROUP.topics,
    default: '',
    example: 'shop-',
  }),
  intKey('topic.creation.default.partitions', {
    doc: 'Partitions of topics the connector creates; -1 uses the broker default. Confluent Cloud uses 1.',
    group: GROUP.topics,
    min: -1,
    selfManagedOnly: true,
  }),
  intKey('topic.creation.default.replication.factor', {
    doc: 'Replication factor of topics the connector creates; -1 uses the broker default. Confluent Cloud uses 3.',
    group: GROUP.topics,
    min: -1,
    selfManagedOnly: true,
  }),
  enumKey('numeric.mapping', ['none', 'precision_only', 'best_fit', 'best_fit_eager_double'], {
    doc: 'How `NUMERIC` columns are typed: `none` keeps them decimal; `precision_only` makes integers of scale-0 numbers; `best_fit` also turns scaled ones into doubles. It does not apply to `DECIMAL` columns (all of MySQL\'s, and SQL Server `decimal`).',
    group: GROUP.data,
    defaultDoc: 'unset, i.e. `none` (`precision_only` if `numeric.precision.mapping=true`)',
    connectCase: 'exact',
    valueDocs: {
      none: 'Every NUMERIC becomes a Connect Decimal (Avro bytes + decimal).',
      precision_only: 'NUMERIC with scale 0 and precision ≤ 18 becomes an integer of the right size.',
      best_fit: 'As precision_only, and precision ≤ 18 with scale > 0 becomes a double.',
      best_fit_eager_double: 'Any scale > 0 becomes a double, whatever the precision.',
    },
  }),
  booleanKey('numeric.precision.mapping', {
    doc: 'Old switch for integer mapping of NUMERIC columns.',
    group: GROUP.data,
    default: false,
    deprecated: 'use `numeric.mapping=precision_only` instead.',
  }),
  enumKey('date.calendar.system', ['LEGACY', 'PROLEPTIC_GREGORIAN'], {
    doc: 'Calendar for DATE/TIMESTAMP epoch values; only differs for dates before 1582.',
    group: GROUP.data,
    default: 'LEGACY',
    selfManagedOnly: true,
  }),
  enumKey(
    'transaction.isolation.mode',
    ['DEFAULT', 'READ_UNCOMMITED', 'READ_COMMITED', 'REPEATABLE_READ', 'SERIALIZABLE', 'SQL_SERVER_SNAPSHOT'],
    {
      doc: 'Isolation level of the poll queries. Note Kafka Connect\'s spelling with a single T (`READ_COMMITED`); the correct spelling is accepted too.',
      group: GROUP.polling,
      default: 'DEFAULT',
      valueAliases: { READ_UNCOMMITTED: 'READ_UNCOMMITED', READ_COMMITTED: 'READ_COMMITED' },
      connectCase: 'exact',
    },
  ),
  enumKey('output.data.format', DATA_FORMATS, {
    doc: 'Format of record values written to Kafka (managed connectors; self-managed ones use `value.converter`). Ferry supports AVRO and JSON.',
    group: GROUP.format,
    managedOnly: true,
    defaultDoc: 'AVRO (Ferry\'s default; Confluent Cloud requires you to choose)',
    valueDocs: FORMAT_DOCS,
    otherFlavorHint: 'Kafka Connect uses `value.converter`; e.g. io.confluent.connect.avro.AvroConverter for AVRO.',
  }),
  enumKey('output.key.format', KEY_FORMATS, {
    doc: 'Format of record keys (managed connectors). JDBC sources write null keys unless transforms set one.',
    group: GROUP.format,
    managedOnly: true,
    defaultDoc: 'AVRO',
    valueDocs: FORMAT_DOCS,
    otherFlavorHint: 'Kafka Connect uses `key.converter`.',
  }),
] as const;

export const JDBC_SOURCE_KEYS = [
  ...IDENTITY_KEYS,
  ...MANAGED_KAFKA_KEYS,
  ...CONNECTION_KEYS,
  ...SOURCE_SPECIFIC_KEYS,
  ...CONVERTER_KEYS,
  ...ERROR_KEYS,
  ...TRANSFORM_KEYS,
] as const;
