import { useEffect, useRef } from 'react';
import type { BrowsedRecord, DecodedPayload } from '../../../../shared/api';
import { CopyButton } from '../../app/CopyButton';
import { formatTimestamp } from './MessageTable';

/** JSON is pretty-printed only here, for the one selected row: never for the thousands in the table. */
function pretty(payload: DecodedPayload): string {
  if (payload.format !== 'avro' && payload.format !== 'json') return payload.text;
  try {
    return JSON.stringify(JSON.parse(payload.text), null, 2);
  } catch {
    return payload.text;
  }
}

function Payload({ title, payload }: { title: string; payload: DecodedPayload }) {
  const text = pretty(payload);
  return (
    <section className="payload-block" aria-label={title}>
      <header>
        <h3>{title}</h3>
        <span className="badge">{payload.format}</span>
        <span className="muted small">{payload.size.toLocaleString('en-US')} bytes</span>
        {payload.schemaId !== undefined && (
          <span className="muted small">
            schema id {payload.schemaId}
            {payload.subject ? ` · ${payload.subject} v${payload.version ?? '?'}` : ''}
          </span>
        )}
        <CopyButton text={text} label={`Copy ${title.toLowerCase()}`} />
      </header>
      {payload.reason && (
        <p className="decode-reason" role="note">
          Shown as hex: {payload.reason}
        </p>
      )}
      {payload.warning && (
        <p className="decode-reason decode-warning" role="note" data-testid="decode-warning">
          ⚠ {payload.warning}
        </p>
      )}
      <pre className="payload-text">{text}</pre>
      {payload.truncated && <p className="muted small">Cut for display; Export JSON writes the whole value.</p>}
    </section>
  );
}

export function RecordDetail({ record, onClose }: { record: BrowsedRecord; onClose(): void }) {
  const section = useRef<HTMLElement>(null);
  // The detail sits below a tall table: a click on a row must not leave it out of sight.
  // Braces: Chromium's scrollIntoView returns a promise, which React would take for the effect's clean-up.
  useEffect(() => {
    section.current?.scrollIntoView({ block: 'nearest' });
  }, [record]);
  return (
    <section ref={section} className="panel record-detail" aria-label="Selected record">
      <header className="panel-header">
        <h2>
          Partition {record.partition} · offset {record.offset}
        </h2>
        <span className="muted small">{formatTimestamp(record.timestamp)}</span>
        <button type="button" onClick={onClose} aria-label="Close record">
          Close
        </button>
      </header>
      <div className="detail-grid">
        <Payload title="Key" payload={record.key} />
        <Payload title="Value" payload={record.value} />
      </div>
      <section aria-label="Headers">
        <h3>Headers</h3>
        {record.headers.length === 0 ? (
          <p className="muted small">No headers.</p>
        ) : (
          <table className="headers-table">
            <tbody>
              {record.headers.map((header, index) => (
                <tr key={`${header.name}-${index}`}>
                  <th scope="row">{header.name}</th>
                  <td>
                    <code>{header.value}</code>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
    </section>
  );
}
