import type { TraceHop, TraceRecord } from '../../shared/api/trace';

/**
 * The time each hop took for the record that carries the row's current state: source change (`ferry.source.ts`, the
 * row's timestamp column or the poll time) → Kafka append (the record's timestamp) → target commit (the sink's
 * applied log). Clocks of different machines can disagree: a negative hop is reported as measured, with a note.
 */
export function hopsOf(record: TraceRecord | undefined): { hops: TraceHop[]; totalMs?: number; notes: string[] } {
  const hops: TraceHop[] = [];
  const notes: string[] = [];
  if (!record) return { hops, notes };
  const source = record.sourceTimestampMs;
  const committed = record.write?.evidence === 'applied-log' ? record.write.committedAtMs : undefined;
  if (source !== undefined) hops.push({ from: 'source', to: 'kafka', label: 'source change → Kafka append', ms: record.timestampMs - source });
  if (committed !== undefined) hops.push({ from: 'kafka', to: 'sink', label: 'Kafka append → target commit', ms: committed - record.timestampMs });
  if (hops.some((hop) => hop.ms < 0)) notes.push('A hop came out negative: the clocks of the source database, Kafka and Ferry disagree; the times are shown as measured.');
  return { hops, ...(source !== undefined && committed !== undefined ? { totalMs: committed - source } : {}), notes };
}
