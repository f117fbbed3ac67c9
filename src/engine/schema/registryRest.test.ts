import { afterEach, describe, expect, it } from 'vitest';
import { type EmbeddedSchemaRegistry, startEmbeddedSchemaRegistry } from './embeddedRegistry';
import { SchemaRegistryClient } from './registryClient';

// The REST endpoints a Confluent client meets beyond register/fetch: version deletes, the schema listing,
// contexts, the cluster metadata, references and Confluent's incompatibility details ([SR] REST API reference).

const open: EmbeddedSchemaRegistry[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((registry) => registry.close()));
});

async function start(): Promise<{ url: string; call: (method: string, path: string, body?: unknown) => Promise<[number, unknown]> }> {
  const registry = await startEmbeddedSchemaRegistry({ kafkaClusterId: 'cluster-a-id' });
  open.push(registry);
  const call = async (method: string, path: string, body?: unknown): Promise<[number, unknown]> => {
    const response = await fetch(`${registry.url}${path}`, {
      method,
      headers: { 'Content-Type': 'application/vnd.schemaregistry.v1+json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return [response.status, await response.json()];
  };
  return { url: registry.url, call };
}

const record = (name: string, fields: unknown[]): string => JSON.stringify({ type: 'record', name, fields });
const V1 = record('c', [{ name: 'id', type: 'int' }]);
const V2 = record('c', [
  { name: 'id', type: 'int' },
  { name: 'note', type: ['null', 'string'], default: null },
]);

describe('embedded registry: deleting versions', () => {
  it('soft-deletes a version or "latest", then deletes it permanently, with Confluent\'s error codes', async () => {
    const { call } = await start();
    await call('POST', '/subjects/c-value/versions', { schema: V1 });
    await call('POST', '/subjects/c-value/versions', { schema: V2 });
    expect(await call('DELETE', '/subjects/c-value/versions/1?permanent=true')).toEqual([404, { error_code: 40407, message: "Subject 'c-value' Version 1 was not deleted first before being permanently deleted" }]);
    expect(await call('DELETE', '/subjects/c-value/versions/latest')).toEqual([200, 2]);
    expect(await call('GET', '/subjects/c-value/versions')).toEqual([200, [1]]);
    expect(await call('GET', '/subjects/c-value/versions?deleted=true')).toEqual([200, [1, 2]]);
    expect(await call('GET', '/subjects/c-value/versions/2?deleted=true')).toMatchObject([200, { version: 2 }]);
    expect(await call('DELETE', '/subjects/c-value/versions/2')).toEqual([404, { error_code: 40406, message: "Subject 'c-value' Version 2 was soft deleted.Set permanent=true to delete permanently" }]);
    expect((await call('DELETE', '/subjects/c-value/versions/latest'))[1]).toMatchObject({ error_code: 40406 });
    expect(await call('DELETE', '/subjects/c-value/versions/2?permanent=true')).toEqual([200, 2]);
    expect(await call('GET', '/subjects/c-value/versions?deleted=true')).toEqual([200, [1]]);
    // The schema of a permanently deleted version is gone with it when nothing else uses it.
    expect(await call('GET', '/schemas/ids/2')).toEqual([404, { error_code: 40403, message: 'Schema 2 not found' }]);
    expect((await call('DELETE', '/subjects/nope/versions/1'))[1]).toMatchObject({ error_code: 40401 });
    // Once version 2 is gone for good, version 1 is the latest.
    expect(await call('DELETE', '/subjects/c-value/versions/latest')).toEqual([200, 1]);
    expect((await call('DELETE', '/subjects/c-value/versions/1'))[1]).toMatchObject({ error_code: 40406 });
    expect(await call('GET', '/subjects/c-value/versions')).toEqual([404, { error_code: 40401, message: "Subject 'c-value' not found." }]);
  });
});

describe('embedded registry: listings and metadata', () => {
  it('lists every schema (GET /schemas with its filters), the contexts and the cluster id', async () => {
    const { call } = await start();
    await call('POST', '/subjects/a-value/versions', { schema: V1 });
    await call('POST', '/subjects/a-value/versions', { schema: V2 });
    await call('POST', '/subjects/b-value/versions', { schema: V1 });
    const [status, all] = await call('GET', '/schemas');
    expect(status).toBe(200);
    expect(all).toEqual([
      { subject: 'a-value', version: 1, id: 1, schema: V1 },
      { subject: 'a-value', version: 2, id: 2, schema: V2 },
      { subject: 'b-value', version: 1, id: 1, schema: V1 },
    ]);
    expect((await call('GET', '/schemas?latestOnly=true'))[1]).toEqual([
      { subject: 'a-value', version: 2, id: 2, schema: V2 },
      { subject: 'b-value', version: 1, id: 1, schema: V1 },
    ]);
    expect((await call('GET', '/schemas?subjectPrefix=b'))[1]).toEqual([{ subject: 'b-value', version: 1, id: 1, schema: V1 }]);
    expect((await call('GET', '/schemas?offset=1&limit=1'))[1]).toEqual([{ subject: 'a-value', version: 2, id: 2, schema: V2 }]);
    expect(await call('GET', '/contexts')).toEqual([200, ['.']]);
    expect(await call('GET', '/v1/metadata/id')).toEqual([200, { scope: { path: [], clusters: { 'kafka-cluster': 'cluster-a-id', 'schema-registry-cluster': 'schema-registry' } } }]);
  });
});

describe('embedded registry: schema references', () => {
  const ADDRESS = JSON.stringify({ type: 'record', name: 'Address', namespace: 'shop', fields: [{ name: 'city', type: 'string' }] });
  const CUSTOMER = JSON.stringify({ type: 'record', name: 'Customer', namespace: 'shop', fields: [{ name: 'id', type: 'int' }, { name: 'home', type: 'shop.Address' }] });
  // Avro Java writes a name in the enclosing namespace without it; the registry stores that text.
  const STORED = CUSTOMER.replace('"shop.Address"', '"Address"');

  it('registers a schema that uses another subject\'s type, returns the references, and protects the referenced version', async () => {
    const { call } = await start();
    expect(await call('POST', '/subjects/address/versions', { schema: ADDRESS })).toEqual([200, { id: 1 }]);
    const references = [{ name: 'shop.Address', subject: 'address', version: 1 }];
    expect((await call('POST', '/subjects/customer-value/versions', { schema: CUSTOMER }))[1]).toMatchObject({ error_code: 42201 });
    expect(await call('POST', '/subjects/customer-value/versions', { schema: CUSTOMER, references })).toEqual([200, { id: 2 }]);
    expect(await call('GET', '/schemas/ids/2')).toEqual([200, { schema: STORED, references }]);
    expect(await call('GET', '/subjects/customer-value/versions/1')).toEqual([200, { subject: 'customer-value', version: 1, id: 2, schema: STORED, references }]);
    expect(await call('POST', '/subjects/customer-value', { schema: CUSTOMER, references })).toEqual([200, { subject: 'customer-value', version: 1, id: 2, schema: STORED, references }]);
    // Re-registering the same schema with the same references keeps its id.
    expect(await call('POST', '/subjects/customer-value/versions', { schema: CUSTOMER, references })).toEqual([200, { id: 2 }]);
    expect(await call('GET', '/subjects/address/versions/1/referencedby')).toEqual([200, [2]]);
    expect((await call('DELETE', '/subjects/address/versions/1'))[1]).toMatchObject({ error_code: 42206 });
    expect((await call('DELETE', '/subjects/address'))[1]).toMatchObject({ error_code: 42206 });
    const missing = await call('POST', '/subjects/other-value/versions', { schema: CUSTOMER, references: [{ name: 'shop.Address', subject: 'address', version: 9 }] });
    expect(missing).toEqual([422, { error_code: 42201, message: "Invalid schema: reference 'shop.Address' names subject 'address' version 9, which is not registered" }]);
  });
});

describe('embedded registry: incompatibility details', () => {
  it('names Confluent\'s error types, the path, the old version and schema, and the level', async () => {
    const { url, call } = await start();
    await call('POST', '/subjects/d-value/versions', { schema: record('d', [{ name: 'id', type: 'int' }, { name: 'kind', type: { type: 'enum', name: 'K', symbols: ['A', 'B'] } }]) });
    const changed = record('d', [
      { name: 'id', type: 'string' },
      { name: 'kind', type: { type: 'enum', name: 'K', symbols: ['A'] } },
      { name: 'tier', type: 'string' },
    ]);
    const [status, body] = await call('POST', '/compatibility/subjects/d-value/versions/latest?verbose=true', { schema: changed });
    expect(status).toBe(200);
    const messages = (body as { messages: string[] }).messages;
    expect(messages).toEqual([
      "{errorType:'TYPE_MISMATCH', description:'The type (path '/fields/0/type') of a field in the new schema does not match with the old schema', additionalInfo:'reader type: STRING not compatible with writer type: INT'}",
      "{errorType:'MISSING_ENUM_SYMBOLS', description:'The new schema is missing enum symbols '[B]' at path '/fields/1/type/symbols' in the old schema', additionalInfo:'[B]'}",
      "{errorType:'READER_FIELD_MISSING_DEFAULT_VALUE', description:'The field 'tier' at path '/fields/2' in the new schema has no default value and is missing in the old schema', additionalInfo:'tier'}",
      '{oldSchemaVersion: 1}',
      `{oldSchema: '${record('d', [{ name: 'id', type: 'int' }, { name: 'kind', type: { type: 'enum', name: 'K', symbols: ['A', 'B'] } }])}'}`,
      "{validateFields: 'false', compatibility: 'BACKWARD'}",
    ]);
    const refused = await new SchemaRegistryClient({ url }).register('d-value', changed).then(
      () => undefined,
      (error: Error) => error.message,
    );
    expect(refused).toContain("errorType:'TYPE_MISMATCH'");

    await call('PUT', '/config/d-value', { compatibility: 'FORWARD' });
    const union = record('d', [{ name: 'id', type: ['null', 'int'], default: null }, { name: 'kind', type: { type: 'enum', name: 'K', symbols: ['A', 'B'] } }]);
    const forward = (await call('POST', '/compatibility/subjects/d-value/versions/latest?verbose=true', { schema: union }))[1] as { is_compatible: boolean; messages: string[] };
    expect(forward.is_compatible).toBe(false);
    expect(forward.messages[0]).toBe("{errorType:'TYPE_MISMATCH', description:'The type (path '/fields/0/type') of a field in the old schema does not match with the new schema', additionalInfo:'reader type: INT not compatible with writer type: NULL'}");
    await call('PUT', '/config/d-value', { compatibility: 'BACKWARD' });
    const narrowUnion = record('d', [{ name: 'id', type: 'int' }, { name: 'kind', type: ['null', 'string'] }]);
    const union2 = (await call('POST', '/compatibility/subjects/d-value/versions/latest?verbose=true', { schema: narrowUnion }))[1] as { messages: string[] };
    expect(union2.messages[0]).toContain("errorType:'MISSING_UNION_BRANCH'");
    expect(union2.messages[0]).toContain("path '/fields/1/type'");
  });
});
