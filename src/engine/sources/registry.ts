import { SqlServerLogCapture } from './sqlserver/cdc/sqlServerLogCapture';
import type { LogCapture, LogCaptureInit } from './logCapture';
import { MySqlLogCapture } from './mysql/binlog/mySqlLogCapture';
import { MySqlPollingReader } from './mysql/mysqlPollingReader';
import type { PollingReader, PollingReaderInit } from './polling/pollingReader';
import { PostgresLogCapture } from './postgres/logical/postgresLogCapture';
import { PostgresPollingReader } from './postgres/postgresPollingReader';
import { SqlServerPollingReader } from './sqlserver/sqlServerPollingReader';

/**
 * The one place that knows every database folder, so `sources/<db>` folders never import each other and the
 * pipeline runner asks for a reader by kind. MariaDB uses the MySQL reader.
 */
export type PollingSourceKind = 'mysql' | 'postgres' | 'sqlserver';
export const POLLING_SOURCE_KINDS: readonly PollingSourceKind[] = ['mysql', 'postgres', 'sqlserver'];

export type PollingReaderFactory = (init: PollingReaderInit) => PollingReader;

const POLLING_READERS: Readonly<Record<PollingSourceKind, PollingReaderFactory>> = {
  mysql: (init) => new MySqlPollingReader(init),
  postgres: (init) => new PostgresPollingReader(init),
  sqlserver: (init) => new SqlServerPollingReader(init),
};

export function pollingReaderFactory(kind: PollingSourceKind): PollingReaderFactory {
  const factory = POLLING_READERS[kind];
  if (!factory) throw new Error(`No polling reader for source kind "${String(kind)}"; known: ${POLLING_SOURCE_KINDS.join(', ')}`);
  return factory;
}

/** Creates a reader; nothing connects until `start()` or the first `poll()`. */
export function createPollingReader(kind: PollingSourceKind, init: PollingReaderInit): PollingReader {
  return pollingReaderFactory(kind)(init);
}

/** The log-based capture for a database: the binlog for MySQL and MariaDB, logical decoding for PostgreSQL. */
export function createLogCapture(init: LogCaptureInit): LogCapture {
  if (init.dialect === 'sqlserver') return new SqlServerLogCapture(init);
  return init.dialect === 'postgres' ? new PostgresLogCapture(init) : new MySqlLogCapture(init);
}
