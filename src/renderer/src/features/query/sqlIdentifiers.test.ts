import { describe, expect, it } from 'vitest';
import { tableOfSql } from './queryModel';
import { quoteTableName } from './sqlIdentifiers';

describe('quoting the tables the query pane writes', () => {
  it('quotes every part in each dialect, doubling the quote character', () => {
    expect(quoteTableName('postgres', 'public.poc-customers_poc')).toBe('"public"."poc-customers_poc"');
    expect(quoteTableName('mysql', 'shop.Order Lines')).toBe('`shop`.`Order Lines`');
    expect(quoteTableName('sqlserver', 'dbo.odd]name')).toBe('[dbo].[odd]]name]');
    expect(quoteTableName('postgres', 'we"ird')).toBe('"we""ird"');
  });

  it('reads the table back from a statement with quoted names, for Trace', () => {
    expect(tableOfSql('SELECT * FROM "public"."poc-customers_poc"\n')).toBe('public.poc-customers_poc');
    expect(tableOfSql('select * from `shop`.`orders` where id = 1')).toBe('shop.orders');
    expect(tableOfSql('SELECT * FROM [dbo].[order lines]')).toBe('dbo.order lines');
    expect(tableOfSql('SELECT * FROM orders')).toBe('orders');
  });
});
