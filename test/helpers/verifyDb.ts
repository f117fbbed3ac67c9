import { afterAll, beforeAll, inject } from 'vitest';
import type { DatabaseEndpoint, VerifyReport } from '../../src/shared/api';
import { openSqlSession, type SqlSession } from '../../src/engine/db';
import { parseDatabaseUrl } from '../../src/engine/verify';

// Databases for the verify suites: one per engine, each able to create a table from engine-neutral column types
// and insert rows from engine-neutral values, so one case definition runs on every pair of engines.

export type Engine = 'mysql' | 'postgres' | 'sqlserver';

/** Column types the cases use; each engine spells them its own way. */
export type LogicalType =
  | 'int'
  | 'bigint'
  | 'decimal(12,3)'
  | 'decimal(10,2)'
  | 'decimal(12,4)'
  | 'double'
  | 'bool'
  | 'varchar'
  | 'varchar_bin'
  | 'varchar_ci'
  | 'char4'
  | 'text'
  | 'binary'
  | 'date'
  | 'time3'
  | 'ts6'
  | 'ts3'
  | 'tstz6'
  | 'uuid';

/** A value as the cases write it: text in the canonical form, booleans as true/false, binary as hex. */
export type TestValue = string | boolean | null;

const TYPES: Record<Engine, Record<LogicalType, string>> = {
  mysql: {
    int: 'INT',
    bigint: 'BIGINT',
    'decimal(12,3)': 'DECIMAL(12,3)',
    'decimal(10,2)': 'DECIMAL(10,2)',
    'decimal(12,4)': 'DECIMAL(12,4)',
    double: 'DOUBLE',
    bool: 'TINYINT(1)',
    varchar: 'VARCHAR(100) CHARACTER SET utf8mb4',
    varchar_bin: 'VARCHAR(100) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin',
    varchar_ci: 'VARCHAR(100) CHARACTER SET utf8mb4 COLLATE utf8mb4_general_ci',
    char4: 'CHAR(4)',
    text: 'TEXT',
    binary: 'VARBINARY(16)',
    date: 'DATE',
    time3: 'TIME(3)',
    ts6: 'DATETIME(6)',
    ts3: 'DATETIME(3)',
    tstz6: 'TIMESTAMP(6) NULL',
    uuid: 'UUID',
  },
  postgres: {
    int: 'INTEGER',
    bigint: 'BIGINT',
    'decimal(12,3)': 'NUMERIC(12,3)',
    'decimal(10,2)': 'NUMERIC(10,2)',
    'decimal(12,4)': 'NUMERIC(12,4)',
    double: 'DOUBLE PRECISION',
    bool: 'BOOLEAN',
    varchar: 'VARCHAR(100)',
    varchar_bin: 'VARCHAR(100) COLLATE "C"',
    varchar_ci: 'VARCHAR(100)',
    char4: 'CHAR(4)',
    text: 'TEXT',
    binary: 'BYTEA',
    date: 'DATE',
    time3: 'TIME(3)',
    ts6: 'TIMESTAMP(6)',
    ts3: 'TIMESTAMP(3)',
    tstz6: 'TIMESTAMPTZ(6)',
    uuid: 'UUID',
  },
  sqlserver: {
    int: 'INT',
    bigint: 'BIGINT',
    'decimal(12,3)': 'DECIMAL(12,3)',
    'decimal(10,2)': 'DECIMAL(10,2)',
    'decimal(12,4)': 'DECIMAL(12,4)',
    double: 'FLOAT',
    bool: 'BIT',
    varchar: 'NVARCHAR(100)',
    varchar_bin: 'NVARCHAR(100) COLLATE Latin1_General_100_BIN2',
    varchar_ci: 'NVARCHAR(100) COLLATE Latin1_General_CI_AI',
    char4: 'NCHAR(4)',
    text: 'NVARCHAR(MAX)',
    binary: 'VARBINARY(16)',
    date: 'DATE',
    time3: 'TIME(3)',
    ts6: 'DATETIME2(6)',
    ts3: 'DATETIME2(3)',
    tstz6: 'DATETIMEOFFSET(6)',
    uuid: 'UNIQUEIDENTIFIER',
  },
};

export interface ColumnSpec {
  name: string;
  type: LogicalType;
}

export interface VerifyTestDb {
  readonly label: string;
  readonly engine: Engine;
  /** The URL `ferry verify` is given (carries the password). */
  readonly url: string;
  exec(sql: string): Promise<Record<string, unknown>[]>;
  createTable(name: string, columns: readonly ColumnSpec[], key: readonly string[]): Promise<void>;
  insert(name: string, columns: readonly ColumnSpec[], rows: readonly TestValue[][]): Promise<void>;
  dropTable(name: string): Promise<void>;
  close(): Promise<void>;
}

function quote(engine: Engine, name: string): string {
  if (engine === 'mysql') return `\`${name}\``;
  if (engine === 'sqlserver') return `[${name}]`;
  return `"${name}"`;
}

function literal(engine: Engine, type: LogicalType, value: TestValue): string {
  if (value === null) return 'NULL';
  if (typeof value === 'boolean') return engine === 'postgres' ? String(value) : value ? '1' : '0';
  // MySQL treats a backslash in a literal as an escape (without NO_BACKSLASH_ESCAPES).
  const escaped = engine === 'mysql' ? value.replaceAll('\\', '\\\\') : value;
  const text = `'${escaped.replaceAll("'", "''")}'`;
  switch (type) {
    case 'int':
    case 'bigint':
    case 'decimal(12,3)':
    case 'decimal(10,2)':
    case 'decimal(12,4)':
    case 'double':
      return value;
    case 'binary':
      return engine === 'mysql' ? `X'${value}'` : engine === 'postgres' ? `decode('${value}', 'hex')` : `0x${value}`;
    case 'tstz6':
      return engine === 'mysql' ? text : engine === 'postgres' ? `'${value}+00'` : `'${value} +00:00'`;
    default:
      return engine === 'sqlserver' ? `N${text}` : text;
  }
}

export function databaseUrl(kind: 'mysql' | 'postgres', endpoint: DatabaseEndpoint): string {
  return `${kind}://${encodeURIComponent(endpoint.user)}:${encodeURIComponent(endpoint.password)}@${endpoint.host}:${endpoint.port}/${encodeURIComponent(endpoint.database)}`;
}

export async function openVerifyTestDb(label: string, url: string): Promise<VerifyTestDb> {
  const { settings } = parseDatabaseUrl(url, label);
  const engine: Engine = settings.dialect;
  const session: SqlSession = await openSqlSession(settings);
  if (engine === 'mysql') await session.execute({ sql: "SET time_zone = '+00:00'", params: [] });
  const exec = async (sql: string): Promise<Record<string, unknown>[]> => (await session.execute({ sql, params: [] })).rows;
  return {
    label,
    engine,
    url,
    exec,
    async createTable(name, columns, key) {
      const definitions = columns.map((column) => `${quote(engine, column.name)} ${TYPES[engine][column.type]}`);
      await exec(`CREATE TABLE ${quote(engine, name)} (${definitions.join(', ')}, PRIMARY KEY (${key.map((k) => quote(engine, k)).join(', ')}))`);
    },
    async insert(name, columns, rows) {
      if (rows.length === 0) return;
      const names = columns.map((column) => quote(engine, column.name)).join(', ');
      const values = rows.map((row) => `(${row.map((value, index) => literal(engine, columns[index]?.type ?? 'text', value)).join(', ')})`);
      await exec(`INSERT INTO ${quote(engine, name)} (${names}) VALUES ${values.join(', ')}`);
    },
    async dropTable(name) {
      await exec(`DROP TABLE IF EXISTS ${quote(engine, name)}`);
    },
    close: () => session.close(),
  };
}

/** The report says equal and no segment's checksums differed: every row hashed alike on both sides, none was fetched to be compared. */
export function checksumsMatched(report: VerifyReport): boolean {
  return report.equal && report.different.length === 0 && !report.notes.some((note) => /checksums differ|only in the last of 15/.test(note));
}

/** A table on one engine: its column definitions and its rows, each the SQL literals of one row (`1, 'a', NULL`). */
export interface EngineTable {
  columns: string;
  rows: readonly string[];
}

export interface MariadbPostgresTable {
  /** The lab's MariaDB: the source. */
  readonly mariadb: VerifyTestDb;
  /** The lab's PostgreSQL (its session in UTC): the target. */
  readonly postgres: VerifyTestDb;
  /** [source, target] both ways: MariaDB to PostgreSQL, then PostgreSQL to MariaDB. */
  readonly bothWays: readonly (readonly [VerifyTestDb, VerifyTestDb])[];
}

/**
 * Registers, in the calling describe, a beforeAll that opens the lab's MariaDB and PostgreSQL and creates `table` on
 * each (as `mariadb` and `postgres` give it), and an afterAll that drops both tables and closes both sessions.
 */
export function useMariadbPostgresTable(table: string, mariadb: EngineTable, postgres: EngineTable): MariadbPostgresTable {
  const endpoints = inject('labEndpoints');
  let source: VerifyTestDb | undefined;
  let target: VerifyTestDb | undefined;
  const opened = (db: VerifyTestDb | undefined): VerifyTestDb => {
    if (db === undefined) throw new Error('the verify databases are opened in beforeAll');
    return db;
  };
  beforeAll(async () => {
    source = await openVerifyTestDb('source', databaseUrl('mysql', endpoints.mariadb));
    target = await openVerifyTestDb('target', databaseUrl('postgres', endpoints.postgres));
    await target.exec("SET TIME ZONE 'UTC'");
    for (const [db, spec] of [
      [source, mariadb],
      [target, postgres],
    ] as const) {
      await db.exec(`CREATE TABLE ${quote(db.engine, table)} (${spec.columns})`);
      await db.exec(`INSERT INTO ${quote(db.engine, table)} VALUES ${spec.rows.map((row) => `(${row})`).join(', ')}`);
    }
  });
  afterAll(async () => {
    await source?.dropTable(table).catch(() => undefined);
    await target?.dropTable(table).catch(() => undefined);
    await source?.close();
    await target?.close();
  });
  return {
    get mariadb() {
      return opened(source);
    },
    get postgres() {
      return opened(target);
    },
    get bothWays() {
      return [
        [opened(source), opened(target)],
        [opened(target), opened(source)],
      ] as const;
    },
  };
}
