import type { Admin } from 'kafkajs';
import { classifyKafkaError, kafkaError } from './errors';
import { adaptKafkajsAdmin } from './kafkajsAdapter';
import type { KafkaAdmin, NewTopic } from './port';

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
 * Kafka refuses a topic whose name equals an existing one once "." and "_" are read as the same character (both
 * become "_" in metric names): `src_orderdetails` cannot be created beside `src.orderdetails`.
 */
export function topicCollisionKey(name: string): string {
  return name.replace(/\./g, '_');
}

/** Each wanted topic that collides with another name (existing, or wanted before it) without being equal to it. */
export function findTopicCollisions(wanted: readonly string[], existing: Iterable<string>): { topic: string; collidesWith: string }[] {
  const byKey = new Map<string, string>();
  for (const name of existing) byKey.set(topicCollisionKey(name), name);
  const found: { topic: string; collidesWith: string }[] = [];
  for (const topic of wanted) {
    const other = byKey.get(topicCollisionKey(topic));
    if (other !== undefined && other !== topic) found.push({ topic, collidesWith: other });
    else byKey.set(topicCollisionKey(topic), topic);
  }
  return found;
}

function collisionError(collisions: readonly { topic: string; collidesWith: string }[], brokers: readonly string[]): Error {
  const list = collisions.map((c) => `"${c.topic}" collides with existing topic: ${c.collidesWith}`).join('; ');
  return kafkaError(
    'KAFKA_TOPIC',
    `Cannot create topic${collisions.length === 1 ? '' : 's'} on ${brokers.join(',')}: ${list} (Kafka treats "." and "_" in topic names as the same character). ` +
      'Change topic.prefix (or the topic name) so the two differ by more than "." versus "_", or write to the existing topic.',
    { detail: { collisions } },
  );
}

/**
 * Creates the topics that do not exist yet and leaves existing ones alone (their partition count is the user's).
 * Returns the names it created. A topic the brokers refuse says why, per topic (kafkajs reports only "Topic
 * creation errors"; the reason was in the broker's log).
 */
export async function ensureTopics(client: KafkaAdmin | Admin, specs: readonly TopicSpec[], brokers: readonly string[]): Promise<string[]> {
  if (specs.length === 0) return [];
  // A kafkajs Admin still comes from src/engine/pipeline until it moves to the port.
  const admin = isPortAdmin(client) ? client : adaptKafkajsAdmin(client);
  for (const spec of specs) assertValidTopicName(spec.name, 'the connector config');
  let existing: Set<string>;
  try {
    existing = new Set(await admin.listTopics());
  } catch (error) {
    throw classifyKafkaError(error, brokers, 'list topics');
  }
  const missing: NewTopic[] = specs
    .filter((spec) => !existing.has(spec.name))
    .map((spec) => ({ topic: spec.name, numPartitions: spec.partitions ?? -1, replicationFactor: spec.replicationFactor ?? -1, configs: spec.configs ?? {} }));
  if (missing.length === 0) return [];
  const collisions = findTopicCollisions(
    missing.map((topic) => topic.topic),
    existing,
  );
  if (collisions.length > 0) throw collisionError(collisions, brokers);
  try {
    await admin.createTopics({ topics: missing, waitForLeaders: true });
  } catch (error) {
    // Another client may have created it between list and create: that is fine.
    const text = String((error as { message?: unknown }).message ?? '');
    if (/already exists/i.test(text)) return missing.map((topic) => topic.topic);
    // A colliding topic created meanwhile by someone else: kafkajs says only "invalid topic", so look again.
    const now = await admin.listTopics().catch(() => [] as string[]);
    const raced = findTopicCollisions(
      missing.map((topic) => topic.topic),
      now.filter((name) => !missing.some((topic) => topic.topic === name)),
    );
    if (raced.length > 0) throw collisionError(raced, brokers);
    throw classifyKafkaError(error, brokers, `create topic${missing.length === 1 ? '' : 's'} ${missing.map((topic) => topic.topic).join(', ')}`);
  }
  return missing.map((topic) => topic.topic);
}

function isPortAdmin(admin: KafkaAdmin | Admin): admin is KafkaAdmin {
  return 'describeTopicConfigs' in admin;
}
