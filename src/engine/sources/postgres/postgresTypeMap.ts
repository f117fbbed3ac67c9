import type { FieldType } from '../../model';
import { type ColumnInfo, mapNumeric, type TemporalKind } from '../polling/columns';
import type { NumericMapping } from '../polling/options';

/** A PostgreSQL column as pg_attribute/pg_type (or a result field) describes it. */
export interface PostgresColumnDescription {
  name: string;
  /** pg_type.typname of the type (of the base type for domains): `int4`, `numeric`, `timestamptz`, … */
  typeName: string;
  /** format_type() output, e.g. `numeric(10,2)`, kept as the source type. */
  columnType: string;
  /** atttypmod; -1 when the type has no modifier. */
  typeModifier: number;
  /** pg_type.typcategory ('A' for arrays, 'E' enums, …). */
  category?: string;
  nullable: boolean;
  autoIncrement: boolean;
  primaryKeyOrdinal?: number;
}

/** A row of PostgresDialect.describeColumns (in its column order) as a column description. */
export function describePostgresCatalogColumn(row: readonly unknown[]): PostgresColumnDescription {
  const description: PostgresColumnDescription = {
    name: String(row[0]),
    typeName: String(row[1]),
    columnType: String(row[2]),
    typeModifier: Number(row[3]),
    nullable: row[4] === 't' || row[4] === true,
    autoIncrement: row[5] === 't' || row[5] === true,
    category: String(row[7] ?? ''),
  };
  if (row[6] !== null && row[6] !== undefined) description.primaryKeyOrdinal = Number(row[6]);
  return description;
}

/** numeric's typmod: precision in the high 16 bits, scale (11-bit signed since PostgreSQL 15) in the low ones. */
export function numericTypmod(typmod: number): { precision: number; scale: number } | undefined {
  if (typmod < 4) return undefined;
  const value = typmod - 4;
  return { precision: (value >> 16) & 0xffff, scale: ((value & 0x7ff) ^ 1024) - 1024 };
}

/**
 * PostgreSQL types → Ferry field types, following pgjdbc + kafka-connect-jdbc's PostgreSqlDatabaseDialect:
 *
 * | PostgreSQL | Ferry | note |
 * |---|---|---|
 * | smallint / integer / bigint, serial types | int16 / int32 / int64 | |
 * | real / double precision | float32 / float64 | |
 * | numeric(p,s) | numeric.mapping applies (pgjdbc reports NUMERIC): decimal(p,s), or int/float64 | |
 * | numeric (no precision) | **string** with none/precision_only, **float64** with best_fit* | upstream: Decimal with scale 0 (rounds every fraction away) or, with best_fit, INT8 (overflows); neither is fixable inside a fixed-scale decimal, so Ferry keeps the exact text or a double |
 * | boolean, bit(1) | boolean | |
 * | bit(2…8) / bit(>8) | int8 / bytes | as upstream |
 * | date | date | |
 * | time / timetz | time | timetz is converted to UTC |
 * | timestamp | timestamp (zone-less, read in db.timezone) | |
 * | timestamptz | timestamp (an instant) | |
 * | text, varchar, char, name, uuid, json, jsonb, xml, enums | string | |
 * | bytea | bytes | |
 * | money, interval, arrays, ranges, inet, geometric, varbit, … | string (PostgreSQL's text form) | upstream drops these columns from the record |
 */
export class PostgresTypeMap {
  constructor(private readonly numericMapping: NumericMapping) {}

  column(description: PostgresColumnDescription): ColumnInfo {
    const { type, temporal } = this.fieldType(description);
    const column: ColumnInfo = {
      name: description.name,
      sourceType: description.columnType,
      baseType: description.category === 'A' ? 'array' : description.typeName,
      type,
      optional: description.nullable,
      autoIncrement: description.autoIncrement,
    };
    if (description.primaryKeyOrdinal !== undefined) column.primaryKeyOrdinal = description.primaryKeyOrdinal;
    if (temporal) column.temporal = temporal;
    return column;
  }

  fieldType(description: PostgresColumnDescription): { type: FieldType; temporal?: TemporalKind } {
    if (description.category === 'A') return { type: { kind: 'string' } };
    switch (description.typeName) {
      case 'int2':
        return { type: { kind: 'int16' } };
      case 'int4':
        return { type: { kind: 'int32' } };
      case 'int8':
      case 'oid':
        return { type: { kind: 'int64' } };
      case 'float4':
        return { type: { kind: 'float32' } };
      case 'float8':
        return { type: { kind: 'float64' } };
      case 'numeric': {
        const typmod = numericTypmod(description.typeModifier);
        if (!typmod) {
          return { type: this.numericMapping === 'best_fit' || this.numericMapping === 'best_fit_eager_double' ? { kind: 'float64' } : { kind: 'string' } };
        }
        return { type: mapNumeric(typmod.precision, typmod.scale, this.numericMapping) };
      }
      case 'bool':
        return { type: { kind: 'boolean' } };
      case 'bit': {
        const bits = description.typeModifier > 0 ? description.typeModifier : 1;
        if (bits <= 1) return { type: { kind: 'boolean' } };
        if (bits <= 8) return { type: { kind: 'int8' } };
        return { type: { kind: 'bytes' } };
      }
      case 'date':
        return { type: { kind: 'date' }, temporal: 'local' };
      case 'time':
        return { type: { kind: 'time' }, temporal: 'local' };
      case 'timetz':
        return { type: { kind: 'time' }, temporal: 'instant' };
      case 'timestamp':
        return { type: { kind: 'timestamp' }, temporal: 'local' };
      case 'timestamptz':
        return { type: { kind: 'timestamp' }, temporal: 'instant' };
      case 'bytea':
        return { type: { kind: 'bytes' } };
      default:
        return { type: { kind: 'string' } };
    }
  }
}
