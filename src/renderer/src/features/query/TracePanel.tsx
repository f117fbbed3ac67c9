import { useEffect } from 'react';
import type { QueryValue, TraceHop, TraceRecord, TraceReport, TraceRow } from '../../../../shared/api';
import { formatMs } from '../../app/format';

export type TraceState = { status: 'loading'; title: string } | { status: 'failed'; title: string; code: string; message: string } | { status: 'done'; title: string; report: TraceReport };

const OP_LABEL: Record<TraceRecord['op'], string> = { c: 'insert', u: 'update', d: 'delete' };

function time(ms: number | undefined): string {
  if (ms === undefined) return '–';
  const date = new Date(ms);
  return `${date.toISOString().slice(11, 23)} UTC`;
}

function text(value: QueryValue | undefined): string {
  return value === null || value === undefined ? 'NULL' : String(value);
}

function RowValues({ row, highlight, label }: { row: TraceRow; highlight?: ReadonlySet<string>; label: string }) {
  if (!row.found) return <p className="muted small journey-missing">No row with this key.</p>;
  return (
    <table className="journey-values" aria-label={label}>
      <tbody>
        {row.columns.map((column, index) => (
          <tr key={column} className={highlight?.has(column.toLowerCase()) ? 'changed' : ''}>
            <th scope="row">{column}</th>
            <td>{text(row.values[index])}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function Hop({ hop }: { hop: TraceHop | undefined }) {
  return (
    <li className="journey-hop" aria-label={hop ? `${hop.label}: ${formatMs(hop.ms)}` : 'hop time unknown'}>
      <span className="hop-line" aria-hidden="true" />
      {hop ? (
        <span className="hop-pill" data-testid={`hop-${hop.from}-${hop.to}`}>
          {formatMs(hop.ms)} <span className="muted">· {hop.label}</span>
        </span>
      ) : (
        <span className="hop-pill muted">time unknown</span>
      )}
    </li>
  );
}

function RecordCard({ record, current, index }: { record: TraceRecord; current: boolean; index: number }) {
  const hop = record.sourceTimestampMs === undefined ? undefined : record.timestampMs - record.sourceTimestampMs;
  return (
    <li className={`journey-step kafka ${current ? 'current' : 'earlier'}`} data-testid={`trace-record-${index}`}>
      <span className="journey-node" aria-hidden="true">K</span>
      <div className="journey-card">
        <header>
          <h4>Kafka record</h4>
          <span className={`op-badge op-${record.op}`} title={record.opInferred ? 'Inferred from the order of records: JDBC sources send whole rows' : 'From the record'}>
            {OP_LABEL[record.op]}
            {record.opInferred ? '' : ' ✓'}
          </span>
          {current && <span className="current-badge">current state</span>}
        </header>
        <dl className="journey-meta">
          <dt>Where</dt>
          <dd>
            <code data-testid={`record-position-${index}`}>
              {record.topic} · partition {record.partition} · offset {record.offset}
            </code>
          </dd>
          {record.sourcePosition && (
            <>
              <dt>In the log</dt>
              <dd>
                <code data-testid={`record-log-position-${index}`}>{record.sourcePosition}</code>
                {record.snapshot && <span className="muted small"> · read by the snapshot</span>}
              </dd>
            </>
          )}
          <dt>Schema</dt>
          <dd>
            {record.schemaId === undefined ? (
              <span className="muted">JSON (no registry schema)</span>
            ) : (
              <>
                id {record.schemaId}
                {record.subject ? ` · ${record.subject}` : ''}
                {record.version === undefined ? '' : ` v${record.version}`}
              </>
            )}
          </dd>
          <dt>Appended</dt>
          <dd>
            {time(record.timestampMs)}
            {hop !== undefined && !current && <span className="muted"> · {formatMs(hop)} after the change</span>}
          </dd>
          <dt>Changed</dt>
          <dd>{time(record.sourceTimestampMs)} <span className="muted small">(ferry.source.ts)</span></dd>
        </dl>
        {record.value && (
          <details className="journey-details">
            <summary>Decoded value</summary>
            <table className="journey-values">
              <tbody>
                {Object.entries(record.value).map(([column, value]) => (
                  <tr key={column}>
                    <th scope="row">{column}</th>
                    <td>{text(value)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </details>
        )}
        {record.tombstone && <p className="muted small">Tombstone (null value): deletes the row.</p>}
      </div>
    </li>
  );
}

function SinkCard({ record }: { record: TraceRecord }) {
  const write = record.write;
  if (!write) return null;
  const evidence = {
    'applied-log': 'applied by this engine',
    'committed-offset': 'applied (committed offset; time unknown)',
    'dead-letter': 'sent to the dead letter topic',
    pending: 'not applied yet',
  }[write.evidence];
  return (
    <li className={`journey-step sink evidence-${write.evidence}`} data-testid="trace-sink">
      <span className="journey-node" aria-hidden="true">S</span>
      <div className="journey-card">
        <header>
          <h4>Sink write</h4>
          <span className={`evidence evidence-${write.evidence}`}>{evidence}</span>
        </header>
        <dl className="journey-meta">
          <dt>Connector</dt>
          <dd>{write.connector}</dd>
          <dt>Transaction</dt>
          <dd>
            {write.evidence === 'applied-log'
              ? `offsets ${write.firstOffset}–${write.lastOffset} of partition ${write.partition} (${write.records} record${write.records === 1 ? '' : 's'}) in one commit`
              : `offset ${write.firstOffset} of partition ${write.partition}`}
          </dd>
          <dt>Committed</dt>
          <dd>{time(write.committedAtMs)}</dd>
          <dt>Into</dt>
          <dd>
            <code>{write.targetTable}</code>
          </dd>
        </dl>
      </div>
    </li>
  );
}

/**
 * A row's journey as a vertical timeline: source row → its record(s) in the topic → the sink's write → the target
 * row, with the time each hop took. Older records of the row are shown above the one that carries its current state.
 */
export function TracePanel({ state, onClose }: { state: TraceState; onClose(): void }) {
  useEffect(() => {
    const onKey = (event: KeyboardEvent): void => {
      if (event.key === 'Escape') onClose();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [onClose]);

  const report = state.status === 'done' ? state.report : undefined;
  const current = report ? [...report.records].reverse().find((record) => !record.tombstone) ?? report.records[report.records.length - 1] : undefined;
  const hop = (from: TraceHop['from']): TraceHop | undefined => report?.hops.find((entry) => entry.from === from);
  const differing = new Set((report?.target?.differences ?? []).map((difference) => difference.name.toLowerCase()));

  return (
    <aside className="trace-drawer" role="dialog" aria-label="Row journey" aria-modal="false">
      <header className="trace-header">
        <div>
          <p className="eyebrow">Row journey</p>
          <h3>{state.title}</h3>
          {report && (
            <p className="muted small">
              {report.pipeline} · {report.sourceConnector} → <code>{report.topic}</code>
              {report.sinkConnector ? ` → ${report.sinkConnector}` : ''}
            </p>
          )}
        </div>
        <button type="button" className="icon-button" onClick={onClose} aria-label="Close the row journey" title="Close (Esc)">
          ×
        </button>
      </header>
      {state.status === 'loading' && (
        <p className="muted trace-loading" aria-busy="true">
          <span className="spinner" aria-hidden="true" /> Reading the source row, scanning the topic and the target…
        </p>
      )}
      {state.status === 'failed' && (
        <div className="problem" role="alert">
          <strong>{state.code}</strong>
          <p>{state.message}</p>
        </div>
      )}
      {report && (
        <div className="trace-body">
          <div className="trace-summary">
            <div className="summary-figure">
              <span className="summary-value" data-testid="trace-total">{report.totalMs === undefined ? '–' : formatMs(report.totalMs)}</span>
              <span className="summary-label">source change → target commit</span>
            </div>
            <div className="summary-figure">
              <span className="summary-value">{report.records.length}</span>
              <span className="summary-label">record{report.records.length === 1 ? '' : 's'} in Kafka</span>
            </div>
            <div className="summary-figure">
              <span className={`summary-value ${report.target?.equal === true ? 'ok-text' : report.target?.equal === false ? 'bad-text' : ''}`} data-testid="trace-equal">
                {report.target?.equal === true ? 'Equal' : report.target?.equal === false ? 'Differs' : '–'}
              </span>
              <span className="summary-label">target vs source</span>
            </div>
          </div>
          <ol className="journey" aria-label="Hops">
            <li className="journey-step source" data-testid="trace-source">
              <span className="journey-node" aria-hidden="true">DB</span>
              <div className="journey-card">
                <header>
                  <h4>Source row</h4>
                  <span className={report.source.found ? 'found-badge' : 'missing-badge'}>{report.source.found ? 'found' : 'not found'}</span>
                </header>
                <dl className="journey-meta">
                  <dt>Table</dt>
                  <dd>
                    <code>{report.source.table}</code> <span className="muted small">{report.source.database}</span>
                  </dd>
                  <dt>Key</dt>
                  <dd>
                    {Object.entries(report.key).map(([column, value]) => (
                      <span key={column} className="key-chip">
                        {column} = {text(value)}
                      </span>
                    ))}
                  </dd>
                  {report.source.changedAtMs !== undefined && (
                    <>
                      <dt>Changed</dt>
                      <dd>
                        {time(report.source.changedAtMs)} <span className="muted small">({report.source.changedAtColumn})</span>
                      </dd>
                    </>
                  )}
                </dl>
                <details className="journey-details">
                  <summary>Values now</summary>
                  <RowValues row={report.source} label="Source values" />
                </details>
              </div>
            </li>
            {report.records.map((record, index) => (
              <RecordStep key={`${record.partition}-${record.offset}`} record={record} index={index} current={record === current} hop={record === current ? hop('source') : undefined} />
            ))}
            {report.records.length === 0 && (
              <li className="journey-step empty">
                <span className="journey-node" aria-hidden="true">K</span>
                <div className="journey-card muted">No record of this row in {report.topic} (see the notes).</div>
              </li>
            )}
            {current?.write && (
              <>
                <Hop hop={hop('kafka')} />
                <SinkCard record={current} />
              </>
            )}
            {report.target && (
              <li className={`journey-step target ${report.target.equal === false ? 'differs' : ''}`} data-testid="trace-target">
                <span className="journey-node" aria-hidden="true">DB</span>
                <div className="journey-card">
                  <header>
                    <h4>Target row</h4>
                    {report.target.equal === true && <span className="found-badge">equal to source</span>}
                    {report.target.equal === false && (
                      <span className="missing-badge">
                        {report.target.differences.length === 1 ? '1 column differs' : report.target.differences.length > 1 ? `${report.target.differences.length} columns differ` : 'differs'}
                      </span>
                    )}
                    {!report.target.found && <span className="missing-badge">not found</span>}
                  </header>
                  <dl className="journey-meta">
                    <dt>Table</dt>
                    <dd>
                      <code>{report.target.table}</code> <span className="muted small">{report.target.database}</span>
                    </dd>
                  </dl>
                  {report.target.differences.length > 0 && (
                    <table className="journey-diff" aria-label="Differences">
                      <thead>
                        <tr>
                          <th>column</th>
                          <th>source</th>
                          <th>target</th>
                        </tr>
                      </thead>
                      <tbody>
                        {report.target.differences.map((difference) => (
                          <tr key={difference.name}>
                            <th scope="row">{difference.name}</th>
                            <td>{difference.source ?? 'NULL'}</td>
                            <td className="changed">{difference.target ?? 'NULL'}</td>
                          </tr>
                        ))}
                      </tbody>
                    </table>
                  )}
                  <details className="journey-details" open={report.target.equal === false}>
                    <summary>Values now</summary>
                    <RowValues row={report.target} highlight={differing} label="Target values" />
                  </details>
                </div>
              </li>
            )}
          </ol>
          <p className="muted small scan-line">
            Scanned {report.scan.scanned.toLocaleString('en-US')} record{report.scan.scanned === 1 ? '' : 's'} in {report.scan.partitions} partition{report.scan.partitions === 1 ? '' : 's'}{' '}
            {report.scan.from === 'beginning' ? 'from the beginning' : report.scan.from === 'row-time' ? "from the row's change time" : 'at the end of the topic'}
            {report.scan.capped ? ' (capped)' : ''} · traced in {formatMs(report.tookMs)}
          </p>
          {report.notes.length > 0 && (
            <ul className="trace-notes">
              {report.notes.map((note) => (
                <li key={note}>{note}</li>
              ))}
            </ul>
          )}
        </div>
      )}
    </aside>
  );
}

function RecordStep({ record, index, current, hop }: { record: TraceRecord; index: number; current: boolean; hop: TraceHop | undefined }) {
  return (
    <>
      {current && <Hop hop={hop} />}
      <RecordCard record={record} current={current} index={index} />
    </>
  );
}
