import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { EngineError } from '../../../../shared/errors';
import type { FieldSchema, FieldType, FieldValue, Row, TableId } from '../../../model';
import type { DriverValue, TableDescription, WriteBatch } from './dialect';
import { PostgresDialect, postgresArrayElement } from './postgres';
import { STAGED_MIN_ROWS } from './postgresStaging';

function failure(run: () => unknown): EngineError {
  try {
    run();
  } catch (error) {
    if (error instanceof EngineError) return error;
    throw error;
  }
  throw new Error('expected an EngineError');
}

const f = (name: string, type: FieldType, optional = false, defaultValue?: FieldSchema['defaultValue']): FieldSchema =>
  defaultValue === undefined ? { name, type, optional } : { name, type, optional, defaultValue };
const id = f('id', { kind: 'int64' });
const region = f('region', { kind: 'string' });
const name = f('name', { kind: 'string' }, true);
const amount = f('amount', { kind: 'decimal', precision: 10, scale: 2 }, true);
const at = f('at', { kind: 'timestamp' }, true);

const dialect = new PostgresDialect();
const orders = { schema: 'public', table: 'orders' };
const batch = (rows: Row[], keyFields: FieldSchema[] = [id], valueFields: FieldSchema[] = [name, amount], table: TableId = orders): WriteBatch => ({
  table,
  keyFields,
  valueFields,
  rows,
});
const one: Row[] = [{ id: 1n, region: 'eu', name: 'ada', amount: '12.50' }];
const two: Row[] = [...one, { id: 2n, region: 'us', name: null, amount: null }];

describe('PostgresDialect names', () => {
  it('quotes with double quotes and doubles a double quote inside', () => {
    expect(dialect.quoteIdentifier('order')).toBe('"order"');
    expect(dialect.quoteIdentifier('say "hi"')).toBe('"say ""hi"""');
    expect(dialect.quoteIdentifier('Orders')).toBe('"Orders"');
  });

  it('writes identifiers bare with quote.sql.identifiers=never', () => {
    const never = new PostgresDialect({ quoteIdentifiers: 'never' });
    expect(never.tableName({ schema: 'public', table: 'Orders' })).toBe('public.Orders');
    expect(never.buildUpsert(batch(one, [id], [name])).map((s) => s.sql)).toEqual([
      'INSERT INTO public.orders (id, name) VALUES ($1, $2) ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name',
    ]);
  });

  it('limits identifiers to 63 bytes, which PostgreSQL would otherwise cut silently', () => {
    expect(dialect.quoteIdentifier('x'.repeat(63))).toHaveLength(65);
    expect(failure(() => dialect.quoteIdentifier('é'.repeat(32))).code).toBe('SINK_SQL_BAD_IDENTIFIER');
  });

  it('parses table, schema.table and db.schema.table, defaulting the schema to public', () => {
    expect(dialect.parseTableName('orders')).toEqual({ schema: 'public', table: 'orders' });
    expect(dialect.parseTableName('sales.orders')).toEqual({ schema: 'sales', table: 'orders' });
    expect(dialect.parseTableName('ferry.sales.orders')).toEqual({ catalog: 'ferry', schema: 'sales', table: 'orders' });
    expect(dialect.parseTableName('"my.schema"."Or""ders"')).toEqual({ schema: 'my.schema', table: 'Or"ders' });
    expect(new PostgresDialect({ defaultSchema: 'staging' }).parseTableName('orders')).toEqual({ schema: 'staging', table: 'orders' });
    expect(failure(() => dialect.parseTableName('a.b.c.d')).code).toBe('SINK_SQL_BAD_TABLE_NAME');
  });

  it('keeps the case of a topic: Orders becomes "Orders" (case-sensitive in PostgreSQL)', () => {
    const table = dialect.resolveTableId('${topic}', 'Orders');
    expect(dialect.tableName(table)).toBe('"public"."Orders"');
    expect(dialect.tableName(dialect.resolveTableId('${topic}', 'sales.Orders'))).toBe('"sales"."Orders"');
  });
});

describe('PostgresDialect types', () => {
  it.each<[FieldType, boolean, string]>([
    [{ kind: 'int8' }, false, 'SMALLINT'],
    [{ kind: 'int16' }, false, 'SMALLINT'],
    [{ kind: 'int32' }, false, 'INT'],
    [{ kind: 'int64' }, false, 'BIGINT'],
    [{ kind: 'float32' }, false, 'REAL'],
    [{ kind: 'float64' }, false, 'DOUBLE PRECISION'],
    [{ kind: 'boolean' }, false, 'BOOLEAN'],
    [{ kind: 'string' }, false, 'TEXT'],
    [{ kind: 'string' }, true, 'TEXT'],
    [{ kind: 'bytes' }, false, 'BYTEA'],
    [{ kind: 'bytes' }, true, 'BYTEA'],
    [{ kind: 'decimal', precision: 10, scale: 2 }, false, 'NUMERIC(10,2)'],
    [{ kind: 'decimal', precision: 1000, scale: 0 }, false, 'NUMERIC(1000,0)'],
    [{ kind: 'decimal', precision: 1001, scale: 2 }, false, 'NUMERIC'],
    [{ kind: 'decimal', precision: 0, scale: 2 }, false, 'NUMERIC'],
    [{ kind: 'decimal', precision: 2, scale: 5 }, false, 'NUMERIC'],
    [{ kind: 'date' }, false, 'DATE'],
    [{ kind: 'time' }, false, 'TIME(3)'],
    [{ kind: 'timestamp' }, false, 'TIMESTAMP(3)'],
  ])('%j (key: %s) → %s', (type, isKey, expected) => {
    expect(dialect.columnType(type, isKey)).toBe(expected);
  });
});

describe('PostgresDialect DDL', () => {
  it('creates a table with NOT NULL keys, a primary key and defaults', () => {
    const fields = [
      f('order', { kind: 'string' }, true, "it's \\ here"),
      f('paid', { kind: 'boolean' }, false, true),
      f('blob', { kind: 'bytes' }, true, new Uint8Array([0xca, 0xfe])),
      f('at', { kind: 'timestamp' }, true, new Date('2024-01-02T03:04:05.006Z')),
      f('big', { kind: 'int64' }, true, 9007199254740993n),
      f('ratio', { kind: 'float64' }, true, Number.NaN),
    ];
    expect(dialect.createTable({ schema: 'sales', table: 'Orders' }, [id, region], fields)).toBe(
      [
        'CREATE TABLE "sales"."Orders" (',
        '  "id" BIGINT NOT NULL,',
        '  "region" TEXT NOT NULL,',
        `  "order" TEXT NULL DEFAULT 'it''s \\ here',`,
        '  "paid" BOOLEAN NOT NULL DEFAULT TRUE,',
        `  "blob" BYTEA NULL DEFAULT '\\xcafe',`,
        "  \"at\" TIMESTAMP(3) NULL DEFAULT '2024-01-02 03:04:05.006+00:00',",
        '  "big" BIGINT NULL DEFAULT 9007199254740993,',
        "  \"ratio\" DOUBLE PRECISION NULL DEFAULT 'NaN',",
        '  PRIMARY KEY ("id", "region")',
        ')',
      ].join('\n'),
    );
  });

  it('adds columns in one ALTER TABLE, each with its own ADD, and refuses required ones without default', () => {
    expect(dialect.addColumns(orders, [name, f('qty', { kind: 'int32' }, false, 0)])).toBe(
      'ALTER TABLE "public"."orders" ADD "name" TEXT NULL, ADD "qty" INT NOT NULL DEFAULT 0',
    );
    expect(failure(() => dialect.addColumns(orders, [f('qty', { kind: 'int32' })])).code).toBe('SINK_SQL_REQUIRED_COLUMN_WITHOUT_DEFAULT');
  });
});

describe('PostgresDialect statements', () => {
  it('insert: one row and many rows with $n placeholders', () => {
    expect(dialect.buildInsert(batch(one))).toEqual([
      { sql: 'INSERT INTO "public"."orders" ("id", "name", "amount") VALUES ($1, $2, $3)', params: ['1', 'ada', '12.50'] },
    ]);
    expect(dialect.buildInsert(batch(two))).toEqual([
      { sql: 'INSERT INTO "public"."orders" ("id", "name", "amount") VALUES ($1, $2, $3), ($4, $5, $6)', params: ['1', 'ada', '12.50', '2', null, null] },
    ]);
  });

  it('upsert: ON CONFLICT (keys) DO UPDATE SET c = EXCLUDED.c', () => {
    expect(dialect.buildUpsert(batch(two, [id, region], [name]))).toEqual([
      {
        sql:
          'INSERT INTO "public"."orders" ("id", "region", "name") VALUES ($1, $2, $3), ($4, $5, $6) ' +
          'ON CONFLICT ("id", "region") DO UPDATE SET "name" = EXCLUDED."name"',
        params: ['1', 'eu', 'ada', '2', 'us', null],
      },
    ]);
  });

  it('upsert with only key columns does nothing on conflict', () => {
    expect(dialect.buildUpsert(batch(one, [id, region], [])).map((s) => s.sql)).toEqual([
      'INSERT INTO "public"."orders" ("id", "region") VALUES ($1, $2) ON CONFLICT ("id", "region") DO NOTHING',
    ]);
  });

  it('upsert collapses duplicate keys (ON CONFLICT cannot affect a row twice), last one wins', () => {
    const rows: Row[] = [
      { id: 1n, region: 'eu', name: 'old' },
      { id: 1n, region: 'us', name: 'other' },
      { id: 1n, region: 'eu', name: 'new' },
    ];
    expect(dialect.buildUpsert(batch(rows, [id, region], [name]))[0]?.params).toEqual(['1', 'us', 'other', '1', 'eu', 'new']);
  });

  it('update: single row by key', () => {
    expect(dialect.buildUpdate(batch(one, [id, region], [name, amount]))).toEqual([
      { sql: 'UPDATE "public"."orders" SET "name" = $1, "amount" = $2 WHERE "id" = $3 AND "region" = $4', params: ['ada', '12.50', '1', 'eu'] },
    ]);
  });

  it('update: many rows from a VALUES list whose first row is cast to the auto.create types', () => {
    expect(dialect.buildUpdate(batch(two, [id, region], [name, amount, at]))).toEqual([
      {
        sql:
          'UPDATE "public"."orders" AS target SET "name" = incoming."name", "amount" = incoming."amount", "at" = incoming."at" ' +
          'FROM (VALUES ($1::BIGINT, $2::TEXT, $3::TEXT, $4::NUMERIC, $5::TIMESTAMP), ($6, $7, $8, $9, $10)) AS incoming ("id", "region", "name", "amount", "at") ' +
          'WHERE target."id" = incoming."id" AND target."region" = incoming."region"',
        params: ['1', 'eu', 'ada', '12.50', null, '2', 'us', null, null, null],
      },
    ]);
  });

  it('update casts to the real column types when the batch carries the table description', () => {
    const existing: TableDescription = {
      table: orders,
      kind: 'TABLE',
      columns: [
        { name: 'id', type: 'integer', baseType: 'integer', nullable: false, isKey: true },
        { name: 'Name', type: 'character varying(5)', baseType: 'character varying', nullable: true, isKey: false },
        { name: 'amount', type: 'numeric(10,2)', baseType: 'numeric', nullable: true, isKey: false },
        { name: 'at', type: 'timestamp(3) with time zone', baseType: 'timestamp with time zone', nullable: true, isKey: false },
      ],
    };
    const sql = dialect.buildUpdate({ ...batch(two, [id], [name, amount, at]), existing })[0]?.sql;
    // Modifiers are dropped so a cast never truncates (varchar(5)) or rounds; the name match falls back to case-insensitive.
    expect(sql).toContain('(VALUES ($1::integer, $2::character varying, $3::numeric, $4::timestamp with time zone), ($5, $6, $7, $8))');
  });

  it('delete: one row, IN for a one-column key, a row-value IN for a composite key', () => {
    expect(dialect.buildDelete(batch(one))).toEqual([{ sql: 'DELETE FROM "public"."orders" WHERE "id" = $1', params: ['1'] }]);
    expect(dialect.buildDelete(batch(two))).toEqual([{ sql: 'DELETE FROM "public"."orders" WHERE "id" IN ($1, $2)', params: ['1', '2'] }]);
    expect(dialect.buildDelete(batch(one, [id, region]))).toEqual([
      { sql: 'DELETE FROM "public"."orders" WHERE "id" = $1 AND "region" = $2', params: ['1', 'eu'] },
    ]);
    expect(dialect.buildDelete(batch(two, [id, region]))).toEqual([
      { sql: 'DELETE FROM "public"."orders" WHERE ("id", "region") IN (($1, $2), ($3, $4))', params: ['1', 'eu', '2', 'us'] },
    ]);
  });

  it('escapes awkward identifiers everywhere and qualifies with catalog and schema', () => {
    const order = f('order', { kind: 'string' });
    const quoted = f('say "hi"', { kind: 'int32' }, true);
    const rows: Row[] = [
      { order: 'a', 'say "hi"': 1 },
      { order: 'b', 'say "hi"': 2 },
    ];
    const table = { catalog: 'ferry', schema: 'my"schema', table: 'select' };
    expect(dialect.buildUpsert(batch(rows, [order], [quoted], table)).map((s) => s.sql)).toEqual([
      'INSERT INTO "ferry"."my""schema"."select" ("order", "say ""hi""") VALUES ($1, $2), ($3, $4) ON CONFLICT ("order") DO UPDATE SET "say ""hi""" = EXCLUDED."say ""hi"""',
    ]);
    expect(dialect.buildUpdate(batch(rows, [order], [quoted], table))[0]?.sql).toBe(
      'UPDATE "ferry"."my""schema"."select" AS target SET "say ""hi""" = incoming."say ""hi""" FROM (VALUES ($1::TEXT, $2::INT), ($3, $4)) ' +
        'AS incoming ("order", "say ""hi""") WHERE target."order" = incoming."order"',
    );
  });

  it('numbers placeholders from 1 in every statement of a split batch', () => {
    const fields = Array.from({ length: 200 }, (_, index) => f(`c${index}`, { kind: 'int32' }, true));
    const rows: Row[] = Array.from({ length: 400 }, (_, index) => Object.fromEntries([['id', BigInt(index)], ...fields.map((field) => [field.name, index])]));
    const statements = dialect.buildInsert(batch(rows, [id], fields));
    expect(dialect.maxRowsPerStatement(201)).toBe(326);
    expect(statements.map((s) => s.params.length)).toEqual([326 * 201, 74 * 201]);
    for (const statement of statements) {
      expect(statement.sql).toContain('VALUES ($1, $2,');
      expect(statement.sql).toContain(`$${statement.params.length})`);
      expect(statement.sql).not.toContain(`$${statement.params.length + 1}`);
    }
  });
});

describe('PostgresDialect values', () => {
  it.each<[string, FieldType, Row[string], unknown]>([
    ['int64 as text (the server infers BIGINT)', { kind: 'int64' }, -9223372036854775808n, '-9223372036854775808'],
    ['float NaN is a PostgreSQL value', { kind: 'float64' }, Number.NaN, Number.NaN],
    ['float Infinity', { kind: 'float32' }, Number.POSITIVE_INFINITY, Number.POSITIVE_INFINITY],
    ['boolean', { kind: 'boolean' }, false, false],
    ['bytes → Buffer', { kind: 'bytes' }, new Uint8Array([1, 2, 3]).subarray(1), Buffer.from([2, 3])],
    ['decimal text', { kind: 'decimal', precision: 5, scale: 2 }, '0.01', '0.01'],
    ['date', { kind: 'date' }, new Date('0900-01-01T00:00:00Z'), '0900-01-01'],
    ['time', { kind: 'time' }, 0, '00:00:00.000'],
    ['timestamp with its offset', { kind: 'timestamp' }, new Date('2024-06-01T12:00:00.5Z'), '2024-06-01 12:00:00.500+00:00'],
  ])('%s', (_, type, value, expected) => {
    expect(dialect.toDriverValue(value, type)).toEqual(expected);
  });

  it('writes the wall clock of db.timezone with its offset (TIMESTAMP keeps the wall clock, TIMESTAMPTZ the instant)', () => {
    expect(dialect.toDriverValue(new Date('2024-06-01T12:00:00Z'), { kind: 'timestamp' }, { timezone: 'America/New_York' })).toBe('2024-06-01 08:00:00.000-04:00');
  });

  it('refuses text with NUL, which PostgreSQL cannot store', () => {
    const error = failure(() => dialect.buildInsert(batch([{ id: 1n, name: 'a\u0000b', amount: null }])));
    expect(error.code).toBe('SINK_SQL_BAD_VALUE');
    expect(error.message).toContain('"name"');
    expect(error.message).toContain('NUL');
  });
});

describe('PostgresDialect metadata', () => {
  it('reads columns from the catalogs by schema and name', () => {
    const query = dialect.describeTableQuery({ schema: 'sales', table: 'Orders' });
    expect(query.params).toEqual(['sales', 'Orders']);
    expect(query.sql).toContain('i.indisprimary');
    expect(dialect.describeTableQuery({ table: 'orders' }).params).toEqual([null, 'orders']);
  });

  it('folds names to lower case when identifiers are not quoted, as PostgreSQL does', () => {
    expect(new PostgresDialect({ quoteIdentifiers: 'never' }).describeTableQuery({ schema: 'Sales', table: 'Orders' }).params).toEqual(['sales', 'orders']);
  });

  it('maps rows as pg returns them', () => {
    const rows = [
      { column_name: 'id', data_type: 'bigint', base_type: 'bigint', is_nullable: false, is_key: true, table_type: 'r' },
      { column_name: 'amount', data_type: 'numeric(10,2)', base_type: 'numeric', is_nullable: true, is_key: false, table_type: 'r' },
    ];
    expect(dialect.describeTable(orders, rows)).toEqual({
      table: orders,
      kind: 'TABLE',
      columns: [
        { name: 'id', type: 'bigint', baseType: 'bigint', nullable: false, isKey: true },
        { name: 'amount', type: 'numeric(10,2)', baseType: 'numeric', nullable: true, isKey: false },
      ],
    });
    expect(dialect.describeTable(orders, [{ ...rows[0], table_type: 'p' }])?.kind).toBe('PARTITIONED TABLE');
    expect(dialect.describeTable(orders, [{ ...rows[0], table_type: 'v' }])?.kind).toBe('VIEW');
    expect(dialect.describeTable(orders, [{ ...rows[0], table_type: 'f' }])?.kind).toBe('OTHER');
  });
});

describe('PostgresDialect columnar inserts (unnest)', () => {
  const column = (columnName: string, type: string, baseType: string, isKey = false) => ({ name: columnName, type, baseType, nullable: !isKey, isKey });
  const described: TableDescription = {
    table: orders,
    kind: 'TABLE',
    columns: [column('id', 'bigint', 'bigint', true), column('name', 'character(2)', 'character'), column('amount', 'numeric(10,2)', 'numeric')],
  };
  const withTable = (rows: Row[], existing: TableDescription = described): WriteBatch => ({ ...batch(rows), existing });

  it('binds one array per column, cast to the column base type, and marks the text reusable', () => {
    const [statement, ...rest] = dialect.buildUpsert(withTable(two));
    expect(rest).toEqual([]);
    expect(statement).toEqual({
      sql:
        'INSERT INTO "public"."orders" ("id", "name", "amount") SELECT * FROM unnest($1::bigint[], $2::bpchar[], $3::numeric[]) ' +
        'ON CONFLICT ("id") DO UPDATE SET "name" = EXCLUDED."name", "amount" = EXCLUDED."amount"',
      params: ['{"1","2"}', '{"ada",NULL}', '{"12.50",NULL}'],
      reusable: true,
    });
  });

  it('gives the same text for any row count below the staged form, so PostgreSQL plans it once', () => {
    const many: Row[] = Array.from({ length: STAGED_MIN_ROWS - 1 }, (_, index) => ({ id: BigInt(index + 1), name: 'x', amount: '1.00' }));
    const statements = dialect.buildInsert(withTable(many));
    expect(statements).toHaveLength(1);
    expect(statements[0]?.sql).toBe(dialect.buildInsert(withTable(two))[0]?.sql);
    expect((statements[0]?.params[0] as string).split(',')).toHaveLength(STAGED_MIN_ROWS - 1);
  });

  it('keeps the VALUES form for one row, an unknown column or an array column (unnest would flatten it)', () => {
    expect(dialect.buildUpsert(withTable(one))[0]?.sql).toContain('VALUES ($1, $2, $3)');
    const missing: TableDescription = { ...described, columns: described.columns.filter((entry) => entry.name !== 'amount') };
    expect(dialect.buildUpsert(withTable(two, missing))[0]?.sql).toContain('VALUES');
    const arrays: TableDescription = { ...described, columns: [...described.columns.slice(0, 2), column('amount', 'numeric[]', 'numeric[]')] };
    const statement = dialect.buildUpsert(withTable(two, arrays))[0];
    expect(statement?.sql).toContain('VALUES');
    expect(statement?.reusable).toBeUndefined();
  });

  it('still refuses a null key, naming the field', () => {
    const error = failure(() => dialect.buildUpsert(withTable([...two, { id: null, name: 'x', amount: null }])));
    expect(error.code).toBe('SINK_SQL_BAD_VALUE');
    expect(error.message).toContain('Key field "id" is null');
  });

  it('collapses duplicate keys before binding: the last record of a key wins, at its own position', () => {
    const statement = dialect.buildUpsert(withTable([...two, { id: 1n, name: 'zz', amount: '3.00' }]))[0];
    expect(statement?.params).toEqual(['{"2","1"}', '{NULL,"zz"}', '{NULL,"3.00"}']);
  });

  it('writes each value of a column as the shared conversion gives it, and refuses what it refuses', () => {
    const cases: [FieldType, FieldValue[]][] = [
      [{ kind: 'int8' }, [-128, 127, 0, -0, 5, null]],
      [{ kind: 'int16' }, [-32768, 32767, 12]],
      [{ kind: 'int32' }, [-2147483648, 2147483647, 7, 3n]],
      [{ kind: 'int64' }, [-(2n ** 63n), 2n ** 63n - 1n, 0n, 42, '17', null]],
      [{ kind: 'float32' }, [0.5, -1.25, Number.NaN, Number.NEGATIVE_INFINITY, 1e-7]],
      [{ kind: 'float64' }, [123456.789, -0, Number.POSITIVE_INFINITY, 1e21, 5e-324]],
      [{ kind: 'boolean' }, [true, false, null]],
      [{ kind: 'string' }, ['', 'NULL', 'a "b" \\ c', '{x,y}', 'ünï ✓', null]],
      [{ kind: 'decimal', precision: 10, scale: 2 }, ['-12.50', '0.01', 7n]],
      [{ kind: 'bytes' }, [Buffer.from([0, 255]), new Uint8Array([1, 2])]],
      [{ kind: 'date' }, [new Date('2024-02-29T00:00:00Z'), new Date('1000-01-01T00:00:00Z')]],
      [{ kind: 'time' }, [0, 86_399_999]],
      [{ kind: 'timestamp' }, [new Date('2024-03-31T01:30:00.123Z'), new Date(0)]],
    ];
    for (const [type, values] of cases) {
      const key: FieldSchema = { name: 'k', type: { kind: 'int32' }, optional: false };
      const field: FieldSchema = { name: 'v', type, optional: true };
      const existing: TableDescription = { table: orders, kind: 'TABLE', columns: [column('k', 'integer', 'integer', true), column('v', 'text', 'text')] };
      const rows: Row[] = values.map((value, index) => ({ k: index, v: value }));
      const [statement] = dialect.buildInsert({ table: orders, keyFields: [key], valueFields: [field], rows, existing });
      expect(statement?.sql, JSON.stringify(type)).toContain("unnest");
      expect(statement?.reusable).toBe(true);
      expect(statement?.params[1]).toBe(`{${values.map((value) => postgresArrayElement(dialect.toDriverValue(value, type))).join(',')}}`);
    }
    // Refused values are refused as before, naming the field.
    const refuse = (type: FieldType, value: FieldValue) => {
      const field: FieldSchema = { name: 'v', type, optional: true };
      const existing: TableDescription = { table: orders, kind: 'TABLE', columns: [column('v', 'text', 'text')] };
      return failure(() => dialect.buildInsert({ table: orders, keyFields: [], valueFields: [field], rows: [{ v: value }, { v: value }], existing }));
    };
    expect(refuse({ kind: 'int8' }, 128).message).toContain('Field "v" (int8)');
    expect(refuse({ kind: 'string' }, 'nul\u0000').code).toBe('SINK_SQL_BAD_VALUE');
    expect(refuse({ kind: 'boolean' }, 1).code).toBe('SINK_SQL_BAD_VALUE');
    expect(refuse({ kind: 'int64' }, 2n ** 63n).code).toBe('SINK_SQL_BAD_VALUE');
  });

  it("writes each column as the array text pg's own array conversion would send, for every kind of value", () => {
    const pgUtils = createRequire(import.meta.url)('pg/lib/utils') as { prepareValue(value: unknown): unknown };
    const values: DriverValue[] = [
      null,
      '',
      'NULL',
      'plain',
      'a "quoted" word',
      'back\\slash \\"both\\"',
      'comma, {braces} and spaces ',
      'unicode ✓ ünïcödé',
      0,
      -12,
      1.5,
      Number.NaN,
      Number.POSITIVE_INFINITY,
      -0,
      9_007_199_254_740_993n,
      true,
      false,
      Buffer.from([0, 1, 0xfe, 0xff]),
      Buffer.alloc(0),
    ];
    for (const value of values) expect(`{${postgresArrayElement(value)}}`).toBe(pgUtils.prepareValue([value]));
    expect(`{${values.map(postgresArrayElement).join(',')}}`).toBe(pgUtils.prepareValue(values));
  });
});
