import { useEffect, useState } from 'react';
import type { ConnectClusterChoice } from '../../../../shared/api';
import { engine } from '../../engine';
import { ConnectLineageView } from './ConnectLineageView';
import { formatCount, formatRate } from '../../app/format';
import { StateBadge } from '../../app/StateBadge';
import { usePipelinesStore } from '../pipelines/pipelinesStore';
import { LineageGraph } from './LineageGraph';

function selectedName(): string | undefined {
  const [, sub] = window.location.hash.replace(/^#/, '').split('/');
  return sub ? decodeURIComponent(sub) : undefined;
}

/** The presenter's view: one pipeline's lineage, large, with the few numbers stakeholders ask about. */
export function LineagePane() {
  const { pipelines, replicators, loaded, connect } = usePipelinesStore();
  useEffect(() => connect(), [connect]);
  const list = Object.values(pipelines).sort((a, b) => a.name.localeCompare(b.name));
  // Kafka Connect clusters (the lab's worker, Connect profiles) have a lineage too: `#lineage/connect:<key>`.
  const [clusters, setClusters] = useState<ConnectClusterChoice[]>([]);
  useEffect(() => {
    let live = true;
    engine.connect.clusters().then(
      (choices) => live && setClusters(choices),
      () => {},
    );
    return () => {
      live = false;
    };
  }, []);
  const wanted = selectedName();
  const connectChoice = wanted?.startsWith('connect:') ? clusters.find((choice) => `connect:${choice.key}` === wanted) : undefined;
  const status = connectChoice || wanted?.startsWith('connect:') ? undefined : ((wanted ? pipelines[wanted] : undefined) ?? list[0]);

  return (
    <div className="pane lineage-pane">
      <header className="pane-header">
        <div>
          <h1>Lineage</h1>
          <p className="muted">Where every row goes: source tables → Kafka topics → target tables, with the rows each hop carried.</p>
        </div>
        {status && (
          <a className="button-link" href={`#present/${encodeURIComponent(status.name)}`}>
            Presenter mode
          </a>
        )}
        {list.length + clusters.length > 1 && (
          <label className="field-inline">
            Pipeline
            <select value={connectChoice ? `connect:${connectChoice.key}` : status?.name} onChange={(event) => (window.location.hash = `lineage/${encodeURIComponent(event.target.value)}`)}>
              {list.map((entry) => (
                <option key={entry.name}>{entry.name}</option>
              ))}
              {clusters.map((choice) => (
                <option key={choice.key} value={`connect:${choice.key}`}>
                  Kafka Connect · {choice.label}
                </option>
              ))}
            </select>
          </label>
        )}
      </header>
      {connectChoice && <ConnectLineageView key={connectChoice.key} choice={connectChoice} />}
      {loaded && !status && !connectChoice && (
        <section className="panel empty-state" aria-label="No pipelines">
          <h2>Nothing to show yet</h2>
          <p className="muted">
            Start the <a href="#demo">demo</a> or run a pipeline from the <a href="#editor">config editor</a>; its lineage appears here live.
            {clusters.length > 0 && (
              <>
                {' '}
                Or see a Kafka Connect cluster&apos;s:{' '}
                {clusters.map((choice) => (
                  <a key={choice.key} href={`#lineage/${encodeURIComponent(`connect:${choice.key}`)}`}>
                    {choice.label}{' '}
                  </a>
                ))}
              </>
            )}
          </p>
        </section>
      )}
      {status && (
        <>
          <div className="kpis">
            <div className="kpi">
              <span className="kpi-label">{status.name}</span>
              <StateBadge state={status.state} />
            </div>
            {status.connectors.map((connector) => (
              <div className="kpi" key={connector.name}>
                <span className="kpi-label">{connector.name}</span>
                <span className="kpi-value">{formatCount(connector.role === 'source' ? connector.metrics.rowsProduced : connector.metrics.rowsApplied)}</span>
                <span className="muted small">rows · {formatRate(connector.metrics.rowsPerSecond)}</span>
              </div>
            ))}
          </div>
          <div className="panel">
            <LineageGraph status={status} replicators={replicators} large />
          </div>
        </>
      )}
    </div>
  );
}
