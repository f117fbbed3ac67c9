import avro from 'avsc';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bigintLongHook } from '../schema/avscTypes';
import { encodeFrame, type EmbeddedSchemaRegistry, SchemaRegistryClient, startEmbeddedSchemaRegistry } from '../schema';
import { PayloadDecoder } from './payloadDecoder';

const SCHEMA = { type: 'record', name: 'Event', fields: [{ name: 'id', type: 'long' }, { name: 'note', type: ['null', 'string'], default: null }] };

describe('payload decoder', () => {
  let registry: EmbeddedSchemaRegistry;
  let client: SchemaRegistryClient;
  let id: number;
  const type = avro.Type.forSchema(SCHEMA as Parameters<typeof avro.Type.forSchema>[0]);

  beforeAll(async () => {
    registry = await startEmbeddedSchemaRegistry();
    client = new SchemaRegistryClient({ url: registry.url });
    id = await client.register('events-value', JSON.stringify(SCHEMA));
  });
  afterAll(() => registry.close());

  it('decodes Avro through the registry with schema id, subject and version, exact beyond 2^53', async () => {
    const decoder = new PayloadDecoder('events', client);
    const exactType = avro.Type.forSchema(SCHEMA as Parameters<typeof avro.Type.forSchema>[0], { typeHook: bigintLongHook } as Parameters<typeof avro.Type.forSchema>[1]);
    const exact = encodeFrame(id, exactType.toBuffer({ id: 9007199254740993n, note: 'hi' }));
    const decoded = await decoder.decode(exact, undefined, false, 'auto');
    expect(decoded).toMatchObject({ format: 'avro', schemaId: id, subject: 'events-value', version: 1, text: '{"id":"9007199254740993","note":"hi"}' });
    expect(await decoder.decode(encodeFrame(id, type.toBuffer({ id: 7, note: null })), undefined, false, 'avro')).toMatchObject({ text: '{"id":7,"note":null}' });
  });

  it('flags a decode whose schema is not a version of the topic\'s subject (the topic was written through another registry)', async () => {
    // Another topic's schema under the same id: a registry that did not write "orders" still decodes its bytes.
    const decoder = new PayloadDecoder('orders', client);
    const decoded = await decoder.decode(encodeFrame(id, type.toBuffer({ id: 7, note: null })), undefined, false, 'auto');
    expect(decoded.format).toBe('avro');
    expect(decoded.warning).toMatch(new RegExp(`schema id ${id} is not a version of "orders-value" in the registry at ${registry.url.replace(/[.]/g, '\\.')}`));
    const right = await new PayloadDecoder('events', client).decode(encodeFrame(id, type.toBuffer({ id: 7, note: null })), undefined, false, 'auto');
    expect(right.warning).toBeUndefined();
  });

  it('shows Avro dates, timestamps and times as ISO text, decimals as numbers with their scale', async () => {
    const schema = {
      type: 'record',
      name: 'Typed',
      fields: [
        { name: 'day', type: { type: 'int', logicalType: 'date' } },
        { name: 'at', type: { type: 'long', logicalType: 'timestamp-millis' } },
        { name: 'atMicros', type: ['null', { type: 'long', logicalType: 'timestamp-micros' }] },
        { name: 'clock', type: { type: 'int', logicalType: 'time-millis' } },
        { name: 'amount', type: { type: 'bytes', logicalType: 'decimal', precision: 10, scale: 2 } },
      ],
    };
    const typedId = await client.register('typed-value', JSON.stringify(schema));
    const plain = avro.Type.forSchema(schema as Parameters<typeof avro.Type.forSchema>[0]);
    const body = plain.toBuffer({ day: 20_427, at: 1_764_962_626_123, atMicros: 1_764_962_626_123_456, clock: 45_296_789, amount: Buffer.from([0x04, 0xe2]) });
    const decoded = await new PayloadDecoder('typed', client).decode(encodeFrame(typedId, body), undefined, false, 'auto');
    expect(JSON.parse(decoded.text)).toEqual({ day: '2025-12-05', at: '2025-12-05T19:23:46.123Z', atMicros: '2025-12-05T19:23:46.123456Z', clock: '12:34:56.789', amount: '12.50' });
  });

  it('says why bytes are shown as hex: no magic byte, unknown schema id, no registry, bad body', async () => {
    const decoder = new PayloadDecoder('events', client);
    const binary = await decoder.decode(Buffer.from([0xff, 0x00, 0x10]), undefined, false, 'auto');
    expect(binary).toMatchObject({ format: 'hex', text: 'ff 00 10' });
    expect(binary.reason).toMatch(/no magic byte \(first byte 0xff\)/);

    const unknown = await decoder.decode(encodeFrame(424242, Buffer.from([2])), undefined, false, 'auto');
    expect(unknown).toMatchObject({ format: 'hex', schemaId: 424242 });
    expect(unknown.reason).toMatch(/unknown schema id 424242/);

    const noRegistry = await new PayloadDecoder('events', undefined).decode(encodeFrame(id, Buffer.from([2, 0])), undefined, false, 'auto');
    expect(noRegistry.reason).toMatch(/no Schema Registry is chosen/);

    const badBody = await decoder.decode(encodeFrame(id, Buffer.from([2, 9])), undefined, false, 'auto');
    expect(badBody.reason).toMatch(/does not decode with that schema/);

    const forcedAvro = await decoder.decode(Buffer.from('{"a":1}'), undefined, false, 'avro');
    expect(forcedAvro.reason).toMatch(/no magic byte: .*looks like JSON/);
  });

  it('decodes JSON and text, and hex on request or for text that is not UTF-8', async () => {
    const decoder = new PayloadDecoder('events', undefined);
    expect(await decoder.decode(Buffer.from('{ "a": [1, 2] }'), undefined, false, 'auto')).toMatchObject({ format: 'json', text: '{"a":[1,2]}', parsed: { a: [1, 2] } });
    expect(await decoder.decode(Buffer.from('order-17'), undefined, true, 'auto')).toMatchObject({ format: 'text', text: 'order-17' });
    expect(await decoder.decode(Buffer.from('ab'), undefined, false, 'hex')).toMatchObject({ format: 'hex', text: '61 62' });
    expect((await decoder.decode(Buffer.from([0xc3, 0x28]), undefined, false, 'text')).reason).toBe('not valid UTF-8 text');
    expect((await decoder.decode(Buffer.from('plain'), undefined, false, 'json')).reason).toMatch(/not JSON/);
    expect(await decoder.decode(null, undefined, false, 'auto')).toMatchObject({ format: 'null' });
  });
});
