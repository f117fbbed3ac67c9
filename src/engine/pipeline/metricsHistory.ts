import type { ConnectorHistory, MetricsPoint, PipelineHistory } from '../../shared/api/pipelines';

/** Ten minutes at one sample a second. */
export const HISTORY_POINTS = 600;

/** A bounded ring of samples per connector of one pipeline: memory stays flat however long a pipeline runs. */
export class MetricsHistory {
  private readonly connectors = new Map<string, { role: 'source' | 'sink'; points: MetricsPoint[] }>();

  constructor(
    readonly name: string,
    private readonly capacity = HISTORY_POINTS,
  ) {}

  add(samples: readonly { name: string; role: 'source' | 'sink'; point: MetricsPoint }[]): void {
    for (const sample of samples) {
      const entry = this.connectors.get(sample.name) ?? { role: sample.role, points: [] };
      entry.points.push(sample.point);
      // Trim in chunks: one splice per tenth of the capacity instead of a shift per sample.
      if (entry.points.length > this.capacity + Math.ceil(this.capacity / 10)) entry.points.splice(0, entry.points.length - this.capacity);
      this.connectors.set(sample.name, entry);
    }
  }

  /** Samples newer than `sinceMs` (all when undefined), at most `capacity` per connector. */
  snapshot(sinceMs?: number): PipelineHistory {
    const connectors: ConnectorHistory[] = [];
    for (const [name, entry] of this.connectors) {
      const recent = entry.points.slice(-this.capacity);
      connectors.push({ name, role: entry.role, points: sinceMs === undefined ? recent : recent.filter((point) => point.at > sinceMs) });
    }
    return { name: this.name, connectors };
  }
}
