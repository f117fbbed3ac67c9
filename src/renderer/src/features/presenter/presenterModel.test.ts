import { describe, expect, it } from 'vitest';
import type { BrowsedRecord, ConnectorStatus, PipelineStatus } from '../../../../shared/api';
import { edgeRates, presenterFigures, tickerItem, trimSamples } from './presenterModel';

const connector = (name: string, role: 'source' | 'sink', metrics: Partial<ConnectorStatus['metrics']>): ConnectorStatus => ({
  name,
  role,
  state: 'RUNNING',
  caughtUp: false,
  metrics: { rowsRead: 0, rowsProduced: 0, rowsApplied: 0, errors: 0, deadLettered: 0, lag: 0, rowsPerSecond: 0, ...metrics },
});

describe('presenter figures', () => {
  const status: PipelineStatus = {
    name: 'orders',
    state: 'RUNNING',
    connectors: [connector('src', 'source', { rowsProduced: 120 }), connector('pg', 'sink', { rowsApplied: 100, lag: 20, rowsPerSecond: 5, latencyP50Ms: 40_000 }), connector('my', 'sink', { rowsApplied: 90, lag: 30, rowsPerSecond: 4 })],
  };

  it('sums captured, applied and lag and takes the slowest sink latency of the recent samples', () => {
    const figures = presenterFigures(status, new Map([['pg', { at: 1, rowsPerSecond: 5, lag: 20, latencyP50Ms: 120, latencyP99Ms: 300 }], ['my', { at: 1, rowsPerSecond: 4, lag: 30, latencyP50Ms: 200 }]]));
    expect(figures).toEqual({ captured: 120, applied: 190, lag: 50, lagStale: false, latencyP50Ms: 200, appliedPerSecond: 9 });
  });

  it("falls back to the status' latency before any sample has one, and shows none without either", () => {
    expect(presenterFigures(status, new Map()).latencyP50Ms).toBe(40_000);
    expect(presenterFigures({ ...status, connectors: [status.connectors[0] as ConnectorStatus] }, new Map()).latencyP50Ms).toBeUndefined();
  });
});

describe('edge rates', () => {
  it('divides the count difference by the time between the oldest and newest sample', () => {
    const samples = [
      { at: 0, counts: new Map([['a', 10]]) },
      { at: 1000, counts: new Map([['a', 15], ['b', 3]]) },
      { at: 2000, counts: new Map([['a', 30], ['b', 7]]) },
    ];
    expect(edgeRates(samples)).toEqual(new Map([['a', 10], ['b', 4]]));
  });

  it('gives no rate for one sample or a count that went down', () => {
    expect(edgeRates([{ at: 0, counts: new Map([['a', 1]]) }]).size).toBe(0);
    expect(edgeRates([{ at: 0, counts: new Map([['a', 10]]) }, { at: 1000, counts: new Map([['a', 2]]) }]).size).toBe(0);
  });

  it('keeps the samples of the window', () => {
    const samples = [0, 1000, 6000, 7000].map((at) => ({ at, counts: new Map<string, number>() }));
    expect(trimSamples(samples, 5000).map((sample) => sample.at)).toEqual([6000, 7000]);
    expect(trimSamples(samples.slice(0, 2), 10).map((sample) => sample.at)).toEqual([0, 1000]);
  });
});

describe('ticker', () => {
  const record = (value: BrowsedRecord['value']): BrowsedRecord => ({ partition: 0, offset: '7', timestamp: 5, key: { format: 'text', text: '42', size: 2 }, value, headers: [] });

  it('shows a row as name=value pairs and a tombstone as a delete', () => {
    expect(tickerItem('orders', record({ format: 'avro', text: '{"id":42,"status":"SHIPPED"}', size: 9 }))).toEqual({ id: 'orders/0/7', topic: 'orders', at: 5, key: '42', summary: 'id=42  status=SHIPPED' });
    expect(tickerItem('orders', record({ format: 'null', text: '', size: 0 })).summary).toBe('deleted (tombstone)');
  });

  it('names an Avro record it cannot decode instead of showing its bytes', () => {
    expect(tickerItem('orders', record({ format: 'hex', text: '00 00 00 00 07 02', size: 6, schemaId: 7, reason: 'schema 7 is not in the registry' })).summary).toMatch(/^Avro record, schema id 7/);
  });

  it('cuts long values for the screen', () => {
    expect(tickerItem('t', record({ format: 'text', text: 'x'.repeat(500), size: 500 })).summary).toHaveLength(140);
  });
});
