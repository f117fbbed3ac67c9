import { describe, expect, it } from 'vitest';
import type { NumericMapping } from '../polling/options';
import { numericTypmod, type PostgresColumnDescription, PostgresTypeMap } from './postgresTypeMap';

/** numeric(p,s)'s atttypmod. */
const typmod = (precision: number, scale: number): number => ((precision << 16) | (scale & 0x7ff)) + 4;
const describe_ = (typeName: string, extra: Partial<PostgresColumnDescription> = {}): PostgresColumnDescription => ({
  name: 'c',
  typeName,
  columnType: typeName,
  typeModifier: -1,
  nullable: true,
  autoIncrement: false,
  ...extra,
});
const typeOf = (typeName: string, extra: Partial<PostgresColumnDescription> = {}, mapping: NumericMapping = 'none') => new PostgresTypeMap(mapping).column(describe_(typeName, extra)).type;

describe('PostgresTypeMap', () => {
  it('decodes numeric typmods, including negative scales', () => {
    expect(numericTypmod(-1)).toBeUndefined();
    expect(numericTypmod(typmod(10, 2))).toEqual({ precision: 10, scale: 2 });
    expect(numericTypmod(typmod(5, -2))).toEqual({ precision: 5, scale: -2 });
  });

  it('maps integers, floats and booleans', () => {
    expect(typeOf('int2')).toEqual({ kind: 'int16' });
    expect(typeOf('int4')).toEqual({ kind: 'int32' });
    expect(typeOf('int8')).toEqual({ kind: 'int64' });
    expect(typeOf('float4')).toEqual({ kind: 'float32' });
    expect(typeOf('float8')).toEqual({ kind: 'float64' });
    expect(typeOf('bool')).toEqual({ kind: 'boolean' });
    expect(typeOf('bit', { typeModifier: 1 })).toEqual({ kind: 'boolean' });
    expect(typeOf('bit', { typeModifier: 8 })).toEqual({ kind: 'int8' });
    expect(typeOf('bit', { typeModifier: 12 })).toEqual({ kind: 'bytes' });
  });

  it('applies numeric.mapping to numeric (PostgreSQL reports NUMERIC)', () => {
    expect(typeOf('numeric', { typeModifier: typmod(10, 2) })).toEqual({ kind: 'decimal', precision: 10, scale: 2 });
    expect(typeOf('numeric', { typeModifier: typmod(10, 0) }, 'best_fit')).toEqual({ kind: 'int64' });
    expect(typeOf('numeric', { typeModifier: typmod(4, 0) }, 'precision_only')).toEqual({ kind: 'int16' });
    expect(typeOf('numeric', { typeModifier: typmod(10, 2) }, 'best_fit')).toEqual({ kind: 'float64' });
  });

  it('keeps unconstrained numeric exact (string), or float64 under best_fit — upstream truncated it', () => {
    expect(typeOf('numeric')).toEqual({ kind: 'string' });
    expect(typeOf('numeric', {}, 'precision_only')).toEqual({ kind: 'string' });
    expect(typeOf('numeric', {}, 'best_fit')).toEqual({ kind: 'float64' });
    expect(typeOf('numeric', {}, 'best_fit_eager_double')).toEqual({ kind: 'float64' });
  });

  it('maps temporal types with their zone kind', () => {
    const map = new PostgresTypeMap('none');
    expect(map.column(describe_('date'))).toMatchObject({ type: { kind: 'date' }, temporal: 'local' });
    expect(map.column(describe_('time'))).toMatchObject({ type: { kind: 'time' } });
    expect(map.column(describe_('timetz'))).toMatchObject({ type: { kind: 'time' } });
    expect(map.column(describe_('timestamp'))).toMatchObject({ type: { kind: 'timestamp' }, temporal: 'local' });
    expect(map.column(describe_('timestamptz'))).toMatchObject({ type: { kind: 'timestamp' }, temporal: 'instant' });
  });

  it('keeps text forms for everything else rather than dropping the column', () => {
    for (const name of ['text', 'varchar', 'bpchar', 'uuid', 'json', 'jsonb', 'xml', 'money', 'interval', 'inet', 'my_enum']) expect(typeOf(name)).toEqual({ kind: 'string' });
    expect(typeOf('int4', { category: 'A', columnType: 'integer[]' })).toEqual({ kind: 'string' });
    expect(typeOf('bytea')).toEqual({ kind: 'bytes' });
  });

  it('carries nullability, identity and key order', () => {
    expect(new PostgresTypeMap('none').column(describe_('int4', { name: 'id', columnType: 'integer', nullable: false, autoIncrement: true, primaryKeyOrdinal: 1 }))).toEqual({
      name: 'id',
      sourceType: 'integer',
      baseType: 'int4',
      type: { kind: 'int32' },
      optional: false,
      autoIncrement: true,
      primaryKeyOrdinal: 1,
    });
  });
});
