import { formatDsn } from './connectionFailure';
import type { DatabaseKind, SqlStatement } from './statement';

/** Where a sink writes: the connection details every dialect needs. */
export interface SqlConnectionSettings {
  dialect: DatabaseKind;
  host: string;
  port: number;
  user: string;
  password: string;
  database: string;
  /** TLS to the database; `verify: false` accepts self-signed certificates (a laptop PoC against a test server). */
  ssl?: { verify: boolean } | false;
}

export interface SqlResult {
  rows: Record<string, unknown>[];
  rowCount: number;
}

/**
 * One database connection as the sink writer uses it: statements from a dialect, and explicit transactions so a
 * batch is applied all or nothing.
 */
export interface SqlSession {
  readonly dialect: DatabaseKind;
  execute(statement: SqlStatement): Promise<SqlResult>;
  begin(): Promise<void>;
  commit(): Promise<void>;
  rollback(): Promise<void>;
  close(): Promise<void>;
}

/** Where the session connects, for messages (never the password; an Azure `user@server` login is encoded). */
export function describeTarget(settings: SqlConnectionSettings): string {
  return formatDsn({ scheme: settings.dialect, user: settings.user, host: settings.host, port: settings.port, database: settings.database });
}
