/**
 * Log-based sources: Debezium's connector configs (and Confluent Cloud's CDC classes) checked across keys and
 * resolved into ResolvedLogSource. Keys Ferry accepts but does not honour are warnings naming the key.
 */
import { createHash } from 'node:crypto';
import { formatDsn } from '../../db/connectionFailure';
import { connectorKafka } from '../kafkaBlock';
import { resolveSerde } from '../formats';
import type { KeyValues } from '../keys';
import { defineRule, type JsonPath } from '../problems';
import { maskUnknown } from '../secretScrub';
import { topicNameProblem } from '../topics';
import { resolveTransforms } from '../transforms';
import type { Dialect, KeyFormat, LogSnapshotMode, ResolvedConnection, ResolvedLogSource, ResolvedSchemaHistory, SslMode, ValueFormat } from '../types';
import { validateKeys } from '../validateKeys';
import { COMMON_RULES, type ConnectorEnv, type ConnectorFamily, type ConnectorOutcome, copyObject, isDynamicConnectorKey, pathText } from './connectorCommon';
import { LOG_SOURCE_KEYS } from './logSourceKeys';

type LogValues = KeyValues<typeof LOG_SOURCE_KEYS>;

export const LOG_SOURCE_RULES = {
  hostMissing: defineRule('log-source.host-missing', 'error', '`database.hostname`, `database.user` and `database.password` say where to capture from.'),
  prefixMissing: defineRule('log-source.topic-prefix-missing', 'error', '`topic.prefix` is required: it names the topics and the Avro records.'),
  prefixIllegal: defineRule('log-source.topic-prefix-illegal', 'error', '`topic.prefix` may contain only letters, digits, `.`, `_` and `-`.'),
  dbnameMissing: defineRule('log-source.dbname-missing', 'error', 'A PostgreSQL connector captures one database: `database.dbname`.'),
  regexInvalid: defineRule('log-source.regex-invalid', 'error', 'Include and exclude lists are regular expressions.'),
  notHonoured: defineRule('log-source.not-honoured', 'warning', 'A key Ferry accepts but does not honour the way Debezium does; the warning says what Ferry does instead.'),
  wrongDatabase: defineRule('log-source.wrong-database', 'warning', 'A key that belongs to the other database\'s connector has no effect.'),
  tasksMax: defineRule('log-source.tasks-max', 'warning', 'A log-based source reads one log: Debezium runs one task, whatever `tasks.max` says.'),
  includeExclude: defineRule('log-source.include-exclude', 'error', 'An include list and its exclude list exclude each other (Debezium refuses both).'),
};

const PITFALLS = [
  'MySQL/MariaDB need a ROW binlog with full row images (`binlog_format=ROW`, `binlog_row_image=FULL`) and a user with REPLICATION SLAVE and REPLICATION CLIENT; Ferry names what is missing at start.',
  'PostgreSQL needs `wal_level=logical`; the replication slot keeps WAL on the server while the connector is stopped. Delete a pipeline you no longer run, or drop its slot, or the server\'s disk fills.',
  'Without `REPLICA IDENTITY FULL`, PostgreSQL updates carry no before image and deletes carry only the key (as in Debezium).',
  'Records are Debezium change events (`before`, `after`, `source`, `op`): a JDBC sink needs `io.debezium.transforms.ExtractNewRecordState` to write rows, and `delete.enabled=true` with `pk.mode=record_key` to apply deletes.',
  'Column types are Debezium\'s: `io.debezium.time.*` for dates and times (Connect\'s Date, Time and Timestamp with `time.precision.mode=connect`), `io.debezium.data.*` for JSON, UUID, ENUM, SET and BIT(n), decimals per `decimal.handling.mode`. PostgreSQL numeric without a precision, interval, money, enums, timetz and geometry columns are written as text or Ferry\'s type, not as Debezium\'s.',
];

const DEFAULT_PORT: Record<Dialect, number> = { mysql: 3306, postgres: 5432, sqlserver: 1433 };

const SSL: Record<string, SslMode> = {
  disable: 'disable',
  disabled: 'disable',
  prefer: 'prefer',
  preferred: 'prefer',
  require: 'require',
  required: 'require',
  'verify-ca': 'verify-ca',
  verify_ca: 'verify-ca',
  'verify-full': 'verify-full',
  verify_identity: 'verify-full',
};

/** Debezium picks a random replica id; Ferry derives one from the name so a restart registers as the same replica. */
function stableServerId(name: string): number {
  return 5400 + (createHash('sha256').update(name).digest().readUInt32BE(0) % 100_000);
}

function resolveLogSource(env: ConnectorEnv): ConnectorOutcome {
  const { connectorClass: cls, problems } = env;
  const v = validateKeys(LOG_SOURCE_KEYS, env.raw, problems, {
    path: env.path,
    owner: cls.name,
    flavor: cls.flavor,
    isDynamic: (key) => isDynamicConnectorKey(key),
    docs: `docs/connectors/${cls.name}.md`,
  });
  const values: LogValues = v.values;
  const dialect = cls.dialect ?? 'mysql';
  const pathOf = (key: string): JsonPath => v.pathOf(key);

  const name = (values.name ?? env.outerName ?? '').trim();
  if (name === '') {
    problems.report(COMMON_RULES.nameMissing, pathOf('name'), `This ${cls.name} connector has no \`name\``, 'Add "name": "<unique name>"; Ferry keys its checkpoints by it, so keep it stable.');
  }
  const host = values['database.hostname']?.trim();
  const user = values['database.user']?.trim();
  const password = values['database.password'];
  if (!host || !user || password === undefined) {
    const missing = [!host && 'database.hostname', !user && 'database.user', password === undefined && 'database.password'].filter(Boolean).join(', ');
    problems.report(LOG_SOURCE_RULES.hostMissing, pathOf(!host ? 'database.hostname' : !user ? 'database.user' : 'database.password'), `${cls.name} needs ${missing}`, 'Set the database server, the user the connector logs in as, and its password.');
  }
  // SQL Server: Debezium 2+ names the database in `database.names` (one database per task here), 1.x in `database.dbname`.
  const database = (dialect === 'sqlserver' ? (values['database.names'][0] ?? values['database.dbname']) : values['database.dbname'])?.trim();
  if (dialect === 'sqlserver' && values['database.names'].length > 1) {
    problems.report(LOG_SOURCE_RULES.notHonoured, pathOf('database.names'), `\`database.names\` lists ${values['database.names'].length} databases; Ferry captures the first, ${database ?? ''}`, 'Run one connector per database.');
  }
  if (dialect !== 'mysql' && !database) {
    const key = dialect === 'sqlserver' ? 'database.names' : 'database.dbname';
    problems.report(LOG_SOURCE_RULES.dbnameMissing, pathOf(key), `${cls.name} needs \`${key}\``, `Set the ${dialect === 'sqlserver' ? 'SQL Server' : 'PostgreSQL'} database that holds the tables.`);
  }
  const topicPrefix = (values['topic.prefix'] ?? '').trim();
  if (topicPrefix === '') {
    problems.report(LOG_SOURCE_RULES.prefixMissing, pathOf('topic.prefix'), `${cls.name} needs \`topic.prefix\``, 'Set a short name for this server, e.g. "shop": topics become shop.<database>.<table>.');
  } else {
    const problem = topicNameProblem(topicPrefix);
    if (problem) problems.report(LOG_SOURCE_RULES.prefixIllegal, pathOf('topic.prefix'), `\`topic.prefix\` "${topicPrefix}" ${problem}`, 'Use letters, digits, ".", "_" and "-".');
  }
  const lists = ['database.include.list', 'database.exclude.list', 'schema.include.list', 'schema.exclude.list', 'table.include.list', 'table.exclude.list', 'column.exclude.list'] as const;
  for (const key of lists) {
    for (const pattern of values[key]) {
      try {
        new RegExp(`^(?:${pattern})$`);
      } catch {
        problems.report(LOG_SOURCE_RULES.regexInvalid, pathOf(key), `"${pattern}" in \`${key}\` is not a valid regular expression`, 'Escape special characters, e.g. shop\\.orders for a literal dot.');
      }
    }
  }
  for (const [include, exclude] of [
    ['database.include.list', 'database.exclude.list'],
    ['schema.include.list', 'schema.exclude.list'],
    ['table.include.list', 'table.exclude.list'],
  ] as const) {
    if (values[include].length > 0 && values[exclude].length > 0) {
      problems.report(LOG_SOURCE_RULES.includeExclude, pathOf(exclude), `\`${include}\` and \`${exclude}\` are both set`, `Keep one of them: Debezium refuses the pair.`);
    }
  }
  const notHonoured = (key: string, what: string): void => {
    if (v.given.has(key)) problems.report(LOG_SOURCE_RULES.notHonoured, pathOf(key), `\`${key}\`: ${what}`, 'Remove the key, or keep it for when the config runs on Kafka Connect.');
  };
  const historyClass = values['schema.history.internal'];
  if (historyClass !== undefined && !/(?:Kafka|File)SchemaHistory$/.test(historyClass)) {
    notHonoured('schema.history.internal', `${historyClass} is not a store Ferry has; the history is kept in ${values['schema.history.internal.kafka.topic'] ? 'the topic of schema.history.internal.kafka.topic' : "a file beside the pipeline's checkpoint"}`);
  }
  if (values['plugin.name'] !== 'pgoutput') notHonoured('plugin.name', 'Ferry reads pgoutput only');
  if (values['publication.autocreate.mode'] === 'no_tables') notHonoured('publication.autocreate.mode', 'no_tables is treated as disabled: the publication must exist');
  if (values['include.schema.changes'] && v.given.has('include.schema.changes') && dialect === 'sqlserver') notHonoured('include.schema.changes', 'Ferry writes the schema change topic for MySQL and MariaDB only, not for SQL Server yet');
  const mysqlOnly = ['database.server.id', 'database.include.list', 'database.exclude.list', 'include.schema.changes'];
  const postgresOnly = ['database.dbname', 'slot.name', 'publication.name', 'publication.autocreate.mode', 'plugin.name', 'schema.include.list', 'schema.exclude.list'];
  const postgresReplication = ['slot.name', 'publication.name', 'publication.autocreate.mode', 'plugin.name'];
  const foreign: [string[], string][] =
    dialect === 'postgres'
      ? [[mysqlOnly, 'MySQL/MariaDB'], [['database.names'], 'SQL Server']]
      : dialect === 'sqlserver'
        ? [[mysqlOnly.filter((key) => key !== 'include.schema.changes'), 'MySQL/MariaDB'], [postgresReplication, 'PostgreSQL']]
        : [[postgresOnly, 'PostgreSQL'], [['database.names'], 'SQL Server']];
  for (const [keys, owner] of foreign) {
    for (const key of keys) {
      if (v.given.has(key)) problems.report(LOG_SOURCE_RULES.wrongDatabase, pathOf(key), `\`${key}\` belongs to the ${owner} connector; ${cls.name} ignores it`, 'Remove it.');
    }
  }
  if (values['tasks.max'] > 1) problems.report(LOG_SOURCE_RULES.tasksMax, pathOf('tasks.max'), `tasks.max=${values['tasks.max']}: one task reads the log`, 'Set tasks.max to 1.');

  const kafka = connectorKafka(
    env.pipelineKafka,
    {
      authMode: values['kafka.auth.mode'],
      apiKey: values['kafka.api.key'],
      apiSecret: values['kafka.api.secret'],
      apiKeyPath: pathOf(values['kafka.api.key'] === undefined ? 'kafka.api.secret' : 'kafka.api.key'),
      authModePath: pathOf('kafka.auth.mode'),
      connectorPath: env.path,
    },
    problems,
  );
  const transformed = resolveTransforms({ transforms: values.transforms, predicates: values.predicates, dynamic: v.dynamic, path: env.path }, problems);
  const common = { flavor: cls.flavor, given: v.given, pathOf, connectorPath: env.path, pipelineRegistry: env.pipelineRegistry, kafkaUsername: kafka.sasl?.username, values };
  const value = resolveSerde<ValueFormat>({ ...common, which: 'value', managedFormat: values['output.data.format'], managedFormatKey: 'output.data.format', fallback: 'AVRO' }, problems);
  const key = resolveSerde<KeyFormat>({ ...common, which: 'key', managedFormat: values['output.key.format'], managedFormatKey: 'output.key.format', fallback: 'AVRO' }, problems);
  const secrets = [...value.secrets, ...key.secrets];
  const missingRegistry = value.missingRegistry || key.missingRegistry;
  if (name === '' || !host || !user || password === undefined || topicPrefix === '' || !value.serde || !key.serde || (dialect !== 'mysql' && !database)) {
    return { connector: undefined, secrets, missingRegistry };
  }
  const port = values['database.port'] ?? DEFAULT_PORT[dialect];
  const connection: ResolvedConnection = {
    dialect,
    host,
    port,
    user,
    password,
    database: dialect !== 'mysql' ? database : undefined,
    ssl: SSL[values['database.ssl.mode']] ?? 'prefer',
    instanceName: undefined,
    properties: {},
    attempts: 3,
    backoffMs: 10_000,
    display: formatDsn({ scheme: dialect === 'postgres' ? 'postgres' : dialect === 'sqlserver' ? 'sqlserver' : 'mysql', user, host, port, database: dialect !== 'mysql' ? database : undefined }),
  };
  const snapshotMode: LogSnapshotMode = values['snapshot.mode'] === 'schema_only' || values['snapshot.mode'] === 'never' ? 'no_data' : values['snapshot.mode'];
  const connector: ResolvedLogSource = {
    role: 'source',
    capture: { kind: 'log' },
    name,
    connectorClass: typeof env.raw['connector.class'] === 'string' ? env.raw['connector.class'] : cls.name,
    flavor: cls.flavor,
    dialect,
    connection,
    kafka,
    tasksMax: 1,
    dbTimezone: 'UTC',
    transforms: transformed.transforms,
    predicates: transformed.predicates,
    unknown: maskUnknown({ ...v.unknown, ...transformed.unmatched }, env.secretValues),
    original: copyObject(env.original),
    originalSecrets: env.originalSecrets,
    path: pathText(env.path),
    topicPrefix,
    include: {
      databases: dialect !== 'mysql' ? values['schema.include.list'] : values['database.include.list'],
      databasesExcluded: dialect !== 'mysql' ? values['schema.exclude.list'] : values['database.exclude.list'],
      tables: values['table.include.list'],
      tablesExcluded: values['table.exclude.list'],
      columnsExcluded: values['column.exclude.list'],
    },
    snapshotMode,
    snapshotFetchSize: values['snapshot.fetch.size'],
    tombstonesOnDelete: values['tombstones.on.delete'],
    // Debezium's defaults differ: adaptive_time_microseconds for MySQL/MariaDB, adaptive for PostgreSQL.
    timePrecisionMode: values['time.precision.mode'] ?? (dialect === 'mysql' ? 'adaptive_time_microseconds' : 'adaptive'),
    decimalHandlingMode: values['decimal.handling.mode'],
    heartbeatIntervalMs: values['heartbeat.interval.ms'],
    serverId: values['database.server.id'] ?? stableServerId(name),
    includeSchemaChanges: dialect === 'mysql' && values['include.schema.changes'],
    schemaHistory: schemaHistoryStore(historyClass, values['schema.history.internal.kafka.topic'], values['schema.history.internal.file.filename']),
    slotName: values['slot.name'],
    publicationName: values['publication.name'],
    publicationAutocreate: values['publication.autocreate.mode'] === 'no_tables' ? 'disabled' : values['publication.autocreate.mode'],
    key: key.serde,
    value: value.serde,
    errors: {
      tolerance: values['errors.tolerance'],
      retryTimeoutMs: values['errors.retry.timeout'],
      retryDelayMaxMs: values['errors.retry.delay.max.ms'],
      logEnable: values['errors.log.enable'],
      logIncludeMessages: values['errors.log.include.messages'],
    },
  };
  return { connector, secrets, missingRegistry };
}

export const LOG_SOURCE_FAMILY: ConnectorFamily = {
  id: 'log-source',
  role: 'source',
  title: 'Log-based source',
  pageIntro:
    'Captures every committed change from the database\'s log (MySQL/MariaDB binlog, PostgreSQL logical decoding with pgoutput) after an initial snapshot, and writes Debezium change events: topics `<topic.prefix>.<database or schema>.<table>`, a key of the primary key, and the envelope `before`, `after`, `source`, `op`, `ts_ms`, with a tombstone after each delete.',
  ownRulesOnly: true,
  keys: LOG_SOURCE_KEYS,
  rules: Object.values(LOG_SOURCE_RULES),
  pitfalls: PITFALLS,
  resolve: resolveLogSource,
};

/** Debezium's choice of schema history store: a file when the class says so, else the Kafka topic when one is named, else Ferry's file. */
function schemaHistoryStore(historyClass: string | undefined, topic: string | undefined, filename: string | undefined): ResolvedSchemaHistory {
  const wantsFile = historyClass !== undefined && /FileSchemaHistory$/.test(historyClass);
  if (!wantsFile && topic !== undefined && topic !== '') return { kind: 'kafka', topic };
  return filename !== undefined && filename !== '' ? { kind: 'file', path: filename } : { kind: 'file' };
}
