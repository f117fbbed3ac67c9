/**
 * Checks that need more than one connector: names, and how sources feed sinks through topics. The JDBC
 * source writes null keys and never writes deletes (reference §1.5), which is exactly what an upsert sink
 * with `pk.mode=record_key` or `delete.enabled=true` needs, so the pair is checked together.
 */
import { sourceTopics } from './connectors/jdbcSource';
import { renameTopic } from './connectors/replicator';
import { safeFullMatch } from './connectors/jdbcSink';
import { checkSinkClusters, describeVia, findLogRoute } from './pipelineChains';
import { defineRule, type JsonPath, type ProblemList } from './problems';
import { isJdbcSink, isLogSource, isObjectStoreSink, isPollingSource, type ResolvedConnector, type ResolvedJdbcSink, type ResolvedJdbcSource, type ResolvedLogSource, type ResolvedObjectStoreSink, type ResolvedReplicator } from './types';

export const PIPELINE_RULES = {
  duplicateName: defineRule('pipeline.duplicate-name', 'error', 'Connector names are unique within a pipeline.'),
  nullKeyRecordKey: defineRule('pipeline.null-key-record-key', 'error', 'A sink with `pk.mode=record_key` fed by a JDBC source needs the source to set a key (ValueToKey + ExtractField$Key).'),
  deletesNeverArrive: defineRule('pipeline.deletes-never-arrive', 'warning', 'JDBC sources never write deletes, so `delete.enabled` on a sink they feed does nothing.'),
  topicCollision: defineRule('pipeline.topic-collision', 'warning', 'Two sources write to the same topic.'),
  topicNameCollision: defineRule('pipeline.topic-name-collision', 'warning', 'Two topic names that differ only by "." versus "_" cannot both exist in one Kafka cluster.'),
  changeEventsNeedUnwrap: defineRule('pipeline.change-events-need-unwrap', 'error', 'A JDBC sink cannot write Debezium change events as they are: it needs `io.debezium.transforms.ExtractNewRecordState`.'),
  changeEventsNeedUnwrapObjects: defineRule('pipeline.change-events-need-unwrap-objects', 'error', 'An object-store sink writes row values: Debezium change events need `io.debezium.transforms.ExtractNewRecordState` first.'),
  objectTombstonesStop: defineRule('pipeline.object-tombstones-stop', 'error', 'Deletes that reach an object-store sink as tombstones stop it unless `behavior.on.null.values=ignore`.'),
  logDeletesDropped: defineRule('pipeline.log-deletes-dropped', 'warning', 'With ExtractNewRecordState\'s defaults (`drop.tombstones=true`, deletes dropped), deletes captured from the log never reach the target.'),
};

/** Kafka's rule (as kafka/topics.ts applies it at creation): "." and "_" are the same character in topic names. */
function collisionKey(topic: string): string {
  return topic.replace(/\./g, '_');
}

interface NamedTopic {
  topic: string;
  /** "source \"a\"", "sink \"b\" (topics)", … */
  owner: string;
  path: JsonPath;
}

/** Topics the pipeline will create or read, by name; regex subscriptions and unknown table lists are left out. */
function knownTopics(placed: readonly PlacedConnector[]): NamedTopic[] {
  const out: NamedTopic[] = [];
  for (const p of placed) {
    const c = p.connector;
    if (isPollingSource(c)) for (const topic of sourceTopics(c).topics) out.push({ topic, owner: `source "${c.name}"`, path: p.pathOf('topic.prefix') });
    if (c.role === 'sink') {
      if (c.topics.kind === 'list') for (const topic of c.topics.topics) out.push({ topic, owner: `sink "${c.name}"`, path: p.pathOf('topics') });
      const dlq = c.errors.deadLetterQueue;
      if (dlq) out.push({ topic: dlq.topic, owner: `the dead letter topic of sink "${c.name}"`, path: p.pathOf('errors.deadletterqueue.topic.name') });
    }
  }
  return out;
}

/**
 * Two names that differ only by "." versus "_" (`src.orderdetails`, `src_orderdetails`): the second cannot be created
 * once the first exists, typically because two sources' prefixes (`src.` and `src_`) spell the same thing, or a
 * sink names the topic with the other character.
 */
function checkTopicNameCollisions(placed: readonly PlacedConnector[], problems: ProblemList): void {
  const seen = new Map<string, NamedTopic>();
  const reported = new Set<string>();
  for (const named of knownTopics(placed)) {
    const key = collisionKey(named.topic);
    const first = seen.get(key);
    if (!first) {
      seen.set(key, named);
      continue;
    }
    if (first.topic === named.topic) continue;
    const pair = [first.topic, named.topic].sort().join('\u0000');
    if (reported.has(pair)) continue;
    reported.add(pair);
    problems.report(
      PIPELINE_RULES.topicNameCollision,
      named.path,
      `Topic "${named.topic}" (${named.owner}) and topic "${first.topic}" (${first.owner}) differ only by "." versus "_": Kafka refuses to create one beside the other ("collides with existing topic")`,
      'Use one spelling: make the topic.prefix values and the sinks\' topics agree on "." or "_".',
    );
  }
}

const VALUE_TO_KEY = 'org.apache.kafka.connect.transforms.ValueToKey';

export interface PlacedConnector {
  connector: ResolvedConnector | ResolvedReplicator;
  /** Path of the connector object, for problems about it as a whole. */
  path: JsonPath;
  pathOf(key: string): JsonPath;
}

interface ReachedTopic {
  topic: string;
  /** The cluster it is on (bootstrap servers), to follow it through a replicator reading that cluster. */
  servers: readonly string[];
  /** Replicators it went through, in order. */
  via: readonly string[];
}

function sameCluster(a: readonly string[], b: readonly string[]): boolean {
  return a.some((server) => b.includes(server));
}

function replicates(replicator: ResolvedReplicator, topic: string): boolean {
  if (replicator.topics.exclude.includes(topic)) return false;
  return replicator.topics.include.includes(topic) || (replicator.topics.regex !== undefined && safeFullMatch(replicator.topics.regex, topic));
}

/**
 * The topics a source's records end up in: its own, and their copies made by replicators of the same file (followed
 * through chains of replicators), so a sink behind a replicator is checked like one reading the source directly.
 */
function reachedTopics(source: ResolvedJdbcSource, replicators: readonly ResolvedReplicator[]): ReachedTopic[] {
  const reached: ReachedTopic[] = sourceTopics(source).topics.map((topic) => ({ topic, servers: source.kafka.bootstrapServers, via: [] }));
  for (let i = 0; i < reached.length && reached.length < 200; i++) {
    const from = reached[i] as ReachedTopic;
    for (const replicator of replicators) {
      if (from.via.includes(replicator.name) || !sameCluster(replicator.source.bootstrapServers, from.servers) || !replicates(replicator, from.topic)) continue;
      reached.push({ topic: renameTopic(replicator.renameFormat, from.topic), servers: replicator.destination.bootstrapServers, via: [...from.via, replicator.name] });
    }
  }
  return reached;
}

function feeds(reached: readonly ReachedTopic[], sink: ResolvedJdbcSink): ReachedTopic | undefined {
  for (const candidate of reached) {
    // A topic feeds only a sink reading its cluster (a sink may read another cluster than the pipeline's).
    if (!sameCluster(candidate.servers, sink.kafka.bootstrapServers)) continue;
    if (sink.topics.kind === 'list' ? sink.topics.topics.includes(candidate.topic) : safeFullMatch(sink.topics.regex, candidate.topic)) return candidate;
  }
  return undefined;
}

function describeRoute(reached: ReachedTopic): string {
  return reached.via.length === 0 ? `topic "${reached.topic}"` : `topic "${reached.topic}" (copied by replicator ${reached.via.map((name) => `"${name}"`).join(' then ')})`;
}

export function checkPipeline(placed: readonly PlacedConnector[], problems: ProblemList): void {
  const byName = new Map<string, PlacedConnector>();
  for (const p of placed) {
    const first = byName.get(p.connector.name);
    if (first) {
      problems.report(PIPELINE_RULES.duplicateName, p.pathOf('name'), `Two connectors are named "${p.connector.name}" (also at ${first.connector.path})`, 'Give each connector its own name; checkpoints and consumer groups are keyed by it.');
    } else byName.set(p.connector.name, p);
  }

  const sources = placed.filter((p): p is PlacedConnector & { connector: ResolvedJdbcSource } => isPollingSource(p.connector));
  const sinks = placed.filter((p): p is PlacedConnector & { connector: ResolvedJdbcSink } => isJdbcSink(p.connector));

  const topicOwner = new Map<string, string>();
  for (const s of sources) {
    for (const topic of sourceTopics(s.connector).topics) {
      const other = topicOwner.get(topic);
      if (other !== undefined && other !== s.connector.name) {
        problems.report(PIPELINE_RULES.topicCollision, s.pathOf('topic.prefix'), `Sources "${other}" and "${s.connector.name}" both write to topic "${topic}"`, 'Give the sources different topic.prefix values.');
      }
      topicOwner.set(topic, s.connector.name);
    }
  }

  checkTopicNameCollisions(placed, problems);
  checkChangeEventSinks(placed, problems);
  checkSinkClusters(placed, problems);

  const replicators = placed.flatMap((p) => (p.connector.role === 'replicator' ? [p.connector] : []));
  const reachedBySource = new Map(sources.map((source) => [source, reachedTopics(source.connector, replicators)] as const));
  for (const sink of sinks) {
    for (const source of sources) {
      const reached = feeds(reachedBySource.get(source) ?? [], sink.connector);
      if (reached === undefined) continue;
      const topic = describeRoute(reached);
      // A change log (ferry.changelog.op.column) keys every record by the table's primary key and writes deletes.
      const changelog = source.connector.changelogOpColumn !== undefined;
      const setsKey = changelog || source.connector.transforms.some((t) => t.type === VALUE_TO_KEY && t.supported);
      if (sink.connector.pkMode === 'record_key' && !setsKey) {
        problems.report(
          PIPELINE_RULES.nullKeyRecordKey,
          sink.pathOf('pk.mode'),
          `Sink "${sink.connector.name}" takes its key columns from the record key, but source "${source.connector.name}" writes ${topic} with null keys (JDBC sources never set one)`,
          'Either add to the source: "transforms": "createKey,extractId", "transforms.createKey.type": "org.apache.kafka.connect.transforms.ValueToKey", "transforms.createKey.fields": "id", "transforms.extractId.type": "org.apache.kafka.connect.transforms.ExtractField$Key", "transforms.extractId.field": "id"; or use "pk.mode": "record_value" with "pk.fields": "id" on the sink.',
        );
      }
      if (sink.connector.deleteEnabled && !changelog) {
        problems.report(PIPELINE_RULES.deletesNeverArrive, sink.pathOf('delete.enabled'), `Source "${source.connector.name}" never writes deletes (polling cannot see removed rows), so \`delete.enabled\` has nothing to act on for ${topic}`, 'Use soft deletes (a deleted flag column) at the source if the target must learn about deletions.');
      }
    }
  }
}

/**
 * An object-store sink reading a log source's change events (followed through replicators, as for JDBC sinks): its
 * objects hold row values, so it needs ExtractNewRecordState, and the deletes must not reach it as tombstones unless
 * it skips them (`behavior.on.null.values=ignore`), or the first delete stops it.
 */
function checkChangeEventObjects(p: PlacedConnector, sink: ResolvedObjectStoreSink, logSources: readonly ResolvedLogSource[], replicators: readonly ResolvedReplicator[], problems: ProblemList): void {
  const route = findLogRoute(sink, logSources, replicators);
  if (!route) return;
  const via = describeVia(route.via);
  const unwrap = sink.transforms.find((transform) => transform.type === 'io.debezium.transforms.ExtractNewRecordState');
  if (!unwrap) {
    problems.report(
      PIPELINE_RULES.changeEventsNeedUnwrapObjects,
      p.pathOf('transforms'),
      `Sink "${sink.name}" reads Debezium change events from source "${route.source.name}"${via} (before, after, source, op), and its objects hold row values`,
      'Add "transforms": "unwrap", "transforms.unwrap.type": "io.debezium.transforms.ExtractNewRecordState", "transforms.unwrap.delete.handling.mode": "rewrite" (deletes become rows with __deleted=true).',
    );
    return;
  }
  // As transforms/extractNewRecordState.ts reads Debezium's keys: what reaches the sink as a null value.
  const tombstoneMode = unwrap.config['delete.tombstone.handling.mode'];
  const deleteMode = unwrap.config['delete.handling.mode'];
  const nullsArrive =
    tombstoneMode !== undefined ? !['drop', 'rewrite'].includes(tombstoneMode) : deleteMode === 'none' || (unwrap.config['drop.tombstones'] ?? 'true').toLowerCase() === 'false';
  if (nullsArrive && sink.layout.nullValues === 'fail') {
    problems.report(
      PIPELINE_RULES.objectTombstonesStop,
      p.pathOf('transforms'),
      `Sink "${sink.name}" gets the deletes of "${route.source.name}"${via} as tombstones (its ExtractNewRecordState keeps them), and a tombstone stops it (behavior.on.null.values=fail)`,
      'Set "behavior.on.null.values": "ignore", or let ExtractNewRecordState drop tombstones (and rewrite deletes as __deleted rows with "delete.handling.mode": "rewrite").',
    );
  }
}

/**
 * A sink reading a log source's topics (`<topic.prefix>.…`) gets Debezium change events: without
 * ExtractNewRecordState it cannot write them, and with its defaults the captured deletes are dropped.
 */
function checkChangeEventSinks(placed: readonly PlacedConnector[], problems: ProblemList): void {
  const logSources = placed.flatMap((p) => (isLogSource(p.connector) ? [p.connector] : []));
  if (logSources.length === 0) return;
  const replicators = placed.flatMap((p) => (p.connector.role === 'replicator' ? [p.connector] : []));
  for (const p of placed) {
    const sink = p.connector;
    if (isObjectStoreSink(sink)) {
      checkChangeEventObjects(p, sink, logSources, replicators, problems);
      continue;
    }
    if (!isJdbcSink(sink)) continue;
    // Followed through the file's replicators and across clusters (pipelineChains.ts).
    const route = findLogRoute(sink, logSources, replicators);
    if (!route) continue;
    const fed = route.source;
    const via = describeVia(route.via);
    const unwrap = sink.transforms.find((transform) => transform.type === 'io.debezium.transforms.ExtractNewRecordState');
    if (!unwrap) {
      problems.report(
        PIPELINE_RULES.changeEventsNeedUnwrap,
        p.pathOf('transforms'),
        `Sink "${sink.name}" reads Debezium change events from source "${fed.name}"${via} (before, after, source, op), which it cannot write as rows`,
        'Add "transforms": "unwrap", "transforms.unwrap.type": "io.debezium.transforms.ExtractNewRecordState", "transforms.unwrap.drop.tombstones": "false", and "delete.enabled": "true" with "pk.mode": "record_key" to apply deletes.',
      );
      continue;
    }
    const dropsTombstones = (unwrap.config['drop.tombstones'] ?? 'true').toLowerCase() !== 'false' && unwrap.config['delete.tombstone.handling.mode'] === undefined;
    if (sink.deleteEnabled && dropsTombstones && unwrap.config['delete.handling.mode'] !== 'none') {
      problems.report(
        PIPELINE_RULES.logDeletesDropped,
        p.pathOf('transforms'),
        `Sink "${sink.name}" has delete.enabled, but its ExtractNewRecordState drops the tombstones and delete events that carry the deletes from "${fed.name}"${via}`,
        'Set "transforms.<alias>.drop.tombstones": "false" (or "delete.tombstone.handling.mode": "tombstone").',
      );
    }
  }
}
