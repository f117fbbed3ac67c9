import type { Consumer, Kafka } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createKafka } from '../../src/engine/kafka';
import { startEmbeddedSchemaRegistry, type EmbeddedSchemaRegistry } from '../../src/engine/schema';
import { SchemasService, TopicsService } from '../../src/engine/topics';
import type { ClusterRef, RegistryRef } from '../../src/shared/api';
import { isEngineError } from '../../src/shared/errors';
import { uniqueName } from '../helpers/names';
import { until } from '../helpers/until';

/**
 * The Kafka user's pages against the lab's cluster "a" and an embedded registry: topic create / configs / delete,
 * consumer group lag and offset resets (refused for an active group), subject versions, diff and compatibility.
 */
describe('topics, groups and subjects against the lab', () => {
  const endpoints = inject('labEndpoints');
  const cluster: ClusterRef = { kind: 'lab', cluster: 'a' };
  const created = uniqueName('admin_topic');
  const lagTopic = uniqueName('admin_lag');
  const group = uniqueName('admin_group');
  let service: TopicsService;
  let schemas: SchemasService;
  let registry: EmbeddedSchemaRegistry;
  let registryRef: RegistryRef;
  let kafka: Kafka;
  let activeConsumer: Consumer | undefined;

  async function engineError(work: Promise<unknown>): Promise<{ code: string; message: string }> {
    try {
      await work;
    } catch (error) {
      if (isEngineError(error)) return { code: error.code, message: error.message };
      throw error;
    }
    throw new Error('expected the call to fail');
  }

  beforeAll(async () => {
    registry = await startEmbeddedSchemaRegistry();
    registryRef = { kind: 'url', url: registry.url };
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
    schemas = new SchemasService(service.registries);
    kafka = createKafka({ bootstrapServers: [endpoints.kafka.a.bootstrap] });
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: lagTopic, numPartitions: 2, replicationFactor: 1 }], waitForLeaders: true });
    await admin.disconnect();
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({ topic: lagTopic, acks: -1, messages: Array.from({ length: 10 }, (_, i) => ({ partition: i % 2, value: `v${i}`, timestamp: String(Date.UTC(2024, 0, 1 + i)) })) });
    await producer.disconnect();
  });

  afterAll(async () => {
    await activeConsumer?.disconnect().catch(() => {});
    const admin = kafka?.admin();
    if (admin) {
      await admin.connect();
      await admin.deleteGroups([group]).catch(() => {});
      await admin.deleteTopics({ topics: [lagTopic, created] }).catch(() => {});
      await admin.disconnect();
    }
    service?.dispose();
    await registry?.close();
  });

  it('creates a topic with configs, edits one config keeping the others, and deletes it', async () => {
    const overview = await service.create({ cluster, topic: created, partitions: 3, configs: { 'cleanup.policy': 'compact', 'retention.ms': '3600000' } });
    expect(overview.partitions).toHaveLength(3);
    expect(overview.replicationFactor).toBe(1);
    expect(overview.leaders).toHaveLength(3);
    expect(overview.sizeBytes).toBeUndefined();
    expect(overview.sizeNote).toMatch(/DescribeLogDirs/);
    expect(overview.configs.find((entry) => entry.name === 'cleanup.policy')).toMatchObject({ value: 'compact', source: 'topic' });
    expect((await service.list(cluster)).map((topic) => topic.name)).toContain(created);

    expect((await engineError(service.create({ cluster, topic: created }))).code).toBe('TOPICS_EXISTS');

    const after = await service.alterConfigs({ cluster, topic: created, set: { 'retention.ms': '7200000' } });
    expect(after.find((entry) => entry.name === 'retention.ms')).toMatchObject({ value: '7200000', source: 'topic' });
    // AlterConfigs replaces the whole set: cleanup.policy must have been carried along, not reset to delete.
    expect(after.find((entry) => entry.name === 'cleanup.policy')).toMatchObject({ value: 'compact', source: 'topic' });

    const reset = await service.alterConfigs({ cluster, topic: created, reset: ['retention.ms'] });
    expect(reset.find((entry) => entry.name === 'retention.ms')?.source).not.toBe('topic');
    expect(reset.find((entry) => entry.name === 'cleanup.policy')).toMatchObject({ value: 'compact', source: 'topic' });

    const unknown = await engineError(service.alterConfigs({ cluster, topic: created, set: { 'retention.mss': '1' } }));
    expect(unknown.message).toMatch(/retention\.mss is not a topic config/);

    await service.delete({ cluster, topic: created });
    await until(async () => !(await service.list(cluster)).some((topic) => topic.name === created), `topic ${created} to disappear`);
    expect((await engineError(service.delete({ cluster, topic: created }))).code).toBe('TOPICS_NOT_FOUND');
  });

  it('shows per-partition lag of a group and resets it to an offset, a time, the earliest and the latest', async () => {
    const admin = kafka.admin();
    await admin.connect();
    // A group that read 3 records of partition 0 and 1 of partition 1, then stopped.
    await admin.setOffsets({ groupId: group, topic: lagTopic, partitions: [{ partition: 0, offset: '3' }, { partition: 1, offset: '1' }] });
    await admin.disconnect();

    expect((await service.groups(cluster)).find((entry) => entry.groupId === group)).toMatchObject({ state: 'Empty', members: 0 });
    const details = await service.group(cluster, group);
    expect(details.partitions.map((p) => [p.topic, p.partition, p.committed, p.high, p.lag])).toEqual([
      [lagTopic, 0, '3', '5', '2'],
      [lagTopic, 1, '1', '5', '4'],
    ]);
    expect(details.totalLag).toBe('6');

    const toOffset = await service.resetOffsets({ cluster, groupId: group, topic: lagTopic, to: 'offset', offset: '4', partitions: [0] });
    expect(toOffset.partitions.map((p) => p.committed)).toEqual(['4', '1']);

    // Records i = 0..9 are stamped 2024-01-(1+i); partition 1 holds the odd i. From Jan 5: partition 0 has i=4 at offset 2, partition 1 has i=5 at offset 2.
    const toTime = await service.resetOffsets({ cluster, groupId: group, topic: lagTopic, to: 'timestamp', timestamp: '2024-01-05T00:00:00Z' });
    expect(toTime.partitions.map((p) => p.committed)).toEqual(['2', '2']);

    expect((await service.resetOffsets({ cluster, groupId: group, topic: lagTopic, to: 'earliest' })).totalLag).toBe('10');
    expect((await service.resetOffsets({ cluster, groupId: group, topic: lagTopic, to: 'latest' })).totalLag).toBe('0');
  });

  it('refuses to reset an active group and says what to do', async () => {
    activeConsumer = kafka.consumer({ groupId: group });
    await activeConsumer.connect();
    await activeConsumer.subscribe({ topic: lagTopic, fromBeginning: true });
    await activeConsumer.run({ eachMessage: async () => {} });
    await until(async () => (await service.group(cluster, group)).state === 'Stable', `group ${group} to become Stable`);
    const details = await service.group(cluster, group);
    expect(details.membersList).toHaveLength(1);
    // The member's assignment is decoded: each partition names its consumer.
    expect(details.partitions.every((p) => p.memberId === details.membersList[0]?.memberId)).toBe(true);

    const refused = await engineError(service.resetOffsets({ cluster, groupId: group, topic: lagTopic, to: 'earliest' }));
    expect(refused.code).toBe('TOPICS_GROUP_ACTIVE');
    expect(refused.message).toMatch(/Stop its consumers/);
    await activeConsumer.disconnect();
    activeConsumer = undefined;
  });

  it('reports an unknown group clearly', async () => {
    expect((await engineError(service.group(cluster, uniqueName('no_such_group')))).code).toBe('TOPICS_GROUP_NOT_FOUND');
  });

  it('lists subject versions, diffs two of them and reads and sets the compatibility level', async () => {
    const subject = `${uniqueName('orders')}-value`;
    const v1 = { type: 'record', name: 'Order', fields: [{ name: 'id', type: 'long' }] };
    const v2 = { type: 'record', name: 'Order', fields: [{ name: 'id', type: 'long' }, { name: 'email', type: ['null', 'string'], default: null }] };
    const client = service.registries.registry(registryRef);
    await client?.register(subject, JSON.stringify(v1));
    await client?.register(subject, JSON.stringify(v2));

    expect(await schemas.subjects(registryRef)).toContain(subject);
    expect(await schemas.versions(registryRef, subject)).toEqual([1, 2]);
    const diff = await schemas.diff(registryRef, subject, 1, 2);
    expect(diff.changes).toEqual(['added field email (["null","string"], default null)']);
    expect(diff.lines.some((line) => line.kind === 'added' && line.text.includes('"email"'))).toBe(true);

    expect(await schemas.compatibility(registryRef, subject)).toMatchObject({ own: false, level: 'BACKWARD', global: 'BACKWARD' });
    expect(await schemas.setCompatibility(registryRef, subject, 'FULL')).toMatchObject({ own: true, level: 'FULL', global: 'BACKWARD' });
    expect((await engineError(schemas.diff(registryRef, subject, 1, 9))).code).toBe('SCHEMA_REGISTRY_VERSION_NOT_FOUND');
    expect((await engineError(schemas.setCompatibility(registryRef, subject, 'SOMETIMES' as never))).code).toBe('TOPICS_BAD_REQUEST');
  });
});
