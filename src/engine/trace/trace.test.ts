import { describe, expect, it } from 'vitest';
import type { TraceRecord } from '../../shared/api/trace';
import { verifyDialect } from '../verify';
import { hopsOf } from './hops';
import { inferOps, keyText, matchesKey, rowToValues } from './recordMatch';
import { keyCondition, tableRefOf } from './rowLookup';
import { planScan } from './topicScan';
import { verifyUrlOf } from './connectionSettings';

const ranges = [
  { partition: 0, low: 0n, high: 600n },
  { partition: 1, low: 100n, high: 500n },
];

describe('trace scan plan', () => {
  it('reads the whole topic when it fits the cap', () => {
    expect(planScan(ranges, { cap: 1000, all: false })).toEqual({
      partitions: [
        { partition: 0, from: 0n, to: 600n },
        { partition: 1, from: 100n, to: 500n },
      ],
      from: 'beginning',
      capped: false,
    });
  });

  it('starts at the row time when the topic is bigger than the cap, and says when the cap cuts', () => {
    const plan = planScan(ranges, { cap: 200, all: false, rowTimeOffsets: new Map([[0, 550n], [1, -1n]]) });
    expect(plan.from).toBe('row-time');
    expect(plan.partitions).toEqual([
      { partition: 0, from: 550n, to: 600n },
      { partition: 1, from: 500n, to: 500n },
    ]);
    expect(plan.capped).toBe(false);
    expect(planScan(ranges, { cap: 10, all: false, rowTimeOffsets: new Map([[0, 0n], [1, 100n]]) }).capped).toBe(true);
  });

  it('falls back to the newest records, or the beginning as far as the cap when asked for all', () => {
    expect(planScan(ranges, { cap: 100, all: false })).toMatchObject({ from: 'tail', capped: true, partitions: [{ from: 550n, to: 600n }, { from: 450n, to: 500n }] });
    expect(planScan(ranges, { cap: 100, all: true })).toMatchObject({ from: 'beginning', capped: true, partitions: [{ from: 0n, to: 50n }, { from: 100n, to: 150n }] });
  });
});

describe('trace record matching', () => {
  it('matches a key whatever the rendering on each side', () => {
    expect(keyText(42)).toBe('42');
    expect(keyText('0042.500')).toBe('42.5');
    expect(keyText('2024-01-02T03:04:05.000Z')).toBe(keyText('2024-01-02 03:04:05'));
    expect(matchesKey(rowToValues({ ID: 7, name: 'x', at: new Date(Date.UTC(2024, 0, 2)) }), { id: '7' })).toBe(true);
    expect(matchesKey(rowToValues({ id: 7n }), { id: 8 })).toBe(false);
    expect(matchesKey({ id: 1 }, { id: 1, missing: 2 })).toBe(false);
  });

  it('infers insert then updates, and takes an envelope at its word', () => {
    expect(inferOps([{ id: 1 }, { id: 1 }, null], true)).toEqual([
      { op: 'c', inferred: true },
      { op: 'u', inferred: true },
      { op: 'd', inferred: false },
    ]);
    expect(inferOps([{ id: 1 }], false)).toEqual([{ op: 'u', inferred: true }]);
    expect(inferOps([{ op: 'c', after: '{}' }, { id: 1, __deleted: 'true' }], false)).toEqual([
      { op: 'c', inferred: false },
      { op: 'd', inferred: false },
    ]);
  });
});

describe('trace hops and lookups', () => {
  const record = (write?: TraceRecord['write']): TraceRecord => ({ topic: 't', partition: 0, offset: '3', timestamp: '', timestampMs: 1_000_200, sourceTimestampMs: 1_000_000, op: 'c', opInferred: true, tombstone: false, value: {}, headers: {}, ...(write ? { write } : {}) });

  it('times each hop from the record and the sink write', () => {
    const write = { connector: 's', targetTable: 'x', topic: 't', partition: 0, firstOffset: '0', lastOffset: '3', records: 4, committedAtMs: 1_000_500, evidence: 'applied-log' as const };
    expect(hopsOf(record(write))).toEqual({
      hops: [
        { from: 'source', to: 'kafka', label: 'source change → Kafka append', ms: 200 },
        { from: 'kafka', to: 'sink', label: 'Kafka append → target commit', ms: 300 },
      ],
      totalMs: 500,
      notes: [],
    });
    expect(hopsOf(record({ ...write, evidence: 'committed-offset' })).totalMs).toBeUndefined();
    expect(hopsOf(record({ ...write, committedAtMs: 1_000_100 })).notes[0]).toMatch(/clocks/);
    expect(hopsOf(undefined)).toEqual({ hops: [], notes: [] });
  });

  it('builds key conditions and verify URLs per dialect', () => {
    expect(keyCondition(verifyDialect('postgres'), { id: 1, name: "O'Hara", gone: null })).toBe(`"id" = '1' AND "name" = 'O''Hara' AND "gone" IS NULL`);
    expect(keyCondition(verifyDialect('mysql'), { flag: true })).toBe('`flag` = 1');
    expect(tableRefOf(verifyDialect('postgres'), 'orders', 'db')).toEqual({ schema: 'public', name: 'orders' });
    expect(tableRefOf(verifyDialect('mysql'), 'shop.orders', 'db')).toEqual({ schema: 'shop', name: 'orders' });
    expect(verifyUrlOf({ dialect: 'postgres', host: 'h', port: 5432, user: 'u@x', password: 'p/w', database: 'd', ssl: false }, 'Europe/Paris')).toBe('postgres://u%40x:p%2Fw@h:5432/d?timezone=Europe%2FParis');
  });
});
