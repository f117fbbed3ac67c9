import { describe, expect, it } from 'vitest';
import { describeMySqlCatalogColumn, describeMySqlField, type MySqlColumnDescription, MySqlTypeMap } from './mysqlTypeMap';

const map = new MySqlTypeMap({ numericMapping: 'none', numericMappingForDecimal: false });
const catalog = (columnType: string, dataType = columnType.replace(/\(.*$/, '').replace(/ unsigned$/, ''), extra = ''): MySqlColumnDescription =>
  describeMySqlCatalogColumn({ name: 'c', dataType, columnType, nullable: 'NO', precision: /\((\d+)/.exec(columnType)?.[1] ?? null, scale: /,(\d+)\)/.exec(columnType)?.[1] ?? null, extra, pkOrdinal: null });
const typeOf = (columnType: string, typeMap = map) => typeMap.column(catalog(columnType)).type;

describe('MySqlTypeMap', () => {
  it('maps integers, widening unsigned ones (BIGINT UNSIGNED to decimal(20,0), not an overflowing int64)', () => {
    expect(typeOf('tinyint(4)')).toEqual({ kind: 'int8' });
    expect(typeOf('tinyint(3) unsigned')).toEqual({ kind: 'int16' });
    expect(typeOf('smallint(6)')).toEqual({ kind: 'int16' });
    expect(typeOf('smallint(5) unsigned')).toEqual({ kind: 'int32' });
    expect(typeOf('mediumint(9)')).toEqual({ kind: 'int32' });
    expect(typeOf('mediumint(8) unsigned')).toEqual({ kind: 'int64' });
    expect(typeOf('int(11)')).toEqual({ kind: 'int32' });
    expect(typeOf('int(10) unsigned')).toEqual({ kind: 'int64' });
    expect(typeOf('bigint(20)')).toEqual({ kind: 'int64' });
    expect(typeOf('bigint(20) unsigned')).toEqual({ kind: 'decimal', precision: 20, scale: 0 });
  });

  it('keeps TINYINT(1) an int8 as upstream does, and BIT by width', () => {
    expect(typeOf('tinyint(1)')).toEqual({ kind: 'int8' });
    expect(typeOf('bit(1)')).toEqual({ kind: 'int8' });
    expect(typeOf('bit(10)')).toEqual({ kind: 'int64' });
    expect(typeOf('bit(64)')).toEqual({ kind: 'decimal', precision: 20, scale: 0 });
  });

  it('keeps DECIMAL a decimal whatever numeric.mapping says (upstream #563) unless opted in', () => {
    const bestFit = new MySqlTypeMap({ numericMapping: 'best_fit', numericMappingForDecimal: false });
    expect(typeOf('decimal(10,2)')).toEqual({ kind: 'decimal', precision: 10, scale: 2 });
    expect(typeOf('decimal(10,0)', bestFit)).toEqual({ kind: 'decimal', precision: 10, scale: 0 });
    const optedIn = new MySqlTypeMap({ numericMapping: 'best_fit', numericMappingForDecimal: true });
    expect(typeOf('decimal(10,0)', optedIn)).toEqual({ kind: 'int64' });
    expect(typeOf('decimal(9,0)', optedIn)).toEqual({ kind: 'int32' });
    expect(typeOf('decimal(10,2)', optedIn)).toEqual({ kind: 'float64' });
    expect(typeOf('decimal(30,2)', optedIn)).toEqual({ kind: 'decimal', precision: 30, scale: 2 });
  });

  it('maps floats, text, binary and temporal types', () => {
    expect(typeOf('float')).toEqual({ kind: 'float32' });
    expect(typeOf('double')).toEqual({ kind: 'float64' });
    for (const text of ['varchar(20)', 'char(3)', 'text', 'longtext', "enum('a','b')", "set('a')", 'json']) expect(typeOf(text)).toEqual({ kind: 'string' });
    for (const binary of ['varbinary(16)', 'binary(16)', 'blob', 'longblob', 'geometry']) expect(typeOf(binary)).toEqual({ kind: 'bytes' });
    expect(map.column(catalog('date'))).toMatchObject({ type: { kind: 'date' }, temporal: 'local' });
    expect(map.column(catalog('year(4)'))).toMatchObject({ type: { kind: 'date' } });
    expect(map.column(catalog('time(3)'))).toMatchObject({ type: { kind: 'time' } });
    expect(map.column(catalog('datetime(6)'))).toMatchObject({ type: { kind: 'timestamp' }, temporal: 'local' });
    expect(map.column(catalog('timestamp(6)'))).toMatchObject({ type: { kind: 'timestamp' }, temporal: 'instant' });
  });

  it('reads nullability, auto-increment and key position from the catalog row', () => {
    const column = map.column(
      describeMySqlCatalogColumn({ name: 'id', dataType: 'bigint', columnType: 'bigint(20) unsigned', nullable: 'NO', precision: 20, scale: 0, extra: 'auto_increment', pkOrdinal: 1 }),
    );
    expect(column).toEqual({
      name: 'id',
      sourceType: 'bigint(20) unsigned',
      baseType: 'bigint',
      type: { kind: 'decimal', precision: 20, scale: 0 },
      optional: false,
      autoIncrement: true,
      primaryKeyOrdinal: 1,
      unsigned: true,
    });
    expect(map.column(describeMySqlCatalogColumn({ name: 'n', dataType: 'int', columnType: 'int(11)', nullable: 'YES', precision: 10, scale: 0, extra: '', pkOrdinal: null })).optional).toBe(true);
  });

  it('describes query-mode result fields from their packets', () => {
    expect(describeMySqlField({ name: 'amount', columnType: 246, flags: 1, decimals: 2, columnLength: 12 })).toMatchObject({
      dataType: 'decimal',
      precision: 10,
      scale: 2,
      nullable: false,
      columnType: 'decimal(10,2)',
    });
    expect(describeMySqlField({ name: 'id', columnType: 8, flags: 1 | 2 | 32 | 512 })).toMatchObject({ dataType: 'bigint', unsigned: true, autoIncrement: true, nullable: false });
    expect(describeMySqlField({ name: 'b', columnType: 252, flags: 16 | 128, characterSet: 63 })).toMatchObject({ dataType: 'blob' });
    expect(describeMySqlField({ name: 't', columnType: 252, flags: 16, characterSet: 224 })).toMatchObject({ dataType: 'text' });
    expect(describeMySqlField({ name: 'v', columnType: 253, flags: 128, characterSet: 63 })).toMatchObject({ dataType: 'varbinary' });
    expect(describeMySqlField({ name: 'bits', columnType: 16, columnLength: 10 })).toMatchObject({ dataType: 'bit', length: 10 });
    expect(map.column(describeMySqlField({ name: 'ts', columnType: 7 }))).toMatchObject({ temporal: 'instant', optional: true });
  });
});
