import type { ConnectLineage, PipelineStatus, ReplicatorStatus } from '../../../../shared/api';

/** `replica` appears only when a sink reads a topic a replicator copied: the hop between clusters gets its own column. */
export type LineageColumn = 'source' | 'topic' | 'replica' | 'target';

export interface LineageNode {
  id: string;
  column: LineageColumn;
  label: string;
  /** Connector (source/target) or cluster (topic) the node belongs to. */
  group: string;
  /** Source: rows in the table at start, for a progress hint. */
  totalRows?: number;
  /** A topic copied to another cluster by a replicator (drawn in the right-hand column, under the target tables). */
  replica?: boolean;
}

export interface LineageEdge {
  id: string;
  from: string;
  to: string;
  /** Rows that crossed this edge since the pipeline started. */
  count: number;
  /** The connector moving rows over this edge. */
  connector: string;
  /** Rows are crossing now (the connector's rate over the last seconds is above zero). */
  active: boolean;
}

export interface LineageModel {
  nodes: LineageNode[];
  edges: LineageEdge[];
  /** Column captions: the source database(s), the Kafka cluster, the copies' cluster(s), the target database(s). */
  captions: Record<LineageColumn, string>;
  /** A sink reads a replicator's copies: the graph draws four columns (source → topic → copy → target). */
  chained: boolean;
}

const topicId = (topic: string): string => `topic:${topic}`;

/**
 * Source tables → topics → target tables of one pipeline with the rows each hop carried, from the status the engine
 * reports (per-table counts of sources, per-topic counts of sinks, per-topic counts of replicators). Pure, so it is
 * cheap to recompute per update. Nodes come out in an order that keeps edges from crossing: topics follow their
 * source table, targets their topic. A pipeline that spans clusters (seed 001: capture on a → replicator to b → sink
 * reading b) gets every hop: the copy on b is a node of its own, fed by the topic on a with the records the
 * replicator copied, and feeding the target with the rows the sink applied.
 */
export function lineageOf(status: PipelineStatus, replicators: readonly ReplicatorStatus[] = []): LineageModel {
  const nodes: LineageNode[] = [];
  const edges: LineageEdge[] = [];
  const topicOrder: string[] = [];
  const seen = new Set<string>();
  const sources = status.connectors.filter((connector) => connector.role === 'source');
  const sinks = status.connectors.filter((connector) => connector.role === 'sink');
  const addTopic = (topic: string, cluster: string): void => {
    if (seen.has(topicId(topic))) return;
    seen.add(topicId(topic));
    topicOrder.push(topic);
    nodes.push({ id: topicId(topic), column: 'topic', label: topic, group: cluster });
  };
  for (const source of sources) {
    for (const table of source.tables ?? []) {
      const id = `source:${source.name}:${table.table}`;
      nodes.push({ id, column: 'source', label: table.table, group: source.name, ...(table.totalRows === undefined ? {} : { totalRows: table.totalRows }) });
      addTopic(table.topic, source.kafka ?? 'Kafka');
      edges.push({ id: `${id}->${table.topic}`, from: id, to: topicId(table.topic), count: table.rows, connector: source.name, active: source.metrics.rowsPerSecond > 0 });
    }
  }
  // Replicator hops of the sources' topics, known before the sinks so a sink reading a copy is drawn behind it.
  const replicas = new Map<string, { id: string; topic: string }>();
  const replicaKey = (cluster: string, topic: string): string => `${cluster}\u0000${topic}`;
  const sameCluster = (a: string | undefined, b: string): boolean => a !== undefined && a.split(',').some((server) => b.split(',').includes(server));
  const hops: string[] = [];
  const hopEdges: LineageEdge[] = [];
  const replicaNodes: LineageNode[] = [];
  const addHops = (fromTopic: string): void => {
    for (const replicator of replicators) {
      for (const copied of replicator.metrics.topics) {
        if (copied.source !== fromTopic) continue;
        const id = `replica:${replicator.destination}:${copied.destination}`;
        if (!seen.has(id)) {
          seen.add(id);
          replicaNodes.push({ id, column: 'target', label: copied.destination, group: replicator.destination, replica: true });
          replicas.set(replicaKey(replicator.destination, copied.destination), { id, topic: copied.destination });
        }
        if (!hops.includes(replicator.destination)) hops.push(replicator.destination);
        hopEdges.push({ id: `${copied.source}->${id}`, from: topicId(copied.source), to: id, count: copied.records, connector: replicator.name, active: copied.recordsPerSecond > 0 });
      }
    }
  };
  for (const topic of [...topicOrder]) addHops(topic);
  const replicaRead = (cluster: string | undefined, topic: string): { id: string } | undefined => {
    for (const [key, replica] of replicas) {
      const [replicaCluster = ''] = key.split('\u0000');
      if (replica.topic === topic && sameCluster(cluster, replicaCluster)) return replica;
    }
    return undefined;
  };
  const targets: LineageNode[] = [];
  let chained = false;
  for (const sink of sinks) {
    for (const table of sink.tables ?? []) {
      const copy = replicaRead(sink.kafka, table.topic);
      if (copy) chained = true;
      else addTopic(table.topic, sink.kafka ?? 'Kafka');
      const from = copy ? copy.id : topicId(table.topic);
      const id = `target:${sink.name}:${table.table}`;
      if (!seen.has(id)) {
        seen.add(id);
        targets.push({ id, column: 'target', label: table.table, group: sink.name });
      }
      edges.push({ id: `${from}->${id}`, from, to: id, count: table.rows, connector: sink.name, active: sink.metrics.rowsPerSecond > 0 });
    }
  }
  // Topics only sinks read may be copied too (a replicator of a topic written outside this pipeline).
  for (const topic of topicOrder) if (!hopEdges.some((edge) => edge.from === topicId(topic))) addHops(topic);
  const rank = (id: string): number => {
    const edge = [...edges, ...hopEdges].find((candidate) => candidate.to === id);
    if (!edge) return Number.MAX_SAFE_INTEGER;
    if (edge.from.startsWith('topic:')) return topicOrder.indexOf(edge.from.slice('topic:'.length));
    return rank(edge.from) + 0.5;
  };
  targets.sort((a, b) => rank(a.id) - rank(b.id));
  replicaNodes.sort((a, b) => rank(a.id) - rank(b.id));
  // With a chain the copies get their own column between topics and targets; otherwise they sit under the targets.
  for (const node of replicaNodes) if (chained) node.column = 'replica';
  nodes.push(...(chained ? [...replicaNodes, ...targets] : [...targets, ...replicaNodes]));
  edges.push(...hopEdges);
  const clusters = [...new Set([...sources, ...sinks.filter((sink) => !(sink.tables ?? []).some((table) => replicaRead(sink.kafka, table.topic)))].map((connector) => connector.kafka).filter((kafka): kafka is string => Boolean(kafka)))];
  return {
    nodes,
    edges,
    chained,
    captions: {
      source: sources.map((source) => source.name).join(', ') || 'Sources',
      topic: clusters.length > 0 ? `Kafka · ${clusters.join(', ')}` : 'Kafka',
      replica: hops.length > 0 ? `replicated to ${hops.join(', ')}` : '',
      target: [sinks.map((sink) => sink.name).join(', '), ...(chained ? [] : hops.map((cluster) => `replicated to ${cluster}`))].filter(Boolean).join(' · ') || 'Targets',
    },
  };
}

/**
 * A Kafka Connect cluster's connectors drawn like a Ferry pipeline: each source connector's tables → the topics it
 * writes (counted by the topics' end offsets: records written) → each sink connector's target tables (counted by its
 * consumer group's committed offsets: records applied). `previous` (the last model's counts) marks edges that moved.
 */
export function lineageOfConnect(lineage: ConnectLineage, previous?: ReadonlyMap<string, number>): LineageModel {
  const nodes: LineageNode[] = [];
  const edges: LineageEdge[] = [];
  const topicOrder: string[] = [];
  const seen = new Set<string>();
  const sources = lineage.connectors.filter((connector) => connector.type === 'source');
  const sinks = lineage.connectors.filter((connector) => connector.type === 'sink');
  const cluster = lineage.kafka ?? lineage.kafkaClusterId;
  const addTopic = (topic: string): void => {
    if (seen.has(topicId(topic))) return;
    seen.add(topicId(topic));
    topicOrder.push(topic);
    nodes.push({ id: topicId(topic), column: 'topic', label: topic, group: cluster });
  };
  const edge = (from: string, to: string, count: number, connector: string, running: boolean): LineageEdge => {
    const id = `${from}->${to}`;
    const before = previous?.get(id);
    return { id, from, to, count, connector, active: running && before !== undefined && count > before };
  };
  for (const source of sources) {
    for (const topic of source.topics) {
      const id = `source:${source.name}:${topic.table ?? topic.topic}`;
      if (!seen.has(id)) {
        seen.add(id);
        nodes.push({ id, column: 'source', label: topic.table ?? topic.topic, group: source.name });
      }
      addTopic(topic.topic);
      edges.push(edge(id, topicId(topic.topic), topic.records, source.name, source.state === 'RUNNING'));
    }
  }
  const targets: LineageNode[] = [];
  for (const sink of sinks) {
    for (const topic of sink.topics) {
      addTopic(topic.topic);
      const id = `target:${sink.name}:${topic.targetTable ?? topic.topic}`;
      if (!seen.has(id)) {
        seen.add(id);
        targets.push({ id, column: 'target', label: topic.targetTable ?? topic.topic, group: sink.name });
      }
      edges.push(edge(topicId(topic.topic), id, topic.committed ?? 0, sink.name, sink.state === 'RUNNING'));
    }
  }
  const rank = (id: string): number => {
    const into = edges.find((candidate) => candidate.to === id);
    return into ? topicOrder.indexOf(into.from.slice('topic:'.length)) : Number.MAX_SAFE_INTEGER;
  };
  targets.sort((a, b) => rank(a.id) - rank(b.id));
  nodes.push(...targets);
  return {
    nodes,
    edges,
    chained: false,
    captions: {
      source: sources.map((source) => source.name).join(', ') || 'No source connector',
      topic: `Kafka · ${cluster}`,
      replica: '',
      target: sinks.map((sink) => sink.name).join(', ') || 'No sink connector',
    },
  };
}
