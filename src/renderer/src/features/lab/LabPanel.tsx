import { useEffect, useState } from 'react';
import { useConfirm } from '../../app/ConfirmDialog';
import { ConnectionDetails } from './ConnectionDetails';
import { ServiceCard } from './ServiceCard';
import { type LabAction, useLabStore } from './labStore';

const BUSY_LABELS: Record<LabAction, string> = { up: 'Starting…', down: 'Stopping…', reset: 'Resetting…' };

function useElapsedSeconds(since: number | undefined): number | undefined {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (since === undefined) return;
    const timer = setInterval(() => setNow(Date.now()), 250);
    return () => clearInterval(timer);
  }, [since]);
  return since === undefined ? undefined : Math.max(0, (now - since) / 1000);
}

/** Start and stop the local services and see each one's state, endpoint and log, live from the engine. */
export function LabPanel() {
  const { status, busy, busySince, problem, notice, connect, run, dismissProblem } = useLabStore();
  useEffect(() => connect(), [connect]);
  const elapsed = useElapsedSeconds(busySince);
  const anyRunning = status?.services.some((service) => service.state === 'running') ?? false;
  const [confirmDialog, confirm] = useConfirm();
  const confirmStop = async (): Promise<void> => {
    const go = await confirm({
      title: 'Stop the lab?',
      message: 'Kafka, MariaDB and PostgreSQL stop: every pipeline, demo, replicator or query using them loses its connection until the lab starts again. Data is kept.',
      confirmLabel: 'Stop lab',
    });
    if (go) await run('down');
  };

  const confirmReset = (): void => {
    if (window.confirm(`Reset wipes every topic, table and log in ${status?.dir ?? 'the lab directory'}. Continue?`)) void run('reset');
  };

  return (
    <div className="lab">
      <section className="panel intro" aria-label="Local lab">
        <header className="panel-header">
          <div>
            <h1>Local lab</h1>
            <p className="muted">
              Two Apache Kafka clusters, MariaDB and PostgreSQL on 127.0.0.1, started from this machine&apos;s Java and database binaries. No Docker.
            </p>
          </div>
          <div className="actions">
            <button type="button" className="primary" onClick={() => void run('up')} disabled={busy !== undefined || status?.running === true}>
              {busy === 'up' ? BUSY_LABELS.up : status?.running ? 'Running' : 'Start lab'}
            </button>
            <button type="button" onClick={() => void confirmStop()} disabled={busy !== undefined || !anyRunning}>
              {busy === 'down' ? BUSY_LABELS.down : 'Stop lab'}
            </button>
            <button type="button" className="danger" onClick={confirmReset} disabled={busy !== undefined}>
              {busy === 'reset' ? BUSY_LABELS.reset : 'Reset…'}
            </button>
          </div>
        </header>
        <div className="status-line" aria-live="polite" data-testid="lab-status-line">
          {busy && `${BUSY_LABELS[busy]} ${elapsed?.toFixed(0) ?? 0} s`}
          {!busy && notice}
          {!busy && !notice && status && (status.running ? 'All services running.' : anyRunning ? 'Some services are running.' : 'The lab is stopped.')}
          {!status && !problem && 'Asking the engine…'}
        </div>
        {problem && (
          <div className="problem" role="alert" data-testid="lab-problem">
            <strong>{problem.code}</strong>
            <p>{problem.message}</p>
            <button type="button" onClick={dismissProblem}>
              Dismiss
            </button>
          </div>
        )}
        {status && <p className="muted small">Data, logs and state: <code>{status.dir}</code></p>}
      </section>
      {status && (
        <div className="service-grid">
          {status.services.map((service) => (
            <ServiceCard key={service.name} service={service} />
          ))}
        </div>
      )}
      {status && anyRunning && <ConnectionDetails endpoints={status.endpoints} />}
      {confirmDialog}
    </div>
  );
}
