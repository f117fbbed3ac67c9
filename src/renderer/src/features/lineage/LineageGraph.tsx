import { useMemo } from 'react';
import type { PipelineStatus, ReplicatorStatus } from '../../../../shared/api';
import { formatCount, formatRate } from '../../app/format';
import { type LineageColumn, type LineageModel, type LineageNode, lineageOf } from './lineageModel';

const EMPTY_MODEL: LineageModel = { nodes: [], edges: [], chained: false, captions: { source: '', topic: '', replica: '', target: '' } };

export type { LineageNode };
import './lineage.css';

const NODE_WIDTH = 230;
const NODE_HEIGHT = 40;
const ROW_GAP = 14;
const TOP = 44;
/** Three columns; a pipeline spanning clusters gets a fourth for the replicator's copies (and a wider drawing). */
const LAYOUTS = {
  plain: { width: 960, x: { source: 0, topic: 365, target: 730 } as Partial<Record<LineageColumn, number>> },
  chained: { width: 1300, x: { source: 0, topic: 356, replica: 713, target: 1070 } as Partial<Record<LineageColumn, number>> },
};
const COLUMN_TITLE: Record<LineageColumn, string> = { source: 'Source tables', topic: 'Topics', replica: 'Copied to', target: 'Targets' };

/** Long names keep their start and their end (`demo_…_order_details`): the end tells tables apart. */
function truncate(text: string, max = 25): string {
  if (text.length <= max) return text;
  const tail = Math.ceil((max - 1) * 0.55);
  return `${text.slice(0, max - 1 - tail)}…${text.slice(text.length - tail)}`;
}

let measurer: CanvasRenderingContext2D | null | undefined;

/** The drawn width of `text` in the app's font at `sizePx` (a rough estimate where canvas is unavailable). */
function textWidth(text: string, sizePx: number): number {
  if (measurer === undefined) {
    measurer = typeof document === 'undefined' ? null : document.createElement('canvas').getContext('2d');
  }
  if (!measurer) return text.length * sizePx * 0.56;
  measurer.font = `${sizePx}px ${getComputedStyle(document.body).fontFamily || 'sans-serif'}`;
  return measurer.measureText(text).width;
}

/** The whole name when it fits `widthPx`, else the longest start…end cut that does. */
function fit(text: string, widthPx: number, sizePx = 13): string {
  if (textWidth(text, sizePx) <= widthPx) return text;
  for (let max = text.length - 1; max > 6; max -= 1) {
    const cut = truncate(text, max);
    if (textWidth(cut, sizePx) <= widthPx) return cut;
  }
  return truncate(text, 6);
}

/** Room for a node's label: the node less its padding on both sides. */
const LABEL_WIDTH = NODE_WIDTH - 24;

/**
 * Source tables → topics → target tables (and topics a replicator copies to another cluster) with the rows each hop
 * carried, drawn as SVG laid out here (three columns,
 * rows in an order that keeps edges from crossing): no graph library, nothing to load, and it scales with the
 * window for a presenter's screen. An edge whose connector is moving rows right now shows moving dashes.
 */
export function LineageGraph({
  status,
  model: given,
  name,
  emptyText,
  replicators,
  large = false,
  rates,
  nodeLink,
}: {
  /** A Ferry pipeline's status, from which the lineage is computed; or `model` (a Kafka Connect cluster's) with its name. */
  status?: PipelineStatus;
  model?: LineageModel;
  name?: string;
  /** What to say when `model` has no node. */
  emptyText?: string;
  replicators?: readonly ReplicatorStatus[];
  large?: boolean;
  /** Rows per second per edge id, shown beside the edge's count (the presenter measures them between updates). */
  rates?: ReadonlyMap<string, number>;
  /** Where a click on a node goes (a topic to Messages, a table to Query), with what the link says; none: not a link. */
  nodeLink?: (node: LineageNode) => { href: string; label: string } | undefined;
}) {
  const model = useMemo(() => given ?? (status ? lineageOf(status, replicators) : EMPTY_MODEL), [given, status, replicators]);
  const layout = model.chained ? LAYOUTS.chained : LAYOUTS.plain;
  const WIDTH = layout.width;
  const COLUMN_X = layout.x;

  const positions = new Map<string, { x: number; y: number }>();
  const rows: Record<LineageColumn, number> = { source: 0, topic: 0, replica: 0, target: 0 };
  for (const node of model.nodes) {
    positions.set(node.id, { x: COLUMN_X[node.column] ?? 0, y: TOP + rows[node.column] * (NODE_HEIGHT + ROW_GAP) });
    rows[node.column]++;
  }
  const height = TOP + Math.max(1, rows.source, rows.topic, rows.replica, rows.target) * (NODE_HEIGHT + ROW_GAP) + 8;

  if (model.nodes.length === 0 && !status) {
    return (
      <div className="lineage-empty muted" data-testid="lineage-empty">
        {emptyText ?? 'Nothing to draw yet.'}
      </div>
    );
  }
  if (model.nodes.length === 0 && status) {
    // A pipeline that failed before its connectors found their tables has no lineage: say why instead of "wait".
    const broken = status.connectors.filter((connector) => connector.state === 'FAILED' || connector.state === 'DEGRADED');
    return (
      <div className="lineage-empty muted" data-testid="lineage-empty">
        {broken.length > 0
          ? `No lineage yet: ${broken.map((connector) => `${connector.name} is ${connector.state}${connector.error ? ` (${connector.error.message})` : ''}`).join('; ')}. The tables appear once the connector reads them; fix the cause and restart it in Pipelines.`
          : status.state === 'FAILED'
            ? 'No lineage: the pipeline failed before its connectors found their tables (see Pipelines for the cause).'
            : 'The lineage appears once the connectors have found their tables (a few seconds after start).'}
      </div>
    );
  }

  const describe = (node: LineageNode): string => (node.replica ? `topic ${node.label} on ${node.group}` : node.column === 'topic' ? `topic ${node.label}` : `${node.column} table ${node.label}`);
  return (
    <svg
      className={large ? 'lineage lineage-large' : 'lineage'}
      viewBox={`0 0 ${WIDTH} ${height}`}
      role="img"
      aria-label={`Lineage of ${status ? `pipeline ${status.name}` : (name ?? 'connectors')}: ${model.edges.map((edge) => `${formatCount(edge.count)} rows ${edge.from.split(':').pop()} to ${edge.to.split(':').pop()}`).join('; ')}`}
      data-testid="lineage-graph"
    >
      {(Object.keys(COLUMN_X) as LineageColumn[]).map((column) => (
        <g key={column}>
          <text className="lineage-column-title" x={COLUMN_X[column]} y={14}>
            {COLUMN_TITLE[column]}
          </text>
          <text className="lineage-column-caption" x={COLUMN_X[column]} y={30}>
            {fit(model.captions[column], 340, 11)}
          </text>
        </g>
      ))}
      {model.edges.map((edge) => {
        const from = positions.get(edge.from);
        const to = positions.get(edge.to);
        if (!from || !to) return null;
        const x1 = from.x + NODE_WIDTH;
        const y1 = from.y + NODE_HEIGHT / 2;
        const x2 = to.x;
        const y2 = to.y + NODE_HEIGHT / 2;
        const mid = (x1 + x2) / 2;
        // A hop to another cluster leaves the same topic as its sink edge: its label sits further along the curve.
        const t = edge.to.startsWith('replica:') && !model.chained ? 0.75 : 0.5;
        const u = 1 - t;
        const labelX = u * u * u * x1 + 3 * u * t * mid + t * t * t * x2;
        const labelY = u * u * u * y1 + 3 * u * u * t * y1 + 3 * u * t * t * y2 + t * t * t * y2;
        const rate = rates?.get(edge.id);
        const label = rate === undefined ? formatCount(edge.count) : `${formatCount(edge.count)} · ${formatRate(rate)}`;
        const labelWidth = 14 + label.length * 8;
        return (
          <g key={edge.id} className={edge.active ? 'lineage-edge flowing' : 'lineage-edge'}>
            <path d={`M ${x1} ${y1} C ${mid} ${y1}, ${mid} ${y2}, ${x2} ${y2}`} />
            <rect x={labelX - labelWidth / 2} y={labelY - 11} width={labelWidth} height={22} rx={11} />
            <text x={labelX} y={labelY + 4} textAnchor="middle" data-testid="lineage-edge-count">
              {label}
            </text>
            {rate !== undefined && <title>{`${formatCount(edge.count)} rows so far, ${formatRate(rate)} now`}</title>}
          </g>
        );
      })}
      {model.nodes.map((node) => {
        const at = positions.get(node.id);
        if (!at) return null;
        const link = nodeLink?.(node);
        const drawn = (
          <g key={node.id} className={`lineage-node lineage-${node.replica ? 'replica' : node.column}`} transform={`translate(${at.x} ${at.y})`}>
            <title>{describe(node)}</title>
            <rect width={NODE_WIDTH} height={NODE_HEIGHT} rx={8} />
            {node.replica ? (
              <>
                <text x={12} y={17}>
                  {fit(node.label, LABEL_WIDTH)}
                </text>
                <text className="lineage-node-note" x={12} y={32}>
                  on {fit(node.group, LABEL_WIDTH - 16, 11)}
                </text>
              </>
            ) : (
              <text x={12} y={NODE_HEIGHT / 2 + 5}>
                {fit(node.label, LABEL_WIDTH)}
              </text>
            )}
          </g>
        );
        return link ? (
          <a key={node.id} href={link.href} aria-label={link.label} className="lineage-link">
            {drawn}
          </a>
        ) : (
          drawn
        );
      })}
    </svg>
  );
}
