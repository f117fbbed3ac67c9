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
