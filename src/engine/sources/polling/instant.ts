import { civilFromDays, daysFromCivil } from '../../model/calendar';
import type { Zone } from './zone';

/**
 * An instant with nanosecond precision. JS Dates stop at milliseconds, but MySQL DATETIME(6), PostgreSQL timestamp
 * and SQL Server datetime2(7) go further; a timestamp position rounded to milliseconds would make the next poll
 * re-read (or, rounded up, skip) rows. Connect keeps the same precision (`timestamp` + `timestamp_nanos`).
 */
export interface PreciseInstant {
  /** Whole seconds since 1970-01-01T00:00:00Z, floored (so negative instants have a positive `nano`). */
  readonly epochSecond: number;
  /** Nanoseconds within that second, 0 … 999,999,999. */
  readonly nano: number;
}

export function compareInstants(a: PreciseInstant, b: PreciseInstant): number {
  return a.epochSecond !== b.epochSecond ? a.epochSecond - b.epochSecond : a.nano - b.nano;
}

export function instantFromMillis(millis: number, nanosOfSecond?: number): PreciseInstant {
  const epochSecond = Math.floor(millis / 1000);
  const nano = nanosOfSecond ?? (millis - epochSecond * 1000) * 1_000_000;
  return { epochSecond, nano };
}

/** Epoch milliseconds, floored like java.sql.Timestamp#getTime. */
export function instantToMillis(instant: PreciseInstant): number {
  return instant.epochSecond * 1000 + Math.floor(instant.nano / 1_000_000);
}

export function instantToDate(instant: PreciseInstant): Date {
  return new Date(instantToMillis(instant));
}

export function plusNanos(instant: PreciseInstant, nanos: number): PreciseInstant {
  const total = instant.nano + nanos;
  const carry = Math.floor(total / 1_000_000_000);
  return { epochSecond: instant.epochSecond + carry, nano: total - carry * 1_000_000_000 };
}

export function minusMillis(instant: PreciseInstant, millis: number): PreciseInstant {
  const seconds = Math.floor(millis / 1000);
  return plusNanos({ epochSecond: instant.epochSecond - seconds, nano: instant.nano }, -(millis - seconds * 1000) * 1_000_000);
}

/** A date-time as a database prints it: wall-clock fields, and an offset when the type carries one. */
export interface WallClock {
  /** The wall-clock fields counted as seconds since 1970-01-01 00:00:00 as if they were UTC. */
  wallSecond: number;
  nano: number;
  /** Seconds east of UTC, when the text had an offset (timestamptz, datetimeoffset). */
  offsetSeconds: number | undefined;
}

const WALL_CLOCK =
  /^(\d{4,})-(\d{1,2})-(\d{1,2})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?)?\s*(Z|[+-]\d{1,2}(?::?\d{2}(?::?\d{2})?)?)?(\s+BC)?$/i;

/** Parses `YYYY-MM-DD[ HH:MM[:SS[.fffffffff]]][offset][ BC]`; undefined when the text is not one. */
export function parseWallClock(text: string): WallClock | undefined {
  return parsePlainWallClock(text) ?? parseWallClockText(text);
}

const ZERO = 48;
/** 10^(9 - digits): the nanoseconds one unit of a fraction with that many digits stands for. */
const FRACTION_SCALE = [1_000_000_000, 100_000_000, 10_000_000, 1_000_000, 100_000, 10_000, 1000, 100, 10, 1];

function digitAt(text: string, index: number): number {
  const digit = text.charCodeAt(index) - ZERO;
  return digit >= 0 && digit <= 9 ? digit : -1;
}

function twoDigits(text: string, index: number): number {
  const high = digitAt(text, index);
  const low = digitAt(text, index + 1);
  return high < 0 || low < 0 ? -1 : high * 10 + low;
}

/**
 * The shapes databases print for every row (`YYYY-MM-DD`, `YYYY-MM-DD HH:MM:SS[.f…]`, 'T' allowed), read without a
 * regular expression or substrings: this runs for every date-time value a snapshot reads. Anything else (other
 * widths, spaces, an offset, BC, an invalid field) returns undefined and goes through the full pattern, which alone
 * decides what is valid.
 */
function parsePlainWallClock(text: string): WallClock | undefined {
  const wallSecond = plainWallSecond(text);
  return wallSecond === undefined ? undefined : { wallSecond, nano: plainNano, offsetSeconds: undefined };
}

/**
 * Epoch milliseconds of a date-time printed in the plain shape (see parsePlainWallClock) as a wall clock in `zone`,
 * without the wall clock and instant objects parseWallClock and wallClockToInstant build (issue 13: three date-times
 * per row of a snapshot); undefined for any other shape, which parseWallClock then reads. Milliseconds truncate the
 * fraction, as a Date made from the instant does.
 */
export function plainWallClockMillis(text: string, zone: Zone): number | undefined {
  const wallSecond = plainWallSecond(text);
  return wallSecond === undefined ? undefined : zone.wallToEpochSecond(wallSecond) * 1000 + Math.floor(plainNano / 1_000_000);
}

/** The nanoseconds of the wall clock plainWallSecond read last (beside its return value: nothing allocated per value). */
let plainNano = 0;

/** parsePlainWallClock's reading: the wall clock's seconds, its nanoseconds in plainNano; undefined if not plain. */
function plainWallSecond(text: string): number | undefined {
  const length = text.length;
  if (length !== 10 && (length < 19 || length > 29 || length === 20)) return undefined;
  const century = twoDigits(text, 0);
  const yearInCentury = twoDigits(text, 2);
  const month = twoDigits(text, 5);
  const day = twoDigits(text, 8);
  if (century < 0 || yearInCentury < 0 || month < 1 || month > 12 || day < 1 || day > 31 || text.charCodeAt(4) !== 45 || text.charCodeAt(7) !== 45) return undefined;
  const days = daysFromCivil(century * 100 + yearInCentury, month, day);
  if (length === 10) {
    plainNano = 0;
    return days * 86_400;
  }
  const separator = text.charCodeAt(10);
  if ((separator !== 32 && separator !== 84) || text.charCodeAt(13) !== 58 || text.charCodeAt(16) !== 58) return undefined;
  const hour = twoDigits(text, 11);
  const minute = twoDigits(text, 14);
  const second = twoDigits(text, 17);
  if (hour < 0 || hour > 24 || minute < 0 || minute > 59 || second < 0 || second > 60) return undefined;
  let nano = 0;
  if (length > 19) {
    if (text.charCodeAt(19) !== 46) return undefined;
    let fraction = 0;
    for (let index = 20; index < length; index += 1) {
      const digit = digitAt(text, index);
      if (digit < 0) return undefined;
      fraction = fraction * 10 + digit;
    }
    nano = fraction * (FRACTION_SCALE[length - 20] ?? 0);
  }
  plainNano = nano;
  return days * 86_400 + hour * 3600 + minute * 60 + second;
}

function parseWallClockText(text: string): WallClock | undefined {
  const match = WALL_CLOCK.exec(text.trim());
  if (!match) return undefined;
  const [, y, mo, d, h, mi, s, fraction, offset, bc] = match;
  let year = Number(y);
  if (bc) year = 1 - year; // 1 BC is astronomical year 0
  const month = Number(mo);
  const day = Number(d);
  const hour = Number(h ?? '0');
  const minute = Number(mi ?? '0');
  const second = Number(s ?? '0');
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 24 || minute > 59 || second > 60) return undefined;
  const wallSecond = daysFromCivil(year, month, day) * 86_400 + hour * 3600 + minute * 60 + second;
  const nano = fraction ? Number(fraction.padEnd(9, '0')) : 0;
  return { wallSecond, nano, offsetSeconds: offset === undefined ? undefined : parseOffset(offset) };
}

function parseOffset(text: string): number {
  if (text.toUpperCase() === 'Z') return 0;
  const sign = text.startsWith('-') ? -1 : 1;
  const digits = text.slice(1).replace(/:/g, '');
  const hours = Number(digits.slice(0, digits.length % 2 === 1 ? 1 : 2));
  const rest = digits.slice(digits.length % 2 === 1 ? 1 : 2);
  const minutes = Number(rest.slice(0, 2) || '0');
  const seconds = Number(rest.slice(2, 4) || '0');
  return sign * (hours * 3600 + minutes * 60 + seconds);
}

/** A wall clock without offset is read in `zone` (db.timezone); one with an offset is already an instant. */
export function wallClockToInstant(wall: WallClock, zone: Zone): PreciseInstant {
  const epochSecond = wall.offsetSeconds !== undefined ? wall.wallSecond - wall.offsetSeconds : zone.wallToEpochSecond(wall.wallSecond);
  return { epochSecond, nano: wall.nano };
}

function pad(value: number, width: number): string {
  return String(value).padStart(width, '0');
}

/**
 * `YYYY-MM-DD HH:MM:SS[.fraction]` of the instant's wall clock at `offsetSeconds`, fraction truncated (never
 * rounded: rounding up would move a lower bound past a row) to `fractionDigits`.
 */
export function formatWallClock(instant: PreciseInstant, offsetSeconds: number, fractionDigits: number): string {
  const wall = instant.epochSecond + offsetSeconds;
  const days = Math.floor(wall / 86_400);
  const secondOfDay = wall - days * 86_400;
  const { year, month, day } = civilFromDays(days);
  const time = `${pad(Math.floor(secondOfDay / 3600), 2)}:${pad(Math.floor((secondOfDay % 3600) / 60), 2)}:${pad(secondOfDay % 60, 2)}`;
  const fraction = fractionDigits > 0 ? `.${pad(instant.nano, 9).slice(0, fractionDigits)}` : '';
  return `${pad(year, 4)}-${pad(month, 2)}-${pad(day, 2)} ${time}${fraction}`;
}

/** The instant's wall clock in `zone`. */
export function formatInZone(instant: PreciseInstant, zone: Zone, fractionDigits: number): string {
  return formatWallClock(instant, zone.offsetSecondsAt(instant.epochSecond), fractionDigits);
}

/** Milliseconds since midnight of `HH:MM:SS[.fff…]`; MySQL's TIME may be negative or above 24 h and is kept so. */
export function parseTimeOfDayMillis(text: string): number | undefined {
  return parsePlainTimeOfDay(text) ?? parseTimeOfDayText(text);
}

/** `HH:MM:SS[.f…]` with a two-digit hour, read without a regular expression; anything else goes through the pattern. */
function parsePlainTimeOfDay(text: string): number | undefined {
  const length = text.length;
  if (length !== 8 && (length < 10 || length > 18)) return undefined;
  const hour = twoDigits(text, 0);
  const minute = twoDigits(text, 3);
  const second = twoDigits(text, 6);
  if (hour < 0 || minute < 0 || second < 0 || text.charCodeAt(2) !== 58 || text.charCodeAt(5) !== 58) return undefined;
  let millis = 0;
  if (length > 8) {
    if (text.charCodeAt(8) !== 46) return undefined;
    for (let index = 9; index < length; index += 1) {
      const digit = digitAt(text, index);
      if (digit < 0) return undefined;
      if (index < 12) millis = millis * 10 + digit;
    }
    // Fewer than three digits are tenths or hundredths.
    if (length === 10) millis *= 100;
    else if (length === 11) millis *= 10;
  }
  return hour * 3_600_000 + minute * 60_000 + second * 1000 + millis;
}

function parseTimeOfDayText(text: string): number | undefined {
  const match = /^(-)?(\d{1,3}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?$/.exec(text.trim());
  if (!match) return undefined;
  const [, minus, h, m, s, fraction] = match;
  const millis = Number(h) * 3_600_000 + Number(m) * 60_000 + Number(s ?? '0') * 1000 + (fraction ? Number(fraction.padEnd(3, '0').slice(0, 3)) : 0);
  return minus ? -millis : millis;
}
