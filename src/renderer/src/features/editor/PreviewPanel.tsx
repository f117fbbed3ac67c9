import { Fragment } from 'react';
import type { ConnectorPreview, LogSourcePreview, PipelinePreview, PreviewField, PreviewRecord, PreviewTransformSample } from '../../../../shared/api';
import { formatBytes } from '../pipelines/ConnectorCard';

function fieldText(field: PreviewField): string {
  return field.value === null ? 'null' : field.value === '' ? '""' : field.value;
}

/** A record's topic, key, value and headers; what differs from `previous` is marked. */
function SampleRecord({ record, previous }: { record: PreviewRecord; previous?: PreviewRecord }) {
  const changed = (part: 'key' | 'value', field: PreviewField): boolean => {
    if (!previous) return false;
    const before = previous[part]?.find((candidate) => candidate.name === field.name);
    return !before || before.value !== field.value || before.type !== field.type;
  };
  const rows = (part: 'key' | 'value', fields: PreviewField[]) =>
    fields.map((field) => (
      <tr key={`${part}.${field.name}`} className={changed(part, field) ? 'sample-changed' : undefined}>
        <td>{part}</td>
        <td>{field.name}</td>
        <td>
          <code>{field.type}</code>
        </td>
        <td>
          <code>{fieldText(field)}</code>
        </td>
      </tr>
    ));
  // A field gone and a new one with the same type and value, in order: a rename (ReplaceField's `renames`).
  const renamed: string[] = [];
  const removed: string[] = [];
  for (const part of ['key', 'value'] as const) {
    const prefix = part === 'key' ? 'key.' : '';
    const added = (record[part] ?? []).filter((field) => !previous?.[part]?.some((candidate) => candidate.name === field.name));
    for (const field of previous?.[part] ?? []) {
      if (record[part]?.some((candidate) => candidate.name === field.name)) continue;
      const match = added.findIndex((candidate) => candidate.type === field.type && candidate.value === field.value);
      if (match >= 0) renamed.push(`${prefix}${field.name} → ${added.splice(match, 1)[0]?.name ?? ''}`);
      else removed.push(`${prefix}${field.name}`);
    }
  }
  return (
    <>
      <p className="small">
        Topic <code className={previous && previous.topic !== record.topic ? 'sample-changed' : undefined}>{record.topic}</code>
        {record.key === null && <span className="muted"> · no key</span>}
        {record.value === null && <span className="muted"> · tombstone (null value)</span>}
        {record.headers.length > 0 && (
          <>
            {' '}
            · headers {record.headers.map((header) => <code key={header.name} className="chip">{`${header.name}=${header.value}`}</code>)}
          </>
        )}
        {renamed.length > 0 && <span className="muted"> · renamed: {renamed.join(', ')}</span>}
        {removed.length > 0 && <span className="muted"> · removed: {removed.join(', ')}</span>}
      </p>
      <table className="columns sample-record">
        <thead>
          <tr>
            <th scope="col">Part</th>
            <th scope="col">Field</th>
            <th scope="col">Type</th>
            <th scope="col">Value</th>
          </tr>
        </thead>
        <tbody>
          {rows('key', record.key ?? [])}
          {rows('value', record.value ?? [])}
        </tbody>
      </table>
    </>
  );
}

const OUTCOME_TEXT = { applied: 'applied', skipped: 'skipped', 'not-run': 'not run by Ferry', dropped: 'dropped the record', failed: 'failed' } as const;

/** One sample record before the connector's transforms and after each step. */
function TransformSample({ sample }: { sample: PreviewTransformSample }) {
  // The record each step received: the one before the chain, then the last step's that kept a record.
  const priors = sample.steps.reduce<(PreviewRecord | undefined)[]>((list, step, index) => [...list, step.record ?? list[index]], [sample.before ?? undefined]);
  return (
    <details className="preview-table transform-sample" open aria-label="Sample through the transforms">
      <summary>
        <strong>Sample through the transforms</strong> <span className="muted small">{sample.origin}</span>
      </summary>
      {sample.missing && <p className="muted">{sample.missing}</p>}
      {sample.before && (
        <div className="sample-step" data-step="before">
          <h4>Before the transforms</h4>
          <SampleRecord record={sample.before} />
        </div>
      )}
      {sample.steps.map((step, index) => {
        const prior = priors[index];
        return (
          <div key={`${index}.${step.alias}`} className="sample-step" data-step={step.alias}>
            <h4>
              {index + 1}. {step.alias} <code>{step.type}</code> <span className={step.outcome === 'dropped' || step.outcome === 'failed' ? 'badge badge-degraded' : 'muted small'}>{OUTCOME_TEXT[step.outcome]}</span>
            </h4>
            {step.note && <p className={step.outcome === 'failed' || step.outcome === 'dropped' ? 'warning-text small' : 'small'}>{step.note}</p>}
            {step.record && step.outcome === 'applied' && <SampleRecord record={step.record} {...(prior ? { previous: prior } : {})} />}
          </div>
        );
      })}
    </details>
  );
}

/** A log source: the binlog or the slot and publication as they are now, what is missing, and what the snapshot reads. */
function LogState({ log }: { log: LogSourcePreview }) {
  const facts: Array<[string, string, 'ok' | 'bad' | undefined]> = [];
  if (log.binlog) {
    const binlog = log.binlog;
    facts.push(['Binlog now', `${binlog.file}:${binlog.position}`, undefined]);
    facts.push(['GTID position', binlog.gtid ?? '—', undefined]);
    facts.push(['binlog_format', binlog.format, binlog.format.toUpperCase() === 'ROW' ? 'ok' : 'bad']);
    facts.push(['binlog_row_image', binlog.rowImage, binlog.rowImage.toUpperCase() === 'FULL' ? 'ok' : 'bad']);
    facts.push(['Server', `${binlog.version} · server_id ${binlog.serverId}`, undefined]);
  }
  if (log.wal) {
    facts.push(['WAL now', log.wal.currentLsn, undefined]);
    facts.push(['wal_level', log.wal.walLevel, log.wal.walLevel === 'logical' ? 'ok' : 'bad']);
  }
  if (log.slot) {
    const slot = log.slot;
    const state = !slot.exists ? 'not there yet: the first start creates it' : `${slot.active ? 'active' : 'inactive'}${slot.plugin ? ` · ${slot.plugin}` : ''}${slot.walStatus ? ` · ${slot.walStatus}` : ''}`;
    facts.push([`Slot ${slot.name}`, state, slot.walStatus === 'lost' ? 'bad' : undefined]);
    if (slot.exists) {
      facts.push(['Confirmed LSN', slot.confirmedLsn ?? '—', undefined]);
      facts.push(['Retained WAL', slot.retainedWalBytes === undefined ? '—' : formatBytes(slot.retainedWalBytes), undefined]);
    }
  }
  if (log.publication) {
    const publication = log.publication;
    const state = publication.exists
      ? publication.allTables
        ? 'FOR ALL TABLES'
        : publication.tables.length === 0
          ? 'no tables'
          : publication.tables.join(', ')
      : publication.autocreate === 'disabled'
        ? 'missing (autocreate disabled)'
        : `not there yet: the first start creates it (${publication.autocreate})`;
    facts.push([`Publication ${publication.name}`, state, !publication.exists && publication.autocreate === 'disabled' ? 'bad' : undefined]);
  }
  const total = log.snapshot.tables.reduce((sum, table) => sum + (table.estimatedRows ?? 0), 0);
  return (
    <details className="preview-table log-state" open aria-label={log.kind === 'binlog' ? 'Binlog state' : 'Replication slot state'}>
      <summary>
        <strong>{log.kind === 'binlog' ? 'Binlog' : 'Replication slot and publication'}</strong>{' '}
        {log.problems.length === 0 ? <span className="badge badge-running">ready for log capture</span> : <span className="badge badge-degraded">{log.problems.length} to fix</span>}
      </summary>
      <table className="columns">
        <tbody>
          {facts.map(([label, value, mark]) => (
            <tr key={label} className={mark === 'bad' ? 'lossy' : undefined}>
              <th scope="row" style={{ overflowWrap: 'anywhere' }}>
                {label}
              </th>
              <td>
                <code style={{ whiteSpace: 'normal', overflowWrap: 'anywhere' }}>{value}</code>
                {mark === 'bad' && <span className="warning-text"> ⚠</span>}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {log.problems.length > 0 && (
        <div className="notice-warn" role="status">
          <strong>The pipeline would stop at start until these are fixed:</strong>
          {log.problems.map((problem) => (
            <p key={problem}>{problem}</p>
          ))}
        </div>
      )}
      <h4>
        Snapshot <code>snapshot.mode={log.snapshot.mode}</code>
      </h4>
      <p className="small">{log.snapshot.note}</p>
      {log.snapshot.tables.length > 0 && (
        <table className="columns">
          <thead>
            <tr>
              <th scope="col">Table</th>
              <th scope="col">Estimated rows</th>
            </tr>
          </thead>
          <tbody>
            {log.snapshot.tables.map((table) => (
              <tr key={table.table}>
                <td>{table.table}</td>
                <td>{table.estimatedRows === null ? '—' : table.estimatedRows.toLocaleString('en-US')}</td>
              </tr>
            ))}
            {log.snapshot.tables.length > 1 && (
              <tr>
                <td>
                  <strong>Total</strong>
                </td>
                <td>
                  <strong>{total.toLocaleString('en-US')}</strong>
                </td>
              </tr>
            )}
          </tbody>
        </table>
      )}
      {log.schemaChangeTopic && (
        <p className="small">
          DDL goes to the schema change topic <code>{log.schemaChangeTopic}</code> (<code>include.schema.changes</code>).
        </p>
      )}
    </details>
  );
}

function SourcePreview({ connector }: { connector: ConnectorPreview }) {
  return (
    <section className="preview-connector" aria-label={`Preview of ${connector.name}`}>
      <h3>
        <span className="role-tag">source</span> {connector.name}
      </h3>
      {connector.error && (
        <div className="notice-warn" role="status">
          <strong>{connector.error.code}</strong>
          <p>{connector.error.message}</p>
          <p className="small">The rest of the file can still be checked; the table preview needs the database.</p>
        </div>
      )}
      {connector.log && <LogState log={connector.log} />}
      {!connector.error && connector.tables.length === 0 && <p className="muted">No table matches the include/exclude lists.</p>}
      {connector.transformSample && <TransformSample sample={connector.transformSample} />}
      {connector.tables.map((table) => {
        const lossy = table.columns.filter((column) => column.warning);
        return (
          <details key={table.table} className="preview-table" open={connector.tables.length <= 2 || lossy.length > 0}>
            <summary>
              <strong>{table.table}</strong> → <code>{table.topic}</code>
              {table.sink && (
                <>
                  {' '}
                  → <strong>{table.sink.table}</strong>
                </>
              )}
              {lossy.length > 0 && <span className="badge badge-degraded">{lossy.length} lossy</span>}
            </summary>
            {table.sink && needsQuoting(table.sink.table) && (
              <p className="warning-text small" role="note">
                The target name <code>{table.sink.table}</code> needs quoting in SQL (it has characters other than letters, digits and _, or starts with a digit): Ferry quotes it, but hand-written queries and tools must too
                {table.sink.table.includes('-') && (
                  <>
                    {' '}
                    (a hyphen comes from <code>topic.prefix</code>; <code>table.name.format</code> can name the table otherwise)
                  </>
                )}
                .
              </p>
            )}
            <table className="columns">
              <thead>
                <tr>
                  <th scope="col">Column</th>
                  <th scope="col">Source</th>
                  <th scope="col">Avro / Connect</th>
                  <th scope="col">Target</th>
                </tr>
              </thead>
              <tbody>
                {table.columns.map((column) => (
                  <Fragment key={column.name}>
                    <tr className={column.warning ? 'lossy' : undefined}>
                      <td>
                        {column.name}
                        {column.optional ? <span className="muted" title="nullable">?</span> : null}
                      </td>
                      <td>
                        <code>{column.sourceType}</code>
                      </td>
                      <td>
                        <code>{column.connectType}</code>
                      </td>
                      <td>
                        <code>{column.targetType ?? '—'}</code>
                      </td>
                    </tr>
                    {column.warning && (
                      <tr className="lossy warning-row">
                        <td colSpan={4} className="warning-text">
                          ⚠ {column.warning}
                        </td>
                      </tr>
                    )}
                  </Fragment>
                ))}
              </tbody>
            </table>
            <details className="avro">
              <summary>
                Avro schema · subject <code>{table.subject}</code>
              </summary>
              <pre>{JSON.stringify(table.avroSchema, null, 2)}</pre>
            </details>
          </details>
        );
      })}
      {connector.excludedTables.length > 0 && (
        <p className="muted small">
          Left out by the lists: {connector.excludedTables.slice(0, 20).join(', ')}
          {connector.excludedTables.length > 20 ? ` and ${connector.excludedTables.length - 20} more` : ''}
        </p>
      )}
    </section>
  );
}

/** A table name (each part of `schema.table`) that SQL accepts only quoted. */
function needsQuoting(qualified: string): boolean {
  return qualified.split('.').some((part) => !/^[A-Za-z_][A-Za-z0-9_]*$/.test(part));
}

/** What the config will do before it runs: tables matched, topics to create, Avro schemas, lossy type hops. */
export function PreviewPanel({ preview, loading, error, onRefresh }: { preview: PipelinePreview | undefined; loading: boolean; error: string | undefined; onRefresh: () => void }) {
  const topics = [...new Set(preview?.connectors.filter((connector) => connector.role === 'source').flatMap((connector) => connector.topics) ?? [])];
  return (
    <div className="preview" data-testid="preview">
      <div className="preview-toolbar">
        <button type="button" onClick={onRefresh} disabled={loading}>
          {loading ? 'Reading the source…' : 'Refresh preview'}
        </button>
        {loading && <span className="spinner" aria-label="Loading preview" />}
      </div>
      {error && (
        <div className="problem" role="alert">
          <p>{error}</p>
        </div>
      )}
      {!preview && !loading && !error && <p className="muted">Preview reads the source database to show which tables match, their topics and Avro schemas, and where a type loses precision.</p>}
      {preview && !preview.valid && <p className="muted">Fix the errors in Problems first; the preview needs a valid file.</p>}
      {preview?.valid && (
        <>
          <p className="small">
            <strong>Topics to create:</strong> {topics.length === 0 ? <span className="muted">none found</span> : topics.map((topic) => <code key={topic} className="chip">{topic}</code>)}
          </p>
          {preview.connectors
            .filter((connector) => connector.role === 'source')
            .map((connector) => (
              <SourcePreview key={connector.name} connector={connector} />
            ))}
          {preview.connectors
            .filter((connector) => connector.role === 'sink')
            .map((connector) => (
              <div key={connector.name}>
                <p className="small">
                  <span className="role-tag">sink</span> <strong>{connector.name}</strong> reads {connector.topics.map((topic) => <code key={topic} className="chip">{topic}</code>)}
                </p>
                {connector.transformSample && <TransformSample sample={connector.transformSample} />}
              </div>
            ))}
        </>
      )}
    </div>
  );
}
