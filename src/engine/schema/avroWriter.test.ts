import avro from 'avsc';
import type { Type } from 'avsc';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { RecordSchema, Row } from '../model';
import { avroCodecFor, avroCodecForAvro } from './avroCodec';
import { AvroOut, compileRecordWriter } from './avroWriter';
import { DebeziumEnvelopeCodec, type ChangeEvent } from './debeziumEnvelope';

const topic = 'lab.shop.writer';
const schema: RecordSchema = {
  name: `${topic}.Value`,
  fields: [
    { name: 'id', type: { kind: 'int64' }, optional: false },
    { name: 'small', type: { kind: 'int16' }, optional: true },
    { name: 'tiny', type: { kind: 'int8' }, optional: false },
    { name: 'count', type: { kind: 'int32' }, optional: true },
    { name: 'ratio', type: { kind: 'float64' }, optional: true },
    { name: 'f', type: { kind: 'float32' }, optional: true },
    { name: 'flag', type: { kind: 'boolean' }, optional: false },
    { name: 'name', type: { kind: 'string' }, optional: true },
    { name: 'payload', type: { kind: 'bytes' }, optional: true },
    { name: 'amount', type: { kind: 'decimal', precision: 12, scale: 2 }, optional: false },
    { name: 'big', type: { kind: 'decimal', precision: 30, scale: 6 }, optional: true },
    { name: 'day', type: { kind: 'date' }, optional: true },
    { name: 'at', type: { kind: 'time' }, optional: true },
    { name: 'placed', type: { kind: 'timestamp' }, optional: false },
    { name: 'micros', type: { kind: 'int64', semantic: { name: 'io.debezium.time.MicroTimestamp', version: 1 } }, optional: true },
    { name: 'order by', type: { kind: 'string' }, optional: true },
  ],
};

function row(i: number): Row {
  const strings = ['', 'a', 'café', '☕ and 𝄞', 'x'.repeat(64), 'ß'.repeat(40), '\ud800 lone', `${'y'.repeat(70)}\udc00`, 'x'.repeat(63), `${'z'.repeat(62)}é`, '\u007f\u0000', 'ASCII until ü'];
  return {
    id: i % 3 === 0 ? BigInt(i) * 1_000_000_007n : i * 1001,
    small: i % 4 === 0 ? null : -32768 + i * 97,
    tiny: (i % 256) - 128,
    count: i % 5 === 0 ? null : i * 123_457 - 2 ** 30,
    ratio: i % 6 === 0 ? null : i / 7,
    f: i % 7 === 0 ? null : i * 0.1,
    flag: i % 2 === 0,
    name: i % 8 === 7 ? null : (strings[i % strings.length] ?? ''),
    payload: i % 9 === 0 ? null : Buffer.from(Array.from({ length: i % 20 }, (_, b) => (b * 13 + i) % 256)),
    amount: `${i % 2 === 0 ? '-' : ''}${i * 37}.${String(i % 100).padStart(2, '0')}`,
    big: i % 10 === 0 ? null : `${'9'.repeat(i % 24)}${i}.${String(i).padStart(6, '0')}`,
    day: i % 11 === 0 ? null : new Date(Date.UTC(1960 + i, i % 12, (i % 28) + 1)),
    at: i % 12 === 0 ? null : (i * 3_600_123) % 86_400_000,
    placed: new Date(Date.UTC(2026, 0, 1) + i * 86_399_999 - 2 ** 40),
    micros: i % 13 === 0 ? null : i === 5 ? 2n ** 60n : BigInt(i) * 1_700_000_000_000n,
    'order by': i % 3 === 0 ? null : `o${i}`,
  };
}

describe('compileRecordWriter', () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it('writes the bytes avsc writes for every Ferry column type, and declines what avsc must write', () => {
    const codec = avroCodecFor(schema);
    const type = (codec as unknown as { type: Type }).type;
    const writer = compileRecordWriter(
      type,
      schema.fields.map((field) => field.name),
    );
    if (!writer) throw new Error('the schema did not compile');
    let declined = 0;
    for (let i = 0; i < 400; i += 1) {
      const value = row(i);
      const out = new AvroOut(Buffer.alloc(4096), 0);
      const renamed = { ...value, order_by: value['order by'] };
      const expected = type.toBuffer(renamed).toString('hex');
      if (writer(out, value)) expect(out.buf.subarray(0, out.pos).toString('hex'), `row ${i}`).toBe(expected);
      else declined += 1;
      expect(codec.encode(value).toString('hex'), `codec row ${i}`).toBe(expected);
    }
    // Only the long beyond 2^52 (row 5) takes avsc's byte path.
    expect(declined).toBe(1);
    // A missing optional field (its default) and a value avsc rejects are declined.
    const missing: Row = { ...row(1) };
    delete missing.name;
    expect(writer(new AvroOut(Buffer.alloc(4096), 0), missing)).toBe(false);
    expect(writer(new AvroOut(Buffer.alloc(4096), 0), { ...row(1), count: 'seven' })).toBe(false);
    expect(() => codec.encode({ ...row(1), count: 'seven' })).toThrow(/count/);
  });

  it('reads row keys that are not identifiers (quotes, backslashes, line breaks, __proto__) from rows of any shape', () => {
    const type = avro.Type.forSchema({
      type: 'record',
      name: 'Odd',
      fields: ['a', 'b', 'c', 'd', 'e', 'f'].map((name) => ({ name, type: ['null', 'string'] })),
    });
    const keys = ['say "hi"', 'back\\slash', 'line\nbreak', '\u2028', '__proto__', "it's"];
    const writer = compileRecordWriter(type, keys);
    if (!writer) throw new Error('the schema did not compile');
    const values = ['one', null, 'three', 'four', 'five', 'six'];
    const ordered: Record<string, unknown> = {};
    for (const [index, key] of keys.entries()) Object.defineProperty(ordered, key, { value: values[index], enumerable: true });
    // The same values in another property order and with an extra property: another shape, the same record.
    const reordered: Record<string, unknown> = { extra: 1 };
    for (const [index, key] of [...keys.entries()].reverse()) Object.defineProperty(reordered, key, { value: values[index], enumerable: true });
    const expected = type.toBuffer({ a: 'one', b: null, c: 'three', d: 'four', e: 'five', f: 'six' }).toString('hex');
    for (const candidate of [ordered, reordered, ordered]) {
      const out = new AvroOut(Buffer.alloc(256), 0);
      expect(writer(out, candidate)).toBe(true);
      expect(out.buf.subarray(0, out.pos).toString('hex')).toBe(expected);
    }
    // Not a row: declined as before.
    for (const notRow of [null, 'text', [1], Buffer.from('x')]) expect(writer(new AvroOut(Buffer.alloc(256), 0), notRow)).toBe(false);
  });

  it('writes fixed-size decimals (a registry schema) as avsc does, and declines those that do not fit', () => {
    const codec = avroCodecForAvro({
      type: 'record',
      name: 'Money',
      fields: [
        { name: 'price', type: { type: 'fixed', name: 'price_fixed', size: 3, logicalType: 'decimal', precision: 6, scale: 2 } },
        { name: 'maybe', type: ['null', { type: 'bytes', logicalType: 'decimal', precision: 20, scale: 4 }], default: null },
      ],
    });
    const type = (codec as unknown as { type: Type }).type;
    const writer = compileRecordWriter(type, ['price', 'maybe']);
    if (!writer) throw new Error('the schema did not compile');
    for (const [price, maybe] of [['0.00', null], ['-0.01', '1.5'], ['83886.07', '-12345678901.1234'], ['-83886.08', '0'], ['1.5', '123456789012345678.1234']] as const) {
      const out = new AvroOut(Buffer.alloc(64), 0);
      expect(writer(out, { price, maybe }), `${price} ${String(maybe)}`).toBe(true);
      expect(out.buf.subarray(0, out.pos).toString('hex')).toBe(type.toBuffer({ price, maybe }).toString('hex'));
    }
    // 2^23 does not fit 3 bytes: declined, and avsc rejects it.
    expect(writer(new AvroOut(Buffer.alloc(64), 0), { price: '83886.08', maybe: null })).toBe(false);
    expect(() => codec.encode({ price: '83886.08', maybe: null })).toThrow();
  });

  it('the envelope is written directly, byte for byte what avsc writes for it, also when the scratch buffer must grow', () => {
    const codec = new DebeziumEnvelopeCodec(topic, schema, 'mariadb', '3.5.0-ferry');
    const encodeCalls = vi.spyOn(avro.Type.prototype, 'encode');
    for (let i = 1; i < 200; i += 1) {
      const image = i % 3 === 0 ? { ...row(i), id: i, micros: null } : { ...row(i), micros: null };
      const event: ChangeEvent = {
        op: i % 3 === 0 ? 'd' : 'c',
        before: i % 3 === 0 ? image : null,
        after: i % 3 === 0 ? null : image,
        source: { connector: 'mariadb', name: 'lab', tsMs: 1_767_225_600_000 + (i % 4), snapshot: i % 2 === 0 ? 'true' : 'last', db: 'shop', table: 'writer', serverId: 7, gtid: i % 5 === 0 ? null : '0-7-9', file: 'mariadb-bin.000001', pos: 4 + i, row: i % 3 },
        tsMs: 1_767_225_600_500 + (i % 3),
      };
      const framed = codec.encodeFramed(event, 42);
      expect(framed.subarray(0, 5).toString('hex')).toBe('000000002a');
      expect(framed.subarray(5).toString('hex'), `event ${i}`).toBe(codec.encode(event).toString('hex'));
    }
    // encode() is avsc's path (Type#toBuffer); encodeFramed never fell back to Type#encode.
    expect(encodeCalls).not.toHaveBeenCalled();
    const huge = { ...row(1), micros: null, name: 'z'.repeat(200_000) };
    const event: ChangeEvent = { op: 'c', before: null, after: huge, source: { connector: 'mariadb', name: 'lab', tsMs: 1, snapshot: 'false', db: 'shop', table: 'writer', serverId: 7, gtid: null, file: 'f', pos: 4, row: 0 }, tsMs: 2 };
    expect(codec.encodeFramed(event, 1).subarray(5).equals(codec.encode(event))).toBe(true);
  });
  it('writes a short ASCII string as avsc does up to the buffer end, and reports one that runs past it', () => {
    const stringType = avro.Type.forSchema('string');
    for (const text of ['abcdefghij', 'abcdefghé', '']) {
      const size = stringType.toBuffer(text).length;
      const fits = new AvroOut(Buffer.alloc(size), 0);
      fits.writeString(text);
      expect(fits.pos, text).toBe(size);
      expect(fits.buf.toString('hex'), text).toBe(stringType.toBuffer(text).toString('hex'));
      const short = new AvroOut(Buffer.alloc(Math.max(0, size - 1)), 0);
      short.writeString(text);
      // Past the end: the position says so, whatever was written (the caller writes again into a larger buffer).
      expect(short.pos, text).toBe(size);
      expect(short.pos > short.buf.length, text).toBe(true);
    }
  });
});
