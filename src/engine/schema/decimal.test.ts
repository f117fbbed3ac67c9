import { describe, expect, it } from 'vitest';
import { bigintToFixedTwosComplement, bigintToTwosComplement, decimalToUnscaled, smallDecimalToTwosComplement } from './decimal';

/** What the BigInt path writes for the text, or undefined where it rejects it (the caller then explains why). */
function viaBigInt(text: string, scale: number, fixedSize?: number): string | undefined {
  const unscaled = decimalToUnscaled(text, scale);
  if (typeof unscaled !== 'bigint') return undefined;
  const bytes = fixedSize === undefined ? bigintToTwosComplement(unscaled) : bigintToFixedTwosComplement(unscaled, fixedSize);
  return bytes?.toString('hex');
}

describe('smallDecimalToTwosComplement', () => {
  it('writes the bytes the BigInt path writes, for every plain decimal of up to 15 digits', () => {
    let seed = 7;
    const random = (): number => {
      seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
      return seed / 2_147_483_648;
    };
    const texts: [string, number][] = [];
    for (let i = 0; i < 20_000; i += 1) {
      const scale = Math.floor(random() * 8);
      const wholeDigits = Math.floor(random() * (16 - scale));
      const whole = wholeDigits === 0 ? '0' : String(Math.floor(random() * 10 ** wholeDigits));
      const fractionDigits = Math.floor(random() * (scale + 1));
      const fraction = fractionDigits === 0 ? '' : `.${String(Math.floor(random() * 10 ** fractionDigits)).padStart(fractionDigits, '0')}`;
      texts.push([`${random() < 0.5 ? '-' : ''}${whole}${fraction}`, scale]);
    }
    // Byte boundaries either side of 2^7, 2^15, ... up to 2^49 (15 digits).
    for (let bits = 7; bits <= 49; bits += 1) {
      for (const delta of [-1, 0, 1]) {
        const value = 2 ** bits + delta;
        texts.push([String(value), 0], [`-${value}`, 0]);
      }
    }
    texts.push(['0', 0], ['-0', 0], ['-0.00', 2], ['+5.5', 1], ['.5', 2], ['5.', 2], ['999999999999999', 0], ['-99999999999.9999', 4]);
    for (const [text, scale] of texts) {
      const fast = smallDecimalToTwosComplement(text, scale);
      expect(fast === null ? 'declined' : fast?.toString('hex'), `${text} at scale ${scale}`).toBe(fast === null ? 'declined' : viaBigInt(text, scale));
      for (const size of [1, 2, 3, 8, 16]) {
        const fixed = smallDecimalToTwosComplement(text, scale, size);
        if (fixed !== null) expect(fixed?.toString('hex'), `${text} at scale ${scale} in ${size} bytes`).toBe(viaBigInt(text, scale, size));
      }
    }
    // The common shapes are all taken by the fast path.
    expect(texts.filter(([text, scale]) => smallDecimalToTwosComplement(text, scale) === null).length).toBe(0);
  });

  it('declines what the BigInt path must read or reject: exponents, excess fraction digits, more than 15 digits, bad syntax', () => {
    for (const [text, scale] of [['1e3', 0], ['1.234', 2], ['1.230', 2], ['1234567890123456', 0], ['12345678901234.5', 2], ['', 0], ['-', 0], ['.', 2], ['1.2.3', 2], [' 1', 0], ['1a', 0]] as const) {
      expect(smallDecimalToTwosComplement(text, scale), `${text}`).toBeNull();
    }
  });
});
