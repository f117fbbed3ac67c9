import type { IHeaders, Message } from 'kafkajs';
import { createKafka } from '../../src/engine/kafka';
import { uniqueName } from './names';
import { KafkaScratch } from './pipelineHarness';

// Two real clusters for the replicator tests: topics written and read as raw bytes, the way any Kafka client
// sees them, with partition, offset, timestamp and headers so a copy can be compared record for record.

export interface CopiedRecord {
  partition: number;
  offset: number;
  key: string | null;
  value: string | null;
  timestamp: string;
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

export function replicatorName(label: string): string {
  return uniqueName(label).toLowerCase().replace(/_/g, '-');
}

/** Writes messages (with explicit partitions) in requests of 1000. */
export async function produce(bootstrap: string, topic: string, messages: readonly Message[]): Promise<void> {
  const producer = createKafka({ bootstrapServers: [bootstrap] }).producer({ idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  try {
    for (let i = 0; i < messages.length; i += 1000) await producer.send({ topic, acks: -1, messages: [...messages.slice(i, i + 1000)] });
  } finally {
    await producer.disconnect();
  }
}

/**
 * Reads a topic from the start until `expected` records arrived, then `quietMs` more to catch extras (duplicates,
 * loops); read_committed unless told otherwise. Fails after `deadlineMs` with what it got.
 */
export async function readTopic(bootstrap: string, topic: string, expected: number, options: { quietMs?: number; deadlineMs?: number; groupId?: string } = {}): Promise<CopiedRecord[]> {
  const groupId = options.groupId ?? `ferry-test-reader-${uniqueName('r')}`;
  const kafka = createKafka({ bootstrapServers: [bootstrap] });
  const consumer = kafka.consumer({ groupId, maxWaitTimeInMs: 100, readUncommitted: false });
  const got: CopiedRecord[] = [];
  await consumer.connect();
  try {
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    await new Promise<void>((resolve, reject) => {
      const deadline = setTimeout(() => reject(new Error(`read ${got.length} of ${expected} records from ${topic} before the deadline`)), options.deadlineMs ?? 30_000);
      let quiet: NodeJS.Timeout | undefined;
      const settle = (): void => {
        clearTimeout(quiet);
        quiet = setTimeout(() => {
          clearTimeout(deadline);
          resolve();
        }, options.quietMs ?? 0);
      };
      if (expected === 0) settle();
      void consumer.run({
        eachMessage: async ({ partition, message }) => {
          got.push({
            partition,
            offset: Number(message.offset),
            key: message.key?.toString('utf8') ?? null,
            value: message.value?.toString('utf8') ?? null,
            timestamp: message.timestamp,
            headers: headerText(message.headers),
          });
          if (got.length >= expected) settle();
        },
      });
    });
  } finally {
    await consumer.disconnect();
    if (options.groupId === undefined) {
      const admin = kafka.admin();
      await admin.connect();
      await admin.deleteGroups([groupId]).catch(() => undefined);
      await admin.disconnect();
    }
  }
  return got;
}

/** Sum of high watermarks of a topic (records + transaction markers). */
export async function endOffsets(scratch: KafkaScratch, topic: string): Promise<Map<number, number>> {
  const admin = await scratch.connect();
  return new Map((await admin.fetchTopicOffsets(topic)).map((p) => [p.partition, Number(p.high)]));
}

/** Polls `check` until it holds (no timing assertion: the deadline only stops a hung test). */
export async function eventually<T>(what: string, check: () => Promise<T | undefined>, deadlineMs = 30_000): Promise<T> {
  const until = Date.now() + deadlineMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > until) throw new Error(`gave up waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

export { KafkaScratch };
