import type { ResolvedJdbcSink } from '../config';
import { tableIdToString } from '../model';
import { createDialect } from '../sinks/sql/dialects';
import { connectionSettingsOf, type SqlConnectionSettings } from '../db';

export { connectionSettingsOf };

const SCHEMES: Readonly<Record<SqlConnectionSettings['dialect'], string>> = { mysql: 'mysql', postgres: 'postgres', sqlserver: 'mssql' };

/**
 * The URL Verify takes for a database (with the password: it stays inside the engine and Verify never quotes it),
 * with the zone of zone-less timestamps, as a connector's `db.timezone` says.
 */
export function verifyUrlOf(settings: SqlConnectionSettings, timeZone?: string): string {
  const auth = `${encodeURIComponent(settings.user)}${settings.password ? `:${encodeURIComponent(settings.password)}` : ''}@`;
  const host = settings.host.includes(':') ? `[${settings.host}]` : settings.host;
  const query = new URLSearchParams();
  if (settings.ssl) query.set('ssl', settings.ssl.verify ? 'verify' : 'true');
  if (timeZone && timeZone !== 'UTC') query.set('timezone', timeZone);
  const search = query.toString();
  return `${SCHEMES[settings.dialect]}://${auth}${host}:${settings.port}/${encodeURIComponent(settings.database)}${search ? `?${search}` : ''}`;
}

/** The table a sink writes a topic's records into (`table.name.format`), as `table` or `schema.table`. */
export function sinkTableOf(sink: ResolvedJdbcSink, topic: string): string {
  const dialect = createDialect(sink.dialect, { quoteIdentifiers: sink.quoteSqlIdentifiers });
  const id = dialect.resolveTableId(sink.tableNameFormat, topic);
  // Verify names MySQL tables database.table and PostgreSQL / SQL Server ones schema.table.
  if (sink.dialect === 'mysql') return id.catalog ? `${id.catalog}.${id.table}` : id.table;
  return id.schema ? `${id.schema}.${id.table}` : tableIdToString({ table: id.table });
}
