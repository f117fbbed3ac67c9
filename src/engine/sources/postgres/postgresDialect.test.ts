import { describe, expect, it } from 'vitest';
import type { ColumnInfo } from '../polling/columns';
import { buildBulkPageQuery, buildIncrementalQuery, buildTimestampTieQuery } from '../polling/query';
import { resolveZone } from '../polling/zone';
import { PostgresDialect } from './postgresDialect';

const dialect = new PostgresDialect();
const col = (name: string, extra: Partial<ColumnInfo> = {}): ColumnInfo => ({
  name,
  sourceType: 'bigint',
  baseType: 'int8',
  type: { kind: 'int64' },
  optional: false,
  autoIncrement: false,
  ...extra,
});
const id = col('id');
const updated = col('updated_at', { sourceType: 'timestamp without time zone', baseType: 'timestamp', type: { kind: 'timestamp' }, temporal: 'local' });
const changed = col('changed_at', { sourceType: 'timestamp with time zone', baseType: 'timestamptz', type: { kind: 'timestamp' }, temporal: 'instant' });
const last = { epochSecond: Date.UTC(2024, 0, 15, 10) / 1000, nano: 5_000 };
const upper = { epochSecond: Date.UTC(2024, 0, 15, 11) / 1000, nano: 0 };

describe('PostgresDialect', () => {
  it('quotes with double quotes and drops the catalog', () => {
    expect(dialect.quoteIdentifier('Order')).toBe('"Order"');
    expect(dialect.quoteIdentifier('a"b')).toBe('"a""b"');
    expect(dialect.quoteTable({ catalog: 'ferry', schema: 'public', table: 'orders' })).toBe('"public"."orders"');
    expect(dialect.quoteTable({ table: 'orders' })).toBe('"orders"');
  });

  it('numbers placeholders and uses LIMIT / OFFSET', () => {
    expect([1, 2, 10].map((i) => dialect.placeholder(i))).toEqual(['$1', '$2', '$10']);
    expect(dialect.select({ columns: '*', from: '"t"', where: 'x', orderBy: ['"a" ASC'], limit: 5, offset: 10 })).toBe('SELECT * FROM "t" WHERE x ORDER BY "a" ASC LIMIT 5 OFFSET 10');
  });

  it('wraps custom queries and reads the time from the server as timestamptz', () => {
    expect(dialect.wrapQuery('select * from t;')).toBe('(select * from t) AS ferry_query');
    expect(dialect.describeQuery('select 1 AS x')).toBe('SELECT * FROM (select 1 AS x) AS ferry_query WHERE 1 = 0');
    expect(dialect.currentTimeQuery()).toBe('SELECT CURRENT_TIMESTAMP AS now_utc');
    expect(dialect.serverOffsetQuery()).toBe('SELECT EXTRACT(TIMEZONE FROM CURRENT_TIMESTAMP)::integer AS offset_seconds');
  });

  it('lists tables (not partitions) and views outside the system schemas', () => {
    expect(dialect.listTables(['TABLE'])).toEqual({
      sql:
        "SELECT n.nspname AS table_schema, c.relname AS table_name, CASE WHEN c.relkind = 'v' THEN 'VIEW' ELSE 'TABLE' END AS table_type " +
        'FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace ' +
        "WHERE c.relkind IN ('r', 'p') AND NOT c.relispartition AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname !~ '^pg_(toast|temp_)' " +
        'ORDER BY n.nspname, c.relname',
      params: [],
    });
    expect(dialect.listTables(['TABLE', 'VIEW']).sql).toContain("c.relkind IN ('r', 'p', 'v')");
  });

  it('describes columns from pg_catalog, resolving domains, identities and serials', () => {
    const statement = dialect.describeColumns({ schema: 'public', table: 'orders' });
    expect(statement.params).toEqual(['orders', 'public']);
    expect(statement.sql).toBe(
      'SELECT a.attname AS column_name, COALESCE(bt.typname, t.typname) AS type_name, format_type(a.atttypid, a.atttypmod) AS column_type, ' +
        "CASE WHEN t.typtype = 'd' THEN t.typtypmod ELSE a.atttypmod END AS type_modifier, NOT (a.attnotnull OR t.typnotnull) AS is_nullable, " +
        "(a.attidentity <> '' OR COALESCE(pg_get_expr(d.adbin, d.adrelid), '') LIKE 'nextval(%') AS auto_increment, " +
        'array_position(i.indkey::int2[], a.attnum) AS pk_ordinal, COALESCE(bt.typcategory, t.typcategory) AS type_category ' +
        'FROM pg_catalog.pg_attribute a JOIN pg_catalog.pg_class c ON c.oid = a.attrelid JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace ' +
        "JOIN pg_catalog.pg_type t ON t.oid = a.atttypid LEFT JOIN pg_catalog.pg_type bt ON t.typtype = 'd' AND bt.oid = t.typbasetype " +
        'LEFT JOIN pg_catalog.pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum LEFT JOIN pg_catalog.pg_index i ON i.indrelid = c.oid AND i.indisprimary ' +
        'WHERE c.relname = $1 AND n.nspname = $2 AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum',
    );
    const unqualified = dialect.describeColumns({ table: 'orders' });
    expect(unqualified.params).toEqual(['orders']);
    expect(unqualified.sql).toContain('WHERE c.relname = $1 AND n.nspname = current_schema()');
    expect(dialect.typesByOid([23, 1700])).toMatchObject({ params: ['{23,1700}'] });
  });

  it('binds timestamps as timestamp in db.timezone, or timestamptz with an explicit UTC offset', () => {
    const tokyo = resolveZone('Asia/Tokyo');
    expect(dialect.timestampParameter('$1', [updated])).toBe('CAST($1 AS TIMESTAMP)');
    expect(dialect.timestampValue(last, [updated], tokyo)).toBe('2024-01-15 19:00:00.000005');
    expect(dialect.timestampParameter('$1', [changed])).toBe('CAST($1 AS TIMESTAMPTZ)');
    expect(dialect.timestampValue(last, [changed], tokyo)).toBe('2024-01-15 10:00:00.000005+00:00');
    expect(dialect.timestampParameter('$1', [updated, changed])).toBe('CAST($1 AS TIMESTAMPTZ)');
  });

  it('binds incrementing values as BIGINT (indexable) or NUMERIC', () => {
    expect(dialect.incrementingParameter('$1', id)).toBe('CAST($1 AS BIGINT)');
    expect(dialect.incrementingParameter('$1', col('n', { type: { kind: 'decimal', precision: 30, scale: 0 } }))).toBe('CAST($1 AS NUMERIC)');
  });

  it('builds every incremental query with numbered parameters', () => {
    const common = { dialect, from: '"public"."orders"', columns: [id, updated], zone: resolveZone('UTC'), limit: 1000 };
    expect(buildIncrementalQuery({ ...common, mode: 'incrementing', incrementing: id, timestamps: [], position: {} }).sql).toBe('SELECT * FROM "public"."orders" ORDER BY "id" ASC LIMIT 1000');
    expect(buildIncrementalQuery({ ...common, mode: 'timestamp+incrementing', incrementing: id, timestamps: [updated], position: { timestamp: last, incrementing: 9n }, upperBound: upper })).toEqual({
      sql:
        'SELECT * FROM "public"."orders" WHERE "updated_at" < CAST($1 AS TIMESTAMP) AND (("updated_at" = CAST($2 AS TIMESTAMP) AND "id" > CAST($3 AS BIGINT)) OR "updated_at" > CAST($4 AS TIMESTAMP)) ' +
        'ORDER BY "updated_at" ASC, "id" ASC LIMIT 1000',
      params: ['2024-01-15 11:00:00.000000', '2024-01-15 10:00:00.000005', '9', '2024-01-15 10:00:00.000005'],
    });
    expect(buildIncrementalQuery({ ...common, mode: 'timestamp', timestamps: [updated, changed], position: { timestamp: last }, upperBound: upper }).sql).toBe(
      'SELECT * FROM "public"."orders" WHERE COALESCE("updated_at", "changed_at") > CAST($1 AS TIMESTAMPTZ) AND COALESCE("updated_at", "changed_at") < CAST($2 AS TIMESTAMPTZ) ' +
        'ORDER BY COALESCE("updated_at", "changed_at") ASC LIMIT 1000',
    );
    expect(buildTimestampTieQuery({ dialect, from: '"t"', columns: [id], timestamps: [updated], orderBy: [id], at: last, zone: resolveZone('UTC') }).sql).toBe(
      'SELECT * FROM "t" WHERE "updated_at" = CAST($1 AS TIMESTAMP) ORDER BY "id" ASC',
    );
    expect(buildBulkPageQuery({ dialect, from: '"t"', columns: [id], key: [id], after: 3n, limit: 2 })).toEqual({
      sql: 'SELECT * FROM "t" WHERE "id" > CAST($1 AS BIGINT) ORDER BY "id" ASC LIMIT 2',
      params: ['3'],
    });
  });
});
