import { useEffect, useState } from 'react';
import type { ReplicationSlotInfo } from '../../../../shared/api';
import { useConfirm } from '../../app/ConfirmDialog';
import { toProblem } from '../../app/format';
import { engine } from '../../engine';
import { StateBadge } from '../../app/StateBadge';
import { LineageGraph } from '../lineage/LineageGraph';
import { ConnectorCard, formatBytes } from './ConnectorCard';
import { PipelineCharts } from './PipelineCharts';
import { usePipelinesStore } from './pipelinesStore';
import './pipelines.css';

/** Every running pipeline: state, lineage with live counts, charts over time, and each connector with its cause and actions. */
export function PipelinesPane() {
  const { pipelines, replicators, history, loaded, busy, problem, connect, act, restart, dismissProblem } = usePipelinesStore();
  useEffect(() => connect(), [connect]);
  const [confirmDialog, confirm] = useConfirm();
  const list = Object.values(pipelines).sort((a, b) => a.name.localeCompare(b.name));
  const [slotNotice, setSlotNotice] = useState<{ kind: 'ok' | 'warn'; text: string } | undefined>();
  const stopPipeline = async (name: string): Promise<void> => {
    // A PostgreSQL log source's slot outlives the pipeline: name it before stopping, and offer to drop it after.
    const slots: ReplicationSlotInfo[] = await engine.pipelines.replicationSlots(name).catch(() => []);
    const kept = slots.filter((slot) => slot.exists);
    const go = await confirm({
      title: `Stop pipeline ${name}?`,
      message: `Its connectors stop capturing and applying changes. Checkpoints are kept: running the pipeline again carries on where it stopped.${
        kept.length > 0 ? ` Its replication slot${kept.length > 1 ? 's' : ''} ${kept.map((slot) => slot.slot).join(', ')} stay${kept.length > 1 ? '' : 's'} on the database; you can drop ${kept.length > 1 ? 'them' : 'it'} next.` : ''
      }`,
      confirmLabel: 'Stop pipeline',
    });
    if (!go) return;
    await act(name, 'stop');
    if (kept.length === 0) return;
    const described = kept.map((slot) => `${slot.slot} on ${slot.database}${slot.retainedWalBytes === undefined ? '' : ` keeps ${formatBytes(slot.retainedWalBytes)} of WAL`}`).join('; ');
    const publications = kept.filter((slot) => slot.dropsPublication && slot.publicationExists).map((slot) => slot.publication);
    const drop = await confirm({
      title: `Drop the replication slot${kept.length > 1 ? 's' : ''} of ${name}?`,
      message:
        `${described}. PostgreSQL keeps WAL for a slot until it is dropped, also while nothing reads it, so an abandoned slot fills the disk. ` +
        `Drop it if you will not run this pipeline again${publications.length > 0 ? ` (the publication ${publications.join(', ')}, which Ferry made, goes too)` : ''}: its next run takes a new snapshot. Cancel keeps it, to resume where the pipeline stopped.`,
      confirmLabel: kept.length > 1 ? 'Drop slots' : 'Drop slot',
    });
    if (!drop) {
      setSlotNotice({ kind: 'warn', text: `Kept the replication slot${kept.length > 1 ? 's' : ''} ${kept.map((slot) => slot.slot).join(', ')} of ${name}: the database keeps WAL for ${kept.length > 1 ? 'them' : 'it'} until the pipeline runs again or \`ferry slots drop\` removes ${kept.length > 1 ? 'them' : 'it'}.` });
      return;
    }
    try {
      const dropped = await engine.pipelines.dropReplicationSlots(name);
      setSlotNotice({
        kind: 'ok',
        text: dropped
          .map((result) => `${result.slotDropped ? `Dropped the slot ${result.slot}` : `No slot ${result.slot} to drop`}${result.publicationDropped ? ` and the publication ${result.publication}` : ''}${result.checkpointCleared ? '; the next run takes a new snapshot' : ''}${result.note ? ` (${result.note})` : ''}.`)
          .join(' '),
      });
    } catch (error) {
      const problem = toProblem(error);
      setSlotNotice({ kind: 'warn', text: `${problem.code}: ${problem.message}` });
    }
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
      {slotNotice && (
        <div className={slotNotice.kind === 'ok' ? 'panel' : 'notice-warn'} role="status" data-testid="slot-notice">
          <p>{slotNotice.text}</p>
          <button type="button" onClick={() => setSlotNotice(undefined)}>
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
