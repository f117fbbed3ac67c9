import { useEffect, useState } from 'react';
import type { ClusterChoice } from '../../../../shared/api';
import { toProblem } from '../../app/format';
import { engine } from '../../engine';
import { Field } from '../connections/Field';
import { GroupsView } from './GroupsView';
import { clusterRefKey, findCluster, KAFKA_TABS, kafkaHash, type KafkaTab, parseKafkaHash } from './kafkaModel';
import { SchemasView } from './SchemasView';
import { TopicsView } from './TopicsView';
import './kafka.css';

export type Problem = { code: string; message: string };

export function ProblemBox({ problem, onDismiss }: { problem: Problem | undefined; onDismiss(): void }) {
  if (!problem) return null;
  return (
    <div className="problem" role="alert">
      <strong>{problem.code}</strong>
      <p>{problem.message}</p>
      <button type="button" onClick={onDismiss}>
        Dismiss
      </button>
    </div>
  );
}

/** Topics, consumer groups and Schema Registry subjects of the clusters Ferry connects to (the lab's and the profiles'). */
export function KafkaPane() {
  const [route, setRoute] = useState(() => parseKafkaHash(window.location.hash));
  const [clusters, setClusters] = useState<ClusterChoice[]>([]);
  const [clusterKey, setClusterKey] = useState('lab:a');
  const [problem, setProblem] = useState<Problem | undefined>();

  useEffect(() => {
    const onHash = (): void => setRoute(parseKafkaHash(window.location.hash));
    window.addEventListener('hashchange', onHash);
    return () => window.removeEventListener('hashchange', onHash);
  }, []);
  useEffect(() => {
    engine.topics.clusters().then(setClusters, (error: unknown) => setProblem(toProblem(error)));
  }, []);

  const cluster = findCluster(clusters, clusterKey);
  const open = (tab: KafkaTab, item?: string): void => {
    window.location.hash = kafkaHash(tab, item);
  };

  return (
    <div className="pane kafka-pane">
      <header className="pane-header">
        <div>
          <h1>Kafka</h1>
          <p className="muted">Topics with partitions, offsets and configs; consumer groups with lag and offset resets; Schema Registry subjects, versions and diffs.</p>
        </div>
        <Field label="Cluster">
          <select value={clusterKey} onChange={(event) => setClusterKey(event.target.value)}>
            {clusters.map((choice) => (
              <option key={clusterRefKey(choice.ref)} value={clusterRefKey(choice.ref)}>
                {choice.label}
                {choice.environment === 'prod' ? ' (PROD)' : ''} — {choice.bootstrap}
              </option>
            ))}
          </select>
        </Field>
      </header>
      <ProblemBox problem={problem} onDismiss={() => setProblem(undefined)} />
      <nav className="tabs kafka-tabs" aria-label="Kafka views">
        {KAFKA_TABS.map((tab) => (
          <a key={tab.id} href={`#${kafkaHash(tab.id)}`} className={tab.id === route.tab ? 'tab active' : 'tab'} aria-current={tab.id === route.tab ? 'page' : undefined}>
            {tab.label}
          </a>
        ))}
      </nav>
      {cluster && route.tab === 'topics' && <TopicsView key={clusterKey} cluster={cluster} selected={route.item} onSelect={(topic) => open('topics', topic)} />}
      {cluster && route.tab === 'groups' && <GroupsView key={clusterKey} cluster={cluster} selected={route.item} onSelect={(group) => open('groups', group)} />}
      {route.tab === 'schemas' && <SchemasView clusters={clusters} selected={route.item} onSelect={(subject) => open('schemas', subject)} />}
    </div>
  );
}
