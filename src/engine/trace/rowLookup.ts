import type { QueryValue } from '../../shared/api/query';
import { runSql, SESSION_SETUP } from '../query/sqlRunner';
import { describeTarget, openSqlSession, type SqlConnectionSettings } from '../db';
import { verifyDialect, type VerifyDialect } from '../verify';
import type { ColumnInfo, TableRef } from '../verify/model';
import { traceError } from './errors';

/** A table as the lookups need it: where it is, its columns (with Verify's value kinds) and its primary key. */
export interface TableDescription {
  ref: TableRef;
  /** `schema.table` (MySQL: `database.table`), for messages and Verify. */
  name: string;
  columns: ColumnInfo[];
  primaryKey: string[];
}

export interface FetchedRow {
  columns: string[];
  values: QueryValue[];
}

/** `table`, `schema.table` or `catalog.schema.table` (the last two parts count) with the dialect's default schema. */
export function tableRefOf(dialect: VerifyDialect, table: string, database: string): TableRef {
  const parts = table.trim().split('.').filter((part) => part !== '');
  const name = parts[parts.length - 1];
  if (!name) throw traceError('TRACE_BAD_REQUEST', 'The table name is empty: give the source table, e.g. "orders" or "public.orders".');
  return { schema: parts.length >= 2 ? (parts[parts.length - 2] ?? dialect.defaultSchema(database)) : dialect.defaultSchema(database), name };
}

/** Columns and primary key; `side` names the database in messages ("source", "target"). */
export async function describeTable(settings: SqlConnectionSettings, table: string, side: string): Promise<TableDescription | undefined> {
  const dialect = verifyDialect(settings.dialect);
  let ref = tableRefOf(dialect, table, settings.database);
  let session;
  try {
    session = await openSqlSession(settings);
  } catch (error) {
    throw traceError('TRACE_SOURCE_FAILED', `Cannot connect to the ${side} database ${describeTarget(settings)}: ${error instanceof Error ? error.message : String(error)}.`, { cause: error });
  }
  try {
    let rows = (await session.execute(dialect.describeColumns(ref))).rows;
    if (rows.length === 0 && settings.dialect === 'postgres' && ref.name !== ref.name.toLowerCase()) {
      // PostgreSQL folds unquoted names to lower case; accept the name as users type it.
      ref = { schema: ref.schema, name: ref.name.toLowerCase() };
      rows = (await session.execute(dialect.describeColumns(ref))).rows;
    }
    if (rows.length === 0) return undefined;
    const columns = rows.map((row) => dialect.classify(dialect.readDescribedColumn(row)));
    const primaryKey = (await session.execute(dialect.primaryKey(ref))).rows.map((row) => String(row.name));
    return { ref, name: `${ref.schema}.${ref.name}`, columns, primaryKey };
  } finally {
    await session.close().catch(() => {});
  }
}

/** A literal for a key value: quoted text (every engine converts it to the column's type), booleans as 1/0 in MySQL. */
function literal(dialect: VerifyDialect, value: QueryValue): string {
  if (typeof value === 'boolean') return dialect.name === 'postgres' ? (value ? 'TRUE' : 'FALSE') : value ? '1' : '0';
  return dialect.stringLiteral(String(value));
}

/** `"a" = '1' AND "b" IS NULL` for the key, in the side's dialect. */
export function keyCondition(dialect: VerifyDialect, key: Readonly<Record<string, QueryValue>>): string {
  return Object.entries(key)
    .map(([column, value]) => (value === null ? `${dialect.quote(column)} IS NULL` : `${dialect.quote(column)} = ${literal(dialect, value)}`))
    .join(' AND ');
}

/** The row with this key now, or undefined when there is none. */
export async function fetchRow(settings: SqlConnectionSettings, table: TableDescription, key: Readonly<Record<string, QueryValue>>): Promise<FetchedRow | undefined> {
  const dialect = verifyDialect(settings.dialect);
  const sql = `SELECT * FROM ${dialect.qualified(table.ref)} WHERE ${keyCondition(dialect, key)}`;
  const outcome = await runSql(settings, sql, { maxRows: 2, readOnly: true, setup: [...SESSION_SETUP[settings.dialect], ...dialect.sessionSetup()] });
  const values = outcome.rows[0];
  if (!values) return undefined;
  return { columns: outcome.columns.map((column) => column.name), values };
}

/**
 * When the row last changed, by the source's timestamp column(s) (COALESCE order: first non-null wins), rendered by
 * Verify's canonical SQL in UTC (zone-less columns taken in the connector's `db.timezone`).
 */
export async function changeTime(
  settings: SqlConnectionSettings,
  table: TableDescription,
  key: Readonly<Record<string, QueryValue>>,
  timestampColumns: readonly string[],
  zone: string,
): Promise<{ ms: number; column: string } | undefined> {
  const dialect = verifyDialect(settings.dialect);
  const columns = timestampColumns
    .map((name) => table.columns.find((column) => column.name.toLowerCase() === name.toLowerCase()))
    .filter((column): column is ColumnInfo => column !== undefined && (column.kind === 'timestamp' || column.kind === 'timestamptz'));
  if (columns.length === 0) return undefined;
  const select = columns.map((column, index) => `${dialect.canonical(dialect.quote(column.name), column, { fraction: 3, lowercase: false, lengthPrefix: false, sameScale: false, zone })} AS t${index}`).join(', ');
  const sql = `SELECT ${select} FROM ${dialect.qualified(table.ref)} WHERE ${keyCondition(dialect, key)}`;
  const outcome = await runSql(settings, sql, { maxRows: 1, readOnly: true, setup: [...SESSION_SETUP[settings.dialect], ...dialect.sessionSetup()] });
  const row = outcome.rows[0];
  if (!row) return undefined;
  for (const [index, value] of row.entries()) {
    if (typeof value !== 'string') continue;
    const ms = Date.parse(`${value.trim().replace(' ', 'T')}Z`);
    const column = columns[index];
    if (Number.isFinite(ms) && column) return { ms, column: column.name };
  }
  return undefined;
}
