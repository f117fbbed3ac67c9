/**
 * Where source offsets landed on the destination, for consumer group offset translation. kafkajs has no
 * consumer interceptors (Replicator's `__consumer_timestamps` route), so the replicator records a sync point per
 * copied batch instead, as MirrorMaker 2's offset-syncs do: source offset of the batch's first record, the
 * destination offset it got, how many records followed it, and whether the source offsets were contiguous (no
 * compaction gaps or transaction markers) so offsets inside the batch map one to one.
 *
 * Translation never runs ahead of the truth: an offset inside a non-contiguous batch maps to the batch's start
 * (the consumer re-reads at most that batch), one past the last known batch maps to where that batch ended.
 */
export interface SyncPoint {
  /** Source offset of the batch's first record. */
  source: number;
  /** Destination offset the first record got. */
  destination: number;
  /** Records in the batch (source records that were written; skipped ones are not counted). */
  count: number;
  /** Source offset one past the batch's last record. */
  sourceEnd: number;
}

/** Sync points per source topic-partition, oldest first; at most `limit` kept per partition. */
export class OffsetSyncs {
  private readonly points = new Map<string, SyncPoint[]>();

  constructor(private readonly limit = 2000) {}

  static key(topic: string, partition: number): string {
    return `${topic}:${partition}`;
  }

  record(topic: string, partition: number, point: SyncPoint): void {
    const key = OffsetSyncs.key(topic, partition);
    let list = this.points.get(key);
    if (!list) this.points.set(key, (list = []));
    const last = list[list.length - 1];
    // A batch that continues the previous contiguously extends it: fewer points, same precision.
    if (last && last.sourceEnd === point.source && last.destination + last.count === point.destination && last.sourceEnd - last.source === last.count && point.sourceEnd - point.source === point.count) {
      last.count += point.count;
      last.sourceEnd = point.sourceEnd;
      return;
    }
    list.push({ ...point });
    if (list.length > this.limit) list.splice(0, list.length - this.limit);
  }

  /**
   * The destination offset a consumer should resume from, given the offset it committed on the source (the next
   * record it would read); undefined when no sync point is at or before it (nothing known yet).
   */
  translate(topic: string, partition: number, committed: number): number | undefined {
    const list = this.points.get(OffsetSyncs.key(topic, partition));
    if (!list) return undefined;
    let found: SyncPoint | undefined;
    for (let i = list.length - 1; i >= 0; i -= 1) {
      const point = list[i];
      if (point && point.source <= committed) {
        found = point;
        break;
      }
    }
    if (!found) return undefined;
    if (committed >= found.sourceEnd) return found.destination + found.count;
    const contiguous = found.sourceEnd - found.source === found.count;
    return contiguous ? found.destination + (committed - found.source) : found.destination;
  }

  toJSON(): Record<string, SyncPoint[]> {
    return Object.fromEntries(this.points);
  }

  static fromJSON(data: unknown, limit?: number): OffsetSyncs {
    const syncs = new OffsetSyncs(limit);
    if (typeof data !== 'object' || data === null) return syncs;
    for (const [key, value] of Object.entries(data)) {
      if (!Array.isArray(value)) continue;
      const list = value.filter(
        (p): p is SyncPoint => typeof p === 'object' && p !== null && ['source', 'destination', 'count', 'sourceEnd'].every((k) => Number.isSafeInteger((p as Record<string, unknown>)[k])),
      );
      syncs.points.set(key, list.map((p) => ({ source: p.source, destination: p.destination, count: p.count, sourceEnd: p.sourceEnd })));
    }
    return syncs;
  }
}
