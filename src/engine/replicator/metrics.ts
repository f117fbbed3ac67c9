/** Counters per copied topic and a latency reservoir; cheap enough to update per batch. */
interface TopicCounters {
  destination: string;
  records: number;
  bytes: number;
  window: { at: number; records: number; bytes: number }[];
}

const WINDOW_MS = 5000;

export class ReplicatorMeters {
  recordsSkipped = 0;
  private readonly topics = new Map<string, TopicCounters>();
  private readonly latencies: number[] = [];
  private latencyCount = 0;

  addBatch(source: string, destination: string, records: number, bytes: number): void {
    let counters = this.topics.get(source);
    if (!counters) this.topics.set(source, (counters = { destination, records: 0, bytes: 0, window: [] }));
    counters.records += records;
    counters.bytes += bytes;
  }

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

  /** Per-topic totals and rates over the last ~5 s (the window advances on each call). */
  topicRates(now: number): { source: string; destination: string; records: number; bytes: number; recordsPerSecond: number; bytesPerSecond: number }[] {
    return [...this.topics].map(([source, c]) => {
      c.window.push({ at: now, records: c.records, bytes: c.bytes });
      while (c.window.length > 2 && (c.window[0]?.at ?? now) < now - WINDOW_MS) c.window.shift();
      const first = c.window[0];
      const span = first ? now - first.at : 0;
      const rate = (total: number, start: number): number => (span < 200 ? 0 : ((total - start) * 1000) / span);
      return { source, destination: c.destination, records: c.records, bytes: c.bytes, recordsPerSecond: rate(c.records, first?.records ?? 0), bytesPerSecond: rate(c.bytes, first?.bytes ?? 0) };
    });
  }
}
