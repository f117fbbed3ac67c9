import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type CatalogColumn, defaultExpression, enumOptions, tableChangeColumn, tableChangeOf } from './tableChanges';

const fixture = JSON.parse(readFileSync(join(__dirname, '../../../../../test/fixtures/debezium-3.5-mariadb-schema-change.json'), 'utf8')) as {
  value: { payload: { tableChanges: Array<{ table: { columns: unknown[] } }> } };
};

/** information_schema.COLUMNS of the fixture's table on MariaDB 10.11 after the ALTER, as read on the lab. */
const catalog: CatalogColumn[] = [
  { name: 'id', dataType: 'int', columnType: 'int(11)', nullable: false, charset: null, extra: 'auto_increment', comment: '', default: null, position: 1 },
  { name: 'name', dataType: 'varchar', columnType: 'varchar(40)', nullable: false, charset: 'utf8mb4', extra: '', comment: 'the name', default: "'x'", position: 2 },
  { name: 'note', dataType: 'text', columnType: 'text', nullable: true, charset: 'utf8mb4', extra: '', comment: '', default: 'NULL', position: 3 },
  { name: 'qty', dataType: 'decimal', columnType: 'decimal(10,2)', nullable: true, charset: null, extra: '', comment: '', default: 'NULL', position: 4 },
  { name: 'st', dataType: 'enum', columnType: "enum('a','b')", nullable: true, charset: 'utf8mb4', extra: '', comment: '', default: 'NULL', position: 5 },
  { name: 'ts', dataType: 'datetime', columnType: 'datetime(3)', nullable: true, charset: null, extra: '', comment: '', default: 'NULL', position: 6 },
];

describe('table changes from the catalog', () => {
  it("describes each column as Debezium 3.5's DDL parser did for the same table", () => {
    expect(catalog.map(tableChangeColumn)).toEqual(fixture.value.payload.tableChanges[0]?.table.columns);
  });

  it('reads types, sizes, options and defaults Debezium names differently from the catalog', () => {
    const column = (overrides: Partial<CatalogColumn>): ReturnType<typeof tableChangeColumn> =>
      tableChangeColumn({ name: 'c', dataType: 'int', columnType: 'int(11)', nullable: true, charset: null, extra: '', comment: '', default: null, position: 1, ...overrides });
    expect(column({ dataType: 'bigint', columnType: 'bigint(20) unsigned zerofill' })).toMatchObject({ jdbcType: -5, typeName: 'BIGINT UNSIGNED ZEROFILL', length: 20 });
    expect(column({ dataType: 'tinyint', columnType: 'tinyint(1)' })).toMatchObject({ jdbcType: 5, typeName: 'TINYINT', length: 1 });
    expect(column({ dataType: 'timestamp', columnType: 'timestamp(6)', default: 'current_timestamp(6)' })).toMatchObject({ jdbcType: 2014, length: 6, defaultValueExpression: 'current_timestamp(6)' });
    expect(column({ dataType: 'set', columnType: "set('x','y','z')" })).toMatchObject({ jdbcType: 1, length: 5, enumValues: ["'x'", "'y'", "'z'"] });
    expect(column({ dataType: 'json', columnType: 'json' })).toMatchObject({ jdbcType: 1111, length: null });
    expect(column({ dataType: 'varbinary', columnType: 'varbinary(16)' })).toMatchObject({ jdbcType: -3, length: 16, charsetName: null });
    expect(column({ extra: 'VIRTUAL GENERATED' })).toMatchObject({ generated: true, autoIncremented: false });
    expect(enumOptions("enum('a,b','it''s')")).toEqual(["'a,b'", "'it''s'"]);
    expect(defaultExpression("'it''s'")).toBe("it's");
    expect(defaultExpression('NULL')).toBeNull();
    expect(defaultExpression('0')).toBe('0');
  });

  it('says CREATE, ALTER or DROP from the statement and whether the table is still there', () => {
    const table = { defaultCharsetName: 'utf8mb4', primaryKeyColumnNames: ['id'], columns: [], comment: null };
    expect(tableChangeOf('CREATE TABLE t (id INT)', 'shop', 't', table)).toEqual({ type: 'CREATE', id: '"shop"."t"', table });
    expect(tableChangeOf('ALTER TABLE t ADD COLUMN c INT', 'shop', 't', table).type).toBe('ALTER');
    expect(tableChangeOf('DROP TABLE t', 'shop', 't', null)).toEqual({ type: 'DROP', id: '"shop"."t"', table: null });
  });
});
