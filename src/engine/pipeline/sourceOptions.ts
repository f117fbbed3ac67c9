import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { ResolvedJdbcSource, ResolvedKafka } from '../config';
import { EngineError } from '../../shared/errors';
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

/** Kafka client settings; TLS file paths resolve against the pipeline file's folder, as the docs say. */
export function kafkaSettings(kafka: ResolvedKafka, baseDir = '.'): KafkaClientSettings {
  const caLocation = kafka.tls?.caLocation;
  let sslCaPem: string | undefined;
  if (caLocation) {
    const path = resolve(baseDir, caLocation);
    try {
      sslCaPem = readFileSync(path, 'utf8');
    } catch (error) {
      throw new EngineError('KAFKA_BAD_SETTINGS', `ssl.ca.location points at ${path}, which cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'}). Fix the path (relative paths start at the pipeline file's folder).`);
    }
  }
  return {
    ...(sslCaPem ? { sslCaPem } : {}),
    bootstrapServers: kafka.bootstrapServers,
    securityProtocol: kafka.securityProtocol,
    clientId: kafka.clientId,
    requestTimeoutMs: kafka.requestTimeoutMs,
    ...(kafka.sasl ? { saslMechanism: kafka.sasl.mechanism, saslUsername: kafka.sasl.username, saslPassword: kafka.sasl.password.reveal() } : {}),
  };
}
