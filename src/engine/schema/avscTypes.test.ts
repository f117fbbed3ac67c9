import avro from 'avsc';
import { describe, expect, it } from 'vitest';
import { FERRY_LOGICAL_TYPES, type FerryLogicalType } from './avscTypes';
import { twosComplementToBigint, unscaledToDecimal } from './decimal';

describe('ferry-decimal fromWire', () => {
  const decimalType = (scale: number) =>
    avro.Type.forSchema({ type: 'bytes', logicalType: 'ferry-decimal', 'ferry.scale': scale } as unknown as avro.Schema, { logicalTypes: FERRY_LOGICAL_TYPES }) as unknown as FerryLogicalType;

  it('reads 1..6-byte amounts (the double path) as the BigInt path does, at every scale and byte boundary', () => {
    let seed = 7;
    const randomByte = () => ((seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) >> 8) & 0xff;
    const samples: Buffer[] = [];
    for (let length = 1; length <= 8; length++) {
      for (const fill of [0x00, 0xff, 0x7f, 0x80]) samples.push(Buffer.alloc(length, fill));
      samples.push(Buffer.from([0x80, ...Array.from({ length: length - 1 }, () => 0)]), Buffer.from([0x7f, ...Array.from({ length: length - 1 }, () => 0xff)]));
      for (let index = 0; index < 300; index++) samples.push(Buffer.from(Array.from({ length }, randomByte)));
    }
    for (const scale of [0, 1, 2, 3, 5, 10, 18]) {
      const type = decimalType(scale);
      for (const bytes of samples) expect(type.fromWire(bytes)).toBe(unscaledToDecimal(twosComplementToBigint(bytes), scale));
    }
    expect(decimalType(2).fromWire(Buffer.from([0xff, 0x85]))).toBe('-1.23');
    expect(decimalType(3).fromWire(Buffer.from([0x05]))).toBe('0.005');
    expect(decimalType(0).fromWire(Buffer.alloc(0))).toBe('0');
  });
});
