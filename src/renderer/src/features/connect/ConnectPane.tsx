import { useCallback, useEffect, useRef, useState } from 'react';
import type { ConnectClusterChoice, ConnectClusterInfo, ConnectClusterRef, ConnectConnectorView, ConnectState, ConnectTaskView } from '../../../../shared/api';
import { useConfirm } from '../../app/ConfirmDialog';
import { toProblem } from '../../app/format';
import { openPane } from '../../app/useHashPane';
import { engine } from '../../engine';
import { Field } from '../connections/Field';
import { editorHasUnsavedText, handToEditor } from '../editor/editorHandoff';
import { type Problem, ProblemBox } from '../kafka/KafkaPane';
import { connectorJsonFor, hasFailure, maskSecrets, stateSummary } from './connectModel';
import './connect.css';

/** Connect's states change on their own (a task fails, a rebalance moves it): the list follows every few seconds. */
const POLL_MS = 3000;

function ConnectBadge({ state, testId }: { state: ConnectState; testId?: string }) {
  return (
    <span className={`badge badge-${state.toLowerCase()}`} data-testid={testId}>
      {state}
    </span>
  );
}

/**
 * A Kafka Connect cluster watched from the app: its connectors and tasks with their state, why a failed one failed
 * (the root cause in one line, the whole trace on demand), pause / resume / restart of a connector or one task, and a
 * connector's config opened in the config editor. The password stays in this pane's memory only.
 */
function keyFromHash(): string | undefined {
  const [, sub] = window.location.hash.replace(/^#/, '').split('/');
  return sub ? decodeURIComponent(sub) : undefined;
}

export function ConnectPane() {
  const [choices, setChoices] = useState<ConnectClusterChoice[] | undefined>();
  const [key, setKey] = useState('');
  const [cluster, setCluster] = useState<ConnectClusterChoice | undefined>();
  const [info, setInfo] = useState<ConnectClusterInfo | undefined>();
  const [connectors, setConnectors] = useState<ConnectConnectorView[] | undefined>();
  const [selected, setSelected] = useState<string | undefined>();
  const [problem, setProblem] = useState<Problem | undefined>();
  const [busy, setBusy] = useState(false);

  const refresh = useCallback(async (target: ConnectClusterRef): Promise<void> => {
    try {
      setConnectors(await engine.connect.connectors(target));
    } catch (error) {
      setProblem(toProblem(error));
    }
  }, []);

  const connect = useCallback(
    async (choice: ConnectClusterChoice): Promise<void> => {
      setBusy(true);
      setProblem(undefined);
      try {
        setInfo(await engine.connect.test(choice.ref));
        setCluster(choice);
        await refresh(choice.ref);
      } catch (error) {
        setInfo(undefined);
        setCluster(undefined);
        setConnectors(undefined);
        setProblem(toProblem(error));
      } finally {
        setBusy(false);
      }
    },
    [refresh],
  );

  // The clusters: the running lab's worker and every Kafka Connect profile. One named in the URL (#connect/<key>, as
  // the editor's Deploy links) is opened at once.
  useEffect(() => {
    let live = true;
    engine.connect.clusters().then(
      (list) => {
        if (!live) return;
        setChoices(list);
        const wanted = keyFromHash();
        const initial = list.find((choice) => choice.key === wanted) ?? list[0];
        setKey(initial?.key ?? '');
        if (initial && wanted === initial.key) void connect(initial);
      },
      (error: unknown) => setProblem(toProblem(error)),
    );
    return () => {
      live = false;
    };
  }, [connect]);

  useEffect(() => {
    if (!cluster) return;
    const timer = setInterval(() => void refresh(cluster.ref), POLL_MS);
    return () => clearInterval(timer);
  }, [cluster, refresh]);

  const picked = choices?.find((choice) => choice.key === key);

  const chosen = connectors?.find((connector) => connector.name === selected);

  return (
    <div className="pane connect-pane">
      <header className="pane-header">
        <div>
          <h1>Kafka Connect</h1>
          <p className="muted">A Connect cluster&apos;s connectors and tasks: state, why a failed one failed, pause / resume / restart, and its config in the editor.</p>
        </div>
      </header>
      <form
        className="panel control-row"
        aria-label="Connect cluster"
        onSubmit={(event) => {
          event.preventDefault();
          if (picked) void connect(picked);
        }}
      >
        {choices && choices.length === 0 ? (
          <p className="muted grow" role="note">
            No Connect cluster yet: add a <strong>Kafka Connect</strong> profile (REST URL, basic auth) in <a href="#connections">Connections</a>, or start the lab&apos;s worker with <code>ferry lab up --connect</code>.
          </p>
        ) : (
          <Field label="Cluster" hint="The lab's worker and your Kafka Connect profiles (add one in Connections)" className="grow">
            <select value={key} onChange={(event) => setKey(event.target.value)} disabled={!choices}>
              {(choices ?? []).map((choice) => (
                <option key={choice.key} value={choice.key}>
                  {choice.label} — {choice.url}
                  {choice.environment === 'prod' ? ' (PROD)' : ''}
                  {choice.passwordMissing ? ' (password not stored)' : ''}
                </option>
              ))}
            </select>
          </Field>
        )}
        <button type="submit" className="primary" disabled={busy || !picked}>
          {busy ? 'Connecting…' : cluster && cluster.key === key ? 'Reconnect' : 'Connect'}
        </button>
        <a className="button-link" href="#connections">
          Manage profiles
        </a>
      </form>
      <ProblemBox problem={problem} onDismiss={() => setProblem(undefined)} />
      {info && connectors && (
        <p className="status-line" data-testid="connect-info">
          <span>
            Connect <strong>{info.version}</strong> at <code>{info.url}</code> · Kafka cluster <code>{info.kafkaClusterId}</code> · {info.plugins.length} connector plugins · {stateSummary(connectors)}
          </span>
        </p>
      )}
      {cluster && connectors && (
        <div className="kafka-split">
          <section className="panel kafka-list" aria-label="Connectors">
            <div className="kafka-list-tools">
              <button type="button" onClick={() => void refresh(cluster.ref)}>
                Refresh
              </button>
            </div>
            {connectors.length === 0 && <p className="muted">No connector on this cluster yet. Deploy a pipeline from the <a href="#editor">config editor</a> (Deploy) or with <code>ferry deploy FILE --connect {info?.url}</code>.</p>}
            <ul className="kafka-items">
              {connectors.map((connector) => (
                <li key={connector.name}>
                  <button type="button" className={connector.name === selected ? 'kafka-item active' : 'kafka-item'} onClick={() => setSelected(connector.name)} data-testid="connect-item">
                    <span className="kafka-item-name">{connector.name}</span>
                    <span className="connect-item-states">
                      <ConnectBadge state={connector.state} />
                      {connector.tasks.map((task) => (
                        <span key={task.id} className={`connect-task-dot badge-${task.state.toLowerCase()}`} title={`task ${task.id}: ${task.state}`} />
                      ))}
                      {hasFailure(connector) && <span className="muted small">failing</span>}
                    </span>
                  </button>
                </li>
              ))}
            </ul>
          </section>
          <div className="kafka-detail">
            {chosen ? (
              <ConnectorDetail key={chosen.name} cluster={cluster.ref} clusterUrl={cluster.url} clusterLabel={cluster.label} prod={cluster.environment === 'prod'} connector={chosen} onChanged={() => void refresh(cluster.ref)} onProblem={setProblem} />
            ) : (
              <p className="muted panel">{selected ? `"${selected}" is no longer on the cluster.` : 'Pick a connector to see its tasks.'}</p>
            )}
          </div>
        </div>
      )}
    </div>
  );
}

function ConnectorDetail({
  cluster,
  clusterUrl,
  clusterLabel,
  prod,
  connector,
  onChanged,
  onProblem,
}: {
  cluster: ConnectClusterRef;
  clusterUrl: string;
  clusterLabel: string;
  prod: boolean;
  connector: ConnectConnectorView;
  onChanged(): void;
  onProblem(problem: Problem): void;
}) {
  const [confirmDialog, confirm] = useConfirm();
  const [notice, setNotice] = useState<string | undefined>();
  const [acting, setActing] = useState<string | undefined>();
  const mounted = useRef(true);
  useEffect(
    () => () => {
      mounted.current = false;
    },
    [],
  );

  /** A prod profile's connectors change only after the user said yes (the engine refuses otherwise). */
  const act = async (label: string, action: (confirmed: boolean | undefined) => Promise<void>, done: string): Promise<void> => {
    let confirmed: boolean | undefined;
    if (prod) {
      const go = await confirm({ title: 'Change a production connector?', message: `"${clusterLabel}" is a PRODUCTION Kafka Connect profile. Really ${label.startsWith('task-') ? `restart task ${label.slice('task-'.length)} of` : label} ${connector.name}?`, confirmLabel: 'Yes, do it' });
      if (!go) return;
      confirmed = true;
    }
    setActing(label);
    try {
      await action(confirmed);
      if (mounted.current) setNotice(done);
      onChanged();
    } catch (error) {
      onProblem(toProblem(error));
    } finally {
      if (mounted.current) setActing(undefined);
    }
  };

  const openInEditor = async (): Promise<void> => {
    // The editor keeps its text across panes: replacing work the user has not saved needs their word.
    if (editorHasUnsavedText()) {
      const go = await confirm({
        title: 'Replace the unsaved editor text?',
        message: `The config editor holds changes that are not saved. Opening "${connector.name}" replaces them. Save them in the editor first to keep them.`,
        confirmLabel: 'Replace',
      });
      if (!go) return;
    }
    try {
      const config = await engine.connect.config(cluster, connector.name);
      const { config: safe, masked } = maskSecrets(config);
      handToEditor({
        connectorJson: connectorJsonFor(connector.name, safe),
        origin: `connector "${connector.name}" from ${clusterUrl}${masked.length > 0 ? ` (${masked.join(', ')} shown as ****: type the value or name a profile)` : ''}`,
      });
      openPane('editor');
    } catch (error) {
      onProblem(toProblem(error));
    }
  };

  const name = connector.name;
  return (
    <section className="panel" aria-label={`Connector ${name}`}>
      {confirmDialog}
      <header className="panel-header">
        <div>
          <h2 className="kafka-title">{name}</h2>
          <p className="muted small">
            <ConnectBadge state={connector.state} testId="connector-state" /> {connector.type ?? 'connector'} · <code>{connector.connectorClass ?? 'class unknown'}</code> · worker {connector.workerId}
          </p>
        </div>
        <div className="actions">
          {connector.state === 'PAUSED' ? (
            <button type="button" disabled={acting !== undefined} onClick={() => void act('resume', (confirmed) => engine.connect.resume(cluster, name, confirmed), `Asked Connect to resume ${name}.`)}>
              Resume
            </button>
          ) : (
            <button type="button" disabled={acting !== undefined} onClick={() => void act('pause', (confirmed) => engine.connect.pause(cluster, name, confirmed), `Asked Connect to pause ${name}.`)}>
              Pause
            </button>
          )}
          <button type="button" disabled={acting !== undefined} onClick={() => void act('restart', (confirmed) => engine.connect.restart(cluster, name, undefined, confirmed), `Asked Connect to restart ${name} and its failed tasks.`)} title="Restarts the connector and its failed tasks">
            {acting === 'restart' ? 'Restarting…' : 'Restart'}
          </button>
          <button type="button" onClick={() => void openInEditor()} title="Opens this connector's config in the config editor, wrapped in a pipeline">
            Open in editor
          </button>
        </div>
      </header>
      {notice && (
        <p className="notice-ok" role="status">
          {notice}
        </p>
      )}
      {connector.state === 'FAILED' && <FailureView what="The connector" rootCause={connector.rootCause} trace={connector.trace} />}
      <h3>Tasks</h3>
      {connector.tasks.length === 0 ? (
        <p className="muted">No task is running: {connector.state === 'FAILED' ? 'the connector failed before it made any.' : 'Connect has not assigned any yet.'}</p>
      ) : (
        <table className="data-table" aria-label="Tasks">
          <thead>
            <tr>
              <th>Task</th>
              <th>State</th>
              <th>Worker</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {connector.tasks.map((task) => (
              <TaskRow key={task.id} task={task} disabled={acting !== undefined} onRestart={() => void act(`task-${task.id}`, (confirmed) => engine.connect.restart(cluster, name, task.id, confirmed), `Asked Connect to restart task ${task.id} of ${name}.`)} />
            ))}
          </tbody>
        </table>
      )}
      {connector.tasks
        .filter((task) => task.state === 'FAILED')
        .map((task) => (
          <FailureView key={task.id} what={`Task ${task.id}`} rootCause={task.rootCause} trace={task.trace} />
        ))}
    </section>
  );
}

function TaskRow({ task, disabled, onRestart }: { task: ConnectTaskView; disabled: boolean; onRestart(): void }) {
  return (
    <tr data-testid="connect-task-row">
      <td>{task.id}</td>
      <td>
        <ConnectBadge state={task.state} testId="task-state" />
      </td>
      <td className="small">{task.workerId}</td>
      <td>
        <div className="row-actions">
          <button type="button" disabled={disabled} onClick={onRestart} aria-label={`Restart task ${task.id}`}>
            Restart task
          </button>
        </div>
      </td>
    </tr>
  );
}

function FailureView({ what, rootCause, trace }: { what: string; rootCause: string | undefined; trace: string | undefined }) {
  return (
    <div className="connect-failure" role="group" aria-label={`${what} failed`}>
      <p>
        <strong>{what} failed.</strong> Root cause: <span data-testid="root-cause">{rootCause ?? 'Connect gave no trace.'}</span>
      </p>
      {trace && (
        <details>
          <summary>Stack trace</summary>
          <pre className="connect-trace">{trace}</pre>
        </details>
      )}
    </div>
  );
}
