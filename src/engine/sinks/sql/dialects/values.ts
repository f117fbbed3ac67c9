import type { FieldType, FieldValue } from '../../../model';
import { civilFromDays } from '../../../model/calendar';
import type { DateTimezone, ValueOptions } from './dialect';
import { sqlDialectError } from './errors';

/**
 * Calendar and clock fields of an instant as seen in a time zone. Connect binds TIMESTAMP, TIME and (by default)
 * DATE values through a Calendar of `db.timezone`, i.e. it writes the wall-clock time of that zone into zone-less
 * columns; these helpers reproduce that without a driver, so the same bytes reach every database.
 */
export interface ZonedParts {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  millisecond: number;
  /** Offset from UTC in minutes (east positive) at that instant; may carry seconds for historic local mean times. */
  offsetMinutes: number;
}

type OffsetResolver = (epochMs: number) => number;

const resolvers = new Map<string, OffsetResolver>();
const FIXED_OFFSET = /^(?:UTC|GMT|UT)?([+-])(\d{1,2})(?::?(\d{2}))?$/i;
const UTC_NAMES = new Set(['utc', 'z', 'gmt', 'ut', 'etc/utc', 'etc/gmt', 'etc/uct', 'uct', 'zulu', 'etc/zulu', 'universal', 'etc/universal']);

/** The offset (ms) a zone has at an instant. Throws SINK_SQL_BAD_TIMEZONE for a zone Java's ZoneId would reject too. */
function resolverFor(timezone: string): OffsetResolver {
  const cached = resolvers.get(timezone);
  if (cached) return cached;
  let resolver: OffsetResolver;
  const fixed = FIXED_OFFSET.exec(timezone.trim());
  if (UTC_NAMES.has(timezone.trim().toLowerCase())) {
    resolver = () => 0;
  } else if (fixed) {
    const hours = Number(fixed[2]);
    const minutes = Number(fixed[3] ?? '0');
    if (hours > 18 || minutes > 59) throw badTimezone(timezone);
    const offset = (fixed[1] === '-' ? -1 : 1) * (hours * 60 + minutes) * 60_000;
    resolver = () => offset;
  } else {
    let format: Intl.DateTimeFormat;
    try {
      // h23 because some ICU versions print midnight as 24 with hour12:false; era so year 1 BC is not read as 1 AD.
      format = new Intl.DateTimeFormat('en-US', {
        timeZone: timezone,
        hourCycle: 'h23',
        era: 'short',
        year: 'numeric',
        month: 'numeric',
        day: 'numeric',
        hour: 'numeric',
        minute: 'numeric',
        second: 'numeric',
      });
    } catch (cause) {
      throw badTimezone(timezone, cause);
    }
    resolver = (epochMs) => {
      const fields: Record<string, string> = {};
      for (const part of format.formatToParts(new Date(epochMs))) fields[part.type] = part.value;
      const year = Number(fields.year);
      const wall = new Date(0);
      wall.setUTCFullYear(fields.era === 'BC' || fields.era === 'B' ? 1 - year : year, Number(fields.month) - 1, Number(fields.day));
      wall.setUTCHours(Number(fields.hour), Number(fields.minute), Number(fields.second), 0);
      return wall.getTime() - (epochMs - mod(epochMs, 1000));
    };
  }
  resolvers.set(timezone, resolver);
  return resolver;
}

function mod(a: number, b: number): number {
  return ((a % b) + b) % b;
}

function badTimezone(timezone: string, cause?: unknown) {
  return sqlDialectError(
    'SINK_SQL_BAD_TIMEZONE',
    `"${timezone}" is not a time zone. Set db.timezone to an IANA zone such as UTC or Europe/Paris, or to a fixed offset such as +02:00.`,
    { timezone },
    cause,
  );
}

/** Throws SINK_SQL_BAD_TIMEZONE unless the zone can be used; lets config validation fail early. */
export function checkTimezone(timezone: string): void {
  resolverFor(timezone);
}

export function zonedParts(date: Date, timezone = 'UTC'): ZonedParts {
  const epochMs = date.getTime();
  if (!Number.isFinite(epochMs)) throw sqlDialectError('SINK_SQL_BAD_VALUE', 'An invalid Date (NaN) cannot be written.');
  const offsetMs = resolverFor(timezone)(epochMs);
  const wall = new Date(epochMs + offsetMs);
  return {
    year: wall.getUTCFullYear(),
    month: wall.getUTCMonth() + 1,
    day: wall.getUTCDate(),
    hour: wall.getUTCHours(),
    minute: wall.getUTCMinutes(),
    second: wall.getUTCSeconds(),
    millisecond: wall.getUTCMilliseconds(),
    offsetMinutes: offsetMs / 60_000,
  };
}

const pad = (value: number, width = 2) => String(value).padStart(width, '0');

function checkYear(parts: ZonedParts): void {
  // Every target's zone-less types stop at 9999, and MySQL starts at 1000; years outside 1..9999 would need
  // per-database syntax (PostgreSQL "BC") for a range no source we read produces.
  if (parts.year < 1 || parts.year > 9999) {
    throw sqlDialectError('SINK_SQL_BAD_VALUE', `The year ${parts.year} is outside 1..9999, which the target's date and time types cannot hold.`);
  }
}

export function formatDateParts(parts: ZonedParts): string {
  checkYear(parts);
  return `${pad(parts.year, 4)}-${pad(parts.month)}-${pad(parts.day)}`;
}

export function formatTimeParts(parts: ZonedParts): string {
  return `${pad(parts.hour)}:${pad(parts.minute)}:${pad(parts.second)}.${pad(parts.millisecond, 3)}`;
}

/** `+HH:MM`; seconds of historic offsets are dropped, which PostgreSQL would reject anyway in a literal. */
export function formatOffset(offsetMinutes: number): string {
  const sign = offsetMinutes < 0 ? '-' : '+';
  const total = Math.trunc(Math.abs(offsetMinutes));
  return `${sign}${pad(Math.floor(total / 60))}:${pad(total % 60)}`;
}

/** The calendar day to write for a Connect Date value (a Date at 00:00 UTC of that day). */
export function dateString(value: Date, options: ValueOptions | undefined): string {
  const zone = dateZone(options?.dateTimezone, options?.timezone);
  const epochMs = finiteEpochMs(value);
  return civilDateText(Math.floor((epochMs + resolverFor(zone)(epochMs)) / MS_PER_DAY));
}

function dateZone(dateTimezone: DateTimezone | undefined, timezone: string | undefined): string {
  // Connect's default DB_TIMEZONE binds the date through a Calendar of db.timezone, so west of UTC the UTC-midnight
  // value lands on the previous day. That is Connect's documented behaviour; date.timezone=UTC is its cure.
  return dateTimezone === 'UTC' ? 'UTC' : (timezone ?? 'UTC');
}

/**
 * The time of day to write for a Connect Time value (ms since midnight). Connect binds it as the instant
 * 1970-01-01T00:00Z + ms through a Calendar of db.timezone, so a non-UTC zone shifts it by that zone's 1970 offset;
 * reproduced so a pipeline moved to Connect writes the same values.
 */
export function timeString(milliseconds: number, options: ValueOptions | undefined): string {
  if (!Number.isInteger(milliseconds) || milliseconds < 0 || milliseconds >= 86_400_000) {
    throw sqlDialectError('SINK_SQL_BAD_VALUE', `A time of day must be whole milliseconds in 0..86399999, got ${milliseconds}.`);
  }
  const wallMs = milliseconds + resolverFor(options?.timezone ?? 'UTC')(milliseconds);
  return clockText(wallMs - Math.floor(wallMs / MS_PER_DAY) * MS_PER_DAY);
}

export type TimestampStyle = 'space' | 'iso' | 'space-offset';

/**
 * The wall-clock time of an instant in db.timezone. `space` for MySQL/MariaDB (their DATETIME literal, no offset:
 * MariaDB rejects one), `iso` for SQL Server (the `T` form is the only one datetime and datetime2 both read the
 * same under every DATEFORMAT/language setting), `space-offset` for PostgreSQL (a TIMESTAMP column ignores the
 * offset and keeps the wall clock, a TIMESTAMPTZ column uses it and stores the exact instant).
 */
export function timestampString(value: Date, options: ValueOptions | undefined, style: TimestampStyle): string {
  return epochMsTimestampString(finiteEpochMs(value), options, style);
}

/**
 * `timestampString` of the instant a Date holding `epochMs` is (a whole number within ±8.64e15; see
 * timestampEpochMs). Straight from the number, no Date or parts object: this runs for every timestamp a sink writes.
 */
export function epochMsTimestampString(epochMs: number, options: ValueOptions | undefined, style: TimestampStyle): string {
  const offsetMs = zoneOffsetMs(epochMs, options);
  const wallMs = epochMs + offsetMs;
  const days = Math.floor(wallMs / MS_PER_DAY);
  const date = dayText(days);
  const time = clockText(wallMs - days * MS_PER_DAY);
  if (style === 'iso') return `${date}T${time}`;
  if (style === 'space-offset') return `${date} ${time}${offsetMs === 0 ? '+00:00' : formatOffset(offsetMs / 60_000)}`;
  return `${date} ${time}`;
}

/** The offset (ms) of db.timezone at an instant: what a timestamp's wall clock adds to its epoch milliseconds. */
export function zoneOffsetMs(epochMs: number, options: ValueOptions | undefined): number {
  return resolverFor(options?.timezone ?? 'UTC')(epochMs);
}

/** `YYYY-MM-DD` of a count of days since 1970-01-01, years outside 1..9999 refused (kept per day, see DATE_TEXT). */
export function dayText(days: number): string {
  const slot = days & DATE_TEXT_SLOTS_MASK;
  return DATE_TEXT_DAYS[slot] === days ? (DATE_TEXT[slot] as string) : rememberDateText(days, slot);
}

export const MS_PER_DAY = 86_400_000;
/** '00'..'99' and '000'..'999', so a clock field costs a lookup, not a padStart. */
const TWO_DIGITS = Array.from({ length: 100 }, (_, value) => String(value).padStart(2, '0'));
const THREE_DIGITS = Array.from({ length: 1000 }, (_, value) => String(value).padStart(3, '0'));

function finiteEpochMs(date: Date): number {
  const epochMs = date.getTime();
  if (!Number.isFinite(epochMs)) throw sqlDialectError('SINK_SQL_BAD_VALUE', 'An invalid Date (NaN) cannot be written.');
  return epochMs;
}

/**
 * The texts of days `timestampString` formatted, by day number modulo 64: a batch's timestamps fall on a few days
 * (a row's several timestamps on neighbouring ones, which take different slots), so most of them reuse a day's text
 * instead of computing the calendar date again. civilDateText refuses a year before its text is kept.
 */
const DATE_TEXT_SLOTS_MASK = 63;
const DATE_TEXT_DAYS = new Float64Array(DATE_TEXT_SLOTS_MASK + 1).fill(Number.NaN);
const DATE_TEXT: string[] = new Array<string>(DATE_TEXT_SLOTS_MASK + 1).fill('');

function rememberDateText(days: number, slot: number): string {
  const text = civilDateText(days);
  DATE_TEXT_DAYS[slot] = days;
  DATE_TEXT[slot] = text;
  return text;
}

/**
 * `YYYY-MM-DD` of a count of days since 1970-01-01 in the proleptic Gregorian calendar (as Date's UTC fields),
 * by Howard Hinnant's civil_from_days; years outside 1..9999 are refused as formatDateParts refuses them.
 */
function civilDateText(days: number): string {
  const { year, month, day } = civilFromDays(days);
  if (year < 1 || year > 9999) {
    throw sqlDialectError('SINK_SQL_BAD_VALUE', `The year ${year} is outside 1..9999, which the target's date and time types cannot hold.`);
  }
  return `${year >= 1000 ? String(year) : pad(year, 4)}-${TWO_DIGITS[month] as string}-${TWO_DIGITS[day] as string}`;
}

/** `HH:MM:SS.mmm` of milliseconds since midnight (0..86399999). */
function clockText(msOfDay: number): string {
  const seconds = Math.floor(msOfDay / 1000);
  const minutes = Math.floor(seconds / 60);
  const hours = Math.floor(minutes / 60);
  return `${TWO_DIGITS[hours] as string}:${TWO_DIGITS[minutes - hours * 60] as string}:${TWO_DIGITS[seconds - minutes * 60] as string}.${THREE_DIGITS[msOfDay - seconds * 1000] as string}`;
}

const DECIMAL = /^-?\d+(\.\d+)?$/;

/** Canonical decimal text, the only form every driver and database converts exactly (no exponent, no spaces). */
export function decimalString(value: FieldValue, type: FieldType, field: string): string {
  if (typeof value === 'string' && DECIMAL.test(value)) return value;
  if (typeof value === 'bigint') return value.toString();
  // A number is accepted only when its shortest text is already plain decimal (no exponent), so nothing is rounded here.
  if (typeof value === 'number' && Number.isFinite(value) && DECIMAL.test(String(value))) return String(value);
  throw badValue(field, type, value, 'a decimal travels as canonical text such as -12.50 (no exponent or spaces)');
}

export function describeValue(value: FieldValue): string {
  if (value === null) return 'null';
  if (value instanceof Date) return `Date(${Number.isNaN(value.getTime()) ? 'invalid' : value.toISOString()})`;
  if (value instanceof Uint8Array) return `${value.byteLength} bytes`;
  if (typeof value === 'bigint') return `${value}n`;
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  return `${typeof value} ${String(value)}`;
}

export function badValue(field: string, type: FieldType, value: FieldValue, why?: string) {
  return sqlDialectError(
    'SINK_SQL_BAD_VALUE',
    `Field "${field}" (${type.kind}) cannot be written: got ${describeValue(value)}${why ? `; ${why}` : ''}. ` +
      'The record does not match its schema; fix the producer or route such records to the dead letter queue (errors.tolerance=all).',
    { field, type: type.kind },
  );
}

/** Checks an integer field value and returns it as a number (int8..int32) — accepting bigint for convenience. */
const SMALL_INTEGER_LIMITS: Readonly<Record<string, readonly [number, number]>> = { int8: [-128, 127], int16: [-32768, 32767], int32: [-2147483648, 2147483647] };
const SAFE_INTEGER_LIMITS = [Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER] as const;

export function smallIntegerValue(value: FieldValue, type: FieldType, field: string): number {
  const [min, max] = SMALL_INTEGER_LIMITS[type.kind] ?? SAFE_INTEGER_LIMITS;
  const number = typeof value === 'bigint' ? Number(value) : value;
  if (typeof number === 'number' && Number.isInteger(number) && number >= min && number <= max) return number;
  throw badValue(field, type, value, `expected a whole number in ${min}..${max}`);
}

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

/** An int64 field value as a bigint; safe-integer numbers and integer strings are accepted too. */
export function int64Value(value: FieldValue, type: FieldType, field: string): bigint {
  let result: bigint | undefined;
  if (typeof value === 'bigint') result = value;
  else if (typeof value === 'number' && Number.isSafeInteger(value)) result = BigInt(value);
  else if (typeof value === 'string' && /^-?\d+$/.test(value)) result = BigInt(value);
  if (result !== undefined && result >= INT64_MIN && result <= INT64_MAX) return result;
  throw badValue(field, type, value, 'expected a 64-bit integer (bigint)');
}

export function bytesValue(value: FieldValue, type: FieldType, field: string): Buffer {
  if (value instanceof Uint8Array) {
    // A view, not a copy: batches can carry megabytes of blobs.
    return Buffer.isBuffer(value) ? value : Buffer.from(value.buffer, value.byteOffset, value.byteLength);
  }
  throw badValue(field, type, value, 'expected bytes (Uint8Array)');
}

/** A valid Date's range: ±100,000,000 days around the epoch. */
const MAX_DATE_MS = 8.64e15;

/**
 * A timestamp field's value as epoch milliseconds: a valid Date's, or, where the field's type says values may be
 * epoch milliseconds (`epochMs`, set by the sink's decoder), a whole number a valid Date could hold. Anything else
 * is refused as `dateValue` refuses it.
 */
export function timestampEpochMs(value: FieldValue, type: FieldType, field: string): number {
  if (typeof value === 'number' && type.kind === 'timestamp' && type.epochMs === true && Number.isInteger(value) && value >= -MAX_DATE_MS && value <= MAX_DATE_MS) return value + 0;
  return dateValue(value, type, field).getTime();
}

export function dateValue(value: FieldValue, type: FieldType, field: string): Date {
  if (value instanceof Date && !Number.isNaN(value.getTime())) return value;
  throw badValue(field, type, value, 'expected a valid Date');
}

export function numberValue(value: FieldValue, type: FieldType, field: string, allowNonFinite: boolean): number {
  if (typeof value === 'number' && (allowNonFinite || Number.isFinite(value))) return value;
  throw badValue(field, type, value, allowNonFinite ? 'expected a number' : 'expected a finite number (this database has no NaN or Infinity)');
}
