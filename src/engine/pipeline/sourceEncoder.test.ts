import { afterEach, describe, expect, it, vi } from 'vitest';
import { parsePipelineFile, requireValidPipeline, type ResolvedJdbcSource, type ResolvedSource } from '../config';
import { SOURCE_CAPTURE_HEADER, SOURCE_TIME_HEADER } from '../connectors/headers';
import type { SourceRecord } from '../connectors/port';
import type { RecordSchema } from '../model';
import { SchemaRegistryClient } from '../schema';
import { isSnapshotRecord, SourceEncoder } from './sourceEncoder';

function pollingSource(extra: Record<string, string> = {}): ResolvedJdbcSource {
  const document = {
    name: 'encoder',
    kafka: { 'bootstrap.servers': '127.0.0.1:9092' },
    connectors: [
      { name: 'src', 'connector.class': 'MySqlSource', 'connection.host': 'db', 'connection.port': '3306', 'connection.user': 'u', 'connection.password': 'p', 'db.name': 'shop', mode: 'bulk', 'table.whitelist': 'orders', 'output.data.format': 'JSON', ...extra },
    ],
  };
  const source = requireValidPipeline(parsePipelineFile(JSON.stringify(document), 'encoder.json'), 'encoder.json').connectors.find((connector): connector is ResolvedJdbcSource => connector.role === 'source');
  if (!source) throw new Error('no source');
  return source;
}

/** The problems and source of a pipeline whose source is Debezium's MariaDbConnector over `shop.orders` with `extra` keys. */
function parseMariaDbSource(extra: Record<string, string>): { problems: { rule: string }[]; source: ResolvedSource } {
  const document = {
    name: 'encoder',
    kafka: { 'bootstrap.servers': '127.0.0.1:9092' },
    connectors: [
      {
        name: 'cdc',
        'connector.class': 'io.debezium.connector.mariadb.MariaDbConnector',
        'database.hostname': 'db',
        'database.port': '3306',
        'database.user': 'u',
        'database.password': 'p',
        'database.server.id': '5401',
        'topic.prefix': 'lab',
        'table.include.list': 'shop\\.orders',
        ...extra,
      },
    ],
  };
  const parsed = parsePipelineFile(JSON.stringify(document), 'encoder.json');
  const source = requireValidPipeline(parsed, 'encoder.json').connectors.find((connector): connector is ResolvedSource => connector.role === 'source');
  if (!source) throw new Error('no source');
  return { problems: parsed.problems, source };
}

const JSON_CONVERTERS = {
  'key.converter': 'org.apache.kafka.connect.json.JsonConverter',
  'value.converter': 'org.apache.kafka.connect.json.JsonConverter',
  'value.converter.schemas.enable': 'true',
};

const schema: RecordSchema = { name: 'orders', fields: [{ name: 'id', type: { kind: 'int64' }, optional: false }] };
const row = (id: number, topic = 'orders', sourceTimestampMs?: number): SourceRecord => ({ topic, key: null, value: { kind: 'row', schema, row: { id: BigInt(id) } }, ...(sourceTimestampMs === undefined ? {} : { sourceTimestampMs }) });

describe('SourceEncoder', () => {
  it('puts the source time and capture headers on the first record of each topic in a batch only', async () => {
    const encoder = new SourceEncoder(pollingSource(), 'polling', 0);
    const byTopic = await encoder.encode([row(1, 'orders', 1_000), row(2, 'orders', 2_000), row(3, 'items', 3_000), row(4, 'orders', 4_000)], 9_999);
    const orders = byTopic.get('orders') ?? [];
    const items = byTopic.get('items') ?? [];
    expect(orders).toHaveLength(3);
    expect(items).toHaveLength(1);
    expect(orders[0]?.headers).toEqual({ [SOURCE_TIME_HEADER]: '1000', [SOURCE_CAPTURE_HEADER]: 'polling' });
    expect(orders.slice(1).map((message) => message.headers)).toEqual([undefined, undefined]);
    expect(items[0]?.headers).toEqual({ [SOURCE_TIME_HEADER]: '3000', [SOURCE_CAPTURE_HEADER]: 'polling' });
    expect(JSON.parse(String(orders[1]?.value))).toEqual({ id: 2 });
  });

  it('uses the read time when the source does not know when the change happened, and routes topics through the transforms', async () => {
    const encoder = new SourceEncoder(
      pollingSource({ transforms: 'route', 'transforms.route.type': 'org.apache.kafka.connect.transforms.RegexRouter', 'transforms.route.regex': '(.*)', 'transforms.route.replacement': 'copy.$1' }),
      'polling',
    );
    const byTopic = await encoder.encode([row(1)], 5_000);
    expect([...byTopic.keys()]).toEqual(['copy.orders']);
    expect(byTopic.get('copy.orders')?.[0]?.headers?.[SOURCE_TIME_HEADER]).toBe('5000');
    expect(encoder.routedTopic('orders')).toBe('copy.orders');
  });

  it('writes rows without transforms exactly as through a chain that leaves them alone (the untransformed path skips the chain)', async () => {
    const keySchema: RecordSchema = { name: 'orders.key', fields: [{ name: 'id', type: { kind: 'int64' }, optional: false }] };
    const valueSchema: RecordSchema = {
      name: 'orders',
      fields: [
        { name: 'id', type: { kind: 'int64' }, optional: false },
        { name: 'amount', type: { kind: 'decimal', precision: 10, scale: 2 }, optional: true },
        { name: 'at', type: { kind: 'timestamp' }, optional: true },
      ],
    };
    const records: SourceRecord[] = [1, 2, 3].map((id) => ({
      topic: 'orders',
      key: id === 2 ? null : { schema: keySchema, row: { id: BigInt(id) } },
      value: { kind: 'row', schema: valueSchema, row: { id: BigInt(id), amount: id === 3 ? null : `${id}.50`, at: new Date(id * 1000) } },
      ...(id === 1 ? { sourceTimestampMs: 500 } : {}),
    }));
    const written = async (extra: Record<string, string>): Promise<unknown> => {
      const byTopic = await new SourceEncoder(pollingSource({ 'output.data.format': 'JSON', 'value.converter.schemas.enable': 'true', ...extra }), 'polling', 0).encode(records, 9_000);
      return [...byTopic].map(([topic, messages]) => [topic, messages.map((message) => ({ key: message.key?.toString('hex') ?? null, value: message.value?.toString('hex') ?? null, headers: message.headers }))]);
    };
    const untransformed = await written({});
    expect(untransformed).toEqual(await written({ transforms: 'noop', 'transforms.noop.type': 'org.apache.kafka.connect.transforms.RegexRouter', 'transforms.noop.regex': 'nothing-matches', 'transforms.noop.replacement': 'x' }));
    expect(JSON.stringify(untransformed)).toContain('"orders"');
  });

  it('samples latency from streamed changes only: rows that were there before the connector started are snapshot progress', async () => {
    const encoder = new SourceEncoder(pollingSource(), 'polling', 10_000);
    const byTopic = await encoder.encode([row(1, 'orders', 1_000), row(2, 'orders', 2_000), row(3, 'orders', 12_000)], 13_000);
    const orders = byTopic.get('orders') ?? [];
    // The capture kind still rides on the batch's first record; the time on the first change made after the start.
    expect(orders.map((message) => message.headers)).toEqual([{ [SOURCE_CAPTURE_HEADER]: 'polling' }, undefined, { [SOURCE_TIME_HEADER]: '12000' }]);
    expect(isSnapshotRecord(row(1, 'orders', 1_000), 10_000)).toBe(true);
    expect(isSnapshotRecord(row(1, 'orders', 10_000), 10_000)).toBe(false);
    // A source that does not know when a row changed (incrementing, bulk) is timed from the read.
    expect(isSnapshotRecord(row(1), 10_000)).toBe(false);
  });

  it('names a change event after the source topic when a RegexRouter moves it, as Debezium does in Connect', async () => {
    const { source } = parseMariaDbSource({
      ...JSON_CONVERTERS,
      transforms: 'route',
      'transforms.route.type': 'org.apache.kafka.connect.transforms.RegexRouter',
      'transforms.route.regex': 'lab\\.shop\\.(.*)',
      'transforms.route.replacement': 'shop-$1',
    });
    const encoder = new SourceEncoder(source, 'log', 0);
    const valueSchema: RecordSchema = { name: 'lab.shop.orders.Value', fields: [{ name: 'id', type: { kind: 'int32' }, optional: false }] };
    const change: SourceRecord = {
      topic: 'lab.shop.orders',
      key: null,
      value: {
        kind: 'change',
        schema: valueSchema,
        connector: 'mariadb',
        event: {
          op: 'c',
          before: null,
          after: { id: 1 },
          source: { connector: 'mariadb', name: 'lab', tsMs: 1_000, snapshot: 'false', db: 'shop', table: 'orders', serverId: 1, gtid: null, file: 'mariadb-bin.000001', pos: 4, row: 0 },
          tsMs: 1_500,
        },
      },
      sourceTimestampMs: 1_000,
    };
    const byTopic = await encoder.encode([change], 2_000);
    expect([...byTopic.keys()]).toEqual(['shop-orders']);
    const event = JSON.parse(String(byTopic.get('shop-orders')?.[0]?.value)) as { schema: { name: string }; payload: { after: { id: number } } };
    expect(event.schema.name).toBe('lab.shop.orders.Envelope');
    expect(event.payload.after).toEqual({ id: 1 });
  });

  it('a log source with ExtractNewRecordState writes add.fields as typed columns and add.headers as headers', async () => {
    const { problems, source } = parseMariaDbSource({
      ...JSON_CONVERTERS,
      transforms: 'unwrap',
      'transforms.unwrap.type': 'io.debezium.transforms.ExtractNewRecordState',
      'transforms.unwrap.add.fields': 'op,table,source.ts_ms',
      'transforms.unwrap.add.headers': 'db,table',
      'transforms.unwrap.delete.handling.mode': 'rewrite',
    });
    expect(problems.filter((problem) => problem.rule.startsWith('transforms.'))).toEqual([]);
    const encoder = new SourceEncoder(source, 'log', 0);
    const valueSchema: RecordSchema = { name: 'lab.shop.orders.Value', fields: [{ name: 'id', type: { kind: 'int32' }, optional: false }] };
    const binlog = { connector: 'mariadb', name: 'lab', tsMs: 1_764_979_200_000, snapshot: 'false', db: 'shop', table: 'orders', serverId: 1, gtid: null, file: 'mariadb-bin.000001', pos: 4, row: 0 } as const;
    const change = (op: 'c' | 'd', before: { id: number } | null, after: { id: number } | null): SourceRecord => ({
      topic: 'lab.shop.orders',
      key: null,
      value: { kind: 'change', schema: valueSchema, connector: 'mariadb', event: { op, before, after, source: binlog, tsMs: 1_764_979_200_500 } },
    });
    const byTopic = await encoder.encode([change('c', null, { id: 1 }), change('d', { id: 1 }, null)], 2_000);
    const [insert, remove] = byTopic.get('lab.shop.orders') ?? [];
    type Written = { schema: { fields: { field: string; type: string; optional: boolean }[] }; payload: Record<string, unknown> };
    const value = JSON.parse(String(insert?.value)) as Written;
    expect(value.payload).toEqual({ id: 1, __op: 'c', __table: 'orders', __source_ts_ms: 1_764_979_200_000, __deleted: 'false' });
    expect(value.schema.fields.map((field) => `${field.field}:${field.type}:${String(field.optional)}`)).toEqual(['id:int32:false', '__op:string:true', '__table:string:true', '__source_ts_ms:int64:true', '__deleted:string:true']);
    expect(insert?.headers).toMatchObject({ __db: 'shop', __table: 'orders' });
    expect((JSON.parse(String(remove?.value)) as Written).payload).toEqual({ id: 1, __op: 'd', __table: 'orders', __source_ts_ms: 1_764_979_200_000, __deleted: 'true' });
  });
});

describe('SourceEncoder without promises once schemas are registered', () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  function avroLogSource(): ResolvedSource {
    return parseMariaDbSource({
      'table.include.list': 'shop\\..*',
      'key.converter': 'io.confluent.connect.avro.AvroConverter',
      'key.converter.schema.registry.url': 'http://127.0.0.1:1',
      'value.converter': 'io.confluent.connect.avro.AvroConverter',
      'value.converter.schema.registry.url': 'http://127.0.0.1:1',
    }).source;
  }


  const keySchema: RecordSchema = { name: 'key', fields: [{ name: 'id', type: { kind: 'int32' }, optional: false }] };
  const valueSchema = (table: string): RecordSchema => ({ name: `lab.shop.${table}.Value`, fields: [{ name: 'id', type: { kind: 'int32' }, optional: false }] });
  const schemas = { orders: valueSchema('orders'), items: valueSchema('items') };
  const change = (table: 'orders' | 'items', id: number): SourceRecord => ({
    topic: `lab.shop.${table}`,
    key: { schema: keySchema, row: { id } },
    value: {
      kind: 'change',
      schema: schemas[table],
      connector: 'mariadb',
      event: {
        op: 'c',
        before: null,
        after: { id },
        source: { connector: 'mariadb', name: 'lab', tsMs: 1_000, snapshot: 'false', db: 'shop', table, serverId: 1, gtid: null, file: 'mariadb-bin.000001', pos: 4 + id, row: 0 },
        tsMs: 1_500,
      },
    },
    sourceTimestampMs: 1_000,
  });
  const hex = (byTopic: Map<string, { key: Buffer | null; value: Buffer | null }[]>): [string, string[]][] =>
    [...byTopic].map(([topic, messages]) => [topic, messages.map((message) => `${message.key?.toString('hex') ?? '-'}/${message.value?.toString('hex') ?? '-'}`)]);

  it('writes the same bytes whether a record waited for its schemas to register or not, registering each subject once, key before value', async () => {
    const registered: string[] = [];
    vi.spyOn(SchemaRegistryClient.prototype, 'register').mockImplementation((subject: string) => {
      registered.push(subject);
      return Promise.resolve(200 + registered.length);
    });
    const encoder = new SourceEncoder(avroLogSource(), 'log', 0);
    // The first record of each topic registers (the promise path), the others find the ids (the promise-free path).
    const batch = [change('orders', 1), change('orders', 2), change('items', 3), change('orders', 4), change('items', 5)];
    const first = hex(await encoder.encode(batch, 2_000));
    expect(registered).toEqual(['lab.shop.orders-key', 'lab.shop.orders-value', 'lab.shop.items-key', 'lab.shop.items-value']);
    // Every record of the second pass is encoded without waiting: the bytes, order and topics are the same.
    const second = hex(await encoder.encode(batch, 2_000));
    expect(second).toEqual(first);
    expect(registered).toHaveLength(4);
    expect(first.map(([topic, messages]) => [topic, messages.length])).toEqual([
      ['lab.shop.orders', 3],
      ['lab.shop.items', 2],
    ]);
    // Key ids as registered: orders' key 201, items' key 203; values 202 and 204.
    const ids = first.flatMap(([, messages]) => messages.map((message) => message.split('/').map((part) => Number.parseInt(part.slice(2, 10), 16))));
    expect(ids).toEqual([
      [201, 202],
      [201, 202],
      [201, 202],
      [203, 204],
      [203, 204],
    ]);
  });

  it('a registration that fails fails the batch, and the next batch registers again', async () => {
    let calls = 0;
    vi.spyOn(SchemaRegistryClient.prototype, 'register').mockImplementation(() => {
      calls += 1;
      return calls === 1 ? Promise.reject(new Error('registry down')) : Promise.resolve(300 + calls);
    });
    const encoder = new SourceEncoder(avroLogSource(), 'log', 0);
    await expect(encoder.encode([change('orders', 1), change('orders', 2)], 2_000)).rejects.toThrow(/registry down/);
    const byTopic = await encoder.encode([change('orders', 1), change('orders', 2)], 2_000);
    expect(byTopic.get('lab.shop.orders')).toHaveLength(2);
  });
});
