/** The engine side of the app's Kafka Connect features (IConnectApi) over the same REST client `ferry deploy` uses. */
import type {
  ConnectClusterChoice,
  ConnectClusterInfo,
  ConnectClusterRef,
  ConnectConnectorView,
  ConnectDeployRequest,
  ConnectDeployResult,
  ConnectLineage,
  IConnectApi,
} from '../../shared/api/connect';
import type { ConnectProfile, StoredProfile } from '../../shared/api/connections';
import { EngineError } from '../../shared/errors';
import { type PipelineParseResult, requireValidPipeline } from '../config';
import { Secret } from '../config/secret';
import { ConnectRestClient, parseConnectUrl, rootCauseOf } from './connectRest';
import { ConnectLineageReader, type KafkaCandidate } from './connectLineage';
import { deployPipeline } from './deploy';

/** What the service needs from the rest of the engine (profiles, the lab, the pipeline parser); tests pass none. */
export interface ConnectServiceOptions {
  /** Saved Connect profiles (without secrets). */
  profiles?: () => (StoredProfile & ConnectProfile)[];
  /** A Connect profile's REST client with its password; throws naming what is missing. */
  profileClient?: (profileId: string, timeoutMs: number) => ConnectRestClient;
  /** The running lab's Connect worker, when it runs. */
  labConnectUrl?: () => Promise<string | undefined>;
  /** Parses a pipeline text as `ferry run` does (profile references resolved). */
  parsePipeline?: (text: string, fileName: string) => Promise<PipelineParseResult>;
  /** Throws PROFILE_WRITE_NOT_CONFIRMED for an unconfirmed write to a prod profile. */
  requireWriteConfirmation?: (profileId: string, confirmed: boolean | undefined, action: string) => void;
  /** Kafka clusters Ferry can reach, to find the workers' cluster for the lineage's counts. */
  kafkaCandidates?: () => Promise<KafkaCandidate[]>;
}

export class ConnectService implements IConnectApi {
  private readonly lineageReader: ConnectLineageReader;

  constructor(private readonly options: ConnectServiceOptions = {}) {
    this.lineageReader = new ConnectLineageReader(options.kafkaCandidates ?? (async () => []));
  }

  private clientFor(cluster: ConnectClusterRef, timeoutMs = 15_000): ConnectRestClient {
    if ('profileId' in cluster) {
      if (!this.options.profileClient) throw new EngineError('CONNECT_PROFILE_UNSUPPORTED', 'This engine has no connection profiles: give the Connect REST URL instead.');
      return this.options.profileClient(cluster.profileId, timeoutMs);
    }
    const auth = cluster.username ? { username: cluster.username, password: new Secret(cluster.password ?? '') } : undefined;
    return new ConnectRestClient(parseConnectUrl(cluster.url, auth), timeoutMs);
  }

  async clusters(): Promise<ConnectClusterChoice[]> {
    const choices: ConnectClusterChoice[] = [];
    const lab = await this.options.labConnectUrl?.().catch(() => undefined);
    if (lab) choices.push({ key: 'lab', label: 'Lab worker', url: lab, ref: { url: lab } });
    for (const profile of this.options.profiles?.() ?? []) {
      choices.push({
        key: profile.id,
        label: profile.name,
        url: profile.url,
        ref: { profileId: profile.id },
        environment: profile.environment,
        ...(profile.basicAuthUser && !profile.hasSecret ? { passwordMissing: true } : {}),
      });
    }
    return choices;
  }

  async test(cluster: ConnectClusterRef): Promise<ConnectClusterInfo> {
    const client = this.clientFor(cluster);
    const info = await client.serverInfo();
    const plugins = await client.plugins();
    return { url: client.url, version: info.version, kafkaClusterId: info.kafka_cluster_id, plugins: plugins.filter((p) => p.type === 'source' || p.type === 'sink').map((p) => p.class) };
  }

  async connectors(cluster: ConnectClusterRef): Promise<ConnectConnectorView[]> {
    const client = this.clientFor(cluster);
    const statuses = await client.statuses();
    return statuses
      .map((status): ConnectConnectorView => {
        const rootCause = rootCauseOf(status.connector.trace);
        return {
          name: status.name,
          ...(status.type ? { type: status.type } : {}),
          ...(status.connectorClass ? { connectorClass: status.connectorClass } : {}),
          state: status.connector.state,
          workerId: status.connector.worker_id,
          ...(status.connector.trace ? { trace: status.connector.trace } : {}),
          ...(rootCause ? { rootCause } : {}),
          tasks: status.tasks.map((task) => {
            const cause = rootCauseOf(task.trace);
            return { id: task.id, state: task.state, workerId: task.worker_id, ...(task.trace ? { trace: task.trace } : {}), ...(cause ? { rootCause: cause } : {}) };
          }),
        };
      })
      .sort((a, b) => a.name.localeCompare(b.name));
  }

  async config(cluster: ConnectClusterRef, connector: string): Promise<Record<string, string>> {
    return (await this.clientFor(cluster).config(connector)) ?? {};
  }

  /** A prod profile's connectors change only with the user's confirmation (the app asks; scripts pass confirmed). */
  private guard(cluster: ConnectClusterRef, confirmed: boolean | undefined, action: string): void {
    if ('profileId' in cluster) this.options.requireWriteConfirmation?.(cluster.profileId, confirmed, action);
  }

  async pause(cluster: ConnectClusterRef, connector: string, confirmed?: boolean): Promise<void> {
    this.guard(cluster, confirmed, `pause connector "${connector}"`);
    await this.clientFor(cluster).pause(connector);
  }

  async resume(cluster: ConnectClusterRef, connector: string, confirmed?: boolean): Promise<void> {
    this.guard(cluster, confirmed, `resume connector "${connector}"`);
    await this.clientFor(cluster).resume(connector);
  }

  async restart(cluster: ConnectClusterRef, connector: string, task?: number, confirmed?: boolean): Promise<void> {
    this.guard(cluster, confirmed, task === undefined ? `restart connector "${connector}"` : `restart task ${task} of "${connector}"`);
    const client = this.clientFor(cluster);
    if (task === undefined) await client.restart(connector, { includeTasks: true, onlyFailed: true });
    else await client.restartTask(connector, task);
  }

  async deploy(request: ConnectDeployRequest): Promise<ConnectDeployResult> {
    if (!this.options.parsePipeline) throw new EngineError('CONNECT_DEPLOY_UNSUPPORTED', 'This engine cannot parse pipelines: use `ferry deploy FILE --connect URL`.');
    const fileName = request.fileName ?? 'pipeline.json';
    // The same parse as Run (profile references resolved), then the same deploy as `ferry deploy`.
    const pipeline = requireValidPipeline(await this.options.parsePipeline(request.text, fileName), fileName);
    if (!request.dryRun) this.guard(request.cluster, request.confirmed, `deploy pipeline "${pipeline.name}" to this Kafka Connect cluster`);
    const client = this.clientFor(request.cluster, 30_000);
    const result = await deployPipeline(pipeline, client.endpoint, { dryRun: request.dryRun });
    return result;
  }

  async lineage(cluster: ConnectClusterRef): Promise<ConnectLineage> {
    return this.lineageReader.read(this.clientFor(cluster));
  }
}
