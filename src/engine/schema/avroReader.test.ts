import avro from 'avsc';
import type { Type } from 'avsc';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { RecordSchema, Row } from '../model';
import type { JsonObject } from './avroJson';
import { avroCodecFor, avroCodecForAvro } from './avroCodec';
import { AvroConverter, type DecodedChangeEvent } from './avroConverter';
import { compileRecordReader } from './avroReader';
import { type ChangeEvent, DebeziumEnvelopeCodec } from './debeziumEnvelope';
import { startEmbeddedSchemaRegistry } from './embeddedRegistry';
import { SchemaRegistryClient } from './registryClient';
import { encodeFrame } from './wireFormat';

// The compiled reader must give exactly what avsc gives for the same bytes, for every column kind Ferry reads, and
// must decline (so avsc reads and reports) every body avsc would refuse.

const topic = 'lab.shop.reader';
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
    { name: 'big', type: { kind: 'decimal', precision: 40, scale: 6 }, optional: true },
    { name: 'whole', type: { kind: 'decimal', precision: 20, scale: 0 }, optional: true },
    { name: 'day', type: { kind: 'date' }, optional: true },
    { name: 'at', type: { kind: 'time' }, optional: true },
    { name: 'placed', type: { kind: 'timestamp' }, optional: false },
    { name: 'micros', type: { kind: 'int64', semantic: { name: 'io.debezium.time.MicroTimestamp', version: 1 } }, optional: true },
    { name: 'order by', type: { kind: 'string' }, optional: true },
  ],
};

const INT64_EDGES = [-(2n ** 63n), 2n ** 63n - 1n, 2n ** 53n, -(2n ** 53n), 2n ** 53n - 1n, -(2n ** 53n) - 1n, 2n ** 62n + 12345n, 0n, -1n];
const STRINGS = ['', 'a', 'café', '☕ and 𝄞', 'x'.repeat(64), 'ß'.repeat(40), '\ud800 lone', `${'y'.repeat(70)}\udc00`, 'quote " and \\ back', 'nul \u0000 inside'];

function row(i: number): Row {
  return {
    id: i < INT64_EDGES.length ? (INT64_EDGES[i] as bigint) : BigInt(i) * 1_000_000_007n,
    small: i % 4 === 0 ? null : -32768 + i * 97,
    tiny: (i % 256) - 128,
    count: i % 5 === 0 ? null : i * 123_457 - 2 ** 30,
    ratio: i % 6 === 0 ? null : i % 6 === 1 ? -0 : i / 7,
    f: i % 7 === 0 ? null : i * 0.1,
    flag: i % 2 === 0,
    name: i % 11 === 10 ? null : (STRINGS[i % STRINGS.length] ?? ''),
    payload: i % 9 === 0 ? null : Buffer.from(Array.from({ length: i % 20 }, (_, b) => (b * 13 + i) % 256)),
    // Negative and positive, zero, amounts of 1 to 7 bytes (the in-place text path stops at 6).
    amount: i % 13 === 0 ? '0.00' : `${i % 2 === 0 ? '-' : ''}${String(i * 37 * 10 ** (i % 11))}.${String(i % 100).padStart(2, '0')}`,
    big: i % 10 === 0 ? null : `${i % 3 === 0 ? '-' : ''}${'9'.repeat(i % 30)}${i}.${String(i).padStart(6, '0')}`,
    whole: i % 8 === 0 ? null : `${i % 2 === 0 ? '-' : ''}${String(2 ** (i % 60))}`,
    day: i % 11 === 0 ? null : new Date(Date.UTC(1900 + i, i % 12, (i % 28) + 1)),
    at: i % 12 === 0 ? null : (i * 3_600_123) % 86_400_000,
    placed: new Date(Date.UTC(2026, 0, 1) + i * 86_399_999 - 2 ** 40),
    micros: i % 13 === 0 ? null : i === 5 ? 2n ** 60n : BigInt(i) * -1_700_000_000_000n,
    'order by': i % 3 === 0 ? null : `o${i}`,
  };
}

const ROWS = Array.from({ length: 200 }, (_, i) => row(i));

/** avsc's read of a codec's bytes, with the codec's row keys (what every decode returned before the compiled reader). */
function avscRead(type: Type, rowKeys: readonly string[], body: Buffer): Row {
  const record = type.fromBuffer(body) as Row;
  const fields = (type as unknown as { fields: { name: string }[] }).fields;
  return Object.fromEntries(fields.map((field, index) => [rowKeys[index] as string, record[field.name]])) as Row;
}

function codecType(codec: object): Type {
  return (codec as { type: Type }).type;
}

describe('compileRecordReader', () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it('reads every column kind as avsc reads it: nulls, int64 edges, negative and huge decimals, unicode, empty text and bytes', () => {
    const codec = avroCodecFor(schema);
    const type = codecType(codec);
    const rowKeys = schema.fields.map((field) => field.name);
    const read = compileRecordReader(type, rowKeys);
    expect(read).toBeDefined();
    for (const original of ROWS) {
      const body = codec.encode(original);
      const expected = avscRead(type, rowKeys, body);
      const actual = read?.(body, 0);
      expect(actual).toEqual(expected);
      expect(Object.keys(actual ?? {})).toEqual(Object.keys(expected));
      // Values of the same JS types (a bigint stays a bigint, a Date a Date, bytes a Buffer).
      for (const key of rowKeys) expect(Object.prototype.toString.call(actual?.[key])).toBe(Object.prototype.toString.call(expected[key]));
      // And the codec's decode (now compiled) still gives the row that was written.
      expect(codec.decode(body)).toEqual(avscRead(type, rowKeys, body));
    }
  });

  it('reads short texts as avsc reads them while reusing those it read before: thousands of values sharing slots, every length to 17, ASCII and not', () => {
    const texts: RecordSchema = { name: 'lab.shop.texts.Value', fields: [{ name: 'a', type: { kind: 'string' }, optional: false }, { name: 'b', type: { kind: 'string' }, optional: true }] };
    const codec = avroCodecFor(texts);
    const type = codecType(codec);
    const read = compileRecordReader(type, ['a', 'b']);
    const values = Array.from({ length: 6000 }, (_, index) => {
      const length = index % 18;
      const base = `${index.toString(36)}\u0000\u0001\u007f~ zZ09${'x'.repeat(20)}`.slice(0, length);
      return index % 7 === 3 ? `${base.slice(0, Math.max(0, length - 1))}é` : index % 11 === 5 ? base.toUpperCase() : base;
    });
    for (let pass = 0; pass < 2; pass++) {
      values.forEach((value, index) => {
        const row: Row = { a: value, b: index % 5 === 0 ? null : (values[(index * 7) % values.length] as string) };
        const body = codec.encode(row);
        expect(read?.(body, 0)).toEqual(avscRead(type, ['a', 'b'], body));
        expect(read?.(body, 0)).toEqual(row);
      });
    }
  });

  it('reads decimals of scale 0 to 4 as avsc reads them, at every width and sign and around each power of ten', () => {
    const scales = [0, 1, 2, 3, 4];
    const decimals: RecordSchema = { name: 'lab.shop.decimals.Value', fields: scales.map((scale) => ({ name: `s${scale}`, type: { kind: 'decimal', precision: 15, scale }, optional: false })) };
    const codec = avroCodecFor(decimals);
    const type = codecType(codec);
    const rowKeys = decimals.fields.map((field) => field.name);
    const read = compileRecordReader(type, rowKeys);
    const magnitudes = [0, 1, 9, 10, 99, 100, 101, 999, 1000, 1001, 12_345, 127, 128, 255, 256, 32_767, 32_768, 8_388_607, 2 ** 31, 2 ** 40 + 7, 2 ** 47 - 1, 999_999_999_999_999];
    const text = (unscaled: bigint, scale: number): string => {
      const digits = (unscaled < 0n ? -unscaled : unscaled).toString().padStart(scale + 1, '0');
      const body = scale === 0 ? digits : `${digits.slice(0, digits.length - scale)}.${digits.slice(digits.length - scale)}`;
      return unscaled < 0n ? `-${body}` : body;
    };
    for (const magnitude of magnitudes) {
      for (const sign of [1n, -1n]) {
        const row = Object.fromEntries(scales.map((scale) => [`s${scale}`, text(sign * BigInt(magnitude), scale)])) as Row;
        const body = codec.encode(row);
        expect(read?.(body, 0)).toEqual(avscRead(type, rowKeys, body));
        expect(read?.(body, 0)).toEqual(row);
      }
    }
  });

  it('reads a Debezium/Connect writer schema (Connect decimals, io.debezium.time types, zoned timestamps) as avsc reads it', () => {
    const connectDecimal = (scale: number) => ({ type: 'bytes', scale, precision: 30, 'connect.version': 1, 'connect.parameters': { scale: String(scale) }, 'connect.name': 'org.apache.kafka.connect.data.Decimal', logicalType: 'decimal' });
    const writer = {
      type: 'record',
      name: 'Value',
      namespace: 'srv.shop.orders',
      fields: [
        { name: 'id', type: 'int' },
        { name: 'amount', type: connectDecimal(4) },
        { name: 'maybe_amount', type: ['null', connectDecimal(0)], default: null },
        { name: 'created', type: { type: 'long', 'connect.version': 1, 'connect.name': 'io.debezium.time.Timestamp' } },
        { name: 'created_us', type: ['null', { type: 'long', 'connect.version': 1, 'connect.name': 'io.debezium.time.MicroTimestamp' }], default: null },
        { name: 'zoned', type: ['null', { type: 'string', 'connect.version': 1, 'connect.name': 'io.debezium.time.ZonedTimestamp' }], default: null },
        { name: 'day', type: ['null', { type: 'int', 'connect.version': 1, 'connect.name': 'io.debezium.time.Date' }], default: null },
        { name: 'clock', type: ['null', { type: 'long', 'connect.version': 1, 'connect.name': 'io.debezium.time.MicroTime' }], default: null },
        { name: 'uuid', type: ['null', { type: 'string', 'connect.version': 1, 'connect.name': 'io.debezium.data.Uuid' }], default: null },
        { name: 'status', type: ['null', { type: 'enum', name: 'Status', symbols: ['NEW', 'PAID'] }], default: null },
        { name: 'code', type: ['null', { type: 'fixed', name: 'Code', size: 3 }], default: null },
        { name: 'small', type: ['null', { type: 'int', 'connect.type': 'int16' }], default: null },
        { name: 'wide', type: ['long', 'null'] },
      ],
    };
    for (const honourMicros of [false, true]) {
      const codec = avroCodecForAvro(writer as unknown as JsonObject, { honourMicros });
      const type = codecType(codec);
      const rowKeys = codec.schema.fields.map((field) => field.name);
      const read = compileRecordReader(type, rowKeys);
      expect(read).toBeDefined();
      const plain = avro.Type.forSchema(writer as unknown as avro.Schema);
      for (let i = 0; i < 60; i++) {
        const unscaled = (BigInt(i) * 987654321987n - 10n ** BigInt(i % 25)) * (i % 2 === 0 ? 1n : -1n);
        const bytes = (value: bigint) => {
          const hex = (value < 0n ? (1n << 256n) + value : value).toString(16).padStart(64, value < 0n ? 'f' : '0');
          let buf = Buffer.from(hex, 'hex');
          while (buf.length > 1 && ((buf[0] === 0 && !((buf[1] as number) & 0x80)) || (buf[0] === 0xff && (buf[1] as number) & 0x80))) buf = buf.subarray(1);
          return buf;
        };
        const record = {
          id: i * 7 - 100,
          amount: bytes(unscaled),
          maybe_amount: i % 3 === 0 ? null : bytes(BigInt(i) - 30n),
          created: 1_764_979_200_000 + i * 1_000_003 - (i % 2) * 2 ** 42,
          created_us: i % 4 === 0 ? null : 1_764_979_200_000_123 + i * 999,
          zoned: i % 5 === 0 ? null : new Date(1_700_000_000_000 + i * 3_600_000).toISOString().replace('Z', i % 2 ? '+02:00' : 'Z'),
          day: i % 6 === 0 ? null : 20_000 - i * 300,
          clock: i % 7 === 0 ? null : (i * 3_600_000_123) % 86_400_000_000,
          uuid: i % 8 === 0 ? null : `0000000${i % 10}-0000-4000-8000-000000000000`,
          status: i % 9 === 0 ? null : i % 2 === 0 ? 'NEW' : 'PAID',
          code: i % 10 === 0 ? null : Buffer.from([i, i + 1, i + 2]),
          small: i % 11 === 0 ? null : -i * 100,
          wide: i % 12 === 0 ? null : Number(BigInt(i) * 123_456_789_012n),
        };
        const body = plain.toBuffer(record);
        const expected = avscRead(type, rowKeys, body);
        expect(read?.(body, 0)).toEqual(expected);
        expect(codec.decode(body)).toEqual(expected);
      }
    }
  });

  it('declines bodies cut short, followed by more bytes, or with a union index out of range, so avsc reports them', () => {
    const codec = avroCodecFor(schema);
    const type = codecType(codec);
    const read = compileRecordReader(
      type,
      schema.fields.map((field) => field.name),
    );
    const body = codec.encode(row(21));
    for (let cut = 0; cut < body.length; cut++) expect(read?.(body.subarray(0, cut), 0)).toBeUndefined();
    expect(read?.(Buffer.concat([body, Buffer.from([0])]), 0)).toBeUndefined();
    // `small` (the second field) is ['null', int]: index 2 does not exist.
    const id = body.subarray(0, 1 + body.findIndex((byte) => !(byte & 0x80)) - 0);
    const bad = Buffer.concat([id, Buffer.from([4]), body.subarray(id.length + 1)]);
    expect(read?.(bad, 0)).toBeUndefined();
    expect(() => codec.decode(bad)).toThrow(/does not decode: invalid union index/);
    expect(() => codec.decode(body.subarray(0, body.length - 1))).toThrow(/does not decode: truncated buffer/);
    expect(() => codec.decode(Buffer.concat([body, Buffer.from([0])]))).toThrow(/does not decode: trailing data/);
  });
});

describe('AvroConverter change events read through the compiled envelope reader', () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it('gives the op, before and after avsc gives, for creates, updates, deletes and snapshot reads, without avsc', async () => {
    const registry = await startEmbeddedSchemaRegistry();
    try {
      const client = new SchemaRegistryClient({ url: registry.url });
      const converter = new AvroConverter({ registry: client });
      const envelope = new DebeziumEnvelopeCodec(topic, schema, 'mariadb', 'test');
      const id = await client.register(`${topic}-value`, envelope.schemaText);
      const source = { connector: 'mariadb', name: 'srv', tsMs: 1_764_979_200_000, snapshot: 'false', db: 'shop', table: 'orders', serverId: 1, gtid: '0-1-77', file: 'binlog.000003', pos: 4_711, row: 0 } as const;
      // A Debezium MicroTimestamp is read back as a timestamp, which avsc refuses beyond 2^53 µs: not in these rows.
      const rows = ROWS.map((original): Row => ({ ...original, micros: original.micros === 2n ** 60n ? 2n ** 52n : (original.micros ?? null) }));
      const events: ChangeEvent[] = rows.map((after, i) => {
        const op = (['c', 'u', 'd', 'r'] as const)[i % 4] ?? 'c';
        return { op, before: op === 'u' || op === 'd' ? (rows[(i + 1) % rows.length] ?? null) : null, after: op === 'd' ? null : after, source: { ...source, pos: i }, transaction: null, tsMs: 1_764_979_200_500 + i };
      });
      const framed = events.map((event) => encodeFrame(id, envelope.encode(event)));
      // The first read fetches the schema; the full (avsc) read is the reference.
      const expected: (DecodedChangeEvent | null)[] = [];
      for (const bytes of framed) expected.push(await converter.toChangeEvent(topic, bytes, null));
      const decode = vi.spyOn(avro.Type.prototype, 'decode');
      const fromBuffer = vi.spyOn(avro.Type.prototype, 'fromBuffer');
      framed.forEach((bytes, index) => {
        const event = converter.toChangeEventNow(topic, bytes, null, { rowsOnly: true });
        const reference = expected[index];
        expect(event?.op).toBe(reference?.op);
        expect(event?.before).toEqual(reference?.before);
        expect(event?.after).toEqual(reference?.after);
        expect(event?.schema).toBe(reference?.schema);
      });
      expect(decode).not.toHaveBeenCalled();
      expect(fromBuffer).not.toHaveBeenCalled();
      // With timestampsAsEpochMs: the same images, each timestamp as the epoch milliseconds of avsc's Date, and a
      // schema that marks exactly those fields (millisecond and Debezium microsecond timestamps alike).
      framed.forEach((bytes, index) => {
        const event = converter.toChangeEventNow(topic, bytes, null, { rowsOnly: true, timestampsAsEpochMs: true });
        const reference = expected[index];
        expect(event?.op).toBe(reference?.op);
        const marked = (event?.schema.fields ?? []).filter((field) => field.type.kind === 'timestamp' && field.type.epochMs === true).map((field) => field.name);
        expect(marked).toEqual(reference?.schema.fields.filter((field) => field.type.kind === 'timestamp').map((field) => field.name));
        expect(marked).toContain('placed');
        expect(event?.schema.fields.map((field) => ({ ...field, type: { ...field.type, epochMs: undefined } }))).toEqual(reference?.schema.fields.map((field) => ({ ...field, type: { ...field.type, epochMs: undefined } })));
        for (const image of ['before', 'after'] as const) {
          const want = reference?.[image] ?? null;
          const got = event?.[image] ?? null;
          if (want === null || got === null) {
            expect(got).toBe(want);
            continue;
          }
          expect(Object.keys(got)).toEqual(Object.keys(want));
          for (const key of Object.keys(want)) {
            const value = want[key];
            if (marked.includes(key)) expect(got[key], key).toBe(value instanceof Date ? value.getTime() : value);
            else expect(got[key], key).toEqual(value);
          }
        }
      });
      expect(decode).not.toHaveBeenCalled();
      expect(fromBuffer).not.toHaveBeenCalled();
      // A body cut short still fails as avsc reports it, naming the schema id.
      const cut = framed[1]?.subarray(0, (framed[1]?.length ?? 1) - 1) as Buffer;
      expect(() => converter.toChangeEventNow(topic, cut, null, { rowsOnly: true })).toThrow(new RegExp(`schema id ${id} does not decode: truncated buffer`));
      expect(() => converter.toChangeEventNow(topic, cut, null, { rowsOnly: true, timestampsAsEpochMs: true })).toThrow(new RegExp(`schema id ${id} does not decode: truncated buffer`));
    } finally {
      await registry.close();
    }
  });
});

describe('AvroConverter.toRowNow on a prefixed key', () => {
  it('reads the body in place: the row toRow gives, the same failure for a cut body', async () => {
    const registry = await startEmbeddedSchemaRegistry();
    try {
      const client = new SchemaRegistryClient({ url: registry.url });
      const writer = new AvroConverter({ registry: client });
      const reader = new AvroConverter({ registry: client });
      const keySchema: RecordSchema = { name: `${topic}.Key`, fields: [{ name: 'id', type: { kind: 'int64' }, optional: false }] };
      const keys = await Promise.all(INT64_EDGES.map((id) => writer.fromRow(topic, true, keySchema, { id })));
      const first = keys[0] as Buffer;
      expect(reader.toRowNow(topic, true, first)).toBeUndefined();
      const expected = await Promise.all(keys.map((key) => reader.toRow(topic, true, key)));
      const subarray = vi.spyOn(Buffer.prototype, 'subarray');
      keys.forEach((key, index) => expect(reader.toRowNow(topic, true, key)).toEqual(expected[index]));
      expect(subarray).not.toHaveBeenCalled();
      subarray.mockRestore();
      const cut = first.subarray(0, first.length - 1);
      await expect(reader.toRow(topic, true, cut)).rejects.toThrow(/truncated buffer/);
      expect(() => reader.toRowNow(topic, true, cut)).toThrow(/truncated buffer/);
    } finally {
      await registry.close();
    }
  });
});
