import { describe, expect, it } from 'vitest';
import type { ColumnInfo } from '../polling/columns';
import { buildBulkPageQuery, buildIncrementalQuery, buildTimestampTieQuery } from '../polling/query';
import { resolveZone } from '../polling/zone';
import { MySqlDialect } from './mysqlDialect';

const dialect = new MySqlDialect();
const col = (name: string, extra: Partial<ColumnInfo> = {}): ColumnInfo => ({
  name,
  sourceType: 'bigint',
  baseType: 'bigint',
  type: { kind: 'int64' },
  optional: false,
  autoIncrement: false,
  ...extra,
});
const id = col('id');
const updated = col('updated_at', { sourceType: 'datetime(6)', baseType: 'datetime', type: { kind: 'timestamp' }, temporal: 'local' });
const stamped = col('stamped', { sourceType: 'timestamp(6)', baseType: 'timestamp', type: { kind: 'timestamp' }, temporal: 'instant' });
const last = { epochSecond: Date.UTC(2024, 6, 1, 10) / 1000, nano: 123_456_789 };
const upper = { epochSecond: Date.UTC(2024, 6, 1, 11) / 1000, nano: 0 };
const utc = resolveZone('UTC');

describe('MySqlDialect', () => {
  it('quotes identifiers with backticks, doubling embedded ones', () => {
    expect(dialect.quoteIdentifier('order')).toBe('`order`');
    expect(dialect.quoteIdentifier('we`ird')).toBe('`we``ird`');
    expect(dialect.quoteTable({ catalog: 'shop', table: 'orders' })).toBe('`shop`.`orders`');
    expect(dialect.quoteTable({ table: 'orders' })).toBe('`orders`');
  });

  it('uses ? placeholders and LIMIT / OFFSET', () => {
    expect(dialect.placeholder()).toBe('?');
    expect(dialect.select({ columns: '*', from: '`t`' })).toBe('SELECT * FROM `t`');
    expect(dialect.select({ columns: '*', from: '`t`', where: 'a = 1', orderBy: ['`a` ASC', '`b` ASC'], limit: 10, offset: 20 })).toBe(
      'SELECT * FROM `t` WHERE a = 1 ORDER BY `a` ASC, `b` ASC LIMIT 10 OFFSET 20',
    );
    expect(() => dialect.select({ columns: '*', from: '`t`', limit: -1 })).toThrow(/row count/);
  });

  it('wraps a custom query as a derived table, dropping a trailing semicolon', () => {
    expect(dialect.wrapQuery('SELECT * FROM orders WHERE total > 5;  ')).toBe('(SELECT * FROM orders WHERE total > 5) AS ferry_query');
    expect(dialect.describeQuery('SELECT a FROM t')).toBe('SELECT * FROM (SELECT a FROM t) AS ferry_query WHERE 1 = 0');
  });

  it('reads the time from the database, in UTC with microseconds', () => {
    expect(dialect.currentTimeQuery()).toBe('SELECT UTC_TIMESTAMP(6) AS now_utc');
    expect(dialect.serverOffsetQuery()).toBe(
      "SELECT TIMESTAMPDIFF(SECOND, UTC_TIMESTAMP(), CONVERT_TZ(UTC_TIMESTAMP(), '+00:00', @@global.time_zone)) AS offset_seconds",
    );
  });

  it('lists tables and views of the connected database', () => {
    expect(dialect.listTables(['TABLE'])).toEqual({
      sql:
        'SELECT TABLE_SCHEMA AS table_catalog, TABLE_NAME AS table_name, TABLE_TYPE AS table_type FROM information_schema.TABLES ' +
        "WHERE TABLE_SCHEMA = DATABASE() AND TABLE_TYPE IN ('BASE TABLE', 'SYSTEM VERSIONED') ORDER BY TABLE_NAME",
      params: [],
    });
    expect(dialect.listTables(['VIEW']).sql).toContain("TABLE_TYPE IN ('VIEW')");
    expect(dialect.listTables(['TABLE', 'VIEW']).sql).toContain("TABLE_TYPE IN ('BASE TABLE', 'SYSTEM VERSIONED', 'VIEW')");
  });

  it('describes columns with their primary-key position', () => {
    const statement = dialect.describeColumns({ catalog: 'shop', table: 'orders' });
    expect(statement).toEqual({
      sql:
        'SELECT c.COLUMN_NAME AS column_name, c.DATA_TYPE AS data_type, c.COLUMN_TYPE AS column_type, c.IS_NULLABLE AS is_nullable, ' +
        'c.NUMERIC_PRECISION AS numeric_precision, c.NUMERIC_SCALE AS numeric_scale, c.DATETIME_PRECISION AS datetime_precision, ' +
        'c.EXTRA AS extra, k.ORDINAL_POSITION AS pk_ordinal FROM information_schema.COLUMNS c ' +
        "LEFT JOIN information_schema.KEY_COLUMN_USAGE k ON k.CONSTRAINT_NAME = 'PRIMARY' AND k.TABLE_SCHEMA = c.TABLE_SCHEMA " +
        'AND k.TABLE_NAME = c.TABLE_NAME AND k.COLUMN_NAME = c.COLUMN_NAME WHERE c.TABLE_SCHEMA = ? AND c.TABLE_NAME = ? ORDER BY c.ORDINAL_POSITION',
      params: ['shop', 'orders'],
    });
    const current = dialect.describeColumns({ table: 'orders' });
    expect(current.sql).toContain('WHERE c.TABLE_SCHEMA = DATABASE() AND c.TABLE_NAME = ?');
    expect(current.params).toEqual(['orders']);
  });

  it('casts bound timestamps to DATETIME(6): DATETIME in db.timezone, TIMESTAMP in the UTC session', () => {
    expect(dialect.timestampParameter('?')).toBe('CAST(? AS DATETIME(6))');
    expect(dialect.timestampValue(last, [updated], resolveZone('Europe/Paris'))).toBe('2024-07-01 12:00:00.123456');
    expect(dialect.timestampValue(last, [stamped], resolveZone('Europe/Paris'))).toBe('2024-07-01 10:00:00.123456');
  });

  it('casts incrementing values to the column type (strings compare as doubles in MySQL)', () => {
    expect(dialect.incrementingParameter('?', id)).toBe('CAST(? AS SIGNED)');
    expect(dialect.incrementingParameter('?', col('u', { unsigned: true, type: { kind: 'int64' } }))).toBe('CAST(? AS UNSIGNED)');
    expect(dialect.incrementingParameter('?', col('d', { type: { kind: 'decimal', precision: 20, scale: 0 } }))).toBe('CAST(? AS DECIMAL(65,0))');
  });

  it('builds every incremental query', () => {
    const common = { dialect, from: dialect.quoteTable({ catalog: 'shop', table: 'orders' }), columns: [id, updated], zone: utc, limit: 500 };
    expect(buildIncrementalQuery({ ...common, mode: 'incrementing', incrementing: id, timestamps: [], position: { incrementing: 41n } })).toEqual({
      sql: 'SELECT * FROM `shop`.`orders` WHERE `id` > CAST(? AS SIGNED) ORDER BY `id` ASC LIMIT 500',
      params: ['41'],
    });
    expect(buildIncrementalQuery({ ...common, mode: 'timestamp', timestamps: [updated], position: { timestamp: last }, upperBound: upper })).toEqual({
      sql:
        'SELECT * FROM `shop`.`orders` WHERE `updated_at` > CAST(? AS DATETIME(6)) AND `updated_at` < CAST(? AS DATETIME(6)) ORDER BY `updated_at` ASC LIMIT 500',
      params: ['2024-07-01 10:00:00.123456', '2024-07-01 11:00:00.000000'],
    });
    expect(
      buildIncrementalQuery({ ...common, mode: 'timestamp+incrementing', incrementing: id, timestamps: [updated, stamped], position: { timestamp: last, incrementing: 5n }, upperBound: upper }),
    ).toEqual({
      sql:
        'SELECT * FROM `shop`.`orders` WHERE COALESCE(`updated_at`, `stamped`) < CAST(? AS DATETIME(6)) AND ' +
        '((COALESCE(`updated_at`, `stamped`) = CAST(? AS DATETIME(6)) AND `id` > CAST(? AS SIGNED)) OR COALESCE(`updated_at`, `stamped`) > CAST(? AS DATETIME(6))) ' +
        'ORDER BY COALESCE(`updated_at`, `stamped`) ASC, `id` ASC LIMIT 500',
      params: ['2024-07-01 11:00:00.000000', '2024-07-01 10:00:00.123456', '5', '2024-07-01 10:00:00.123456'],
    });
    expect(buildTimestampTieQuery({ dialect, from: '`orders`', columns: [id, updated], timestamps: [updated], orderBy: [id], at: last, zone: utc })).toEqual({
      sql: 'SELECT * FROM `orders` WHERE `updated_at` = CAST(? AS DATETIME(6)) ORDER BY `id` ASC',
      params: ['2024-07-01 10:00:00.123456'],
    });
    expect(buildBulkPageQuery({ dialect, from: '`orders`', columns: [id], key: [id], after: 10n, limit: 100 }).sql).toBe(
      'SELECT * FROM `orders` WHERE `id` > CAST(? AS SIGNED) ORDER BY `id` ASC LIMIT 100',
    );
    expect(buildBulkPageQuery({ dialect, from: '`orders`', columns: [id], key: [], offset: 100, limit: 100 }).sql).toBe('SELECT * FROM `orders` LIMIT 100 OFFSET 100');
  });
});
