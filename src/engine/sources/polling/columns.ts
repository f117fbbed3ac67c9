import type { FieldSchema, FieldType, RecordSchema } from '../../model';
import type { NumericMapping } from './options';

/**
 * Date-time columns are either wall clocks without a zone (DATETIME, timestamp without time zone, datetime2: read
 * and bound in db.timezone) or instants (MySQL TIMESTAMP, timestamptz, datetimeoffset: the zone is irrelevant).
 */
export type TemporalKind = 'local' | 'instant';

/** One column as a reader knows it: what the database declares and what Ferry maps it to. */
export interface ColumnInfo {
  name: string;
  /** The declaration as the database prints it (`decimal(10,2)`, `int unsigned`), kept in FieldSchema.sourceType. */
  sourceType: string;
  /** The lower-case base type name the dialect and the value converter branch on (`decimal`, `datetime2`, `int8`). */
  baseType: string;
  type: FieldType;
  optional: boolean;
  autoIncrement: boolean;
  /** 1-based position in the primary key. */
  primaryKeyOrdinal?: number;
  /** Set for date, time and timestamp columns. */
  temporal?: TemporalKind;
  /** True for unsigned integer columns (MySQL), which widen to the next type. */
  unsigned?: boolean;
}

const MAX_INTEGER_TYPE_PRECISION = 18;
const NUMERIC_TYPE_SCALE_LOW = -84;

/** The integer type upstream picks for a NUMERIC of `precision` digits (≤2 int8, ≤4 int16, ≤9 int32, else int64). */
export function integerTypeForPrecision(precision: number): FieldType {
  if (precision > 9) return { kind: 'int64' };
  if (precision > 4) return { kind: 'int32' };
  if (precision > 2) return { kind: 'int16' };
  return { kind: 'int8' };
}

/**
 * A decimal type Avro can carry. Negative scales (PostgreSQL 15+, Oracle) hold integers with trailing zeros, so they
 * become scale 0 with the extra digits (upstream keeps the negative scale, which Avro rejects).
 */
export function decimalType(precision: number, scale: number): FieldType {
  if (scale < 0) return { kind: 'decimal', precision: precision - scale, scale: 0 };
  return { kind: 'decimal', precision: Math.max(precision, scale, 1), scale };
}

/**
 * `numeric.mapping` for a column the driver reports as NUMERIC (GenericDatabaseDialect#addFieldToSchema). One fix:
 * with a negative scale the integer type is chosen from the real digit count (precision − scale), not the
 * precision alone, which overflowed upstream.
 */
export function mapNumeric(precision: number, scale: number, mapping: NumericMapping): FieldType {
  const integerDigits = scale < 0 ? precision - scale : precision;
  const integral = scale < 1 && scale >= NUMERIC_TYPE_SCALE_LOW;
  switch (mapping) {
    case 'precision_only':
      if (scale === 0 && precision <= MAX_INTEGER_TYPE_PRECISION) return integerTypeForPrecision(precision);
      break;
    case 'best_fit':
      if (precision <= MAX_INTEGER_TYPE_PRECISION) {
        if (integral && integerDigits <= MAX_INTEGER_TYPE_PRECISION) return integerTypeForPrecision(integerDigits);
        if (scale > 0) return { kind: 'float64' };
      }
      break;
    case 'best_fit_eager_double':
      if (integral) {
        if (integerDigits <= MAX_INTEGER_TYPE_PRECISION) return integerTypeForPrecision(integerDigits);
      } else if (scale > 0) {
        return { kind: 'float64' };
      }
      break;
    case 'none':
      break;
  }
  return decimalType(precision, scale);
}

export function isIntegerType(type: FieldType): boolean {
  return type.kind === 'int8' || type.kind === 'int16' || type.kind === 'int32' || type.kind === 'int64';
}

/** Columns usable as `incrementing.column.name`: integers, or decimals with scale 0 (upstream's rule). */
export function isIncrementingType(type: FieldType): boolean {
  return isIntegerType(type) || (type.kind === 'decimal' && type.scale === 0);
}

export function isTimestampColumn(column: ColumnInfo): boolean {
  return column.type.kind === 'timestamp' || column.type.kind === 'date';
}

function field(column: ColumnInfo): FieldSchema {
  return { name: column.name, type: column.type, optional: column.optional, sourceType: column.sourceType };
}

/** Value schema: every column, named after the bare table (upstream's record name) or unnamed in query mode. */
export function valueSchemaOf(name: string, columns: readonly ColumnInfo[]): RecordSchema {
  return { name, fields: columns.map(field) };
}

/** Key schema: the primary-key columns in key order; null when the table has none (or in query mode). */
export function keySchemaOf(name: string, columns: readonly ColumnInfo[]): RecordSchema | null {
  const keyColumns = primaryKeyColumns(columns);
  if (keyColumns.length === 0) return null;
  return { name, fields: keyColumns.map((column) => ({ ...field(column), optional: false })) };
}

export function primaryKeyColumns(columns: readonly ColumnInfo[]): ColumnInfo[] {
  return columns
    .filter((column) => column.primaryKeyOrdinal !== undefined)
    .sort((a, b) => (a.primaryKeyOrdinal ?? 0) - (b.primaryKeyOrdinal ?? 0));
}

/**
 * Finds a configured column: exact name first, then a unique case-insensitive match (upstream's fallback for
 * timestamp columns; Ferry uses it for the incrementing column too, since databases fold unquoted names).
 */
export function findColumn(columns: readonly ColumnInfo[], name: string): ColumnInfo | undefined {
  const exact = columns.find((column) => column.name === name);
  if (exact) return exact;
  const folded = columns.filter((column) => column.name.toLowerCase() === name.toLowerCase());
  return folded.length === 1 ? folded[0] : undefined;
}
