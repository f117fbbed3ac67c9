import { isDeepStrictEqual, inspect } from 'node:util';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Kafka, Message } from 'kafkajs';
import { createKafka } from '../../src/engine/kafka';
import { fetchPathPatches } from '../../src/engine/kafka/kafkajsRuntime';
import { decodeFetchesWithKafkajsOnly, fetchBatchCounts } from '../../src/engine/kafka/fetchBatches';
import { uniqueName } from '../helpers/names';

// The fetch decoder and consumer Batch of kafka/fetchBatches.ts against kafkajs's own, on real fetches from the lab's Kafka a: one topic
// written by an idempotent producer (uncompressed and every codec, headers with repeated names, null keys and values,
// empty values), then by a transactional producer with an aborted transaction between two committed ones. The topic
// is read to its end by kafkajs consumers, once through each decoder, read_committed and read_uncommitted; the
// messages kafkajs hands to eachBatch must be the same, field by field, batch by batch.

const bootstrap = inject('labEndpoints').kafka.a.bootstrap;
const PARTITIONS = 3;
let kafka: Kafka;
const topics: string[] = [];

beforeAll(() => {
  kafka = createKafka({ bootstrapServers: [bootstrap] });
});

afterAll(async () => {
  decodeFetchesWithKafkajsOnly(false);
  const admin = kafka.admin();
  await admin.connect();
  await admin.deleteTopics({ topics }).catch(() => undefined);
  await admin.disconnect();
});

interface SeenBatch {
  partition: number;
  firstOffset: string | null;
  lastOffset: string;
  highWatermark: string;
  messages: unknown[];
}

/** Every batch kafkajs hands to eachBatch until each partition's high watermark is reached, in arrival order per partition. */
async function readThrough(topic: string, ends: Map<number, number>, readUncommitted: boolean): Promise<SeenBatch[]> {
  const consumer = kafka.consumer({ groupId: uniqueName('ferry-fetch-decode'), readUncommitted, maxBytesPerPartition: 64 * 1024 });
  const seen: SeenBatch[] = [];
  const reached = new Map<number, number>();
  await consumer.connect();
  try {
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    const done = new Promise<void>((resolve) => {
      void consumer.run({
        eachBatchAutoResolve: true,
        eachBatch: async ({ batch }) => {
          seen.push({ partition: batch.partition, firstOffset: batch.firstOffset(), lastOffset: batch.lastOffset(), highWatermark: batch.highWatermark, messages: batch.messages });
          reached.set(batch.partition, Number(batch.lastOffset()) + 1);
          if ([...ends].every(([partition, end]) => (reached.get(partition) ?? 0) >= end)) resolve();
        },
      });
    });
    await Promise.race([done, new Promise((_, reject) => setTimeout(() => reject(new Error(`the topic ${topic} was not read to its end in 60 s`)), 60_000))]);
  } finally {
    await consumer.disconnect();
  }
  return [0, 1, 2].flatMap((partition) => seen.filter((batch) => batch.partition === partition));
}

describe('fetched record batches decoded without kafkajs\'s per-record decoder', () => {
  it('hands eachBatch the same messages as kafkajs\'s decoder, every codec, headers, nulls, transactions', async () => {
    expect(fetchPathPatches).toEqual({ batchDecoder: true, consumerBatch: true });
    const topic = uniqueName('ferry_fetch_decode');
    topics.push(topic);
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic, numPartitions: PARTITIONS }], waitForLeaders: true });
    const base = Date.now() - 3_600_000;
    const binary = (i: number, size: number): Buffer => Buffer.from(Array.from({ length: size }, (_, j) => (i * 31 + j * 7) & 0xff));
    const message = (i: number, size = 40): Message => ({
      partition: i % PARTITIONS,
      key: i % 5 === 0 ? null : binary(i, 8),
      value: i % 11 === 0 ? null : i % 13 === 0 ? Buffer.alloc(0) : binary(i + 1, size),
      timestamp: String(base + i * 1000 - (i % 4) * 5000),
      headers: i % 2 === 0 ? { trace: binary(i, 3), multi: [Buffer.from('one'), binary(i, 2), Buffer.from('é')] } : {},
    });
    let i = 0;
    const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    for (let send = 0; send < 3; send++) await producer.send({ topic, acks: -1, messages: Array.from({ length: 30 }, () => message(i++)) });
    for (const codec of [1, 2, 3, 4]) await producer.send({ topic, acks: -1, compression: codec, messages: Array.from({ length: 40 }, () => message(i++, 300)) });
    await producer.send({ topic, acks: -1, messages: Array.from({ length: 600 }, () => message(i++, 1024)) });
    await producer.disconnect();
    const transactional = kafka.producer({ transactionalId: uniqueName('ferry-fetch-decode'), idempotent: true, maxInFlightRequests: 1 });
    await transactional.connect();
    for (const outcome of ['commit', 'abort', 'commit'] as const) {
      const transaction = await transactional.transaction();
      await transaction.send({ topic, acks: -1, messages: Array.from({ length: 12 }, () => message(i++)) });
      await (outcome === 'commit' ? transaction.commit() : transaction.abort());
    }
    await transactional.disconnect();
    // Plain records after the transactions: the last batch of each partition goes through the fast path again.
    const after = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    await after.connect();
    await after.send({ topic, acks: -1, messages: Array.from({ length: 9 }, () => message(i++)) });
    await after.disconnect();
    const offsets = await admin.fetchTopicOffsets(topic);
    await admin.disconnect();
    const ends = new Map(offsets.map((o) => [o.partition, Number(o.high)]));

    for (const readUncommitted of [false, true]) {
      decodeFetchesWithKafkajsOnly(false);
      const before = { ...fetchBatchCounts };
      const fast = await readThrough(topic, ends, readUncommitted);
      // Plain and compressed batches took the fast path; the transactional ones and their markers went to kafkajs.
      expect(fetchBatchCounts.fast - before.fast).toBeGreaterThanOrEqual(3 + 4);
      expect(fetchBatchCounts.kafkajs - before.kafkajs).toBeGreaterThanOrEqual(6);
      decodeFetchesWithKafkajsOnly(true);
      const reference = await readThrough(topic, ends, readUncommitted);
      decodeFetchesWithKafkajsOnly(false);
      const count = (batches: SeenBatch[]) => batches.reduce((sum, batch) => sum + batch.messages.length, 0);
      expect(count(reference)).toBe(readUncommitted ? i : i - 12);
      // Fetch sizes may split the log differently between two reads: compare the messages in order per partition.
      for (let partition = 0; partition < PARTITIONS; partition++) {
        const ours = fast.filter((batch) => batch.partition === partition).flatMap((batch) => batch.messages);
        const theirs = reference.filter((batch) => batch.partition === partition).flatMap((batch) => batch.messages);
        expect(ours.length, `partition ${partition}`).toBe(theirs.length);
        if (!isDeepStrictEqual(ours, theirs)) expect(inspect(ours, { depth: 6, maxArrayLength: null })).toBe(inspect(theirs, { depth: 6, maxArrayLength: null }));
      }
    }
  }, 240_000);
});
