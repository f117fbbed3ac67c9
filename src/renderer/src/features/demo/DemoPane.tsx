import { useEffect, useState } from 'react';
import { useConfirm } from '../../app/ConfirmDialog';
import { formatCount, formatMs, formatRate } from '../../app/format';
import { StateBadge } from '../../app/StateBadge';
import { useElapsedSeconds } from '../../app/useElapsed';
import { LineageGraph } from '../lineage/LineageGraph';
import { usePipelinesStore } from '../pipelines/pipelinesStore';
import { useDemoStore } from './demoStore';
import './demo.css';

const STAGES = [
  // PGlite serves no logical replication (no walsender), so the demo cannot read its log: triggers keep a change log
  // that the source polls, which carries deletes too. The engine's status says it in full (status.capture).
  { title: 'Source', detail: 'PostgreSQL (PGlite) with an order simulator that also cancels (deletes) orders; captured by triggers into a change log, polled (PGlite has no logical replication)' },
  { title: 'Kafka', detail: 'the local lab cluster, Avro records; deletes as tombstones' },
  { title: 'Schema Registry', detail: 'embedded, Confluent-compatible' },
  { title: 'Target', detail: 'PostgreSQL (PGlite), upserts and deletes' },
];

/** The first screen: one button runs the embedded default end to end, live, until stopped. */
export function DemoPane() {
  const { status, busy, busySince, problem, connect, start, stop } = useDemoStore();
  const pipelines = usePipelinesStore((state) => state.pipelines);
  const history = usePipelinesStore((state) => state.history);
  const replicators = usePipelinesStore((state) => state.replicators);
  const connectPipelines = usePipelinesStore((state) => state.connect);
  useEffect(() => connect(), [connect]);
  useEffect(() => connectPipelines(), [connectPipelines]);
  const elapsed = useElapsedSeconds(busySince);
  const [bootstrap, setBootstrap] = useState('');
  const [showExternal, setShowExternal] = useState(false);

  const state = status?.state ?? 'idle';
  const running = state === 'running';
  const localMissing = status !== undefined && !status.localKafka.available;
  const pipeline = status?.pipeline ? pipelines[status.pipeline] : undefined;
  const sink = pipeline?.connectors.find((connector) => connector.role === 'sink');
  const source = pipeline?.connectors.find((connector) => connector.role === 'source');
  // Latency now (the last second's records), not since start: the rows seeded before the start are minutes old.
  const recent = status?.pipeline && sink ? history[status.pipeline]?.[sink.name]?.findLast((point) => point.latencyP50Ms !== undefined) : undefined;
  const canStart = !busy && (state === 'idle' || state === 'failed');
  const [confirmDialog, confirm] = useConfirm();
  const confirmStop = async (): Promise<void> => {
    const go = await confirm({
      title: 'Stop the demo?',
      message: 'The order simulator and the demo pipeline stop; the lineage, charts and Messages stop moving. Start the demo again to carry on.',
      confirmLabel: 'Stop demo',
    });
    if (go) await stop();
  };

  return (
    <div className="pane demo-pane">
      <section className="panel hero" aria-label="Demo">
        <header className="panel-header">
          <div>
            <h1>Demo: replicate a live order database</h1>
            <p className="muted">
              One click starts a source database that keeps taking orders, captures every change into Kafka as Avro, and applies it to a target database. Every pane
              of Ferry then shows it live.
            </p>
          </div>
          <div className="actions">
            {running || state === 'stopping' ? (
              <button type="button" className="danger" onClick={() => void confirmStop()} disabled={busy !== undefined || state === 'stopping'}>
                {busy === 'stop' || state === 'stopping' ? 'Stopping…' : 'Stop demo'}
              </button>
            ) : localMissing ? null : (
              <button type="button" className="primary large" onClick={() => void start()} disabled={!canStart}>
                {busy === 'start' ? 'Starting…' : 'Start the demo'}
              </button>
            )}
          </div>
        </header>
        <ol className="stages" aria-label="What the demo runs">
          {STAGES.map((stage) => (
            <li key={stage.title}>
              <strong>{stage.title}</strong>
              <span className="muted small">{stage.detail}</span>
            </li>
          ))}
        </ol>
        <div className={localMissing && !busy ? 'status-line empty' : 'status-line'} aria-live="polite" data-testid="demo-status-line">
          {busy === 'start' && (
            <span className="progress-text">
              <span className="spinner" aria-hidden="true" /> {status?.step ?? 'Starting…'} ({elapsed?.toFixed(0) ?? 0} s)
            </span>
          )}
          {busy === 'stop' && `${status?.step ?? 'Stopping…'} (${elapsed?.toFixed(0) ?? 0} s)`}
          {!busy && running && (
            <span className="live">
              <span className="live-dot" aria-hidden="true" /> Live: pipeline <strong>{status?.pipeline}</strong> on Kafka {status?.kafka}
            </span>
          )}
          {!busy && state === 'idle' && !localMissing && 'Needs nothing but this machine: the local Kafka starts from the lab (Java and Maven), the databases run inside Ferry.'}
          {!status && !problem && 'Asking the engine…'}
        </div>
        {localMissing && (
          <div className="notice-warn" role="alert" data-testid="demo-missing-kafka">
            <strong>The local Kafka cannot start here</strong>
            <p>{status?.localKafka.message}</p>
          </div>
        )}
        {(problem ?? status?.error) && (
          <div className="problem" role="alert" data-testid="demo-problem">
            <strong>{(problem ?? status?.error)?.code}</strong>
            <p>{(problem ?? status?.error)?.message}</p>
          </div>
        )}
        {!running && (
          <div className="external">
            {!localMissing && !showExternal ? (
              <button type="button" className="link-button" onClick={() => setShowExternal(true)}>
                Use an existing Kafka cluster instead…
              </button>
            ) : (
              <form
                className="external-form"
                onSubmit={(event) => {
                  event.preventDefault();
                  void start(bootstrap.trim());
                }}
              >
                <label>
                  Bootstrap servers
                  <input value={bootstrap} onChange={(event) => setBootstrap(event.target.value)} placeholder="broker1:9092,broker2:9092" spellCheck={false} />
                </label>
                <button type="submit" className="primary" disabled={!canStart || bootstrap.trim() === ''}>
                  Start with this cluster
                </button>
                <span className="muted small">Plaintext, no authentication; the demo creates and later deletes its topics there.</span>
              </form>
            )}
          </div>
        )}
        <p className="own-data">
          <a href="#connections">Start from my own databases →</a>
        </p>
      </section>

      {running && status && (
        <>
          <div className="kpis" aria-label="Demo figures">
            <div className="kpi">
              <span className="kpi-label">Pipeline</span>
              {pipeline ? <StateBadge state={pipeline.state} testId="demo-pipeline-state" /> : <span className="muted">starting…</span>}
            </div>
            <div className="kpi">
              <span className="kpi-label">Orders simulated</span>
              <span className="kpi-value" data-testid="demo-orders">{formatCount(status.simulated?.orders ?? 0)}</span>
            </div>
            <div className="kpi">
              <span className="kpi-label">Orders cancelled</span>
              <span className="kpi-value" data-testid="demo-cancelled">{formatCount(status.simulated?.cancellations ?? 0)}</span>
              <span className="muted small" data-testid="demo-cancellations-applied">
                {status.cancellationsApplied === undefined ? 'deletes: waiting for the target' : `${formatCount(status.cancellationsApplied)} deleted in the target`}
              </span>
            </div>
            <div className="kpi">
              <span className="kpi-label">Rows captured</span>
              <span className="kpi-value">{formatCount(source?.metrics.rowsProduced ?? 0)}</span>
              <span className="muted small">{formatRate(source?.metrics.rowsPerSecond ?? 0)}</span>
            </div>
            <div className="kpi">
              <span className="kpi-label">Rows applied</span>
              <span className="kpi-value" data-testid="demo-applied">{formatCount(sink?.metrics.rowsApplied ?? 0)}</span>
              <span className="muted small">{formatRate(sink?.metrics.rowsPerSecond ?? 0)}</span>
            </div>
            <div className="kpi">
              <span className="kpi-label">End-to-end latency now</span>
              <span className="kpi-value" data-testid="demo-latency">{formatMs(recent?.latencyP50Ms ?? sink?.metrics.latencyP50Ms)}</span>
              <span className="muted small">p99 {formatMs(recent?.latencyP99Ms ?? sink?.metrics.latencyP99Ms)}</span>
            </div>
          </div>
          <section className="panel" aria-label="Demo lineage">
            <header className="panel-header">
              <h2>Lineage</h2>
              <div className="actions">
                <a className="button-link" href="#pipelines">
                  Pipeline details →
                </a>
                <a className="button-link" href={`#lineage/${encodeURIComponent(status.pipeline ?? '')}`}>
                  Present →
                </a>
              </div>
            </header>
            {pipeline ? <LineageGraph status={pipeline} replicators={replicators} /> : <p className="muted">Waiting for the pipeline's first status…</p>}
          </section>
          <section className="panel created" aria-label="What the demo created">
            <h2>What the demo created</h2>
            <dl>
              <dt>Topics</dt>
              <dd>
                {status.topics.map((topic) => (
                  <a key={topic} className="chip" href={`#messages/${encodeURIComponent(topic)}`} aria-label={`Open topic ${topic} in the message viewer`}>
                    {topic}
                  </a>
                ))}
              </dd>
              <dt>Tables</dt>
              <dd>
                {status.tables.map((table) => (
                  <span key={table.source} className="chip">
                    {table.source} → {table.target}
                  </span>
                ))}
              </dd>
              <dt>Capture</dt>
              <dd data-testid="demo-capture">{status.capture}</dd>
              <dt>Schema Registry</dt>
              <dd>
                <code>{status.schemaRegistry}</code>
              </dd>
            </dl>
          </section>
        </>
      )}
      {confirmDialog}
    </div>
  );
}
