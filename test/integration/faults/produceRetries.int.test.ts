import { createRequire } from 'node:module';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKafkaClient, type FetchedBatch, type KafkaClient, type KafkaProducer, type OutgoingMessage } from '../../../src/engine/kafka';
import { producePathPatches } from '../../../src/engine/kafka/kafkajsRuntime';
import { uniqueName } from '../../helpers/names';
import { type PrivateLab, startPrivateLab } from '../../helpers/privateLab';

// Ferry's produce path (rawBatchPath.ts writes every Produce v3+ request, stamping the producer id, epoch and the
// attempt's first sequence; messageBatches.ts partitions) under broker faults, with an idempotent producer as a source
// uses (acks=all, one request in flight): the broker hangs mid-produce (SIGSTOP past the request timeout: the request
// times out and kafkajs sends it again, with the same sequences), and crashes (SIGKILL) and starts again. Every record
// must be in the topic exactly once, in send order within its partition, and no send may fail for its sequences
// (OUT_OF_ORDER_SEQUENCE_NUMBER). Keyed records, and keyless ones (a table without a primary key, polled), which
// kafkajs round-robins anew on every attempt. The broker is a private lab's; the shared lab's must never be disturbed.

const require = createRequire(import.meta.url);
const kafkajsMurmur2 = require('kafkajs/src/producer/partitioners/default/murmur2.js') as (key: Buffer) => number;
const produceDefinition = require('kafkajs/src/protocol/requests/produce/index.js') as { protocol: (options: { version: number }) => (args: unknown) => unknown };

const PARTITIONS = 4;
let lab: PrivateLab;
let client: KafkaClient;
/** Produce requests built (one per attempt kafkajs makes), to show the faults made kafkajs send requests again. */
let produceRequests = 0;

beforeAll(async () => {
  const protocol = produceDefinition.protocol;
  produceDefinition.protocol = (options) => {
    const make = protocol(options);
    return (args) => {
      produceRequests++;
      return make(args);
    };
  };
  lab = await startPrivateLab(['kafka-a'], 'produce-retries');
  client = createKafkaClient({ bootstrapServers: [lab.endpoints.kafka.a.bootstrap], clientId: 'ferry-produce-retries-test', requestTimeoutMs: 4000, connectionTimeoutMs: 3000 });
}, 240_000);

afterAll(async () => {
  await lab?.close();
}, 120_000);

async function createTopic(prefix: string): Promise<string> {
  const topic = uniqueName(prefix).toLowerCase();
  const admin = client.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic, numPartitions: PARTITIONS }] });
  await admin.disconnect();
  return topic;
}

/** Starts the killed broker again; its ports may stay taken for a moment after the crash. */
async function restartBroker(): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await lab.start('kafka-a');
      return;
    } catch (error) {
      if (attempt >= 30) throw error;
      await new Promise((resolve) => setTimeout(resolve, 2000));
    }
  }
}

/**
 * A send kafkajs gave up on is sent again by the same producer, as a source does from its checkpoint: kafkajs took
 * the failed attempt's sequences back, so a copy the broker already appended is recognised as a duplicate.
 */
async function sendUntilTaken(producer: KafkaProducer, topic: string, messages: OutgoingMessage[]): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await producer.sendBatch({ acks: -1, topicMessages: [{ topic, messages }] });
      return;
    } catch (error) {
      // Sequences refused (OUT_OF_ORDER_SEQUENCE_NUMBER, DUPLICATE_SEQUENCE_NUMBER): the request held other records
      // under sequences already used; sending again could only hide it.
      if (attempt >= 20 || /sequence number/i.test((error as Error).message)) throw error;
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
  }
}

type Fault = 'hang' | 'crash';

/** Sends `sends` × `perSend` records one send after another, injecting each fault while the send at its index is on its way. */
async function produceThrough(topic: string, sends: number, perSend: number, faultAt: Map<number, Fault>, message: (index: number) => OutgoingMessage): Promise<number> {
  const before = produceRequests;
  const producer = client.producer({ idempotent: true, maxInFlightRequests: 1, retry: { retries: 60, initialRetryTimeMs: 300, maxRetryTimeMs: 2000 } });
  await producer.connect();
  const faults: Promise<void>[] = [];
  try {
    for (let send = 0; send < sends; send++) {
      const messages = Array.from({ length: perSend }, (_, offset) => message(send * perSend + offset));
      const sending = sendUntilTaken(producer, topic, messages);
      const fault = faultAt.get(send);
      if (fault === 'hang') {
        // The request is on the wire when the broker stops: it times out (4 s) and is sent again once the broker answers.
        await lab.pause('kafka-a');
        faults.push(new Promise((resolve) => setTimeout(resolve, 9000)).then(() => lab.resume('kafka-a')));
      }
      if (fault === 'crash') faults.push(lab.kill('kafka-a', 'SIGKILL').then(restartBroker));
      await sending;
      await Promise.all(faults.splice(0));
    }
  } finally {
    await Promise.all(faults.splice(0)).catch(() => undefined);
    await producer.disconnect();
  }
  return produceRequests - before;
}

interface ReadRecord {
  partition: number;
  key: string | null;
  index: number;
}

async function readAll(topic: string, count: number): Promise<ReadRecord[]> {
  const records: ReadRecord[] = [];
  const groupId = uniqueName('produce-retries-read');
  const consumer = client.consumer({ groupId, maxWaitMs: 200 });
  await consumer.connect();
  try {
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    // Reads until nothing more arrives for 5 s after at least `count` records: extra (duplicated) records must show.
    let last = Date.now();
    void consumer.run({
      eachBatch: async ({ batch }: { batch: FetchedBatch }) => {
        for (const fetched of batch.messages) {
          records.push({ partition: batch.partition, key: fetched.key?.toString() ?? null, index: Number((fetched.value ?? Buffer.alloc(0)).toString().split(':')[0]) });
        }
        last = Date.now();
      },
    });
    const deadline = Date.now() + 90_000;
    while (Date.now() < deadline && (records.length < count || Date.now() - last < 5000)) await new Promise((resolve) => setTimeout(resolve, 250));
  } finally {
    await consumer.disconnect();
  }
  return records;
}

function expectOnceInOrder(records: ReadRecord[], total: number): void {
  const seen = new Set(records.map((record) => record.index));
  expect({ records: records.length, distinct: seen.size }).toEqual({ records: total, distinct: total });
  for (let partition = 0; partition < PARTITIONS; partition++) {
    const indexes = records.filter((record) => record.partition === partition).map((record) => record.index);
    expect(indexes).toEqual([...indexes].sort((x, y) => x - y));
  }
}

describe('idempotent produce through Ferry\'s request encoder under broker faults', () => {
  it('keyed: a hang past the request timeout and a crash leave every record once, in order per partition', async () => {
    expect(producePathPatches.recordBatches).toBe(true);
    const topic = await createTopic('produce-retries-keyed');
    const [sends, perSend] = [60, 400];
    const requests = await produceThrough(topic, sends, perSend, new Map<number, Fault>([[15, 'hang'], [35, 'crash']]), (index) => ({ key: Buffer.from(`key-${index % 997}`), value: Buffer.from(`${index}:${'v'.repeat(index % 200)}`), headers: { n: String(index) } }));
    expect(requests).toBeGreaterThan(sends);
    const records = await readAll(topic, sends * perSend);
    expectOnceInOrder(records, sends * perSend);
    for (const record of records) expect((kafkajsMurmur2(Buffer.from(record.key ?? '')) & 0x7fffffff) % PARTITIONS).toBe(record.partition);
  }, 300_000);

  it('keyless: a send retried after a hang keeps each record in the partition (and sequence) of its first attempt', async () => {
    const topic = await createTopic('produce-retries-keyless');
    // 399 records a send over 4 partitions: one partition takes a record fewer, a different one on every attempt
    // if the round-robin went on where it stood.
    const [sends, perSend] = [20, 399];
    const requests = await produceThrough(topic, sends, perSend, new Map<number, Fault>([[8, 'hang']]), (index) => ({ key: null, value: Buffer.from(`${index}:${'v'.repeat(index % 100)}`) }));
    expect(requests).toBeGreaterThan(sends);
    expectOnceInOrder(await readAll(topic, sends * perSend), sends * perSend);
  }, 300_000);
});
