/**
 * JDBC sink: checks across keys (reference §2.1, §2.6, §8) and resolution into ResolvedJdbcSink.
 */
import { resolveSerde } from '../formats';
import type { KeyValues } from '../keys';
import { defineRule, type JsonPath, type ProblemList } from '../problems';
import { sanitizeTopicName, topicNameProblem } from '../topics';
import type { KeyFormat, ResolvedDeadLetterQueue, ResolvedJdbcSink, SinkTopics, ValueFormat } from '../types';
import { validateKeys } from '../validateKeys';
import { type ConnectorEnv, type ConnectorFamily, type ConnectorOutcome, copyObject, isDynamicConnectorKey, pathText, resolveCommon } from './connectorCommon';
import { JDBC_SINK_KEYS } from './jdbcSinkKeys';

type SinkValues = KeyValues<typeof JDBC_SINK_KEYS>;

export const SINK_RULES = {
  deleteNeedsRecordKey: defineRule('sink.delete-needs-record-key', 'error', '`delete.enabled=true` needs `pk.mode=record_key` (the tombstone\'s key says which row to delete).'),
  upsertNeedsKey: defineRule('sink.upsert-needs-key', 'error', '`insert.mode=upsert`/`update` need key columns: `pk.mode` other than none.'),
  recordValueAllFields: defineRule('sink.record-value-all-fields', 'warning', '`pk.mode=record_value` without `pk.fields` makes every value column part of the primary key.'),
  kafkaPkFields: defineRule('sink.kafka-pk-fields', 'error', '`pk.mode=kafka` takes no `pk.fields` or exactly three (topic, partition, offset column names).'),
  pkFieldsIgnored: defineRule('sink.pk-fields-ignored', 'warning', '`pk.fields` is ignored with `pk.mode=none`.'),
  topicsMissing: defineRule('sink.topics-missing', 'error', 'A sink needs `topics` or `topics.regex`.'),
  topicsExclusive: defineRule('sink.topics-exclusive', 'error', 'Set `topics` or `topics.regex`, not both.'),
  topicsRegexInvalid: defineRule('sink.topics-regex-invalid', 'error', '`topics.regex` must be a valid regular expression.'),
  topicIllegal: defineRule('sink.topic-illegal', 'error', 'Every entry of `topics` must be a legal Kafka topic name.'),
  recordKeyNeedsKeyFormat: defineRule('sink.record-key-needs-key-format', 'error', 'Managed sinks with `pk.mode=record_key` need `input.key.format`.'),
  primitiveKeyPkFields: defineRule('sink.primitive-key-pk-fields', 'error', 'A STRING key is one value, so `pk.mode=record_key` needs exactly one `pk.fields` name for its column.'),
  dlqNeedsToleranceAll: defineRule('sink.dlq-needs-tolerance-all', 'warning', 'The dead letter queue is only used with `errors.tolerance=all`.'),
  toleranceAllDrops: defineRule('sink.tolerance-all-drops', 'warning', '`errors.tolerance=all` without `errors.deadletterqueue.topic.name` drops the records it cannot write.'),
  dlqTopicIllegal: defineRule('sink.dlq-topic-illegal', 'error', '`errors.deadletterqueue.topic.name` must be a legal Kafka topic name.'),
  readsOwnDlq: defineRule('sink.reads-own-dlq', 'error', 'A sink may not consume its own dead letter topic.'),
  tableNameDots: defineRule('sink.table-name-dots', 'warning', 'Dots in a topic become catalog/schema separators in `table.name.format=${topic}`.'),
  tableNameShared: defineRule('sink.table-name-shared', 'warning', 'Without `${topic}`, every topic writes to the same table.'),
  managedJsonInput: defineRule('sink.json-input', 'warning', 'Confluent Cloud\'s JDBC sinks need a schema-based `input.data.format`.'),
};

const PITFALLS = [
  '`insert.mode=update` writes nothing (and reports nothing) for rows that do not exist yet.',
  'With `delete.enabled=false` a tombstone fails the connector instead of being skipped; drop tombstones with a transform upstream if they must be ignored.',
  '`auto.evolve` only adds nullable or defaulted columns. It never drops columns, changes types or nullability, or alters the primary key.',
  'Within a batch, upserts run before deletes; a tombstone forces a flush before a later upsert of the same key, so delete-then-reinsert keeps its order.',
  'Debezium envelopes (before/after/op) must be flattened with ExtractNewRecordState before this sink; their temporal types arrive as plain numbers or strings.',
  'Kafka Connect auto-creates MySQL string keys as TEXT, which MySQL cannot index; Ferry uses a bounded VARCHAR for key columns instead.',
  'Avro `timestamp-micros` and `time-micros` arrive as plain numbers (Connect\'s Avro converter only knows the millisecond logical types), so auto-created columns become BIGINT.',
];

interface Ctx {
  values: SinkValues;
  given: ReadonlySet<string>;
  pathOf(name: string): JsonPath;
  path: JsonPath;
  problems: ProblemList;
  className: string;
}

function checkTopics(ctx: Ctx): SinkTopics | undefined {
  const { values, problems } = ctx;
  const topics = values.topics;
  const regex = values['topics.regex']?.trim() ?? '';
  if (topics.length > 0 && regex !== '') {
    problems.report(SINK_RULES.topicsExclusive, ctx.pathOf('topics.regex'), '`topics` and `topics.regex` are both set', 'Keep one: a list of topics, or one regular expression.');
  }
  if (topics.length === 0 && regex === '') {
    problems.report(SINK_RULES.topicsMissing, ctx.pathOf('topics'), `${ctx.className} reads no topics`, 'Set "topics" to the topic(s) to write, e.g. the source\'s topic.prefix + table name.');
    return undefined;
  }
  if (topics.length > 0) {
    for (const topic of topics) {
      const problem = topicNameProblem(topic);
      if (problem) problems.report(SINK_RULES.topicIllegal, ctx.pathOf('topics'), `"${topic}" is not a Kafka topic name: ${problem}`, `Check the spelling; a legal form would be "${sanitizeTopicName(topic)}".`);
    }
    return { kind: 'list', topics };
  }
  try {
    new RegExp(regex);
  } catch {
    problems.report(SINK_RULES.topicsRegexInvalid, ctx.pathOf('topics.regex'), `\`topics.regex\` "${regex}" is not a valid regular expression`, 'Escape special characters, e.g. shop\\..* for topics starting with "shop.".');
    return undefined;
  }
  return { kind: 'regex', regex };
}

function checkKeys(ctx: Ctx, keyFormat: KeyFormat | undefined, managed: boolean): void {
  const { values, problems } = ctx;
  const pkMode = values['pk.mode'];
  const pkFields = values['pk.fields'];
  const insertMode = values['insert.mode'];
  if (values['delete.enabled'] && pkMode !== 'record_key') {
    problems.report(SINK_RULES.deleteNeedsRecordKey, ctx.pathOf('delete.enabled'), `\`delete.enabled=true\` needs \`pk.mode=record_key\`, but pk.mode is ${pkMode}`, 'Set "pk.mode": "record_key" (the record key identifies the row to delete), or set delete.enabled to false.');
  }
  if ((insertMode === 'upsert' || insertMode === 'update') && pkMode === 'none') {
    problems.report(
      SINK_RULES.upsertNeedsKey,
      ctx.pathOf('insert.mode'),
      insertMode === 'update'
        ? '`insert.mode=update` without key columns (pk.mode=none) would update every row of the table with each record'
        : '`insert.mode=upsert` needs key columns, but pk.mode is none',
      'Set "pk.mode": "record_key" (key from the record key) or "record_value" with "pk.fields": "<id column>".',
    );
  }
  if (pkMode === 'record_value' && pkFields.length === 0) {
    problems.report(SINK_RULES.recordValueAllFields, ctx.pathOf('pk.mode'), '`pk.mode=record_value` without `pk.fields` makes every value column part of the primary key', 'Name the key column(s), e.g. "pk.fields": "id".');
  }
  if (pkMode === 'kafka' && pkFields.length !== 0 && pkFields.length !== 3) {
    problems.report(SINK_RULES.kafkaPkFields, ctx.pathOf('pk.fields'), `\`pk.mode=kafka\` takes 0 or 3 \`pk.fields\`, got ${pkFields.length}`, 'Leave pk.fields empty for __connect_topic,__connect_partition,__connect_offset, or give three column names.');
  }
  if (pkMode === 'none' && pkFields.length > 0) {
    problems.report(SINK_RULES.pkFieldsIgnored, ctx.pathOf('pk.fields'), '`pk.fields` is ignored because `pk.mode` is none', 'Set pk.mode (record_key or record_value) or remove pk.fields.');
  }
  if (pkMode === 'record_key') {
    if (managed && !ctx.given.has('input.key.format') && !ctx.given.has('key.converter')) {
      problems.report(SINK_RULES.recordKeyNeedsKeyFormat, ctx.pathOf('input.key.format'), '`pk.mode=record_key` reads the record key, but `input.key.format` is not set', 'Set "input.key.format" to how the keys were written: AVRO, JSON or STRING.');
    } else if (keyFormat === 'STRING' && pkFields.length !== 1) {
      problems.report(SINK_RULES.primitiveKeyPkFields, ctx.pathOf('pk.fields'), `A STRING key becomes one column, so \`pk.fields\` must name exactly one column (got ${pkFields.length})`, 'Set "pk.fields": "<key column name>".');
    }
  }
}

function checkTableName(ctx: Ctx, topics: SinkTopics | undefined): void {
  const { values, problems } = ctx;
  const format = values['table.name.format'];
  if (!format.includes('${topic}')) {
    if (topics?.kind === 'regex' || (topics?.kind === 'list' && topics.topics.length > 1)) {
      problems.report(SINK_RULES.tableNameShared, ctx.pathOf('table.name.format'), `\`table.name.format\` has no \${topic}, so every topic is written to table "${format}"`, 'Include ${topic} in the format, or use one sink per topic.');
    }
    return;
  }
  const dotted = topics?.kind === 'list' ? topics.topics.filter((t) => t.includes('.')) : [];
  for (const topic of dotted) {
    const name = format.replace(/\$\{topic\}/g, topic);
    const parts = name.split('.');
    problems.report(
      SINK_RULES.tableNameDots,
      ctx.pathOf(ctx.given.has('table.name.format') ? 'table.name.format' : 'topics'),
      `Topic "${topic}" makes table name "${name}", which is read as ${parts.length === 2 ? `schema "${parts[0]}", table "${parts[1]}"` : `catalog "${parts[0]}", schema "${parts[1]}", table "${parts.slice(2).join('.')}"`}`,
      'Intended for Debezium-style topics; otherwise rename the topic with a RegexRouter transform or set table.name.format to the table name.',
    );
  }
}

function deadLetterQueue(ctx: Ctx, name: string, managed: boolean, tolerance: 'none' | 'all', topics: SinkTopics | undefined): ResolvedDeadLetterQueue | undefined {
  const { values, problems } = ctx;
  const configured = values['errors.deadletterqueue.topic.name'].trim();
  // Confluent Cloud always gives managed sinks a DLQ named after the connector.
  const topic = configured !== '' ? configured : managed && name !== '' ? `dlq-${sanitizeTopicName(name)}` : '';
  if (topic === '') {
    if (tolerance === 'all') {
      problems.report(
        SINK_RULES.toleranceAllDrops,
        ctx.pathOf(ctx.given.has('errors.tolerance') ? 'errors.tolerance' : 'errors.deadletterqueue.topic.name'),
        '`errors.tolerance` is all and no dead letter topic is set, so records the sink cannot write are dropped: skipped and kept nowhere (status and the progress line count them as "dropped")',
        'Set "errors.deadletterqueue.topic.name" to keep them in a topic you can replay from, or "errors.tolerance": "none" to stop at the first bad record.',
      );
    }
    return undefined;
  }
  if (configured !== '') {
    const problem = topicNameProblem(configured);
    if (problem) {
      problems.report(SINK_RULES.dlqTopicIllegal, ctx.pathOf('errors.deadletterqueue.topic.name'), `Dead letter topic "${configured}" is not a legal topic name: ${problem}`, `Use e.g. "${sanitizeTopicName(configured)}".`);
    }
    if (tolerance === 'none') {
      problems.report(SINK_RULES.dlqNeedsToleranceAll, ctx.pathOf('errors.deadletterqueue.topic.name'), 'A dead letter topic is set but `errors.tolerance` is none, so a bad record stops the connector and nothing is dead-lettered', 'Set "errors.tolerance": "all" to send bad records to the dead letter topic and keep going.');
    }
  }
  const readsIt = topics?.kind === 'list' ? topics.topics.includes(topic) : topics?.kind === 'regex' && safeFullMatch(topics.regex, topic);
  if (readsIt) {
    problems.report(SINK_RULES.readsOwnDlq, ctx.pathOf(topics?.kind === 'regex' ? 'topics.regex' : 'topics'), `The sink reads its own dead letter topic "${topic}"; a bad record would loop forever`, 'Exclude the dead letter topic from topics/topics.regex, or give the DLQ another name.');
  }
  if (tolerance === 'none') return undefined;
  return { topic, replicationFactor: values['errors.deadletterqueue.topic.replication.factor'], contextHeadersEnable: values['errors.deadletterqueue.context.headers.enable'] };
}

export function safeFullMatch(regex: string, text: string): boolean {
  try {
    return new RegExp(`^(?:${regex})$`).test(text);
  } catch {
    return false;
  }
}

function resolveSink(env: ConnectorEnv): ConnectorOutcome {
  const cls = env.connectorClass;
  const problems = env.problems;
  const managed = cls.flavor === 'managed';
  const v = validateKeys(JDBC_SINK_KEYS, env.raw, problems, {
    path: env.path,
    owner: cls.name,
    flavor: cls.flavor,
    isDynamic: isDynamicConnectorKey,
    docs: `docs/connectors/${cls.name}.md`,
  });
  const values = v.values;
  const ctx: Ctx = { values, given: v.given, pathOf: v.pathOf, path: env.path, problems, className: cls.name };
  const { parts, connection } = resolveCommon(env, v);

  const kafkaUsername = parts?.kafka.sasl?.username;
  const common = { flavor: cls.flavor, given: v.given, pathOf: v.pathOf, connectorPath: env.path, pipelineRegistry: env.pipelineRegistry, kafkaUsername, values };
  const value = resolveSerde<ValueFormat>({ ...common, which: 'value', managedFormat: values['input.data.format'], managedFormatKey: 'input.data.format', fallback: 'AVRO' }, problems);
  // Self-managed: the worker default (Avro). Managed: keys are not decoded unless input.key.format says how.
  const key = resolveSerde<KeyFormat>({ ...common, which: 'key', managedFormat: values['input.key.format'], managedFormatKey: 'input.key.format', fallback: managed ? undefined : 'AVRO' }, problems);
  if (managed && values['input.data.format'] === 'JSON') {
    problems.report(SINK_RULES.managedJsonInput, v.pathOf('input.data.format'), `Confluent Cloud's ${cls.name} accepts only AVRO, JSON_SR or PROTOBUF input; Ferry reads schemaless JSON, but this config will not deploy there`, 'Use AVRO if the config must also run in Confluent Cloud.');
  }

  const topics = checkTopics(ctx);
  checkKeys(ctx, key.serde?.format, managed);
  checkTableName(ctx, topics);
  const name = parts?.name ?? '';
  const dlq = deadLetterQueue(ctx, name, managed, values['errors.tolerance'], topics);

  const secrets = [...connection.secrets, ...value.secrets, ...key.secrets];
  const missingRegistry = value.missingRegistry || key.missingRegistry;
  const dialect = connection.connection?.dialect;
  if (!parts || !value.serde || !topics || dialect === undefined) return { connector: undefined, secrets, missingRegistry };

  const connector: ResolvedJdbcSink = {
    role: 'sink',
    name: parts.name,
    connectorClass: typeof env.raw['connector.class'] === 'string' ? env.raw['connector.class'] : cls.name,
    flavor: cls.flavor,
    dialect,
    connection: parts.connection,
    kafka: parts.kafka,
    tasksMax: values['tasks.max'],
    dbTimezone: values['db.timezone'],
    quoteSqlIdentifiers: values['quote.sql.identifiers'],
    transforms: parts.transforms,
    predicates: parts.predicates,
    unknown: parts.unknown,
    original: copyObject(env.original),
    originalSecrets: env.originalSecrets,
    path: pathText(env.path),
    topics,
    groupId: values['consumer.override.group.id'] ?? `connect-${parts.name}`,
    insertMode: values['insert.mode'],
    pkMode: values['pk.mode'],
    pkFields: values['pk.fields'],
    fieldsWhitelist: values['fields.whitelist'],
    autoCreate: values['auto.create'],
    autoEvolve: values['auto.evolve'],
    deleteEnabled: values['delete.enabled'],
    batchSize: values['batch.size'],
    tableNameFormat: values['table.name.format'],
    tableTypes: values['table.types'],
    dateTimezone: values['date.timezone'] === 'UTC' ? 'UTC' : 'DB_TIMEZONE',
    timestampFieldsList: values['timestamp.fields.list'],
    timestampPrecisionMode: values['timestamp.precision.mode'],
    maxRetries: values['max.retries'],
    retryBackoffMs: values['retry.backoff.ms'],
    replaceNullWithDefault: values['replace.null.with.default'],
    mssqlUseMergeHoldlock: values['mssql.use.merge.holdlock'],
    maxPollRecords: values['max.poll.records'],
    maxPollIntervalMs: values['max.poll.interval.ms'],
    key: key.serde,
    value: value.serde,
    errors: { ...parts.errors, deadLetterQueue: dlq },
  };
  return { connector, secrets, missingRegistry };
}

export const JDBC_SINK_FAMILY: ConnectorFamily = {
  id: 'jdbc-sink',
  role: 'sink',
  keys: JDBC_SINK_KEYS,
  rules: Object.values(SINK_RULES),
  pitfalls: PITFALLS,
  resolve: resolveSink,
};
