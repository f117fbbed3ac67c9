import { Kafka, logLevel } from 'kafkajs';
import { describe, expect, inject, it } from 'vitest';
import { uniqueName } from '../helpers/names';

const endpoints = inject('labEndpoints');

describe.each([
  ['a', endpoints.kafka.a.bootstrap],
  ['b', endpoints.kafka.b.bootstrap],
])('lab Kafka cluster %s (%s)', (cluster, bootstrap) => {
  const kafka = new Kafka({ clientId: `ferry-test-${cluster}`, brokers: [bootstrap], logLevel: logLevel.NOTHING });

  it('is a real KRaft broker on loopback', async () => {
    const admin = kafka.admin();
    await admin.connect();
    try {
      const description = await admin.describeCluster();
      expect(description.brokers).toHaveLength(1);
      expect(`${description.brokers[0]?.host}:${description.brokers[0]?.port}`).toBe(bootstrap);
      expect(description.clusterId).toMatch(/^[\w-]{22}$/);
    } finally {
      await admin.disconnect();
    }
  });

  it('produces and consumes through a consumer group that commits offsets', async () => {
    const topic = uniqueName('lab_topic');
    const groupId = uniqueName('lab_group');
    const admin = kafka.admin();
    const producer = kafka.producer({ idempotent: true });
    const consumer = kafka.consumer({ groupId });
    await admin.connect();
    try {
      await admin.createTopics({ topics: [{ topic, numPartitions: 3 }], waitForLeaders: true });
      await producer.connect();
      const messages = Array.from({ length: 30 }, (_, i) => ({ key: `k${i % 7}`, value: `value-${i}`, headers: { seq: String(i) } }));
      await producer.send({ topic, acks: -1, messages });

      const received: { key: string; value: string; seq: string; partition: number }[] = [];
      await consumer.connect();
      await consumer.subscribe({ topic, fromBeginning: true });
      const done = new Promise<void>((resolve) => {
        void consumer.run({
          eachMessage: async ({ message, partition }) => {
            received.push({
              key: message.key?.toString() ?? '',
              value: message.value?.toString() ?? '',
              seq: message.headers?.seq?.toString() ?? '',
              partition,
            });
            if (received.length === messages.length) resolve();
          },
        });
      });
      await done;
      expect(received.map((record) => record.value).sort()).toEqual(messages.map((message) => message.value).sort());
      expect(received.every((record) => record.value === `value-${record.seq}`)).toBe(true);
      // Same key, same partition: the default partitioner hashes keys.
      const partitionsByKey = new Map<string, Set<number>>();
      for (const record of received) partitionsByKey.set(record.key, (partitionsByKey.get(record.key) ?? new Set()).add(record.partition));
      expect([...partitionsByKey.values()].every((set) => set.size === 1)).toBe(true);

      await consumer.stop();
      await consumer.disconnect();
      const committed = await admin.fetchOffsets({ groupId, topics: [topic] });
      const total = committed[0]?.partitions.reduce((sum, partition) => sum + Number(partition.offset), 0);
      expect(total).toBe(messages.length);
    } finally {
      await producer.disconnect();
      await consumer.disconnect();
      await admin.deleteTopics({ topics: [topic] }).catch(() => {});
      await admin.deleteGroups([groupId]).catch(() => {});
      await admin.disconnect();
    }
  });
});
