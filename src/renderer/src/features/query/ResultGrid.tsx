import { useVirtualizer } from '@tanstack/react-virtual';
import { useRef, useState, type KeyboardEvent, type PointerEvent as ReactPointerEvent, type ReactNode } from 'react';
import type { QueryColumn, QueryValue } from '../../../../shared/api';
import { cellText, downloadText, rowAsTsv, toCsv, toJson } from './queryModel';

export interface ResultGridProps {
  /** Accessible name, e.g. "Source result". */
  label: string;
  columns: QueryColumn[];
  rows: QueryValue[][];
  /** File name stem for exports. */
  exportName: string;
  /** Shown as a per-row action when the row can be traced. */
  onTrace?: (rowIndex: number) => void;
  /** Cells to highlight: `row:column` indexes. */
  highlight?: ReadonlySet<string>;
  height?: number;
  /** Draws a cell's content instead of its text (e.g. a character diff); undefined falls back to the text. */
  renderCell?: (value: QueryValue, rowIndex: number, columnIndex: number) => ReactNode | undefined;
  /** Told when the user selects a cell of a row. */
  onSelectRow?: (rowIndex: number) => void;
}

const ROW_HEIGHT = 28;
const MIN_COLUMN = 90;
const MAX_COLUMN = 320;
/** Bounds of a column the user resizes (drag the header's right edge, or focus it and press ←/→). */
const MIN_RESIZED = 48;
const MAX_RESIZED = 2400;
const RESIZE_STEP = 24;

function widthOf(column: QueryColumn, rows: readonly QueryValue[][], index: number): number {
  let longest = column.name.length + 2;
  for (let row = 0; row < Math.min(rows.length, 200); row++) longest = Math.max(longest, cellText(rows[row]?.[index] ?? null).length);
  // 8 px a character: changed cells are bold, and a character diff adds a little padding per mark.
  return Math.max(MIN_COLUMN, Math.min(MAX_COLUMN, longest * 8 + 24));
}

function copy(text: string): void {
  void navigator.clipboard?.writeText(text).catch(() => {});
}

/**
 * A result grid that stays smooth with 100,000 rows: only the visible rows are rendered. Click a cell to select it;
 * Ctrl/Cmd+C copies the cell, Ctrl/Cmd+Shift+C the row (tab-separated); export the whole result as CSV or JSON.
 */
export function ResultGrid({ label, columns, rows, exportName, onTrace, highlight, height = 320, renderCell, onSelectRow }: ResultGridProps) {
  const scroller = useRef<HTMLDivElement>(null);
  const [selected, setSelected] = useState<{ row: number; column: number } | undefined>();
  /** Widths the user set, by column position and name (a new result with other columns starts fresh). */
  const [resized, setResized] = useState<Record<string, number>>({});
  const [copied, setCopied] = useState<string | undefined>();
  // eslint-disable-next-line react-hooks/incompatible-library -- the virtualizer is read during render by design
  const virtualizer = useVirtualizer({ count: rows.length, getScrollElement: () => scroller.current, estimateSize: () => ROW_HEIGHT, overscan: 12 });
  const widthKey = (index: number): string => `${index}:${columns[index]?.name ?? ''}`;
  const widths = columns.map((column, index) => resized[widthKey(index)] ?? widthOf(column, rows, index));
  const resize = (index: number, width: number): void => setResized((current) => ({ ...current, [widthKey(index)]: Math.max(MIN_RESIZED, Math.min(MAX_RESIZED, Math.round(width))) }));
  const startResize = (index: number, event: ReactPointerEvent<HTMLSpanElement>): void => {
    event.preventDefault();
    event.stopPropagation();
    const handle = event.currentTarget;
    const startX = event.clientX;
    const startWidth = widths[index] ?? MIN_COLUMN;
    handle.setPointerCapture(event.pointerId);
    const move = (moved: PointerEvent): void => resize(index, startWidth + moved.clientX - startX);
    const end = (): void => {
      handle.removeEventListener('pointermove', move);
      handle.removeEventListener('pointerup', end);
      handle.removeEventListener('pointercancel', end);
    };
    handle.addEventListener('pointermove', move);
    handle.addEventListener('pointerup', end);
    handle.addEventListener('pointercancel', end);
  };
  const resizeKey = (index: number, event: KeyboardEvent<HTMLSpanElement>): void => {
    const step = event.key === 'ArrowRight' ? RESIZE_STEP : event.key === 'ArrowLeft' ? -RESIZE_STEP : 0;
    if (step === 0) return;
    event.preventDefault();
    event.stopPropagation();
    resize(index, (widths[index] ?? MIN_COLUMN) + step);
  };
  const template = `${onTrace ? '84px ' : ''}48px ${widths.map((width) => `${Math.round(width)}px`).join(' ')}`;
  const total = (onTrace ? 84 : 0) + 48 + widths.reduce((sum, width) => sum + Math.round(width), 0);

  const flash = (what: string): void => {
    setCopied(what);
    setTimeout(() => setCopied(undefined), 1200);
  };
  const copyCell = (): void => {
    if (!selected) return;
    copy(cellText(rows[selected.row]?.[selected.column] ?? null));
    flash('cell');
  };
  const copyRow = (): void => {
    if (!selected) return;
    copy(rowAsTsv(rows[selected.row] ?? []));
    flash('row');
  };
  const onKeyDown = (event: KeyboardEvent<HTMLDivElement>): void => {
    if (!selected) return;
    if ((event.ctrlKey || event.metaKey) && event.key.toLowerCase() === 'c') {
      event.preventDefault();
      if (event.shiftKey) copyRow();
      else copyCell();
      return;
    }
    const move = { ArrowDown: [1, 0], ArrowUp: [-1, 0], ArrowRight: [0, 1], ArrowLeft: [0, -1] }[event.key];
    if (move) {
      event.preventDefault();
      const row = Math.max(0, Math.min(rows.length - 1, selected.row + (move[0] ?? 0)));
      const column = Math.max(0, Math.min(columns.length - 1, selected.column + (move[1] ?? 0)));
      setSelected({ row, column });
      virtualizer.scrollToIndex(row);
    }
  };

  return (
    <div className="result" role="region" aria-label={label}>
      <div className="result-toolbar">
        <span className="muted small" data-testid={`${exportName}-count`}>
          {rows.length.toLocaleString('en-US')} row{rows.length === 1 ? '' : 's'}
        </span>
        <span className="spacer" />
        {copied && <span className="small ok-text">Copied {copied}</span>}
        <button type="button" className="small-button" onClick={copyCell} disabled={!selected} title="Copy cell (Ctrl+C)">
          Copy cell
        </button>
        <button type="button" className="small-button" onClick={copyRow} disabled={!selected} title="Copy row, tab-separated (Ctrl+Shift+C)">
          Copy row
        </button>
        <button type="button" className="small-button" onClick={() => downloadText(`${exportName}.csv`, toCsv(columns, rows), 'text/csv')} disabled={rows.length === 0}>
          Export CSV
        </button>
        <button type="button" className="small-button" onClick={() => downloadText(`${exportName}.json`, toJson(columns, rows), 'application/json')} disabled={rows.length === 0}>
          Export JSON
        </button>
      </div>
      <div className="grid-scroll" ref={scroller} style={{ height: Math.min(height, Math.max(120, rows.length * ROW_HEIGHT + 42)) }} tabIndex={0} onKeyDown={onKeyDown} role="grid" aria-label={`${label} rows`} aria-rowcount={rows.length + 1}>
        <div className="grid-row grid-head" role="row" style={{ gridTemplateColumns: template, width: total }}>
          {onTrace && <span role="columnheader" className="grid-cell head" aria-label="Actions" />}
          <span role="columnheader" className="grid-cell head num">#</span>
          {columns.map((column, index) => (
            <span key={`${column.name}-${index}`} role="columnheader" className={`grid-cell head ${column.kind === 'number' ? 'num' : ''}`} title={`${column.name}: ${column.type}`}>
              {column.name}
              <span className="col-type">{column.type}</span>
              <span
                role="separator"
                aria-orientation="vertical"
                aria-label={`Resize column ${column.name}`}
                aria-valuenow={Math.round(widths[index] ?? MIN_COLUMN)}
                aria-valuemin={MIN_RESIZED}
                aria-valuemax={MAX_RESIZED}
                tabIndex={0}
                className="col-resizer"
                title="Drag to resize (or ←/→); double-click to fit"
                onPointerDown={(event) => startResize(index, event)}
                onKeyDown={(event) => resizeKey(index, event)}
                onDoubleClick={() => setResized((current) => Object.fromEntries(Object.entries(current).filter(([key]) => key !== widthKey(index))))}
              />
            </span>
          ))}
        </div>
        <div style={{ height: virtualizer.getTotalSize(), width: total, position: 'relative' }}>
          {virtualizer.getVirtualItems().map((item) => {
            const row = rows[item.index] ?? [];
            return (
              <div
                key={item.key}
                className={`grid-row ${selected?.row === item.index ? 'selected-row' : ''}`}
                role="row"
                aria-rowindex={item.index + 2}
                style={{ gridTemplateColumns: template, width: total, transform: `translateY(${item.start}px)`, height: ROW_HEIGHT }}
              >
                {onTrace && (
                  <span className="grid-cell action" role="gridcell">
                    <button type="button" className="trace-button" onClick={() => onTrace(item.index)} aria-label={`Trace row ${item.index + 1}`} title="Follow this row through Kafka to the target">
                      Trace →
                    </button>
                  </span>
                )}
                <span className="grid-cell num muted" role="gridcell">
                  {item.index + 1}
                </span>
                {row.map((value, column) => {
                  const kind = columns[column]?.kind;
                  const isSelected = selected?.row === item.index && selected.column === column;
                  const marked = highlight?.has(`${item.index}:${column}`);
                  return (
                    <span
                      key={column}
                      role="gridcell"
                      aria-selected={isSelected}
                      className={`grid-cell ${kind === 'number' ? 'num' : ''} ${value === null ? 'null' : ''} ${isSelected ? 'selected' : ''} ${marked ? 'changed' : ''}`}
                      onClick={() => {
                        setSelected({ row: item.index, column });
                        onSelectRow?.(item.index);
                      }}
                      title={value === null ? 'NULL' : String(value)}
                    >
                      {renderCell?.(value, item.index, column) ?? (value === null ? 'NULL' : String(value))}
                    </span>
                  );
                })}
              </div>
            );
          })}
        </div>
        {rows.length === 0 && <p className="grid-empty muted">The statement returned no rows.</p>}
      </div>
    </div>
  );
}
