import type { FieldValue } from '../../model';
import type { ColumnInfo } from '../polling/columns';
import { parseTimeOfDayMillis, parseWallClock, plainWallClockMillis, type PreciseInstant, wallClockToInstant } from '../polling/instant';
import { bigintFromBytes, bytesOf, canonicalDecimal, parseCalendarDate, toBigInt, toNumber, utcMidnight } from '../polling/values';
import { resolveZone, type Zone } from '../polling/zone';

const UTC = resolveZone('UTC');

/**
 * MySQL/MariaDB values as mysql2 hands them over in text form (dateStrings, bigNumberStrings, unparsed JSON) →
 * Ferry field values. One converter for every MySQL reader: the polling reader's result sets and the binlog
 * reader's row events use the same driver options, so a value reads the same whichever way it was captured.
 * TIMESTAMP columns arrive in UTC (the session's zone); DATETIME wall clocks are read in `zone` (db.timezone).
 */
export class MySqlValueReader {
  constructor(private readonly zone: Zone) {}

  fieldValue(raw: unknown, column: ColumnInfo): FieldValue {
    if (raw === null || raw === undefined) return null;
    const type = column.type;
    if (isBytes(raw) && column.baseType === 'bit') {
      const value = bigintFromBytes(raw);
      if (type.kind === 'int64') return value;
      if (type.kind === 'decimal') return value.toString();
      return Number(value);
    }
    switch (type.kind) {
      case 'int8':
      case 'int16':
      case 'int32':
        return toNumber(raw);
      case 'int64':
        return toBigInt(raw);
      case 'float32':
      case 'float64':
        return toNumber(raw);
      case 'decimal':
        return canonicalDecimal(String(raw), type.scale);
      case 'boolean':
        return toNumber(raw) !== 0;
      case 'string':
        return isBytes(raw) ? Buffer.from(raw).toString('utf8') : typeof raw === 'object' ? JSON.stringify(raw) : String(raw);
      case 'bytes':
        return isBytes(raw) ? bytesOf(raw) : bytesOf(Buffer.from(String(raw), 'utf8'));
      case 'date': {
        if (column.baseType === 'year') {
          const year = toNumber(raw);
          return year === 0 ? zeroDate(column) : utcMidnight(year, 1, 1);
        }
        const text = String(raw);
        if (text.startsWith('0000-00-00')) return zeroDate(column);
        const date = parseCalendarDate(text);
        if (!date) throw new Error(`"${text}" is not a date`);
        return date;
      }
      case 'time': {
        const millis = parseTimeOfDayMillis(String(raw));
        if (millis === undefined) throw new Error(`"${String(raw)}" is not a time`);
        return millis;
      }
      case 'timestamp': {
        const instant = this.instant(raw, column);
        return instant === null ? zeroDate(column) : new Date(instant.epochSecond * 1000 + Math.floor(instant.nano / 1_000_000));
      }
    }
  }

  /**
   * A DATETIME/TIMESTAMP column's value as the epoch milliseconds of the Date fieldValue gives for it, read without the
   * intermediate objects (issue 13); undefined when fieldValue must decide (not the plain text form, a zero date, YEAR).
   */
  timestampMillis(raw: unknown, column: ColumnInfo): number | undefined {
    if (typeof raw !== 'string' || column.type.kind !== 'timestamp' || column.baseType === 'year' || isBytes(raw)) return undefined;
    return plainWallClockMillis(raw, column.temporal === 'instant' ? UTC : this.zone);
  }

  /** The instant a date-time value stands for; null for MySQL's zero date. */
  instant(raw: unknown, column: ColumnInfo): PreciseInstant | null {
    const text = String(raw);
    if (text.startsWith('0000-00-00')) return null;
    if (column.baseType === 'year') return { epochSecond: Math.floor(utcMidnight(toNumber(raw), 1, 1).getTime() / 1000), nano: 0 };
    const wall = parseWallClock(text);
    if (!wall) throw new Error(`"${text}" is not a date-time`);
    return wallClockToInstant(wall, column.temporal === 'instant' ? UTC : this.zone);
  }
}

/** `UTC_TIMESTAMP()` as the server printed it. */
export function parseUtcNow(raw: unknown): PreciseInstant {
  const wall = parseWallClock(String(raw));
  if (!wall) throw new Error(`UTC_TIMESTAMP() returned "${String(raw)}"`);
  return wallClockToInstant(wall, UTC);
}

/**
 * MySQL's zero date ('0000-00-00') has no calendar meaning: null when the column allows it, else the epoch (as
 * Debezium does), since a NOT NULL field cannot carry null.
 */
function zeroDate(column: ColumnInfo): Date | null {
  return column.optional ? null : new Date(0);
}

function isBytes(value: unknown): value is Uint8Array {
  return value instanceof Uint8Array;
}
