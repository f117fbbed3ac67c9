import sql from 'mssql';
import mysql from 'mysql2/promise';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { FieldSchema, FieldType, Row, TableId } from '../../src/engine/model';
import {
  createDialect,
  fieldsToAdd,
  type SqlDialect,
  type SqlServerParamType,
  type SqlStatement,
  type ValueOptions,
} from '../../src/engine/sinks/sql/dialects';
import type { DatabaseEndpoint } from '../../src/shared/api';
import { uniqueName } from '../helpers/names';

// Every statement kind the dialects generate, executed against real databases, with the rows read back as text so
// the assertions see exactly what was stored. One suite for every target (architecture §8): MariaDB and PostgreSQL
// from the lab always, SQL Server when FERRY_MSSQL_URL points at one (e.g. mssql://sa:secret@host:1433/ferry?encrypt=false).

const endpoints = inject('labEndpoints');

interface Connection {
  run(statement: SqlStatement): Promise<Record<string, unknown>[]>;
  close(): Promise<void>;
}

interface Target {
  label: string;
  dialect: SqlDialect;
  connect(): Promise<Connection>;
  /** An SQL expression reading a column as canonical text (ms-precision temporals, lower-case hex bytes, 1/0 booleans). */
  text(column: string, type: FieldType): string;
}

function mariadbTarget(endpoint: DatabaseEndpoint): Target {
  return {
    label: 'MariaDB',
    dialect: createDialect('mysql'),
    async connect() {
      const connection = await mysql.createConnection({ ...endpoint });
      return {
        // query(), the text protocol: bigints become exact integer literals (see MySqlDialect).
        async run(statement) {
          const [rows] = await connection.query(statement.sql, statement.params);
          return Array.isArray(rows) ? (rows as Record<string, unknown>[]) : [];
        },
        close: () => connection.end(),
      };
    },
    text: (column, type) => (type.kind === 'bytes' ? `LOWER(HEX(${column}))` : type.kind === 'string' ? column : `CAST(${column} AS CHAR)`),
  };
}

function postgresTarget(endpoint: DatabaseEndpoint): Target {
  return {
    label: 'PostgreSQL',
    dialect: createDialect('postgres'),
    async connect() {
      const client = new pg.Client({ ...endpoint });
      await client.connect();
      return {
        run: async (statement) => (await client.query(statement.sql, statement.params)).rows as Record<string, unknown>[],
        close: () => client.end(),
      };
    },
    text(column, type) {
      switch (type.kind) {
        case 'bytes':
          return `encode(${column}, 'hex')`;
        case 'boolean':
          return `${column}::int::text`;
        case 'timestamp':
          return `to_char(${column}, 'YYYY-MM-DD HH24:MI:SS.MS')`;
        case 'time':
          return `to_char(${column}, 'HH24:MI:SS.MS')`;
        default:
          return `${column}::text`;
      }
    },
  };
}

function sqlServerTarget(url: string): Target {
  const declare = (type: SqlServerParamType | undefined) => {
    switch (type?.type) {
      case 'Bit':
        return sql.Bit;
      case 'SmallInt':
        return sql.SmallInt;
      case 'Int':
        return sql.Int;
      case 'BigInt':
        return sql.BigInt;
      case 'Real':
        return sql.Real;
      case 'Float':
        return sql.Float;
      case 'VarBinary':
        return sql.VarBinary(sql.MAX);
      default:
        return sql.NVarChar(sql.MAX);
    }
  };
  return {
    label: 'SQL Server',
    dialect: createDialect('sqlserver'),
    async connect() {
      const pool = await new sql.ConnectionPool(url).connect();
      return {
        async run(statement) {
          const request = pool.request();
          statement.params.forEach((value, index) => request.input(`p${index + 1}`, declare(statement.types?.[index]), value));
          const result = await request.query(statement.sql);
          return (result.recordset ?? []) as Record<string, unknown>[];
        },
        close: () => pool.close(),
      };
    },
    text(column, type) {
      if (type.kind === 'bytes') return `LOWER(CONVERT(varchar(max), ${column}, 2))`;
      if (type.kind === 'string') return column;
      // datetime2(3) → 'yyyy-mm-dd hh:mm:ss.fff', time(3) → 'hh:mm:ss.fff', bit → '1'/'0'.
      return `CAST(${column} AS varchar(64))`;
    },
  };
}

const targets: Target[] = [mariadbTarget(endpoints.mariadb), postgresTarget(endpoints.postgres)];
if (process.env.FERRY_MSSQL_URL) targets.push(sqlServerTarget(process.env.FERRY_MSSQL_URL));

const f = (name: string, type: FieldType, optional = false, defaultValue?: FieldSchema['defaultValue']): FieldSchema =>
  defaultValue === undefined ? { name, type, optional } : { name, type, optional, defaultValue };

const id = f('id', { kind: 'int64' });
const region = f('region', { kind: 'string' });
const name = f('name', { kind: 'string' }, true);
const amount = f('amount', { kind: 'decimal', precision: 30, scale: 10 }, true);
const qty = f('qty', { kind: 'int32' }, true);
const price = f('price', { kind: 'float64' }, true);
const paid = f('paid', { kind: 'boolean' }, true);
const at = f('at', { kind: 'timestamp' }, true);
const day = f('day', { kind: 'date' }, true);
const clock = f('clock', { kind: 'time' }, true);
const blob = f('blob', { kind: 'bytes' }, true);
const allValues = [name, amount, qty, price, paid, at, day, clock, blob];

const ALL_BYTES = Uint8Array.from({ length: 256 }, (_, index) => index);
const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');

describe.each(targets)('sink dialect against $label', (target) => {
  const dialect = target.dialect;
  let connection: Connection;
  const created: TableId[] = [];

  beforeAll(async () => {
    connection = await target.connect();
  });

  afterAll(async () => {
    for (const table of created) await connection.run({ sql: `DROP TABLE IF EXISTS ${dialect.tableName(table)}`, params: [] });
    await connection.close();
  });

  const freshTable = (prefix: string, suffix = ''): TableId => {
    const table = dialect.resolveTableId('${topic}', `${uniqueName(prefix)}${suffix}`);
    created.push(table);
    return table;
  };

  const runAll = async (statements: SqlStatement[]) => {
    for (const statement of statements) await connection.run(statement);
    return statements.length;
  };

  const describeTable = async (table: TableId) => dialect.describeTable(table, await connection.run(dialect.describeTableQuery(table)));

  const read = async (table: TableId, fields: readonly FieldSchema[], orderBy: readonly FieldSchema[]) => {
    const select = fields.map((field) => `${target.text(dialect.quoteIdentifier(field.name), field.type)} AS ${dialect.quoteIdentifier(field.name)}`);
    const rows = await connection.run({
      sql: `SELECT ${select.join(', ')} FROM ${dialect.tableName(table)} ORDER BY ${orderBy.map((field) => dialect.quoteIdentifier(field.name)).join(', ')}`,
      params: [],
    });
    return rows.map((row) => Object.fromEntries(fields.map((field) => [field.name, row[field.name] === null ? null : String(row[field.name])])));
  };

  const count = async (table: TableId) => {
    const [row] = await connection.run({ sql: `SELECT COUNT(*) AS n FROM ${dialect.tableName(table)}`, params: [] });
    return Number(row?.n);
  };

  it('auto.create makes a table the metadata query describes: keys, nullability, order', async () => {
    const table = freshTable('sink_create');
    expect(await describeTable(table)).toBeUndefined();
    await connection.run({ sql: dialect.createTable(table, [id, region], allValues), params: [] });
    const description = await describeTable(table);
    expect(description?.kind).toBe('TABLE');
    expect(description?.columns.map((column) => [column.name, column.isKey, column.nullable])).toEqual([
      ['id', true, false],
      ['region', true, false],
      ...allValues.map((field) => [field.name, false, true]),
    ]);
  });

  it('insert, upsert, update and delete follow Connect semantics with composite keys, many rows per statement', async () => {
    const table = freshTable('sink_modes');
    await connection.run({ sql: dialect.createTable(table, [id, region], [name, qty]), params: [] });
    const write = { table, keyFields: [id, region], valueFields: [name, qty] };
    const rows = () => read(table, [id, region, name, qty], [id, region]);

    expect(
      await runAll(
        dialect.buildInsert({
          ...write,
          rows: [
            { id: 1n, region: 'eu', name: 'ada', qty: 1 },
            { id: 2n, region: 'eu', name: 'bob', qty: 2 },
            { id: 1n, region: 'us', name: 'cy', qty: 3 },
          ],
        }),
      ),
    ).toBe(1);
    expect(await rows()).toEqual([
      { id: '1', region: 'eu', name: 'ada', qty: '1' },
      { id: '1', region: 'us', name: 'cy', qty: '3' },
      { id: '2', region: 'eu', name: 'bob', qty: '2' },
    ]);

    // Upsert updates an existing key, inserts a new one, and a key repeated in the batch ends with its last value.
    await runAll(
      dialect.buildUpsert({
        ...write,
        rows: [
          { id: 1n, region: 'eu', name: 'ada2', qty: 10 },
          { id: 4n, region: 'eu', name: 'dee', qty: null },
          { id: 1n, region: 'eu', name: 'ada3', qty: 11 },
        ],
      }),
    );
    expect(await rows()).toEqual([
      { id: '1', region: 'eu', name: 'ada3', qty: '11' },
      { id: '1', region: 'us', name: 'cy', qty: '3' },
      { id: '2', region: 'eu', name: 'bob', qty: '2' },
      { id: '4', region: 'eu', name: 'dee', qty: null },
    ]);

    // Update changes existing rows only; a missing key is silently not inserted.
    await runAll(
      dialect.buildUpdate({
        ...write,
        rows: [
          { id: 2n, region: 'eu', name: 'bob2', qty: 20 },
          { id: 99n, region: 'eu', name: 'ghost', qty: 0 },
          { id: 1n, region: 'us', name: 'cy2', qty: null },
        ],
      }),
    );
    await runAll(dialect.buildUpdate({ ...write, rows: [{ id: 4n, region: 'eu', name: 'dee2', qty: 40 }] }));
    expect(await rows()).toEqual([
      { id: '1', region: 'eu', name: 'ada3', qty: '11' },
      { id: '1', region: 'us', name: 'cy2', qty: null },
      { id: '2', region: 'eu', name: 'bob2', qty: '20' },
      { id: '4', region: 'eu', name: 'dee2', qty: '40' },
    ]);

    // Delete by composite key: several rows (one of them absent), then a single row.
    await runAll(
      dialect.buildDelete({
        ...write,
        rows: [
          { id: 2n, region: 'eu' },
          { id: 1n, region: 'us' },
          { id: 77n, region: 'xx' },
        ],
      }),
    );
    await runAll(dialect.buildDelete({ ...write, rows: [{ id: 4n, region: 'eu' }] }));
    expect(await rows()).toEqual([{ id: '1', region: 'eu', name: 'ada3', qty: '11' }]);
  });

  it('round-trips int64 extremes, decimals, floats, booleans, bytes and temporals exactly, in db.timezone', async () => {
    const table = freshTable('sink_values');
    await connection.run({ sql: dialect.createTable(table, [id], allValues), params: [] });
    const write = { table, keyFields: [id], valueFields: allValues };
    const full: Row = {
      name: 'ünïcødé ✓ 日本',
      amount: '-12345678901234567890.0123456789',
      qty: -2147483648,
      price: 2.5,
      paid: true,
      at: new Date('2024-03-31T01:30:00.123Z'),
      day: new Date('2024-02-29T00:00:00.000Z'),
      clock: 3_723_004,
      blob: ALL_BYTES,
    };
    await runAll(dialect.buildInsert({ ...write, rows: [{ id: 9223372036854775807n, ...full }] }));
    await runAll(
      dialect.buildUpsert(
        {
          ...write,
          rows: [
            { id: -9223372036854775808n, ...full, paid: false, blob: new Uint8Array(0) },
            { id: 0n, ...Object.fromEntries(allValues.map((field) => [field.name, null])) },
          ],
        },
        { timezone: 'Europe/Paris', dateTimezone: 'UTC' },
      ),
    );
    const stored = await read(table, [id, ...allValues], [id]);
    const utc = {
      name: 'ünïcødé ✓ 日本',
      amount: '-12345678901234567890.0123456789',
      qty: '-2147483648',
      price: '2.5',
      paid: '1',
      at: '2024-03-31 01:30:00.123',
      day: '2024-02-29',
      clock: '01:02:03.004',
      blob: hex(ALL_BYTES),
    };
    expect(stored).toEqual([
      // Written with db.timezone=Europe/Paris: the wall clock there (DST started at 01:00 UTC that night); TIME is
      // shifted by Paris' 1970 offset as Connect binds it; date.timezone=UTC keeps the calendar day.
      { id: '-9223372036854775808', ...utc, paid: '0', at: '2024-03-31 03:30:00.123', clock: '02:02:03.004', blob: '' },
      { id: '0', ...Object.fromEntries(allValues.map((field) => [field.name, null])) },
      { id: '9223372036854775807', ...utc },
    ]);
  });

  // Both tables are made without a primary key (pk.mode's columns need not be indexed in a user's table), so the
  // database really compares values instead of seeking an index, where MariaDB would be exact anyway.
  it('finds int64 and decimal keys exactly beyond double precision, without an index to help', async () => {
    const table = freshTable('sink_bigkeys');
    await connection.run({ sql: dialect.createTable(table, [], [id, name]), params: [] });
    const write = { table, keyFields: [id], valueFields: [name] };
    await runAll(
      dialect.buildInsert({
        ...write,
        rows: [
          { id: 9007199254740992n, name: '2^53' },
          { id: 9007199254740993n, name: '2^53+1' },
          { id: 9007199254740994n, name: '2^53+2' },
        ],
      }),
    );
    await runAll(dialect.buildDelete({ ...write, rows: [{ id: 9007199254740993n }] }));
    await runAll(dialect.buildDelete({ ...write, rows: [{ id: 9007199254740994n }, { id: 1n }] }));
    await runAll(dialect.buildUpdate({ ...write, rows: [{ id: 9007199254740992n, name: 'kept' }] }));
    expect(await read(table, [id, name], [id])).toEqual([{ id: '9007199254740992', name: 'kept' }]);

    const decimals = freshTable('sink_deckeys');
    const key = f('k', { kind: 'decimal', precision: 20, scale: 2 });
    await connection.run({ sql: dialect.createTable(decimals, [], [key, name]), params: [] });
    const decimalWrite = { table: decimals, keyFields: [key], valueFields: [name] };
    await runAll(
      dialect.buildInsert({
        ...decimalWrite,
        rows: [
          { k: '123456789012345678.12', name: 'a' },
          { k: '123456789012345678.13', name: 'b' },
          { k: '123456789012345678.14', name: 'c' },
        ],
      }),
    );
    await runAll(dialect.buildDelete({ ...decimalWrite, rows: [{ k: '123456789012345678.12' }] }));
    await runAll(dialect.buildDelete({ ...decimalWrite, rows: [{ k: '123456789012345678.13' }, { k: '0.00' }] }));
    await runAll(
      dialect.buildUpdate({
        ...decimalWrite,
        rows: [
          { k: '123456789012345678.14', name: 'c2' },
          { k: '123456789012345678.15', name: 'ghost' },
        ],
      }),
    );
    expect(await read(decimals, [key, name], [key])).toEqual([{ k: '123456789012345678.14', name: 'c2' }]);
  });

  it('auto.evolve adds the missing columns, nullable or defaulted, and the table takes rows with them', async () => {
    const table = freshTable('sink_evolve');
    await connection.run({ sql: dialect.createTable(table, [id], [name]), params: [] });
    await runAll(dialect.buildInsert({ table, keyFields: [id], valueFields: [name], rows: [{ id: 1n, name: 'before' }] }));

    const note = f('note', { kind: 'string' }, true);
    const status = f('status', { kind: 'string' }, false, 'new');
    const evolved = [name, note, status];
    const before = await describeTable(table);
    if (!before) throw new Error('table not found');
    expect(() => fieldsToAdd(before, [id, ...evolved], { autoEvolve: false })).toThrow(/auto-evolution is disabled/);
    expect(() => fieldsToAdd(before, [id, name, f('required', { kind: 'int32' })], { autoEvolve: true })).toThrow(/required/);
    const missing = fieldsToAdd(before, [id, ...evolved], { autoEvolve: true });
    expect(missing.map((field) => field.name)).toEqual(['note', 'status']);
    await connection.run({ sql: dialect.addColumns(table, missing), params: [] });

    const after = await describeTable(table);
    expect(after?.columns.map((column) => [column.name, column.nullable])).toEqual([
      ['id', false],
      ['name', true],
      ['note', true],
      ['status', false],
    ]);
    expect(fieldsToAdd(after ?? before, [id, ...evolved], { autoEvolve: false })).toEqual([]);
    await runAll(dialect.buildUpsert({ table, keyFields: [id], valueFields: evolved, rows: [{ id: 2n, name: 'after', note: 'hi', status: 'done' }] }));
    expect(await read(table, [id, name, note, status], [id])).toEqual([
      { id: '1', name: 'before', note: null, status: 'new' },
      { id: '2', name: 'after', note: 'hi', status: 'done' },
    ]);
  });

  it('upserts a table whose columns are all key columns', async () => {
    const table = freshTable('sink_keyonly');
    await connection.run({ sql: dialect.createTable(table, [id, region], []), params: [] });
    const write = { table, keyFields: [id, region], valueFields: [] };
    const rows = [
      { id: 1n, region: 'eu' },
      { id: 2n, region: 'eu' },
    ];
    await runAll(dialect.buildUpsert({ ...write, rows }));
    await runAll(dialect.buildUpsert({ ...write, rows: [...rows, { id: 3n, region: 'us' }] }));
    await runAll(dialect.buildUpsert({ ...write, rows: [{ id: 3n, region: 'us' }] }));
    expect(await read(table, [id, region], [id, region])).toEqual([
      { id: '1', region: 'eu' },
      { id: '2', region: 'eu' },
      { id: '3', region: 'us' },
    ]);
    expect(dialect.buildUpdate({ ...write, rows })).toEqual([]);
  });

  it('escapes identifiers: reserved words and every quote character in table and column names', async () => {
    const table = freshTable('sink_odd', '_q`"]');
    const order = f('order', { kind: 'string' });
    const weird = f('we`ird"]', { kind: 'int32' }, true);
    const select = f('select', { kind: 'string' }, true);
    await connection.run({ sql: dialect.createTable(table, [order], [weird, select]), params: [] });
    expect((await describeTable(table))?.columns.map((column) => column.name)).toEqual(['order', 'we`ird"]', 'select']);
    const write = { table, keyFields: [order], valueFields: [weird, select] };
    await runAll(
      dialect.buildUpsert({
        ...write,
        rows: [
          { order: 'a', 'we`ird"]': 1, select: 'x' },
          { order: 'b', 'we`ird"]': 2, select: 'y' },
          { order: 'c', 'we`ird"]': 3, select: 'z' },
        ],
      }),
    );
    await runAll(
      dialect.buildUpdate({
        ...write,
        rows: [
          { order: 'a', 'we`ird"]': 10, select: 'x2' },
          { order: 'b', 'we`ird"]': 20, select: null },
        ],
      }),
    );
    await runAll(dialect.buildDelete({ ...write, rows: [{ order: 'c' }] }));
    expect(await read(table, [order, weird, select], [order])).toEqual([
      { order: 'a', 'we`ird"]': '10', select: 'x2' },
      { order: 'b', 'we`ird"]': '20', select: null },
    ]);
  });

  it('splits batches over the per-statement row limit and applies every row', async () => {
    const table = freshTable('sink_chunks');
    await connection.run({ sql: dialect.createTable(table, [id], [qty]), params: [] });
    const write = { table, keyFields: [id], valueFields: [qty] };
    const rows: Row[] = Array.from({ length: 2500 }, (_, index) => ({ id: BigInt(index), qty: index }));
    expect(await runAll(dialect.buildUpsert({ ...write, rows }))).toBe(3);
    expect(await count(table)).toBe(2500);
    expect(await runAll(dialect.buildUpdate({ ...write, rows: rows.map((row) => ({ ...row, qty: -1 })) }))).toBe(3);
    const [sum] = await connection.run({ sql: `SELECT SUM(${dialect.quoteIdentifier('qty')}) AS s FROM ${dialect.tableName(table)}`, params: [] });
    expect(Number(sum?.s)).toBe(-2500);
    expect(await runAll(dialect.buildDelete({ ...write, rows: rows.slice(0, 2400) }))).toBe(3);
    expect(await count(table)).toBe(100);
  });

  it.runIf(target.label === 'PostgreSQL')('writes exact instants into a TIMESTAMPTZ column, also through a multi-row UPDATE', async () => {
    const table = freshTable('sink_tstz');
    await connection.run({ sql: `CREATE TABLE ${dialect.tableName(table)} ("id" BIGINT PRIMARY KEY, "at" TIMESTAMPTZ, "uid" UUID)`, params: [] });
    const existing = await describeTable(table);
    const uid = f('uid', { kind: 'string' }, true);
    const write = { table, keyFields: [id], valueFields: [at, uid], existing };
    const values: ValueOptions = { timezone: 'America/New_York' };
    await runAll(
      dialect.buildInsert(
        {
          ...write,
          rows: [
            { id: 1n, at: new Date('2024-01-15T12:00:00.001Z'), uid: null },
            { id: 2n, at: null, uid: null },
          ],
        },
        values,
      ),
    );
    await runAll(
      dialect.buildUpdate(
        {
          ...write,
          rows: [
            { id: 2n, at: new Date('2024-07-15T12:00:00.002Z'), uid: '123e4567-e89b-12d3-a456-426614174000' },
            { id: 3n, at: new Date('2024-07-15T12:00:00.003Z'), uid: null },
          ],
        },
        values,
      ),
    );
    const rows = await connection.run({
      sql: `SELECT "id"::text AS id, to_char("at" AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS.MS') AS at, "uid"::text AS uid FROM ${dialect.tableName(table)} ORDER BY "id"`,
      params: [],
    });
    expect(rows).toEqual([
      { id: '1', at: '2024-01-15 12:00:00.001', uid: null },
      { id: '2', at: '2024-07-15 12:00:00.002', uid: '123e4567-e89b-12d3-a456-426614174000' },
    ]);
  });
});
