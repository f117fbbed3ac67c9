import { useVirtualizer } from '@tanstack/react-virtual';
import { useRef } from 'react';
import type { BrowsedRecord, DecodedPayload } from '../../../../shared/api';
import { rows } from './messagesStore';

const ROW_HEIGHT = 30;
/** The table grows with its rows up to this height, then scrolls. */
const MAX_HEIGHT = 560;

export function formatTimestamp(epochMs: number): string {
  const date = new Date(epochMs);
  if (Number.isNaN(date.getTime())) return '–';
  const pad = (value: number, width = 2): string => String(value).padStart(width, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())} ${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}.${pad(date.getMilliseconds(), 3)}`;
}

/** One line of a key or value: long ones are cut here (CSS ellipsis does the rest); the detail panel shows it whole. */
function preview(payload: DecodedPayload): string {
  return payload.text.length > 400 ? `${payload.text.slice(0, 400)}…` : payload.text;
}

function schemaCell(record: BrowsedRecord): string {
  const { value } = record;
  if (value.schemaId === undefined) return '';
  return value.version !== undefined ? `${value.schemaId} · v${value.version}` : String(value.schemaId);
}

/**
 * The rows of the current read, virtualised with @tanstack/react-virtual: only the ~30 visible rows are in the DOM,
 * so ten thousand rows and a live tail cost the same to render as one screenful.
 */
export function MessageTable({ version, newestFirst, selected, onSelect }: { version: number; newestFirst: boolean; selected: BrowsedRecord | undefined; onSelect(record: BrowsedRecord): void }) {
  const scroller = useRef<HTMLDivElement>(null);
  // The row count comes from the buffer; `version` is what tells React it changed.
  const count = rows.length;
  // eslint-disable-next-line react-hooks/incompatible-library -- the virtualizer is read during render by design
  const virtualizer = useVirtualizer({ count, getScrollElement: () => scroller.current, estimateSize: () => ROW_HEIGHT, overscan: 12 });
  const items = virtualizer.getVirtualItems();

  return (
    <div className="message-table" role="table" aria-label="Records" aria-rowcount={count} data-version={version}>
      <div className="message-row header" role="row">
        <span role="columnheader" title="Partition">Part.</span>
        <span role="columnheader">Offset</span>
        <span role="columnheader">Timestamp</span>
        <span role="columnheader">Key</span>
        <span role="columnheader">Value</span>
        <span role="columnheader">Headers</span>
        <span role="columnheader" title="Schema id · subject version">Schema</span>
      </div>
      <div className="message-scroller" ref={scroller} tabIndex={0} aria-label="Records, scrollable" style={{ height: Math.min(Math.max(count, 4) * ROW_HEIGHT + 2, MAX_HEIGHT) }}>
        <div style={{ height: virtualizer.getTotalSize(), position: 'relative' }}>
          {items.map((item) => {
            const record = rows.at(item.index, newestFirst);
            if (!record) return null;
            const isSelected = record === selected;
            return (
              <div
                key={`${record.partition}-${record.offset}`}
                role="row"
                aria-selected={isSelected}
                className={`message-row ${isSelected ? 'selected' : ''}`}
                style={{ transform: `translateY(${item.start}px)`, height: ROW_HEIGHT }}
                onClick={() => onSelect(record)}
                data-testid="message-row"
              >
                <span role="cell" className="num">{record.partition}</span>
                <span role="cell" className="num">{record.offset}</span>
                <span role="cell" className="num muted">{formatTimestamp(record.timestamp)}</span>
                <span role="cell" className={`payload fmt-${record.key.format}`} title={record.key.reason}>
                  {preview(record.key)}
                </span>
                <span role="cell" className={`payload fmt-${record.value.format}`} title={record.value.reason ?? record.value.warning}>
                  {record.value.format === 'hex' && <span className="fmt-tag">hex</span>}
                  {record.value.warning && (
                    <span className="fmt-tag warn" aria-label="decoded with a schema of another subject">
                      ⚠
                    </span>
                  )}
                  {preview(record.value)}
                </span>
                <span role="cell" className="num muted">{record.headers.length || ''}</span>
                <span role="cell" className="num muted">{schemaCell(record)}</span>
              </div>
            );
          })}
        </div>
      </div>
    </div>
  );
}
