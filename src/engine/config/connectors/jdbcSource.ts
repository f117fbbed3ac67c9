/**
 * JDBC source: checks across keys (reference §1.1, §1.6, §8) and resolution into ResolvedJdbcSource.
 */
import { scrubAvroName } from '../../schema/avroMapping';
import { DIALECT_LABEL } from '../connection';
import { resolveSerde } from '../formats';
import { defineRule, type JsonPath, type ProblemList } from '../problems';
import { sanitizeTopicName, TOPIC_MAX_LENGTH, topicNameProblem } from '../topics';
import type { KeyValues } from '../keys';
import type { KeyFormat, ResolvedJdbcSource, SourceCapture, SourceMode, TableSelection, TransactionIsolationMode, ValueFormat } from '../types';
import { closest, validateKeys } from '../validateKeys';
import type { JsonValue } from '../jsonText';
import { maskUnknown } from '../secretScrub';
import { type ConnectorEnv, type ConnectorFamily, type ConnectorOutcome, copyObject, isDynamicConnectorKey, pathText, resolveCommon } from './connectorCommon';
import { JDBC_SOURCE_KEYS } from './jdbcSourceKeys';

type SourceValues = KeyValues<typeof JDBC_SOURCE_KEYS>;

export const SOURCE_RULES = {
  modeMissing: defineRule('source.mode-missing', 'error', '`mode` is required (Confluent Cloud infers it from the timestamp/incrementing columns when it is absent).'),
  timestampColumnMissing: defineRule('source.timestamp-column-missing', 'error', '`timestamp` modes need `timestamp.column.name`.'),
  columnsUnused: defineRule('source.columns-unused', 'warning', 'Timestamp/incrementing columns that the chosen `mode` does not use.'),
  queryWithTables: defineRule('source.query-with-tables', 'error', '`query` reads one SELECT; it cannot be combined with table lists.'),
  queryTwice: defineRule('source.query-twice', 'error', 'Set `query` or `query.masked`, not both.'),
  queryWhere: defineRule('source.query-where', 'warning', 'The incremental WHERE is appended to `query`; a query with its own WHERE must be wrapped.'),
  queryTopic: defineRule('source.query-topic-prefix', 'error', 'In query mode `topic.prefix` is the topic name, so it cannot be empty.'),
  topicPrefixIllegal: defineRule('source.topic-prefix-illegal', 'error', '`topic.prefix` may contain only letters, digits, `.`, `_` and `-`, at most 249 characters.'),
  topicNameIllegal: defineRule('source.topic-name-illegal', 'error', 'A listed table would produce a topic name Kafka refuses (`topic.prefix` + table).'),
  topicCollision: defineRule('source.topic-collision', 'warning', 'Tables with the same name in different schemas write to one topic.'),
  tableListsExclusive: defineRule('source.table-lists-exclusive', 'error', '`table.whitelist`/`table.blacklist` and the regex lists `table.include.list`/`table.exclude.list` exclude each other.'),
  excludeNeedsInclude: defineRule('source.exclude-needs-include', 'error', '`table.exclude.list` needs `table.include.list`.'),
  tableRegexInvalid: defineRule('source.table-regex-invalid', 'error', 'Entries of `table.include.list`/`table.exclude.list` are regular expressions.'),
  columnRenamedForAvro: defineRule('source.column-renamed-for-avro', 'warning', 'A column whose name Avro cannot hold is written to Kafka under a scrubbed field name; Ferry\'s sinks restore the name, other consumers see the scrubbed one.'),
  tableListTypo: defineRule('source.table-list-typo', 'error', 'A misspelt table list key leaves the source without a table list, which would capture every table of the database.'),
  tableListEmpty: defineRule('source.table-list-empty', 'error', 'An empty `table.whitelist`/`table.include.list` would capture every table of the database.'),
  deadLetterQueue: defineRule('source.dead-letter-queue', 'error', 'Dead letter queues exist for sinks only.'),
  numericMappingDecimal: defineRule('source.numeric-mapping-decimal', 'warning', '`numeric.mapping` does not change DECIMAL columns (all of MySQL\'s, SQL Server `decimal`).'),
  numericMappingBoth: defineRule('source.numeric-mapping-both', 'warning', '`numeric.mapping` wins over the deprecated `numeric.precision.mapping`.'),
  isolationSnapshot: defineRule('source.isolation-snapshot', 'error', '`transaction.isolation.mode=SQL_SERVER_SNAPSHOT` works on SQL Server only.'),
  viewsNonNull: defineRule('source.views-validate-non-null', 'warning', 'Views report nullable columns, so `validate.non.null=true` stops the connector.'),
  changelogMode: defineRule('source.changelog-mode', 'error', '`ferry.changelog.op.column` reads a change log by its timestamp (`timestamp` or `timestamp+incrementing` mode), not in bulk or with `query`.'),
  granularityUnsupported: defineRule('source.timestamp-granularity-unsupported', 'error', 'Ferry writes timestamps as Connect\'s millisecond Timestamp only (`timestamp.granularity=connect_logical`).'),
};

const PITFALLS = [
  'Updates arrive as full rows without a change type, and deletes are never captured: a row that disappears is simply not read again. Use soft-delete flags, or log-based capture.',
  '`incrementing` mode only sees new rows; updates need a `timestamp` mode.',
  'Rows committed after the connector has moved past their timestamp are skipped. Set `timestamp.delay.interval.ms` to at least your longest transaction.',
  'SQL Server timestamp columns must be `datetime2`: `datetime` rounds to 1/300 s, so the last row is read again and again.',
  '`db.timezone` must be the zone local `DATETIME` values are stored in; a wrong zone shifts the read window by the UTC offset.',
  'Records have a null key. An upsert sink with `pk.mode=record_key` needs a `ValueToKey` + `ExtractField$Key` transform here, or `pk.mode=record_value` there.',
  'Starting positions are timestamp 1970-01-01 and id -1: rows with negative ids or older timestamps are never read.',
  'In query mode the topic is exactly `topic.prefix`, the value schema is unnamed, and changing the query keeps the old position.',
];

const MODES_WITH_TIMESTAMP: readonly SourceMode[] = ['timestamp', 'timestamp+incrementing'];
const MODES_WITH_INCREMENTING: readonly SourceMode[] = ['incrementing', 'timestamp+incrementing'];

function inferMode(values: SourceValues): SourceMode | undefined {
  const ts = values['timestamp.column.name'].length > 0;
  const inc = values['incrementing.column.name'] !== '';
  if (ts && inc) return 'timestamp+incrementing';
  if (ts) return 'timestamp';
  if (inc) return 'incrementing';
  return undefined;
}

interface Ctx {
  values: SourceValues;
  given: ReadonlySet<string>;
  pathOf(name: string): JsonPath;
  path: JsonPath;
  problems: ProblemList;
  className: string;
}

function checkMode(ctx: Ctx, managed: boolean): SourceMode {
  const { values, problems } = ctx;
  let mode = values.mode;
  if (mode === undefined) {
    mode = managed ? inferMode(values) : undefined;
    if (mode === undefined) {
      problems.report(
        SOURCE_RULES.modeMissing,
        ctx.pathOf('mode'),
        managed ? `${ctx.className} has no \`mode\` and no timestamp or incrementing column to infer it from` : '`mode` is required ("Query mode must be specified" in Kafka Connect)',
        'Set "mode" to timestamp+incrementing (with timestamp.column.name and incrementing.column.name), timestamp, incrementing or bulk.',
      );
      return 'bulk';
    }
  }
  if (MODES_WITH_TIMESTAMP.includes(mode) && values['timestamp.column.name'].length === 0 && values['timestamp.columns.mapping'].length === 0) {
    problems.report(SOURCE_RULES.timestampColumnMissing, ctx.pathOf('timestamp.column.name'), `\`mode\` = ${mode} needs \`timestamp.column.name\``, 'Name the column that records when a row last changed, e.g. "timestamp.column.name": "updated_at" (NOT NULL).');
  }
  // mode=incrementing without a column is fine: the auto-increment column is detected at start.
  const unused: string[] = [];
  if (!MODES_WITH_TIMESTAMP.includes(mode) && values['timestamp.column.name'].length > 0) unused.push('timestamp.column.name');
  if (!MODES_WITH_INCREMENTING.includes(mode) && values['incrementing.column.name'] !== '') unused.push('incrementing.column.name');
  for (const key of unused) {
    problems.report(SOURCE_RULES.columnsUnused, ctx.pathOf(key), `\`${key}\` is not used in \`mode\` = ${mode}`, key === 'timestamp.column.name' ? 'Use mode timestamp+incrementing to pick up updates too, or remove the key.' : 'Use mode timestamp+incrementing to use both columns, or remove the key.');
  }
  return mode;
}

const TABLE_LIST_KEYS = ['table.whitelist', 'table.blacklist', 'table.include.list', 'table.exclude.list'] as const;

/**
 * Without any table list a source captures every table of the database (as Connect does). That must be what the
 * user asked for, not the result of a typo: a misspelt list key (`table.whitlist`, only an unknown-key warning
 * before) or a list given empty is an error, since the next run would copy the whole database.
 */
function checkTableListTypos(ctx: Ctx, unknownKeys: readonly string[], hasQuery: boolean): void {
  const { values, problems } = ctx;
  if (hasQuery) return;
  for (const key of ['table.whitelist', 'table.include.list'] as const) {
    if (ctx.given.has(key) && values[key].length === 0) {
      problems.report(SOURCE_RULES.tableListEmpty, ctx.pathOf(key), `\`${key}\` is empty, so the source has no table list and would capture every table of the database`, 'List the tables to capture, or remove the key to capture every table on purpose.');
    }
  }
  if (TABLE_LIST_KEYS.some((key) => ctx.given.has(key))) return;
  for (const key of unknownKeys) {
    const meant = closest(key, TABLE_LIST_KEYS) ?? (/white|black|include|exclude|tables?\b/i.test(key) ? 'table.whitelist' : undefined);
    if (meant === undefined) continue;
    problems.report(
      SOURCE_RULES.tableListTypo,
      [...ctx.path, key],
      `\`${key}\` is not a key Ferry knows, so this source has no table list and would capture every table of the database`,
      `Did you mean \`${meant}\`? To capture every table on purpose, remove \`${key}\`.`,
    );
  }
}

/**
 * Columns the config names that Avro cannot hold as field names (`order by`, `unit-price`): the topic's schema has
 * them scrubbed (`order_by`), as Connect's AvroConverter does; said here so nobody looks for the wrong name.
 */
function checkAvroColumnNames(ctx: Ctx): void {
  const named: { key: 'timestamp.column.name' | 'incrementing.column.name'; column: string }[] = [
    ...ctx.values['timestamp.column.name'].map((column) => ({ key: 'timestamp.column.name' as const, column })),
    ...(ctx.values['incrementing.column.name'] ? [{ key: 'incrementing.column.name' as const, column: ctx.values['incrementing.column.name'] }] : []),
  ];
  for (const { key, column } of named) {
    const avroName = scrubAvroName(column);
    if (avroName === column) continue;
    ctx.problems.report(
      SOURCE_RULES.columnRenamedForAvro,
      ctx.pathOf(key),
      `Column "${column}" is written to Kafka as Avro field "${avroName}" (Avro names allow only letters, digits and _)`,
      `Ferry's sinks write it back to a column named "${column}"; other consumers of the topic (Kafka Connect, ksqlDB) see "${avroName}". Preview lists every renamed column.`,
    );
  }
}

function checkTables(ctx: Ctx): TableSelection {
  const { values, problems } = ctx;
  const white = values['table.whitelist'];
  const black = values['table.blacklist'];
  const include = values['table.include.list'];
  const exclude = values['table.exclude.list'];
  if (white.length > 0 && black.length > 0) {
    problems.report(SOURCE_RULES.tableListsExclusive, ctx.pathOf('table.blacklist'), '`table.whitelist` and `table.blacklist` cannot both be set', 'Keep one: list the tables to copy, or the ones to skip.');
  }
  const legacy = white.length > 0 || black.length > 0;
  const regex = include.length > 0 || exclude.length > 0;
  if (legacy && regex) {
    problems.report(SOURCE_RULES.tableListsExclusive, ctx.pathOf(include.length > 0 ? 'table.include.list' : 'table.exclude.list'), 'The regex lists (`table.include.list`/`table.exclude.list`) cannot be combined with `table.whitelist`/`table.blacklist`', 'Use one style: exact names in table.whitelist, or regular expressions in table.include.list.');
  }
  if (exclude.length > 0 && include.length === 0) {
    problems.report(SOURCE_RULES.excludeNeedsInclude, ctx.pathOf('table.exclude.list'), '`table.exclude.list` needs `table.include.list`', 'Add "table.include.list": ".*" to start from every table.');
  }
  for (const key of ['table.include.list', 'table.exclude.list'] as const) {
    for (const pattern of values[key]) {
      try {
        new RegExp(pattern);
      } catch {
        problems.report(SOURCE_RULES.tableRegexInvalid, ctx.pathOf(key), `"${pattern}" in \`${key}\` is not a valid regular expression`, 'Escape special characters, e.g. write shop\\.orders for a literal dot.');
      }
    }
  }
  if (white.length > 0 || black.length > 0) return { kind: 'names', include: white, exclude: black };
  if (regex) return { kind: 'patterns', include, exclude };
  return { kind: 'all' };
}

function checkQuery(ctx: Ctx, mode: SourceMode): SourceCapture | undefined {
  const { values, problems } = ctx;
  const plain = values.query.trim();
  const masked = values['query.masked'];
  if (plain !== '' && masked !== undefined) {
    problems.report(SOURCE_RULES.queryTwice, ctx.pathOf('query.masked'), '`query` and `query.masked` are both set', 'Keep one of them.');
  }
  const query = plain !== '' ? plain : masked?.reveal().trim() ?? '';
  if (query === '') return undefined;
  const tableKeys = (['table.whitelist', 'table.blacklist', 'table.include.list', 'table.exclude.list'] as const).filter((k) => values[k].length > 0);
  if (tableKeys.length > 0) {
    problems.report(SOURCE_RULES.queryWithTables, ctx.pathOf(tableKeys[0] ?? 'table.whitelist'), `\`query\` cannot be combined with ${tableKeys.map((k) => `\`${k}\``).join(', ')}`, 'Remove the table list (the query names its tables), or remove `query` to copy whole tables.');
  }
  // Only flag a WHERE at the outer level: one inside a parenthesised subquery is already wrapped.
  if (mode !== 'bulk' && hasTopLevelWhere(query)) {
    problems.report(SOURCE_RULES.queryWhere, ctx.pathOf(plain !== '' ? 'query' : 'query.masked'), `The query has its own WHERE, and ${mode} mode appends "WHERE …" to it, which makes invalid SQL`, 'Wrap it: SELECT * FROM (<your query>) t');
  }
  if (values['topic.prefix'].trim() === '') {
    problems.report(SOURCE_RULES.queryTopic, ctx.pathOf('topic.prefix'), 'In query mode `topic.prefix` is the topic name, and it is empty', 'Set "topic.prefix" to the topic the query\'s rows should go to.');
  }
  return { kind: 'query', query, masked: plain === '' };
}

export function hasTopLevelWhere(sql: string): boolean {
  let depth = 0;
  const text = sql.replace(/'(?:[^']|'')*'/g, "''");
  for (let i = 0; i < text.length; i += 1) {
    const c = text[i];
    if (c === '(') depth += 1;
    else if (c === ')') depth -= 1;
    else if (depth === 0 && /^where\b/i.test(text.slice(i)) && (i === 0 || /\W/.test(text[i - 1] ?? ''))) return true;
  }
  return false;
}

function checkTopics(ctx: Ctx, capture: SourceCapture | undefined, tables: TableSelection): void {
  const { values, problems } = ctx;
  const prefix = values['topic.prefix'].trim();
  if (prefix !== '') {
    const problem = topicNameProblem(prefix);
    if (problem && !(capture === undefined && (prefix === '.' || prefix === '..'))) {
      const legal = sanitizeTopicName(prefix).slice(0, TOPIC_MAX_LENGTH);
      problems.report(SOURCE_RULES.topicPrefixIllegal, ctx.pathOf('topic.prefix'), `\`topic.prefix\` "${prefix}" cannot start a Kafka topic name: ${problem}`, `Use only letters, digits, '.', '_' and '-', e.g. "${legal}".`);
      return;
    }
  }
  if (capture !== undefined || tables.kind !== 'names') return;
  const seen = new Map<string, string>();
  for (const table of tables.include) {
    const bare = table.split('.').pop() ?? table;
    const topic = prefix + bare;
    const problem = topicNameProblem(topic);
    if (problem) {
      problems.report(SOURCE_RULES.topicNameIllegal, ctx.pathOf('table.whitelist'), `Table "${table}" would go to topic "${topic}", which Kafka refuses: ${problem}`, 'Rename the topic with a RegexRouter transform, or read the table through `query` with a legal `topic.prefix`.');
    }
    const other = seen.get(topic);
    if (other !== undefined) {
      problems.report(SOURCE_RULES.topicCollision, ctx.pathOf('table.whitelist'), `Tables "${other}" and "${table}" both go to topic "${topic}" (the topic uses the bare table name)`, 'Capture them with two connectors that have different topic prefixes.');
    }
    seen.set(topic, table);
  }
}

function checkMisc(ctx: Ctx, env: ConnectorEnv, dialect: string | undefined, mode: SourceMode): void {
  const { values, problems, given } = ctx;
  for (const key of Object.keys(env.raw)) {
    if (key.startsWith('errors.deadletterqueue.')) {
      problems.report(SOURCE_RULES.deadLetterQueue, [...ctx.path, key], `\`${key}\`: dead letter queues exist for sink connectors only`, 'Remove it; a source either stops on a bad record (errors.tolerance=none) or skips it (all).');
    }
  }
  const mapping = values['numeric.mapping'];
  if (mapping !== undefined && mapping !== 'none' && (dialect === 'mysql' || dialect === 'sqlserver')) {
    problems.report(
      SOURCE_RULES.numericMappingDecimal,
      ctx.pathOf('numeric.mapping'),
      dialect === 'mysql'
        ? `\`numeric.mapping\` = ${mapping} has no effect on MySQL: its driver reports NUMERIC and DECIMAL columns as DECIMAL, which always stay Avro decimals (as in Kafka Connect)`
        : `\`numeric.mapping\` = ${mapping} only changes SQL Server \`numeric\` columns; \`decimal\` columns stay Avro decimals (as in Kafka Connect)`,
      'Consumers must read decimal columns as Avro bytes/decimal; cast in a `query` if you need doubles or integers.',
    );
  }
  if (given.has('numeric.mapping') && given.has('numeric.precision.mapping')) {
    problems.report(SOURCE_RULES.numericMappingBoth, ctx.pathOf('numeric.precision.mapping'), '`numeric.precision.mapping` is ignored because `numeric.mapping` is set', 'Remove `numeric.precision.mapping`.');
  }
  if (values['table.types'].includes('VIEW') && values['validate.non.null'] && mode !== 'bulk') {
    problems.report(SOURCE_RULES.viewsNonNull, ctx.pathOf('validate.non.null'), 'Views report every column as nullable, so `validate.non.null=true` (the default) makes the connector refuse to start on a view', 'Set "validate.non.null": "false" and make sure the view\'s timestamp/id columns are never null.');
  }
}

const ISOLATION: Record<string, TransactionIsolationMode> = {
  DEFAULT: 'DEFAULT',
  READ_UNCOMMITED: 'READ_UNCOMMITTED',
  READ_COMMITED: 'READ_COMMITTED',
  REPEATABLE_READ: 'REPEATABLE_READ',
  SERIALIZABLE: 'SERIALIZABLE',
  SQL_SERVER_SNAPSHOT: 'SQL_SERVER_SNAPSHOT',
};

function resolveSource(env: ConnectorEnv): ConnectorOutcome {
  const cls = env.connectorClass;
  const problems = env.problems;
  const v = validateKeys(JDBC_SOURCE_KEYS, env.raw, problems, {
    path: env.path,
    owner: cls.name,
    flavor: cls.flavor,
    isDynamic: (key) => isDynamicConnectorKey(key) || key.startsWith('errors.deadletterqueue.'),
    docs: `docs/connectors/${cls.name}.md`,
  });
  const values = v.values;
  const ctx: Ctx = { values, given: v.given, pathOf: v.pathOf, path: env.path, problems, className: cls.name };
  const { parts, connection } = resolveCommon(env, v);
  const dialect = connection.connection?.dialect ?? cls.dialect;
  const mode = checkMode(ctx, cls.flavor === 'managed');
  const capture = checkQuery(ctx, mode);
  checkTableListTypos(ctx, Object.keys(v.unknown), capture !== undefined);
  const tables = checkTables(ctx);
  checkTopics(ctx, capture, tables);
  checkAvroColumnNames(ctx);
  checkMisc(ctx, env, dialect, mode);
  if (values['timestamp.granularity'] !== 'connect_logical') {
    // Refused rather than ignored: consumers of the topic would expect microsecond or nanosecond values.
    problems.report(
      SOURCE_RULES.granularityUnsupported,
      v.pathOf('timestamp.granularity'),
      `timestamp.granularity=${values['timestamp.granularity']} is not supported yet: Ferry writes Connect's millisecond Timestamp`,
      'Remove the key (or set connect_logical); sub-millisecond precision reaches the target only through log-based capture later.',
    );
  }
  if (values['ferry.changelog.op.column'] !== undefined && (capture !== undefined || mode === 'bulk' || mode === 'incrementing')) {
    problems.report(
      SOURCE_RULES.changelogMode,
      v.pathOf('ferry.changelog.op.column'),
      `\`ferry.changelog.op.column\` needs a change log read by its timestamp, but this source ${capture !== undefined ? 'runs a query' : `uses mode=${String(mode)}`}`,
      'Point the source at the change-log tables with "mode": "timestamp+incrementing" and their timestamp and id columns, or remove ferry.changelog.op.column.',
    );
  }
  if (values['transaction.isolation.mode'] === 'SQL_SERVER_SNAPSHOT' && dialect !== undefined && dialect !== 'sqlserver') {
    problems.report(SOURCE_RULES.isolationSnapshot, v.pathOf('transaction.isolation.mode'), `SQL_SERVER_SNAPSHOT isolation exists only on SQL Server, not on ${DIALECT_LABEL[dialect]}`, 'Use READ_COMMITED or DEFAULT.');
  }

  const kafkaUsername = parts?.kafka.sasl?.username;
  const common = { flavor: cls.flavor, given: v.given, pathOf: v.pathOf, connectorPath: env.path, pipelineRegistry: env.pipelineRegistry, kafkaUsername, values };
  const value = resolveSerde<ValueFormat>({ ...common, which: 'value', managedFormat: values['output.data.format'], managedFormatKey: 'output.data.format', fallback: 'AVRO' }, problems);
  // Managed: keys follow the value format unless output.key.format says otherwise (JSON values need no registry).
  // Self-managed: the worker default key converter, Avro.
  const keyFallback = cls.flavor === 'managed' ? (value.serde?.format ?? 'AVRO') : 'AVRO';
  const key = resolveSerde<KeyFormat>({ ...common, which: 'key', managedFormat: values['output.key.format'], managedFormatKey: 'output.key.format', fallback: keyFallback }, problems);
  const secrets = [...connection.secrets, ...value.secrets, ...key.secrets];
  const missingRegistry = value.missingRegistry || key.missingRegistry;
  if (!parts || !value.serde || !key.serde || dialect === undefined) return { connector: undefined, secrets, missingRegistry };

  // Dynamic keys that were not transforms (the DLQ keys reported above) stay with the unknown ones.
  const dlqKeys: Record<string, JsonValue> = {};
  for (const [k, val] of Object.entries(v.dynamic)) if (!isDynamicConnectorKey(k)) dlqKeys[k] = val;
  const unknown = { ...parts.unknown, ...maskUnknown(dlqKeys, env.secretValues) };

  const numericMapping = values['numeric.mapping'] ?? (values['numeric.precision.mapping'] ? 'precision_only' : 'none');
  const connector: ResolvedJdbcSource = {
    role: 'source',
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
    unknown,
    original: copyObject(env.original),
    originalSecrets: env.originalSecrets,
    path: pathText(env.path),
    mode,
    capture: capture ?? { kind: 'tables', tables },
    timestampColumns: values['timestamp.column.name'],
    incrementingColumn: values['incrementing.column.name'] === '' ? undefined : values['incrementing.column.name'],
    timestampColumnsMapping: values['timestamp.columns.mapping'],
    incrementingColumnMapping: values['incrementing.column.mapping'],
    validateNonNull: values['validate.non.null'],
    timestampDelayIntervalMs: values['timestamp.delay.interval.ms'],
    timestampInitial: values['timestamp.initial'],
    timestampGranularity: values['timestamp.granularity'],
    pollIntervalMs: values['poll.interval.ms'],
    batchMaxRows: values['batch.max.rows'],
    tablePollIntervalMs: values['table.poll.interval.ms'],
    querySuffix: values['query.suffix'].trim(),
    tableTypes: values['table.types'],
    schemaPattern: values['schema.pattern'],
    changelogOpColumn: values['ferry.changelog.op.column']?.trim() || undefined,
    catalogPattern: values['catalog.pattern'],
    topicPrefix: values['topic.prefix'].trim(),
    numericMapping,
    dateCalendarSystem: values['date.calendar.system'],
    transactionIsolationMode: ISOLATION[values['transaction.isolation.mode']] ?? 'DEFAULT',
    queryRetryAttempts: values['query.retry.attempts'],
    topicCreation: { partitions: values['topic.creation.default.partitions'], replicationFactor: values['topic.creation.default.replication.factor'] },
    key: key.serde,
    value: value.serde,
    errors: parts.errors,
  };
  return { connector, secrets, missingRegistry };
}

/**
 * Topics a source writes to, as far as the config tells: prefix + bare table name for listed tables, the
 * prefix itself in query mode. `complete` is false when tables are discovered at run time.
 */
export function sourceTopics(source: ResolvedJdbcSource): { topics: string[]; complete: boolean } {
  if (source.capture.kind === 'query') return { topics: [source.topicPrefix], complete: true };
  const tables = source.capture.tables;
  if (tables.kind !== 'names') return { topics: [], complete: false };
  return { topics: tables.include.map((t) => source.topicPrefix + (t.split('.').pop() ?? t)), complete: true };
}

export const JDBC_SOURCE_FAMILY: ConnectorFamily = {
  id: 'jdbc-source',
  role: 'source',
  keys: JDBC_SOURCE_KEYS,
  rules: Object.values(SOURCE_RULES),
  pitfalls: PITFALLS,
  resolve: resolveSource,
};
