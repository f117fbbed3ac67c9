import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RecordSchema } from '../../src/engine/model';
import { parseReplicatorFile, requireValidPipeline, type ResolvedReplicator } from '../../src/engine/config';
import { createKafka } from '../../src/engine/kafka';
import { ReplicatorRunner } from '../../src/engine/replicator';
import { AvroConverter, type EmbeddedSchemaRegistry, SchemaRegistryClient, startEmbeddedSchemaRegistry } from '../../src/engine/schema';
import { killLeftoverFerries, spawnFerry, waitForExit } from '../helpers/pipelineCli';
import { eventually, KafkaScratch, produce, readTopic, replicatorName } from '../helpers/replicatorHarness';

// The replicator against the lab's two real clusters: the fourth seed's quick start through `ferry replicate`,
// new topics picked up while running, active-active without loops, Avro subjects migrated to a destination
// registry, and consumer group offsets translated for failover.

const endpoints = inject('labEndpoints');
const a = endpoints.kafka.a.bootstrap;
const b = endpoints.kafka.b.bootstrap;
const onA = new KafkaScratch(a);
const onB = new KafkaScratch(b);
const runners: ReplicatorRunner[] = [];
const registries: EmbeddedSchemaRegistry[] = [];
let dataDir: string;

beforeAll(() => {
  dataDir = mkdtempSync(join(tmpdir(), 'ferry-replicator-'));
});

afterAll(async () => {
  killLeftoverFerries();
  await Promise.all(runners.map((runner) => runner.stop()));
  await Promise.all(registries.map((registry) => registry.close()));
  await onA.cleanup();
  await onB.cleanup();
  rmSync(dataDir, { recursive: true, force: true });
});

function resolve(config: Record<string, unknown>): ResolvedReplicator {
  const pipeline = requireValidPipeline(parseReplicatorFile(JSON.stringify(config), 'replicator.json'), 'replicator.json');
  const replicator = pipeline.replicators[0];
  if (!replicator) throw new Error('no replicator resolved');
  return replicator;
}

async function run(config: Record<string, unknown>): Promise<ReplicatorRunner> {
  const runner = new ReplicatorRunner(resolve(config), { dataDir });
  runners.push(runner);
  await runner.start();
  return runner;
}

function baseConfig(name: string, from: string, to: string): Record<string, unknown> {
  onA.track({ groups: [name] });
  onB.track({ groups: [name] });
  return {
    name,
    'connector.class': 'Replicator',
    'src.kafka.bootstrap.servers': from,
    'dest.kafka.bootstrap.servers': to,
    'src.consumer.session.timeout.ms': 6000,
    'src.consumer.fetch.max.wait.ms': 100,
  };
}

describe('replicator', () => {
  it('runs the fourth seed\'s quick start with `ferry replicate`: every record in the same partition and order, with keys, headers and timestamps', async () => {
    const name = replicatorName('quickstart');
    const topic = `test-topic-${name}`;
    const replica = `${topic}.replica`;
    onB.track({ topics: [replica], groups: [name] });
    onA.track({ groups: [name] });
    await onA.createTopic(topic, 4);
    const admin = await onA.connect();
    await admin.alterConfigs({ validateOnly: false, resources: [{ type: 2, name: topic, configEntries: [{ name: 'retention.ms', value: '86400000' }, { name: 'cleanup.policy', value: 'delete' }] }] });
    const base = Date.now() - 60_000;
    // seq 10000 | kafka-console-producer: the numbers 1..10000, spread over the 4 partitions here.
    await produce(a, topic, Array.from({ length: 10_000 }, (_, i) => ({ partition: i % 4, key: `k${i + 1}`, value: String(i + 1), timestamp: String(base + i), headers: { origin: `n${i + 1}` } })));

    const dir = mkdtempSync(join(tmpdir(), 'ferry-replicate-cli-'));
    const file = join(dir, 'replicator.json');
    // As a Replicator user writes it: a Kafka Connect REST body with Replicator's own keys.
    writeFileSync(
      file,
      JSON.stringify({
        name,
        config: {
          'connector.class': 'io.confluent.connect.replicator.ReplicatorSourceConnector',
          'key.converter': 'io.confluent.connect.replicator.util.ByteArrayConverter',
          'value.converter': 'io.confluent.connect.replicator.util.ByteArrayConverter',
          'src.kafka.bootstrap.servers': a,
          'dest.kafka.bootstrap.servers': b,
          'topic.whitelist': topic,
          'topic.rename.format': '${topic}.replica',
          'confluent.topic.replication.factor': '1',
        },
      }),
    );
    const ferry = spawnFerry(['replicate', file, '--until-idle', '--json'], { FERRY_DATA_DIR: dir });
    const exit = await waitForExit(ferry, 90_000);
    rmSync(dir, { recursive: true, force: true });
    expect(exit.code, ferry.stderr()).toBe(0);
    const status = JSON.parse(ferry.stdout()) as { metrics: { recordsCopied: number; lag: number } };
    expect(status.metrics).toMatchObject({ recordsCopied: 10_000, lag: 0 });

    const source = await readTopic(a, topic, 10_000);
    const copy = await readTopic(b, replica, 10_000, { quietMs: 500 });
    expect(copy).toHaveLength(10_000);
    const strip = (records: typeof copy): unknown[] => records.map(({ partition, offset, key, value, timestamp, headers }) => ({ partition, offset, key, value, timestamp, headers }));
    const byPartition = (records: typeof copy, p: number): unknown[] => strip(records.filter((r) => r.partition === p));
    for (let p = 0; p < 4; p++) expect(byPartition(copy, p)).toEqual(byPartition(source, p));
    expect(new Set(copy.map((r) => r.value))).toEqual(new Set(Array.from({ length: 10_000 }, (_, i) => String(i + 1))));

    const destination = await onB.connect();
    const metadata = await destination.fetchTopicMetadata({ topics: [replica] });
    expect(metadata.topics[0]?.partitions).toHaveLength(4);
    const configs = await destination.describeConfigs({ includeSynonyms: false, resources: [{ type: 2, name: replica, configNames: ['retention.ms', 'cleanup.policy'] }] });
    const values = Object.fromEntries((configs.resources[0]?.configEntries ?? []).map((e) => [e.configName, e.configValue]));
    expect(values).toEqual({ 'retention.ms': '86400000', 'cleanup.policy': 'delete' });
  });

  it('picks up a topic created while it runs, and syncs a topic config change', async () => {
    const name = replicatorName('poll');
    const prefix = `poll-${name}`;
    const first = `${prefix}-one`;
    const second = `${prefix}-two`;
    onB.track({ topics: [first, second] });
    await onA.createTopic(first, 2);
    await produce(a, first, [{ partition: 0, value: 'one' }]);
    const runner = await run({ ...baseConfig(name, a, b), 'topic.regex': `${prefix}-.*`, 'topic.poll.interval.ms': 1000, 'topic.config.sync.interval.ms': 1000 });
    await runner.waitUntilIdle();

    await onA.createTopic(second, 3);
    await produce(a, second, [{ partition: 2, value: 'two' }]);
    await eventually(`${second} on b`, async () => ((await (await onB.connect()).listTopics()).includes(second) ? true : undefined));
    const copy = await readTopic(b, second, 1, { deadlineMs: 30_000 });
    expect(copy.map((r) => [r.partition, r.value])).toEqual([[2, 'two']]);

    const admin = await onA.connect();
    await admin.alterConfigs({ validateOnly: false, resources: [{ type: 2, name: first, configEntries: [{ name: 'retention.ms', value: '3600000' }] }] });
    const destination = await onB.connect();
    await eventually('retention.ms to reach the destination', async () => {
      const configs = await destination.describeConfigs({ includeSynonyms: false, resources: [{ type: 2, name: first, configNames: ['retention.ms'] }] });
      return configs.resources[0]?.configEntries[0]?.configValue === '3600000' ? true : undefined;
    });
    await runner.stop();
  });

  it('runs a → b and b → a together with provenance headers without sending any record back', async () => {
    const name = replicatorName('bidi');
    const topic = `bidi-${name}`;
    await onA.createTopic(topic, 2);
    await onB.createTopic(topic, 2);
    const settings = { 'topic.whitelist': topic, 'provenance.header.enable': true, 'offset.translator.tasks.max': 0 };
    const ab = await run({ ...baseConfig(`${name}-ab`, a, b), ...settings });
    const ba = await run({ ...baseConfig(`${name}-ba`, b, a), ...settings });
    await produce(a, topic, Array.from({ length: 100 }, (_, i) => ({ partition: i % 2, value: `a${i}` })));
    await produce(b, topic, Array.from({ length: 100 }, (_, i) => ({ partition: i % 2, value: `b${i}` })));
    await Promise.all([ab.waitUntilIdle(), ba.waitUntilIdle()]);
    // Idle twice over: had a record looped, the other direction would have had more to copy.
    await Promise.all([ab.waitUntilIdle(), ba.waitUntilIdle()]);

    for (const bootstrap of [a, b]) {
      const records = await readTopic(bootstrap, topic, 200, { quietMs: 500 });
      expect(records).toHaveLength(200);
      const values = records.map((r) => r.value ?? '');
      expect(new Set(values).size).toBe(200);
      const copied = records.filter((r) => r.headers.__replicator_id !== undefined);
      expect(copied).toHaveLength(100);
    }
    expect(ab.status().metrics.recordsCopied).toBe(100);
    expect(ba.status().metrics.recordsCopied).toBe(100);
    expect(ab.status().metrics.recordsSkipped + ba.status().metrics.recordsSkipped).toBe(200);
  });

  it('migrates Avro subjects to the destination registry: records decode on b with b\'s registry', async () => {
    const name = replicatorName('avro');
    const topic = `avro-${name}`;
    const replica = `${topic}.replica`;
    onB.track({ topics: [replica] });
    const sourceRegistry = await startEmbeddedSchemaRegistry();
    const destinationRegistry = await startEmbeddedSchemaRegistry();
    registries.push(sourceRegistry, destinationRegistry);
    // Ids must differ between the registries for the rewrite to matter.
    await new SchemaRegistryClient({ url: sourceRegistry.url }).register('padding-value', JSON.stringify({ type: 'record', name: 'Pad', fields: [{ name: 'x', type: 'int' }] }));
    await new SchemaRegistryClient({ url: sourceRegistry.url }).register('padding2-value', JSON.stringify({ type: 'record', name: 'Pad2', fields: [{ name: 'y', type: 'int' }] }));
    const schema: RecordSchema = { name: 'orders', fields: [{ name: 'id', type: { kind: 'int64' }, optional: false }, { name: 'note', type: { kind: 'string' }, optional: true }] };
    const writer = new AvroConverter({ registry: new SchemaRegistryClient({ url: sourceRegistry.url }) });
    await onA.createTopic(topic, 1);
    const messages = [];
    for (let i = 1; i <= 20; i++) messages.push({ partition: 0, key: `${i}`, value: await writer.fromRow(topic, false, schema, { id: BigInt(i), note: `n${i}` }) });
    await produce(a, topic, messages);

    const runner = await run({ ...baseConfig(name, a, b), 'topic.whitelist': topic, 'topic.rename.format': '${topic}.replica', 'schema.registry.url': destinationRegistry.url, 'src.schema.registry.url': sourceRegistry.url });
    await runner.waitUntilIdle();

    const destinationClient = new SchemaRegistryClient({ url: destinationRegistry.url });
    expect(await destinationClient.listSubjects()).toEqual([`${replica}-value`]);
    const sourceId = (await new SchemaRegistryClient({ url: sourceRegistry.url }).getLatestSchema(`${topic}-value`)).id;
    const destinationId = (await destinationClient.getLatestSchema(`${replica}-value`)).id;
    expect(destinationId).not.toBe(sourceId);

    const kafka = createKafka({ bootstrapServers: [b] });
    const reader = new AvroConverter({ registry: destinationClient });
    const groupId = `ferry-test-avro-${name}`;
    onB.track({ groups: [groupId] });
    const consumer = kafka.consumer({ groupId, maxWaitTimeInMs: 100 });
    const rows: unknown[] = [];
    await consumer.connect();
    await consumer.subscribe({ topics: [replica], fromBeginning: true });
    await new Promise<void>((resolveRead, reject) => {
      void consumer.run({
        eachMessage: async ({ message }) => {
          try {
            expect(message.value?.readInt32BE(1)).toBe(destinationId);
            const decoded = await reader.toRow(replica, false, message.value);
            rows.push(decoded?.row);
            if (rows.length === 20) resolveRead();
          } catch (error) {
            reject(error);
          }
        },
      });
    });
    await consumer.disconnect();
    expect(rows[0]).toEqual({ id: 1n, note: 'n1' });
    expect(rows[19]).toEqual({ id: 20n, note: 'n20' });
    await runner.stop();
  });

  it('translates a consumer group\'s offsets: it resumes on b where it stopped on a', async () => {
    const name = replicatorName('groups');
    const topic = `test-topic-${name}`;
    const group = `orders-app-${name}`;
    onA.track({ groups: [group] });
    onB.track({ topics: [topic], groups: [group] });
    await onA.createTopic(topic, 2);
    await produce(a, topic, Array.from({ length: 1000 }, (_, i) => ({ partition: i % 2, value: String(i) })));

    // The application consumed half of test-topic on a and stopped: its offsets stay committed there. They are set
    // directly because a consumer reading "500 records" may fetch and commit the whole topic in one batch, which left
    // nothing to resume on b and made the never-backwards check below meaningless (it failed on a fast fetch).
    const admin = createKafka({ bootstrapServers: [a] }).admin();
    await admin.connect();
    try {
      await admin.setOffsets({ groupId: group, topic, partitions: [{ partition: 0, offset: '250' }, { partition: 1, offset: '250' }] });
    } finally {
      await admin.disconnect();
    }
    const committed = await onA.committed(group, topic);
    expect(committed).toEqual(new Map([[0, '250'], [1, '250']]));
    const consumedCount = 500;

    const runner = await run({ ...baseConfig(name, a, b), 'topic.whitelist': topic, 'offset.translator.batch.period.ms': 500, 'offset.translator.groups': 'orders-app-.*' });
    await runner.waitUntilIdle();
    await runner.translateNow();
    expect(runner.status().metrics.translatedGroups.map((g) => g.group)).toContain(group);

    // Fresh topics have no gaps, so the destination offsets are the source's: translation must be exact.
    const translated = await onB.committed(group, topic);
    expect(translated).toEqual(committed);

    // Failover: the same application on b reads only what it had not read on a.
    const rest = await readTopic(b, topic, 1000 - consumedCount, { groupId: group, quietMs: 500 });
    expect(rest).toHaveLength(1000 - consumedCount);
    const seen = new Set((await readTopic(a, topic, 1000)).filter((r) => r.offset < Number(committed.get(r.partition))).map((r) => r.value));
    expect(rest.some((r) => seen.has(r.value))).toBe(false);

    // Never backwards, never an active group: a second pass with the group now ahead on b changes nothing.
    await runner.translateNow();
    expect(await onB.committed(group, topic)).not.toEqual(committed);
    await runner.stop();
  });
});
