import type { VerifySide } from '../../shared/api/verify';
import { EngineError } from '../../shared/errors';
import { createLogger } from '../base/logger';
import { mysqlReadOnlyHazard } from '../db/mysql/readOnly';
import type { VerifyStatement } from './queries';
import { describeTarget, openSqlSession, type SqlSession } from '../db';
import { parseDatabaseUrl } from './connectionUrl';
import { toBigInt, verifyDialect, type VerifyDialect } from './dialects';
import { verifyError } from './errors';
import type { TableInfo, TableRef } from './model';

const log = createLogger('verify');

export type SideLabel = 'source' | 'target';

/** One side's connections; every query goes through `query` so errors name the side and cancellation is prompt. */
export class Side {
  constructor(
    readonly label: SideLabel,
    readonly dialect: VerifyDialect,
    /** The first runs every query; the others only share checksum scans (`parallel`). */
    readonly sessions: SqlSession[],
    /** `dialect://user@host:port/db`, for messages (never the password). */
    readonly where: string,
    private readonly aborted: Promise<never>,
  ) {}

  /** Runs the statements at once, one per session (more statements than sessions queue on the last ones). */
  async queryEach(statements: readonly VerifyStatement[]): Promise<Record<string, unknown>[][]> {
    return Promise.all(statements.map((statement, index) => this.query(statement, index % this.sessions.length)));
  }

  /** Runs one verify query read-only (see `readOnly`). */
  async query(statement: VerifyStatement, sessionIndex = 0): Promise<Record<string, unknown>[]> {
    return this.run(statement, sessionIndex, true);
  }

  /** Session settings (zone, encoding): outside any transaction, since PostgreSQL undoes a SET that is rolled back. */
  async setup(sql: string, sessionIndex: number): Promise<void> {
    await this.run({ sql, params: [] }, sessionIndex, false);
  }

  private async run(statement: VerifyStatement, sessionIndex: number, readOnly: boolean): Promise<Record<string, unknown>[]> {
    const started = performance.now();
    const session = this.sessions[sessionIndex] ?? this.sessions[0];
    if (!session) throw verifyError('VERIFY_CONNECT_FAILED', `The ${this.label} database has no open connection.`);
    try {
      const result = await Promise.race([readOnly ? this.readOnly(session, statement) : session.execute(statement), this.aborted]);
      log.debug(`${this.label} query`, { ms: Math.round(performance.now() - started), rows: result.rows.length, sql: statement.sql.slice(0, 160) });
      return result.rows;
    } catch (error) {
      if (error instanceof EngineError) throw error;
      const message = error instanceof Error ? error.message : String(error);
      const code = (error as { code?: unknown }).code;
      if (code === '25006' || (error as { errno?: unknown }).errno === 1792) {
        throw verifyError('VERIFY_BAD_REQUEST', `The ${this.label} database (${this.where}) refused a write: verify runs its queries in a read-only transaction, and the where condition (or a function it calls) tried to change data (${message}). Give a where that only reads.`, {
          cause: error,
          detail: { sql: statement.sql },
        });
      }
      throw verifyError('VERIFY_QUERY_FAILED', `The ${this.label} database (${this.where}) refused a verify query: ${message}`, {
        cause: error,
        detail: { sql: statement.sql },
      });
    }
  }

  /**
   * A verify query carries the user's `where` in its text, so it runs where the database itself keeps it from
   * writing: PostgreSQL receives it through the extended protocol (`oneStatement`), which refuses a second
   * command, so no COMMIT can end the transaction, inside BEGIN READ ONLY;
   * MySQL/MariaDB (one statement per call: the sessions run without multipleStatements) inside START TRANSACTION
   * READ ONLY. Each is rolled back. A fresh explicit transaction per query also means a where that changes the
   * session's default (set_config('default_transaction_read_only', …)) cannot open a writable one for the next
   * query. SQL Server has no read-only transaction: there the user's where is trusted as the user's own.
   */
  private async readOnly(session: SqlSession, verifyStatement: VerifyStatement): Promise<{ rows: Record<string, unknown>[] }> {
    const { localSettings, ...statement } = verifyStatement;
    const begin = this.dialect.name === 'postgres' ? 'BEGIN READ ONLY' : this.dialect.name === 'mysql' ? 'START TRANSACTION READ ONLY' : undefined;
    if (!begin) return session.execute(statement);
    await session.execute({ sql: begin, params: [] });
    try {
      // Our own constant SQL (SET LOCAL), ended with the transaction's ROLLBACK.
      for (const setting of localSettings ?? []) await session.execute({ sql: setting, params: [] });
      return await session.execute({ ...statement, oneStatement: true });
    } finally {
      await session.execute({ sql: 'ROLLBACK', params: [] }).catch(() => {});
    }
  }

  /** Resolves once every connection is closed. */
  async close(): Promise<void> {
    await Promise.allSettled(this.sessions.map((session) => session.close()));
  }
}

export interface OpenedSide {
  side: Side;
  /** The URL's database (MySQL's default schema). */
  database: string;
  /** The zone of this side's zone-less timestamps. */
  zone: string;
}

/** Opens `parallel` connections to one side and prepares each session (UTF-8, UTC); all or none. */
export async function openSide(label: SideLabel, spec: VerifySide, parallel: number, aborted: Promise<never>): Promise<OpenedSide> {
  const connection = parseDatabaseUrl(spec.url, `The ${label} URL`);
  const where = describeTarget(connection.settings);
  const opened = await Promise.allSettled(Array.from({ length: parallel }, () => openSqlSession(connection.settings)));
  const sessions = opened.flatMap((outcome) => (outcome.status === 'fulfilled' ? [outcome.value] : []));
  const failure = opened.find((outcome): outcome is PromiseRejectedResult => outcome.status === 'rejected');
  if (failure) {
    await Promise.allSettled(sessions.map((session) => session.close()));
    const message = failure.reason instanceof Error ? failure.reason.message : String(failure.reason);
    throw verifyError('VERIFY_CONNECT_FAILED', `Cannot connect to the ${label} database ${where}: ${message}. Check the host, port, user and password in the URL.`, { cause: failure.reason });
  }
  const side = new Side(label, verifyDialect(connection.settings.dialect), sessions, where, aborted);
  try {
    await Promise.all(
      sessions.map(async (_, index) => {
        for (const sql of side.dialect.sessionSetup()) await side.setup(sql, index);
      }),
    );
  } catch (error) {
    await side.close();
    throw error;
  }
  return { side, database: connection.settings.database, zone: spec.timeZone ?? connection.timeZone ?? 'UTC' };
}

/** Opens both sides at once; when either fails, closes the other. */
export async function openSides(source: VerifySide, target: VerifySide, parallel: number, aborted: Promise<never>): Promise<[OpenedSide, OpenedSide]> {
  const [a, b] = await Promise.allSettled([openSide('source', source, parallel, aborted), openSide('target', target, parallel, aborted)]);
  if (a.status === 'fulfilled' && b.status === 'fulfilled') return [a.value, b.value];
  if (a.status === 'fulfilled') await a.value.side.close();
  if (b.status === 'fulfilled') await b.value.side.close();
  throw a.status === 'rejected' ? a.reason : (b as PromiseRejectedResult).reason;
}

/**
 * A MySQL/MariaDB where that a read-only transaction would not stop (an executable comment, INTO OUTFILE after a
 * closing parenthesis) is refused before any query runs.
 */
export function refuseUnsafeWhere(side: Side, where: string | undefined): void {
  if (where === undefined || side.dialect.name !== 'mysql') return;
  const hazard = mysqlReadOnlyHazard(where);
  if (hazard) {
    throw verifyError('VERIFY_BAD_REQUEST', `The ${side.label} where condition contains ${hazard}; verify runs read-only and refuses it. Give a plain condition (a string that only contains the word can be built with CONCAT).`);
  }
}

export function tableRef(dialect: VerifyDialect, table: string, database: string): TableRef {
  const parts = table.trim().split('.');
  if (parts.length === 2 && parts[0] && parts[1]) return { schema: parts[0], name: parts[1] };
  if (parts.length === 1) return { schema: dialect.defaultSchema(database), name: table.trim() };
  throw verifyError('VERIFY_BAD_REQUEST', `The table name "${table}" is not "table" or "schema.table".`);
}

/** Columns (with value kinds), primary key and estimated rows of the side's table. */
export async function describeTable(side: Side, ref: TableRef): Promise<TableInfo> {
  const { dialect } = side;
  let resolved = ref;
  let rows = await side.query(dialect.describeColumns(resolved));
  if (rows.length === 0 && dialect.name === 'postgres' && ref.name !== ref.name.toLowerCase()) {
    // An unquoted name in PostgreSQL is folded to lower case; accept it as users type it.
    resolved = { schema: ref.schema, name: ref.name.toLowerCase() };
    rows = await side.query(dialect.describeColumns(resolved));
  }
  if (rows.length === 0) {
    throw verifyError(
      'VERIFY_TABLE_MISSING',
      `The ${side.label} table ${resolved.schema}.${resolved.name} does not exist in ${side.where} (or this user cannot see it). Check --table / --target-table and the database in the URL.`,
    );
  }
  const columns = rows.map((row) => dialect.classify(dialect.readDescribedColumn(row)));
  const primaryKey = (await side.query(dialect.primaryKey(resolved))).map((row) => String(row.name));
  const estimate = await side.query(dialect.estimateRows(resolved));
  return { ref: resolved, columns, primaryKey, estimatedRows: Number(toBigInt(estimate[0]?.estimate)) };
}

/** A zone the database cannot apply would turn every zone-less timestamp into NULL (MySQL) or fail later: say so now. */
export async function checkZone(side: Side, zone: string): Promise<void> {
  if (zone === 'UTC') return;
  const probe = side.dialect.zoneProbe(zone);
  if (!probe) return;
  let rows: Record<string, unknown>[];
  try {
    rows = await side.query({ sql: probe, params: [] });
  } catch {
    rows = [{ ok: null }];
  }
  if (rows[0]?.ok === null || rows[0]?.ok === undefined) {
    const hint =
      side.dialect.name === 'mysql' ? ' Load the zone tables (mariadb-tzinfo-to-sql) or give an offset such as +02:00.' : ' Use a zone name this server knows, or an offset such as +02:00.';
    throw verifyError('VERIFY_BAD_REQUEST', `The ${side.label} database does not know the time zone "${zone}" given for its zone-less timestamps.${hint}`);
  }
}
