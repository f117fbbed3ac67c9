import avro from 'avsc';
import { describe, expect, it } from 'vitest';
import type { RecordSchema } from '../model';
import { DebeziumEnvelopeCodec, extractNewRecordState } from './debeziumEnvelope';
import { encodeFrame } from './wireFormat';

/** A consumer's own reader: plain avsc, with 64-bit longs as bigint (Debezium's ts_ns exceeds 2^53), nothing of Ferry's. */
function plainReader(schemaText: string): avro.Type {
  const longType = avro.types.LongType.__with({
    fromBuffer: (buffer: Buffer) => buffer.readBigInt64LE(),
    toBuffer: (value: bigint) => {
      const buffer = Buffer.alloc(8);
      buffer.writeBigInt64LE(value);
      return buffer;
    },
    fromJSON: (value: number) => BigInt(value),
    toJSON: (value: bigint) => Number(value),
    isValid: (value: unknown) => typeof value === 'bigint',
    compare: (a: bigint, b: bigint) => (a < b ? -1 : a > b ? 1 : 0),
  });
  return avro.Type.forSchema(JSON.parse(schemaText) as avro.Schema, { registry: { long: longType } });
}

const topic = 'lab.shop.orders';
const valueSchema: RecordSchema = {
  name: `${topic}.Value`,
  fields: [
    { name: 'id', type: { kind: 'int32' }, optional: false },
    { name: 'customer', type: { kind: 'string' }, optional: true },
    { name: 'amount', type: { kind: 'decimal', precision: 10, scale: 2 }, optional: true },
    { name: 'placed', type: { kind: 'timestamp' }, optional: true },
    { name: 'order by', type: { kind: 'string' }, optional: true },
  ],
};

const binlogSource = {
  connector: 'mariadb' as const,
  name: 'lab',
  tsMs: 1_767_225_600_000,
  snapshot: 'false' as const,
  db: 'shop',
  table: 'orders',
  serverId: 1001,
  gtid: '0-1001-15',
  file: 'mariadb-bin.000002',
  pos: 1234,
  row: 0,
};

describe('Debezium envelope', () => {
  const codec = new DebeziumEnvelopeCodec(topic, valueSchema, 'mariadb', '0.1.0-ferry');

  it('has Debezium’s record names and field order', () => {
    const schema = JSON.parse(codec.schemaText) as { name: string; namespace?: string; fields: { name: string; type: unknown }[] };
    expect(schema.namespace ? `${schema.namespace}.${schema.name}` : schema.name).toBe(`${topic}.Envelope`);
    expect(schema.fields.map((field) => field.name)).toEqual(['before', 'after', 'source', 'transaction', 'op', 'ts_ms', 'ts_us', 'ts_ns']);
    const source = schema.fields[2]?.type as { name: string; namespace?: string; fields: { name: string }[] };
    expect(`${source.namespace ?? ''}.${source.name}`).toBe('io.debezium.connector.mariadb.Source');
    expect(source.fields.map((field) => field.name)).toEqual(['version', 'connector', 'name', 'ts_ms', 'snapshot', 'db', 'sequence', 'ts_us', 'ts_ns', 'table', 'server_id', 'gtid', 'file', 'pos', 'row', 'thread', 'query']);
    const before = schema.fields[0]?.type as [string, { name: string; namespace?: string }];
    // A nested record without a namespace of its own inherits the envelope's (Avro's name resolution).
    expect(`${before[1].namespace ?? schema.namespace ?? ''}.${before[1].name}`).toBe(`${topic}.Value`);
  });

  it('is readable by a plain Avro reader that knows nothing of Ferry (a Debezium consumer)', () => {
    const placed = new Date('2026-12-01T10:00:00.123Z');
    const body = codec.encode({
      op: 'u',
      before: { id: 7, customer: 'ada', amount: '10.50', placed, 'order by': 'x' },
      after: { id: 7, customer: 'ada', amount: '11.25', placed, 'order by': 'y' },
      source: binlogSource,
      tsMs: 1_767_225_600_500,
    });
    const plain = plainReader(codec.schemaText);
    const event = plain.fromBuffer(body) as {
      op: string;
      before: Record<string, unknown>;
      after: Record<string, unknown>;
      source: Record<string, unknown>;
      transaction: null;
      ts_ms: bigint;
    };
    expect(event.op).toBe('u');
    expect(event.after.id).toBe(7);
    expect(event.after.order_by).toBe('y'); // scrubbed Avro name, as Connect's AvroData writes it
    expect(Number(event.after.placed)).toBe(placed.getTime()); // timestamp-millis
    expect(Buffer.from(event.after.amount as Buffer).readUIntBE(0, (event.after.amount as Buffer).length)).toBe(1125); // unscaled decimal
    expect(event.source).toMatchObject({ connector: 'mariadb', name: 'lab', db: 'shop', table: 'orders', server_id: 1001n, gtid: '0-1001-15', file: 'mariadb-bin.000002', pos: 1234n, row: 0, snapshot: 'false' });
    expect(event.transaction).toBeNull();
    expect(event.ts_ms).toBe(1_767_225_600_500n);
  });

  it('frames in one buffer the same bytes as encode + encodeFrame, longs past 2^52 included', () => {
    const event = { op: 'c' as const, before: null, after: { id: 1, customer: 'a', amount: '1.50', placed: new Date(1_767_225_600_123), 'order by': null }, source: { ...binlogSource, pos: 2 ** 53 + 2 }, tsMs: 1_767_225_600_999 };
    expect(codec.encodeFramed(event, 42)).toEqual(encodeFrame(42, codec.encode(event)));
    const source = (plainReader(codec.schemaText).fromBuffer(codec.encode(event)) as { source: { pos: bigint; ts_ns: bigint; server_id: bigint } }).source;
    expect([source.pos, source.ts_ns, source.server_id]).toEqual([2n ** 53n + 2n, 1_767_225_600_000_000_000n, 1001n]);
  });

  it('reads its own bytes back into rows with the source’s column names', () => {
    const body = codec.encode({ op: 'd', before: { id: 8, customer: null, amount: null, placed: null, 'order by': 'z' }, after: null, source: binlogSource, tsMs: 1 });
    const decoded = codec.decode(body);
    expect(decoded.op).toBe('d');
    expect(decoded.after).toBeNull();
    expect(decoded.before).toEqual({ id: 8, customer: null, amount: null, placed: null, 'order by': 'z' });
  });

  it('writes PostgreSQL’s source block', () => {
    const pgCodec = new DebeziumEnvelopeCodec('lab.public.orders', { ...valueSchema, name: 'lab.public.orders.Value' }, 'postgresql', '0.1.0-ferry');
    const body = pgCodec.encode({
      op: 'c',
      before: null,
      after: { id: 1, customer: 'a', amount: null, placed: null, 'order by': null },
      source: { connector: 'postgresql', name: 'lab', tsMs: 5, snapshot: 'false', db: 'ferry', schema: 'public', table: 'orders', txId: 771, lsn: 24_023_128, sequence: '["24023000","24023128"]' },
      tsMs: 6,
    });
    const event = plainReader(pgCodec.schemaText).fromBuffer(body) as { source: Record<string, unknown> };
    expect(event.source).toMatchObject({ connector: 'postgresql', schema: 'public', table: 'orders', txId: 771n, lsn: 24_023_128n });
  });

  it('refuses a value schema not named as Debezium names it', () => {
    expect(() => new DebeziumEnvelopeCodec(topic, { ...valueSchema, name: 'orders' }, 'mysql', 'x')).toThrow(/must be named 'lab\.shop\.orders\.Value'/);
  });
});

describe('ExtractNewRecordState', () => {
  const row = { id: 1 };
  it('keeps after, drops or rewrites deletes, and drops tombstones when asked', () => {
    expect(extractNewRecordState({ op: 'c', before: null, after: row }, { deleteHandling: 'none', dropTombstones: true })).toEqual({ kind: 'row', row });
    expect(extractNewRecordState({ op: 'd', before: row, after: null }, { deleteHandling: 'none', dropTombstones: true })).toEqual({ kind: 'delete' });
    expect(extractNewRecordState({ op: 'd', before: row, after: null }, { deleteHandling: 'drop', dropTombstones: true })).toEqual({ kind: 'drop' });
    expect(extractNewRecordState({ op: 'd', before: row, after: null }, { deleteHandling: 'rewrite', dropTombstones: true })).toEqual({ kind: 'row', row: { id: 1, __deleted: 'true' } });
    expect(extractNewRecordState({ op: 'u', before: null, after: row }, { deleteHandling: 'rewrite', dropTombstones: true })).toEqual({ kind: 'row', row: { id: 1, __deleted: 'false' } });
    expect(extractNewRecordState(null, { deleteHandling: 'none', dropTombstones: true })).toEqual({ kind: 'drop' });
    expect(extractNewRecordState(null, { deleteHandling: 'none', dropTombstones: false })).toEqual({ kind: 'delete' });
  });
});
