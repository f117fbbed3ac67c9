import avro from 'avsc';
import { describe, expect, it } from 'vitest';
import type { RecordSchema, Row } from '../model';
import { avroCodecFor, avroCodecForAvro } from './avroCodec';
import { recordSchemaToAvro } from './avroMapping';
import { bigintToTwosComplement, decimalToUnscaled, twosComplementToBigint, unscaledToDecimal } from './decimal';
import { allTypes } from './testFixtures';

const fullRow: Row = {
  id: 2n ** 62n + 12345n, // far beyond 2^53
  tiny: -128,
  small: 32767,
  qty: -2147483648,
  ratio: 0.5,
  price: 1234.5678,
  active: true,
  note: 'héllo ✓',
  blob: Buffer.from([0, 1, 2, 255]),
  amount: '-12.50',
  discount: '0.0000000001',
  day: new Date('1969-12-31T00:00:00Z'),
  at: 86_399_999,
  updated_at: new Date('2024-05-01T12:34:56.789Z'),
  seen_at: new Date(-1),
};

const nullRow: Row = {
  ...fullRow,
  small: null,
  ratio: null,
  note: null,
  blob: null,
  discount: null,
  at: null,
  seen_at: null,
};

describe('decimal helpers', () => {
  it('match Java BigInteger.toByteArray and keep the scale', () => {
    expect([...bigintToTwosComplement(0n)]).toEqual([0]);
    expect([...bigintToTwosComplement(127n)]).toEqual([0x7f]);
    expect([...bigintToTwosComplement(128n)]).toEqual([0x00, 0x80]);
    expect([...bigintToTwosComplement(-128n)]).toEqual([0x80]);
    expect([...bigintToTwosComplement(-129n)]).toEqual([0xff, 0x7f]);
    expect([...bigintToTwosComplement(-1250n)]).toEqual([0xfb, 0x1e]);
    const huge = -(10n ** 37n) + 1n;
    expect(twosComplementToBigint(bigintToTwosComplement(huge))).toBe(huge);
    expect(decimalToUnscaled('-12.5', 2)).toBe(-1250n);
    expect(decimalToUnscaled('1.500', 2)).toBe(150n);
    expect(decimalToUnscaled('1.5e2', 2)).toBe(15000n);
    expect(decimalToUnscaled('.5', 1)).toBe(5n);
    expect(decimalToUnscaled('1.234', 2)).toEqual({ problem: 'scale', digits: 3 });
    expect(decimalToUnscaled('abc', 2)).toEqual({ problem: 'syntax' });
    expect(unscaledToDecimal(-5n, 3)).toBe('-0.005');
    expect(unscaledToDecimal(120n, 0)).toBe('120');
  });
});

describe('Avro codec', () => {
  it('round-trips every type, including int64 beyond 2^53 and negative decimals', () => {
    const codec = avroCodecFor(allTypes);
    expect(codec.decode(codec.encode(fullRow))).toEqual(fullRow);
    expect(codec.decode(codec.encode(nullRow))).toEqual(nullRow);
  });

  it('writes the wire values Connect writes (checked with a plain Avro reader)', () => {
    const codec = avroCodecFor(allTypes);
    const plain = avro.Type.forSchema(recordSchemaToAvro(allTypes) as never, {
      typeHook: (schema: unknown) => (schema === 'long' || (schema as { type?: unknown }).type === 'long' ? avro.types.LongType.__with(BIG) : undefined),
    });
    const wire = plain.fromBuffer(codec.encode(fullRow)) as Record<string, unknown>;
    expect(wire.id).toBe(2n ** 62n + 12345n);
    expect([...(wire.amount as Buffer)]).toEqual([0xfb, 0x1e]);
    expect(wire.day).toBe(-1);
    expect(wire.at).toBe(86_399_999);
    expect(wire.updated_at).toBe(BigInt(Date.parse('2024-05-01T12:34:56.789Z')));
    expect(wire.tiny).toBe(-128);
  });

  it('accepts any Uint8Array for bytes and numbers/bigints for decimals', () => {
    const schema: RecordSchema = {
      name: 't',
      fields: [
        { name: 'b', type: { kind: 'bytes' }, optional: false },
        { name: 'd', type: { kind: 'decimal', precision: 10, scale: 2 }, optional: false },
        { name: 'n', type: { kind: 'int64' }, optional: false },
      ],
    };
    const codec = avroCodecFor(schema);
    const view = new Uint8Array([9, 8, 7, 6]).subarray(1, 3);
    const row = codec.decode(codec.encode({ b: view, d: 3, n: 7 }));
    expect(row).toEqual({ b: Buffer.from([8, 7]), d: '3.00', n: 7n });
  });

  it('rejects a decimal with more digits than the scale, naming the column and the value', () => {
    const codec = avroCodecFor(allTypes);
    expect(() => codec.encode({ ...fullRow, amount: '1.234' })).toThrow(
      /column 'amount' \(decimal\(10,2\)\) has value "1\.234", and it has 3 fractional digits but the column's scale is 2/,
    );
    try {
      codec.encode({ ...fullRow, amount: '1.234' });
    } catch (error) {
      expect((error as { code: string }).code).toBe('SCHEMA_VALUE_INVALID');
    }
  });

  it('explains other bad values by column', () => {
    const codec = avroCodecFor(allTypes);
    expect(() => codec.encode({ ...fullRow, qty: 'seven' })).toThrow(/column 'qty' \(int32\) has value "seven"/);
    expect(() => codec.encode({ ...fullRow, active: null })).toThrow(/column 'active' \(boolean\) has value null, and the column is not optional/);
    expect(() => codec.encode({ ...fullRow, tiny: 200 })).toThrow(/column 'tiny' \(int8\).*from -128 to 127/);
    expect(() => codec.encode({ ...fullRow, day: new Date('2024-01-01T10:00:00Z') })).toThrow(/column 'day' \(date\).*00:00 UTC/);
    expect(() => codec.encode({ ...fullRow, id: 2n ** 63n })).toThrow(/column 'id' \(int64\)/);
    const { note: _dropped, ...withoutNote } = fullRow;
    expect(codec.decode(codec.encode(withoutNote)).note).toBeNull();
  });

  it('reads an old record with a newer schema that adds an optional field (schema evolution)', () => {
    const v1: RecordSchema = {
      name: 'customers',
      fields: [
        { name: 'id', type: { kind: 'int32' }, optional: false },
        { name: 'name', type: { kind: 'string' }, optional: false },
        { name: 'balance', type: { kind: 'decimal', precision: 10, scale: 2 }, optional: false },
      ],
    };
    const v2: RecordSchema = {
      ...v1,
      fields: [
        { name: 'id', type: { kind: 'int64' }, optional: false }, // int → long promotion
        ...v1.fields.slice(1),
        { name: 'email', type: { kind: 'string' }, optional: true },
        { name: 'tier', type: { kind: 'string' }, optional: false, defaultValue: 'basic' },
      ],
    };
    const writer = avroCodecFor(v1);
    const reader = avroCodecFor(v2);
    const old = writer.encode({ id: 7, name: 'Ada', balance: '-0.01' });
    expect(reader.decodeFrom(writer, old)).toEqual({ id: 7n, name: 'Ada', balance: '-0.01', email: null, tier: 'basic' });
    // The other way round, an old reader ignores the new fields but cannot narrow long to int.
    const newer = reader.encode({ id: 8n, name: 'Bo', balance: '1.00', email: 'b@x', tier: 'gold' });
    expect(() => writer.decodeFrom(reader, newer)).toThrow(/cannot read "long" as "int"/);
    const v1Long = avroCodecFor({ ...v1, fields: [{ name: 'id', type: { kind: 'int64' }, optional: false }, ...v1.fields.slice(1)] });
    expect(v1Long.decodeFrom(reader, newer)).toEqual({ id: 8n, name: 'Bo', balance: '1.00' });
  });

  it('resolves optional logical columns between separately built codecs of the same table', () => {
    const writer = avroCodecForAvro(avroCodecFor(allTypes).schemaText);
    const reader = avroCodecFor(allTypes);
    expect(writer).not.toBe(reader);
    expect(reader.decodeFrom(writer, writer.encode(fullRow))).toEqual(fullRow);
    expect(reader.decodeFrom(writer, writer.encode(nullRow))).toEqual(nullRow);
    // A wider decimal scale on the reader pads the writer's values.
    const wider = avroCodecFor({
      ...allTypes,
      fields: allTypes.fields.map((f) => (f.name === 'amount' ? { ...f, type: { kind: 'decimal' as const, precision: 12, scale: 4 } } : f)),
    });
    expect(wider.decodeFrom(writer, writer.encode(fullRow)).amount).toBe('-12.5000');
  });

  it('refuses to resolve when the reader lacks a default for a field the writer does not have', () => {
    const writer = avroCodecFor({ name: 'r', fields: [{ name: 'a', type: { kind: 'int32' }, optional: false }] });
    const reader = avroCodecFor({
      name: 'r',
      fields: [
        { name: 'a', type: { kind: 'int32' }, optional: false },
        { name: 'b', type: { kind: 'string' }, optional: false },
      ],
    });
    expect(() => reader.decodeFrom(writer, writer.encode({ a: 1 }))).toThrow(/cannot be read as 'r'/);
  });

  it('decodes what plain producers write, honouring micros when asked', () => {
    const schema = {
      type: 'record',
      name: 'ev',
      fields: [
        { name: 'ts', type: { type: 'long', logicalType: 'timestamp-micros' } },
        { name: 'money', type: ['null', { type: 'fixed', name: 'Money', size: 8, logicalType: 'decimal', precision: 18, scale: 4 }], default: null },
        { name: 'kind', type: { type: 'enum', name: 'Kind', symbols: ['A', 'B'] } },
      ],
    };
    const producer = avro.Type.forSchema(schema as never);
    const micros = 1_714_566_896_789_123;
    const money = Buffer.alloc(8);
    money.writeBigInt64BE(-123_456n);
    const body = producer.toBuffer({ ts: micros, money, kind: 'B' });

    const asConnect = avroCodecForAvro(schema as never);
    expect(asConnect.decode(body)).toEqual({ ts: BigInt(micros), money: '-12.3456', kind: 'B' });
    const honoured = avroCodecForAvro(schema as never, { honourMicros: true });
    expect(honoured.decode(body)).toEqual({ ts: new Date(Math.floor(micros / 1000)), money: '-12.3456', kind: 'B' });
    // Fixed decimals are sign-extended to their size on the way back.
    expect(Buffer.compare(honoured.encode({ ts: new Date(1), money: '-12.3456', kind: 'A' }).subarray(-9, -1), money)).toBe(0);
  });

  it('maps scrubbed Avro names back to the row keys', () => {
    const schema: RecordSchema = { name: 'order-lines', fields: [{ name: 'unit price', type: { kind: 'int32' }, optional: false }] };
    const codec = avroCodecFor(schema);
    expect(codec.decode(codec.encode({ 'unit price': 5 }))).toEqual({ 'unit price': 5 });
  });

  it('a column whose name Avro cannot hold keeps it across Kafka: the schema carries it, a reader of that schema restores it', () => {
    const schema: RecordSchema = { name: 'orders', fields: [{ name: 'id', type: { kind: 'int32' }, optional: false }, { name: 'order by', type: { kind: 'string' }, optional: true }] };
    const writer = avroCodecFor(schema);
    const registered = JSON.parse(writer.schemaText) as { fields: Record<string, unknown>[] };
    // Consumers see Connect's scrubbed field name; the column's own name rides along as a field property.
    expect(registered.fields[1]).toMatchObject({ name: 'order_by', 'ferry.original.name': 'order by' });
    expect(registered.fields[0]).not.toHaveProperty('ferry.original.name');
    // What a sink does: the codec of the registered (writer) schema, its RecordSchema and rows with the source's names.
    const reader = avroCodecForAvro(writer.schemaText);
    expect(reader.schema.fields.map((field) => field.name)).toEqual(['id', 'order by']);
    expect(reader.decode(writer.encode({ id: 1, 'order by': 'asc' }))).toEqual({ id: 1, 'order by': 'asc' });
    // A schema without the property (written by Connect or another producer) reads as before.
    const connect = avroCodecForAvro(writer.schemaText.replace(',"ferry.original.name":"order by"', ''));
    expect(connect.schema.fields.map((field) => field.name)).toEqual(['id', 'order_by']);
  });

  it('reports truncated bodies as decode failures', () => {
    const codec = avroCodecFor(allTypes);
    const body = codec.encode(fullRow);
    expect(() => codec.decode(body.subarray(0, body.length - 3))).toThrow(/does not decode: truncated buffer/);
  });

  it('caches codecs per schema object and per schema text', () => {
    expect(avroCodecFor(allTypes)).toBe(avroCodecFor(allTypes));
    expect(avroCodecFor({ ...allTypes })).toBe(avroCodecFor(allTypes));
    const text = avroCodecFor(allTypes).schemaText;
    expect(avroCodecForAvro(text)).toBe(avroCodecForAvro(JSON.parse(text) as never));
  });
});

const SCRATCH = Buffer.alloc(8);
const BIG = {
  fromBuffer: (buf: Buffer) => buf.readBigInt64LE(0),
  toBuffer: (n: bigint) => {
    SCRATCH.writeBigInt64LE(n);
    return SCRATCH;
  },
  fromJSON: BigInt,
  toJSON: Number,
  isValid: (n: unknown) => typeof n === 'bigint',
  compare: () => 0,
};

describe("Avro codec with Debezium's temporal types", () => {
  it('writes MicroTimestamp and ZonedTimestamp as Debezium does and reads them as instants', () => {
    const writer = avroCodecFor({
      name: 'p.db.t.Value',
      fields: [
        { name: 'at', type: { kind: 'int64', semantic: { name: 'io.debezium.time.MicroTimestamp', version: 1 } }, optional: false },
        { name: 'zoned', type: { kind: 'string', semantic: { name: 'io.debezium.time.ZonedTimestamp', version: 1 } }, optional: true },
        { name: 'day', type: { kind: 'int32', semantic: { name: 'io.debezium.time.Date', version: 1 } }, optional: true },
        { name: 'clock', type: { kind: 'int64', semantic: { name: 'io.debezium.time.MicroTime', version: 1 } }, optional: true },
      ],
    });
    const body = writer.encode({ at: 1796464800123456n, zoned: '2026-12-05T10:00:00.5Z', day: 20484, clock: 86398123456n });
    const reader = avroCodecForAvro(writer.schemaText);
    expect(reader.schema.fields.map((field) => field.type.kind)).toEqual(['timestamp', 'timestamp', 'date', 'time']);
    expect(reader.decode(body)).toEqual({
      at: new Date(Date.UTC(2026, 11, 5, 10, 0, 0, 123)),
      zoned: new Date(Date.UTC(2026, 11, 5, 10, 0, 0, 500)),
      day: new Date(Date.UTC(2026, 0, 31)),
      clock: 86398123,
    });
  });
});
