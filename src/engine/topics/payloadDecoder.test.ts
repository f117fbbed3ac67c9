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
