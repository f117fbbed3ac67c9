/**
 * Following records through a pipeline that spans clusters: a log source writes change events on one cluster,
 * replicators of the same file copy them (renaming topics with `topic.rename.format`) to others, and a sink reads
 * wherever its `consumer.override.bootstrap.servers` / `kafka.cluster` points. The pipeline rules ask here which
 * source feeds a sink and by which route, so "change events need unwrapping" and "deletes never arrive" hold through
 * replicators, and a sink that reads the right topic on the wrong cluster is named.
 */
import { sourceTopics } from './connectors/jdbcSource';
import { renameTopic } from './connectors/replicator';
import { safeFullMatch } from './connectors/jdbcSink';
import { defineRule, type JsonPath, type ProblemList } from './problems';
import { isLogSource, isPollingSource, type ResolvedConnector, type ResolvedKafka, type ResolvedLogSource, type ResolvedReplicator, type SinkTopics } from './types';

export const CHAIN_RULES = {
  sinkOnOtherCluster: defineRule(
    'pipeline.sink-reads-other-cluster',
    'warning',
    'A sink reads a topic that this pipeline writes only on another cluster: it waits for records that never come.',
  ),
};

/** What the chain checks need of a sink (JDBC and object-store sinks alike). */
export interface ChainSink {
  name: string;
  kafka: ResolvedKafka;
  topics: SinkTopics;
}

export function sameCluster(a: readonly string[], b: readonly string[]): boolean {
  return a.some((server) => b.includes(server));
}

function replicates(replicator: ResolvedReplicator, topic: string): boolean {
  if (replicator.topics.exclude.includes(topic)) return false;
  return replicator.topics.include.includes(topic) || (replicator.topics.regex !== undefined && safeFullMatch(replicator.topics.regex, topic));
}

/**
 * The topics of a log source on one cluster: `<pre><topic.prefix>.<db or schema>.<table><post>`. The table part is
 * unknown before the source runs, so a family stands for all of them.
 */
interface TopicFamily {
  pre: string;
  post: string;
  servers: readonly string[];
  via: readonly string[];
}

/** A name standing for any table's topic of the family, for regex matches. */
function sampleTopic(prefix: string, family: Pick<TopicFamily, 'pre' | 'post'>): string {
  return `${family.pre}${prefix}.db.table${family.post}`;
}

function inFamily(topic: string, prefix: string, family: Pick<TopicFamily, 'pre' | 'post'>): boolean {
  const head = `${family.pre}${prefix}.`;
  return topic.length > head.length + family.post.length && topic.startsWith(head) && topic.endsWith(family.post);
}

/** The source's own topics and their copies by the file's replicators (followed through chains of them). */
function logTopicFamilies(source: ResolvedLogSource, replicators: readonly ResolvedReplicator[]): TopicFamily[] {
  const families: TopicFamily[] = [{ pre: '', post: '', servers: source.kafka.bootstrapServers, via: [] }];
  for (let i = 0; i < families.length && families.length < 100; i++) {
    const from = families[i] as TopicFamily;
    for (const replicator of replicators) {
      if (from.via.includes(replicator.name) || !sameCluster(replicator.source.bootstrapServers, from.servers)) continue;
      const copies =
        replicator.topics.include.some((topic) => inFamily(topic, source.topicPrefix, from) && !replicator.topics.exclude.includes(topic)) ||
        (replicator.topics.regex !== undefined && safeFullMatch(replicator.topics.regex, sampleTopic(source.topicPrefix, from)));
      if (!copies) continue;
      const [formatPre = '', formatPost = ''] = replicator.renameFormat.split('${topic}');
      families.push({ pre: `${formatPre}${from.pre}`, post: `${from.post}${formatPost}`, servers: replicator.destination.bootstrapServers, via: [...from.via, replicator.name] });
    }
  }
  return families;
}

/**
 * The replicators (in order) that bring the source's change events to `topic` on `servers`, walking back from the
 * topic: each step undoes one replicator's rename and checks that it copies the name it undid. Exact names matter
 * here (a replicator's `topic.regex` often names the database), which a forward walk over families cannot know.
 */
function routeBack(source: ResolvedLogSource, topic: string, servers: readonly string[], replicators: readonly ResolvedReplicator[], after: readonly string[]): string[] | undefined {
  if (sameCluster(servers, source.kafka.bootstrapServers) && inFamily(topic, source.topicPrefix, { pre: '', post: '' })) return [...after];
  if (after.length >= 5) return undefined;
  for (const replicator of replicators) {
    if (after.includes(replicator.name) || !sameCluster(replicator.destination.bootstrapServers, servers)) continue;
    const [pre = '', post = ''] = replicator.renameFormat.split('${topic}');
    if (topic.length < pre.length + post.length || !topic.startsWith(pre) || !topic.endsWith(post)) continue;
    const original = topic.slice(pre.length, topic.length - post.length);
    if (!replicates(replicator, original)) continue;
    const route = routeBack(source, original, replicator.source.bootstrapServers, replicators, [replicator.name, ...after]);
    if (route) return route;
  }
  return undefined;
}

export interface LogRoute {
  source: ResolvedLogSource;
  /** Replicators the change events go through, in order (empty: the sink reads the source's own topics). */
  via: readonly string[];
}

/** The log source whose change events reach this sink, directly or through replicators, and the route they take. */
export function findLogRoute(sink: ChainSink, logSources: readonly ResolvedLogSource[], replicators: readonly ResolvedReplicator[]): LogRoute | undefined {
  for (const source of logSources) {
    if (sink.topics.kind === 'list') {
      for (const topic of sink.topics.topics) {
        const via = routeBack(source, topic, sink.kafka.bootstrapServers, replicators, []);
        if (via) return { source, via };
      }
      continue;
    }
    // A regex sink: any table's topic of a family that reaches the sink's cluster.
    const regex = sink.topics.regex;
    const family = logTopicFamilies(source, replicators).find((candidate) => sameCluster(candidate.servers, sink.kafka.bootstrapServers) && safeFullMatch(regex, sampleTopic(source.topicPrefix, candidate)));
    if (family) return { source, via: family.via };
  }
  return undefined;
}

/** " (through replicator "a" then "b")", or nothing for a direct route. */
export function describeVia(via: readonly string[]): string {
  return via.length === 0 ? '' : ` (through replicator ${via.map((name) => `"${name}"`).join(' then ')})`;
}

interface WrittenTopic {
  servers: readonly string[];
  by: string;
}

/** Topics this file writes by exact name (polling sources with listed tables, and their replicated copies). */
function writtenTopics(connectors: readonly (ResolvedConnector | ResolvedReplicator)[]): Map<string, WrittenTopic[]> {
  const written = new Map<string, WrittenTopic[]>();
  const add = (topic: string, entry: WrittenTopic): void => void written.set(topic, [...(written.get(topic) ?? []), entry]);
  const replicators = connectors.filter((c): c is ResolvedReplicator => c.role === 'replicator');
  const queue: { topic: string; servers: readonly string[]; via: readonly string[]; by: string }[] = [];
  for (const connector of connectors) {
    if (isPollingSource(connector)) for (const topic of sourceTopics(connector).topics) queue.push({ topic, servers: connector.kafka.bootstrapServers, via: [], by: `source "${connector.name}"` });
  }
  for (let i = 0; i < queue.length && queue.length < 500; i++) {
    const item = queue[i] as (typeof queue)[number];
    add(item.topic, { servers: item.servers, by: item.by });
    for (const replicator of replicators) {
      if (item.via.includes(replicator.name) || !sameCluster(replicator.source.bootstrapServers, item.servers) || !replicates(replicator, item.topic)) continue;
      queue.push({ topic: renameTopic(replicator.renameFormat, item.topic), servers: replicator.destination.bootstrapServers, via: [...item.via, replicator.name], by: `replicator "${replicator.name}"` });
    }
  }
  return written;
}

/**
 * A sink reading a topic the file writes, but on another cluster only (a forgotten `consumer.override.bootstrap.servers`,
 * or one pointing at the source's cluster while the replicator copies elsewhere), is warned about. Topics the file
 * does not write (read from elsewhere) are not judged.
 */
export function checkSinkClusters(
  connectors: readonly { connector: ResolvedConnector | ResolvedReplicator; pathOf(key: string): JsonPath }[],
  problems: ProblemList,
): void {
  const all = connectors.map((p) => p.connector);
  const written = writtenTopics(all);
  const logSources = all.filter(isLogSource);
  const replicators = all.filter((c): c is ResolvedReplicator => c.role === 'replicator');
  for (const placed of connectors) {
    const sink = placed.connector;
    if (sink.role !== 'sink' || sink.topics.kind !== 'list') continue;
    const here = sink.kafka.bootstrapServers;
    for (const topic of sink.topics.topics) {
      const writers = written.get(topic) ?? [];
      if (writers.length > 0 && !writers.some((w) => sameCluster(w.servers, here))) {
        const there = writers[0] as WrittenTopic;
        problems.report(
          CHAIN_RULES.sinkOnOtherCluster,
          placed.pathOf('topics'),
          `Sink "${sink.name}" reads topic "${topic}" on ${here.join(',')}, but ${there.by} writes it on ${there.servers.join(',')}`,
          `Point the sink at that cluster: "consumer.override.bootstrap.servers": "${there.servers.join(',')}" (or "kafka.cluster" naming it).`,
        );
      }
    }
    // Log sources: the sink names one of their topics, but no route reaches its cluster.
    if (findLogRoute(sink, logSources, replicators) !== undefined) continue;
    const clusters = [...logSources.map((source) => source.kafka.bootstrapServers), ...replicators.map((replicator) => replicator.destination.bootstrapServers)];
    const elsewhere = logSources.flatMap((source) =>
      clusters.flatMap((servers) => {
        if (sameCluster(servers, here)) return [];
        const via = sink.topics.kind === 'list' ? sink.topics.topics.map((topic) => routeBack(source, topic, servers, replicators, [])).find((route) => route !== undefined) : undefined;
        return via ? [{ source, servers, via }] : [];
      }),
    )[0];
    if (elsewhere) {
      problems.report(
        CHAIN_RULES.sinkOnOtherCluster,
        placed.pathOf('topics'),
        `Sink "${sink.name}" reads change events of "${elsewhere.source.name}" on ${here.join(',')}, but they are written on ${elsewhere.servers.join(',')}${describeVia(elsewhere.via)}`,
        `Point the sink at that cluster: "consumer.override.bootstrap.servers": "${elsewhere.servers.join(',')}" (or "kafka.cluster" naming it).`,
      );
    }
  }
}
