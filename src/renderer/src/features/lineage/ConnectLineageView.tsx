import { useEffect, useRef, useState } from 'react';
import type { ConnectClusterChoice, ConnectLineage } from '../../../../shared/api';
import { formatCount, toProblem } from '../../app/format';
import { engine } from '../../engine';
import { LineageGraph } from './LineageGraph';
import { type LineageModel, lineageOfConnect } from './lineageModel';

/** Connect's connectors and Kafka's offsets change on their own: the lineage follows every few seconds. */
const POLL_MS = 3000;

/**
 * The lineage of a Kafka Connect cluster's connectors, drawn like a Ferry pipeline's: source tables → topics → target
 * tables, with the records each topic holds (end offsets) and each sink has applied (committed offsets) and its lag.
 */
export function ConnectLineageView({ choice }: { choice: ConnectClusterChoice }) {
  const [lineage, setLineage] = useState<ConnectLineage | undefined>();
  const [model, setModel] = useState<LineageModel | undefined>();
  const [problem, setProblem] = useState<{ code: string; message: string } | undefined>();
  const counts = useRef(new Map<string, number>());

  useEffect(() => {
    let live = true;
    counts.current = new Map();
    const load = async (): Promise<void> => {
      try {
        const next = await engine.connect.lineage(choice.ref);
        if (!live) return;
        const built = lineageOfConnect(next, counts.current);
        counts.current = new Map(built.edges.map((edge) => [edge.id, edge.count]));
        setLineage(next);
        setModel(built);
        setProblem(undefined);
      } catch (error) {
        if (live) setProblem(toProblem(error));
      }
    };
    void load();
    const timer = setInterval(() => void load(), POLL_MS);
    return () => {
      live = false;
      clearInterval(timer);
    };
  }, [choice]);

  return (
    <>
      {problem && (
        <div className="problem" role="alert">
          <strong>{problem.code}</strong>
          <p>{problem.message}</p>
        </div>
      )}
      {lineage && (
        <div className="kpis">
          <div className="kpi">
            <span className="kpi-label">Kafka Connect · {choice.label}</span>
            <span className="muted small">
              {lineage.connect} · Kafka {lineage.kafka ?? lineage.kafkaClusterId}
            </span>
          </div>
          {lineage.connectors.map((connector) => {
            const records = connector.topics.reduce((sum, topic) => sum + (connector.type === 'sink' ? (topic.committed ?? 0) : topic.records), 0);
            const lag = connector.topics.reduce((sum, topic) => sum + (topic.lag ?? 0), 0);
            return (
              <div className="kpi" key={connector.name} data-testid="connect-lineage-kpi">
                <span className="kpi-label">
                  {connector.name} <span className={`badge badge-${connector.state.toLowerCase()}`}>{connector.state}</span>
                </span>
                <span className="kpi-value">{formatCount(records)}</span>
                <span className="muted small">{connector.type === 'sink' ? `records applied · lag ${formatCount(lag)}` : connector.type === 'source' ? 'records in its topics' : 'records'}</span>
              </div>
            );
          })}
        </div>
      )}
      {lineage?.problem && (
        <p className="warning-text" role="note">
          {lineage.problem}
        </p>
      )}
      {model && lineage && (
        <div className="panel">
          <LineageGraph
            model={model}
            name={`Kafka Connect ${choice.label}`}
            emptyText={lineage.connectors.length === 0 ? `No connector runs on ${lineage.connect}: deploy a pipeline from the config editor (Deploy).` : 'Its connectors have not written or read a topic yet (Connect tracks them once records flow).'}
            large
          />
        </div>
      )}
    </>
  );
}
