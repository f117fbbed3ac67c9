import { describe, expect, it } from 'vitest';
import type { ColumnInfo } from '../polling/columns';
import { buildBulkPageQuery, buildIncrementalQuery, buildTimestampTieQuery } from '../polling/query';
import { resolveZone } from '../polling/zone';
import { SqlServerDialect } from './sqlServerDialect';

const dialect = new SqlServerDialect();
const col = (name: string, baseType: string, extra: Partial<ColumnInfo> = {}): ColumnInfo => ({
  name,
  sourceType: baseType,
  baseType,
  type: { kind: 'int64' },
  optional: false,
  autoIncrement: false,
  ...extra,
});
const id = col('id', 'bigint');
const ts = (name: string, baseType: string, temporal: 'local' | 'instant' = 'local'): ColumnInfo => col(name, baseType, { type: { kind: 'timestamp' }, temporal });
const modified2 = ts('ModifiedAt', 'datetime2');
const modified = ts('ModifiedAt', 'datetime');
const small = ts('ModifiedAt', 'smalldatetime');
const offset = ts('ChangedAt', 'datetimeoffset', 'instant');
const day = col('Day', 'date', { type: { kind: 'date' }, temporal: 'local' });
const amount = col('Amount', 'decimal', { type: { kind: 'decimal', precision: 18, scale: 2 } });
const price = col('Price', 'money', { type: { kind: 'decimal', precision: 19, scale: 4 } });
const qty = col('Qty', 'numeric', { type: { kind: 'int64' } });
const last = { epochSecond: Date.UTC(2024, 4, 6, 7, 8, 9) / 1000, nano: 123_456_789 };
const upper = { epochSecond: Date.UTC(2024, 4, 6, 8, 0, 0) / 1000, nano: 0 };
const utc = resolveZone('UTC');

describe('SqlServerDialect', () => {
  it('quotes with brackets, doubling a closing bracket, and defaults the schema to dbo', () => {
    expect(dialect.quoteIdentifier('Order Lines')).toBe('[Order Lines]');
    expect(dialect.quoteIdentifier('a]b')).toBe('[a]]b]');
    expect(dialect.quoteIdentifier('a[b')).toBe('[a[b]');
    expect(dialect.quoteTable({ catalog: 'Shop', schema: 'sales', table: 'Orders' })).toBe('[Shop].[sales].[Orders]');
    expect(dialect.quoteTable({ table: 'Orders' })).toBe('[dbo].[Orders]');
  });

  it('names parameters @p1, @p2, …', () => {
    expect([1, 2, 12].map((i) => dialect.placeholder(i))).toEqual(['@p1', '@p2', '@p12']);
  });

  it('limits with TOP (n), which needs no ORDER BY and works on every version', () => {
    expect(dialect.select({ columns: '*', from: '[dbo].[t]', limit: 100 })).toBe('SELECT TOP (100) * FROM [dbo].[t]');
    expect(dialect.select({ columns: '*', from: '[dbo].[t]', where: '[id] > 1', orderBy: ['[id] ASC'], limit: 5 })).toBe(
      'SELECT TOP (5) * FROM [dbo].[t] WHERE [id] > 1 ORDER BY [id] ASC',
    );
    expect(dialect.select({ columns: '*', from: '[dbo].[t]' })).toBe('SELECT * FROM [dbo].[t]');
    expect(dialect.select({ columns: '*', from: '[dbo].[t]', orderBy: ['[id] ASC'] })).toBe('SELECT * FROM [dbo].[t] ORDER BY [id] ASC');
  });

  it('pages with OFFSET … FETCH, inventing an ORDER BY when there is none', () => {
    expect(dialect.select({ columns: '*', from: '[dbo].[t]', orderBy: ['[a] ASC', '[b] ASC'], limit: 10, offset: 30 })).toBe(
      'SELECT * FROM [dbo].[t] ORDER BY [a] ASC, [b] ASC OFFSET 30 ROWS FETCH NEXT 10 ROWS ONLY',
    );
    expect(dialect.select({ columns: '*', from: '[dbo].[t]', limit: 10, offset: 30 })).toBe('SELECT * FROM [dbo].[t] ORDER BY (SELECT NULL) OFFSET 30 ROWS FETCH NEXT 10 ROWS ONLY');
    expect(dialect.select({ columns: '*', from: '[dbo].[t]', where: '[x] = 1', offset: 5 })).toBe('SELECT * FROM [dbo].[t] WHERE [x] = 1 ORDER BY (SELECT NULL) OFFSET 5 ROWS');
    expect(() => dialect.select({ columns: '*', from: '[t]', limit: 1.5 })).toThrow(/row count/);
  });

  it('selects decimals and money again as exact text, next to *', () => {
    expect(dialect.selectList(undefined)).toBe('*');
    expect(dialect.selectList([id, modified2])).toBe('*');
    expect(dialect.selectList([id, amount, price, qty, col('Tip', 'smallmoney')])).toBe(
      '*, CAST([Amount] AS VARCHAR(64)) AS [__ferry_exact:Amount], CONVERT(VARCHAR(64), [Price], 2) AS [__ferry_exact:Price], ' +
        'CAST([Qty] AS VARCHAR(64)) AS [__ferry_exact:Qty], CONVERT(VARCHAR(64), [Tip], 2) AS [__ferry_exact:Tip]',
    );
    expect(dialect.selectList([col('we]ird', 'decimal')])).toBe('*, CAST([we]]ird] AS VARCHAR(64)) AS [__ferry_exact:we]]ird]');
  });

  it('wraps a custom query in a derived table with an alias', () => {
    expect(dialect.wrapQuery('SELECT * FROM dbo.Orders WHERE Status = 1;')).toBe('(SELECT * FROM dbo.Orders WHERE Status = 1) AS [ferry_query]');
    expect(dialect.describeQuery('SELECT 1 AS x')).toBe('SELECT * FROM (SELECT 1 AS x) AS [ferry_query] WHERE 1 = 0');
  });

  it('reads the time with SYSUTCDATETIME (datetime2, UTC), not CURRENT_TIMESTAMP / GETDATE (datetime, local)', () => {
    expect(dialect.currentTimeQuery()).toBe('SELECT SYSUTCDATETIME() AS now_utc');
    expect(dialect.currentTimeQuery()).not.toMatch(/CURRENT_TIMESTAMP|GETDATE|GETUTCDATE|SYSDATETIME\(\)/);
    expect(dialect.serverOffsetQuery()).toBe('SELECT DATEPART(TZOFFSET, SYSDATETIMEOFFSET()) * 60 AS offset_seconds');
  });

  it('lists base tables and views from INFORMATION_SCHEMA', () => {
    expect(dialect.listTables(['TABLE'])).toEqual({
      sql:
        'SELECT TABLE_CATALOG AS table_catalog, TABLE_SCHEMA AS table_schema, TABLE_NAME AS table_name, TABLE_TYPE AS table_type ' +
        "FROM INFORMATION_SCHEMA.TABLES WHERE TABLE_TYPE IN ('BASE TABLE') AND TABLE_SCHEMA NOT IN ('sys', 'INFORMATION_SCHEMA') ORDER BY TABLE_SCHEMA, TABLE_NAME",
      params: [],
    });
    expect(dialect.listTables(['TABLE', 'VIEW']).sql).toContain("TABLE_TYPE IN ('BASE TABLE', 'VIEW')");
    expect(dialect.listTables(['VIEW']).sql).toContain("TABLE_TYPE IN ('VIEW')");
  });

  it('describes columns from sys.columns by OBJECT_ID of the quoted two-part name', () => {
    expect(dialect.describeColumns({ catalog: 'Shop', schema: 'sales', table: 'Order]s' })).toEqual({
      sql:
        'SELECT c.name AS column_name, TYPE_NAME(c.system_type_id) AS type_name, TYPE_NAME(c.user_type_id) AS declared_type, ' +
        'c.max_length AS max_length, c.precision AS numeric_precision, c.scale AS numeric_scale, c.is_nullable AS is_nullable, ' +
        'c.is_identity AS is_identity, ic.key_ordinal AS pk_ordinal FROM sys.columns c ' +
        'LEFT JOIN sys.indexes i ON i.object_id = c.object_id AND i.is_primary_key = 1 ' +
        'LEFT JOIN sys.index_columns ic ON ic.object_id = i.object_id AND ic.index_id = i.index_id AND ic.column_id = c.column_id ' +
        'WHERE c.object_id = OBJECT_ID(@p1) ORDER BY c.column_id',
      params: ['[sales].[Order]]s]'],
    });
    expect(dialect.describeColumns({ table: 'Orders' }).params).toEqual(['[dbo].[Orders]']);
  });

  it('casts bound timestamps to the columns own type, in language-independent ISO form', () => {
    const paris = resolveZone('Europe/Paris');
    expect(dialect.timestampParameter('@p1', [modified2])).toBe('CAST(@p1 AS DATETIME2(7))');
    expect(dialect.timestampValue(last, [modified2], paris)).toBe('2024-05-06T09:08:09.1234567');
    // datetime: compared as datetime, so the 1/300 s rounding is the same on both sides (upstream's re-read bug).
    expect(dialect.timestampParameter('@p1', [modified])).toBe('CAST(@p1 AS DATETIME)');
    expect(dialect.timestampValue(last, [modified], utc)).toBe('2024-05-06T07:08:09.123');
    expect(dialect.timestampParameter('@p1', [small])).toBe('CAST(@p1 AS SMALLDATETIME)');
    expect(dialect.timestampValue(last, [small], utc)).toBe('2024-05-06T07:08:09');
    expect(dialect.timestampParameter('@p1', [offset])).toBe('CAST(@p1 AS DATETIMEOFFSET(7))');
    expect(dialect.timestampValue(last, [offset], paris)).toBe('2024-05-06T07:08:09.1234567+00:00');
    expect(dialect.timestampParameter('@p1', [day])).toBe('CAST(@p1 AS DATETIME2(7))');
    expect(dialect.timestampParameter('@p1', [modified, modified2])).toBe('CAST(@p1 AS DATETIME2(7))');
    expect(dialect.timestampParameter('@p1', [modified2, offset])).toBe('CAST(@p1 AS DATETIMEOFFSET(7))');
  });

  it('casts incrementing values to BIGINT, or DECIMAL(38,0) for decimal keys', () => {
    expect(dialect.incrementingParameter('@p1', id)).toBe('CAST(@p1 AS BIGINT)');
    expect(dialect.incrementingParameter('@p1', col('n', 'decimal', { type: { kind: 'decimal', precision: 20, scale: 0 } }))).toBe('CAST(@p1 AS DECIMAL(38,0))');
  });

  it('builds the incremental queries with TOP', () => {
    const common = { dialect, from: '[Shop].[dbo].[Orders]', columns: [id, modified2, amount], zone: utc, limit: 1000 };
    expect(buildIncrementalQuery({ ...common, mode: 'incrementing', incrementing: id, timestamps: [], position: {} })).toEqual({
      sql: 'SELECT TOP (1000) *, CAST([Amount] AS VARCHAR(64)) AS [__ferry_exact:Amount] FROM [Shop].[dbo].[Orders] ORDER BY [id] ASC',
      params: [],
    });
    expect(buildIncrementalQuery({ ...common, mode: 'incrementing', incrementing: id, timestamps: [], position: { incrementing: 99n } })).toEqual({
      sql: 'SELECT TOP (1000) *, CAST([Amount] AS VARCHAR(64)) AS [__ferry_exact:Amount] FROM [Shop].[dbo].[Orders] WHERE [id] > CAST(@p1 AS BIGINT) ORDER BY [id] ASC',
      params: ['99'],
    });
    expect(buildIncrementalQuery({ ...common, columns: [id, modified2], mode: 'timestamp', timestamps: [modified2], position: { timestamp: last }, upperBound: upper })).toEqual({
      sql:
        'SELECT TOP (1000) * FROM [Shop].[dbo].[Orders] WHERE [ModifiedAt] > CAST(@p1 AS DATETIME2(7)) AND [ModifiedAt] < CAST(@p2 AS DATETIME2(7)) ORDER BY [ModifiedAt] ASC',
      params: ['2024-05-06T07:08:09.1234567', '2024-05-06T08:00:00.0000000'],
    });
    expect(
      buildIncrementalQuery({ ...common, columns: [id, modified], mode: 'timestamp+incrementing', incrementing: id, timestamps: [modified], position: { timestamp: last, incrementing: 12n }, upperBound: upper }),
    ).toEqual({
      sql:
        'SELECT TOP (1000) * FROM [Shop].[dbo].[Orders] WHERE [ModifiedAt] < CAST(@p1 AS DATETIME) AND (([ModifiedAt] = CAST(@p2 AS DATETIME) AND [id] > CAST(@p3 AS BIGINT)) ' +
        'OR [ModifiedAt] > CAST(@p4 AS DATETIME)) ORDER BY [ModifiedAt] ASC, [id] ASC',
      params: ['2024-05-06T08:00:00.000', '2024-05-06T07:08:09.123', '12', '2024-05-06T07:08:09.123'],
    });
    const coalesced = ts('CreatedAt', 'datetime2');
    expect(buildIncrementalQuery({ ...common, columns: [id], mode: 'timestamp', timestamps: [modified2, coalesced], position: {}, upperBound: upper }).sql).toBe(
      'SELECT TOP (1000) * FROM [Shop].[dbo].[Orders] WHERE COALESCE([ModifiedAt], [CreatedAt]) < CAST(@p1 AS DATETIME2(7)) ORDER BY COALESCE([ModifiedAt], [CreatedAt]) ASC',
    );
  });

  it('appends criteria to a wrapped custom query', () => {
    expect(
      buildIncrementalQuery({ dialect, from: dialect.wrapQuery('SELECT o.id, o.ModifiedAt FROM dbo.Orders o WHERE o.Status = 2'), columns: [id, modified2], zone: utc, limit: 50, mode: 'incrementing', incrementing: id, timestamps: [], position: { incrementing: 1n } }).sql,
    ).toBe('SELECT TOP (50) * FROM (SELECT o.id, o.ModifiedAt FROM dbo.Orders o WHERE o.Status = 2) AS [ferry_query] WHERE [id] > CAST(@p1 AS BIGINT) ORDER BY [id] ASC');
  });

  it('reads a tie group without TOP, and pages bulk reads by key or by OFFSET/FETCH', () => {
    expect(buildTimestampTieQuery({ dialect, from: '[dbo].[t]', columns: [id, modified2], timestamps: [modified2], orderBy: [id], at: last, zone: utc })).toEqual({
      sql: 'SELECT * FROM [dbo].[t] WHERE [ModifiedAt] = CAST(@p1 AS DATETIME2(7)) ORDER BY [id] ASC',
      params: ['2024-05-06T07:08:09.1234567'],
    });
    expect(buildBulkPageQuery({ dialect, from: '[dbo].[t]', columns: [id, amount], key: [id], limit: 500 }).sql).toBe(
      'SELECT TOP (500) *, CAST([Amount] AS VARCHAR(64)) AS [__ferry_exact:Amount] FROM [dbo].[t] ORDER BY [id] ASC',
    );
    expect(buildBulkPageQuery({ dialect, from: '[dbo].[t]', columns: [id], key: [id], after: 500n, limit: 500 }).sql).toBe(
      'SELECT TOP (500) * FROM [dbo].[t] WHERE [id] > CAST(@p1 AS BIGINT) ORDER BY [id] ASC',
    );
    expect(buildBulkPageQuery({ dialect, from: '[dbo].[t]', columns: [id], key: [], offset: 500, limit: 500 }).sql).toBe(
      'SELECT * FROM [dbo].[t] ORDER BY (SELECT NULL) OFFSET 500 ROWS FETCH NEXT 500 ROWS ONLY',
    );
    const name = col('Name', 'nvarchar', { type: { kind: 'string' } });
    expect(buildBulkPageQuery({ dialect, from: '[dbo].[t]', columns: [name], key: [name], offset: 10, limit: 5 }).sql).toBe(
      'SELECT * FROM [dbo].[t] ORDER BY [Name] ASC OFFSET 10 ROWS FETCH NEXT 5 ROWS ONLY',
    );
  });
});
