import type { IHeaders, KafkaMessage } from 'kafkajs';
import { createKafka } from '../../src/engine/kafka';
import type { RecordSchema, Row } from '../../src/engine/model';
import { AvroConverter, SchemaRegistryClient } from '../../src/engine/schema';

// Writing and reading topics directly, the way another Kafka client (a Connect worker, a producer app) would:
// Confluent-framed Avro through the same registry the pipeline uses, tombstones, raw bytes for poison records.

export type OutgoingPart = { schema: RecordSchema; row: Row } | null | Buffer;

export interface OutgoingRecord {
  key?: OutgoingPart;
  /** null = a tombstone; a Buffer is written as is (e.g. bytes that are not Avro at all). */
  value: OutgoingPart;
}

/** Produces records in order to partition 0 of `topic`, keys and values as Confluent Avro registered under TopicNameStrategy. */
export async function produceRecords(bootstrap: string, registryUrl: string, topic: string, records: readonly OutgoingRecord[]): Promise<void> {
  const avro = new AvroConverter({ registry: new SchemaRegistryClient({ url: registryUrl }) });
  const encode = async (part: OutgoingPart | undefined, isKey: boolean): Promise<Buffer | null> => {
    if (part === undefined || part === null) return null;
    if (Buffer.isBuffer(part)) return part;
    return avro.fromRow(topic, isKey, part.schema, part.row);
  };
  const messages: { key: Buffer | null; value: Buffer | null; partition: number }[] = [];
  for (const record of records) messages.push({ key: await encode(record.key, true), value: await encode(record.value, false), partition: 0 });
  const producer = createKafka({ bootstrapServers: [bootstrap] }).producer({ idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  try {
    await producer.send({ topic, acks: -1, messages });
  } finally {
    await producer.disconnect();
  }
}

export interface ReadMessage {
  offset: string;
  key: Buffer | null;
  value: Buffer | null;
  headers: Record<string, string>;
}

function headerText(headers: IHeaders | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers ?? {})) {
    const first = Array.isArray(value) ? value[0] : value;
    if (first !== undefined) out[name] = Buffer.isBuffer(first) ? first.toString('utf8') : String(first);
  }
  return out;
}

/** Reads `count` messages from the start of a topic with a throw-away group; fails after `deadlineMs` with what it got. */
export async function readMessages(bootstrap: string, topic: string, count: number, deadlineMs = 30_000): Promise<ReadMessage[]> {
  const groupId = `ferry-test-reader-${Date.now().toString(36)}-${Math.random().toString(16).slice(2, 8)}`;
  const kafka = createKafka({ bootstrapServers: [bootstrap] });
  const consumer = kafka.consumer({ groupId, maxWaitTimeInMs: 200 });
  const got: ReadMessage[] = [];
  await consumer.connect();
  try {
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`read ${got.length} of ${count} messages from ${topic} before the deadline`)), deadlineMs);
      void consumer.run({
        eachMessage: async ({ message }: { message: KafkaMessage }) => {
          got.push({ offset: message.offset, key: message.key, value: message.value, headers: headerText(message.headers) });
          if (got.length >= count) {
            clearTimeout(timer);
            resolve();
          }
        },
      });
    });
  } finally {
    await consumer.disconnect();
    const admin = kafka.admin();
    await admin.connect();
    await admin.deleteGroups([groupId]).catch(() => {});
    await admin.disconnect();
  }
  return got;
}
