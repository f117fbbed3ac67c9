import { useEffect, useState } from 'react';
import type { ConnectClusterChoice, ConnectDeployedConnector, ConnectDeployResult } from '../../../../shared/api';
import { useConfirm } from '../../app/ConfirmDialog';
import { toProblem } from '../../app/format';
import { engine } from '../../engine';

const ACTION_WORDS: Record<ConnectDeployedConnector['action'], string> = {
  created: 'created',
  updated: 'updated',
  'would-create': 'would be created',
  'would-update': 'would be updated',
  'not-sent': 'not sent',
};

/**
 * Deploy from the editor: the pipeline in the editor onto a Kafka Connect cluster (a Connect profile or the lab's
 * worker) with the engine's `ferry deploy` — first a dry run showing the configs that would be sent (secrets as ****)
 * and Connect's own validation errors per key, then the real thing. A prod profile asks first.
 */
export function DeployPanel({ currentText }: { currentText(): string }) {
  const [clusters, setClusters] = useState<ConnectClusterChoice[] | undefined>();
  const [key, setKey] = useState('');
  const [busy, setBusy] = useState<'dry' | 'deploy' | undefined>();
  const [result, setResult] = useState<ConnectDeployResult | undefined>();
  const [problem, setProblem] = useState<{ code: string; message: string } | undefined>();
  const [confirmDialog, confirm] = useConfirm();

  // The lab's worker and the Connect profiles, read when the tab opens.
  useEffect(() => {
    let live = true;
    engine.connect.clusters().then(
      (list) => {
        if (!live) return;
        setClusters(list);
        setKey((current) => (list.some((choice) => choice.key === current) ? current : (list[0]?.key ?? '')));
      },
      (error: unknown) => setProblem(toProblem(error)),
    );
    return () => {
      live = false;
    };
  }, []);

  const chosen = clusters?.find((choice) => choice.key === key);

  const deploy = async (dryRun: boolean): Promise<void> => {
    if (!chosen) return;
    setProblem(undefined);
    let confirmed: boolean | undefined;
    if (!dryRun && 'profileId' in chosen.ref) {
      const check = await engine.connections.checkWrite({ profileId: chosen.ref.profileId, action: 'deploy this pipeline to Kafka Connect' }).catch(() => undefined);
      if (check?.confirmationRequired) {
        if (!(await confirm({ title: 'Deploy to production?', message: check.prompt, confirmLabel: 'Deploy' }))) return;
        confirmed = true;
      }
    }
    setBusy(dryRun ? 'dry' : 'deploy');
    try {
      setResult(await engine.connect.deploy({ cluster: chosen.ref, text: currentText(), fileName: 'pipeline.json', dryRun, ...(confirmed ? { confirmed } : {}) }));
    } catch (error) {
      setResult(undefined);
      setProblem(toProblem(error));
    } finally {
      setBusy(undefined);
    }
  };

  return (
    <div className="deploy-panel" aria-label="Deploy to Kafka Connect">
      {confirmDialog}
      <p className="muted small">
        Deploys the pipeline in the editor to a Kafka Connect cluster as <code>ferry deploy</code> does: Connect validates every connector first and nothing is sent unless all pass.
      </p>
      {clusters && clusters.length === 0 ? (
        <p className="muted" role="note">
          No Connect cluster: save a Kafka Connect profile in <a href="#connections">Connections</a>, or start the lab&apos;s worker (<code>ferry lab up --connect</code>).
        </p>
      ) : (
        <div className="deploy-controls">
          <label className="field-inline grow">
            Cluster
            <select aria-label="Connect cluster" value={key} onChange={(event) => setKey(event.target.value)} disabled={!clusters}>
              {(clusters ?? []).map((choice) => (
                <option key={choice.key} value={choice.key}>
                  {choice.label} — {choice.url}
                  {choice.environment === 'prod' ? ' (PROD)' : ''}
                  {choice.passwordMissing ? ' (password not stored)' : ''}
                </option>
              ))}
            </select>
          </label>
          <button type="button" onClick={() => void deploy(true)} disabled={!chosen || busy !== undefined} title="Validate with the cluster and show what would be sent; nothing is created">
            {busy === 'dry' ? 'Checking…' : 'Dry run'}
          </button>
          <button type="button" className="primary" onClick={() => void deploy(false)} disabled={!chosen || busy !== undefined} title="Create or update the connectors on the cluster">
            {busy === 'deploy' ? 'Deploying…' : 'Deploy'}
          </button>
        </div>
      )}
      {problem && (
        <div className="problem" role="alert">
          <strong>{problem.code}</strong>
          <p>{problem.message}</p>
        </div>
      )}
      {result && <DeployResultView result={result} clusterKey={key} />}
    </div>
  );
}

function DeployResultView({ result, clusterKey }: { result: ConnectDeployResult; clusterKey: string }) {
  const errorCount = result.connectors.reduce((sum, connector) => sum + connector.errors.length, 0);
  return (
    <section className="deploy-result" aria-label="Deploy result" data-testid="deploy-result">
      <p className={result.ok ? 'notice-ok' : 'warning-text'} role="status">
        {result.ok
          ? result.dryRun
            ? `Dry run: Connect ${result.connectVersion ?? ''} at ${result.connect} accepts every connector of "${result.pipeline}". Nothing was sent.`
            : `Deployed "${result.pipeline}" to Connect ${result.connectVersion ?? ''} at ${result.connect}.`
          : `Nothing was sent: Connect found ${errorCount} error${errorCount === 1 ? '' : 's'} in the configs (below). Fix them and try again.`}
      </p>
      {result.ok && !result.dryRun && (
        <p className="small">
          <a href={`#connect/${encodeURIComponent(clusterKey)}`}>Watch it in Kafka Connect →</a> · <a href={`#lineage/${encodeURIComponent(`connect:${clusterKey}`)}`}>Lineage →</a>
        </p>
      )}
      {result.notes.length > 0 && (
        <ul className="deploy-notes small">
          {result.notes.map((note, index) => (
            <li key={index}>
              {note.key && <code>{note.key}</code>} {note.message}
            </li>
          ))}
        </ul>
      )}
      {result.connectors.map((connector) => (
        <article key={connector.name} className="deploy-connector" aria-label={`Connector ${connector.name}`}>
          <h3>
            {connector.name}{' '}
            <span className={`badge ${connector.errors.length > 0 ? 'badge-failed' : connector.action === 'not-sent' ? 'badge-paused' : 'badge-running'}`} data-testid="deploy-action">
              {ACTION_WORDS[connector.action]}
            </span>
          </h3>
          <p className="muted small">
            <code>{connector.connectorClass}</code> · {connector.validation === 'validated' ? (connector.errors.length === 0 ? 'valid for Connect' : 'refused by Connect') : 'not validated: the plugin is not installed there'}
          </p>
          {connector.errors.length > 0 && (
            <ul className="deploy-errors" aria-label={`Connect's errors for ${connector.name}`}>
              {connector.errors.map((error) => (
                <li key={error.key}>
                  <code>{error.key}</code>: {error.messages.join(' ')}
                </li>
              ))}
            </ul>
          )}
          {connector.notes.length > 0 && (
            <ul className="deploy-notes small">
              {connector.notes.map((note, index) => (
                <li key={index} className={note.kind === 'ferry-only' || note.kind === 'not-deployed' ? 'warning-text' : undefined}>
                  {note.key && <code>{note.key}</code>} {note.message}
                </li>
              ))}
            </ul>
          )}
          <details open={result.dryRun}>
            <summary>Config {result.dryRun ? 'that would be sent' : 'sent'} (PUT /connectors/{connector.name}/config)</summary>
            <pre className="deploy-config" data-testid="deploy-config">
              {JSON.stringify(connector.config, null, 2)}
            </pre>
          </details>
        </article>
      ))}
    </section>
  );
}
