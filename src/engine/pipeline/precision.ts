import type { FieldSchema } from '../model';

/** Fraction-of-second digits a declaration keeps: `timestamp(6)` → 6; the database's default when none is written. */
function fractionDigits(sourceType: string): number | undefined {
  const type = sourceType.toLowerCase();
  const declared = /^(?:timestamp|datetime2?|time|datetimeoffset)\s*\((\d+)\)/.exec(type);
  if (declared?.[1]) return Number(declared[1]);
  // Undeclared precision: PostgreSQL keeps microseconds, SQL Server's datetime2/time/datetimeoffset 100 ns,
  // MySQL's datetime/timestamp/time whole seconds.
  if (/^(?:timestamp|time)(?: with(?:out)? time zone)?$|^timestamptz$|^timetz$/.test(type)) return 6;
  if (/^(?:datetime2|datetimeoffset)$/.test(type)) return 7;
  return undefined;
}

/**
 * What a column loses on its way source → Connect/Avro, written for the user; undefined when nothing. These are the
 * traps data-diff's normalisers exist for (timestamp precision, unscaled NUMERIC, decimals read as doubles), shown
 * before the pipeline runs instead of found by a diff after.
 */
export function sourcePrecisionLoss(field: FieldSchema): string | undefined {
  const sourceType = field.sourceType ?? '';
  const kind = field.type.kind;
  if (kind === 'timestamp' || kind === 'time') {
    const digits = fractionDigits(sourceType);
    if (digits !== undefined && digits > 3) {
      return `${sourceType} keeps ${digits} fraction digits; Connect's ${kind === 'time' ? 'Time' : 'Timestamp'} keeps milliseconds, so the last ${digits - 3} are dropped.`;
    }
  }
  if ((kind === 'float64' || kind === 'float32') && /^(?:numeric|decimal|number|money)/i.test(sourceType)) {
    return `${sourceType} is read as a ${kind === 'float64' ? 'double' : 'float'} (numeric.mapping), which rounds exact decimals beyond ${kind === 'float64' ? 15 : 6} significant digits.`;
  }
  if (kind === 'decimal' && /^(?:numeric|decimal)$/i.test(sourceType.trim())) {
    return `${sourceType} without a declared precision and scale travels as decimal(${field.type.precision},${field.type.scale}); values with more fraction digits are rounded. Declare numeric(p,s) at the source.`;
  }
  return undefined;
}
