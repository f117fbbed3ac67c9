import { describe, expect, it } from 'vitest';
import { EngineError } from '../../../../shared/errors';
import type { FieldSchema, FieldType, Row, TableId } from '../../../model';
import type { SqlStatement, WriteBatch } from './dialect';
import { SqlServerDialect } from './sqlserver';

// SQL Server cannot run on our machines: these golden strings are its only coverage, so every statement shape is
// spelled out in full, and a structural check (placeholders, parentheses, MERGE's semicolon) runs over all of them.

function failure(run: () => unknown): EngineError {
  try {
    run();
  } catch (error) {
    if (error instanceof EngineError) return error;
    throw error;
  }
  throw new Error('expected an EngineError');
}

/** Placeholders are exactly @p1..@pN for N params, types run parallel, and brackets/parentheses balance outside literals. */
function expectWellFormed(statement: SqlStatement): void {
  const numbers = [...statement.sql.matchAll(/@p(\d+)\b/g)].map((match) => Number(match[1]));
  expect(new Set(numbers).size).toBe(statement.params.length);
  expect(Math.max(0, ...numbers)).toBe(statement.params.length);
  expect(statement.types).toHaveLength(statement.params.length);
  const bare = statement.sql.replace(/\[(?:[^\]]|\]\])*\]/g, '[]').replace(/N?'(?:[^']|'')*'/g, "''");
  let depth = 0;
  for (const char of bare) {
    if (char === '(') depth += 1;
    if (char === ')') depth -= 1;
    expect(depth).toBeGreaterThanOrEqual(0);
  }
  expect(depth).toBe(0);
  if (statement.sql.startsWith('MERGE')) expect(statement.sql.endsWith(';')).toBe(true);
}

const f = (name: string, type: FieldType, optional = false, defaultValue?: FieldSchema['defaultValue']): FieldSchema =>
  defaultValue === undefined ? { name, type, optional } : { name, type, optional, defaultValue };
const id = f('id', { kind: 'int64' });
const region = f('region', { kind: 'string' });
const name = f('name', { kind: 'string' }, true);
const amount = f('amount', { kind: 'decimal', precision: 10, scale: 2 }, true);
const photo = f('photo', { kind: 'bytes' }, true);

const dialect = new SqlServerDialect();
const orders = { schema: 'dbo', table: 'orders' };
const batch = (rows: Row[], keyFields: FieldSchema[] = [id], valueFields: FieldSchema[] = [name, amount], table: TableId = orders): WriteBatch => ({
  table,
  keyFields,
  valueFields,
  rows,
});
const one: Row[] = [{ id: 1n, region: 'eu', name: 'ada', amount: '12.50', photo: new Uint8Array([1]) }];
const two: Row[] = [...one, { id: 2n, region: 'us', name: null, amount: null, photo: null }];

describe('SqlServerDialect names', () => {
  it('quotes with brackets and doubles a closing bracket inside', () => {
    expect(dialect.quoteIdentifier('order')).toBe('[order]');
    expect(dialect.quoteIdentifier('a]b')).toBe('[a]]b]');
    expect(dialect.quoteIdentifier('[x]')).toBe('[[x]]]');
    expect(new SqlServerDialect({ quoteIdentifiers: 'never' }).tableName(orders)).toBe('dbo.orders');
    expect(failure(() => dialect.quoteIdentifier('x'.repeat(129))).code).toBe('SINK_SQL_BAD_IDENTIFIER');
  });

  it('parses names with dbo as default schema; srv.dbo.orders is catalog.schema.table (reference §2.1)', () => {
    expect(dialect.parseTableName('orders')).toEqual({ schema: 'dbo', table: 'orders' });
    expect(dialect.parseTableName('sales.orders')).toEqual({ schema: 'sales', table: 'orders' });
    expect(dialect.parseTableName('srv.dbo.orders')).toEqual({ catalog: 'srv', schema: 'dbo', table: 'orders' });
    expect(dialect.parseTableName('[my.db].[dbo].[or]]ders]')).toEqual({ catalog: 'my.db', schema: 'dbo', table: 'or]ders' });
    expect(dialect.parseTableName('"dbo"."orders"')).toEqual({ schema: 'dbo', table: 'orders' });
    expect(new SqlServerDialect({ defaultSchema: 'app' }).resolveTableId('${topic}', 'orders')).toEqual({ schema: 'app', table: 'orders' });
  });

  it('refuses a Debezium topic with four parts instead of guessing', () => {
    const error = failure(() => dialect.resolveTableId('${topic}', 'server1.inventory.dbo.orders'));
    expect(error.code).toBe('SINK_SQL_BAD_TABLE_NAME');
    expect(error.message).toContain('RegexRouter');
  });
});

describe('SqlServerDialect types', () => {
  it.each<[FieldType, boolean, string]>([
    [{ kind: 'int8' }, false, 'smallint'],
    [{ kind: 'int16' }, false, 'smallint'],
    [{ kind: 'int32' }, false, 'int'],
    [{ kind: 'int64' }, false, 'bigint'],
    [{ kind: 'float32' }, false, 'real'],
    [{ kind: 'float64' }, false, 'float'],
    [{ kind: 'boolean' }, false, 'bit'],
    [{ kind: 'string' }, false, 'nvarchar(max)'],
    [{ kind: 'string' }, true, 'nvarchar(450)'],
    [{ kind: 'bytes' }, false, 'varbinary(max)'],
    [{ kind: 'bytes' }, true, 'varbinary(900)'],
    [{ kind: 'decimal', precision: 10, scale: 2 }, false, 'decimal(10,2)'],
    [{ kind: 'decimal', precision: 50, scale: 10 }, false, 'decimal(38,10)'],
    [{ kind: 'decimal', precision: 0, scale: 4 }, false, 'decimal(38,4)'],
    [{ kind: 'date' }, false, 'date'],
    [{ kind: 'time' }, false, 'time(3)'],
    [{ kind: 'timestamp' }, false, 'datetime2(3)'],
  ])('%j (key: %s) → %s', (type, isKey, expected) => {
    expect(dialect.columnType(type, isKey)).toBe(expected);
  });

  it('refuses a decimal scale beyond 38', () => {
    expect(failure(() => dialect.columnType({ kind: 'decimal', precision: 40, scale: 39 }, false)).code).toBe('SINK_SQL_UNSUPPORTED_TYPE');
  });
});

describe('SqlServerDialect DDL', () => {
  it('creates a table with NOT NULL keys, a primary key and T-SQL literals', () => {
    const fields = [
      f('order', { kind: 'string' }, true, "it's ünï"),
      f('paid', { kind: 'boolean' }, false, true),
      f('blob', { kind: 'bytes' }, true, new Uint8Array([0xca, 0xfe])),
      f('at', { kind: 'timestamp' }, true, new Date('2024-01-02T03:04:05.006Z')),
      f('day', { kind: 'date' }, true, new Date('2024-01-02T00:00:00Z')),
      f('price', { kind: 'decimal', precision: 9, scale: 3 }, true, '-1.500'),
    ];
    expect(dialect.createTable({ catalog: 'shop', schema: 'dbo', table: 'orders' }, [id, region], fields)).toBe(
      [
        'CREATE TABLE [shop].[dbo].[orders] (',
        '  [id] bigint NOT NULL,',
        '  [region] nvarchar(450) NOT NULL,',
        "  [order] nvarchar(max) NULL DEFAULT N'it''s ünï',",
        '  [paid] bit NOT NULL DEFAULT 1,',
        '  [blob] varbinary(max) NULL DEFAULT 0xcafe,',
        "  [at] datetime2(3) NULL DEFAULT N'2024-01-02T03:04:05.006',",
        "  [day] date NULL DEFAULT N'2024-01-02',",
        '  [price] decimal(9,3) NULL DEFAULT -1.500,',
        '  PRIMARY KEY ([id], [region])',
        ')',
      ].join('\n'),
    );
  });

  it('adds columns with one ADD and a comma list; a nullable default back-fills WITH VALUES', () => {
    expect(dialect.addColumns(orders, [name, f('status', { kind: 'string' }, true, 'new'), f('qty', { kind: 'int32' }, false, 0)])).toBe(
      "ALTER TABLE [dbo].[orders] ADD [name] nvarchar(max) NULL, [status] nvarchar(max) NULL DEFAULT N'new' WITH VALUES, [qty] int NOT NULL DEFAULT 0",
    );
  });

  it('refuses to add a required column without a default', () => {
    expect(failure(() => dialect.addColumns(orders, [f('qty', { kind: 'int32' })])).code).toBe('SINK_SQL_REQUIRED_COLUMN_WITHOUT_DEFAULT');
  });
});

describe('SqlServerDialect statements', () => {
  it('insert: one row and many rows with @pN placeholders and declared types', () => {
    expect(dialect.buildInsert(batch(one))).toEqual([
      {
        sql: 'INSERT INTO [dbo].[orders] ([id], [name], [amount]) VALUES (@p1, @p2, @p3)',
        params: [1n, 'ada', '12.50'],
        types: [{ type: 'BigInt' }, { type: 'NVarChar' }, { type: 'NVarChar' }],
      },
    ]);
    expect(dialect.buildInsert(batch(two, [id], [name, photo]))).toEqual([
      {
        sql: 'INSERT INTO [dbo].[orders] ([id], [name], [photo]) VALUES (@p1, @p2, @p3), (@p4, @p5, @p6)',
        params: [1n, 'ada', Buffer.from([1]), 2n, null, null],
        // A null bytes value is still declared VarBinary: NVARCHAR → VARBINARY has no implicit conversion.
        types: [{ type: 'BigInt' }, { type: 'NVarChar' }, { type: 'VarBinary' }, { type: 'BigInt' }, { type: 'NVarChar' }, { type: 'VarBinary' }],
      },
    ]);
  });

  it('upsert, one row: MERGE WITH (HOLDLOCK) from a SELECT source, as reference §2.3', () => {
    const [statement] = dialect.buildUpsert(batch(one, [id], [name, amount]));
    expect(statement?.sql).toBe(
      'MERGE INTO [dbo].[orders] WITH (HOLDLOCK) AS target USING (SELECT @p1 AS [id], @p2 AS [name], @p3 AS [amount]) AS incoming ' +
        'ON (target.[id]=incoming.[id]) ' +
        'WHEN MATCHED THEN UPDATE SET [name]=incoming.[name], [amount]=incoming.[amount] ' +
        'WHEN NOT MATCHED THEN INSERT ([name], [amount], [id]) VALUES (incoming.[name], incoming.[amount], incoming.[id]);',
    );
    expect(statement?.params).toEqual([1n, 'ada', '12.50']);
  });

  it('upsert, many rows, composite key: MERGE from a VALUES table constructor', () => {
    const [statement] = dialect.buildUpsert(batch(two, [id, region], [name]));
    expect(statement?.sql).toBe(
      'MERGE INTO [dbo].[orders] WITH (HOLDLOCK) AS target USING (VALUES (@p1, @p2, @p3), (@p4, @p5, @p6)) AS incoming ([id], [region], [name]) ' +
        'ON (target.[id]=incoming.[id] AND target.[region]=incoming.[region]) ' +
        'WHEN MATCHED THEN UPDATE SET [name]=incoming.[name] ' +
        'WHEN NOT MATCHED THEN INSERT ([name], [id], [region]) VALUES (incoming.[name], incoming.[id], incoming.[region]);',
    );
    expect(statement?.params).toEqual([1n, 'eu', 'ada', 2n, 'us', null]);
  });

  it('upsert with only key columns leaves out WHEN MATCHED', () => {
    expect(dialect.buildUpsert(batch(two, [id, region], [])).map((s) => s.sql)).toEqual([
      'MERGE INTO [dbo].[orders] WITH (HOLDLOCK) AS target USING (VALUES (@p1, @p2), (@p3, @p4)) AS incoming ([id], [region]) ' +
        'ON (target.[id]=incoming.[id] AND target.[region]=incoming.[region]) ' +
        'WHEN NOT MATCHED THEN INSERT ([id], [region]) VALUES (incoming.[id], incoming.[region]);',
    ]);
    expect(dialect.buildUpsert(batch(one, [id], [])).map((s) => s.sql)).toEqual([
      'MERGE INTO [dbo].[orders] WITH (HOLDLOCK) AS target USING (SELECT @p1 AS [id]) AS incoming ON (target.[id]=incoming.[id]) ' +
        'WHEN NOT MATCHED THEN INSERT ([id]) VALUES (incoming.[id]);',
    ]);
  });

  it('upsert without HOLDLOCK when mssql.use.merge.holdlock=false', () => {
    const plain = new SqlServerDialect({ useMergeHoldlock: false });
    expect(plain.buildUpsert(batch(one))[0]?.sql).toMatch(/^MERGE INTO \[dbo\]\.\[orders\] AS target USING \(SELECT /);
  });

  it('upsert collapses duplicate source rows (MERGE refuses to update a row twice), last one wins', () => {
    const rows: Row[] = [
      { id: 1n, name: 'old', amount: null },
      { id: 1n, name: 'new', amount: '1.00' },
    ];
    const [statement] = dialect.buildUpsert(batch(rows));
    expect(statement?.sql).toContain('USING (SELECT @p1 AS [id]');
    expect(statement?.params).toEqual([1n, 'new', '1.00']);
  });

  it('collapses keys differing only in case or trailing spaces when the collation is case-insensitive', () => {
    const ci = new SqlServerDialect({ caseInsensitiveKeys: true });
    const rows: Row[] = [
      { region: 'EU', name: 'a' },
      { region: 'eu ', name: 'b' },
    ];
    expect(ci.buildUpsert(batch(rows, [region], [name]))[0]?.params).toEqual(['eu ', 'b']);
    expect(dialect.buildUpsert(batch(rows, [region], [name]))[0]?.params).toHaveLength(4);
  });

  it('update: one row by key, many rows through UPDATE … FROM … INNER JOIN (VALUES …)', () => {
    expect(dialect.buildUpdate(batch(one, [id, region], [name]))).toEqual([
      {
        sql: 'UPDATE [dbo].[orders] SET [name] = @p1 WHERE [id] = @p2 AND [region] = @p3',
        params: ['ada', 1n, 'eu'],
        types: [{ type: 'NVarChar' }, { type: 'BigInt' }, { type: 'NVarChar' }],
      },
    ]);
    expect(dialect.buildUpdate(batch(two, [id, region], [name, amount])).map((s) => s.sql)).toEqual([
      'UPDATE target SET [name] = incoming.[name], [amount] = incoming.[amount] FROM [dbo].[orders] AS target ' +
        'INNER JOIN (VALUES (@p1, @p2, @p3, @p4), (@p5, @p6, @p7, @p8)) AS incoming ([id], [region], [name], [amount]) ' +
        'ON target.[id] = incoming.[id] AND target.[region] = incoming.[region]',
    ]);
  });

  it('delete: one row, IN for a one-column key, an OR of matches for a composite key', () => {
    expect(dialect.buildDelete(batch(one)).map((s) => s.sql)).toEqual(['DELETE FROM [dbo].[orders] WHERE [id] = @p1']);
    expect(dialect.buildDelete(batch(two)).map((s) => s.sql)).toEqual(['DELETE FROM [dbo].[orders] WHERE [id] IN (@p1, @p2)']);
    expect(dialect.buildDelete(batch(one, [id, region])).map((s) => s.sql)).toEqual(['DELETE FROM [dbo].[orders] WHERE [id] = @p1 AND [region] = @p2']);
    expect(dialect.buildDelete(batch(two, [id, region]))).toEqual([
      {
        sql: 'DELETE FROM [dbo].[orders] WHERE ([id] = @p1 AND [region] = @p2) OR ([id] = @p3 AND [region] = @p4)',
        params: [1n, 'eu', 2n, 'us'],
        types: [{ type: 'BigInt' }, { type: 'NVarChar' }, { type: 'BigInt' }, { type: 'NVarChar' }],
      },
    ]);
  });

  it('escapes awkward identifiers everywhere, with a three-part name', () => {
    const order = f('order', { kind: 'string' });
    const weird = f('a]b', { kind: 'int32' }, true);
    const table = { catalog: 'my db', schema: 'dbo', table: 'select' };
    const rows: Row[] = [
      { order: 'x', 'a]b': 1 },
      { order: 'y', 'a]b': 2 },
    ];
    expect(dialect.buildUpsert(batch(rows, [order], [weird], table)).map((s) => s.sql)).toEqual([
      'MERGE INTO [my db].[dbo].[select] WITH (HOLDLOCK) AS target USING (VALUES (@p1, @p2), (@p3, @p4)) AS incoming ([order], [a]]b]) ' +
        'ON (target.[order]=incoming.[order]) WHEN MATCHED THEN UPDATE SET [a]]b]=incoming.[a]]b] ' +
        'WHEN NOT MATCHED THEN INSERT ([a]]b], [order]) VALUES (incoming.[a]]b], incoming.[order]);',
    ]);
  });

  it('every statement kind, single and multi-row, is well formed', () => {
    const kinds = [dialect.buildInsert, dialect.buildUpsert, dialect.buildUpdate, dialect.buildDelete];
    for (const build of kinds) {
      for (const rows of [one, two]) {
        for (const [keys, values] of [
          [[id], [name, amount, photo]],
          [[id, region], [name]],
          [[id, region], []],
        ] as const) {
          for (const statement of build.call(dialect, batch(rows, [...keys], [...values]))) expectWellFormed(statement);
        }
      }
    }
  });
});

describe('SqlServerDialect limits', () => {
  it('keeps under 2098 parameters (2100 minus sp_executesql’s two) and 1000 rows (the VALUES list maximum)', () => {
    expect(dialect.maxRowsPerStatement(1)).toBe(1000);
    expect(dialect.maxRowsPerStatement(2)).toBe(1000);
    expect(dialect.maxRowsPerStatement(3)).toBe(699);
    expect(dialect.maxRowsPerStatement(2098)).toBe(1);
    expect(failure(() => dialect.maxRowsPerStatement(2099)).code).toBe('SINK_SQL_TOO_MANY_COLUMNS');
  });

  it('splits a big MERGE into statements that each number from @p1', () => {
    const rows: Row[] = Array.from({ length: 1500 }, (_, index) => ({ id: BigInt(index), name: `n${index}`, amount: `${index}.00` }));
    const statements = dialect.buildUpsert(batch(rows));
    expect(statements.map((s) => s.params.length)).toEqual([699 * 3, 699 * 3, 102 * 3]);
    for (const statement of statements) {
      expect(statement.params.length).toBeLessThanOrEqual(2098);
      expectWellFormed(statement);
    }
    expect(statements[1]?.params[0]).toBe(699n);
  });

  it('caps a narrow insert at 1000 rows per statement', () => {
    const rows: Row[] = Array.from({ length: 2500 }, (_, index) => ({ id: BigInt(index) }));
    expect(dialect.buildInsert(batch(rows, [id], [])).map((s) => s.params.length)).toEqual([1000, 1000, 500]);
  });
});

describe('SqlServerDialect values', () => {
  it.each<[string, FieldType, Row[string], unknown]>([
    ['int8 (smallint, as tinyint is unsigned)', { kind: 'int8' }, -5, -5],
    ['int64 as bigint (tedious writes it exactly)', { kind: 'int64' }, -9223372036854775808n, -9223372036854775808n],
    ['float32', { kind: 'float32' }, 1.5, 1.5],
    ['boolean', { kind: 'boolean' }, true, true],
    ['bytes', { kind: 'bytes' }, new Uint8Array([9]), Buffer.from([9])],
    ['decimal as text (tedious would go through a double)', { kind: 'decimal', precision: 38, scale: 10 }, '1234567890123456789012345678.0123456789', '1234567890123456789012345678.0123456789'],
    ['date', { kind: 'date' }, new Date('2024-02-29T00:00:00Z'), '2024-02-29'],
    ['time', { kind: 'time' }, 45_296_789, '12:34:56.789'],
    ['timestamp in ISO form, the one every DATEFORMAT reads alike', { kind: 'timestamp' }, new Date('2024-06-01T12:00:00.5Z'), '2024-06-01T12:00:00.500'],
  ])('%s', (_, type, value, expected) => {
    expect(dialect.toDriverValue(value, type)).toEqual(expected);
  });

  it('writes the wall clock of db.timezone', () => {
    expect(dialect.toDriverValue(new Date('2024-06-01T12:00:00Z'), { kind: 'timestamp' }, { timezone: 'Asia/Tokyo' })).toBe('2024-06-01T21:00:00.000');
  });

  it('refuses NaN and Infinity, which SQL Server floats cannot hold', () => {
    expect(failure(() => dialect.toDriverValue(Number.NaN, { kind: 'float64' })).code).toBe('SINK_SQL_BAD_VALUE');
    expect(failure(() => dialect.toDriverValue(Number.NEGATIVE_INFINITY, { kind: 'float32' })).code).toBe('SINK_SQL_BAD_VALUE');
  });
});

describe('SqlServerDialect metadata', () => {
  it('reads sys catalog views of the current or the named database, with typed parameters', () => {
    const current = dialect.describeTableQuery(orders);
    expect(current.params).toEqual(['dbo', 'orders']);
    expect(current.types).toEqual([{ type: 'NVarChar' }, { type: 'NVarChar' }]);
    expect(current.sql).toContain('FROM sys.objects o');
    expect(current.sql).toContain('i.is_primary_key = 1');
    expect(current.sql).toContain('WHERE s.name = COALESCE(@p1, SCHEMA_NAME()) AND o.name = @p2');
    const named = dialect.describeTableQuery({ catalog: 'my]db', schema: 'dbo', table: 'orders' });
    expect(named.sql).toContain('FROM [my]]db].sys.objects o');
    expect(named.sql).toContain('LEFT JOIN [my]]db].sys.index_columns ic');
    expect(dialect.describeTableQuery({ table: 'orders' }).params).toEqual([null, 'orders']);
  });

  it('maps rows as mssql returns them (bit as boolean, type with trailing space trimmed)', () => {
    const rows = [
      { column_name: 'id', data_type: 'bigint', base_type: 'bigint', is_nullable: false, is_key: true, table_type: 'U' },
      { column_name: 'name', data_type: 'nvarchar(max)', base_type: 'nvarchar', is_nullable: true, is_key: false, table_type: 'U' },
    ];
    expect(dialect.describeTable(orders, rows)).toEqual({
      table: orders,
      kind: 'TABLE',
      columns: [
        { name: 'id', type: 'bigint', baseType: 'bigint', nullable: false, isKey: true },
        { name: 'name', type: 'nvarchar(max)', baseType: 'nvarchar', nullable: true, isKey: false },
      ],
    });
    expect(dialect.describeTable(orders, [{ ...rows[0], table_type: 'V ' }])?.kind).toBe('VIEW');
  });
});
