/**
 * Exact decimals as Connect's `Decimal` carries them: an unscaled integer at the schema's fixed scale, written as
 * the minimal big-endian two's-complement bytes of Java's `BigInteger.toByteArray()` (what
 * `Decimal.fromLogical` puts on the wire). Ferry's rows hold the value as a canonical decimal string.
 */

const DECIMAL_PATTERN = /^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/;

/** Why a value could not be scaled; the caller turns it into a message naming the field. */
export type DecimalProblem = { problem: 'syntax' } | { problem: 'scale'; digits: number };

const POWERS_OF_TEN: bigint[] = [];
function pow10(exponent: number): bigint {
  let value = POWERS_OF_TEN[exponent];
  if (value === undefined) {
    value = 10n ** BigInt(exponent);
    if (exponent < 64) POWERS_OF_TEN[exponent] = value;
  }
  return value;
}

/**
 * "-12.5" at scale 2 → -1250n. More fractional digits than the scale are accepted only when they are zeros;
 * anything else would silently change the value, so it is reported instead of rounded.
 */
export function decimalToUnscaled(text: string, scale: number): bigint | DecimalProblem {
  const match = DECIMAL_PATTERN.exec(text.trim());
  if (!match) return { problem: 'syntax' };
  const [, sign = '', whole = '', rawFraction = '', exponentText] = match;
  if (whole.length === 0 && rawFraction.length === 0) return { problem: 'syntax' };
  const exponent = exponentText === undefined ? 0 : Number(exponentText);
  // value = digits × 10^-(fraction length - exponent)
  let digits = whole + rawFraction;
  let valueScale = rawFraction.length - exponent;
  if (valueScale > scale) {
    const extra = valueScale - scale;
    const dropped = digits.slice(Math.max(0, digits.length - extra));
    if (/[1-9]/.test(dropped)) {
      return { problem: 'scale', digits: valueScale - trailingZeros(dropped) };
    }
    digits = digits.slice(0, Math.max(0, digits.length - extra));
    valueScale = scale;
  }
  let unscaled = digits.length === 0 ? 0n : BigInt(digits);
  if (valueScale < scale) unscaled *= pow10(scale - valueScale);
  return sign === '-' ? -unscaled : unscaled;
}

function trailingZeros(text: string): number {
  let count = 0;
  for (let i = text.length - 1; i >= 0 && text[i] === '0'; i -= 1) count += 1;
  return count;
}

/** -1250n at scale 2 → "-12.50": always exactly `scale` fractional digits, so equal values compare equal as text. */
export function unscaledToDecimal(unscaled: bigint, scale: number): string {
  const negative = unscaled < 0n;
  const digits = (negative ? -unscaled : unscaled).toString();
  if (scale <= 0) return negative ? `-${digits}${'0'.repeat(-scale)}` : `${digits}${'0'.repeat(-scale)}`;
  const padded = digits.padStart(scale + 1, '0');
  const text = `${padded.slice(0, padded.length - scale)}.${padded.slice(padded.length - scale)}`;
  return negative ? `-${text}` : text;
}

/** Unscaled values of up to 15 digits are exact doubles (below 2^53), so they need no BigInt. */
const SMALL_DIGITS = 15;
const SMALL_POWERS = [1, 10, 100, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15];

/**
 * The Avro bytes of a plain decimal text (`[+-]digits[.digits]`, at most `scale` fraction digits, at most 15 digits once
 * scaled) without a BigInt, a regular expression or a hex round trip: what every row of a money column takes. Returns
 * null for any other text (an exponent, more fraction digits, more digits, bad syntax), which the BigInt path then reads
 * with its exact rules; undefined when the value does not fit `fixedSize` bytes, as bigintToFixedTwosComplement.
 */
export function smallDecimalToTwosComplement(text: string, scale: number, fixedSize?: number): Buffer | undefined | null {
  const unscaled = smallDecimalUnscaled(text, scale);
  return unscaled === null ? null : numberToTwosComplement(unscaled, fixedSize);
}

/** The unscaled value of a plain decimal text as an exact double, or null for text the BigInt path must read (see above). */
export function smallDecimalUnscaled(text: string, scale: number): number | null {
  const length = text.length;
  let index = 0;
  const first = text.charCodeAt(0);
  const negative = first === 45;
  if (negative || first === 43) index = 1;
  let unscaled = 0;
  let wholeDigits = 0;
  let fractionDigits = 0;
  let seenPoint = false;
  for (; index < length; index += 1) {
    const code = text.charCodeAt(index);
    if (code === 46 && !seenPoint) {
      seenPoint = true;
      continue;
    }
    const digit = code - 48;
    if (digit < 0 || digit > 9) return null;
    unscaled = unscaled * 10 + digit;
    if (seenPoint) fractionDigits += 1;
    else wholeDigits += 1;
  }
  if (wholeDigits + fractionDigits === 0 || fractionDigits > scale || wholeDigits + scale > SMALL_DIGITS) return null;
  unscaled *= SMALL_POWERS[scale - fractionDigits] ?? 1;
  return negative ? -unscaled : unscaled;
}

/** Bytes numberToTwosComplement writes for `value`: the minimal count (Java's BigInteger.toByteArray()). */
export function twosComplementSize(value: number): number {
  const magnitude = value < 0 ? -value - 1 : value;
  let size = 1;
  for (let limit = 128; magnitude >= limit; limit *= 256) size += 1;
  return size;
}

/**
 * Writes `value` (an exact integer below 2^53 in magnitude) as `size` big-endian two's-complement bytes at `offset`;
 * false when it does not fit them. Bytes past the end of `target` are dropped (the caller detects the overflow).
 */
export function writeTwosComplement(value: number, size: number, target: Buffer, offset: number): boolean {
  const negative = value < 0;
  let magnitude = negative ? -value - 1 : value;
  let first = 0;
  if (magnitude <= 0x7fffffff) {
    // Below 2^31: integer arithmetic (every money amount up to 21 million at scale 2).
    let small = magnitude | 0;
    for (let at = size - 1; at >= 0; at -= 1) {
      const byte = small & 0xff;
      small >>>= 8;
      first = negative ? 255 - byte : byte;
      target[offset + at] = first;
    }
    return small === 0 && (first >= 128) === negative;
  }
  for (let at = size - 1; at >= 0; at -= 1) {
    const byte = magnitude % 256;
    magnitude = (magnitude - byte) / 256;
    first = negative ? 255 - byte : byte;
    target[offset + at] = first;
  }
  return magnitude === 0 && (first >= 128) === negative;
}

/** An exact integer below 2^53 in magnitude as Java's BigInteger.toByteArray(), or sign-extended to `fixedSize` bytes. */
function numberToTwosComplement(value: number, fixedSize: number | undefined): Buffer | undefined {
  const size = fixedSize ?? twosComplementSize(value);
  const out = Buffer.allocUnsafe(size);
  return writeTwosComplement(value, size, out, 0) ? out : undefined;
}

/** Minimal two's-complement big-endian bytes, identical to Java's BigInteger.toByteArray() (0 → [0x00]). */
export function bigintToTwosComplement(value: bigint): Buffer {
  // Bytes needed: enough bits for the magnitude plus one sign bit.
  const magnitude = value < 0n ? -value - 1n : value;
  const bits = magnitude === 0n ? 0 : magnitude.toString(2).length;
  const size = Math.floor(bits / 8) + 1;
  return bigintToFixedTwosComplement(value, size) ?? Buffer.alloc(0);
}

/** Sign-extended to exactly `size` bytes (Avro `fixed` decimals); undefined when the value does not fit. */
export function bigintToFixedTwosComplement(value: bigint, size: number): Buffer | undefined {
  const limit = 1n << BigInt(size * 8 - 1);
  if (value >= limit || value < -limit) return undefined;
  const unsigned = value < 0n ? (1n << BigInt(size * 8)) + value : value;
  return Buffer.from(unsigned.toString(16).padStart(size * 2, '0'), 'hex');
}

export function twosComplementToBigint(bytes: Uint8Array): bigint {
  const length = bytes.byteLength;
  if (length === 0) return 0n;
  // Up to 6 bytes fit a double exactly: skip the hex round trip for the common small amounts.
  if (length <= 6) {
    let value = 0;
    for (let i = 0; i < length; i += 1) value = value * 256 + (bytes[i] ?? 0);
    if ((bytes[0] ?? 0) & 0x80) value -= 2 ** (8 * length);
    return BigInt(value);
  }
  const unsigned = BigInt(`0x${Buffer.from(bytes.buffer, bytes.byteOffset, length).toString('hex')}`);
  return (bytes[0] ?? 0) & 0x80 ? unsigned - (1n << BigInt(8 * length)) : unsigned;
}

/** Moves a canonical decimal string to another scale, or undefined if that would drop non-zero digits. */
export function rescaleDecimal(text: string, scale: number): string | undefined {
  const unscaled = decimalToUnscaled(text, scale);
  return typeof unscaled === 'bigint' ? unscaledToDecimal(unscaled, scale) : undefined;
}
