import type { ResolvedJdbcSource, ResolvedLogSource } from '../config';
import type { LogCaptureInit } from '../sources';
import type { PollingSourceOptions, TableType } from '../sources/polling/options';
import type { SourceConnectionOptions, TlsMode } from '../sources/polling/pollingReader';
import { resolveZone } from '../sources/polling/zone';

/** The resolved connector config as the polling reader's options (the reader knows nothing of config files). */
export function pollingOptions(config: ResolvedJdbcSource): PollingSourceOptions {
  const options: PollingSourceOptions = {
    mode: config.mode,
    timestampColumns: config.timestampColumns,
    validateNonNull: config.validateNonNull,
    timestampDelayIntervalMs: config.timestampDelayIntervalMs,
    pollIntervalMs: config.pollIntervalMs,
    batchMaxRows: config.batchMaxRows,
    tablePollIntervalMs: config.tablePollIntervalMs,
    querySuffix: config.querySuffix,
    tableTypes: config.tableTypes.filter((type): type is TableType => type === 'TABLE' || type === 'VIEW'),
    topicPrefix: config.topicPrefix,
    numericMapping: config.numericMapping,
    dbTimezone: config.dbTimezone,
    connectionAttempts: config.connection.attempts,
    connectionBackoffMs: config.connection.backoffMs,
  };
  if (config.incrementingColumn !== undefined) options.incrementingColumn = config.incrementingColumn;
  if (config.timestampInitial !== undefined) options.timestampInitial = config.timestampInitial;
  if (config.capture.kind === 'query') options.query = config.capture.query;
  else {
    const tables = config.capture.tables;
    if (tables.kind === 'names') {
      if (tables.include.length > 0) options.tableWhitelist = tables.include;
      if (tables.exclude.length > 0) options.tableBlacklist = tables.exclude;
    } else if (tables.kind === 'patterns') {
      if (tables.include.length > 0) options.tableIncludeList = tables.include;
      if (tables.exclude.length > 0) options.tableExcludeList = tables.exclude;
    }
  }
  return options;
}

export function sourceConnection(config: Pick<ResolvedJdbcSource, 'connection'>): SourceConnectionOptions {
  const connection = config.connection;
  const password = connection.password;
  return {
    host: connection.host,
    port: connection.port,
    user: connection.user ?? '',
    password: password ?? '',
    database: connection.database ?? '',
    tls: connection.ssl as TlsMode,
  };
}

/** The resolved log source config as the log capture's options. */
export function logCaptureInit(connector: ResolvedLogSource): LogCaptureInit {
  return {
    connection: sourceConnection(connector),
    dialect: connector.dialect,
    connectorName: connector.dialect === 'postgres' ? 'postgresql' : connector.dialect === 'sqlserver' ? 'sqlserver' : /mariadb/i.test(connector.connectorClass) ? 'mariadb' : 'mysql',
    topicPrefix: connector.topicPrefix,
    includeTable: logTableFilter(connector),
    includeDatabase: logDatabaseFilter(connector),
    zone: resolveZone(connector.dbTimezone),
    snapshotFetchSize: connector.snapshotFetchSize,
    serverId: connector.serverId,
    includeSchemaChanges: connector.includeSchemaChanges,
    slotName: connector.slotName,
    publicationName: connector.publicationName,
    publicationAutocreate: connector.publicationAutocreate,
    types: { dialect: connector.dialect, timePrecisionMode: connector.timePrecisionMode, decimalHandlingMode: connector.decimalHandlingMode },
  };
}

/** `database.include.list` / `exclude.list` alone: the databases whose database-level DDL Debezium writes (MySQL/MariaDB). */
export function logDatabaseFilter(connector: ResolvedLogSource): (database: string) => boolean {
  const databases = connector.include.databases.map((pattern) => new RegExp(`^(?:${pattern})$`));
  const excluded = connector.include.databasesExcluded.map((pattern) => new RegExp(`^(?:${pattern})$`));
  return (database) => (databases.length === 0 || databases.some((regex) => regex.test(database))) && !excluded.some((regex) => regex.test(database));
}

/**
 * Debezium's include and exclude lists as one predicate: databases (MySQL) or schemas (PostgreSQL) first, then
 * `<database or schema>.<table>`, each a regular expression matched against the whole name.
 */
export function logTableFilter(connector: ResolvedLogSource): (table: { catalog?: string; schema?: string; table: string }) => boolean {
  const compile = (patterns: readonly string[]): RegExp[] => patterns.map((pattern) => new RegExp(`^(?:${pattern})$`));
  const databases = compile(connector.include.databases);
  const databasesExcluded = compile(connector.include.databasesExcluded);
  const tables = compile(connector.include.tables);
  const tablesExcluded = compile(connector.include.tablesExcluded);
  return (table) => {
    const container = table.schema ?? table.catalog ?? '';
    if (databases.length > 0 && !databases.some((regex) => regex.test(container))) return false;
    if (databasesExcluded.some((regex) => regex.test(container))) return false;
    const name = `${container}.${table.table}`;
    if (tables.length > 0 && !tables.some((regex) => regex.test(name))) return false;
    return !tablesExcluded.some((regex) => regex.test(name));
  };
}
