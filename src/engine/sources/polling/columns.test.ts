import { describe, expect, it } from 'vitest';
import { type ColumnInfo, decimalType, findColumn, keySchemaOf, mapNumeric, valueSchemaOf } from './columns';

describe('numeric.mapping (GenericDatabaseDialect semantics)', () => {
  it('none keeps every NUMERIC a decimal', () => {
    expect(mapNumeric(5, 0, 'none')).toEqual({ kind: 'decimal', precision: 5, scale: 0 });
    expect(mapNumeric(10, 2, 'none')).toEqual({ kind: 'decimal', precision: 10, scale: 2 });
  });

  it('precision_only maps scale 0 and precision ≤ 18 to integers by precision', () => {
    expect(mapNumeric(2, 0, 'precision_only')).toEqual({ kind: 'int8' });
    expect(mapNumeric(4, 0, 'precision_only')).toEqual({ kind: 'int16' });
    expect(mapNumeric(9, 0, 'precision_only')).toEqual({ kind: 'int32' });
    expect(mapNumeric(10, 0, 'precision_only')).toEqual({ kind: 'int64' });
    expect(mapNumeric(18, 0, 'precision_only')).toEqual({ kind: 'int64' });
    expect(mapNumeric(19, 0, 'precision_only')).toEqual({ kind: 'decimal', precision: 19, scale: 0 });
    expect(mapNumeric(10, 2, 'precision_only')).toEqual({ kind: 'decimal', precision: 10, scale: 2 });
  });

  it('best_fit adds float64 for scale > 0 within 18 digits', () => {
    expect(mapNumeric(10, 0, 'best_fit')).toEqual({ kind: 'int64' });
    expect(mapNumeric(10, 2, 'best_fit')).toEqual({ kind: 'float64' });
    expect(mapNumeric(20, 2, 'best_fit')).toEqual({ kind: 'decimal', precision: 20, scale: 2 });
    expect(mapNumeric(20, 0, 'best_fit')).toEqual({ kind: 'decimal', precision: 20, scale: 0 });
  });

  it('best_fit_eager_double maps any positive scale to float64', () => {
    expect(mapNumeric(30, 5, 'best_fit_eager_double')).toEqual({ kind: 'float64' });
    expect(mapNumeric(8, 0, 'best_fit_eager_double')).toEqual({ kind: 'int32' });
    expect(mapNumeric(30, 0, 'best_fit_eager_double')).toEqual({ kind: 'decimal', precision: 30, scale: 0 });
  });

  it('counts the real digits of negative scales (fixing an upstream overflow) and keeps Avro-legal decimals', () => {
    expect(mapNumeric(16, -2, 'best_fit')).toEqual({ kind: 'int64' });
    expect(mapNumeric(7, -2, 'best_fit')).toEqual({ kind: 'int32' });
    expect(mapNumeric(18, -2, 'best_fit')).toEqual({ kind: 'decimal', precision: 20, scale: 0 });
    expect(decimalType(5, -2)).toEqual({ kind: 'decimal', precision: 7, scale: 0 });
  });
});

describe('schemas from columns', () => {
  const column = (name: string, extra: Partial<ColumnInfo> = {}): ColumnInfo => ({
    name,
    sourceType: 'int',
    baseType: 'int',
    type: { kind: 'int32' },
    optional: false,
    autoIncrement: false,
    ...extra,
  });

  it('key schema follows the primary key order; none without a key', () => {
    const columns = [column('b', { primaryKeyOrdinal: 2 }), column('note', { optional: true }), column('a', { primaryKeyOrdinal: 1 })];
    expect(keySchemaOf('tKey', columns)?.fields.map((f) => f.name)).toEqual(['a', 'b']);
    expect(keySchemaOf('tKey', [column('x')])).toBeNull();
    expect(valueSchemaOf('t', columns)).toEqual({
      name: 't',
      fields: [
        { name: 'b', type: { kind: 'int32' }, optional: false, sourceType: 'int' },
        { name: 'note', type: { kind: 'int32' }, optional: true, sourceType: 'int' },
        { name: 'a', type: { kind: 'int32' }, optional: false, sourceType: 'int' },
      ],
    });
  });

  it('finds configured columns exactly, then by a unique case-insensitive match', () => {
    const columns = [column('UpdatedAt'), column('id'), column('ID2'), column('Dup'), column('dup')];
    expect(findColumn(columns, 'UpdatedAt')?.name).toBe('UpdatedAt');
    expect(findColumn(columns, 'updatedat')?.name).toBe('UpdatedAt');
    expect(findColumn(columns, 'dup')?.name).toBe('dup');
    expect(findColumn(columns, 'DUP')).toBeUndefined();
    expect(findColumn(columns, 'missing')).toBeUndefined();
  });
});
