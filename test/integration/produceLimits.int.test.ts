import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createKafkaClient, type KafkaAdmin, type OutgoingMessage } from '../../src/engine/kafka';
import { messageBatchSize } from '../../src/engine/kafka/messageBatches';
import { uniqueName } from '../helpers/names';

// A batch's size as Ferry's produce path writes it (messageBatches.ts) against the broker's own limit: a topic's
// max.message.bytes counts the whole record batch, so a batch of exactly that many bytes is taken and one byte more
// is refused (as kafkajs's batches were), and an idempotent producer's next send after the refusal still goes
// through (the refused batch's sequence numbers were never used).

const bootstrap = inject('labEndpoints').kafka.a.bootstrap;
const client = createKafkaClient({ bootstrapServers: [bootstrap], clientId: 'ferry-produce-limits-test' });
const LIMIT = 200_000;
const topic = uniqueName('produce-limits').toLowerCase();
let admin: KafkaAdmin;

beforeAll(async () => {
  admin = client.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic, numPartitions: 1, configs: { 'max.message.bytes': String(LIMIT) } }] });
});

afterAll(async () => {
  await admin.deleteTopics([topic]).catch(() => undefined);
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
});
