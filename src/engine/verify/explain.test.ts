import { describe, expect, it } from 'vitest';
import type { VerifyReport } from '../../shared/api/verify';
import { classifyMismatch, explainMismatches, type RowTrace } from './explain';

type TraceRecord = RowTrace['records'][number];

function trace(records: Partial<TraceRecord>[], extra: Partial<RowTrace> = {}): RowTrace {
  return {
    topic: 'shop-orders',
    sourceConnector: 'orders-source',
    source: { found: true, changedAtMs: 1_000 },
    records: records.map((record, index) => ({ topic: 'shop-orders', partition: 0, offset: String(index), timestampMs: 1_000, sourceTimestampMs: 1_000, op: 'u', tombstone: false, ...record })),
    scan: { scanned: records.length, capped: false },
    ...extra,
  };
}

const key = { id: 7 };
const classOf = (mismatch: 'onlyInSource' | 'onlyInTarget' | 'different', rowTrace: RowTrace): string => classifyMismatch(mismatch, key, rowTrace).class;

describe('classifyMismatch', () => {
  it('no record of the key: never captured (unknown when the scan was capped)', () => {
    expect(classOf('onlyInSource', trace([]))).toBe('never-captured');
    expect(classifyMismatch('onlyInTarget', key, trace([])).detail).toContain('its deletion was never captured');
    expect(classOf('different', trace([], { scan: { scanned: 100_000, capped: true } }))).toBe('unknown');
  });

  it('a record the sink has not applied: not yet replicated; one in the dead letter topic: captured, not applied', () => {
    expect(classOf('different', trace([{ write: { evidence: 'pending' } }]))).toBe('not-yet-replicated');
    expect(classOf('onlyInSource', trace([{ write: { evidence: 'dead-letter' } }]))).toBe('captured-not-applied');
    expect(classOf('onlyInSource', trace([{}]))).toBe('captured-not-applied');
  });

  it('a source change newer than the latest record: not yet replicated', () => {
    expect(classOf('different', trace([{ sourceTimestampMs: 500, write: { evidence: 'applied-log' } }], { source: { found: true, changedAtMs: 900 } }))).toBe('not-yet-replicated');
  });

  it('the current change applied and the target still different: applied but different', () => {
    const explanation = classifyMismatch('different', key, trace([{ write: { evidence: 'committed-offset' } }]));
    expect(explanation).toMatchObject({ class: 'applied-but-different', record: { topic: 'shop-orders', partition: 0, offset: '0' } });
  });

  it('a row only in the target: an applied delete that did not take, or a delete never captured', () => {
    const gone = { source: { found: false } };
    expect(classOf('onlyInTarget', trace([{ op: 'd', tombstone: true, write: { evidence: 'applied-log' } }], gone))).toBe('captured-not-applied');
    expect(classOf('onlyInTarget', trace([{ op: 'c', write: { evidence: 'applied-log' } }], gone))).toBe('never-captured');
  });
});

describe('explainMismatches', () => {
  it('traces up to maxRows mismatches of every kind and reports a failed trace as unknown', async () => {
    const report = { onlyInSource: [{ id: 1 }], onlyInTarget: [{ id: 2 }], different: [{ key: { id: 3 }, columns: [] }, { key: { id: 4 }, columns: [] }] } as unknown as VerifyReport;
    const asked: unknown[] = [];
    const explanations = await explainMismatches(report, 'shop', 'orders', async (request) => {
      asked.push(request);
      if (request.key.id === 2) throw new Error('topic gone');
      return trace([]);
    }, 3);
    expect(asked).toEqual([
      { pipeline: 'shop', table: 'orders', key: { id: 1 } },
      { pipeline: 'shop', table: 'orders', key: { id: 2 } },
      { pipeline: 'shop', table: 'orders', key: { id: 3 } },
    ]);
    expect(explanations.map((entry) => [entry.mismatch, entry.class])).toEqual([
      ['onlyInSource', 'never-captured'],
      ['onlyInTarget', 'unknown'],
      ['different', 'never-captured'],
    ]);
    expect(explanations[1]?.detail).toBe('The trace failed: topic gone');
  });
});
