import type { BrowsedRecord, ConnectorStatus, MetricsPoint, PipelineStatus } from '../../../../shared/api';

/** The four numbers a presenter talks to, from one pipeline's status and its sinks' latest metrics samples. */
export interface PresenterFigures {
  captured: number;
  applied: number;
  /** Records in Kafka not yet applied, summed over sinks. */
  lag: number;
  /** True when any sink's lag is an old measurement (Kafka not answering). */
  lagStale: boolean;
  /** End-to-end latency of the latest records applied (source change → target commit), when a sink measured one. */
  latencyP50Ms?: number;
  latencyP99Ms?: number;
  appliedPerSecond: number;
}

const sum = (connectors: readonly ConnectorStatus[], pick: (connector: ConnectorStatus) => number): number => connectors.reduce((total, connector) => total + pick(connector), 0);

/**
 * `recent`: per sink, its newest metrics sample with a latency (latency now, not since start: rows seeded before the
 * start are minutes old). Falls back to the status' own latency when no sample has one yet.
 */
export function presenterFigures(status: PipelineStatus, recent: ReadonlyMap<string, MetricsPoint | undefined>): PresenterFigures {
  const sources = status.connectors.filter((connector) => connector.role === 'source');
  const sinks = status.connectors.filter((connector) => connector.role === 'sink');
  const latencies = sinks
    .map((sink) => {
      const point = recent.get(sink.name);
      return point?.latencyP50Ms !== undefined ? { p50: point.latencyP50Ms, p99: point.latencyP99Ms } : sink.metrics.latencyP50Ms !== undefined ? { p50: sink.metrics.latencyP50Ms, p99: sink.metrics.latencyP99Ms } : undefined;
    })
    .filter((entry): entry is { p50: number; p99: number | undefined } => entry !== undefined);
  // The slowest sink is the pipeline's latency: a row is not "there" until every target has it.
  const worst = latencies.sort((a, b) => b.p50 - a.p50)[0];
  return {
    captured: sum(sources, (connector) => connector.metrics.rowsProduced),
    applied: sum(sinks, (connector) => connector.metrics.rowsApplied),
    lag: sum(sinks, (connector) => connector.metrics.lag),
    lagStale: sinks.some((sink) => sink.metrics.lagStale === true),
    ...(worst ? { latencyP50Ms: worst.p50, ...(worst.p99 !== undefined ? { latencyP99Ms: worst.p99 } : {}) } : {}),
    appliedPerSecond: sum(sinks, (connector) => connector.metrics.rowsPerSecond),
  };
}

export interface EdgeSample {
  at: number;
  counts: ReadonlyMap<string, number>;
}

/**
 * Rows per second per lineage edge over the samples kept (oldest to newest): the count difference over the time
 * between the oldest and the newest sample that has the edge. A count that went down (a restart) gives no rate.
 */
export function edgeRates(samples: readonly EdgeSample[]): Map<string, number> {
  const rates = new Map<string, number>();
  const newest = samples.at(-1);
  if (!newest) return rates;
  for (const [edge, count] of newest.counts) {
    const oldest = samples.find((sample) => sample.counts.has(edge) && sample !== newest);
    if (!oldest) continue;
    const seconds = (newest.at - oldest.at) / 1000;
    const delta = count - (oldest.counts.get(edge) as number);
    if (seconds > 0 && delta >= 0) rates.set(edge, delta / seconds);
  }
  return rates;
}

/** Keeps the samples of the last `windowMs` (and at least the newest two). */
export function trimSamples(samples: readonly EdgeSample[], windowMs: number): EdgeSample[] {
  const newest = samples.at(-1);
  if (!newest) return [];
  const kept = samples.filter((sample) => newest.at - sample.at <= windowMs);
  return kept.length >= 2 ? kept : samples.slice(-2);
}

export interface TickerItem {
  id: string;
  topic: string;
  at: number;
  key: string;
  /** The value in one line, cut for the screen; "deleted" for a tombstone. */
  summary: string;
}

const MAX_SUMMARY = 140;

/** One line per record for the ticker: the row's fields as `name=value`, or the text when it is not a JSON object. */
export function tickerItem(topic: string, record: BrowsedRecord): TickerItem {
  let summary: string;
  if (record.value.format === 'null') summary = 'deleted (tombstone)';
  else if (record.value.format === 'hex' && record.value.schemaId !== undefined) {
    // Avro the cluster's default registry cannot decode (another registry wrote it): say why rather than scroll bytes.
    summary = `Avro record, schema id ${record.value.schemaId}, not decoded: ${record.value.reason ?? 'unknown schema'}`;
  } else {
    try {
      const parsed = JSON.parse(record.value.text) as unknown;
      summary =
        typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)
          ? Object.entries(parsed as Record<string, unknown>)
              .map(([name, value]) => `${name}=${typeof value === 'object' && value !== null ? JSON.stringify(value) : String(value)}`)
              .join('  ')
          : record.value.text;
    } catch {
      summary = record.value.text;
    }
  }
  if (summary.length > MAX_SUMMARY) summary = `${summary.slice(0, MAX_SUMMARY - 1)}…`;
  return { id: `${topic}/${record.partition}/${record.offset}`, topic, at: record.timestamp, key: record.key.format === 'null' ? '' : record.key.text, summary };
}
