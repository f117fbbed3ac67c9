import type { VerifySide } from '../../shared/api/verify';
import { EngineError } from '../../shared/errors';
import { createLogger } from '../base/logger';
import type { SqlStatement } from '../sinks/sql/dialects/dialect';
import { describeTarget, openSqlSession, type SqlSession } from '../sinks/sql/sessions';
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
  async queryEach(statements: readonly SqlStatement[]): Promise<Record<string, unknown>[][]> {
    return Promise.all(statements.map((statement, index) => this.query(statement, index % this.sessions.length)));
  }

  async query(statement: SqlStatement, sessionIndex = 0): Promise<Record<string, unknown>[]> {
    const started = performance.now();
    const session = this.sessions[sessionIndex] ?? this.sessions[0];
    if (!session) throw verifyError('VERIFY_CONNECT_FAILED', `The ${this.label} database has no open connection.`);
    try {
      const result = await Promise.race([session.execute(statement), this.aborted]);
      log.debug(`${this.label} query`, { ms: Math.round(performance.now() - started), rows: result.rows.length, sql: statement.sql.slice(0, 160) });
      return result.rows;
    } catch (error) {
      if (error instanceof EngineError) throw error;
      const message = error instanceof Error ? error.message : String(error);
      throw verifyError('VERIFY_QUERY_FAILED', `The ${this.label} database (${this.where}) refused a verify query: ${message}`, {
        cause: error,
        detail: { sql: statement.sql },
      });
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
        for (const sql of side.dialect.sessionSetup()) await side.query({ sql, params: [] }, index);
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
