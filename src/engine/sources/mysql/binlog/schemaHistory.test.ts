import { appendFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { ColumnInfo } from '../../polling/columns';
import { ddlTables } from './mySqlBinlogReader';
import { BinlogSchemaHistory, FileSchemaHistoryStore, type SchemaHistoryEntry } from './schemaHistory';

const column = (name: string): ColumnInfo => ({ name, sourceType: 'int', baseType: 'int', type: { kind: 'int32' }, optional: true, autoIncrement: false });
const entry = (file: string, pos: number, names: string[], ddl?: string): SchemaHistoryEntry => ({ file, pos, db: 'shop', table: 'orders', columns: names.map(column), tsMs: 1, ...(ddl ? { ddl } : {}) });

describe('binlog schema history', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  it('gives a row event the latest layout at or before its position, across binlog files', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ferry-history-'));
    dirs.push(dir);
    const store = new FileSchemaHistoryStore(join(dir, 'h.jsonl'));
    const history = new BinlogSchemaHistory(store);
    await history.open();
    await history.record([entry('b.000009', 400, ['id', 'legacy']), entry('b.000010', 300, ['id', 'legacy', 'note'], 'ALTER TABLE orders ADD note INT'), entry('b.000010', 900, ['id', 'note'], 'ALTER TABLE orders DROP legacy')]);
    const names = (file: string, pos: number): string[] | undefined => history.layoutAt('shop', 'orders', { file, pos, row: 0 })?.columns.map((c) => c.name);
    expect(names('b.000009', 100)).toBeUndefined();
    expect(names('b.000009', 5_000)).toEqual(['id', 'legacy']);
    expect(names('b.000010', 299)).toEqual(['id', 'legacy']);
    expect(names('b.000010', 300)).toEqual(['id', 'legacy', 'note']);
    expect(names('b.000011', 4)).toEqual(['id', 'note']);
    expect(history.hasDdlAt('shop', 'orders', { file: 'b.000010', pos: 900 })).toBe(true);
    expect(history.hasDdlAt('shop', 'orders', { file: 'b.000009', pos: 400 })).toBe(false);

    // A new process reads the same file back; a line torn by a crash mid-append is ignored.
    appendFileSync(join(dir, 'h.jsonl'), '{"file":"b.0000');
    const reopened = new BinlogSchemaHistory(new FileSchemaHistoryStore(join(dir, 'h.jsonl')));
    await reopened.open();
    expect(reopened.layoutAt('shop', 'orders', { file: 'b.000010', pos: 500, row: 0 })?.ddl).toBe('ALTER TABLE orders ADD note INT');
  });

  it('names the tables a DDL statement touches', () => {
    expect(ddlTables('ALTER TABLE orders ADD COLUMN note VARCHAR(20)', 'shop', [])).toEqual([{ db: 'shop', table: 'orders' }]);
    expect(ddlTables('alter table `other db`.`my table` drop column x', 'shop', [])).toEqual([{ db: 'other db', table: 'my table' }]);
    // Both sides of a rename; a known table named anywhere in the statement too.
    expect(ddlTables('RENAME TABLE orders TO orders_old, orders_new TO orders', 'shop', [{ db: 'shop', table: 'orders_new' }])).toEqual([
      { db: 'shop', table: 'orders' },
      { db: 'shop', table: 'orders_old' },
      { db: 'shop', table: 'orders_new' },
    ]);
    expect(ddlTables('DROP TABLE IF EXISTS shop.a, shop.b', 'x', [{ db: 'shop', table: 'b' }])).toEqual(expect.arrayContaining([{ db: 'shop', table: 'a' }, { db: 'shop', table: 'b' }]));
    expect(ddlTables('CREATE TABLE IF NOT EXISTS t1 (id INT)', '', [])).toEqual([]);
  });
});
