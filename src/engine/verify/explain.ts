import type { VerifyExplanation, VerifyKey, VerifyReport } from '../../shared/api/verify';

/**
 * What explain reads of a row's trace: the shape of the trace service's report (`trace.row`), reduced to the
 * fields used, so verify depends on no layer above it.
 */
export interface RowTrace {
  topic: string;
  sourceConnector: string;
  source: { found: boolean; changedAtMs?: number };
  records: {
    topic: string;
    partition: number;
    offset: string;
    timestampMs: number;
    sourceTimestampMs?: number;
    op: 'c' | 'u' | 'd';
    tombstone: boolean;
    write?: { evidence: 'applied-log' | 'committed-offset' | 'dead-letter' | 'pending' };
  }[];
  scan: { scanned: number; capped: boolean };
}

/** Follows one row through a pipeline (the engine's trace service); injected so verify stays below it. */
export type TraceRow = (request: { pipeline: string; table: string; key: VerifyKey }) => Promise<RowTrace>;

export const DEFAULT_EXPLAIN_ROWS = 20;

type Mismatch = VerifyExplanation['mismatch'];

function recordRef(trace: RowTrace): VerifyExplanation['record'] {
  const latest = trace.records.at(-1);
  return latest ? { topic: latest.topic, partition: latest.partition, offset: latest.offset } : undefined;
}

/**
 * Classifies one mismatch from the row's trace: the latest record of the key in the pipeline's topic, how the sink
 * handled it, and when the source row last changed.
 */
export function classifyMismatch(mismatch: Mismatch, key: VerifyKey, trace: RowTrace): VerifyExplanation {
  const base = { key, mismatch, ...(recordRef(trace) ? { record: recordRef(trace) } : {}) };
  const latest = trace.records.at(-1);
  if (!latest) {
    if (trace.scan.capped) return { ...base, class: 'unknown', detail: `No record of this key in the ${trace.scan.scanned} records scanned of ${trace.topic}; the scan was capped, so an older one may exist.` };
    const what = mismatch === 'onlyInTarget' ? 'its deletion' : 'the row';
    return { ...base, class: 'never-captured', detail: `${trace.topic} holds no record of this key: ${what} was never captured by ${trace.sourceConnector}.` };
  }
  const at = `${latest.topic}[${latest.partition}]@${latest.offset}`;
  const evidence = latest.write?.evidence;
  if (evidence === 'pending') return { ...base, class: 'not-yet-replicated', detail: `The latest record (${at}) is not applied yet: the sink is behind.` };
  if (evidence === 'dead-letter') return { ...base, class: 'captured-not-applied', detail: `The latest record (${at}) failed in the sink and went to the dead letter topic.` };
  if (evidence === undefined) return { ...base, class: 'captured-not-applied', detail: `The latest record (${at}) is in the topic, but there is no sign the sink applied it.` };
  const captured = latest.sourceTimestampMs ?? latest.timestampMs;
  if (trace.source.found && trace.source.changedAtMs !== undefined && trace.source.changedAtMs > captured) {
    return { ...base, class: 'not-yet-replicated', detail: `The source row changed at ${new Date(trace.source.changedAtMs).toISOString()}, after the latest record (${at}); that change is not captured yet.` };
  }
  if (mismatch === 'onlyInTarget') {
    if (latest.op === 'd' || latest.tombstone) return { ...base, class: 'captured-not-applied', detail: `The delete (${at}) was applied by the sink, yet the row is still in the target.` };
    return { ...base, class: 'never-captured', detail: `The row is gone from the source but the latest record (${at}) is not a delete: the deletion was never captured (polling sources cannot see deletes).` };
  }
  if (mismatch === 'onlyInSource') return { ...base, class: 'captured-not-applied', detail: `The latest record (${at}) was applied, yet the target has no such row (removed from the target, or written elsewhere).` };
  return { ...base, class: 'applied-but-different', detail: `The sink applied the latest record (${at}) and the target still differs: a type mapping loss or a change made in the target.` };
}

/** Traces the first `maxRows` mismatches of a report (one topic scan each) and classifies them. */
export async function explainMismatches(report: VerifyReport, pipeline: string, sourceTable: string, traceRow: TraceRow, maxRows = DEFAULT_EXPLAIN_ROWS): Promise<VerifyExplanation[]> {
  const mismatches: { mismatch: Mismatch; key: VerifyKey }[] = [
    ...report.onlyInSource.map((key) => ({ mismatch: 'onlyInSource' as const, key })),
    ...report.onlyInTarget.map((key) => ({ mismatch: 'onlyInTarget' as const, key })),
    ...report.different.map((row) => ({ mismatch: 'different' as const, key: row.key })),
  ].slice(0, maxRows);
  const explanations: VerifyExplanation[] = [];
  for (const { mismatch, key } of mismatches) {
    try {
      explanations.push(classifyMismatch(mismatch, key, await traceRow({ pipeline, table: sourceTable, key })));
    } catch (error) {
      explanations.push({ key, mismatch, class: 'unknown', detail: `The trace failed: ${error instanceof Error ? error.message : String(error)}` });
    }
  }
  return explanations;
}
