import { describe, expect, it } from 'vitest';
import { type SqlServerColumnDescription, SqlServerTypeMap, sourceTypeOf } from './sqlServerTypeMap';

const map = new SqlServerTypeMap({ numericMapping: 'none', numericMappingForDecimal: false });
const d = (typeName: string, extra: Partial<SqlServerColumnDescription> = {}): SqlServerColumnDescription => ({ name: 'c', typeName, nullable: false, identity: false, ...extra });

describe('SqlServerTypeMap', () => {
  it('maps integers as upstream (bit → int8, unsigned tinyint → int16)', () => {
    expect(map.column(d('bit')).type).toEqual({ kind: 'int8' });
    expect(map.column(d('tinyint')).type).toEqual({ kind: 'int16' });
    expect(map.column(d('smallint')).type).toEqual({ kind: 'int16' });
    expect(map.column(d('int')).type).toEqual({ kind: 'int32' });
    expect(map.column(d('bigint')).type).toEqual({ kind: 'int64' });
  });

  it('applies numeric.mapping to numeric but not to decimal or money (upstream #563)', () => {
    const bestFit = new SqlServerTypeMap({ numericMapping: 'best_fit', numericMappingForDecimal: false });
    expect(bestFit.column(d('numeric', { precision: 10, scale: 0 })).type).toEqual({ kind: 'int64' });
    expect(bestFit.column(d('numeric', { precision: 5, scale: 0 })).type).toEqual({ kind: 'int32' });
    expect(bestFit.column(d('numeric', { precision: 12, scale: 3 })).type).toEqual({ kind: 'float64' });
    expect(bestFit.column(d('numeric', { precision: 38, scale: 3 })).type).toEqual({ kind: 'decimal', precision: 38, scale: 3 });
    expect(bestFit.column(d('decimal', { precision: 10, scale: 0 })).type).toEqual({ kind: 'decimal', precision: 10, scale: 0 });
    expect(bestFit.column(d('money')).type).toEqual({ kind: 'decimal', precision: 19, scale: 4 });
    expect(bestFit.column(d('smallmoney')).type).toEqual({ kind: 'decimal', precision: 10, scale: 4 });
    const optedIn = new SqlServerTypeMap({ numericMapping: 'best_fit', numericMappingForDecimal: true });
    expect(optedIn.column(d('decimal', { precision: 10, scale: 0 })).type).toEqual({ kind: 'int64' });
    expect(map.column(d('numeric', { precision: 18, scale: 2 })).type).toEqual({ kind: 'decimal', precision: 18, scale: 2 });
  });

  it('maps floats, temporal types with their zone kind, text and binary', () => {
    expect(map.column(d('real')).type).toEqual({ kind: 'float32' });
    expect(map.column(d('float')).type).toEqual({ kind: 'float64' });
    expect(map.column(d('date'))).toMatchObject({ type: { kind: 'date' }, temporal: 'local' });
    expect(map.column(d('time'))).toMatchObject({ type: { kind: 'time' } });
    for (const local of ['datetime', 'datetime2', 'smalldatetime']) expect(map.column(d(local))).toMatchObject({ type: { kind: 'timestamp' }, temporal: 'local' });
    expect(map.column(d('datetimeoffset'))).toMatchObject({ type: { kind: 'timestamp' }, temporal: 'instant' });
    for (const text of ['char', 'varchar', 'nchar', 'nvarchar', 'text', 'ntext', 'xml', 'uniqueidentifier', 'sql_variant', 'sysname']) {
      expect(map.column(d(text)).type).toEqual({ kind: 'string' });
    }
    for (const binary of ['binary', 'varbinary', 'image', 'timestamp', 'geography', 'geometry', 'hierarchyid']) expect(map.column(d(binary)).type).toEqual({ kind: 'bytes' });
  });

  it('keeps identity, key order and nullability', () => {
    expect(map.column(d('int', { name: 'Id', identity: true, primaryKeyOrdinal: 1 }))).toEqual({
      name: 'Id',
      sourceType: 'int',
      baseType: 'int',
      type: { kind: 'int32' },
      optional: false,
      autoIncrement: true,
      primaryKeyOrdinal: 1,
    });
    expect(map.column(d('int', { nullable: true })).optional).toBe(true);
  });

  it('prints declarations as SQL Server writes them', () => {
    expect(sourceTypeOf(d('decimal', { precision: 18, scale: 2 }))).toBe('decimal(18,2)');
    expect(sourceTypeOf(d('nvarchar', { maxLength: 100 }))).toBe('nvarchar(50)');
    expect(sourceTypeOf(d('nvarchar', { maxLength: -1 }))).toBe('nvarchar(max)');
    expect(sourceTypeOf(d('varbinary', { maxLength: -1 }))).toBe('varbinary(max)');
    expect(sourceTypeOf(d('varchar', { maxLength: 20 }))).toBe('varchar(20)');
    expect(sourceTypeOf(d('datetime2', { scale: 3 }))).toBe('datetime2(3)');
    expect(sourceTypeOf(d('nvarchar', { declaredType: 'sysname', maxLength: 256 }))).toBe('sysname');
    expect(sourceTypeOf(d('int'))).toBe('int');
  });
});
