/** Per-connector counters and a latency reservoir; cheap enough to update per record. */
export class ConnectorMetrics {
  rowsRead = 0;
  rowsProduced = 0;
  rowsApplied = 0;
  errors = 0;
  deadLettered = 0;
  /** Sink: records in Kafka not yet applied (end offsets − committed offsets), refreshed periodically. */
  lag = 0;
  private readonly latencies: number[] = [];
  private latencyCount = 0;
  private readonly rateWindow: { at: number; count: number }[] = [];

  /** Reservoir sampling keeps a fair sample of every latency seen without growing. */
  recordLatency(ms: number): void {
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
