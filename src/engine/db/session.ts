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

/**
 * PostgreSQL's staged statements (sinks/sql/dialects/postgresStaging.ts): rows loaded with COPY into a staging table of
 * the session, which the statement's `sql` then reads (`INSERT … SELECT … FROM pg_temp.…`). A PostgreSQL session runs
 * `create` when it has not made the table yet, then `copy` with `data`, then `sql`; no other dialect writes such
 * statements (their sessions would run `sql` alone, which names a table that does not exist there).
 */
export interface CopyIn {
  /** The staging table, as `pg_temp.<name>`: a temporary table, so one per connection, gone with it. */
  table: string;
  /** Makes the table when missing (`CREATE TEMP TABLE IF NOT EXISTS … ON COMMIT DELETE ROWS`). */
  create: string;
  /** `COPY <table> FROM STDIN`. */
  copy: string;
  /** The rows in COPY's text format, one line each, as the UTF-8 bytes sent. */
  data: Buffer;
}

/** A statement whose rows arrive by COPY first (see CopyIn). */
export interface StagedStatement extends SqlStatement {
  copyIn: CopyIn;
}

/**
 * The target cannot load rows by COPY into a temporary table: the TEMPORARY privilege was revoked, the server does
 * not do temporary tables or COPY FROM STDIN (PGlite over its socket, some PostgreSQL-compatible servers). Nothing of
 * the statement was applied; the writer builds the same rows in the unnest form from then on (`reason` says why, for
 * its warning).
 */
export class StagingUnavailableError extends Error {
  constructor(
    readonly reason: string,
    options?: { cause?: unknown },
  ) {
    super(`Loading rows by COPY into a temporary table is not available on this target: ${reason}`, options);
    this.name = 'StagingUnavailableError';
  }
}

/** The COPY part of a staged statement; undefined for every other statement. */
export function copyInOf(statement: SqlStatement): CopyIn | undefined {
  return (statement as Partial<StagedStatement>).copyIn;
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
