import type { FieldType, FieldValue, SemanticType } from '../model';
import type { ColumnInfo } from './polling/columns';

/**
 * Debezium's column types for log capture: what Debezium's MySQL, MariaDB and PostgreSQL connectors write for a
 * column under `time.precision.mode` and `decimal.handling.mode` (debezium.io 3.x, "How Debezium maps data types"),
 * so a consumer written for Debezium reads Ferry's topics unchanged. The readers keep reading values into Ferry's own
 * types (shared with the polling readers); this maps the column's type and its value onto Debezium's on the way out.
 *
 * | column | adaptive_time_microseconds / adaptive | connect |
 * |---|---|---|
 * | DATE | int32 io.debezium.time.Date (days) | Connect Date |
 * | TIME(p) | int64 MicroTime (µs); adaptive: p ≤ 3 int32 Time (ms); SQL Server time(7) NanoTime (ns) | Connect Time |
 * | DATETIME(p), timestamp(p), datetime2(p) | p ≤ 3 int64 Timestamp (ms), p ≤ 6 int64 MicroTimestamp (µs), p 7 (SQL Server) NanoTimestamp (ns) | Connect Timestamp |
 * | MySQL TIMESTAMP, timestamptz, datetimeoffset | string ZonedTimestamp (ISO-8601, UTC) | the same |
 * | SQL Server bit | boolean | |
 * | YEAR | int32 io.debezium.time.Year | the same |
 * | DECIMAL(p,s) | precise: Connect Decimal; double: float64; string: string | |
 * | BIT(1) / BIT(n) | boolean / bytes io.debezium.data.Bits (little-endian, `length`) | |
 * | ENUM / SET (MySQL) | string io.debezium.data.Enum / EnumSet (`allowed`) | |
 * | JSON (MySQL, PostgreSQL json/jsonb), uuid, xml | string io.debezium.data.Json / Uuid / Xml | |
 * | TINYINT, SMALLINT, MEDIUMINT, INT, BIGINT (± UNSIGNED) | int16, int16/int32, int32, int32/int64, int64 | |
 */

export type TimePrecisionMode = 'adaptive_time_microseconds' | 'adaptive' | 'connect';
export type DecimalHandlingMode = 'precise' | 'double' | 'string';

export interface DebeziumTypeOptions {
  dialect: 'mysql' | 'postgres' | 'sqlserver';
  timePrecisionMode: TimePrecisionMode;
  decimalHandlingMode: DecimalHandlingMode;
}

/** A column as Debezium writes it: its type, and its value from the one Ferry's reader produced (with the raw text). */
export interface DebeziumColumn {
  type: FieldType;
  value(read: Exclude<FieldValue, null>, raw: unknown): FieldValue;
  /**
   * For a date-time column: the value from the epoch milliseconds of the Date the reader would give (the same as
   * `value(new Date(epochMs), raw)`), so a snapshot need not build that Date (issue 13).
   */
  fromMillis?(epochMs: number, raw: unknown): FieldValue;
}

const MS_PER_DAY = 86_400_000;

const semantic = (name: string, parameters?: Record<string, string>): SemanticType => ({ name, version: 1, ...(parameters ? { parameters } : {}) });

/** Debezium's type for one column, or undefined when it is the type Ferry's reader already gives. */
export function debeziumColumn(column: ColumnInfo, options: DebeziumTypeOptions): DebeziumColumn | undefined {
  if (options.dialect === 'sqlserver') return sqlServerColumn(column, options);
  return options.dialect === 'mysql' ? mySqlColumn(column, options) : postgresColumn(column, options);
}

function mySqlColumn(column: ColumnInfo, options: DebeziumTypeOptions): DebeziumColumn | undefined {
  const base = column.baseType;
  const unsigned = column.unsigned === true;
  switch (base) {
    case 'tinyint':
      return { type: { kind: 'int16' }, value: (read) => Number(read) };
    case 'mediumint':
      return { type: { kind: 'int32' }, value: (read) => Number(read) };
    case 'bigint':
      // bigint.unsigned.handling.mode=long: the 64 bits as a signed long, as Debezium's default.
      return unsigned ? { type: { kind: 'int64' }, value: (read) => BigInt.asIntN(64, BigInt(String(read))) } : undefined;
    case 'bit':
      return bitColumn(fractionOrLength(column.sourceType) ?? 1, (read) => BigInt(typeof read === 'boolean' ? Number(read) : String(read)));
    case 'year':
      return { type: { kind: 'int32', semantic: semantic('io.debezium.time.Year') }, value: (read) => (read instanceof Date ? read.getUTCFullYear() : Number(read)) };
    case 'enum':
      return { type: { kind: 'string', semantic: semantic('io.debezium.data.Enum', { allowed: enumLabels(column.sourceType).join(',') }) }, value: (read) => read };
    case 'set':
      return { type: { kind: 'string', semantic: semantic('io.debezium.data.EnumSet', { allowed: enumLabels(column.sourceType).join(',') }) }, value: (read) => read };
    case 'json':
      return { type: { kind: 'string', semantic: semantic('io.debezium.data.Json') }, value: (read) => read };
    case 'timestamp':
      return zonedTimestamp(fractionOrLength(column.sourceType) ?? 0);
    default:
      return commonColumn(column, options, fractionOrLength(column.sourceType) ?? 0);
  }
}

function postgresColumn(column: ColumnInfo, options: DebeziumTypeOptions): DebeziumColumn | undefined {
  switch (column.baseType) {
    case 'uuid':
      return { type: { kind: 'string', semantic: semantic('io.debezium.data.Uuid') }, value: (read) => read };
    case 'json':
    case 'jsonb':
      return { type: { kind: 'string', semantic: semantic('io.debezium.data.Json') }, value: (read) => read };
    case 'xml':
      return { type: { kind: 'string', semantic: semantic('io.debezium.data.Xml') }, value: (read) => read };
    case 'bit': {
      const bits = fractionOrLength(column.sourceType) ?? 1;
      return bitColumn(bits, (read, raw) => BigInt(`0b${typeof raw === 'string' && /^[01]+$/.test(raw) ? raw : String(read)}`));
    }
    case 'timestamptz':
      return zonedTimestamp(-1);
    default:
      // timestamp(p) and time(p) without a precision hold microseconds.
      return commonColumn(column, options, fractionOrLength(column.sourceType) ?? 6);
  }
}

/** SQL Server (Debezium's SqlServerConnector): bit is a boolean, datetimeoffset a ZonedTimestamp; datetime2/time default to precision 7. */
function sqlServerColumn(column: ColumnInfo, options: DebeziumTypeOptions): DebeziumColumn | undefined {
  switch (column.baseType) {
    case 'bit':
      return { type: { kind: 'boolean' }, value: (read) => Number(read) !== 0 };
    case 'datetimeoffset':
      return zonedTimestamp(fractionOrLength(column.sourceType) ?? 7);
    case 'uniqueidentifier':
      return undefined;
    default:
      return commonColumn(column, options, fractionOrLength(column.sourceType) ?? (column.baseType === 'datetime' || column.baseType === 'smalldatetime' ? 3 : 7));
  }
}

/** Dates, times, wall-clock timestamps and decimals, alike on every database. */
function commonColumn(column: ColumnInfo, options: DebeziumTypeOptions, precision: number): DebeziumColumn | undefined {
  const type = column.type;
  const mode = options.timePrecisionMode;
  switch (type.kind) {
    case 'date':
      if (mode === 'connect') return undefined;
      return { type: { kind: 'int32', semantic: semantic('io.debezium.time.Date') }, value: (read) => Math.floor(asDate(read).getTime() / MS_PER_DAY) };
    case 'time':
      if (mode === 'connect') return undefined;
      if (mode === 'adaptive' && precision <= 3) return { type: { kind: 'int32', semantic: semantic('io.debezium.time.Time') }, value: (read) => Number(read) };
      // SQL Server time(7): nanoseconds, as Debezium's adaptive mode writes them.
      if (precision > 6) return { type: { kind: 'int64', semantic: semantic('io.debezium.time.NanoTime') }, value: (read, raw) => nanosOfMillis(Number(read), raw) };
      return { type: { kind: 'int64', semantic: semantic('io.debezium.time.MicroTime') }, value: (read, raw) => microsOfMillis(Number(read), raw) };
    case 'timestamp':
      if (column.temporal === 'instant') return zonedTimestamp(precision);
      if (mode === 'connect') return undefined;
      if (precision <= 3) return fromEpochMillis({ kind: 'int64', semantic: semantic('io.debezium.time.Timestamp') }, (epochMs) => BigInt(epochMs));
      if (precision > 6) return fromEpochMillis({ kind: 'int64', semantic: semantic('io.debezium.time.NanoTimestamp') }, nanosOfMillis);
      return fromEpochMillis({ kind: 'int64', semantic: semantic('io.debezium.time.MicroTimestamp') }, microsOfMillis);
    case 'decimal':
      if (options.decimalHandlingMode === 'double') return { type: { kind: 'float64' }, value: (read) => Number(read) };
      if (options.decimalHandlingMode === 'string') return { type: { kind: 'string' }, value: (read) => String(read) };
      return undefined;
    default:
      return undefined;
  }
}

/** BIT(1) is a boolean; longer bit strings are io.debezium.data.Bits: the value's bytes, least significant first. */
function bitColumn(bits: number, bigintOf: (read: Exclude<FieldValue, null>, raw: unknown) => bigint): DebeziumColumn {
  if (bits <= 1) return { type: { kind: 'boolean' }, value: (read, raw) => bigintOf(read, raw) !== 0n };
  const size = Math.ceil(bits / 8);
  return {
    type: { kind: 'bytes', semantic: semantic('io.debezium.data.Bits', { length: String(bits) }) },
    value: (read, raw) => {
      let value = BigInt.asUintN(bits, bigintOf(read, raw));
      const bytes = new Uint8Array(size);
      for (let index = 0; index < size; index += 1) {
        bytes[index] = Number(value & 0xffn);
        value >>= 8n;
      }
      return bytes;
    },
  };
}

/**
 * io.debezium.time.ZonedTimestamp: the instant in UTC as ISO-8601 (`2026-12-05T10:00:00.125Z`). With a column
 * precision of 1–9 the fraction has exactly that many digits; otherwise (ISO_OFFSET_DATE_TIME) as many as it needs.
 */
function zonedTimestamp(width: number): DebeziumColumn {
  return fromEpochMillis({ kind: 'string', semantic: semantic('io.debezium.time.ZonedTimestamp') }, (epochMs, raw) => isoInstant(epochMs, subMillisMicros(raw), width));
}

/** A date-time column whose value depends only on its epoch milliseconds (and the raw text). */
function fromEpochMillis(type: FieldType, fromMillis: (epochMs: number, raw: unknown) => FieldValue): DebeziumColumn {
  return { type, value: (read, raw) => fromMillis(asDate(read).getTime(), raw), fromMillis };
}

export function isoInstant(epochMs: number, subMicros: number, width: number): string {
  const date = new Date(epochMs);
  const whole = date.toISOString().slice(0, 19);
  const nanos = `${String(date.getUTCMilliseconds()).padStart(3, '0')}${String(subMicros).padStart(3, '0')}000`;
  const fraction = width > 0 && width <= 9 ? nanos.slice(0, width) : nanos.replace(/0+$/, '');
  return `${whole}${fraction === '' ? '' : `.${fraction}`}Z`;
}

/** Microseconds from a millisecond value and the sub-millisecond digits the database printed (`…12.345678` → 678). */
function microsOfMillis(millis: number, raw: unknown): bigint {
  const sub = BigInt(subMillisMicros(raw));
  const micros = BigInt(Math.trunc(millis)) * 1000n;
  return millis < 0 && typeof raw === 'string' && raw.trimStart().startsWith('-') ? micros - sub : micros + sub;
}

/** Nanoseconds from a millisecond value and the sub-millisecond digits printed (`…12.3456789` → 456789 ns past the ms). */
function nanosOfMillis(millis: number, raw: unknown): bigint {
  const sub = BigInt(subMillisNanos(raw));
  const nanos = BigInt(Math.trunc(millis)) * 1_000_000n;
  return millis < 0 && typeof raw === 'string' && raw.trimStart().startsWith('-') ? nanos - sub : nanos + sub;
}

/** Digits 4–9 of a printed fraction of a second (`10:00:00.1234567` → 456700); 0 when there are none. */
export function subMillisNanos(raw: unknown): number {
  if (typeof raw !== 'string') return 0;
  const match = /:\d{2}\.(\d+)/.exec(raw);
  if (!match?.[1]) return 0;
  return Number(`${match[1]}000000000`.slice(3, 9));
}

/** Digits 4–6 of a printed fraction of a second (`10:00:00.125678` → 678); 0 when there are none. */
export function subMillisMicros(raw: unknown): number {
  if (typeof raw !== 'string') return 0;
  const match = /:\d{2}\.(\d+)/.exec(raw);
  if (!match?.[1]) return 0;
  return Number(`${match[1]}000000`.slice(3, 6));
}

function asDate(read: Exclude<FieldValue, null>): Date {
  return read instanceof Date ? read : new Date(Number(read));
}

/** The number in the first parentheses of a declaration: `datetime(6)` → 6, `bit(12)` → 12, `timestamp(3) with time zone` → 3. */
function fractionOrLength(sourceType: string): number | undefined {
  const match = /\((\d+)\)/.exec(sourceType);
  return match?.[1] === undefined ? undefined : Number(match[1]);
}

/** `enum('a','b''c')` → [a, b'c]. */
export function enumLabels(sourceType: string): string[] {
  const open = sourceType.indexOf('(');
  if (open < 0) return [];
  const labels: string[] = [];
  const body = sourceType.slice(open + 1, sourceType.lastIndexOf(')'));
  const pattern = /'((?:[^']|'')*)'/g;
  for (let match = pattern.exec(body); match; match = pattern.exec(body)) labels.push((match[1] ?? '').replace(/''/g, "'"));
  return labels;
}
