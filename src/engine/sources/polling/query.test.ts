import { describe, expect, it } from 'vitest';
import type { TableId } from '../../model';
import type { ColumnInfo } from './columns';
import type { PollingDialect, SelectParts } from './dialect';
import { formatWallClock } from './instant';
import { buildBulkPageQuery, buildIncrementalQuery, buildTimestampTieQuery, type IncrementalQueryInput } from './query';
import { resolveZone } from './zone';

/** A dialect whose output shows the structure plainly: the per-database golden strings live beside each dialect. */
const fake: PollingDialect = {
  name: 'mysql',
  timestampFractionDigits: 6,
  quoteIdentifier: (name) => `"${name}"`,
  quoteTable: (table: TableId) => `"${table.table}"`,
  placeholder: (index) => `:${index}`,
  selectList: () => '*',
  select: (parts: SelectParts) =>
    `SELECT ${parts.columns} FROM ${parts.from}${parts.where ? ` WHERE ${parts.where}` : ''}${parts.orderBy?.length ? ` ORDER BY ${parts.orderBy.join(', ')}` : ''}` +
    `${parts.limit !== undefined ? ` LIMIT ${parts.limit}` : ''}${parts.offset !== undefined ? ` OFFSET ${parts.offset}` : ''}`,
  wrapQuery: (query) => `(${query}) q`,
  describeQuery: (query) => query,
  currentTimeQuery: () => 'now',
  serverOffsetQuery: () => 'offset',
  listTables: () => ({ sql: '', params: [] }),
  describeColumns: () => ({ sql: '', params: [] }),
  timestampParameter: (placeholder) => `ts(${placeholder})`,
  timestampValue: (instant) => formatWallClock(instant, 0, 6),
  incrementingParameter: (placeholder) => `int(${placeholder})`,
};

const col = (name: string, extra: Partial<ColumnInfo> = {}): ColumnInfo => ({
  name,
  sourceType: 'x',
  baseType: 'x',
  type: { kind: 'int64' },
  optional: false,
  autoIncrement: false,
  ...extra,
});
const id = col('id');
const updated = col('updated_at', { type: { kind: 'timestamp' }, temporal: 'local' });
const created = col('created_at', { type: { kind: 'timestamp' }, temporal: 'local' });
const last = { epochSecond: Date.UTC(2024, 0, 1, 10) / 1000, nano: 123_456_000 };
const upper = { epochSecond: Date.UTC(2024, 0, 1, 11) / 1000, nano: 0 };

const base = (extra: Partial<IncrementalQueryInput>): IncrementalQueryInput => ({
  dialect: fake,
  from: '"orders"',
  columns: [id, updated],
  mode: 'incrementing',
  incrementing: id,
  timestamps: [],
  position: {},
  zone: resolveZone('UTC'),
  limit: 100,
  ...extra,
});

describe('buildIncrementalQuery', () => {
  it('incrementing: no lower bound before the first row (upstream binds -1 and skips negative ids)', () => {
    expect(buildIncrementalQuery(base({}))).toEqual({ sql: 'SELECT * FROM "orders" ORDER BY "id" ASC LIMIT 100', params: [] });
  });

  it('incrementing: id > last, bound as text and cast', () => {
    expect(buildIncrementalQuery(base({ position: { incrementing: 9_007_199_254_740_993n } }))).toEqual({
      sql: 'SELECT * FROM "orders" WHERE "id" > int(:1) ORDER BY "id" ASC LIMIT 100',
      params: ['9007199254740993'],
    });
  });

  it('timestamp: TS > last AND TS < upper, upper bound strict', () => {
    expect(buildIncrementalQuery(base({ mode: 'timestamp', incrementing: undefined, timestamps: [updated], position: { timestamp: last }, upperBound: upper }))).toEqual({
      sql: 'SELECT * FROM "orders" WHERE "updated_at" > ts(:1) AND "updated_at" < ts(:2) ORDER BY "updated_at" ASC LIMIT 100',
      params: ['2024-01-01 10:00:00.123456', '2024-01-01 11:00:00.000000'],
    });
  });

  it('timestamp: only the upper bound at first, >= from timestamp.initial', () => {
    expect(buildIncrementalQuery(base({ mode: 'timestamp', incrementing: undefined, timestamps: [updated], upperBound: upper })).sql).toBe(
      'SELECT * FROM "orders" WHERE "updated_at" < ts(:1) ORDER BY "updated_at" ASC LIMIT 100',
    );
    expect(
      buildIncrementalQuery(base({ mode: 'timestamp', incrementing: undefined, timestamps: [updated], position: { timestamp: last }, lowerBoundInclusive: true, upperBound: upper })).sql,
    ).toBe('SELECT * FROM "orders" WHERE "updated_at" >= ts(:1) AND "updated_at" < ts(:2) ORDER BY "updated_at" ASC LIMIT 100');
  });

  it('timestamp: several columns become COALESCE, first non-null wins', () => {
    expect(buildIncrementalQuery(base({ mode: 'timestamp', incrementing: undefined, timestamps: [updated, created], position: { timestamp: last }, upperBound: upper })).sql).toBe(
      'SELECT * FROM "orders" WHERE COALESCE("updated_at", "created_at") > ts(:1) AND COALESCE("updated_at", "created_at") < ts(:2) ORDER BY COALESCE("updated_at", "created_at") ASC LIMIT 100',
    );
  });

  it('timestamp+incrementing: upstream clause and parameter order (upper, ts, id, ts)', () => {
    expect(buildIncrementalQuery(base({ mode: 'timestamp+incrementing', timestamps: [updated], position: { timestamp: last, incrementing: 7n }, upperBound: upper }))).toEqual({
      sql:
        'SELECT * FROM "orders" WHERE "updated_at" < ts(:1) AND (("updated_at" = ts(:2) AND "id" > int(:3)) OR "updated_at" > ts(:4)) ORDER BY "updated_at" ASC, "id" ASC LIMIT 100',
      params: ['2024-01-01 11:00:00.000000', '2024-01-01 10:00:00.123456', '7', '2024-01-01 10:00:00.123456'],
    });
  });

  it('timestamp+incrementing: without a position only the upper bound; with a timestamp alone, TS >= it', () => {
    expect(buildIncrementalQuery(base({ mode: 'timestamp+incrementing', timestamps: [updated], upperBound: upper })).sql).toBe(
      'SELECT * FROM "orders" WHERE "updated_at" < ts(:1) ORDER BY "updated_at" ASC, "id" ASC LIMIT 100',
    );
    expect(buildIncrementalQuery(base({ mode: 'timestamp+incrementing', timestamps: [updated], position: { timestamp: last }, upperBound: upper }))).toEqual({
      sql: 'SELECT * FROM "orders" WHERE "updated_at" < ts(:1) AND "updated_at" >= ts(:2) ORDER BY "updated_at" ASC, "id" ASC LIMIT 100',
      params: ['2024-01-01 11:00:00.000000', '2024-01-01 10:00:00.123456'],
    });
  });

  it('query mode: criteria go after the wrapped query, so its own WHERE stays valid', () => {
    expect(buildIncrementalQuery(base({ from: fake.wrapQuery('SELECT * FROM orders WHERE status = 1'), position: { incrementing: 3n } })).sql).toBe(
      'SELECT * FROM (SELECT * FROM orders WHERE status = 1) q WHERE "id" > int(:1) ORDER BY "id" ASC LIMIT 100',
    );
  });

  it('refuses to build a timestamp query without an upper bound', () => {
    expect(() => buildIncrementalQuery(base({ mode: 'timestamp', incrementing: undefined, timestamps: [updated] }))).toThrow(/upper bound/);
  });
});

describe('buildTimestampTieQuery', () => {
  it('reads every row at one timestamp, in key order, without a limit', () => {
    expect(buildTimestampTieQuery({ dialect: fake, from: '"orders"', columns: [id, updated], timestamps: [updated, created], orderBy: [id], at: last, zone: resolveZone('UTC') })).toEqual({
      sql: 'SELECT * FROM "orders" WHERE COALESCE("updated_at", "created_at") = ts(:1) ORDER BY "id" ASC',
      params: ['2024-01-01 10:00:00.123456'],
    });
  });
});

describe('buildBulkPageQuery', () => {
  it('pages by key with an integer key, by offset otherwise', () => {
    expect(buildBulkPageQuery({ dialect: fake, from: '"t"', columns: [id], key: [id], limit: 10 }).sql).toBe('SELECT * FROM "t" ORDER BY "id" ASC LIMIT 10');
    expect(buildBulkPageQuery({ dialect: fake, from: '"t"', columns: [id], key: [id], after: 42n, limit: 10 })).toEqual({
      sql: 'SELECT * FROM "t" WHERE "id" > int(:1) ORDER BY "id" ASC LIMIT 10',
      params: ['42'],
    });
    expect(buildBulkPageQuery({ dialect: fake, from: '"t"', columns: [id], key: [], offset: 20, limit: 10 }).sql).toBe('SELECT * FROM "t" LIMIT 10 OFFSET 20');
    expect(buildBulkPageQuery({ dialect: fake, from: '"t"', columns: [id], key: [id, updated], offset: 0, limit: 10 }).sql).toBe(
      'SELECT * FROM "t" ORDER BY "id" ASC, "updated_at" ASC LIMIT 10',
    );
  });
});
