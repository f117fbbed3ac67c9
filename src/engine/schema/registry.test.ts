import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { EngineError } from '../../shared/errors';
import { canonicalAvroString } from './avroJson';
import { recordSchemaToAvro } from './avroMapping';
import { type EmbeddedRegistryOptions, type EmbeddedSchemaRegistry, startEmbeddedSchemaRegistry } from './embeddedRegistry';
import { SchemaRegistryClient } from './registryClient';
import { schemaGuid } from './registryStore';
import { allTypes } from './testFixtures';

const open: EmbeddedSchemaRegistry[] = [];
let dir: string;

async function start(options: EmbeddedRegistryOptions = {}): Promise<EmbeddedSchemaRegistry> {
  const registry = await startEmbeddedSchemaRegistry(options);
  open.push(registry);
  return registry;
}

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'ferry-registry-test-'));
});

afterEach(async () => {
  await Promise.all(open.splice(0).map((registry) => registry.close()));
  rmSync(dir, { recursive: true, force: true });
});

function record(name: string, fields: unknown[]): string {
  return JSON.stringify({ type: 'record', name, fields });
}

const V1 = record('customers', [
  { name: 'id', type: 'int' },
  { name: 'name', type: 'string' },
]);
const V2_OPTIONAL = record('customers', [
  { name: 'id', type: 'int' },
  { name: 'name', type: 'string' },
  { name: 'email', type: ['null', 'string'], default: null },
]);
const V2_REQUIRED = record('customers', [
  { name: 'id', type: 'int' },
  { name: 'name', type: 'string' },
  { name: 'tier', type: 'string' },
]);

async function caught(promise: Promise<unknown>): Promise<EngineError> {
  try {
    await promise;
  } catch (error) {
    return error as EngineError;
  }
  throw new Error('expected a rejection');
}

describe('embedded registry with the registry client, over HTTP', () => {
  it('registers idempotently, shares ids across subjects and ignores whitespace', async () => {
    const registry = await start();
    const client = new SchemaRegistryClient({ url: registry.url });
    const id = await client.register('customers-value', V1);
    expect(id).toBe(1);
    expect(await new SchemaRegistryClient({ url: registry.url }).register('customers-value', V1)).toBe(id);
    expect(await client.register('archive.customers-value', V1)).toBe(id);
    expect(await client.register('customers-value', JSON.stringify(JSON.parse(V1), null, 2))).toBe(id);
    expect(await client.listVersions('customers-value')).toEqual([1]);
    expect(await client.listSubjects()).toEqual(['archive.customers-value', 'customers-value']);

    const byId = await new SchemaRegistryClient({ url: registry.url }).getSchemaById(id);
    expect(byId).toEqual({ schema: V1, schemaType: 'AVRO' });
    const versions = await (await fetch(`${registry.url}/schemas/ids/${id}/versions`)).json();
    expect(versions).toEqual([
      { subject: 'customers-value', version: 1 },
      { subject: 'archive.customers-value', version: 1 },
    ]);
  });

  it('stores the canonical text Avro Java would, so Connect and Ferry get the same id', async () => {
    const registry = await start();
    const client = new SchemaRegistryClient({ url: registry.url });
    const verbose = JSON.stringify({ type: 'record', name: 'r', fields: [{ name: 'a', type: { type: 'string' }, doc: 'x', order: 'ascending' }] });
    const id = await client.register('r-value', verbose);
    const latest = await client.getLatestSchema('r-value');
    expect(latest).toEqual({ subject: 'r-value', version: 1, id, schema: '{"type":"record","name":"r","fields":[{"name":"a","type":"string","doc":"x"}]}', schemaType: 'AVRO' });
    const connectText = canonicalAvroString(recordSchemaToAvro(allTypes));
    const connectId = await client.register('orders-value', connectText);
    expect((await client.getSchemaVersion('orders-value', 1)).schema).toBe(connectText);
    expect(await client.register('orders-copy-value', JSON.stringify(JSON.parse(connectText), null, 1))).toBe(connectId);
  });

  it('rejects an incompatible change with 409 under BACKWARD, and accepts it under NONE', async () => {
    const registry = await start();
    const client = new SchemaRegistryClient({ url: registry.url });
    await client.register('customers-value', V1);
    expect(await client.getCompatibility('customers-value')).toBe('BACKWARD');

    const error = await caught(client.register('customers-value', V2_REQUIRED));
    expect(error.code).toBe('SCHEMA_REGISTRY_INCOMPATIBLE');
    expect(error.message).toContain("subject 'customers-value'");
    expect(error.message).toMatch(/tier/);
    expect(error.retriable).toBe(false);

    const raw = await fetch(`${registry.url}/subjects/customers-value/versions`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/vnd.schemaregistry.v1+json' },
      body: JSON.stringify({ schema: V2_REQUIRED }),
    });
    expect(raw.status).toBe(409);
    expect(raw.headers.get('content-type')).toBe('application/vnd.schemaregistry.v1+json');
    const body = (await raw.json()) as { error_code: number; message: string };
    expect(body.error_code).toBe(40901);
    expect(body.message).toMatch(/^Schema being registered is incompatible with an earlier schema for subject "customers-value"/);

    const test = await client.testCompatibility('customers-value', V2_REQUIRED);
    expect(test.compatible).toBe(false);
    expect(test.messages.join()).toMatch(/errorType:'READER_FIELD_MISSING_DEFAULT_VALUE'.*\{oldSchemaVersion: 1\}/);

    expect(await client.setCompatibility('NONE', 'customers-value')).toBe('NONE');
    expect(await client.getCompatibility('customers-value')).toBe('NONE');
    expect(await client.getCompatibility()).toBe('BACKWARD');
    expect(await client.register('customers-value', V2_REQUIRED)).toBe(2);
    expect(await client.listVersions('customers-value')).toEqual([1, 2]);
  });

  it('accepts adding an optional field under BACKWARD', async () => {
    const registry = await start();
    const client = new SchemaRegistryClient({ url: registry.url });
    await client.register('customers-value', V1);
    expect((await client.testCompatibility('customers-value', V2_OPTIONAL)).compatible).toBe(true);
    const id = await client.register('customers-value', V2_OPTIONAL);
    expect(await client.getLatestSchema('customers-value')).toMatchObject({ version: 2, id });
  });

  it('implements FORWARD, FULL and the transitive levels', async () => {
    const registry = await start();
    const client = new SchemaRegistryClient({ url: registry.url });
    // Removing a required field: fine for BACKWARD, not for FORWARD (old readers need it).
    await client.register('f-value', V1);
    await client.setCompatibility('FORWARD', 'f-value');
    const dropName = record('customers', [{ name: 'id', type: 'int' }]);
    expect((await client.testCompatibility('f-value', dropName)).compatible).toBe(false);
    expect((await client.testCompatibility('f-value', V2_REQUIRED)).compatible).toBe(true);
    await client.setCompatibility('FULL', 'f-value');
    expect((await client.testCompatibility('f-value', V2_REQUIRED)).compatible).toBe(false);
    expect((await client.testCompatibility('f-value', V2_OPTIONAL)).compatible).toBe(true);

    // v1 {a:int} → v2 {} → v3 {a:string=""}: v3 reads v2 but not v1.
    const a1 = record('t', [{ name: 'a', type: 'int' }]);
    const a2 = record('t', []);
    const a3 = record('t', [{ name: 'a', type: 'string', default: '' }]);
    await client.register('t-value', a1);
    await client.register('t-value', a2);
    await client.setCompatibility('BACKWARD_TRANSITIVE', 't-value');
    expect(await caught(client.register('t-value', a3))).toMatchObject({ code: 'SCHEMA_REGISTRY_INCOMPATIBLE' });
    await client.setCompatibility('BACKWARD', 't-value');
    expect(await client.register('t-value', a3)).toBeGreaterThan(0);
  });

  it('looks schemas up without registering them', async () => {
    const registry = await start();
    const client = new SchemaRegistryClient({ url: registry.url });
    expect(await client.lookupSchema('customers-value', V1)).toBeNull();
    const id = await client.register('customers-value', V1);
    expect(await client.lookupSchema('customers-value', V1)).toEqual({ subject: 'customers-value', version: 1, id, schema: V1, schemaType: 'AVRO' });
    expect(await client.lookupSchema('customers-value', V2_OPTIONAL)).toBeNull();
  });

  it('maps registry errors to EngineErrors that name the subject and say what to do', async () => {
    const registry = await start();
    const client = new SchemaRegistryClient({ url: registry.url });
    const missing = await caught(client.getLatestSchema('nope-value'));
    expect(missing.code).toBe('SCHEMA_REGISTRY_SUBJECT_NOT_FOUND');
    expect(missing.message).toMatch(/Subject 'nope-value' does not exist.*subject name strategy/);
    const noSchema = await caught(client.getSchemaById(99));
    expect(noSchema.code).toBe('SCHEMA_REGISTRY_SCHEMA_NOT_FOUND');
    expect(noSchema.message).toMatch(/Schema 99 is not in the Schema Registry at http:\/\/127\.0\.0\.1:\d+/);
    await client.register('customers-value', V1);
    expect((await caught(client.getSchemaVersion('customers-value', 7))).code).toBe('SCHEMA_REGISTRY_VERSION_NOT_FOUND');
    const invalid = await caught(client.register('bad-value', '{"type":"record","name":"x","fields":[{"name":"a","type":"nope"}]}'));
    expect(invalid.code).toBe('SCHEMA_REGISTRY_INVALID_SCHEMA');
    expect(invalid.message).toMatch(/subject 'bad-value' is invalid/);
    expect((await caught(client.setCompatibility('SIDEWAYS' as never))).code).toBe('SCHEMA_REGISTRY_REJECTED');
  });

  it('answers the Confluent shapes for config, mode, raw schemas and soft deletes', async () => {
    const registry = await start();
    const client = new SchemaRegistryClient({ url: registry.url });
    const id = await client.register('customers-value', V1);
    const get = async (path: string): Promise<[number, unknown]> => {
      const response = await fetch(`${registry.url}${path}`);
      return [response.status, await response.json()];
    };
    expect(await get('/config')).toEqual([200, { compatibilityLevel: 'BACKWARD' }]);
    expect(await get('/config/customers-value')).toEqual([404, { error_code: 40408, message: "Subject 'customers-value' does not have subject-level compatibility configured" }]);
    expect(await get('/config/customers-value?defaultToGlobal=true')).toEqual([200, { compatibilityLevel: 'BACKWARD' }]);
    const put = await fetch(`${registry.url}/config`, { method: 'PUT', body: JSON.stringify({ compatibility: 'full' }) });
    expect(await put.json()).toEqual({ compatibility: 'FULL' });
    expect(await get('/mode')).toEqual([200, { mode: 'READWRITE' }]);
    expect(await get('/subjects/customers-value/versions/1/schema')).toEqual([200, JSON.parse(V1)]);
    expect(await get(`/schemas/ids/${id}/schema`)).toEqual([200, JSON.parse(V1)]);
    expect(await get(`/schemas/guids/${schemaGuid(V1)}`)).toEqual([200, { schema: V1 }]);
    expect(await get('/subjects/customers-value/versions/-1')).toEqual([200, { subject: 'customers-value', version: 1, id, schema: V1 }]);
    expect(await get('/subjects/customers-value/versions/x')).toEqual([
      422,
      { error_code: 42202, message: 'The specified version \'x\' is not a valid version id. Allowed values are between [1, 2^31-1] and the string "latest"' },
    ]);
    expect(await get('/nothing/here')).toEqual([404, { error_code: 404, message: 'HTTP 404 Not Found' }]);

    expect(await client.deleteSubject('customers-value')).toEqual([1]);
    expect(await client.listSubjects()).toEqual([]);
    expect(await get('/subjects?deleted=true')).toEqual([200, ['customers-value']]);
    expect(await client.getSchemaById(id)).toEqual({ schema: V1, schemaType: 'AVRO' });
    // Re-registering after a soft delete keeps the id and continues the version numbers.
    expect(await client.register('customers-value', V1)).toBe(id);
    expect(await client.listVersions('customers-value')).toEqual([2]);
    expect((await caught(client.deleteSubject('customers-value', { permanent: true }))).message).toMatch(/was not deleted first/);
  });

  it('requires basic auth when started with it, and never shows the password', async () => {
    const registry = await start({ basicAuth: { username: 'ferry', password: 's3cret-pw' } });
    const anonymous = await caught(new SchemaRegistryClient({ url: registry.url }).listSubjects());
    expect(anonymous.code).toBe('SCHEMA_REGISTRY_AUTH');
    expect(anonymous.message).toMatch(/HTTP 401.*requires credentials/);
    const wrong = await caught(new SchemaRegistryClient({ url: registry.url, basicAuthUserInfo: 'ferry:wrong-pw' }).register('x-value', V1));
    expect(wrong.code).toBe('SCHEMA_REGISTRY_AUTH');
    expect(wrong.message).toMatch(/rejected the credentials.*lsrc-/);
    expect(wrong.message).not.toContain('wrong-pw');
    const raw = await fetch(`${registry.url}/subjects`);
    expect([raw.status, raw.headers.get('www-authenticate')]).toEqual([401, 'Basic realm="SchemaRegistry"']);

    const good = new SchemaRegistryClient({ url: registry.url, basicAuthUserInfo: 'ferry:s3cret-pw' });
    expect(await good.register('x-value', V1)).toBe(1);
    const inUrl = new SchemaRegistryClient({ url: registry.url.replace('http://', 'http://ferry:s3cret-pw@') });
    expect(inUrl.url).toBe(registry.url);
    expect(await inUrl.listSubjects()).toEqual(['x-value']);
  });

  it('reports an unreachable registry as retriable, naming the URL but not the password', async () => {
    const registry = await start();
    const url = registry.url;
    await registry.close();
    const client = new SchemaRegistryClient({ url: url.replace('http://', 'http://key:topsecret@'), requestTimeoutMs: 2000 });
    const error = await caught(client.register('x-value', V1));
    expect(error.code).toBe('SCHEMA_REGISTRY_UNREACHABLE');
    expect(error.retriable).toBe(true);
    expect(error.message).toContain(url);
    expect(error.message).toMatch(/ECONNREFUSED/);
    expect(error.message).not.toContain('topsecret');
    expect(JSON.stringify(error.detail)).not.toContain('topsecret');
    // Failover: the second URL answers.
    const live = await start();
    const failover = new SchemaRegistryClient({ url: `${url},${live.url}` });
    expect(await failover.register('x-value', V1)).toBe(1);
  });

  it('keeps schema ids across a restart when persisting to a file', async () => {
    const file = join(dir, 'registry', 'schemas.json');
    const first = await start({ storeFile: file });
    const client = new SchemaRegistryClient({ url: first.url });
    const a = await client.register('a-value', V1);
    const b = await client.register('b-value', record('other', [{ name: 'x', type: 'long' }]));
    await client.setCompatibility('NONE', 'b-value');
    await first.close();
    expect(readdirSync(join(dir, 'registry'))).toEqual(['schemas.json']);

    const second = await start({ storeFile: file });
    const again = new SchemaRegistryClient({ url: second.url });
    expect(await again.getSchemaById(a)).toEqual({ schema: V1, schemaType: 'AVRO' });
    expect(await again.register('b-value', record('other', [{ name: 'x', type: 'long' }]))).toBe(b);
    expect(await again.register('c-value', V2_OPTIONAL)).toBe(b + 1);
    expect(await again.getCompatibility('b-value')).toBe('NONE');
    expect(await again.register('a2-value', V1)).toBe(a);
  });

  it('refuses to start over a damaged store instead of reusing ids', async () => {
    const file = join(dir, 'schemas.json');
    writeFileSync(file, '{"format":1,"nextId":');
    await expect(startEmbeddedSchemaRegistry({ storeFile: file })).rejects.toThrow(/store .*schemas\.json is damaged/);
  });
});
