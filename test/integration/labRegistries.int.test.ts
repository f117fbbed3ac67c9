import { afterAll, describe, expect, inject, it } from 'vitest';
import { SchemaRegistryClient } from '../../src/engine/schema';
import { type PrivateLab, startPrivateLab } from '../helpers/privateLab';

// The lab's Schema Registries as services: one per cluster, reported in the lab JSON, and persistent across
// `lab down` / `lab up` (schemas and ids survive, new ids continue). A private lab with only the two registries,
// since stopping services must not disturb the shared lab; the shared lab's own registries are checked read-only.

const shared = inject('labEndpoints');
let lab: PrivateLab | undefined;

afterAll(async () => {
  await lab?.close();
});

const record = (name: string, fields: unknown[]): string => JSON.stringify({ type: 'record', name, fields });

describe('lab Schema Registries', () => {
  it('the shared lab reports one registry per cluster, and cluster a\'s as schemaRegistry.url', async () => {
    expect(shared.schemaRegistry.url).toBe(shared.kafka.a.schemaRegistry?.url);
    expect(shared.kafka.b.schemaRegistry?.url).not.toBe(shared.kafka.a.schemaRegistry?.url);
    for (const url of [shared.kafka.a.schemaRegistry?.url, shared.kafka.b.schemaRegistry?.url]) {
      const response = await fetch(`${url ?? ''}/contexts`);
      expect(await response.json()).toEqual(['.']);
    }
  });

  it('keep their schemas and ids across lab down and up', async () => {
    lab = await startPrivateLab(['registry-a', 'registry-b'], 'registries');
    const status = await lab.lab.status();
    expect(status.services.filter((service) => service.kind === 'schema-registry').map((service) => [service.name, service.state])).toEqual([
      ['registry-a', 'running'],
      ['registry-b', 'running'],
    ]);
    const a = new SchemaRegistryClient({ url: lab.endpoints.kafka.a.schemaRegistry?.url ?? '' });
    const b = new SchemaRegistryClient({ url: lab.endpoints.kafka.b.schemaRegistry?.url ?? '' });
    const first = await a.register('orders-value', record('orders', [{ name: 'id', type: 'int' }]));
    expect(await b.listSubjects()).toEqual([]);

    await lab.lab.down();
    expect((await lab.lab.status()).services.filter((service) => service.kind === 'schema-registry').every((service) => service.state === 'stopped')).toBe(true);
    await lab.lab.up({ services: ['registry-a', 'registry-b'] });

    expect(await a.listSubjects()).toEqual(['orders-value']);
    expect((await a.getSchemaById(first)).schema).toBe(record('orders', [{ name: 'id', type: 'int' }]));
    const second = await a.register('customers-value', record('customers', [{ name: 'id', type: 'long' }]));
    expect(second).toBe(first + 1);
  }, 240_000);
});
