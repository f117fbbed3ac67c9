import { describe, expect, it } from 'vitest';
import { MetricsHistory } from './metricsHistory';

const point = (at: number, rowsPerSecond = at) => ({ at, rowsPerSecond, lag: 0 });

describe('MetricsHistory', () => {
  it('keeps samples per connector in order and returns only newer ones when asked', () => {
    const history = new MetricsHistory('p', 10);
    history.add([{ name: 'src', role: 'source', point: point(1) }, { name: 'snk', role: 'sink', point: { at: 1, rowsPerSecond: 0, lag: 5, latencyP99Ms: 30 } }]);
    history.add([{ name: 'src', role: 'source', point: point(2) }]);
    const all = history.snapshot();
    expect(all.name).toBe('p');
    expect(all.connectors.find((c) => c.name === 'src')?.points.map((p) => p.at)).toEqual([1, 2]);
    expect(all.connectors.find((c) => c.name === 'snk')).toMatchObject({ role: 'sink', points: [{ lag: 5, latencyP99Ms: 30 }] });
    expect(history.snapshot(1).connectors.find((c) => c.name === 'src')?.points.map((p) => p.at)).toEqual([2]);
  });

  it('never holds more than its capacity, dropping the oldest samples', () => {
    const history = new MetricsHistory('p', 10);
    for (let at = 1; at <= 100; at++) history.add([{ name: 'src', role: 'source', point: point(at) }]);
    const points = history.snapshot().connectors[0]?.points ?? [];
    expect(points).toHaveLength(10);
    expect(points[0]?.at).toBe(91);
    expect(points[9]?.at).toBe(100);
  });
});
