import sql from 'mssql';
import mysql from 'mysql2';
import pg from 'pg';
import type { QueryColumn, QueryValue } from '../../shared/api/query';
import { connectionFailureText } from '../db/connectionFailure';
import { describeTarget, type SqlConnectionSettings } from '../sinks/sql/sessions';
import { queryError } from './errors';
import { isCursorable } from './statements';
import { mysqlColumn, mysqlValue, plainValue, postgresColumn, postgresValue } from './values';

export interface RunSqlOptions {
  /** Rows kept; the statement stops being read after one more (so `truncated` is exact). */
  maxRows: number;
  /** Run inside a read-only transaction where the database has one (MySQL/MariaDB, PostgreSQL). */
  readOnly: boolean;
  /** Statements run first on the fresh connection (session zone, encoding). */
  setup?: readonly string[];
}

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

/** A database refusing a write inside the read-only transaction: said as what it is. */
function readOnlyRefusal(error: unknown): boolean {
  const text = message(error);
  const code = (error as { code?: unknown; errno?: unknown }).code;
  return code === '25006' || (error as { errno?: unknown }).errno === 1792 || /read[- ]only transaction/i.test(text);
}

function failed(settings: SqlConnectionSettings, error: unknown): Error {
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

async function runPostgres(settings: SqlConnectionSettings, text: string, options: RunSqlOptions): Promise<RunSqlOutcome> {
  const client = new pg.Client({
    host: settings.host,
    port: settings.port,
    user: settings.user,
    password: settings.password,
    database: settings.database,
    ...(settings.ssl ? { ssl: { rejectUnauthorized: settings.ssl.verify } } : {}),
    // Every value arrives as the server's text; postgresValue types it by oid (no Date, no float for numeric).
    types: { getTypeParser: () => (value: string) => value },
  });
  client.on('error', () => {});
  try {
    await client.connect();
  } catch (error) {
    await client.end().catch(() => {});
    throw connectFailed(settings, error);
  }
  try {
    for (const statement of options.setup ?? SESSION_SETUP.postgres) await client.query(statement);
    const cursor = isCursorable(text);
    if (options.readOnly) await client.query('BEGIN READ ONLY');
    else if (cursor) await client.query('BEGIN');
    let result: pg.QueryArrayResult<(string | null)[]>;
    if (cursor) {
      // A cursor stops the server after maxRows + 1 rows, where a plain query would send the whole result.
      await client.query(`DECLARE ferry_query NO SCROLL CURSOR FOR ${text}`);
      result = await client.query({ text: `FETCH FORWARD ${options.maxRows + 1} FROM ferry_query`, rowMode: 'array' });
    } else {
      result = await client.query({ text, rowMode: 'array' });
    }
    if (options.readOnly || cursor) await client.query(options.readOnly ? 'ROLLBACK' : 'COMMIT');
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
    throw failed(settings, error);
  } finally {
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

async function runMySql(settings: SqlConnectionSettings, text: string, options: RunSqlOptions): Promise<RunSqlOutcome> {
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
    multipleStatements: false,
    ...(settings.ssl ? { ssl: { rejectUnauthorized: settings.ssl.verify } } : {}),
  });
  connection.on('error', () => {});
  const promise = connection.promise();
  try {
    await promise.connect();
  } catch (error) {
    connection.destroy();
    throw connectFailed(settings, error);
  }
  let destroyed = false;
  try {
    for (const statement of options.setup ?? SESSION_SETUP.mysql) await promise.query(statement);
    if (options.readOnly) await promise.query('START TRANSACTION READ ONLY');
    const outcome = await new Promise<RunSqlOutcome>((resolve, reject) => {
      let fields: MySqlField[] = [];
      const rows: QueryValue[][] = [];
      let affectedRows: number | undefined;
      let done = false;
      const query = connection.query({ sql: text, rowsAsArray: true });
      const typeOf = (index: number): number => fields[index]?.columnType ?? fields[index]?.type ?? 253;
      query.on('fields', (received: MySqlField[]) => {
        fields = received;
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
    return outcome;
  } catch (error) {
    throw failed(settings, error);
  } finally {
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
  try {
    for (const statement of options.setup ?? SESSION_SETUP.sqlserver) await pool.request().query(statement);
    return await new Promise<RunSqlOutcome>((resolve, reject) => {
      const request = pool.request();
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
  } catch (error) {
    throw failed(settings, error);
  } finally {
    await pool.close().catch(() => {});
  }
}
