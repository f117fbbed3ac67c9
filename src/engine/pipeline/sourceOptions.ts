import type { ResolvedJdbcSource, ResolvedKafka } from '../config';
import type { KafkaClientSettings } from '../kafka';
import type { PollingSourceOptions, TableType } from '../sources/polling/options';
import type { SourceConnectionOptions, TlsMode } from '../sources/polling/pollingReader';

/** The resolved connector config as the polling reader's options (the reader knows nothing of config files). */
export function pollingOptions(config: ResolvedJdbcSource): PollingSourceOptions {
  const options: PollingSourceOptions = {
    mode: config.mode,
    timestampColumns: config.timestampColumns,
    validateNonNull: config.validateNonNull,
    timestampDelayIntervalMs: config.timestampDelayIntervalMs,
    pollIntervalMs: config.pollIntervalMs,
    batchMaxRows: config.batchMaxRows,
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

export function sourceConnection(config: ResolvedJdbcSource): SourceConnectionOptions {
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

export function kafkaSettings(kafka: ResolvedKafka): KafkaClientSettings {
  return {
    bootstrapServers: kafka.bootstrapServers,
    securityProtocol: kafka.securityProtocol,
    clientId: kafka.clientId,
    requestTimeoutMs: kafka.requestTimeoutMs,
    ...(kafka.sasl ? { saslMechanism: kafka.sasl.mechanism, saslUsername: kafka.sasl.username, saslPassword: kafka.sasl.password.reveal() } : {}),
  };
}
