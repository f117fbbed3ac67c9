import { describe, expect, it } from 'vitest';
import type { RecordSchema } from '../model';
import type { ChangeEvent } from '../schema';
import { changeEventToConnectJson, connectJsonToChangeEvent, connectJsonToRow, parseJsonLossless, rowToConnectJson } from './connectJson';
import { createConverter } from './converters';

const bytes = (value: unknown): Buffer => Buffer.from(JSON.stringify(value), 'utf8');

const ORDERS: RecordSchema = {
  name: 'lab.shop.orders.Value',
  fields: [
    { name: 'id', type: { kind: 'int64' }, optional: false },
    { name: 'customer', type: { kind: 'string' }, optional: true },
    { name: 'amount', type: { kind: 'decimal', precision: 10, scale: 2 }, optional: true },
    { name: 'placed_on', type: { kind: 'date' }, optional: true },
    { name: 'placed_at', type: { kind: 'timestamp' }, optional: true },
    { name: 'cutoff', type: { kind: 'time' }, optional: true },
    { name: 'paid', type: { kind: 'boolean' }, optional: false, defaultValue: false },
    { name: 'blob', type: { kind: 'bytes' }, optional: true },
    { name: 'qty', type: { kind: 'int16' }, optional: true },
    { name: 'ratio', type: { kind: 'float64' }, optional: true },
  ],
};

describe("Connect's JsonConverter with schemas.enable=true", () => {
  it('reads the shapes JsonConverter documents for logical types (JsonConverterTest)', () => {
    // Connect's own test vectors: Decimal 1.56 at scale 2 is "AJw=", Date 10000 days, Time 14400000 ms, Timestamp 4000000000 ms.
    const record = {
      schema: {
        type: 'struct',
        optional: false,
        name: 'vectors',
        fields: [
          { type: 'bytes', optional: false, name: 'org.apache.kafka.connect.data.Decimal', version: 1, parameters: { scale: '2' }, field: 'price' },
          { type: 'int32', optional: false, name: 'org.apache.kafka.connect.data.Date', version: 1, field: 'day' },
          { type: 'int32', optional: false, name: 'org.apache.kafka.connect.data.Time', version: 1, field: 'time' },
          { type: 'int64', optional: false, name: 'org.apache.kafka.connect.data.Timestamp', version: 1, field: 'at' },
          { type: 'int8', optional: true, field: 'small' },
          { type: 'bytes', optional: true, field: 'raw' },
        ],
      },
      payload: { price: 'AJw=', day: 10000, time: 14400000, at: 4000000000, small: 12, raw: 'AQI=' },
    };
    const decoded = connectJsonToRow(bytes(record), 'The value of t[0]@1');
    expect(decoded?.schema.fields.map((field) => [field.name, field.type])).toEqual([
      ['price', { kind: 'decimal', precision: 38, scale: 2 }],
      ['day', { kind: 'date' }],
      ['time', { kind: 'time' }],
      ['at', { kind: 'timestamp' }],
      ['small', { kind: 'int8' }],
      ['raw', { kind: 'bytes' }],
    ]);
    expect(decoded?.row).toEqual({ price: '1.56', day: new Date(10000 * 86_400_000), time: 14400000, at: new Date(4000000000), small: 12, raw: new Uint8Array([1, 2]) });
  });

  it('writes the schema and payload JsonConverter writes, and reads them back unchanged', () => {
    const row = {
      id: 9007199254740993n,
      customer: 'Ada "the first"',
      amount: '-1.56',
      placed_on: new Date(Date.UTC(2026, 11, 5)),
      placed_at: new Date(Date.UTC(2026, 11, 5, 18, 1, 2, 345)),
      cutoff: 14400000,
      paid: true,
      blob: new Uint8Array([0, 255]),
      qty: 3,
      ratio: 0.25,
    };
    const text = rowToConnectJson(ORDERS, row)?.toString('utf8') ?? '';
    // int64 beyond 2^53 is a JSON number with every digit, as Jackson writes a long.
    expect(text).toContain('"id":9007199254740993');
    const json = JSON.parse(text) as { schema: { fields: unknown[] }; payload: Record<string, unknown> };
    expect(json.schema).toMatchObject({ type: 'struct', optional: false, name: 'lab.shop.orders.Value' });
    expect(json.schema.fields[2]).toEqual({
      type: 'bytes',
      optional: true,
      name: 'org.apache.kafka.connect.data.Decimal',
      version: 1,
      parameters: { scale: '2', 'connect.decimal.precision': '10' },
      field: 'amount',
    });
    expect(json.schema.fields[6]).toEqual({ type: 'boolean', optional: false, default: false, field: 'paid' });
    expect(json.payload).toMatchObject({ amount: '/2Q=', placed_on: 20792, placed_at: 1796493662345, cutoff: 14400000, blob: 'AP8=' });
    const back = connectJsonToRow(Buffer.from(text), 'v');
    expect(back?.row).toEqual(row);
    expect(back?.schema.fields).toEqual(ORDERS.fields);
  });

  it('keeps a tombstone a tombstone and names the record when the bytes are not an envelope', () => {
    expect(rowToConnectJson(ORDERS, null)).toBeNull();
    expect(connectJsonToRow(null, 'v')).toBeNull();
    expect(() => connectJsonToRow(bytes({ id: 1 }), 'The value of orders[0]@7')).toThrow(/The value of orders\[0\]@7 is not a JsonConverter envelope.*schemas\.enable/);
    expect(() => connectJsonToRow(Buffer.from('{oops'), 'The value of orders[0]@8')).toThrow(/The value of orders\[0\]@8 is not JSON/);
  });

  it('parses integers beyond 2^53 without losing digits, and leaves strings alone', () => {
    expect(parseJsonLossless('{"a":12345678901234567890,"b":"x:12345678901234567890,","c":-1.5e3,"d":[9007199254740993]}')).toEqual({
      a: '12345678901234567890',
      b: 'x:12345678901234567890,',
      c: -1500,
      d: ['9007199254740993'],
    });
  });
});

const EVENT: ChangeEvent = {
  op: 'u',
  before: { id: 1n, customer: 'Ada', amount: '1.00', placed_on: null, placed_at: null, cutoff: null, paid: false, blob: null, qty: null, ratio: null },
  after: { id: 1n, customer: 'Ada', amount: '2.50', placed_on: null, placed_at: null, cutoff: null, paid: true, blob: null, qty: null, ratio: null },
  source: { connector: 'mariadb', name: 'lab', tsMs: 1796493662000, snapshot: 'false', db: 'shop', table: 'orders', serverId: 5400, gtid: '0-1-42', file: 'mariadb-bin.000002', pos: 1234, row: 0 },
  tsMs: 1796493662100,
};

describe('Debezium change events as Connect JSON', () => {
  it("writes Debezium's envelope struct and reads it back", () => {
    const text = changeEventToConnectJson('lab.shop.orders', ORDERS, 'mariadb', EVENT, '0.1.0-ferry', true).toString('utf8');
    const json = JSON.parse(text) as { schema: { name: string; version: number; fields: { field: string; name?: string; optional: boolean; version?: number }[] }; payload: Record<string, unknown> };
    expect(json.schema.name).toBe('lab.shop.orders.Envelope');
    expect(json.schema.version).toBe(2);
    expect(json.schema.fields.map((field) => [field.field, field.name, field.optional])).toEqual([
      ['before', 'lab.shop.orders.Value', true],
      ['after', 'lab.shop.orders.Value', true],
      ['source', 'io.debezium.connector.mariadb.Source', false],
      ['transaction', 'event.block', true],
      ['op', undefined, false],
      ['ts_ms', undefined, true],
      ['ts_us', undefined, true],
      ['ts_ns', undefined, true],
    ]);
    // Debezium 3.5's own JSON gives its Source struct schema version 1 (test/fixtures/debezium-3.5-mariadb-schema-change.json).
    expect(json.schema.fields.find((field) => field.field === 'source')).toMatchObject({ version: 1 });
    expect(json.payload).toMatchObject({ op: 'u', ts_ms: 1796493662100, source: { connector: 'mariadb', name: 'lab', db: 'shop', table: 'orders', server_id: 5400, file: 'mariadb-bin.000002', pos: 1234, row: 0, snapshot: 'false' } });
    const event = connectJsonToChangeEvent(Buffer.from(text), 'v', true);
    expect(event).toMatchObject({ op: 'u', schema: ORDERS, before: EVENT.before, after: EVENT.after });
    // The envelope around the images, for ExtractNewRecordState's add.fields: source fields with their schemas' types.
    expect(event?.envelope?.type('source', 'pos')).toEqual({ kind: 'int64' });
    expect(event?.envelope?.value('source', 'file')).toBe('mariadb-bin.000002');
    expect(event?.envelope?.value(null, 'ts_ms')).toBe(1796493662100n);
  });

  it('reads an event as the real Debezium MariaDbConnector writes it (semantic time types, Decimal precision)', () => {
    // Shape of a Debezium 3.5 event with JsonConverter, time.precision.mode=adaptive_time_microseconds (the default).
    const value = {
      type: 'struct',
      optional: true,
      name: 'dbz.ferry.items.Value',
      field: 'after',
      fields: [
        { type: 'int32', optional: false, field: 'id' },
        { type: 'string', optional: true, field: 'name' },
        { type: 'bytes', optional: true, name: 'org.apache.kafka.connect.data.Decimal', version: 1, parameters: { scale: '2', 'connect.decimal.precision': '10' }, field: 'price' },
        { type: 'int32', optional: true, name: 'io.debezium.time.Date', version: 1, field: 'due' },
        { type: 'int64', optional: true, name: 'io.debezium.time.Timestamp', version: 1, field: 'at' },
        { type: 'int64', optional: true, name: 'io.debezium.time.MicroTimestamp', version: 1, field: 'at6' },
        { type: 'string', optional: true, name: 'io.debezium.time.ZonedTimestamp', version: 1, field: 'changed' },
      ],
    };
    const record = {
      schema: { type: 'struct', optional: false, name: 'dbz.ferry.items.Envelope', version: 2, fields: [{ ...value, field: 'before' }, value, { type: 'struct', optional: false, name: 'io.debezium.connector.mariadb.Source', field: 'source', fields: [] }, { type: 'string', optional: false, field: 'op' }, { type: 'int64', optional: true, field: 'ts_ms' }] },
      payload: { before: null, after: { id: 7, name: 'bolt', price: 'Aw==', due: 20427, at: 1796493662345, at6: 1796493662345678, changed: '2026-12-05T18:01:02.345Z' }, source: {}, op: 'c', ts_ms: 1 },
    };
    const event = connectJsonToChangeEvent(bytes(record), 'v', true);
    expect(event?.op).toBe('c');
    expect(event?.schema.name).toBe('dbz.ferry.items.Value');
    expect(event?.after).toEqual({ id: 7, name: 'bolt', price: '0.03', due: new Date(20427 * 86_400_000), at: new Date(1796493662345), at6: new Date(1796493662345), changed: new Date('2026-12-05T18:01:02.345Z') });
    expect(event?.before).toBeNull();
  });

  it('writes and reads events without schemas (schemas.enable=false), and says null for a plain row', () => {
    const text = changeEventToConnectJson('lab.shop.orders', ORDERS, 'mariadb', { ...EVENT, op: 'd', after: null }, 'v', false);
    const event = connectJsonToChangeEvent(text, 'v', false);
    expect(event?.op).toBe('d');
    expect(event?.after).toBeNull();
    expect(event?.before).toMatchObject({ id: 1n, customer: 'Ada', amount: '1.00' });
    expect(connectJsonToChangeEvent(bytes({ id: 1 }), 'v', false)).toBeNull();
    expect(connectJsonToChangeEvent(rowToConnectJson(ORDERS, EVENT.after) as Buffer, 'v', true)).toBeNull();
  });

  it('is the converter a JsonConverter config with schemas selects, with toChangeEvent for ExtractNewRecordState', async () => {
    const serde = { format: 'JSON' as const, schemaRegistry: undefined, subjectNameStrategy: 'TopicNameStrategy' as const, autoRegisterSchemas: true, useLatestVersion: false, jsonSchemas: true };
    const converter = createConverter(serde, false);
    const written = await converter.fromRow('t', ORDERS, EVENT.after);
    expect(JSON.parse(written?.toString('utf8') ?? '{}')).toHaveProperty('schema.name', 'lab.shop.orders.Value');
    expect((await converter.toRow('t', written, {}, 'v'))?.row).toEqual(EVENT.after);
    const envelope = changeEventToConnectJson('t', ORDERS, 'mariadb', EVENT, 'v', true);
    expect((await converter.toChangeEvent?.('t', envelope, {}, 'v'))?.after).toEqual(EVENT.after);
  });
});

describe("JsonConverter's names for floats and Debezium's semantic types", () => {
  it('writes float32/float64 as "float"/"double" and a semantic type with its name, version and parameters, and reads them back', () => {
    const schema: RecordSchema = {
      name: 'p.db.t.Value',
      fields: [
        { name: 'ratio', type: { kind: 'float32' }, optional: true },
        { name: 'dbl', type: { kind: 'float64' }, optional: true },
        { name: 'mood', type: { kind: 'string', semantic: { name: 'io.debezium.data.Enum', version: 1, parameters: { allowed: 'sad,ok' } } }, optional: true },
      ],
    };
    const json = JSON.parse(rowToConnectJson(schema, { ratio: 1.5, dbl: 2.25, mood: 'ok' })?.toString('utf8') ?? '') as { schema: { fields: unknown[] } };
    expect(json.schema.fields).toEqual([
      { type: 'float', optional: true, field: 'ratio' },
      { type: 'double', optional: true, field: 'dbl' },
      { type: 'string', name: 'io.debezium.data.Enum', version: 1, parameters: { allowed: 'sad,ok' }, optional: true, field: 'mood' },
    ]);
    const back = connectJsonToRow(rowToConnectJson(schema, { ratio: 1.5, dbl: 2.25, mood: 'ok' }), 'v');
    expect(back?.schema.fields.map((field) => field.type)).toEqual(schema.fields.map((field) => field.type));
  });
});
