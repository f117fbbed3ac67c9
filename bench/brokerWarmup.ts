/**
 * Warms a freshly started broker before a timed run: the JVM compiles its produce and fetch paths during the first
 * few hundred thousand records, and on a lab started just before the pipeline bench that cost fell on Ferry's timed
 * snapshot alone, while the Debezium anchor, run after it, always met a warm broker. Records of about the bench rows'
 * size go through a scratch topic and are read back once; the topic is deleted. Nothing of this is in the timed figures.
 */
import type { Kafka } from 'kafkajs';

export interface BrokerWarmup {
  records: number;
  seconds: number;
}

const BATCH = 5_000;

export async function warmBroker(kafka: Kafka, records: number, topic: string, valueBytes: number): Promise<BrokerWarmup> {
  const started = performance.now();
  if (records <= 0) return { records: 0, seconds: 0 };
  const admin = kafka.admin();
  await admin.connect();
  const producer = kafka.producer({ allowAutoTopicCreation: false });
  const consumer = kafka.consumer({ groupId: `${topic}-reader` });
  try {
    await admin.createTopics({ topics: [{ topic, numPartitions: 1 }], waitForLeaders: true });
    await producer.connect();
    const value = Buffer.alloc(valueBytes, 'x');
    for (let sent = 0, count = 0; sent < records; sent += count) {
      // Under the broker's default message.max.bytes (1 MiB) per batch.
      count = Math.min(BATCH, records - sent, Math.max(1, Math.floor((512 << 10) / (valueBytes + 32))));
      await producer.send({ topic, acks: -1, messages: Array.from({ length: count }, (_, i) => ({ key: String(sent + i), value })) });
    }
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    let read = 0;
    await new Promise<void>((resolve, reject) => {
      consumer
        .run({
          eachBatch: async ({ batch }) => {
            read += batch.messages.length;
            if (read >= records) resolve();
          },
        })
        .catch(reject);
    });
    return { records, seconds: Math.round(performance.now() - started) / 1000 };
  } finally {
    await consumer.disconnect().catch(() => undefined);
    await producer.disconnect().catch(() => undefined);
    await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
    await admin.deleteGroups([`${topic}-reader`]).catch(() => undefined);
    await admin.disconnect().catch(() => undefined);
  }
}
