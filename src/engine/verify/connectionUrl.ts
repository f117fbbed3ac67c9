import type { DialectName } from '../sinks/sql/dialects/dialect';
import type { SqlConnectionSettings } from '../db';
import { verifyError } from './errors';

const SCHEMES: Readonly<Record<string, DialectName>> = {
  mysql: 'mysql',
  mariadb: 'mysql',
  postgres: 'postgres',
  postgresql: 'postgres',
  mssql: 'sqlserver',
  sqlserver: 'sqlserver',
};

const DEFAULT_PORTS: Readonly<Record<DialectName, number>> = { mysql: 3306, postgres: 5432, sqlserver: 1433 };

const EXAMPLE = 'mysql://user:password@host:3306/db, postgres://user:password@host:5432/db or mssql://user:password@host:1433/db';

export interface VerifyConnection {
  settings: SqlConnectionSettings;
  /** `?timezone=Europe/Paris` on the URL: the zone of this side's zone-less timestamps. */
  timeZone: string | undefined;
}

/**
 * Reads a database URL. `which` names the side in messages ("--source"); the URL itself is never quoted because
 * it carries a password. `?ssl=true|verify` turns on TLS (verify: check the certificate).
 */
export function parseDatabaseUrl(url: string, which: string): VerifyConnection {
  let parsed: URL;
  try {
    parsed = new URL(url.trim());
  } catch {
    throw verifyError('VERIFY_BAD_URL', `${which} is not a database URL. Write it like ${EXAMPLE}.`);
  }
  const scheme = parsed.protocol.replace(/:$/, '').toLowerCase();
  const dialect = SCHEMES[scheme];
  if (!dialect) {
    throw verifyError('VERIFY_BAD_URL', `${which} uses the scheme "${scheme}", which Ferry does not compare. Use mysql://, mariadb://, postgres:// or mssql://, e.g. ${EXAMPLE}.`);
  }
  const database = decodeURIComponent(parsed.pathname.replace(/^\//, ''));
  if (!parsed.hostname) throw verifyError('VERIFY_BAD_URL', `${which} has no host. Write it like ${EXAMPLE}.`);
  if (!database) throw verifyError('VERIFY_BAD_URL', `${which} names no database (the path after the host). Write it like ${EXAMPLE}.`);
  const port = parsed.port ? Number(parsed.port) : DEFAULT_PORTS[dialect];
  // `encrypt=true` as in SQL Server connection strings (FERRY_MSSQL_URL examples use it).
  const ssl = parsed.searchParams.get('ssl') ?? (parsed.searchParams.get('encrypt') === 'true' ? 'true' : null);
  const settings: SqlConnectionSettings = {
    dialect,
    host: parsed.hostname.replace(/^\[|\]$/g, ''),
    port,
    user: decodeURIComponent(parsed.username),
    password: decodeURIComponent(parsed.password),
    database,
    ...(ssl === 'true' || ssl === 'require' ? { ssl: { verify: false } } : ssl === 'verify' ? { ssl: { verify: true } } : {}),
  };
  return { settings, timeZone: parsed.searchParams.get('timezone') ?? undefined };
}
