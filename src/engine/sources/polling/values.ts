import { daysFromCivil } from '../../model/calendar';

/**
 * Value helpers shared by the readers. The model wants decimals as canonical strings (exactly `scale` fraction
 * digits, no `+`, no leading zeros, no exponent), int64 as bigint, dates as Dates at UTC midnight.
 */
export function canonicalDecimal(text: string, scale: number): string {
  // Databases print decimals already canonical at the column's scale: checked character by character, that text is the answer.
  if (isCanonicalDecimal(text, scale)) return text;
  const trimmed = text.trim();
  const match = /^([+-])?(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/.exec(trimmed);
  if (!match || (match[2] === '' && (match[3] ?? '') === '')) throw new Error(`"${text}" is not a decimal number`);
  const negative = match[1] === '-';
  let digits = `${match[2] ?? ''}${match[3] ?? ''}`;
  // Position of the decimal point counted from the left of `digits`.
  let point = (match[2] ?? '').length + Number(match[4] ?? '0');
  if (point < 0) {
    digits = '0'.repeat(-point) + digits;
    point = 0;
  }
  if (point > digits.length) digits = digits.padEnd(point, '0');
  let integer = digits.slice(0, point).replace(/^0+(?=\d)/, '') || '0';
  let fraction = digits.slice(point);
  if (fraction.length > scale) {
    const dropped = fraction.slice(scale);
    if (/[^0]/.test(dropped)) throw new Error(`"${text}" has more than ${scale} fraction digits`);
    fraction = fraction.slice(0, scale);
  }
  fraction = fraction.padEnd(scale, '0');
  integer = integer.replace(/^0+(?=\d)/, '');
  const isZero = /^0*$/.test(integer + fraction);
  const body = scale > 0 ? `${integer}.${fraction}` : integer;
  return negative && !isZero ? `-${body}` : body;
}

/** `-?(0|[1-9]\d*)(\.\d{scale})?` with the point only when scale > 0, and no negative zero. */
function isCanonicalDecimal(text: string, scale: number): boolean {
  const length = text.length;
  let index = text.charCodeAt(0) === 45 ? 1 : 0;
  const negative = index === 1;
  const integerEnd = scale > 0 ? length - scale - 1 : length;
  if (integerEnd <= index) return false;
  // No leading zero in front of more integer digits.
  if (text.charCodeAt(index) === 48 && integerEnd - index > 1) return false;
  let nonZero = false;
  for (; index < integerEnd; index += 1) {
    const code = text.charCodeAt(index);
    if (code < 48 || code > 57) return false;
    if (code !== 48) nonZero = true;
  }
  if (scale > 0) {
    if (text.charCodeAt(index) !== 46) return false;
    for (index += 1; index < length; index += 1) {
      const code = text.charCodeAt(index);
      if (code < 48 || code > 57) return false;
      if (code !== 48) nonZero = true;
    }
  }
  return !negative || nonZero;
}

/** A zero-copy Uint8Array over a driver Buffer, so values compare equal to plain Uint8Arrays. */
export function bytesOf(buffer: Uint8Array): Uint8Array {
  return new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
}

/** Big-endian unsigned bytes (MySQL BIT(n)) as a bigint. */
export function bigintFromBytes(bytes: Uint8Array): bigint {
  let value = 0n;
  for (const byte of bytes) value = (value << 8n) | BigInt(byte);
  return value;
}

/** The Date at 00:00 UTC of a calendar day (Connect's Date logical type). */
export function utcMidnight(year: number, month: number, day: number): Date {
  return new Date(daysFromCivil(year, month, day) * 86_400_000);
}

/** Parses `YYYY-MM-DD` (a day of any era; `BC` suffix allowed) to UTC midnight; undefined when not a date. */
export function parseCalendarDate(text: string): Date | undefined {
  // `YYYY-MM-DD` exactly (every row of a DATE column) without the pattern; the pattern reads every other shape.
  if (text.length === 10 && text.charCodeAt(4) === 45 && text.charCodeAt(7) === 45) {
    const year = fourDigits(text, 0);
    const month = digitPair(text, 5);
    const day = digitPair(text, 8);
    if (year >= 0 && month >= 0 && day >= 0) return utcMidnight(year, month, day);
  }
  const match = /^(\d{4,})-(\d{2})-(\d{2})(\s+BC)?/.exec(text.trim());
  if (!match) return undefined;
  const year = match[4] ? 1 - Number(match[1]) : Number(match[1]);
  return utcMidnight(year, Number(match[2]), Number(match[3]));
}

function digitPair(text: string, index: number): number {
  const high = text.charCodeAt(index) - 48;
  const low = text.charCodeAt(index + 1) - 48;
  return high >= 0 && high <= 9 && low >= 0 && low <= 9 ? high * 10 + low : -1;
}

function fourDigits(text: string, index: number): number {
  const high = digitPair(text, index);
  const low = digitPair(text, index + 2);
  return high < 0 || low < 0 ? -1 : high * 100 + low;
}

export function toBigInt(raw: unknown): bigint {
  if (typeof raw === 'bigint') return raw;
  if (typeof raw === 'number') {
    if (!Number.isSafeInteger(raw)) throw new Error(`${raw} is not an exact integer`);
    return BigInt(raw);
  }
  if (typeof raw === 'string') {
    // The drivers' text of a BIGINT (bigNumberStrings): read digit by digit when it fits a double exactly, without
    // the pattern, the trims and BigInt's string parser (issue 13: a BIGINT key per row of a snapshot).
    const small = smallIntegerText(raw);
    if (small !== undefined) return BigInt(small);
    if (/^[+-]?\d+$/.test(raw.trim())) return BigInt(raw.trim());
  }
  throw new Error(`${String(raw)} is not an integer`);
}

/** `[+-]?\d{1,15}` as a number (exact: below 2^53); undefined for any other text, which the pattern then reads. */
function smallIntegerText(text: string): number | undefined {
  const length = text.length;
  const first = text.charCodeAt(0);
  const start = first === 45 || first === 43 ? 1 : 0;
  if (length === start || length - start > 15) return undefined;
  let value = 0;
  for (let index = start; index < length; index += 1) {
    const digit = text.charCodeAt(index) - 48;
    if (digit < 0 || digit > 9) return undefined;
    value = value * 10 + digit;
  }
  return first === 45 ? -value : value;
}

export function toNumber(raw: unknown): number {
  if (typeof raw === 'number') return raw;
  if (typeof raw === 'bigint') return Number(raw);
  if (typeof raw === 'string') {
    const value = Number(raw);
    if (Number.isNaN(value) && raw.trim().toLowerCase() !== 'nan') throw new Error(`"${raw}" is not a number`);
    return value;
  }
  if (typeof raw === 'boolean') return raw ? 1 : 0;
  throw new Error(`${String(raw)} is not a number`);
}
