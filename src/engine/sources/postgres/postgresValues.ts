import type { FieldValue } from '../../model';
import type { ColumnInfo } from '../polling/columns';
import { parseTimeOfDayMillis, parseWallClock, type PreciseInstant, wallClockToInstant } from '../polling/instant';
import { bytesOf, canonicalDecimal, parseCalendarDate, toBigInt, toNumber } from '../polling/values';
import type { Zone } from '../polling/zone';

/**
 * PostgreSQL values in their own text form (bytea excepted: bytes) → Ferry field values. One converter for every
 * PostgreSQL reader: the polling reader's result sets and the logical-decoding reader's pgoutput tuples both carry
 * the server's text, so a value reads the same whichever way it was captured. Zone-less timestamps are read in
 * `zone` (db.timezone).
 */
export class PostgresValueReader {
  constructor(private readonly zone: Zone) {}

  fieldValue(raw: unknown, column: ColumnInfo): FieldValue {
    if (raw === null || raw === undefined) return null;
    const type = column.type;
    const text = typeof raw === 'string' ? raw : undefined;
    switch (type.kind) {
      case 'int8':
        if (column.baseType === 'bit') {
          // bit(2…8) as upstream's INT8: the bits as an unsigned byte, stored in a signed one.
          const value = parseInt(String(raw), 2);
          return value > 127 ? value - 256 : value;
        }
        return toNumber(raw);
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
        if (column.baseType === 'bit') return String(raw) === '1';
        return raw === true || raw === 't' || raw === 'true';
      case 'string':
        return String(raw);
      case 'bytes':
        if (raw instanceof Uint8Array) return bytesOf(raw);
        if (column.baseType === 'bit') return bitsToBytes(String(raw));
        return bytesOf(Buffer.from(String(raw), 'utf8'));
      case 'date': {
        if (text !== undefined && /infinity/i.test(text)) return column.optional ? null : new Date(0);
        const date = parseCalendarDate(String(raw));
        if (!date) throw new Error(`"${String(raw)}" is not a date`);
        return date;
      }
      case 'time':
        return timeOfDay(String(raw));
      case 'timestamp': {
        const instant = this.instant(raw, column);
        if (instant === null) return column.optional ? null : new Date(0);
        return new Date(instant.epochSecond * 1000 + Math.floor(instant.nano / 1_000_000));
      }
    }
  }

  instant(raw: unknown, _column?: ColumnInfo): PreciseInstant | null {
    // timestamptz text carries its offset, timestamp text does not (read in db.timezone): one parse covers both.
    const text = String(raw);
    // ±infinity has no instant; such rows cannot be positioned and read as null.
    if (/infinity/i.test(text)) return null;
    const wall = parseWallClock(text);
    if (!wall) throw new Error(`"${text}" is not a date-time`);
    return wallClockToInstant(wall, this.zone);
  }

  /** CURRENT_TIMESTAMP as the server printed it. */
  now(raw: unknown): PreciseInstant {
    const wall = parseWallClock(String(raw));
    if (!wall || wall.offsetSeconds === undefined) throw new Error(`CURRENT_TIMESTAMP returned "${String(raw)}"`);
    return wallClockToInstant(wall, this.zone);
  }
}

/** `HH:MM:SS[.ffffff][±HH[:MM]]` → milliseconds since midnight; a timetz offset is removed (UTC time of day). */
function timeOfDay(text: string): number {
  const match = /^([^+-]+)([+-]\d{1,2}(?::?\d{2}(?::?\d{2})?)?)?$/.exec(text.trim());
  const millis = match?.[1] ? parseTimeOfDayMillis(match[1]) : undefined;
  if (millis === undefined) throw new Error(`"${text}" is not a time`);
  if (!match?.[2]) return millis;
  const sign = match[2].startsWith('-') ? -1 : 1;
  const [h = '0', m = '0', s = '0'] = match[2].slice(1).split(':');
  const offsetMillis = sign * (Number(h) * 3_600_000 + Number(m) * 60_000 + Number(s) * 1000);
  return (((millis - offsetMillis) % 86_400_000) + 86_400_000) % 86_400_000;
}

/** bit(n) text (`0101…`) → bytes, left-padded to whole bytes. */
function bitsToBytes(bits: string): Uint8Array {
  const padded = bits.padStart(Math.ceil(bits.length / 8) * 8, '0');
  const out = new Uint8Array(padded.length / 8);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(padded.slice(i * 8, i * 8 + 8), 2);
  return out;
}
