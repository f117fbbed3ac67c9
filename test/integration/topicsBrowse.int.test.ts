import avro from 'avsc';
import type { Kafka } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createEngine } from '../../src/engine/index';
import { createKafka } from '../../src/engine/kafka';
import { encodeFrame, SchemaRegistryClient, startEmbeddedSchemaRegistry, type EmbeddedSchemaRegistry } from '../../src/engine/schema';
import { TopicsService } from '../../src/engine/topics';
import type { BrowseBatch, BrowsedRecord, BrowseRequest, ClusterRef } from '../../src/shared/api';
import { uniqueName } from '../helpers/names';

/**
 * The message viewer's engine against the lab's Kafka "a" and an embedded Schema Registry: every start mode,
 * Avro/JSON/text/hex decoding with reasons, the engine-side filter, pause/resume of a live tail, export and produce.
 */
const ORDER_SCHEMA = {
  type: 'record',
  name: 'Order',
  namespace: 'shop',
  fields: [
    { name: 'id', type: 'long' },
    { name: 'status', type: 'string' },
    { name: 'total', type: { type: 'bytes', logicalType: 'decimal', precision: 10, scale: 2 } },
    { name: 'customer', type: { type: 'record', name: 'Customer', fields: [{ name: 'email', type: ['null', 'string'], default: null }] } },
  ],
};

describe('topics service against the lab', () => {
  const endpoints = inject('labEndpoints');
  const bootstrap = endpoints.kafka.a.bootstrap;
  const cluster: ClusterRef = { kind: 'lab', cluster: 'a' };
  const topic = uniqueName('viewer');
  let registry: EmbeddedSchemaRegistry;
  let service: TopicsService;
  let kafka: Kafka;
  let schemaId: number;
  const batches: BrowseBatch[] = [];
  const T0 = Date.UTC(2024, 0, 1);
  const T1 = Date.UTC(2025, 0, 1);

  const orderType = avro.Type.forSchema(ORDER_SCHEMA as Parameters<typeof avro.Type.forSchema>[0]);
  const avroOrder = (id: number, status: string): Buffer =>
    encodeFrame(schemaId, orderType.toBuffer({ id, status, total: Buffer.from([0x04, 0xd2]), customer: { email: `c${id}@example.com` } }));

  async function send(messages: { partition: number; key?: string | Buffer | null; value: Buffer | string | null; timestamp: number; headers?: Record<string, string> }[]): Promise<void> {
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({ topic, acks: -1, messages: messages.map((m) => ({ ...m, key: m.key ?? null, timestamp: String(m.timestamp) })) });
    await producer.disconnect();
  }

  /** Runs a bounded read to its end and returns its records and final progress. */
  async function read(request: Omit<BrowseRequest, 'cluster' | 'topic'>): Promise<{ records: BrowsedRecord[]; last: BrowseBatch }> {
    const session = await service.browse({ cluster, topic, registry: { kind: 'url', url: registry.url }, ...request });
    const deadline = Date.now() + 30_000;
    for (;;) {
      const mine = batches.filter((batch) => batch.sessionId === session.sessionId);
      const last = mine.at(-1);
      if (last && ['done', 'failed', 'stopped'].includes(last.state)) return { records: mine.flatMap((batch) => batch.records), last };
      if (Date.now() > deadline) throw new Error(`read did not finish: ${JSON.stringify(last)}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  beforeAll(async () => {
    registry = await startEmbeddedSchemaRegistry();
    schemaId = await new SchemaRegistryClient({ url: registry.url }).register(`${topic}-value`, JSON.stringify(ORDER_SCHEMA));
    service = new TopicsService({
      labBootstrap: async (name) => endpoints.kafka[name].bootstrap,
      labRegistryUrl: async () => registry.url,
      kafkaProfiles: () => [],
      kafkaSettings: () => {
        throw new Error('no profiles in this test');
      },
      registryOptions: () => {
        throw new Error('no profiles in this test');
      },
      profileEnvironment: () => 'dev',
      requireWriteConfirmation: () => {},
    });
    service.onDidReceiveRecords((batch) => batches.push(batch));
    kafka = createKafka({ bootstrapServers: [bootstrap] });
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic, numPartitions: 2, replicationFactor: 1 }], waitForLeaders: true });
    await admin.disconnect();
    await send([
      { partition: 0, key: 'order-1', value: avroOrder(1, 'NEW'), timestamp: T0, headers: { source: 'cdc' } },
      { partition: 0, key: 'order-2', value: avroOrder(2, 'SHIPPED'), timestamp: T0 + 1 },
      { partition: 0, key: 'json-1', value: JSON.stringify({ status: 'SHIPPED', total: 250 }), timestamp: T1 },
      { partition: 1, key: 'text-1', value: 'plain words', timestamp: T0 + 2 },
      { partition: 1, key: null, value: Buffer.from([0xff, 0xfe, 0x01]), timestamp: T1 + 1 },
      { partition: 1, key: 'ghost', value: Buffer.from([0, 0, 0, 0, 0x7f, 0x02]), timestamp: T1 + 2 },
      { partition: 1, key: 'tombstone', value: null, timestamp: T1 + 3 },
    ]);
  });

  afterAll(async () => {
    service?.dispose();
    const admin = kafka?.admin();
    if (admin) {
      await admin.connect();
      await admin.deleteTopics({ topics: [topic] }).catch(() => {});
      await admin.disconnect();
    }
    await registry?.close();
  });

  it('lists and describes the topic', async () => {
    expect((await service.list(cluster)).find((entry) => entry.name === topic)).toMatchObject({ partitions: 2, internal: false });
    const details = await service.describe(cluster, topic);
    expect(details.records).toBe('7');
    expect(details.partitions).toEqual([
      { partition: 0, low: '0', high: '3' },
      { partition: 1, low: '0', high: '4' },
    ]);
  });

  it('reads from the oldest record and decodes Avro, JSON, text and hex with the reason', async () => {
    const { records, last } = await read({ mode: 'oldest' });
    expect(last).toMatchObject({ state: 'done', scanned: 7, matched: 7 });
    const byKey = new Map(records.map((record) => [record.key.text, record]));
    const order = byKey.get('order-1');
    expect(order?.value).toMatchObject({ format: 'avro', schemaId, subject: `${topic}-value`, version: 1 });
    expect(JSON.parse(order?.value.text ?? '{}')).toEqual({ id: 1, status: 'NEW', total: '12.34', customer: { email: 'c1@example.com' } });
    expect(order?.headers).toEqual([{ name: 'source', value: 'cdc' }]);
    expect(order?.timestamp).toBe(T0);
    expect(byKey.get('json-1')?.value).toMatchObject({ format: 'json' });
    expect(byKey.get('text-1')?.value).toMatchObject({ format: 'text', text: 'plain words' });
    expect(byKey.get('ghost')?.value).toMatchObject({ format: 'hex', schemaId: 127 });
    expect(byKey.get('ghost')?.value.reason).toMatch(/unknown schema id 127/);
    expect(byKey.get('tombstone')?.value).toMatchObject({ format: 'null' });
    const binary = records.find((record) => record.key.format === 'null' && record.value.format === 'hex' && record.value.schemaId === undefined);
    expect(binary?.value.text).toBe('ff fe 01');
    expect(binary?.value.reason).toMatch(/no magic byte/);
  });

  it('reads the newest records of chosen partitions, from an offset, and from a timestamp', async () => {
    const newest = await read({ mode: 'newest', limit: 1, partitions: [0] });
    expect(newest.records.map((record) => [record.partition, record.offset])).toEqual([[0, '2']]);

    const fromOffset = await read({ mode: 'offset', offset: '2', partitions: [1] });
    expect(fromOffset.records.map((record) => record.offset)).toEqual(['2', '3']);

    const fromTime = await read({ mode: 'timestamp', timestamp: new Date(T1).toISOString() });
    expect(fromTime.records.map((record) => record.key.text).sort()).toEqual(['ghost', 'json-1', 'null', 'tombstone']);

    await expect(service.browse({ cluster, topic, mode: 'oldest', partitions: [5] })).rejects.toMatchObject({ code: 'TOPICS_BAD_REQUEST' });
    await expect(service.browse({ cluster, topic: `${topic}-missing`, mode: 'oldest' })).rejects.toMatchObject({ code: 'TOPICS_NOT_FOUND' });
  });

  it('filters in the engine over decoded values, keys and headers, counting what it scanned', async () => {
    const shipped = await read({ mode: 'oldest', filter: 'value.status=shipped' });
    expect(shipped.records.map((record) => record.key.text).sort()).toEqual(['json-1', 'order-2']);
    expect(shipped.last).toMatchObject({ scanned: 7, matched: 2 });
    expect((await read({ mode: 'oldest', filter: 'header.source:cdc' })).records.map((record) => record.key.text)).toEqual(['order-1']);
    expect((await read({ mode: 'oldest', filter: 'value.total>=100 -key:json' })).records).toEqual([]);
    await expect(service.browse({ cluster, topic, mode: 'oldest', filter: '"open' })).rejects.toMatchObject({ code: 'TOPICS_FILTER_INVALID' });
  });

  it('tails live records, keeps them while paused and stops cleanly', async () => {
    const session = await service.browse({ cluster, topic, mode: 'live', registry: { kind: 'url', url: registry.url }, partitions: [0] });
    const mine = (): BrowseBatch[] => batches.filter((batch) => batch.sessionId === session.sessionId);
    const waitFor = async (predicate: () => boolean, what: string): Promise<void> => {
      const deadline = Date.now() + 20_000;
      while (!predicate()) {
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(mine().at(-1))}`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    };
    await waitFor(() => mine().some((batch) => batch.state === 'reading'), 'the live read to join');
    await send([{ partition: 0, key: 'live-1', value: avroOrder(10, 'NEW'), timestamp: Date.now() }]);
    await waitFor(() => mine().some((batch) => batch.records.some((record) => record.key.text === 'live-1')), 'live-1');
    await service.pause(session.sessionId);
    await waitFor(() => mine().at(-1)?.state === 'paused', 'paused');
    await service.resume(session.sessionId);
    await send([{ partition: 0, key: 'live-2', value: avroOrder(11, 'NEW'), timestamp: Date.now() }]);
    await waitFor(() => mine().some((batch) => batch.records.some((record) => record.key.text === 'live-2')), 'live-2');
    await service.stop(session.sessionId);
    expect(mine().at(-1)).toMatchObject({ state: 'stopped', matched: 2 });
    // The private consumer group is gone again.
    const admin = kafka.admin();
    await admin.connect();
    const groups = (await admin.listGroups()).groups.map((group) => group.groupId);
    await admin.disconnect();
    expect(groups).not.toContain(`ferry-browse-${session.sessionId}`);
  });

  it('exports every matching record with whole values and schema ids', async () => {
    const result = await service.export({ cluster, topic, mode: 'oldest', filter: 'key:order', registry: { kind: 'url', url: registry.url } });
    const rows = JSON.parse(result.json) as { key: unknown; value: { status: string }; valueSchemaId: number; valueSchemaVersion: number }[];
    expect(result).toMatchObject({ records: 2, truncated: false });
    expect(rows.map((row) => row.value.status)).toEqual(['NEW', 'SHIPPED']);
    expect(rows[0]).toMatchObject({ key: 'order-1', valueSchemaId: schemaId, valueSchemaVersion: 1 });
  });

  it('validates an Avro test record against the chosen schema before sending it', async () => {
    const bad = await service.produce({ cluster, topic, format: 'avro', registry: { kind: 'url', url: registry.url }, value: JSON.stringify({ id: 'x', status: 'NEW', total: '1.00', customer: { email: 3 } }) });
    expect(bad.valid).toBe(false);
    expect(bad.problems.map((problem) => problem.path).sort()).toEqual(['customer.email', 'id']);
    const good = await service.produce({
      cluster,
      topic,
      partition: 1,
      key: 'produced',
      format: 'avro',
      registry: { kind: 'url', url: registry.url },
      value: JSON.stringify({ id: 99, status: 'TEST', total: '7.50', customer: { email: null } }),
      headers: [{ name: 'origin', value: 'ferry' }],
    });
    expect(good).toMatchObject({ valid: true, partition: 1, offset: '4', schemaId });
    const { records } = await read({ mode: 'offset', offset: '4', partitions: [1] });
    expect(JSON.parse(records[0]?.value.text ?? '{}')).toEqual({ id: 99, status: 'TEST', total: '7.50', customer: { email: null } });
    expect(records[0]?.headers).toEqual([{ name: 'origin', value: 'ferry' }]);
  });

  it('asks for confirmation before producing through a prod-coloured profile (the engine enforces it)', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'ferry-prod-guard-'));
    const engine = createEngine({ host: 'test', dataDir });
    try {
      const prod = await engine.connections.save({
        profile: { kind: 'kafka', name: 'prod-like', environment: 'prod', preset: 'custom', securityProtocol: 'PLAINTEXT', bootstrapServers: bootstrap },
      });
      expect((await engine.topics.clusters()).find((choice) => choice.label === 'prod-like')).toMatchObject({ environment: 'prod', bootstrap });
      const request = { cluster: { kind: 'profile', profileId: prod.id } as ClusterRef, topic, format: 'text' as const, value: 'guarded', partition: 0 };
      await expect(engine.topics.produce(request)).rejects.toMatchObject({ code: 'PROFILE_WRITE_NOT_CONFIRMED' });
      expect(await engine.connections.checkWrite({ profileId: prod.id, action: `produce to ${topic}` })).toMatchObject({ confirmationRequired: true });
      await expect(engine.topics.produce({ ...request, confirmed: true })).resolves.toMatchObject({ valid: true, partition: 0 });
    } finally {
      engine.dispose();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
