import type { Admin, ITopicConfig } from 'kafkajs';
import { classifyKafkaError, kafkaError } from './errors';

/** Kafka's own rule for topic names (Topic.java): legal characters and at most 249 of them. */
export const TOPIC_NAME_PATTERN = /^[a-zA-Z0-9._-]{1,249}$/;

export function assertValidTopicName(topic: string, origin: string): void {
  if (!TOPIC_NAME_PATTERN.test(topic) || topic === '.' || topic === '..') {
    throw kafkaError('KAFKA_TOPIC', `Topic "${topic}" (from ${origin}) is not a legal Kafka topic name: use letters, digits, ".", "_" and "-", at most 249 characters.`);
  }
}

export interface TopicSpec {
  name: string;
  partitions?: number;
  replicationFactor?: number;
  configs?: Record<string, string>;
}

/**
 * Creates the topics that do not exist yet and leaves existing ones alone (their partition count is the user's).
 * Returns the names it created.
 */
export async function ensureTopics(admin: Admin, specs: readonly TopicSpec[], brokers: readonly string[]): Promise<string[]> {
  if (specs.length === 0) return [];
  for (const spec of specs) assertValidTopicName(spec.name, 'the connector config');
  let existing: Set<string>;
  try {
    existing = new Set(await admin.listTopics());
  } catch (error) {
    throw classifyKafkaError(error, brokers, 'list topics');
  }
  const missing: ITopicConfig[] = specs
    .filter((spec) => !existing.has(spec.name))
    .map((spec) => ({
      topic: spec.name,
      numPartitions: spec.partitions ?? -1,
      replicationFactor: spec.replicationFactor ?? -1,
      configEntries: Object.entries(spec.configs ?? {}).map(([name, value]) => ({ name, value })),
    }));
  if (missing.length === 0) return [];
  try {
    await admin.createTopics({ topics: missing, waitForLeaders: true });
  } catch (error) {
    // Another client may have created it between list and create: that is fine.
    const text = String((error as { message?: unknown }).message ?? '');
    if (!/already exists/i.test(text)) throw classifyKafkaError(error, brokers, `create topics ${missing.map((topic) => topic.topic).join(', ')}`);
  }
  return missing.map((topic) => topic.topic);
}
