import { useMemo } from 'react';
import type { PipelineStatus } from '../../../../shared/api';
import { formatCount, formatMs } from '../../app/format';

/** Axis ticks: small scales step by fractions (0, 0.5, 1), which whole-number formatting would print twice. */
function formatTick(value: number): string {
  return Math.abs(value) < 10 && !Number.isInteger(value) ? value.toFixed(1) : formatCount(value);
}
import { type ChartSeries, MetricsChart } from './MetricsChart';
import type { ConnectorSeries } from './pipelinesStore';

const COLORS = ['--accent', '--ok', '--warn', '--bad'];

/** Aligns every connector's samples on one time axis (seconds), null where a connector has no sample. */
function align(series: ConnectorSeries, names: string[], pick: (point: ConnectorSeries[string][number]) => number | undefined) {
  const times = [...new Set(names.flatMap((name) => (series[name] ?? []).map((point) => Math.round(point.at / 1000))))].sort((a, b) => a - b);
  const index = new Map(times.map((time, position) => [time, position]));
  const values = names.map((name) => {
    const row: (number | null)[] = new Array<number | null>(times.length).fill(null);
    for (const point of series[name] ?? []) {
      const value = pick(point);
      const at = index.get(Math.round(point.at / 1000));
      if (value !== undefined && at !== undefined) row[at] = value;
    }
    return row;
  });
  return { times, values };
}

/** Rows/s per connector, sink lag, and end-to-end latency (p50/p99 of the records applied each second). */
export function PipelineCharts({ status, series }: { status: PipelineStatus; series: ConnectorSeries }) {
  const charts = useMemo(() => {
    const all = status.connectors.map((connector) => connector.name);
    const sinks = status.connectors.filter((connector) => connector.role === 'sink').map((connector) => connector.name);
    const rate = align(series, all, (point) => point.rowsPerSecond);
    const lag = align(series, sinks, (point) => point.lag);
    const p50 = align(series, sinks, (point) => point.latencyP50Ms);
    const p99 = align(series, sinks, (point) => point.latencyP99Ms);
    const named = (names: string[], values: (number | null)[][], suffix = ''): ChartSeries[] =>
      names.map((name, position) => ({ label: `${name}${suffix}`, values: values[position] ?? [], colorVar: COLORS[position % COLORS.length] ?? '--accent' }));
    return {
      rate: { x: rate.times, series: named(all, rate.values) },
      lag: { x: lag.times, series: named(sinks, lag.values) },
      latency: {
        x: p99.times,
        series: [
          ...named(sinks, p50.values, ' p50').map((entry) => ({ ...entry, colorVar: '--ok' })),
          ...named(sinks, p99.values, ' p99').map((entry) => ({ ...entry, colorVar: '--warn' })),
        ],
      },
    };
  }, [status.connectors, series]);

  if (charts.rate.x.length < 2) {
    return <p className="muted small chart-wait">Charts fill in as samples arrive (one a second).</p>;
  }
  return (
    <div className="charts">
      <MetricsChart title="Rows per second" x={charts.rate.x} series={charts.rate.series} format={formatTick} />
      <MetricsChart title="Sink lag (records)" x={charts.lag.x} series={charts.lag.series} format={formatTick} />
      <MetricsChart title="End-to-end latency" x={charts.latency.x} series={charts.latency.series} format={(value) => formatMs(value)} />
    </div>
  );
}
