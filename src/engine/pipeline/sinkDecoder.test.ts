import { describe, expect, it } from 'vitest';
import type { ResolvedSerde, ResolvedTransform } from '../config';
import type { ResolvedSinkBase } from '../connectors/port';
import type { RecordSchema, SinkRecord } from '../model';
import { AvroConverter, type ChangeEvent, DebeziumEnvelopeCodec, encodeFrame, SchemaRegistryClient, startEmbeddedSchemaRegistry } from '../schema';
import { changeEventToConnectJson } from './connectJson';
import { ConverterError, SinkRecordDecoder } from './sinkDecoder';

// The sink's ExtractNewRecordState on Connect JSON change events (with and without schemas): add.fields become
// columns typed from the envelope's schema, add.headers become record headers, rewrite's __deleted comes last.

const schema: RecordSchema = { name: 'srv.shop.orders.Value', fields: [{ name: 'id', type: { kind: 'int32' }, optional: false }, { name: 'customer', type: { kind: 'string' }, optional: true }] };
const source = { connector: 'mysql', name: 'srv', tsMs: 1_764_979_200_000, snapshot: 'false', db: 'shop', table: 'orders', serverId: 1, gtid: null, file: 'binlog.000003', pos: 4_711, row: 0 } as const;

function decoder(jsonSchemas: boolean, config: Record<string, string>): SinkRecordDecoder {
  const value: ResolvedSerde<'JSON'> = { format: 'JSON', schemaRegistry: undefined, subjectNameStrategy: 'TopicNameStrategy', autoRegisterSchemas: true, useLatestVersion: false, jsonSchemas };
  const unwrap: ResolvedTransform = { alias: 'unwrap', type: 'io.debezium.transforms.ExtractNewRecordState', supported: true, config, predicate: undefined, negate: false };
  // Only what the decoder reads; the rest of a sink's config is for the task around it.
  const sink: Pick<ResolvedSinkBase, 'key' | 'value' | 'transforms' | 'predicates'> = { key: undefined, value, transforms: [unwrap], predicates: [] };
  return new SinkRecordDecoder(sink as ResolvedSinkBase);
}

function message(event: ChangeEvent | null, jsonSchemas: boolean) {
  return { offset: '7', key: null, value: event ? changeEventToConnectJson('srv.shop.orders', schema, 'mysql', event, 'test', jsonSchemas) : null, headers: {}, timestamp: '1764979200999' };
}

const update: ChangeEvent = { op: 'u', before: { id: 1, customer: 'ada' }, after: { id: 1, customer: 'bob' }, source, transaction: null, tsMs: 1_764_979_200_500 };
const remove: ChangeEvent = { op: 'd', before: { id: 1, customer: 'bob' }, after: null, source, transaction: null, tsMs: 1_764_979_200_600 };
const config = { 'add.fields': 'op,file,pos,source.ts_ms,ts_ms:processed_at', 'add.headers': 'db,table', 'delete.handling.mode': 'rewrite' };

describe('SinkRecordDecoder: ExtractNewRecordState add.fields / add.headers on Connect JSON', () => {
  it('with schemas: columns of the envelope\'s types, headers, and a rewritten delete', async () => {
    const unwrap = decoder(true, config);
    const record = await unwrap.decode('srv.shop.orders', 0, message(update, true));
    expect(record?.value).toEqual({ id: 1, customer: 'bob', __op: 'u', __file: 'binlog.000003', __pos: BigInt(4_711), __source_ts_ms: BigInt(1_764_979_200_000), __processed_at: BigInt(1_764_979_200_500), __deleted: 'false' });
    expect(record?.valueSchema?.fields.slice(2).map((field) => `${field.name}:${field.type.kind}:${String(field.optional)}`)).toEqual([
      '__op:string:true', '__file:string:true', '__pos:int64:true', '__source_ts_ms:int64:true', '__processed_at:int64:true', '__deleted:string:true',
    ]);
    expect(Object.fromEntries(Object.entries(record?.headers ?? {}).map(([name, bytes]) => [name, Buffer.from(bytes).toString()]))).toEqual({ __db: 'shop', __table: 'orders' });
    const deleted = await unwrap.decode('srv.shop.orders', 0, message(remove, true));
    expect(deleted?.value).toMatchObject({ id: 1, customer: 'bob', __op: 'd', __deleted: 'true' });
  });

  it('without schemas: types inferred from the values; a kept tombstone gets the op header d', async () => {
    const unwrap = decoder(false, { ...config, 'delete.handling.mode': 'none', 'drop.tombstones': 'false', 'add.headers': 'op' });
    const record = await unwrap.decode('srv.shop.orders', 0, message(update, false));
    expect(record?.value).toMatchObject({ __op: 'u', __file: 'binlog.000003', __pos: BigInt(4_711), __source_ts_ms: BigInt(1_764_979_200_000) });
    const tombstone = await unwrap.decode('srv.shop.orders', 0, message(null, false));
    expect(tombstone?.value).toBeNull();
    expect(Buffer.from(tombstone?.headers.__op ?? new Uint8Array()).toString()).toBe('d');
  });
});

describe('SinkRecordDecoder on Avro: records after the first of a schema decode without a promise', () => {
  it('gives the same records either way, and names the stage of a failure on both paths', async () => {
    const registry = await startEmbeddedSchemaRegistry();
    try {
      const topic = 'srv.shop.orders';
      const valueSchema: RecordSchema = { ...schema, name: `${topic}.Value`, fields: [...schema.fields, { name: 'placed', type: { kind: 'timestamp' }, optional: true }] };
      const keySchema: RecordSchema = { name: `${topic}.Key`, fields: [{ name: 'id', type: { kind: 'int32' }, optional: false }] };
      const envelope = new DebeziumEnvelopeCodec(topic, valueSchema, 'mysql', 'test');
      const client = new SchemaRegistryClient({ url: registry.url });
      const envelopeId = await client.register(`${topic}-value`, envelope.schemaText);
      const keys = new AvroConverter({ registry: client });
      const avroSerde = { format: 'AVRO', schemaRegistry: { urls: [registry.url], basicAuth: undefined }, subjectNameStrategy: 'TopicNameStrategy', autoRegisterSchemas: true, useLatestVersion: false } as unknown as ResolvedSerde<'AVRO'>;
      const unwrap: ResolvedTransform = { alias: 'unwrap', type: 'io.debezium.transforms.ExtractNewRecordState', supported: true, config: { 'drop.tombstones': 'false', 'delete.handling.mode': 'none' }, predicate: undefined, negate: false };
      const sink: Pick<ResolvedSinkBase, 'key' | 'value' | 'transforms' | 'predicates'> = { key: avroSerde, value: avroSerde, transforms: [unwrap], predicates: [] };
      const avroDecoder = new SinkRecordDecoder(sink as ResolvedSinkBase);
      const placed = new Date('2026-12-01T10:00:00.123Z');
      const messageOf = async (offset: number, event: ChangeEvent | null) => ({
        offset: String(offset),
        key: await keys.fromRow(topic, true, keySchema, { id: 1 }),
        value: event ? encodeFrame(envelopeId, envelope.encode(event)) : null,
        headers: {},
        timestamp: '1764979200999',
      });
      const upsert: ChangeEvent = { ...update, before: null, after: { id: 1, customer: 'bob', placed } };
      const first = avroDecoder.decode(topic, 0, await messageOf(1, upsert));
      expect(first).toBeInstanceOf(Promise);
      const expected = await first;
      expect(expected?.value).toEqual({ id: 1, customer: 'bob', placed });
      expect(expected?.key).toEqual({ id: 1 });
      const again = avroDecoder.decode(topic, 0, await messageOf(1, upsert));
      expect(again).not.toBeInstanceOf(Promise);
      expect(again).toEqual(expected);
      const deleted = avroDecoder.decode(topic, 0, await messageOf(2, { ...remove, before: { id: 1, customer: 'bob', placed: null } }));
      expect(deleted).not.toBeInstanceOf(Promise);
      expect(deleted).toMatchObject({ key: { id: 1 }, value: null, valueSchema: null, offset: '2' });
      const tombstone = avroDecoder.decode(topic, 0, await messageOf(3, null));
      expect(tombstone).toMatchObject({ key: { id: 1 }, value: null, offset: '3' });
      const broken = { ...(await messageOf(4, upsert)), value: encodeFrame(envelopeId, Buffer.from([2])) };
      let failure: unknown;
      try {
        avroDecoder.decode(topic, 0, broken);
      } catch (error) {
        failure = error;
      }
      expect(failure).toBeInstanceOf(ConverterError);
      expect((failure as ConverterError).stage).toBe('VALUE_CONVERTER');
      expect((failure as ConverterError).message).toContain(`The value of ${topic}[0]@4`);
      // With add.fields the whole envelope is read (the source block too); without, only op/before/after are.
      const addFields: ResolvedTransform = { ...unwrap, config: { ...unwrap.config, 'add.fields': 'op,file,pos' } };
      const withFields = new SinkRecordDecoder({ ...sink, transforms: [addFields] } as unknown as ResolvedSinkBase);
      for (const attempt of [await withFields.decode(topic, 0, await messageOf(5, upsert)), withFields.decode(topic, 0, await messageOf(5, upsert))]) {
        expect(attempt).not.toBeInstanceOf(Promise);
        expect((attempt as SinkRecord | null)?.value).toEqual({ id: 1, customer: 'bob', placed, __op: 'u', __file: 'binlog.000003', __pos: 4_711n });
      }
      const full = await keys.toChangeEvent(topic, encodeFrame(envelopeId, envelope.encode(upsert)));
      const rowsOnly = await keys.toChangeEvent(topic, encodeFrame(envelopeId, envelope.encode(upsert)), undefined, { rowsOnly: true });
      expect(full?.source).toMatchObject({ file: 'binlog.000003', pos: 4_711 });
      expect(rowsOnly?.source).toBeUndefined();
      expect([rowsOnly?.op, rowsOnly?.before, rowsOnly?.after, rowsOnly?.schema]).toEqual([full?.op, full?.before, full?.after, full?.schema]);
      // The promise path (a decoder that has not loaded the schema yet) fails the same way, also for trailing bytes.
      const fresh = new SinkRecordDecoder(sink as ResolvedSinkBase);
      await expect(fresh.decode(topic, 0, broken)).rejects.toMatchObject({ stage: 'VALUE_CONVERTER', message: (failure as ConverterError).message });
      const trailing = { ...broken, value: encodeFrame(envelopeId, Buffer.concat([envelope.encode(upsert), Buffer.from([0])])) };
      const trailingFailure = await Promise.resolve()
        .then(() => new SinkRecordDecoder(sink as ResolvedSinkBase).decode(topic, 0, trailing))
        .catch((error: unknown) => error);
      expect(trailingFailure).toMatchObject({ stage: 'VALUE_CONVERTER', message: expect.stringContaining('trailing data') as unknown });
      expect(() => avroDecoder.decode(topic, 0, trailing)).toThrow((trailingFailure as ConverterError).message);

      // A plug-in that takes epoch-millisecond timestamps: the promise-free read gives them as numbers, its schema
      // marking the field, when ExtractNewRecordState is the only transform; Dates otherwise, as before.
      const epochDecoder = new SinkRecordDecoder(sink as ResolvedSinkBase, { timestampsAsEpochMs: true });
      expect(await epochDecoder.decode(topic, 0, await messageOf(1, upsert))).toEqual(expected);
      const epoch = epochDecoder.decode(topic, 0, await messageOf(1, upsert)) as SinkRecord | null;
      expect(epoch?.value).toEqual({ id: 1, customer: 'bob', placed: placed.getTime() });
      // A message without headers: one shared frozen empty object (nothing writes into a sink record's headers).
      expect(epoch?.headers).toEqual({});
      expect(Object.isFrozen(epoch?.headers)).toBe(true);
      expect(epoch?.valueSchema?.fields.find((field) => field.name === 'placed')?.type).toEqual({ kind: 'timestamp', epochMs: true });
      expect({ ...epoch, value: null, valueSchema: null }).toEqual({ ...expected, value: null, valueSchema: null });
      const nullPlaced = epochDecoder.decode(topic, 0, await messageOf(6, { ...upsert, after: { id: 1, customer: 'bob', placed: null } })) as SinkRecord | null;
      expect(nullPlaced?.value).toEqual({ id: 1, customer: 'bob', placed: null });
      const rename: ResolvedTransform = { alias: 'rename', type: 'org.apache.kafka.connect.transforms.ReplaceField$Value', supported: true, config: { renames: 'customer:buyer' }, predicate: undefined, negate: false };
      for (const other of [
        new SinkRecordDecoder({ ...sink, transforms: [unwrap, rename] } as unknown as ResolvedSinkBase, { timestampsAsEpochMs: true }),
        new SinkRecordDecoder({ ...sink, transforms: [addFields] } as unknown as ResolvedSinkBase, { timestampsAsEpochMs: true }),
        new SinkRecordDecoder(sink as ResolvedSinkBase, { timestampsAsEpochMs: false }),
      ]) {
        await other.decode(topic, 0, await messageOf(1, upsert));
        const record = other.decode(topic, 0, await messageOf(1, upsert)) as SinkRecord | null;
        expect(record?.value?.placed).toEqual(placed);
        expect(record?.valueSchema?.fields.find((field) => field.name === 'placed')?.type).toEqual({ kind: 'timestamp' });
      }
    } finally {
      await registry.close();
    }
  });
});
