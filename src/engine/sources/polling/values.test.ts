import { describe, expect, it } from 'vitest';
import { bigintFromBytes, canonicalDecimal, parseCalendarDate, toBigInt } from './values';

describe('canonicalDecimal', () => {
  it('pads to the scale and strips signs and leading zeros', () => {
    expect(canonicalDecimal('12.5', 2)).toBe('12.50');
    expect(canonicalDecimal('+0012.50', 2)).toBe('12.50');
    expect(canonicalDecimal('-.5', 2)).toBe('-0.50');
    expect(canonicalDecimal('-0.00', 2)).toBe('0.00');
    expect(canonicalDecimal('7', 0)).toBe('7');
    expect(canonicalDecimal('12.', 1)).toBe('12.0');
    expect(canonicalDecimal('99999999999999999999999999999999999.999', 3)).toBe('99999999999999999999999999999999999.999');
  });

  it('expands exponents and drops only zero extra digits', () => {
    expect(canonicalDecimal('1.5E+3', 0)).toBe('1500');
    expect(canonicalDecimal('1.5e-3', 4)).toBe('0.0015');
    expect(canonicalDecimal('12.500', 2)).toBe('12.50');
    expect(() => canonicalDecimal('12.505', 2)).toThrow(/more than 2 fraction digits/);
    expect(() => canonicalDecimal('NaN', 2)).toThrow(/not a decimal/);
    expect(() => canonicalDecimal('.', 2)).toThrow(/not a decimal/);
  });
});

describe('value helpers', () => {
  it('read big-endian bits and exact integers', () => {
    expect(bigintFromBytes(new Uint8Array([0x02, 0xaa]))).toBe(682n);
    expect(bigintFromBytes(new Uint8Array([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]))).toBe(18_446_744_073_709_551_615n);
    expect(toBigInt('9223372036854775807')).toBe(9_223_372_036_854_775_807n);
    expect(toBigInt(-5)).toBe(-5n);
    expect(() => toBigInt(2 ** 60)).toThrow(/not an exact integer/);
  });

  it('read integer texts the same with and without the digit-by-digit path (up to 15 digits)', () => {
    const texts = ['0', '-0', '+12', '007', '-42', '123456789012345', '-999999999999999', '1234567890123456', '-9223372036854775808', ' 5 ', '+0'];
    for (const text of texts) expect(toBigInt(text), text).toBe(BigInt(text.trim()));
    for (const text of ['', '-', '+', '1.5', '1e3', '12a', '- 1', '0x10']) expect(() => toBigInt(text), text).toThrow(/is not an integer/);
  });

  it('parse calendar dates to UTC midnight', () => {
    expect(parseCalendarDate('2024-02-29')?.toISOString()).toBe('2024-02-29T00:00:00.000Z');
    expect(parseCalendarDate('0001-01-01')?.getUTCFullYear()).toBe(1);
    expect(parseCalendarDate('garbage')).toBeUndefined();
  });
});

describe('the character-by-character readers agree with the patterns', () => {
  // A leading space makes the fast checks decline, so the pattern (which trims) reads the same text.
  const decimals: [string, number][] = [
    ['12.50', 2], ['0.50', 2], ['-0.50', 2], ['-0.00', 2], ['0.00', 2], ['00.50', 2], ['12.5', 2], ['12.500', 2], ['12', 0], ['-12', 0], ['-0', 0], ['0', 0], ['012', 0],
    ['12.', 0], ['.5', 1], ['1e3', 0], ['123456789012345678901234.123456', 6], ['-99.9999', 4], ['+1.00', 2], ['1.0a', 2], ['', 0], ['-', 0], ['-.50', 2],
  ];
  it.each(decimals)('canonicalDecimal(%s, %d)', (text, scale) => {
    const read = (value: string): string => {
      try {
        return canonicalDecimal(value, scale);
      } catch (error) {
        return `error ${(error as Error).message.replace(`"${value}"`, '')}`;
      }
    };
    expect(read(text)).toBe(read(` ${text}`));
  });

  it.each(['2026-12-06', '0000-01-01', '2024-02-30', '2024-13-45', '2024-1a-01', '2024/01/01', '20241-01-01'])('parseCalendarDate(%s)', (text) => {
    expect(parseCalendarDate(text)?.getTime()).toBe(parseCalendarDate(` ${text}`)?.getTime());
  });
});
