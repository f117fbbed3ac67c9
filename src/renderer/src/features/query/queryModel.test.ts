import { describe, expect, it } from 'vitest';
import type { QueryDatabase } from '../../../../shared/api';
import { rowObject, statementAt, tableOfSql, toCsv, toJson, traceTargetOf } from './queryModel';

describe('query pane model', () => {
  it('runs the statement the cursor is in, respecting quotes and comments', () => {
    const text = "SELECT 'a;b' FROM t; -- x; y\nSELECT 2 FROM u;\n\nSELECT 3";
    expect(statementAt(text, 3)).toBe("SELECT 'a;b' FROM t");
    expect(statementAt(text, text.indexOf('SELECT 2') + 3)).toBe('-- x; y\nSELECT 2 FROM u');
    expect(statementAt(text, text.length)).toBe('SELECT 3');
    expect(statementAt('SELECT 1;\n', 10)).toBe('SELECT 1');
  });

  it('exports CSV and JSON without losing quotes, newlines or repeated names', () => {
    const columns = [
      { name: 'id', type: 'int', kind: 'number' as const },
      { name: 'id', type: 'int', kind: 'number' as const },
      { name: 'note', type: 'text', kind: 'text' as const },
    ];
    const rows = [[1, 2, 'say "hi",\nbye'], [3, null, null]];
    expect(toCsv(columns, rows)).toBe('id,id,note\r\n1,2,"say ""hi"",\nbye"\r\n3,,\r\n');
    expect(JSON.parse(toJson(columns, rows))).toEqual([{ id: 1, id_2: 2, note: 'say "hi",\nbye' }, { id: 3, id_2: null, note: null }]);
    expect(rowObject(columns, [1, 2, 'x'])).toEqual({ id: 1, note: 'x' });
  });

  it('finds the table of a statement and maps a sink row back to its source table', () => {
    expect(tableOfSql('select * from "public"."demo_orders" where id = 1')).toBe('public.demo_orders');
    expect(tableOfSql('SELECT a FROM `shop`.orders')).toBe('shop.orders');
    const source: QueryDatabase = { id: 's', kind: 'pipeline', label: 's', group: 'p', dialect: 'postgres', display: '', pipeline: 'p', role: 'source', tables: [{ table: 'public.orders', topic: 'shop_orders' }] };
    const sink: QueryDatabase = { id: 't', kind: 'pipeline', label: 't', group: 'p', dialect: 'postgres', display: '', pipeline: 'p', role: 'sink', tables: [{ table: 'shop_orders', topic: 'shop_orders' }] };
    expect(traceTargetOf(source, [source, sink], 'orders')).toEqual({ pipeline: 'p', table: 'public.orders' });
    expect(traceTargetOf(sink, [source, sink], 'public.shop_orders')).toEqual({ pipeline: 'p', table: 'public.orders' });
    expect(traceTargetOf({ ...sink, pipeline: undefined }, [source, sink], 'x')).toBeUndefined();
  });
});
