/**
 * The lineage of a Kafka Connect cluster's connectors, drawn like Ferry's own pipelines: which topics each source
 * writes (Connect's topic tracking) and each sink reads (its `topics` / `topics.regex`), with the counts Kafka keeps
 * for them — a topic's end offsets as the records written, a sink's consumer group's committed offsets as the records
 * applied, and its lag. The workers' Kafka cluster is found by its id among the clusters Ferry knows.
 */
import type { ConnectLineage, ConnectLineageConnector, ConnectLineageTopic } from '../../shared/api/connect';
import { createKafkaClient, type KafkaAdmin, type KafkaClientSettings } from '../kafka';
import type { ConnectRestClient } from './connectRest';

/** A Kafka cluster Ferry can reach (the lab's, a Kafka profile), to be matched with the workers' cluster id. */
export interface KafkaCandidate {
  /** How the app names it: "lab kafka-a", a profile's name. */
  label: string;
  settings: KafkaClientSettings;
}

/** The consumer group of a sink connector: Connect's `connect-<name>` unless the config overrides it. */
export function sinkGroupOf(name: string, config: Readonly<Record<string, string>>): string {
  return config['consumer.override.group.id'] ?? `connect-${name}`;
}

/** The topics a sink reads: its `topics` list, or every topic of the cluster `topics.regex` matches. */
export function sinkTopicsOf(config: Readonly<Record<string, string>>, allTopics: readonly string[]): string[] {
  const listed = (config.topics ?? '')
    .split(',')
    .map((topic) => topic.trim())
    .filter(Boolean);
  if (listed.length > 0) return listed;
  const regex = config['topics.regex'];
  if (!regex) return [];
  try {
    const pattern = new RegExp(`^(?:${regex})$`);
    return allTopics.filter((topic) => pattern.test(topic)).sort();
  } catch {
    return [];
  }
}

/** The table a source topic carries: Debezium's prefix.database.table (the prefix's own topic holds schema changes), or the JDBC source's prefix+table. */
export function sourceTableOf(topic: string, config: Readonly<Record<string, string>>): string {
  const prefix = config['topic.prefix'] ?? config['database.server.name'];
  const debezium = (config['connector.class'] ?? '').startsWith('io.debezium.');
  if (prefix && debezium) {
    if (topic === prefix) return 'schema changes';
    if (topic.startsWith(`${prefix}.`)) return topic.slice(prefix.length + 1);
  }
  if (prefix && topic.startsWith(prefix) && topic.length > prefix.length) return topic.slice(prefix.length);
  return topic;
}

/** The target table of a sink for a topic: table.name.format with ${topic} (Debezium's JDBC sink also takes dots as _). */
export function targetTableOf(topic: string, config: Readonly<Record<string, string>>): string {
  const format = config['table.name.format'] ?? config['collection.name.format'] ?? '${topic}';
  return format.replace(/\$\{topic\}/g, topic);
}

const toNumber = (text: string): number => {
  const value = Number(text);
  return Number.isFinite(value) ? value : 0;
};

async function topicCounts(admin: KafkaAdmin, topic: string, group: string | undefined, existing: ReadonlySet<string>): Promise<Pick<ConnectLineageTopic, 'records' | 'committed' | 'lag'>> {
  if (!existing.has(topic)) return { records: 0, ...(group ? { committed: 0, lag: 0 } : {}) };
  const offsets = await admin.fetchTopicOffsets(topic);
  const records = offsets.reduce((sum, partition) => sum + toNumber(partition.high), 0);
  if (!group) return { records };
  const committed = new Map<number, number>();
  for (const entry of await admin.fetchOffsets({ groupId: group, topics: [topic] })) {
    for (const partition of entry.partitions) committed.set(partition.partition, toNumber(partition.offset));
  }
  let done = 0;
  let lag = 0;
  for (const partition of offsets) {
    const at = committed.get(partition.partition) ?? -1;
    const high = toNumber(partition.high);
    if (at >= 0) {
      done += at;
      lag += Math.max(0, high - at);
    } else lag += Math.max(0, high - toNumber(partition.low));
  }
  return { records, committed: done, lag };
}

/** How long a Kafka cluster that did not answer is left out of the lineage's matching before it is tried again. */
const RETRY_UNREACHABLE_MS = 60_000;

export class ConnectLineageReader {
  /** bootstrap list → cluster id, so a known cluster is asked once. */
  private readonly clusterIds = new Map<string, string>();
  /** bootstrap list → when it last failed and why: an unreachable profile is not retried on every poll. */
  private readonly unreachable = new Map<string, { at: number; why: string }>();

  constructor(private readonly candidates: () => Promise<KafkaCandidate[]>) {}

  private async matchKafka(clusterId: string): Promise<{ candidate: KafkaCandidate; admin: KafkaAdmin } | { problem: string }> {
    const candidates = await this.candidates();
    const failures: string[] = [];
    for (const candidate of candidates) {
      const key = candidate.settings.bootstrapServers.join(',');
      const known = this.clusterIds.get(key);
      if (known !== undefined && known !== clusterId) continue;
      const failed = this.unreachable.get(key);
      if (failed && Date.now() - failed.at < RETRY_UNREACHABLE_MS) {
        failures.push(`${candidate.label}: ${failed.why}`);
        continue;
      }
      const admin = createKafkaClient({ ...candidate.settings, clientId: 'ferry-connect-lineage', connectionTimeoutMs: 3000, retries: 1 }).admin({ retry: { retries: 1, initialRetryTimeMs: 200 } });
      try {
        await admin.connect();
        const { clusterId: id } = await admin.describeCluster();
        this.clusterIds.set(key, id);
        if (id === clusterId) return { candidate, admin };
      } catch (error) {
        const why = error instanceof Error ? error.message : String(error);
        this.unreachable.set(key, { at: Date.now(), why });
        failures.push(`${candidate.label}: ${why}`);
      }
      await admin.disconnect().catch(() => undefined);
    }
    const tried = candidates.map((candidate) => candidate.label).join(', ');
    return {
      problem: `The Connect workers use Kafka cluster ${clusterId}, which is none of the clusters Ferry knows (${tried || 'no Kafka profile and no running lab'})${failures.length > 0 ? `; not reachable: ${failures.join('; ')}` : ''}. Add a Kafka profile for it in Connections to see its topics' counts.`,
    };
  }

  async read(client: ConnectRestClient): Promise<ConnectLineage> {
    const info = await client.serverInfo();
    const entries = await client.statusesWithConfig();
    const matched = await this.matchKafka(info.kafka_cluster_id);
    const admin = 'admin' in matched ? matched.admin : undefined;
    try {
      const allTopics = admin ? await admin.listTopics() : [];
      const existing = new Set(allTopics);
      const connectors: ConnectLineageConnector[] = [];
      for (const entry of entries.sort((a, b) => a.status.name.localeCompare(b.status.name))) {
        const { name } = entry.status;
        const type = entry.type ?? 'unknown';
        const group = type === 'sink' ? sinkGroupOf(name, entry.config) : undefined;
        const active = await client.activeTopics(name);
        const names = type === 'sink' ? [...new Set([...sinkTopicsOf(entry.config, allTopics), ...active])] : active.sort();
        const topics: ConnectLineageTopic[] = [];
        for (const topic of names) {
          const counts = admin ? await topicCounts(admin, topic, group, existing) : { records: 0 };
          topics.push({
            topic,
            ...counts,
            ...(type === 'source' ? { table: sourceTableOf(topic, entry.config) } : {}),
            ...(type === 'sink' ? { targetTable: targetTableOf(topic, entry.config) } : {}),
          });
        }
        connectors.push({
          name,
          type,
          ...(entry.config['connector.class'] ? { connectorClass: entry.config['connector.class'] } : {}),
          state: entry.status.connector.state,
          ...(group ? { group } : {}),
          topics,
        });
      }
      return {
        connect: client.url,
        kafkaClusterId: info.kafka_cluster_id,
        ...('candidate' in matched ? { kafka: matched.candidate.label } : { problem: matched.problem }),
        connectors,
      };
    } finally {
      await admin?.disconnect().catch(() => undefined);
    }
  }
}
