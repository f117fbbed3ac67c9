import { randomUUID } from 'node:crypto';
import { classifyKafkaError, createKafkaClient, type KafkaClientSettings, type KafkaProducer } from '../../../kafka';
import { sourceError } from '../../errors';
import type { SchemaHistoryEntry, SchemaHistoryStore } from './schemaHistory';

/** How long reading the history back may take before the source fails with the topic named. */
const LOAD_TIMEOUT_MS = 30_000;

/**
 * Debezium's `KafkaSchemaHistory` (`schema.history.internal.kafka.topic`): the history as one record per entry in a
 * one-partition topic kept forever (retention.ms=-1, never compacted: every entry counts), appended with acks=all and
 * read back from the beginning to the end at start. The record value is the entry's JSON; Debezium's own history
 * records are a different shape, so a topic Debezium wrote is refused rather than misread.
 */
export class KafkaSchemaHistoryStore implements SchemaHistoryStore {
  private producer: KafkaProducer | undefined;

  constructor(
    private readonly settings: KafkaClientSettings,
    private readonly topic: string,
  ) {}

  get where(): string {
    return `topic ${this.topic}`;
  }

  async load(): Promise<SchemaHistoryEntry[]> {
    const client = createKafkaClient({ ...this.settings, quiet: true });
    const admin = client.admin();
    await admin.connect().catch((error: unknown) => {
      throw classifyKafkaError(error, this.settings.bootstrapServers, 'connect to read the schema history');
    });
    let high: bigint;
    try {
      const topics = await admin.listTopics();
      if (!topics.includes(this.topic)) {
        await admin.createTopics({ topics: [{ topic: this.topic, numPartitions: 1, configs: { 'cleanup.policy': 'delete', 'retention.ms': '-1', 'retention.bytes': '-1' } }], waitForLeaders: true });
        return [];
      }
      const offsets = await admin.fetchTopicOffsets(this.topic);
      if (offsets.length !== 1) {
        throw sourceError('SOURCE_BAD_OPTIONS', `The schema history topic ${this.topic} has ${offsets.length} partitions; it needs exactly one so the entries keep their order. Name a new topic in schema.history.internal.kafka.topic.`);
      }
      high = BigInt(offsets[0]?.high ?? '0');
      if (high <= BigInt(offsets[0]?.low ?? '0')) return [];
    } finally {
      await admin.disconnect().catch(() => undefined);
    }
    return this.readUpTo(client, high);
  }

  private async readUpTo(client: ReturnType<typeof createKafkaClient>, high: bigint): Promise<SchemaHistoryEntry[]> {
    const consumer = client.consumer({ groupId: `ferry-schema-history-${randomUUID()}`, fixedAssignment: { topic: this.topic, partitions: [0] }, maxWaitMs: 200 });
    const entries: SchemaHistoryEntry[] = [];
    await consumer.connect();
    try {
      await consumer.subscribe({ topics: [this.topic], fromBeginning: true });
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(sourceError('SOURCE_CONNECTION_FAILED', `Reading the schema history topic ${this.topic} did not reach its end (offset ${high}) within ${LOAD_TIMEOUT_MS / 1000} s.`, { retriable: true })), LOAD_TIMEOUT_MS);
        const unsubscribe = consumer.on('crash', ({ error }) => {
          clearTimeout(timer);
          reject(error);
        });
        consumer
          .run({
            eachBatch: async ({ batch }) => {
              for (const message of batch.messages) {
                if (BigInt(message.offset) >= high) break;
                entries.push(this.parse(message.value, message.offset));
              }
              if (BigInt(batch.lastOffset()) + 1n >= high) {
                clearTimeout(timer);
                unsubscribe();
                resolve();
              }
              await Promise.resolve();
            },
          })
          .catch((error: unknown) => {
            clearTimeout(timer);
            reject(error instanceof Error ? error : new Error(String(error)));
          });
      });
    } finally {
      await consumer.disconnect().catch(() => undefined);
    }
    return entries;
  }

  private parse(value: Buffer | null, offset: string): SchemaHistoryEntry {
    const entry = value === null ? undefined : (JSON.parse(value.toString('utf8')) as Partial<SchemaHistoryEntry>);
    if (!entry || typeof entry.file !== 'string' || typeof entry.pos !== 'number' || !Array.isArray(entry.columns)) {
      throw sourceError(
        'SOURCE_BAD_OPTIONS',
        `The schema history topic ${this.topic} holds a record Ferry did not write (offset ${offset}); a topic Debezium wrote cannot be shared. Name a topic of Ferry's own in schema.history.internal.kafka.topic.`,
      );
    }
    return entry as SchemaHistoryEntry;
  }

  async append(entries: readonly SchemaHistoryEntry[]): Promise<void> {
    if (entries.length === 0) return;
    if (!this.producer) {
      const producer = createKafkaClient({ ...this.settings, quiet: true }).producer({ idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false });
      await producer.connect().catch((error: unknown) => {
        throw classifyKafkaError(error, this.settings.bootstrapServers, 'connect the schema history producer');
      });
      this.producer = producer;
    }
    await this.producer.send({ topic: this.topic, acks: -1, messages: entries.map((entry) => ({ key: null, value: Buffer.from(JSON.stringify(entry)), partition: 0 })) });
  }

  async close(): Promise<void> {
    const producer = this.producer;
    this.producer = undefined;
    await producer?.disconnect().catch(() => undefined);
  }
}
