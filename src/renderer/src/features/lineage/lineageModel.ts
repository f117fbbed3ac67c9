import type { PipelineStatus, ReplicatorStatus } from '../../../../shared/api';

export type LineageColumn = 'source' | 'topic' | 'target';

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
  /** Column captions: the source database(s), the Kafka cluster, the target database(s). */
  captions: Record<LineageColumn, string>;
}

const topicId = (topic: string): string => `topic:${topic}`;

/**
 * Source tables → topics → target tables of one pipeline with the rows each hop carried, from the status the engine
 * reports (per-table counts of sources, per-topic counts of sinks). Pure, so it is cheap to recompute per update.
 * Nodes come out in an order that keeps edges from crossing: topics follow their source table, targets their topic.
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
  const targets: LineageNode[] = [];
  for (const sink of sinks) {
    for (const table of sink.tables ?? []) {
      addTopic(table.topic, sink.kafka ?? 'Kafka');
      const id = `target:${sink.name}:${table.table}`;
      if (!seen.has(id)) {
        seen.add(id);
        targets.push({ id, column: 'target', label: table.table, group: sink.name });
      }
      edges.push({ id: `${table.topic}->${id}`, from: topicId(table.topic), to: id, count: table.rows, connector: sink.name, active: sink.metrics.rowsPerSecond > 0 });
    }
  }
  const topicRank = (id: string): number => {
    const edge = edges.find((candidate) => candidate.to === id && candidate.from.startsWith('topic:'));
    return edge ? topicOrder.indexOf(edge.from.slice('topic:'.length)) : Number.MAX_SAFE_INTEGER;
  };
  targets.sort((a, b) => topicRank(a.id) - topicRank(b.id));
  nodes.push(...targets);
  // Replicator hops: a topic of this pipeline copied to another cluster, with the records copied.
  const hops: string[] = [];
  for (const replicator of replicators) {
    for (const copied of replicator.metrics.topics) {
      if (!seen.has(topicId(copied.source))) continue;
      const id = `replica:${replicator.destination}:${copied.destination}`;
      if (!seen.has(id)) {
        seen.add(id);
        nodes.push({ id, column: 'target', label: copied.destination, group: replicator.destination, replica: true });
      }
      if (!hops.includes(replicator.destination)) hops.push(replicator.destination);
      edges.push({ id: `${copied.source}->${id}`, from: topicId(copied.source), to: id, count: copied.records, connector: replicator.name, active: copied.recordsPerSecond > 0 });
    }
  }
  const clusters = [...new Set([...sources, ...sinks].map((connector) => connector.kafka).filter((kafka): kafka is string => Boolean(kafka)))];
  return {
    nodes,
    edges,
    captions: {
      source: sources.map((source) => source.name).join(', ') || 'Sources',
      topic: clusters.length > 0 ? `Kafka · ${clusters.join(', ')}` : 'Kafka',
      target: [sinks.map((sink) => sink.name).join(', '), ...hops.map((cluster) => `replicated to ${cluster}`)].filter(Boolean).join(' · ') || 'Targets',
    },
  };
}
