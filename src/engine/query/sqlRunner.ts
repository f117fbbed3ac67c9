import { mysqlCallbacks as mysql, pg, sql } from '../db/drivers';
import type { QueryColumn, QueryValue } from '../../shared/api/query';
import { connectionFailureText } from '../db/connectionFailure';
import type { EngineError } from '../../shared/errors';
import { mysqlReadOnlyHazard } from '../db/mysql/readOnly';
import { describeTarget, type SqlConnectionSettings } from '../db';
import { queryError } from './errors';
import { isCursorable, postgresReadOnlyForm } from './statements';
import { mysqlColumn, mysqlValue, plainValue, postgresColumn, postgresValue } from './values';

export interface RunSqlOptions {
  /** Rows kept; the statement stops being read after one more (so `truncated` is exact). */
  maxRows: number;
  /**
   * Let the database enforce that nothing changes, where it can (MySQL/MariaDB, PostgreSQL): exactly one statement,
   * through a protocol path that refuses a second one, inside a read-only transaction that is rolled back.
   */
  readOnly: boolean;
  /** Statements run first on the fresh connection (session zone, encoding). */
  setup?: readonly string[];
  /** Aborting stops the statement on the server; the run fails with QUERY_CANCELLED. */
  signal?: AbortSignal;
  /** The statement is stopped on the server after this many milliseconds (QUERY_TIMEOUT); default 60 s. */
  timeoutMs?: number;
}

/** A statement the user forgot (a cross join, a lock wait) must not hold a connection and the pane for ever. */
export const DEFAULT_STATEMENT_TIMEOUT_MS = 60_000;

/** How often a stop is sent again while the statement has not settled, and how many times before the socket is cut. */
const STOP_REPEAT_MS = 500;
const STOP_ATTEMPTS = 10;

export interface RunSqlOutcome {
  columns: QueryColumn[];
  rows: QueryValue[][];
  truncated: boolean;
  affectedRows?: number;
}

/** Session settings that make values comparable and ISO-printable: UTF-8 and UTC. */
export const SESSION_SETUP: Readonly<Record<SqlConnectionSettings['dialect'], readonly string[]>> = {
  mysql: ['SET NAMES utf8mb4', "SET time_zone = '+00:00'"],
  postgres: ["SET TIME ZONE 'UTC'", "SET DateStyle = 'ISO, YMD'", "SET client_encoding = 'UTF8'"],
  sqlserver: [],
};

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** How each database is asked to stop one statement, from a second connection (what a DBA would type). */
export function postgresCancelStatement(processId: number): { text: string; values: number[] } {
  return { text: 'SELECT pg_cancel_backend($1)', values: [processId] };
}

export function mysqlKillStatement(threadId: number): string {
  if (!Number.isSafeInteger(threadId) || threadId <= 0) throw new Error(`A MySQL thread id is a positive whole number, got ${String(threadId)}.`);
  return `KILL QUERY ${threadId}`;
}

/** SQL Server stops a statement through the TDS attention signal on the same connection: mssql's request.cancel(). */
export function cancelSqlServerRequest(request: { cancel(): void }): Promise<void> {
  request.cancel();
  return Promise.resolve();
}

/**
 * Cancel and timeout of one statement. The first of the two asks the server to stop the statement, and asks again
 * every half second until the statement settles: a stop that reaches the server between two statements (before the
 * user's started) does nothing. After ten tries the connection is cut so the caller always gets an answer. The run
 * then fails with QUERY_CANCELLED or QUERY_TIMEOUT whatever the driver says (MariaDB's SLEEP even returns normally
 * when its query is killed).
 */
export class StatementStop {
  reason: 'cancelled' | 'timeout' | undefined;
  private cancelOnServer: (() => Promise<void>) | undefined;
  private cutConnection: (() => void) | undefined;
  private repeat: ReturnType<typeof setInterval> | undefined;
  private readonly timer: ReturnType<typeof setTimeout>;
  private settled = false;
  private readonly onAbort = (): void => this.stop('cancelled');

  constructor(
    private readonly settings: SqlConnectionSettings,
    private readonly options: Pick<RunSqlOptions, 'signal' | 'timeoutMs'>,
  ) {
    this.timer = setTimeout(() => this.stop('timeout'), this.timeoutMs);
    if (options.signal?.aborted) this.reason = 'cancelled';
    else options.signal?.addEventListener('abort', this.onAbort, { once: true });
  }

  private get timeoutMs(): number {
    return this.options.timeoutMs ?? DEFAULT_STATEMENT_TIMEOUT_MS;
  }

  /** The statement is on its way: a stop from now on goes to the server. */
  arm(cancelOnServer: () => Promise<void>, cutConnection: () => void): void {
    this.cancelOnServer = cancelOnServer;
    this.cutConnection = cutConnection;
    if (this.reason) this.sendStop();
  }

  private stop(reason: 'cancelled' | 'timeout'): void {
    if (this.reason || this.settled) return;
    this.reason = reason;
    this.sendStop();
  }

  private sendStop(): void {
    const cancel = this.cancelOnServer;
    if (!cancel || this.repeat || this.settled) return;
    let attempts = 0;
    const send = (): void => {
      if (this.settled) return;
      attempts += 1;
      if (attempts > STOP_ATTEMPTS) {
        clearInterval(this.repeat);
        this.cutConnection?.();
        return;
      }
      cancel().catch(() => {});
    };
    send();
    this.repeat = setInterval(send, STOP_REPEAT_MS);
  }

  throwIfStopped(): void {
    if (this.reason) throw this.error();
  }

  error(): EngineError {
    const where = describeTarget(this.settings);
    return this.reason === 'timeout'
      ? queryError('QUERY_TIMEOUT', `The statement ran longer than ${this.timeoutMs / 1000} s on ${where} and was stopped there. Narrow it (a WHERE, a LIMIT), or give it a longer timeout (the pane's Timeout, the API's timeoutMs).`)
      : queryError('QUERY_CANCELLED', `The statement on ${where} was cancelled: the database stopped it.`);
  }

  /** The statement settled: no more stops. */
  dispose(): void {
    this.settled = true;
    clearTimeout(this.timer);
    clearInterval(this.repeat);
    this.options.signal?.removeEventListener('abort', this.onAbort);
  }
}

/** A database refusing a write inside the read-only transaction: said as what it is. */
function readOnlyRefusal(error: unknown): boolean {
  const text = message(error);
  const code = (error as { code?: unknown; errno?: unknown }).code;
  return code === '25006' || (error as { errno?: unknown }).errno === 1792 || /read[- ]only transaction/i.test(text);
}

/** PostgreSQL refusing a second command in one prepared statement (42601 with this text). */
function multipleCommands(error: unknown): boolean {
  return /cannot insert multiple commands into a prepared statement/i.test(message(error));
}

function failed(settings: SqlConnectionSettings, error: unknown): Error {
  if (multipleCommands(error)) {
    return queryError('QUERY_MULTIPLE_STATEMENTS', `${describeTarget(settings)} runs one statement at a time and found more than one in the text (${message(error)}). Run them one at a time.`, { cause: error });
  }
  if (readOnlyRefusal(error)) {
    return queryError('QUERY_WRITE_REFUSED', `${describeTarget(settings)} refused a write inside the read-only transaction the query pane uses (${message(error)}). Turn on "Allow writes" to run statements that change data.`, { cause: error });
  }
  return queryError('QUERY_FAILED', `${describeTarget(settings)}: ${message(error)}`, { cause: error });
}

function connectFailed(settings: SqlConnectionSettings, error: unknown): Error {
  return queryError('QUERY_CONNECT_FAILED', `Cannot connect to ${describeTarget(settings)}: ${connectionFailureText(error, settings)}. Check that the database runs and the connection's host, port, user and password.`, { cause: error });
}

/** Runs one statement on a fresh connection and closes it; rows beyond `maxRows` are never read. */
export function runSql(settings: SqlConnectionSettings, text: string, options: RunSqlOptions): Promise<RunSqlOutcome> {
  switch (settings.dialect) {
    case 'mysql':
      return runMySql(settings, text, options);
    case 'postgres':
      return runPostgres(settings, text, options);
    case 'sqlserver':
      return runSqlServer(settings, text, options);
  }
}

// ---------------------------------------------------------------------------------------------------- PostgreSQL

function postgresClient(settings: SqlConnectionSettings): pg.Client {
  const client = new pg.Client({
    host: settings.host,
    port: settings.port,
    user: settings.user,
    password: settings.password,
    database: settings.database,
    // Named, so a DBA (and the tests) can tell the pane's sessions in pg_stat_activity.
    application_name: 'ferry query',
    ...(settings.ssl ? { ssl: { rejectUnauthorized: settings.ssl.verify } } : {}),
    // Every value arrives as the server's text; postgresValue types it by oid (no Date, no float for numeric).
    types: { getTypeParser: () => (value: string) => value },
  });
  client.on('error', () => {});
  return client;
}

/** pg_cancel_backend from a second connection of the same user (allowed for one's own sessions). */
async function cancelPostgres(settings: SqlConnectionSettings, processId: number): Promise<void> {
  const client = postgresClient(settings);
  try {
    await client.connect();
    await client.query(postgresCancelStatement(processId));
  } finally {
    await client.end().catch(() => {});
  }
}

/**
 * The user's text as an unnamed prepared statement: the extended protocol, in which PostgreSQL parses exactly one
 * command. `queryMode` is pg's (≥ 8.12) but missing from its typings; a named statement would do the same but
 * outlive the connection on a shared backend (PGlite's socket serves every connection from one session).
 */
function oneStatement<T extends pg.QueryConfig | pg.QueryArrayConfig>(config: T): T {
  return { ...config, queryMode: 'extended' };
}

async function runPostgres(settings: SqlConnectionSettings, text: string, options: RunSqlOptions): Promise<RunSqlOutcome> {
  const form = options.readOnly ? postgresReadOnlyForm(text) : isCursorable(text) ? 'cursor' : 'direct';
  if (!form) {
    throw queryError(
      'QUERY_WRITE_REFUSED',
      `In read-only mode ${describeTarget(settings)} runs a query (SELECT, WITH, VALUES, TABLE), or SHOW or EXPLAIN written as the statement's first word (no comment before it). Turn on "Allow writes" to run anything else.`,
    );
  }
  const client = postgresClient(settings);
  try {
    await client.connect();
  } catch (error) {
    await client.end().catch(() => {});
    throw connectFailed(settings, error);
  }
  const stop = new StatementStop(settings, options);
  try {
    for (const statement of options.setup ?? SESSION_SETUP.postgres) await client.query(statement);
    stop.throwIfStopped();
    const cursor = form === 'cursor';
    if (options.readOnly) await client.query('BEGIN READ ONLY');
    else if (cursor) await client.query('BEGIN');
    const processId = (client as unknown as { processID: number }).processID;
    stop.arm(
      () => cancelPostgres(settings, processId),
      () => void client.end().catch(() => {}),
    );
    // The user's text always travels as one unnamed prepared statement (the extended protocol), which PostgreSQL
    // parses as exactly one command: nothing can follow it, not even a COMMIT that would end the read-only
    // transaction, whatever quotes or comments the text plays with.
    let result: pg.QueryArrayResult<(string | null)[]>;
    if (cursor) {
      // A cursor stops the server after maxRows + 1 rows, where a plain query would send the whole result; its
      // grammar also takes a query and nothing else.
      await client.query(oneStatement({ text: `DECLARE ferry_query NO SCROLL CURSOR FOR ${text}` }));
      result = await client.query({ text: `FETCH FORWARD ${options.maxRows + 1} FROM ferry_query`, rowMode: 'array' });
    } else {
      result = await client.query(oneStatement({ text, rowMode: 'array' }));
    }
    if (options.readOnly || cursor) await client.query(options.readOnly ? 'ROLLBACK' : 'COMMIT');
    stop.throwIfStopped();
    const fields = result.fields ?? [];
    const rows = result.rows.slice(0, options.maxRows).map((row) => row.map((value, index) => postgresValue(value, fields[index]?.dataTypeID ?? 25)));
    const command = result.command?.toUpperCase();
    return {
      columns: fields.map((field) => postgresColumn(field.name, field.dataTypeID)),
      rows,
      truncated: result.rows.length > options.maxRows,
      ...(command && ['INSERT', 'UPDATE', 'DELETE', 'MERGE', 'COPY'].includes(command) ? { affectedRows: result.rowCount ?? 0 } : {}),
    };
  } catch (error) {
    await client.query('ROLLBACK').catch(() => {});
    if (stop.reason) throw stop.error();
    throw failed(settings, error);
  } finally {
    stop.dispose();
    await client.end().catch(() => {});
  }
}

// ---------------------------------------------------------------------------------------------------- MySQL / MariaDB

interface MySqlField {
  name: string;
  columnType?: number;
  type?: number;
  characterSet?: number;
}

function mysqlConnection(settings: SqlConnectionSettings): mysql.Connection {
  const connection = mysql.createConnection({
    host: settings.host,
    port: settings.port,
    user: settings.user,
    password: settings.password,
    database: settings.database,
    timezone: 'Z',
    supportBigNumbers: true,
    bigNumberStrings: true,
    decimalNumbers: false,
    dateStrings: true,
    // The server then refuses a second statement in the text, whatever this side's lexer thought.
    multipleStatements: false,
    ...(settings.ssl ? { ssl: { rejectUnauthorized: settings.ssl.verify } } : {}),
  });
  connection.on('error', () => {});
  return connection;
}

/** KILL QUERY from a second connection of the same user (allowed for one's own threads). */
async function killMySqlQuery(settings: SqlConnectionSettings, threadId: number): Promise<void> {
  const connection = mysqlConnection(settings);
  const promise = connection.promise();
  try {
    await promise.connect();
    await promise.query(mysqlKillStatement(threadId));
  } finally {
    await promise.end().catch(() => connection.destroy());
  }
}

async function runMySql(settings: SqlConnectionSettings, text: string, options: RunSqlOptions): Promise<RunSqlOutcome> {
  const hazard = options.readOnly ? mysqlReadOnlyHazard(text) : undefined;
  if (hazard) {
    throw queryError(
      'QUERY_WRITE_REFUSED',
      `In read-only mode the query pane refuses text containing ${hazard}, because a read-only transaction does not stop it. Remove it (a string that only contains the word can be built with CONCAT), or turn on "Allow writes".`,
    );
  }
  const connection = mysqlConnection(settings);
  const promise = connection.promise();
  try {
    await promise.connect();
  } catch (error) {
    connection.destroy();
    throw connectFailed(settings, error);
  }
  let destroyed = false;
  const stop = new StatementStop(settings, options);
  try {
    for (const statement of options.setup ?? SESSION_SETUP.mysql) await promise.query(statement);
    stop.throwIfStopped();
    if (options.readOnly) await promise.query('START TRANSACTION READ ONLY');
    const threadId = connection.threadId;
    stop.arm(
      () => killMySqlQuery(settings, threadId),
      () => {
        destroyed = true;
        connection.destroy();
      },
    );
    const outcome = await new Promise<RunSqlOutcome>((resolve, reject) => {
      let fields: MySqlField[] = [];
      const rows: QueryValue[][] = [];
      let affectedRows: number | undefined;
      let done = false;
      const query = connection.query({ sql: text, rowsAsArray: true });
      const typeOf = (index: number): number => fields[index]?.columnType ?? fields[index]?.type ?? 253;
      // A statement without rows (CREATE, INSERT, UPDATE…) answers with an OK packet, for which mysql2 emits
      // `fields` with undefined: keep an empty list so 'end' can still answer.
      query.on('fields', (received: MySqlField[] | undefined) => {
        fields = received ?? [];
      });
      query.on('result', (row: unknown) => {
        if (done) return;
        if (!Array.isArray(row)) {
          affectedRows = (row as { affectedRows?: number }).affectedRows;
          return;
        }
        if (rows.length >= options.maxRows) {
          // The cap is reached: drop the connection rather than read the rest of a large result.
          done = true;
          destroyed = true;
          connection.destroy();
          resolve({ columns: fields.map((field, index) => mysqlColumn(field.name, typeOf(index), field.characterSet)), rows, truncated: true });
          return;
        }
        rows.push(row.map((value: unknown, index: number) => mysqlValue(value, typeOf(index))));
      });
      query.on('error', (error: unknown) => {
        if (done) return;
        done = true;
        reject(error);
      });
      query.on('end', () => {
        if (done) return;
        done = true;
        resolve({
          columns: fields.map((field, index) => mysqlColumn(field.name, typeOf(index), field.characterSet)),
          rows,
          truncated: false,
          ...(affectedRows === undefined ? {} : { affectedRows }),
        });
      });
    });
    if (options.readOnly && !destroyed) await promise.query('ROLLBACK');
    stop.throwIfStopped();
    return outcome;
  } catch (error) {
    if (stop.reason) throw stop.error();
    throw failed(settings, error);
  } finally {
    stop.dispose();
    if (destroyed) connection.destroy();
    else await promise.end().catch(() => connection.destroy());
  }
}

// ---------------------------------------------------------------------------------------------------- SQL Server

async function runSqlServer(settings: SqlConnectionSettings, text: string, options: RunSqlOptions): Promise<RunSqlOutcome> {
  const pool = new sql.ConnectionPool({
    server: settings.host,
    port: settings.port,
    user: settings.user,
    password: settings.password,
    database: settings.database,
    pool: { max: 1, min: 0 },
    options: { encrypt: settings.ssl !== false && settings.ssl !== undefined, trustServerCertificate: settings.ssl ? !settings.ssl.verify : true, useUTC: true },
  });
  try {
    await pool.connect();
  } catch (error) {
    await pool.close().catch(() => {});
    throw connectFailed(settings, error);
  }
  const stop = new StatementStop(settings, options);
  try {
    for (const statement of options.setup ?? SESSION_SETUP.sqlserver) await pool.request().query(statement);
    stop.throwIfStopped();
    const outcome = await new Promise<RunSqlOutcome>((resolve, reject) => {
      const request = pool.request();
      stop.arm(
        () => cancelSqlServerRequest(request),
        () => void pool.close().catch(() => {}),
      );
      request.stream = true;
      request.arrayRowMode = true;
      let columns: QueryColumn[] = [];
      const rows: QueryValue[][] = [];
      let done = false;
      request.on('recordset', (metadata: Record<string, { name: string; type: { declaration?: string; name?: string } }> | { name: string; type: { declaration?: string } }[]) => {
        const list = Array.isArray(metadata) ? metadata : Object.values(metadata);
        columns = list.map((column) => {
          const type = (column.type as { declaration?: string }).declaration ?? 'sql_variant';
          const kind: QueryColumn['kind'] = /int|decimal|numeric|money|float|real/i.test(type)
            ? 'number'
            : /date|time/i.test(type)
              ? 'temporal'
              : /binary|image/i.test(type)
                ? 'binary'
                : /bit/i.test(type)
                  ? 'boolean'
                  : 'text';
          return { name: column.name, type, kind };
        });
      });
      request.on('row', (row: unknown[]) => {
        if (done) return;
        if (rows.length >= options.maxRows) {
          done = true;
          request.cancel();
          resolve({ columns, rows, truncated: true });
          return;
        }
        rows.push(row.map((value) => plainValue(value)));
      });
      request.on('error', (error: unknown) => {
        if (done) return;
        done = true;
        reject(error);
      });
      request.on('done', (result: { rowsAffected?: number[] }) => {
        if (done) return;
        done = true;
        const affected = (result.rowsAffected ?? []).reduce((sum, count) => sum + count, 0);
        resolve({ columns, rows, truncated: false, ...(columns.length === 0 ? { affectedRows: affected } : {}) });
      });
      void request.query(text);
    });
    stop.throwIfStopped();
    return outcome;
  } catch (error) {
    if (stop.reason) throw stop.error();
    throw failed(settings, error);
  } finally {
    stop.dispose();
    await pool.close().catch(() => {});
  }
}
