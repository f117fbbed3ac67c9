import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { COMPRESSION_TYPES, createKafkaClient, type KafkaAdmin, type OutgoingMessage } from '../../src/engine/kafka';
import { messageBatchSize } from '../../src/engine/kafka/messageBatches';
import { uniqueName } from '../helpers/names';

// A batch's size as Ferry's produce path writes it (messageBatches.ts) against the broker's own limit: a topic's
// max.message.bytes counts the whole record batch, so a batch of exactly that many bytes is taken and one byte more
// is refused (as kafkajs's batches were), and an idempotent producer's next send after the refusal still goes
// through (the refused batch's sequence numbers were never used). Every codec, on a batch of one empty record and on
// large batches (the broker decompresses and checks each compressed batch it takes), and a producer without
// idempotence (producer id, epoch and sequence -1, as Java writes them; kafkajs wrote epoch and sequence 0).

const bootstrap = inject('labEndpoints').kafka.a.bootstrap;
const client = createKafkaClient({ bootstrapServers: [bootstrap], clientId: 'ferry-produce-limits-test' });
const LIMIT = 200_000;
const topic = uniqueName('produce-limits').toLowerCase();
const codecTopic = uniqueName('produce-codecs').toLowerCase();
let admin: KafkaAdmin;

beforeAll(async () => {
  admin = client.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic, numPartitions: 1, configs: { 'max.message.bytes': String(LIMIT) } }, { topic: codecTopic, numPartitions: 2, configs: { 'compression.type': 'producer' } }] });
});

afterAll(async () => {
  await admin.deleteTopics([topic, codecTopic]).catch(() => undefined);
  await admin.disconnect();
});

/** A record whose batch is exactly `bytes` long (the value's length found by sizing the batch as it will be written). */
function recordOfBatch(bytes: number, key: string | null): OutgoingMessage {
  const now = Date.now();
  let valueLength = bytes - 80;
  while (messageBatchSize([{ key, value: Buffer.alloc(valueLength), timestamp: String(now) }], now) < bytes) valueLength++;
  while (messageBatchSize([{ key, value: Buffer.alloc(valueLength), timestamp: String(now) }], now) > bytes) valueLength--;
  const message = { key, value: Buffer.alloc(valueLength, 0x61), timestamp: String(now) };
  expect(messageBatchSize([message], now)).toBe(bytes);
  return message;
}

describe('record batches at the broker\'s size limit', () => {
  it('a batch of max.message.bytes is taken, one a byte larger refused, and the producer goes on', async () => {
    const producer = client.producer({ idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    try {
      const [taken] = await producer.send({ topic, acks: -1, messages: [recordOfBatch(LIMIT, 'at-limit')] });
      expect(taken?.baseOffset).toBe('0');
      await expect(producer.send({ topic, acks: -1, messages: [recordOfBatch(LIMIT + 1, 'over')] })).rejects.toThrow(/larger than|too large/i);
      const [next] = await producer.send({ topic, acks: -1, messages: [{ key: null, value: null }, { key: 'ключ', value: Buffer.alloc(0), headers: { empty: '', bytes: Buffer.from([0, 255]) } }] });
      expect(next?.baseOffset).toBe('1');
    } finally {
      await producer.disconnect();
    }
  });

  it('every codec, tiny and large batches, idempotent or not: the broker takes each and counts every record', async () => {
    const large = (seed: number): OutgoingMessage[] =>
      Array.from({ length: 2000 }, (_, index) => ({ key: index % 5 === 0 ? null : `k${seed}-${index}`, value: index % 9 === 0 ? null : Buffer.from(`${seed}:${index}:${'x'.repeat(index % 300)}`), headers: { n: String(index) }, timestamp: String(1_700_000_000_000 - index) }));
    let sent = 0;
    for (const [index, compression] of COMPRESSION_TYPES.entries()) {
      for (const idempotent of [true, false]) {
        const producer = client.producer({ idempotent, maxInFlightRequests: 1, compression });
        await producer.connect();
        try {
          for (const messages of [[{ key: null, value: null, partition: 0 }], large(index)]) {
            await producer.send({ topic: codecTopic, acks: idempotent ? -1 : 1, messages });
            sent += messages.length;
          }
        } finally {
          await producer.disconnect();
        }
      }
    }
    const offsets = await admin.fetchTopicOffsets(codecTopic);
    expect(offsets.reduce((sum, partition) => sum + Number(partition.high), 0)).toBe(sent);
  });
});
