import { useEffect } from 'react';
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
  const wanted = selectedName();
  const status = (wanted ? pipelines[wanted] : undefined) ?? list[0];

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
        {list.length > 1 && (
          <label className="field-inline">
            Pipeline
            <select value={status?.name} onChange={(event) => (window.location.hash = `lineage/${encodeURIComponent(event.target.value)}`)}>
              {list.map((entry) => (
                <option key={entry.name}>{entry.name}</option>
              ))}
            </select>
          </label>
        )}
      </header>
      {loaded && !status && (
        <section className="panel empty-state" aria-label="No pipelines">
          <h2>Nothing to show yet</h2>
          <p className="muted">
            Start the <a href="#demo">demo</a> or run a pipeline from the <a href="#editor">config editor</a>; its lineage appears here live.
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
