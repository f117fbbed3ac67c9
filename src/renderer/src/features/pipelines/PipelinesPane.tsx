import { useEffect } from 'react';
import { useConfirm } from '../../app/ConfirmDialog';
import { StateBadge } from '../../app/StateBadge';
import { LineageGraph } from '../lineage/LineageGraph';
import { ConnectorCard } from './ConnectorCard';
import { PipelineCharts } from './PipelineCharts';
import { usePipelinesStore } from './pipelinesStore';
import './pipelines.css';

/** Every running pipeline: state, lineage with live counts, charts over time, and each connector with its cause and actions. */
export function PipelinesPane() {
  const { pipelines, replicators, history, loaded, busy, problem, connect, act, restart, dismissProblem } = usePipelinesStore();
  useEffect(() => connect(), [connect]);
  const [confirmDialog, confirm] = useConfirm();
  const list = Object.values(pipelines).sort((a, b) => a.name.localeCompare(b.name));
  const stopPipeline = async (name: string): Promise<void> => {
    const go = await confirm({
      title: `Stop pipeline ${name}?`,
      message: 'Its connectors stop capturing and applying changes. Checkpoints are kept: running the pipeline again carries on where it stopped.',
      confirmLabel: 'Stop pipeline',
    });
    if (go) await act(name, 'stop');
  };

  return (
    <div className="pane pipelines-pane">
      <header className="pane-header">
        <div>
          <h1>Pipelines</h1>
          <p className="muted">State, throughput, lag and latency of every running pipeline, live.</p>
        </div>
      </header>
      {problem && (
        <div className="problem" role="alert">
          <strong>{problem.code}</strong>
          <p>{problem.message}</p>
          <button type="button" onClick={dismissProblem}>
            Dismiss
          </button>
        </div>
      )}
      {!loaded && <p className="muted" aria-live="polite">Asking the engine…</p>}
      {loaded && list.length === 0 && (
        <section className="panel empty-state" aria-label="No pipelines">
          <h2>No pipeline is running</h2>
          <p className="muted">
            Start the <a href="#demo">demo</a> to watch a live order database replicate, or write a pipeline in the <a href="#editor">config editor</a> and press
            Run (Ctrl+Enter).
          </p>
        </section>
      )}
      {list.map((status) => (
        <section key={status.name} className="pipeline" aria-label={`Pipeline ${status.name}`}>
          <header className="pipeline-header">
            <h2>{status.name}</h2>
            <StateBadge state={status.state} testId={`pipeline-state-${status.name}`} />
            <div className="actions">
              {status.state === 'PAUSED' ? (
                <button type="button" onClick={() => void act(status.name, 'resume')} disabled={busy[status.name] !== undefined}>
                  {busy[status.name] === 'resume' ? 'Resuming…' : 'Resume'}
                </button>
              ) : (
                <button
                  type="button"
                  onClick={() => void act(status.name, 'pause')}
                  disabled={busy[status.name] !== undefined || status.state === 'FAILED'}
                  title={status.state === 'FAILED' ? 'A failed pipeline has nothing to pause: restart its failed connector or stop it' : undefined}
                >
                  {busy[status.name] === 'pause' ? 'Pausing…' : 'Pause'}
                </button>
              )}
              <button type="button" className="danger" onClick={() => void stopPipeline(status.name)} disabled={busy[status.name] !== undefined}>
                {busy[status.name] === 'stop' ? 'Stopping…' : 'Stop'}
              </button>
              <a className="button-link" href={`#lineage/${encodeURIComponent(status.name)}`}>
                Present lineage
              </a>
              <a className="button-link" href={`#present/${encodeURIComponent(status.name)}`}>
                Presenter mode
              </a>
            </div>
          </header>
          <div className="panel">
            <LineageGraph status={status} replicators={replicators} />
          </div>
          <PipelineCharts status={status} series={history[status.name] ?? {}} />
          <div className="connectors">
            {status.connectors.map((connector) => (
              <ConnectorCard
                key={connector.name}
                connector={connector}
                pipeline={status.name}
                busy={busy[`${status.name}/${connector.name}`] !== undefined}
                onRestart={() => void restart(status.name, connector.name)}
              />
            ))}
          </div>
        </section>
      ))}
      {confirmDialog}
    </div>
  );
}
