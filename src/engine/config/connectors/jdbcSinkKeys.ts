/**
 * JDBC sink keys ([JDBC] JdbcSinkConfig, Kafka Connect's SinkConnectorConfig, and Confluent Cloud's MySqlSink /
 * PostgresSink / MicrosoftSqlServerSink, reference §2.1–2.2).
 */
import { booleanKey, enumKey, intKey, listKey, stringKey } from '../keys';
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

export const SINK_TABLE_TYPES = ['TABLE', 'PARTITIONED TABLE', 'VIEW'] as const;

const SINK_SPECIFIC_KEYS = [
  listKey('topics', {
    doc: 'Topics to read. Each topic goes to the table named by `table.name.format`. Set this or `topics.regex`.',
    group: GROUP.topics,
    default: [],
    example: ['shop-orders'],
  }),
  stringKey('topics.regex', {
    doc: 'A regular expression: every matching topic is read. Set this or `topics`.',
    group: GROUP.topics,
  }),
  enumKey('insert.mode', ['insert', 'upsert', 'update'], {
    doc: '`insert` adds rows (fails on a duplicate key); `upsert` inserts or updates by primary key, so replays are harmless; `update` only updates existing rows. `upsert` and `update` need key columns (`pk.mode`).',
    group: GROUP.writes,
    default: 'insert',
    connectCase: 'lower-or-upper',
    valueDocs: {
      insert: 'Plain INSERT; a duplicate key fails the batch.',
      upsert: 'INSERT … ON CONFLICT / ON DUPLICATE KEY / MERGE: idempotent.',
      update: 'UPDATE … WHERE key = ?; rows that do not exist are silently not written.',
    },
  }),
  booleanKey('delete.enabled', {
    doc: 'Turn tombstones (records with a null value) into `DELETE … WHERE key = ?`. Needs `pk.mode=record_key`. With it off, a tombstone fails the connector.',
    group: GROUP.writes,
    default: false,
  }),
  intKey('batch.size', {
    aliases: ['batch.sizes'],
    doc: 'Records written per statement batch and table. Confluent Cloud calls it `batch.sizes`; both spellings work.',
    group: GROUP.writes,
    default: 3000,
    min: 1,
  }),
  stringKey('table.name.format', {
    doc: 'Target table name; `${topic}` is replaced by the topic. Dots separate catalog, schema and table, so topic `srv.dbo.orders` writes to schema `dbo`, table `orders`.',
    group: GROUP.writes,
    default: '${topic}',
    example: 'public.${topic}',
  }),
  listKey('table.types', {
    doc: 'Kinds of objects the sink may write to.',
    group: GROUP.writes,
    default: ['TABLE'],
    items: SINK_TABLE_TYPES,
  }),
  booleanKey('auto.create', {
    doc: 'Create a missing target table from the record schema, with a primary key on the key columns.',
    group: GROUP.writes,
    default: false,
  }),
  booleanKey('auto.evolve', {
    doc: 'Add columns the table lacks when the record schema gains fields. Only adds nullable or defaulted columns; never drops, retypes or changes keys.',
    group: GROUP.writes,
    default: false,
  }),
  listKey('fields.whitelist', {
    doc: 'Value fields to write; empty writes all. Key columns are chosen by `pk.fields` independently.',
    group: GROUP.writes,
    default: [],
  }),
  enumKey('pk.mode', ['none', 'kafka', 'record_key', 'record_value'], {
    doc: 'Where primary-key columns come from: `none`, `kafka` (topic, partition, offset), `record_key` (fields of the record key) or `record_value` (fields of the value).',
    group: GROUP.keys,
    default: 'none',
    connectCase: 'lower-or-upper',
    valueDocs: {
      none: 'No key columns: only insert.mode=insert makes sense.',
      kafka: 'Columns __connect_topic, __connect_partition, __connect_offset.',
      record_key: 'Fields of the record key (all of a struct key, or the one name in pk.fields for a primitive key).',
      record_value: 'Fields of the value listed in pk.fields (all fields if empty).',
    },
  }),
  listKey('pk.fields', {
    doc: 'Key column names. `record_key`: empty = every key field, one name for a primitive key. `record_value`: empty = every value field. `kafka`: empty or exactly three names.',
    group: GROUP.keys,
    default: [],
    example: ['id'],
  }),
  stringKey('date.timezone', {
    doc: 'Zone for DATE values: `DB_TIMEZONE` follows `db.timezone`, `UTC` ignores it.',
    group: GROUP.data,
    default: 'DB_TIMEZONE',
    check: (value) =>
      ['DB_TIMEZONE', 'UTC'].includes(value) ? undefined : { severity: 'error', message: '`date.timezone` must be DB_TIMEZONE or UTC', hint: 'Use DB_TIMEZONE or UTC.' },
  }),
  listKey('timestamp.fields.list', {
    doc: 'Value fields holding timestamps as epoch numbers or strings, to be written to timestamp columns.',
    group: GROUP.data,
    default: [],
    selfManagedOnly: true,
  }),
  enumKey('timestamp.precision.mode', ['microseconds', 'nanoseconds'], {
    doc: 'Unit of the numbers in `timestamp.fields.list`.',
    group: GROUP.data,
    default: 'microseconds',
    selfManagedOnly: true,
  }),
  booleanKey('replace.null.with.default', {
    doc: 'Write a field\'s schema default instead of null when the value is null.',
    group: GROUP.data,
    default: true,
    selfManagedOnly: true,
  }),
  booleanKey('mssql.use.merge.holdlock', {
    doc: 'SQL Server: add `WITH (HOLDLOCK)` to the upsert MERGE, which prevents duplicate-key races between concurrent writers.',
    group: GROUP.writes,
    default: true,
    selfManagedOnly: true,
  }),
  intKey('max.retries', {
    doc: 'How many times a batch is retried when the target could not be reached or refused it for a moment (a dropped connection, a deadlock, a lock or statement timeout) before the connector fails. A record the target refuses (a constraint, a value out of range) is not retried: with `errors.tolerance=all` it is isolated and dead-lettered at once, the rest of its batch applied; an error every record would hit (a missing table or column) fails the connector at once.',
    group: GROUP.errors,
    default: 10,
    min: 0,
  }),
  intKey('retry.backoff.ms', {
    doc: 'Shortest wait before retrying a batch (see `max.retries`), in milliseconds; each wait is this or longer, at random, so sinks that met the same fault do not retry in step.',
    group: GROUP.errors,
    default: 3000,
    min: 0,
  }),
  stringKey('errors.deadletterqueue.topic.name', {
    doc: 'Topic that receives records that cannot be written, with their original bytes, when `errors.tolerance=all`. Empty means no dead letter queue. Confluent Cloud always uses `dlq-<connector id>`.',
    group: GROUP.errors,
    default: '',
    selfManagedOnly: true,
    defaultDoc: 'empty (Kafka Connect); Ferry uses `dlq-<name>` for managed classes, like Confluent Cloud',
  }),
  intKey('errors.deadletterqueue.topic.replication.factor', {
    doc: 'Replication factor when the dead letter topic is created; -1 uses the broker default.',
    group: GROUP.errors,
    default: 3,
    min: -1,
    selfManagedOnly: true,
  }),
  booleanKey('errors.deadletterqueue.context.headers.enable', {
    doc: 'Add `__connect.errors.*` headers (topic, partition, offset, exception, …) to dead-lettered records.',
    group: GROUP.errors,
    default: false,
    managedDefault: true,
    selfManagedOnly: true,
  }),
  enumKey('input.data.format', DATA_FORMATS, {
    doc: 'Format of record values read from Kafka (managed connectors; self-managed ones use `value.converter`). Ferry supports AVRO and JSON.',
    group: GROUP.format,
    managedOnly: true,
    defaultDoc: 'AVRO (Ferry\'s default; Confluent Cloud requires you to choose)',
    valueDocs: FORMAT_DOCS,
    otherFlavorHint: 'Kafka Connect uses `value.converter`; e.g. io.confluent.connect.avro.AvroConverter for AVRO.',
  }),
  enumKey('input.key.format', KEY_FORMATS, {
    doc: 'Format of record keys (managed connectors). Needed for `pk.mode=record_key`.',
    group: GROUP.format,
    managedOnly: true,
    valueDocs: FORMAT_DOCS,
    otherFlavorHint: 'Kafka Connect uses `key.converter`.',
  }),
  intKey('max.poll.records', {
    doc: 'Most records one consumer poll returns; bounds how many records a write batch can hold.',
    group: GROUP.writes,
    default: 500,
    min: 1,
    managedOnly: true,
    otherFlavorHint: 'Kafka Connect sets it as `consumer.override.max.poll.records`.',
  }),
  intKey('max.poll.interval.ms', {
    doc: 'Longest time between polls before the consumer is considered dead, in milliseconds; raise it when batches take long to write.',
    group: GROUP.writes,
    default: 300000,
    min: 1,
    managedOnly: true,
    otherFlavorHint: 'Kafka Connect sets it as `consumer.override.max.poll.interval.ms`.',
  }),
  stringKey('schema.context.name', {
    doc: 'Schema Registry context of the subjects to read. Only the default context is supported by Ferry.',
    group: GROUP.format,
    default: 'default',
    managedOnly: true,
    check: (value) =>
      value === 'default' || value === ''
        ? undefined
        : { severity: 'error', message: `Schema Registry contexts are not supported yet (\`schema.context.name\` = "${value}")`, hint: 'Use the default context.' },
  }),
  stringKey('consumer.override.group.id', {
    doc: 'Consumer group of the sink; defaults to `connect-<name>` as in Kafka Connect. Change it only to take over another group\'s offsets.',
    group: GROUP.connector,
    selfManagedOnly: true,
  }),
] as const;

export const JDBC_SINK_KEYS = [
  ...IDENTITY_KEYS,
  ...MANAGED_KAFKA_KEYS,
  ...CONNECTION_KEYS,
  ...SINK_SPECIFIC_KEYS,
  ...CONVERTER_KEYS,
  ...ERROR_KEYS,
  ...TRANSFORM_KEYS,
] as const;
