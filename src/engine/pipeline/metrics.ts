import type { ConnectorMetricsDto } from './status';

/** Per-connector counters and a latency reservoir; cheap enough to update per record. */
export class ConnectorMetrics {
  rowsRead = 0;
  rowsProduced = 0;
  rowsApplied = 0;
  errors = 0;
  /** Sink: records the dead letter topic acknowledged (counted after Kafka's ack, never before). */
  deadLettered = 0;
  /** Sink: records that failed with errors.tolerance=all and no dead letter topic, so they exist nowhere now. */
  dropped = 0;
  /** Sink: records in Kafka not yet applied (end offsets − committed offsets), refreshed periodically. */
  lag = 0;
  private readonly latencies: number[] = [];
  private latencyCount = 0;
  private readonly rateWindow: { at: number; count: number }[] = [];
  /** Latencies since the last `takeIntervalLatency`, for the latency-over-time chart (bounded like the reservoir). */
  private readonly interval: number[] = [];

  /** A source's figures as the status reports them (a source applies nothing and has no lag of its own). */
  sourceStatus(now: number): ConnectorMetricsDto {
    return {
      rowsRead: this.rowsRead,
      rowsProduced: this.rowsProduced,
      rowsApplied: 0,
      errors: this.errors,
      deadLettered: 0,
      lag: 0,
      rowsPerSecond: this.rate(now, this.rowsProduced),
    };
  }

  /** Reservoir sampling keeps a fair sample of every latency seen without growing. */
  recordLatency(ms: number): void {
    if (this.interval.length < 4096) this.interval.push(ms);
    this.latencyCount++;
    if (this.latencies.length < 4096) this.latencies.push(ms);
    else {
      const slot = Math.floor(Math.random() * this.latencyCount);
      if (slot < this.latencies.length) this.latencies[slot] = ms;
    }
  }

  latencyPercentile(p: number): number | undefined {
    if (this.latencies.length === 0) return undefined;
    const sorted = [...this.latencies].sort((a, b) => a - b);
    return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
  }

  /** p50/p99 of the latencies recorded since the previous call (undefined when none), and starts a new interval. */
  takeIntervalLatency(): { p50: number; p99: number } | undefined {
    if (this.interval.length === 0) return undefined;
    const sorted = this.interval.splice(0).sort((a, b) => a - b);
    const at = (p: number): number => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
    return { p50: at(50), p99: at(99) };
  }

  resetLatencies(): void {
    this.latencies.length = 0;
    this.latencyCount = 0;
  }

  /** Rows per second over the last ~5 s, from the main counter of the connector's role. */
  rate(now: number, total: number): number {
    this.rateWindow.push({ at: now, count: total });
    while (this.rateWindow.length > 2 && (this.rateWindow[0]?.at ?? now) < now - 5000) this.rateWindow.shift();
    const first = this.rateWindow[0];
    if (!first || now - first.at < 200) return 0;
    return ((total - first.count) * 1000) / (now - first.at);
  }
}
