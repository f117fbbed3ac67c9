/**
 * Destination topics: created with the source topic's partition count, replication factor and the topic
 * configs that matter (cleanup.policy, retention, compaction settings, …), grown when the source gains
 * partitions, and kept in step when `topic.config.sync` is on. Like MirrorMaker 2, settings that belong to the
 * destination cluster (min.insync.replicas, throttles, unclean leader election) are not copied, and the
 * timestamp type is the replicator's `topic.timestamp.type`, so CreateTime keeps every source timestamp.
 */
import type { ResolvedReplicator } from '../config';
import { classifyKafkaError, findTopicCollisions, type KafkaAdmin } from '../kafka';
import { appendAll } from '../base/arrays';
import { replicatorError } from './errors';

/** DescribeConfigs' ConfigSource for a per-topic override (TOPIC_CONFIG = 1). */
const TOPIC_OVERRIDE = 1;

const NOT_COPIED = new Set([
  'min.insync.replicas',
  'follower.replication.throttled.replicas',
  'leader.replication.throttled.replicas',
  'unclean.leader.election.enable',
  'message.timestamp.type',
  'message.timestamp.difference.max.ms',
  'message.timestamp.before.max.ms',
  'message.timestamp.after.max.ms',
  'confluent.placement.constraints',
]);

export interface SourceTopic {
  name: string;
  partitions: number;
  replicationFactor: number;
  /** Per-topic overrides worth copying. */
  configs: Record<string, string>;
}

export interface TopicPair {
  source: SourceTopic;
  destination: string;
}

async function overrides(admin: KafkaAdmin, topics: readonly string[], brokers: readonly string[]): Promise<Map<string, Record<string, string>>> {
  const out = new Map<string, Record<string, string>>();
  if (topics.length === 0) return out;
  try {
    for (const resource of await admin.describeTopicConfigs([...topics])) {
      const configs: Record<string, string> = {};
      for (const entry of resource.configEntries) {
        if (entry.configSource === TOPIC_OVERRIDE && !entry.isSensitive && entry.configValue !== null) configs[entry.configName] = entry.configValue;
      }
      out.set(resource.topic, configs);
    }
  } catch (error) {
    throw classifyKafkaError(error, brokers, `describe the configs of ${topics.join(', ')}`);
  }
  return out;
}

/** Partition count, replication factor and copyable overrides of each source topic. */
export async function describeSourceTopics(admin: KafkaAdmin, topics: readonly string[], brokers: readonly string[]): Promise<SourceTopic[]> {
  if (topics.length === 0) return [];
  let metadata;
  try {
    metadata = await admin.fetchTopicMetadata({ topics: [...topics] });
  } catch (error) {
    throw classifyKafkaError(error, brokers, `read the metadata of ${topics.join(', ')}`);
  }
  const configs = await overrides(admin, topics, brokers);
  return metadata.map((topic) => {
    const copied: Record<string, string> = {};
    for (const [name, value] of Object.entries(configs.get(topic.name) ?? {})) if (!NOT_COPIED.has(name)) copied[name] = value;
    return { name: topic.name, partitions: topic.partitions.length, replicationFactor: topic.partitions[0]?.replicas.length ?? 1, configs: copied };
  });
}

function desiredConfigs(pair: TopicPair, config: ResolvedReplicator): Record<string, string> {
  return { ...pair.source.configs, 'message.timestamp.type': config.timestampType };
}

/**
 * Creates missing destination topics and adds partitions the destination lacks. A destination topic with fewer
 * partitions than the source and `topic.auto.create=false` fails: records of the missing partitions have nowhere
 * to go when partitions are preserved.
 */
export async function ensureDestinationTopics(admin: KafkaAdmin, pairs: readonly TopicPair[], config: ResolvedReplicator, destinationBrokers: number): Promise<string[]> {
  const brokers = config.destination.bootstrapServers;
  if (pairs.length === 0) return [];
  let existing: Set<string>;
  try {
    existing = new Set(await admin.listTopics());
  } catch (error) {
    throw classifyKafkaError(error, brokers, 'list the destination topics');
  }
  const missing = pairs.filter((pair) => !existing.has(pair.destination));
  if (missing.length > 0 && !config.autoCreate) {
    throw replicatorError('REPLICATOR_TOPIC_MISSING', `Destination topic${missing.length > 1 ? 's' : ''} ${missing.map((p) => `"${p.destination}"`).join(', ')} ${missing.length > 1 ? 'do' : 'does'} not exist on ${brokers.join(',')} and topic.auto.create=false. Create ${missing.length > 1 ? 'them' : 'it'} with ${missing[0]?.source.partitions ?? 1} partitions, or set "topic.auto.create": true.`);
  }
  const created: string[] = [];
  // kafkajs reports a name that differs from an existing topic only by "." versus "_" as a bare "invalid topic".
  const collisions = findTopicCollisions(
    missing.map((pair) => pair.destination),
    existing,
  );
  if (collisions.length > 0) {
    throw replicatorError(
      'REPLICATOR_TOPIC_SETUP',
      `Cannot create destination topic${collisions.length === 1 ? '' : 's'} on ${brokers.join(',')}: ${collisions.map((c) => `"${c.topic}" collides with existing topic: ${c.collidesWith}`).join('; ')} ` +
        '(Kafka treats "." and "_" in topic names as the same character). Change topic.rename.format so the names differ by more than "." versus "_".',
    );
  }
  if (missing.length > 0) {
    const requested = (pair: TopicPair): number => Math.max(1, Math.min(config.destReplicationFactor > 0 ? config.destReplicationFactor : pair.source.replicationFactor, config.destReplicationFactor > 0 ? Number.MAX_SAFE_INTEGER : destinationBrokers));
    try {
      await admin.createTopics({
        waitForLeaders: true,
        topics: missing.map((pair) => ({
          topic: pair.destination,
          numPartitions: pair.source.partitions,
          replicationFactor: requested(pair),
          configs: desiredConfigs(pair, config),
        })),
      });
      appendAll(created, missing.map((pair) => pair.destination));
    } catch (error) {
      const text = String((error as { message?: unknown }).message ?? '');
      if (!/already exists/i.test(text)) {
        throw replicatorError('REPLICATOR_TOPIC_SETUP', `Cannot create destination topic(s) ${missing.map((p) => p.destination).join(', ')} on ${brokers.join(',')}: ${classifyKafkaError(error, brokers, 'create topics').message}`, { retriable: true, cause: error });
      }
    }
  }
  await growPartitions(admin, pairs.filter((pair) => existing.has(pair.destination)), config);
  return created;
}

async function growPartitions(admin: KafkaAdmin, pairs: readonly TopicPair[], config: ResolvedReplicator): Promise<void> {
  if (pairs.length === 0) return;
  const brokers = config.destination.bootstrapServers;
  let metadata;
  try {
    metadata = await admin.fetchTopicMetadata({ topics: pairs.map((pair) => pair.destination) });
  } catch (error) {
    throw classifyKafkaError(error, brokers, 'read destination topic metadata');
  }
  const counts = new Map(metadata.map((topic) => [topic.name, topic.partitions.length]));
  const grow = pairs.filter((pair) => (counts.get(pair.destination) ?? 0) < pair.source.partitions);
  if (grow.length === 0) return;
  if (!config.configSync && !config.autoCreate && config.preservePartitions) {
    const pair = grow[0];
    throw replicatorError('REPLICATOR_PARTITIONS', `Destination topic "${pair?.destination}" has ${counts.get(pair?.destination ?? '')} partitions but the source has ${pair?.source.partitions}; records of the missing partitions cannot be placed. Add partitions on the destination or enable topic.config.sync.`);
  }
  try {
    await admin.createPartitions(grow.map((pair) => ({ topic: pair.destination, count: pair.source.partitions })));
  } catch (error) {
    throw replicatorError('REPLICATOR_PARTITIONS', `Cannot add partitions to ${grow.map((p) => p.destination).join(', ')}: ${classifyKafkaError(error, brokers, 'add partitions').message}`, { retriable: true, cause: error });
  }
}

/** Makes destination overrides equal to the source's (AlterConfigs replaces a topic's whole override set). Returns the topics changed. */
export async function syncTopicConfigs(destinationAdmin: KafkaAdmin, pairs: readonly TopicPair[], config: ResolvedReplicator): Promise<string[]> {
  const brokers = config.destination.bootstrapServers;
  const current = await overrides(destinationAdmin, pairs.map((pair) => pair.destination), brokers);
  const changed = pairs.filter((pair) => {
    const want = desiredConfigs(pair, config);
    const have = current.get(pair.destination) ?? {};
    const keys = new Set([...Object.keys(want), ...Object.keys(have)].filter((key) => !NOT_COPIED.has(key) || key === 'message.timestamp.type'));
    return [...keys].some((key) => want[key] !== have[key]);
  });
  if (changed.length === 0) return [];
  try {
    await destinationAdmin.alterTopicConfigs(
      changed.map((pair) => ({ topic: pair.destination, configs: { ...pickDestinationOnly(current.get(pair.destination) ?? {}), ...desiredConfigs(pair, config) } })),
    );
  } catch (error) {
    throw classifyKafkaError(error, brokers, `update the configs of ${changed.map((p) => p.destination).join(', ')}`);
  }
  return changed.map((pair) => pair.destination);
}

/** Overrides that belong to the destination cluster survive a sync (AlterConfigs would otherwise drop them). */
function pickDestinationOnly(configs: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(configs)) if (NOT_COPIED.has(name) && name !== 'message.timestamp.type') out[name] = value;
  return out;
}
