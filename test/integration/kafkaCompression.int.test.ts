import { statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createLab } from '../../src/engine/lab';
import { COMPRESSION_TYPES, type CompressionType, createKafkaClient, type FetchedMessage, type KafkaAdmin } from '../../src/engine/kafka';
import { uniqueName } from '../helpers/names';

// compression.type through the Kafka port against the lab's broker. The broker decompresses every compressed batch it
// accepts to validate its records, so a send that succeeds was read by Kafka's own (Java) codec; reading the records
// back checks our decompression. Records are big and repetitive enough to span several snappy/lz4 blocks.

const endpoints = inject('labEndpoints');
const bootstrap = endpoints.kafka.a.bootstrap;
const client = createKafkaClient({ bootstrapServers: [bootstrap], clientId: 'ferry-compression-test' });
const topics: string[] = [];
let admin: KafkaAdmin;
let labDir: string;

beforeAll(async () => {
  const lab = createLab();
  labDir = (await lab.status()).dir;
  lab.dispose();
  admin = client.admin();
  await admin.connect();
});

afterAll(async () => {
  await admin.deleteTopics(topics).catch(() => undefined);
  await admin.disconnect();
});

function payload(index: number): Buffer {
  // ~20 KiB, half repetitive text (compressible), half pseudo-random bytes.
  const text = Buffer.from(`record ${index} `.repeat(700));
  const noise = Buffer.alloc(10_000);
  let seed = index + 1;
  for (let at = 0; at < noise.length; at++) noise[at] = (seed = (seed * 1103515245 + 12345) >>> 0) >>> 24;
  return Buffer.concat([text, noise]);
}

async function readAll(topic: string, count: number): Promise<FetchedMessage[]> {
  const groupId = uniqueName('compression-read');
  const consumer = client.consumer({ groupId, maxWaitMs: 100 });
  const got: FetchedMessage[] = [];
  await consumer.connect();
  try {
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    const done = new Promise<void>((resolve) => {
      void consumer.run({
        eachBatch: async ({ batch }) => {
          got.push(...batch.messages);
          if (got.length >= count) resolve();
        },
      });
    });
    await Promise.race([done, new Promise((_, reject) => setTimeout(() => reject(new Error(`read ${got.length} of ${count} records of ${topic}`)), 30_000))]);
  } finally {
    await consumer.disconnect();
    await admin.deleteGroups([groupId]).catch(() => undefined);
  }
  return got;
}

describe('compression.type through the Kafka port', () => {
  it.each(COMPRESSION_TYPES.map((type) => [type]))('%s: the broker accepts the batches and the records read back byte for byte', async (type: CompressionType) => {
    const topic = uniqueName(`compression-${type}`).toLowerCase();
    topics.push(topic);
    await admin.createTopics({ topics: [{ topic, numPartitions: 1, configs: { 'compression.type': 'producer' } }] });
    const producer = client.producer({ idempotent: true, maxInFlightRequests: 1, compression: type });
    await producer.connect();
    const sent = Array.from({ length: 40 }, (_, index) => ({ key: Buffer.from(`k${index}`), value: payload(index), headers: { h: Buffer.from([index, 0, 255]) }, timestamp: String(1_700_000_000_000 + index) }));
    try {
      // Two requests: the second batch's records follow the first's offsets.
      await producer.send({ topic, messages: sent.slice(0, 25) });
      await producer.send({ topic, messages: sent.slice(25) });
    } finally {
      await producer.disconnect();
    }
    const read = await readAll(topic, sent.length);
    // What the broker stored: compressed batches take well under the records' own bytes (half of each is random).
    const stored = statSync(join(labDir, 'kafka-a', 'data', `${topic}-0`, '00000000000000000000.log')).size;
    const raw = sent.reduce((sum, message) => sum + message.value.length, 0);
    if (type === 'none') expect(stored).toBeGreaterThan(raw);
    else expect(stored).toBeLessThan(raw * 0.75);
    expect(read.map((message) => message.offset)).toEqual(sent.map((_, index) => String(index)));
    for (const [index, message] of read.entries()) {
      const original = sent[index];
      expect(message.key?.equals(original?.key ?? Buffer.alloc(0))).toBe(true);
      expect(message.value?.equals(original?.value ?? Buffer.alloc(0))).toBe(true);
      expect(message.headers.h).toEqual(original?.headers.h);
      expect(message.timestamp).toBe(original?.timestamp);
    }
  });
});
