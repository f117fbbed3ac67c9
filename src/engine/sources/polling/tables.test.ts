import { describe, expect, it } from 'vitest';
import type { TableId } from '../../model';
import type { ListedTable, PollingDialect } from './dialect';
import { type PollingSourceOptions, resolvePollingOptions } from './options';
import { selectTables, topicForQuery, topicForTable } from './tables';

const dialect = { quoteTable: (t: TableId) => [t.catalog, t.table].filter(Boolean).map((p) => `\`${p}\``).join('.') } as PollingDialect;
const listed: ListedTable[] = [
  { id: { catalog: 'shop', table: 'orders' }, type: 'TABLE' },
  { id: { catalog: 'shop', table: 'order_lines' }, type: 'TABLE' },
  { id: { catalog: 'shop', table: 'customers' }, type: 'TABLE' },
  { id: { catalog: 'shop', table: 'big_orders' }, type: 'VIEW' },
];
const names = (options: Partial<PollingSourceOptions>): string[] =>
  selectTables(listed, resolvePollingOptions({ mode: 'bulk', ...options }), dialect).map((t) => t.table);

describe('selectTables', () => {
  it('lists every table of the wanted types by default', () => {
    expect(names({})).toEqual(['orders', 'order_lines', 'customers']);
    expect(names({ tableTypes: ['VIEW'] })).toEqual(['big_orders']);
    expect(names({ tableTypes: ['TABLE', 'VIEW'] })).toHaveLength(4);
  });

  it('matches whitelist entries as bare, qualified or quoted names', () => {
    expect(names({ tableWhitelist: ['orders'] })).toEqual(['orders']);
    expect(names({ tableWhitelist: ['shop.customers', '`shop`.`order_lines`'] })).toEqual(['order_lines', 'customers']);
  });

  it('names a whitelisted table that does not exist', () => {
    expect(() => names({ tableWhitelist: ['orders', 'ordres'] })).toThrow(/Table "ordres" named in table.whitelist does not exist.*Tables found: shop.orders/);
  });

  it('excludes blacklisted tables', () => {
    expect(names({ tableBlacklist: ['order_lines', 'shop.customers'] })).toEqual(['orders']);
  });

  it('matches include/exclude regexes in full against the qualified name', () => {
    expect(names({ tableIncludeList: ['shop\\.order.*'] })).toEqual(['orders', 'order_lines']);
  });

  it('names an include pattern that matches no table, even when another one matches', () => {
    expect(() => names({ tableIncludeList: ['shop\\.orders', 'shop\\.ordr_lines'] })).toThrow(/Pattern "shop\\\.ordr_lines" in table.include.list matches no table.*Tables found: shop.orders/);
  });

  it('fails when the selection is empty, saying what was asked', () => {
    expect(() => names({ tableIncludeList: ['order.*'] })).toThrow(/Pattern "order\.\*" in table.include.list matches no table/);
    expect(() => names({ tableIncludeList: ['shop\\..*'], tableExcludeList: ['shop\\..*'] })).toThrow(/No table matches/);
  });

  it('lets an exclude list alone exclude from all tables', () => {
    expect(names({ tableExcludeList: ['.*lines'] })).toEqual(['orders', 'customers']);
  });

  it('refuses two tables with one bare name (they would share a topic)', () => {
    const twice: ListedTable[] = [
      { id: { schema: 'a', table: 'orders' }, type: 'TABLE' },
      { id: { schema: 'b', table: 'orders' }, type: 'TABLE' },
    ];
    expect(() => selectTables(twice, resolvePollingOptions({ mode: 'bulk' }), dialect)).toThrow(/a.orders and b.orders would write to the same topic/);
  });
});

describe('topic names', () => {
  it('are prefix + bare table name, or the prefix alone in query mode', () => {
    expect(topicForTable('mysql-', { catalog: 'shop', table: 'orders' })).toBe('mysql-orders');
    expect(topicForTable('', { schema: 'public', table: 'orders' })).toBe('orders');
    expect(topicForQuery('orders-report')).toBe('orders-report');
  });
});
