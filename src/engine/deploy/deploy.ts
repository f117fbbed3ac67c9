/**
 * `ferry deploy` / `ferry undeploy`: a pipeline's connectors onto a Kafka Connect cluster over its REST API. Every
 * connector is validated by the cluster first (where its plugin is installed) and nothing is created unless all of
 * them pass, so a half-deployed pipeline never runs.
 */
import type { ResolvedPipeline } from '../config/types';
import { ConnectRestClient, type ConnectEndpoint, type ConnectorState, rootCauseOf } from './connectRest';
import { type DeployNote, maskConfig, planConnectDeployment, revealConfig, undeclaredKeys } from './translate';

export interface KeyError {
  key: string;
  /** Connect's own messages for the key. */
  messages: string[];
}

export type DeployAction = 'created' | 'updated' | 'would-create' | 'would-update' | 'not-sent';

export interface ConnectorDeployResult {
  name: string;
  connectorClass: string;
  /** What is (or would be) sent, secrets masked. */
  config: Record<string, string>;
  /** `validated`: the cluster checked it; `plugin-missing`: the class is not installed there, so it could not. */
  validation: 'validated' | 'plugin-missing';
  errors: KeyError[];
  action: DeployAction;
  notes: DeployNote[];
}

export interface DeployResult {
  pipeline: string;
  connect: string;
  /** The Kafka cluster the Connect workers use (GET /). */
  kafkaClusterId: string | undefined;
  connectVersion: string | undefined;
  dryRun: boolean;
  ok: boolean;
  connectors: ConnectorDeployResult[];
  notes: DeployNote[];
}

export async function deployPipeline(pipeline: ResolvedPipeline, endpoint: ConnectEndpoint, options: { dryRun: boolean }): Promise<DeployResult> {
  const client = new ConnectRestClient(endpoint);
  const plan = planConnectDeployment(pipeline);
  const info = await client.serverInfo();
  const installed = new Set((await client.plugins()).map((plugin) => plugin.class));
  const results: ConnectorDeployResult[] = [];
  for (const connector of plan.connectors) {
    const config = revealConfig(connector.config);
    const result: ConnectorDeployResult = {
      name: connector.name,
      connectorClass: connector.connectorClass,
      config: maskConfig(connector.config),
      validation: installed.has(connector.connectorClass) ? 'validated' : 'plugin-missing',
      errors: [],
      action: 'not-sent',
      notes: [...connector.notes],
    };
    if (result.validation === 'validated') {
      const validation = await client.validate(connector.connectorClass, config);
      for (const entry of validation.configs) {
        if (entry.value.errors.length > 0) result.errors.push({ key: entry.value.name, messages: entry.value.errors });
      }
      const declared = new Set(validation.configs.map((entry) => entry.definition.name));
      for (const key of undeclaredKeys(connector.config, declared)) {
        result.notes.push({ connector: connector.name, key, kind: 'ferry-only', message: `${connector.connectorClass} on this cluster does not declare \`${key}\`; Connect passes it on and the connector ignores it. Remove it, or keep it for Ferry` });
      }
    } else {
      result.notes.push({
        connector: connector.name,
        key: 'connector.class',
        kind: 'ferry-only',
        message: `${connector.connectorClass} is not installed on this Connect cluster, so it could not validate the config and the connector would fail to start: install the plugin on every worker first`,
      });
    }
    results.push(result);
  }
  const valid = results.every((result) => result.errors.length === 0);
  if (valid) {
    for (const [i, connector] of plan.connectors.entries()) {
      const result = results[i] as ConnectorDeployResult;
      if (options.dryRun) {
        result.action = (await client.config(connector.name)) === undefined ? 'would-create' : 'would-update';
      } else {
        result.action = (await client.putConfig(connector.name, revealConfig(connector.config))) ? 'created' : 'updated';
      }
    }
  }
  return {
    pipeline: plan.pipeline,
    connect: endpoint.url,
    kafkaClusterId: info.kafka_cluster_id,
    connectVersion: info.version,
    dryRun: options.dryRun,
    ok: valid,
    connectors: results,
    notes: plan.notes,
  };
}

export interface UndeployResult {
  pipeline: string;
  connect: string;
  connectors: { name: string; removed: boolean }[];
}

/** Deletes the pipeline's connectors (by name); one that is not there is reported, not an error. */
export async function undeployPipeline(pipeline: ResolvedPipeline, endpoint: ConnectEndpoint): Promise<UndeployResult> {
  const client = new ConnectRestClient(endpoint);
  const connectors: UndeployResult['connectors'] = [];
  for (const connector of pipeline.connectors) connectors.push({ name: connector.name, removed: await client.delete(connector.name) });
  return { pipeline: pipeline.name, connect: endpoint.url, connectors };
}

export interface DeployedStatus {
  name: string;
  state: ConnectorState | 'MISSING';
  tasks: { id: number; state: ConnectorState; rootCause?: string }[];
  rootCause?: string;
}

/** The state of each connector of the pipeline on the cluster, with the root cause of a failure in one line. */
export async function deployedStatus(pipeline: ResolvedPipeline, endpoint: ConnectEndpoint): Promise<DeployedStatus[]> {
  const client = new ConnectRestClient(endpoint);
  const out: DeployedStatus[] = [];
  for (const connector of pipeline.connectors) {
    const status = await client.status(connector.name);
    if (!status) {
      out.push({ name: connector.name, state: 'MISSING', tasks: [] });
      continue;
    }
    const rootCause = rootCauseOf(status.connector.trace);
    out.push({
      name: connector.name,
      state: status.connector.state,
      tasks: status.tasks.map((task) => {
        const cause = rootCauseOf(task.trace);
        return cause ? { id: task.id, state: task.state, rootCause: cause } : { id: task.id, state: task.state };
      }),
      ...(rootCause ? { rootCause } : {}),
    });
  }
  return out;
}
