import avro from 'avsc';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { EngineError } from '../../shared/errors';
import type { RecordSchema, Row } from '../model';
import { AvroConverter } from './avroConverter';
import { type EmbeddedSchemaRegistry, startEmbeddedSchemaRegistry } from './embeddedRegistry';
import { SchemaRegistryClient } from './registryClient';
import { schemaGuid } from './registryStore';
import { allTypes } from './testFixtures';
import { encodeSchemaIdHeader, VALUE_SCHEMA_ID_HEADER } from './wireFormat';

let registry: EmbeddedSchemaRegistry;
let client: SchemaRegistryClient;

beforeEach(async () => {
  registry = await startEmbeddedSchemaRegistry();
  client = new SchemaRegistryClient({ url: registry.url });
});

afterEach(async () => {
  await registry.close();
});

const keySchema: RecordSchema = { name: 'orders_key', fields: [{ name: 'id', type: { kind: 'int64' }, optional: false }] };
const row: Row = {
  id: 9_007_199_254_740_993n,
  tiny: 1,
  small: null,
  qty: 3,
  ratio: null,
  price: 9.99,
  active: false,
  note: 'n',
  blob: null,
  amount: '-0.05',
  discount: null,
  day: new Date('2024-02-29T00:00:00Z'),
  at: 0,
  updated_at: new Date('2024-02-29T23:59:59.999Z'),
  seen_at: null,
};

describe('AvroConverter against the embedded registry', () => {
  it('registers under <topic>-key / <topic>-value and round-trips rows', async () => {
    const converter = new AvroConverter({ registry: client });
    const value = await converter.fromRow('shop.orders', false, allTypes, row);
    const key = await converter.fromRow('shop.orders', true, keySchema, { id: 9_007_199_254_740_993n });
    expect(value?.[0]).toBe(0);
    expect(await client.listSubjects()).toEqual(['shop.orders-key', 'shop.orders-value']);
    const valueId = (await client.getLatestSchema('shop.orders-value')).id;
    expect(value?.readInt32BE(1)).toBe(valueId);

    // A fresh converter (another process) has to fetch the writer schema by id.
    const reader = new AvroConverter({ registry: new SchemaRegistryClient({ url: registry.url }) });
    const decoded = await reader.toRow('shop.orders', false, value ?? null);
    expect(decoded?.row).toEqual(row);
    expect(decoded?.schema).toEqual(allTypes);
    expect(decoded?.schemaId).toBe(valueId);
    expect((await reader.toRow('shop.orders', true, key ?? null))?.row).toEqual({ id: 9_007_199_254_740_993n });
  });

  it('encodes without a promise once the schema id is known: the same bytes as fromRow, nothing before the first registration', async () => {
    const converter = new AvroConverter({ registry: client });
    const keyRow = { id: 9_007_199_254_740_993n };
    expect(converter.fromRowNow('shop.orders', false, allTypes, row)).toBeUndefined();
    expect(converter.fromRowNow('shop.orders', true, keySchema, keyRow)).toBeUndefined();
    expect(await client.listSubjects()).toEqual([]);
    const value = await converter.fromRow('shop.orders', false, allTypes, row);
    const key = await converter.fromRow('shop.orders', true, keySchema, keyRow);
    expect(converter.fromRowNow('shop.orders', false, allTypes, row)).toEqual(value);
    expect(converter.fromRowNow('shop.orders', true, keySchema, keyRow)).toEqual(key);
    // Ids are per topic and per key/value: another topic still needs the promise path.
    expect(converter.fromRowNow('shop.other', false, allTypes, row)).toBeUndefined();
    expect(converter.fromRowNow('shop.orders', false, allTypes, null)).toBeNull();
    expect(() => converter.fromRowNow('shop.orders', false, allTypes, { ...row, amount: '0.001' })).toThrow(/column 'amount'/);
  });

  it('passes tombstones through as null', async () => {
    const converter = new AvroConverter({ registry: client });
    expect(await converter.fromRow('t', false, allTypes, null)).toBeNull();
    expect(await converter.toRow('t', false, null)).toBeNull();
    expect(await client.listSubjects()).toEqual([]);
  });

  it('follows the configured subject name strategy', async () => {
    const converter = new AvroConverter({ registry: client, subjectNameStrategy: 'io.confluent.kafka.serializers.subject.TopicRecordNameStrategy' });
    const schema: RecordSchema = { name: 'shop.dbo.orders', fields: [{ name: 'id', type: { kind: 'int32' }, optional: false }] };
    await converter.fromRow('t1', false, schema, { id: 1 });
    expect(converter.subjectFor('t1', false, schema)).toBe('t1-shop.dbo.orders');
    expect(await client.listSubjects()).toEqual(['t1-shop.dbo.orders']);
  });

  it('registers once per schema and topic, even for concurrent records', async () => {
    const converter = new AvroConverter({ registry: client });
    const outputs = await Promise.all(Array.from({ length: 50 }, (_, i) => converter.fromRow('t', false, allTypes, { ...row, qty: i })));
    expect(new Set(outputs.map((b) => b?.readInt32BE(1))).size).toBe(1);
    expect(await client.listVersions('t-value')).toEqual([1]);
  });

  it('decodes records whose schema id travels in the __value_schema_id header (id or GUID)', async () => {
    const converter = new AvroConverter({ registry: client });
    const framed = (await converter.fromRow('t', false, allTypes, row)) as Buffer;
    const id = framed.readInt32BE(1);
    const body = framed.subarray(5);
    const viaId = await converter.toRow('t', false, body, { [VALUE_SCHEMA_ID_HEADER]: encodeSchemaIdHeader({ kind: 'id', id }) });
    expect(viaId?.row).toEqual(row);
    const { schema } = await client.getSchemaById(id);
    const guid = schemaGuid(schema);
    const viaGuid = await new AvroConverter({ registry: new SchemaRegistryClient({ url: registry.url }) }).toRow('t', false, body, {
      [VALUE_SCHEMA_ID_HEADER]: encodeSchemaIdHeader({ kind: 'guid', guid }),
    });
    expect(viaGuid).toMatchObject({ row, schemaId: null, schemaGuid: guid });
  });

  it('reads old records with a newer reader schema', async () => {
    const v1: RecordSchema = { name: 'customers', fields: [{ name: 'id', type: { kind: 'int32' }, optional: false }] };
    const v2: RecordSchema = { name: 'customers', fields: [...v1.fields, { name: 'email', type: { kind: 'string' }, optional: true }] };
    const converter = new AvroConverter({ registry: client });
    const old = await converter.fromRow('c', false, v1, { id: 1 });
    await converter.fromRow('c', false, v2, { id: 2, email: 'x@y' });
    expect(await client.listVersions('c-value')).toEqual([1, 2]);
    expect(await converter.toRow('c', false, old, null, v2)).toMatchObject({ schema: v2, row: { id: 1, email: null } });
  });

  it('decodes what a plain Confluent-style producer wrote with its own schema', async () => {
    const schema = {
      type: 'record',
      name: 'Reading',
      namespace: 'iot',
      fields: [
        { name: 'sensor', type: 'string' },
        { name: 'at', type: { type: 'long', logicalType: 'timestamp-micros' } },
      ],
    };
    const id = await client.register('readings-value', JSON.stringify(schema));
    const body = avro.Type.forSchema(schema as never).toBuffer({ sensor: 's1', at: 1_700_000_000_123_456 });
    const framed = Buffer.concat([Buffer.from([0, 0, 0, 0, id]), body]);
    const connectLike = await new AvroConverter({ registry: client }).toRow('readings', false, framed);
    expect(connectLike?.row).toEqual({ sensor: 's1', at: 1_700_000_000_123_456n });
    expect(connectLike?.schema.name).toBe('iot.Reading');
    const honoured = await new AvroConverter({ registry: client, honourMicros: true }).toRow('readings', false, framed);
    expect(honoured?.row).toEqual({ sensor: 's1', at: new Date(1_700_000_000_123) });
  });

  it('with auto.register.schemas=false, uses only schemas that are already registered', async () => {
    const converter = new AvroConverter({ registry: client, autoRegisterSchemas: false });
    let error: EngineError | undefined;
    try {
      await converter.fromRow('t', true, keySchema, { id: 1n });
    } catch (e) {
      error = e as EngineError;
    }
    expect(error?.code).toBe('SCHEMA_REGISTRY_SCHEMA_NOT_FOUND');
    expect(error?.message).toMatch(/not registered under subject 't-key'/);
    expect(await client.listSubjects()).toEqual([]);
    await new AvroConverter({ registry: client }).schemaIdFor('t', true, keySchema);
    expect((await converter.fromRow('t', true, keySchema, { id: 1n }))?.[0]).toBe(0);
  });

  it('does not register anything for a row that does not fit its schema', async () => {
    const converter = new AvroConverter({ registry: client });
    await expect(converter.fromRow('t', false, allTypes, { ...row, amount: '0.001' })).rejects.toThrow(/column 'amount'/);
    expect(await client.listSubjects()).toEqual([]);
  });

  it('explains JSON on an Avro topic', async () => {
    const converter = new AvroConverter({ registry: client });
    await expect(converter.toRow('t', false, Buffer.from('{"id":1}'))).rejects.toThrow(/first byte 0x7b, looks like JSON/);
  });
});
