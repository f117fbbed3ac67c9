import { createRequire } from 'node:module';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { type CompressionType, createKafkaClient, type FetchedBatch, type KafkaAdmin, type OutgoingMessage } from '../../src/engine/kafka';
import { producePathPatches } from '../../src/engine/kafka/kafkajsRuntime';
import { uniqueName } from '../helpers/names';

// The produce path that writes a send's messages straight into one record batch per partition (kafka/messageBatches.ts)
// against the lab's Kafka a, with an idempotent producer (acks=all, one request in flight), as a source connector
// produces: records read back byte for byte, each keyed record in the partition kafkajs's default partitioner (Java's
// murmur2) picks, keyless ones round-robin, every partition in send order, and each batch carrying the producer's id
// with sequence numbers that follow on from the batch before (the broker checks them; a gap is refused).

const require = createRequire(import.meta.url);
const kafkajsMurmur2 = require('kafkajs/src/producer/partitioners/default/murmur2.js') as (key: Buffer) => number;

const bootstrap = inject('labEndpoints').kafka.a.bootstrap;
const client = createKafkaClient({ bootstrapServers: [bootstrap], clientId: 'ferry-message-batches-test' });
const PARTITIONS = 6;
const topics: string[] = [];
let admin: KafkaAdmin;

beforeAll(async () => {
  admin = client.admin();
  await admin.connect();
});

afterAll(async () => {
  await admin.deleteTopics(topics).catch(() => undefined);
  await admin.disconnect();
});

function message(index: number): OutgoingMessage {
  const key = index % 9 === 4 ? null : Buffer.from(`row-${index}-${'k'.repeat(index % 17)}`);
  const value = index % 23 === 5 && key !== null ? null : Buffer.from(`{"id":${index},"name":"${'é'.repeat(index % 40)}","payload":"${String(index * 7919).repeat(1 + (index % 30))}"}`);
  const out: OutgoingMessage = { key, value };
  if (index % 50 === 0) out.headers = { 'ferry.source.capture': 'log', trace: [Buffer.from([index & 0xff, 0, 255]), 'twice'] };
  if (index % 3 === 0) out.timestamp = String(1_700_000_000_000 + index);
  return out;
}

interface Read {
  partition: number;
  offset: number;
  key: string | null;
  value: string | null;
  headers: string;
  timestamp: string;
}

/** Every record of the topic (messages), and every record batch's producer fields (a second, batch-level read). */
async function readBack(topic: string, count: number): Promise<{ records: Read[]; batches: { partition: number; producerId: bigint; baseSequence: number; recordCount: number; compression: number }[] }> {
  const records: Read[] = [];
  const batches: { partition: number; producerId: bigint; baseSequence: number; recordCount: number; compression: number }[] = [];
  for (const recordBatches of [false, true]) {
    const groupId = uniqueName('message-batches-read');
    const consumer = client.consumer({ groupId, maxWaitMs: 100, recordBatches });
    let seen = 0;
    await consumer.connect();
    try {
      await consumer.subscribe({ topics: [topic], fromBeginning: true });
      const done = new Promise<void>((resolve) => {
        void consumer.run({
          eachBatch: async ({ batch }: { batch: FetchedBatch }) => {
            if (recordBatches) {
              for (const view of batch.recordBatches?.batches ?? []) {
                batches.push({ partition: batch.partition, producerId: view.producerId, baseSequence: view.bytes.readInt32BE(53), recordCount: view.recordCount, compression: view.attributes & 7 });
                seen += view.recordCount;
              }
            } else {
              for (const fetched of batch.messages) {
                records.push({
                  partition: batch.partition,
                  offset: Number(fetched.offset),
                  key: fetched.key?.toString('hex') ?? null,
                  value: fetched.value?.toString('hex') ?? null,
                  headers: JSON.stringify(Object.entries(fetched.headers).map(([name, value]) => [name, (Array.isArray(value) ? value : [value]).map((item) => Buffer.from(item ?? '').toString('hex'))])),
                  timestamp: fetched.timestamp,
                });
                seen++;
              }
            }
            if (seen >= count) resolve();
          },
        });
      });
      await Promise.race([done, new Promise((_, reject) => setTimeout(() => reject(new Error(`read ${seen} of ${count} records of ${topic}`)), 60_000))]);
    } finally {
      await consumer.disconnect();
      await admin.deleteGroups([groupId]).catch(() => undefined);
    }
  }
  return { records, batches };
}

describe('sends written straight into record batches', () => {
  it('runs with the hooks in force', () => {
    expect(producePathPatches.recordBatches).toBe(true);
    expect(producePathPatches.partitioner).toBe(true);
  });

  it.each(['none', 'zstd', 'lz4'] as CompressionType[])('%s: an idempotent producer\'s records read back byte for byte, in kafkajs\'s partitions and send order', async (compression) => {
    const topic = uniqueName(`message-batches-${compression}`).toLowerCase();
    topics.push(topic);
    await admin.createTopics({ topics: [{ topic, numPartitions: PARTITIONS, configs: { 'compression.type': 'producer' } }] });
    const producer = client.producer({ idempotent: true, maxInFlightRequests: 1, compression });
    const sent = Array.from({ length: 12_000 }, (_, index) => message(index));
    const before = Date.now();
    await producer.connect();
    try {
      // Several requests, as a source's batch goes out: sequences must follow on per partition across them.
      for (let start = 0; start < sent.length; start += 4000) await producer.sendBatch({ acks: -1, topicMessages: [{ topic, messages: sent.slice(start, start + 4000) }] });
    } finally {
      await producer.disconnect();
    }
    const after = Date.now();
    const { records, batches } = await readBack(topic, sent.length);
    expect(records).toHaveLength(sent.length);

    // Expected per partition: keyed records where kafkajs's murmur2 puts them; keyless ones take each partition in
    // turn, so matching them up in send order per partition needs the partition the broker gave each.
    const keyless = records.filter((record) => record.key === null);
    const keylessPerPartition = Array.from({ length: PARTITIONS }, (_, partition) => keyless.filter((record) => record.partition === partition).length);
    expect(Math.max(...keylessPerPartition) - Math.min(...keylessPerPartition)).toBeLessThanOrEqual(1);
    for (let partition = 0; partition < PARTITIONS; partition++) {
      const got = records.filter((record) => record.partition === partition).sort((x, y) => x.offset - y.offset);
      const keyedHere = sent.filter((m) => m.key !== null && m.key !== undefined && (kafkajsMurmur2(m.key as Buffer) & 0x7fffffff) % PARTITIONS === partition);
      expect(got.filter((record) => record.key !== null).map((record) => record.key)).toEqual(keyedHere.map((m) => (m.key as Buffer).toString('hex')));
      expect(got.map((record) => record.offset)).toEqual(got.map((_, index) => index));
    }
    // Byte for byte: every sent record, matched by key (unique) or, keyless, by value, and send order within a partition.
    const byIdentity = new Map(records.map((record) => [`${record.key}/${record.value}`, record]));
    const lastOffsetOf = new Map<number, number>();
    for (const m of sent) {
      const got = byIdentity.get(`${m.key ? (m.key as Buffer).toString('hex') : null}/${m.value ? (m.value as Buffer).toString('hex') : null}`);
      if (!got) throw new Error(`record not read back: ${String(m.key)}`);
      const headers = JSON.stringify(Object.entries(m.headers ?? {}).map(([name, value]) => [name, (Array.isArray(value) ? value : [value]).map((item) => Buffer.from(item ?? '').toString('hex'))]));
      expect(got.headers).toBe(headers);
      if (m.timestamp !== undefined) expect(got.timestamp).toBe(m.timestamp);
      else expect(Number(got.timestamp) >= before && Number(got.timestamp) <= after).toBe(true);
      expect(got.offset).toBeGreaterThan(lastOffsetOf.get(got.partition) ?? -1);
      lastOffsetOf.set(got.partition, got.offset);
    }

    // Idempotent batches: one producer id, sequences 0, n, n+m… per partition, the codec asked for.
    const code = { none: 0, gzip: 1, snappy: 2, lz4: 3, zstd: 4 }[compression];
    expect(new Set(batches.map((batch) => batch.producerId)).size).toBe(1);
    expect(batches[0]?.producerId ?? -1n).toBeGreaterThanOrEqual(0n);
    for (let partition = 0; partition < PARTITIONS; partition++) {
      const mine = batches.filter((batch) => batch.partition === partition);
      expect(mine.length).toBe(3); // one batch per partition per request
      let sequence = 0;
      for (const batch of mine) {
        expect([batch.baseSequence, batch.compression]).toEqual([sequence, code]);
        sequence += batch.recordCount;
      }
    }
  });
  it('a batch whose first record is its newest (negative timestamp deltas, as Java writes them) is accepted and reads back', async () => {
    const topic = uniqueName('message-batches-deltas').toLowerCase();
    topics.push(topic);
    await admin.createTopics({ topics: [{ topic, numPartitions: 1 }] });
    const producer = client.producer({ idempotent: true, maxInFlightRequests: 1 });
    const sent = [5, 1, 4, 2, 3].map((offset, index) => ({ key: Buffer.from(`k${index}`), value: Buffer.from(`v${index}`), timestamp: String(1_700_000_000_000 + offset * 60_000) }));
    await producer.connect();
    try {
      await producer.send({ topic, messages: sent });
    } finally {
      await producer.disconnect();
    }
    const { records } = await readBack(topic, sent.length);
    expect(records.map((record) => [record.key, record.timestamp])).toEqual(sent.map((m) => [m.key.toString('hex'), m.timestamp]));
  });
});
