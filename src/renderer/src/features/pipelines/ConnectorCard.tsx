import type { ConnectorStatus } from '../../../../shared/api';
import { formatCount, formatMs, formatRate } from '../../app/format';
import { StateBadge } from '../../app/StateBadge';
import { SnapshotProgress } from './SnapshotProgress';

/** What the user can do about a connector's error: the engine's message says what failed; this says who acts. */
function nextStep(connector: ConnectorStatus): string | undefined {
  if (!connector.error) return undefined;
  if (connector.state === 'FAILED') return 'Fix the cause above, then restart the connector. It resumes from its last checkpoint (source) or committed offset (sink): nothing is skipped.';
  if (connector.error.retriable) return 'Ferry keeps retrying with backoff; once the cause is fixed the connector recovers on its own. Restart to retry now.';
  return 'This will not fix itself: change the configuration or the database, then restart the connector.';
}

/**
 * A log-based source's phase: the consistent snapshot until every table was read once, then streaming from the
 * database's log, with where in the log it is (binlog file:pos and GTIDs, or the WAL LSN).
 */
function LogCapture({ connector }: { connector: ConnectorStatus }) {
  const tables = connector.tables ?? [];
  const done = tables.filter((table) => table.snapshotDone).length;
  const snapshotting = tables.length === 0 || done < tables.length;
  const position = connector.logPosition ?? '';
  const lag = connector.logLag;
  const log = /^[0-9A-F]+\/[0-9A-F]+$/i.test(position) ? 'WAL (logical replication slot)' : 'binlog';
  return (
    <div className={`log-capture ${snapshotting ? 'phase-snapshot' : 'phase-streaming'}`} data-testid={`log-capture-${connector.name}`}>
      <span className="phase-badge" data-testid={`capture-phase-${connector.name}`}>
        {snapshotting ? `Snapshot ${done}/${tables.length || '…'} tables` : `Streaming from the ${log}`}
      </span>
      <span className="muted small">{snapshotting ? 'then streaming from' : connector.caughtUp ? 'caught up at' : 'reading at'}</span>
      <code className="log-position" data-testid={`log-position-${connector.name}`} title="Where the connector is in the database's log; checkpointed once Kafka acknowledged the records before it">
        {position}
      </code>
      {lag?.behindBytes !== undefined && (
        <span className="small" data-testid={`log-lag-${connector.name}`} title={`Log written since the checkpoint ${lag.position}, measured ${new Date(lag.measuredAtMs).toLocaleTimeString()}`}>
          source lag <strong>{formatBytes(lag.behindBytes)}</strong> of {log === 'binlog' ? 'binlog' : 'WAL'}
        </span>
      )}
      {lag?.slot && (
        <span className={`small ${lag.slot.walStatus === 'lost' ? 'bad-text' : 'muted'}`} data-testid={`log-slot-${connector.name}`}>
          slot {lag.slot.name}
          {lag.slot.retainedWalBytes !== undefined ? ` keeps ${formatBytes(lag.slot.retainedWalBytes)} of WAL` : ''}
          {lag.slot.walStatus ? ` (${lag.slot.walStatus})` : ''}
        </span>
      )}
    </div>
  );
}

/** Bytes as people read them, in SI units: 0 B, 912 B, 14.2 kB, 3.1 MB. */
export function formatBytes(bytes: number): string {
  if (bytes < 1000) return `${Math.max(0, Math.round(bytes))} B`;
  const units = ['kB', 'MB', 'GB', 'TB'];
  let value = bytes / 1000;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit += 1;
  }
  return `${value.toFixed(value >= 100 ? 0 : 1)} ${units[unit]}`;
}

export function ConnectorCard({ connector, pipeline, busy, onRestart }: { connector: ConnectorStatus; pipeline: string; busy: boolean; onRestart: () => void }) {
  const metrics = connector.metrics;
  const canRestart = connector.state === 'FAILED' || connector.state === 'DEGRADED';
  const step = nextStep(connector);
  return (
    <section className={`panel connector connector-${connector.state.toLowerCase()}`} aria-label={`Connector ${connector.name}`} data-testid={`connector-${connector.name}`}>
      <header className="connector-header">
        <span className="role-tag">{connector.role}</span>
        <h3>{connector.name}</h3>
        <StateBadge state={connector.state} testId={`connector-state-${connector.name}`} />
        <button type="button" onClick={onRestart} disabled={busy || !canRestart} aria-label={`Restart connector ${connector.name}`} title={canRestart ? 'Stop and start this connector from its checkpoint' : 'Restart is offered when the connector failed or is degraded'}>
          {busy ? 'Restarting…' : 'Restart'}
        </button>
      </header>
      {connector.error && (
        <div className={connector.state === 'FAILED' ? 'problem' : 'notice-warn'} role={connector.state === 'FAILED' ? 'alert' : 'status'}>
          <strong>{connector.error.code}</strong>
          <p>{connector.error.message}</p>
          {step && <p className="next-step">What to do: {step}</p>}
        </div>
      )}
      {connector.role === 'source' && connector.logPosition && <LogCapture connector={connector} />}
      <dl className="metrics">
        {connector.role === 'source' ? (
          <>
            <div><dt>Rows read</dt><dd>{formatCount(metrics.rowsRead)}</dd></div>
            <div><dt>Produced</dt><dd>{formatCount(metrics.rowsProduced)}</dd></div>
          </>
        ) : (
          <>
            <div><dt>Applied</dt><dd>{formatCount(metrics.rowsApplied)}</dd></div>
            <div>
              <dt>Lag</dt>
              {/* A lag Kafka has not confirmed lately (brokers away, a FAILED sink) is an old value and a lower bound. */}
              {metrics.lagStale && metrics.lagAsOf !== undefined ? (
                <dd data-testid={`lag-${connector.name}`} title="Kafka has not answered a lag measurement since then; committed offsets cannot advance meanwhile, so the lag is at least this">
                  ≥ {formatCount(metrics.lag)} <span className="stale">(stale, as of {new Date(metrics.lagAsOf).toLocaleTimeString()})</span>
                </dd>
              ) : (
                <dd data-testid={`lag-${connector.name}`}>{formatCount(metrics.lag)}</dd>
              )}
            </div>
            <div><dt title="Over every record applied since the pipeline started; the chart shows it over time">Latency p50 / p99 (all)</dt><dd>{formatMs(metrics.latencyP50Ms)} / {formatMs(metrics.latencyP99Ms)}</dd></div>
          </>
        )}
        <div><dt>Rate</dt><dd>{formatRate(metrics.rowsPerSecond)}</dd></div>
        <div><dt>Errors</dt><dd>{formatCount(metrics.errors)}</dd></div>
        {connector.role === 'sink' && (
          <div>
            <dt>Dead letters</dt>
            <dd data-testid={`dlq-${connector.name}`}>
              {formatCount(metrics.deadLettered)}
              {connector.deadLetterTopic && (
                <a className="dlq-link" href={`#messages/${encodeURIComponent(connector.deadLetterTopic)}`} aria-label={`Open dead letter topic ${connector.deadLetterTopic} in the message viewer`}>
                  {connector.deadLetterTopic} →
                </a>
              )}
            </dd>
          </div>
        )}
      </dl>
      {connector.role === 'source' && connector.tables && connector.tables.length > 0 && <SnapshotProgress pipeline={pipeline} tables={connector.tables} />}
    </section>
  );
}
