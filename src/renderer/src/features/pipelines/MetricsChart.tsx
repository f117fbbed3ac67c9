import { useEffect, useRef } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { useEffectiveTheme } from '../../app/theme';

export interface ChartSeries {
  label: string;
  /** One value per x; null leaves a gap (no sample). */
  values: (number | null)[];
  /** A CSS variable name such as `--accent`, resolved for the canvas. */
  colorVar: string;
}

interface MetricsChartProps {
  title: string;
  /** Epoch seconds. */
  x: number[];
  series: ChartSeries[];
  format: (value: number) => string;
  height?: number;
}

function cssVar(name: string): string {
  return getComputedStyle(document.documentElement).getPropertyValue(name).trim() || '#888';
}

/**
 * A small time-series chart on uPlot: a canvas, no DOM per point, so a chart updated every two seconds with ten
 * minutes of samples costs well under a millisecond. Re-created only when the theme or the series change shape;
 * new data goes through `setData`.
 */
export function MetricsChart({ title, x, series, format, height = 150 }: MetricsChartProps) {
  const container = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | undefined>(undefined);
  const theme = useEffectiveTheme();
  const shape = series.map((entry) => `${entry.label}:${entry.colorVar}`).join('|');
  const latest = useRef({ x, series, format });
  // Declared before the effect that creates the chart, so a re-created chart starts from the latest data.
  useEffect(() => {
    latest.current = { x, series, format };
  }, [x, series, format]);

  useEffect(() => {
    const element = container.current;
    if (!element) return;
    const axisColor = cssVar('--muted');
    const gridColor = cssVar('--border');
    const current = latest.current;
    const options: uPlot.Options = {
      width: Math.max(200, element.clientWidth),
      height,
      legend: { show: true, live: false },
      cursor: { drag: { x: false, y: false } },
      scales: { x: { time: true }, y: { range: (_self, min, max) => [0, Math.max(max, min + 1) * 1.1] } },
      axes: [
        // Wall-clock time only (HH:MM:SS): uPlot's default adds a second row with the date, whose labels collided.
        { stroke: axisColor, grid: { stroke: gridColor, width: 1 }, ticks: { stroke: gridColor }, space: 80, values: (_self, ticks) => ticks.map(clockTime) },
        { stroke: axisColor, grid: { stroke: gridColor, width: 1 }, ticks: { stroke: gridColor }, size: 56, values: (_self, ticks) => ticks.map((tick) => current.format(tick)) },
      ],
      series: [{}, ...current.series.map((entry) => ({ label: entry.label, stroke: cssVar(entry.colorVar), width: 2, spanGaps: false, points: { show: false } }))],
    };
    const instance = new uPlot(options, [current.x, ...current.series.map((entry) => entry.values)], element);
    plot.current = instance;
    const resize = new ResizeObserver(() => instance.setSize({ width: Math.max(200, element.clientWidth), height }));
    resize.observe(element);
    return () => {
      resize.disconnect();
      instance.destroy();
      plot.current = undefined;
    };
  }, [theme, shape, height]);

  useEffect(() => {
    plot.current?.setData([x, ...series.map((entry) => entry.values)]);
  }, [x, series]);

  const last = series.map((entry) => entry.values[entry.values.length - 1]).find((value) => value !== null && value !== undefined);
  return (
    <figure className="chart" aria-label={title}>
      <figcaption>
        <span>{title}</span>
        <span className="chart-now">{last === undefined || last === null ? '–' : format(last)}</span>
      </figcaption>
      <div ref={container} className="chart-canvas" />
    </figure>
  );
}

/** A tick in seconds since the epoch as the local wall-clock time, e.g. 12:23:40. */
function clockTime(seconds: number): string {
  return new Date(seconds * 1000).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', second: '2-digit', hour12: false });
}
