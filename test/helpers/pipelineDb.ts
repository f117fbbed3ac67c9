import mysql from 'mysql2/promise';
import pg from 'pg';
import type { DatabaseEndpoint } from '../../src/shared/api';

// Real lab databases for the pipeline tests: one small client per database kind with the same surface, a typed
// table every mode can read (decimals, bigints beyond 2^53, timestamps, nulls, unicode), and rows read back as
// canonical text so a MariaDB table and a PostgreSQL table can be compared value for value.

export type DbKind = 'mariadb' | 'postgres';

export interface TestDb {
  readonly kind: DbKind;
  readonly endpoint: DatabaseEndpoint;
  /** SQL with `?` placeholders on both kinds (numbered for PostgreSQL here). */
  exec(sql: string, params?: unknown[]): Promise<Record<string, unknown>[]>;
  /** A quoted identifier. */
  q(name: string): string;
  close(): Promise<void>;
}

export async function openDb(kind: DbKind, endpoint: DatabaseEndpoint): Promise<TestDb> {
  if (kind === 'mariadb') {
    const connection = await mysql.createConnection({
      host: endpoint.host,
      port: endpoint.port,
      user: endpoint.user,
      password: endpoint.password,
      database: endpoint.database,
      charset: 'utf8mb4',
      timezone: 'Z',
      supportBigNumbers: true,
      bigNumberStrings: true,
      dateStrings: true,
    });
    return {
      kind,
      endpoint,
      async exec(sql, params = []) {
        const [rows] = await connection.query(sql, params);
        return Array.isArray(rows) ? (rows as Record<string, unknown>[]) : [];
      },
      q: (name) => `\`${name}\``,
      close: () => connection.end(),
    };
  }
  const client = new pg.Client({ host: endpoint.host, port: endpoint.port, user: endpoint.user, password: endpoint.password, database: endpoint.database });
  await client.connect();
  await client.query("SET TIME ZONE 'UTC'");
  return {
    kind,
    endpoint,
    async exec(sql, params = []) {
      let index = 0;
      const numbered = sql.replace(/\?/g, () => `$${++index}`);
      return (await client.query(numbered, params)).rows as Record<string, unknown>[];
    },
    q: (name) => `"${name}"`,
    close: () => client.end(),
  };
}

export type ColumnKind = 'int' | 'bigint' | 'decimal' | 'double' | 'bool' | 'text' | 'date' | 'timestamp';

export interface ColumnSpec {
  name: string;
  kind: ColumnKind;
}

/** The columns of the typed table, in order; `updated_at` drives the timestamp modes, `id` the incrementing ones. */
export const TYPED_COLUMNS: readonly ColumnSpec[] = [
  { name: 'id', kind: 'int' },
  { name: 'big', kind: 'bigint' },
  { name: 'amount', kind: 'decimal' },
  { name: 'ratio', kind: 'double' },
  { name: 'flag', kind: 'bool' },
  { name: 'note', kind: 'text' },
  { name: 'day', kind: 'date' },
  { name: 'happened', kind: 'timestamp' },
  { name: 'updated_at', kind: 'timestamp' },
];

export function createTypedTableSql(db: TestDb, table: string): string {
  if (db.kind === 'mariadb') {
    return `CREATE TABLE ${db.q(table)} (
      id INT NOT NULL PRIMARY KEY,
      big BIGINT NULL,
      amount DECIMAL(20,4) NULL,
      ratio DOUBLE NULL,
      flag BOOLEAN NULL,
      note VARCHAR(200) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NULL,
      day DATE NULL,
      happened DATETIME(3) NULL,
      updated_at DATETIME(3) NOT NULL
    ) DEFAULT CHARSET=utf8mb4`;
  }
  return `CREATE TABLE ${db.q(table)} (
    id INT NOT NULL PRIMARY KEY,
    big BIGINT NULL,
    amount NUMERIC(20,4) NULL,
    ratio DOUBLE PRECISION NULL,
    flag BOOLEAN NULL,
    note VARCHAR(200) NULL,
    day DATE NULL,
    happened TIMESTAMP(3) NULL,
    updated_at TIMESTAMP(3) NOT NULL
  )`;
}

export type TypedRow = [
  id: number,
  big: string | null,
  amount: string | null,
  ratio: number | null,
  flag: boolean | null,
  note: string | null,
  day: string | null,
  happened: string | null,
  updatedAt: string,
];

const BIGS = ['9007199254740993', '-9223372036854775808', '9223372036854775807', '0', '-9007199254740995', null];
const AMOUNTS = ['12345678901234.5678', '-0.0001', '0.0000', '99.9900', null, '-98765432109876.5432'];
const RATIOS = [1.5, -0.25, 0, 3.75, null, 1024.125];
const FLAGS = [true, false, null, true, false, true];
const NOTES = ['Zoë 🚢 船 — ñ', '', "it's \"quoted\" \\ back", null, 'plain ascii', '𝄞 music, Ελληνικά, עברית'];
const DAYS = ['2024-02-29', '1970-01-01', null, '1999-12-31', '2038-01-19', '1900-03-01'];
const HAPPENED = ['2024-02-29 23:59:59.999', '1970-01-01 00:00:00.000', '2001-09-09 01:46:40.123', null, '2038-01-19 03:14:07.001', '1999-12-31 12:00:00.500'];

/** Formats an epoch-ms instant as a zone-less UTC literal with milliseconds, the form both databases accept. */
export function sqlTimestamp(ms: number): string {
  return new Date(ms).toISOString().replace('T', ' ').replace('Z', '');
}

/**
 * Deterministic rows with every kind of awkward value; ids from `firstId`. `stampMs` is the first `updated_at`;
 * the stamps rise by 1 ms per row except that every third row shares its predecessor's stamp (ties the timestamp
 * modes must not lose across batch boundaries).
 */
export function typedRows(firstId: number, count: number, stampMs: number): TypedRow[] {
  const rows: TypedRow[] = [];
  let stamp = stampMs;
  for (let i = 0; i < count; i++) {
    const id = firstId + i;
    if (i > 0 && i % 3 !== 0) stamp += 1;
    const pick = <T>(values: readonly T[]): T => values[id % values.length] as T;
    rows.push([id, pick(BIGS), pick(AMOUNTS), pick(RATIOS), pick(FLAGS), pick(NOTES), pick(DAYS), pick(HAPPENED), sqlTimestamp(stamp)]);
  }
  return rows;
}

export async function insertTypedRows(db: TestDb, table: string, rows: readonly TypedRow[]): Promise<void> {
  for (let start = 0; start < rows.length; start += 2000) {
    const chunk = rows.slice(start, start + 2000);
    const placeholders = chunk.map(() => `(${TYPED_COLUMNS.map(() => '?').join(', ')})`).join(', ');
    await db.exec(`INSERT INTO ${db.q(table)} (${TYPED_COLUMNS.map((c) => db.q(c.name)).join(', ')}) VALUES ${placeholders}`, chunk.flat());
  }
}

function canonicalExpression(db: TestDb, column: ColumnSpec): string {
  const c = db.q(column.name);
  if (db.kind === 'mariadb') {
    switch (column.kind) {
      case 'timestamp':
        return `DATE_FORMAT(${c}, '%Y-%m-%d %H:%i:%s.%f')`;
      case 'bool':
        return `CAST(${c} + 0 AS CHAR)`;
      case 'text':
        return c;
      default:
        return `CAST(${c} AS CHAR)`;
    }
  }
  switch (column.kind) {
    case 'timestamp':
      return `to_char(${c}, 'YYYY-MM-DD HH24:MI:SS.US')`;
    case 'bool':
      // Works whether the column is BOOLEAN or a small integer.
      return `(${c})::int::text`;
    case 'date':
      return `to_char(${c}, 'YYYY-MM-DD')`;
    default:
      return `${c}::text`;
  }
}

function canonicalValue(value: unknown, kind: ColumnKind): string | null {
  if (value === null || value === undefined) return null;
  const text = Buffer.isBuffer(value) ? value.toString('utf8') : String(value);
  // Temporal precision is the Connect one (milliseconds); both databases print six digits here.
  if (kind === 'timestamp') return text.slice(0, 23);
  return text;
}

/** Every row of `table` as canonical text, ordered by `orderBy`; the comparison unit of the pipeline tests. */
export async function readCanonical(db: TestDb, table: string, columns: readonly ColumnSpec[] = TYPED_COLUMNS, orderBy = 'id'): Promise<(string | null)[][]> {
  const select = columns.map((column, index) => `${canonicalExpression(db, column)} AS c${index}`).join(', ');
  const rows = await db.exec(`SELECT ${select} FROM ${db.q(table)} ORDER BY ${db.q(orderBy)}`);
  return rows.map((row) => columns.map((column, index) => canonicalValue(row[`c${index}`], column.kind)));
}

export async function countRows(db: TestDb, table: string): Promise<number> {
  const rows = await db.exec(`SELECT COUNT(*) AS n FROM ${db.q(table)}`);
  return Number(rows[0]?.n ?? 0);
}

export async function dropTables(db: TestDb, tables: readonly string[]): Promise<void> {
  for (const table of tables) await db.exec(`DROP TABLE IF EXISTS ${db.q(table)}`).catch(() => {});
}

/** Column names of a table as the target database reports them (lower-case compare is left to the caller). */
export async function columnNames(db: TestDb, table: string): Promise<string[]> {
  const rows =
    db.kind === 'mariadb'
      ? await db.exec('SELECT COLUMN_NAME AS name FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ? ORDER BY ORDINAL_POSITION', [table])
      : await db.exec('SELECT column_name AS name FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = ? ORDER BY ordinal_position', [table]);
  return rows.map((row) => String(row.name));
}
