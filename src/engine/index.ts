import type { IEngineApi, SystemInfo } from '../shared/api';
import type { IDisposable } from '../shared/lifecycle';
import { FERRY_VERSION } from './base/version';
import { createLogger } from './base/logger';
import { ConnectionsService } from './connections';
import { ConnectService } from './deploy/connectService';
import { DemoService, type DemoServiceOptions } from './demo/demoService';
import { serveMissingLocalRegistries } from './host/localRegistry';
import { createLab, type LabOptions } from './lab';
import { PipelinesService } from './pipeline';
import { QueryService } from './query';
import { ReplicatorsService } from './replicator';
import type { ISecretProtector } from './store';
import { SchemasService, TopicsService } from './topics';
import { PipelineCatalog, TraceService } from './trace';
import { VerifyService } from './verify';

export type { LogEntry, LogLevel, LogSink } from './base/logger';
export { setLogSink, stderrSink } from './base/logger';
export { FERRY_VERSION } from './base/version';
export type { ISecretProtector } from './store';

export interface EngineOptions {
  host: SystemInfo['host'];
  lab?: LabOptions;
  /** Durable state (checkpoints); default $FERRY_DATA_DIR or the user's data directory. */
  dataDir?: string;
  /** The embedded demo's topic prefix and Java/Maven lookup (tests use their own prefix). */
  demo?: Omit<DemoServiceOptions, 'dataDir'>;
  /** Encrypts profile secrets (the desktop app passes Electron safeStorage); without one they stay in memory. */
  secretProtector?: ISecretProtector;
}

export type Engine = IEngineApi & IDisposable;

const log = createLogger('engine');

/** The only entry a host imports: builds every namespace of the API over real services. */
export function createEngine(options: EngineOptions): Engine {
  const lab = createLab(options.lab);
  const replicators = new ReplicatorsService({
    ...(options.dataDir === undefined ? {} : { dataDir: options.dataDir }),
    // `src.kafka.ferry.profile` & co.: saved profiles and the running lab, as for pipelines (connections is built below).
    profiles: async () => connections.profileLookup(await lab.status().catch(() => undefined)),
  });
  const connections = new ConnectionsService({
    ...(options.dataDir === undefined ? {} : { dataDir: options.dataDir }),
    ...(options.secretProtector ? { protector: options.secretProtector } : {}),
  });
  const pipelines = new PipelinesService({
    ...(options.dataDir === undefined ? {} : { dataDir: options.dataDir }),
    // `ferry.profile` names a saved profile (secret from the store) or a lab service (the running lab's endpoints).
    profiles: async () => connections.profileLookup(await lab.status().catch(() => undefined)),
    // As `ferry run` does: a loopback registry URL nothing answers gets Ferry's embedded registry, and the file's
    // replicators run beside its connectors, stopped with the pipeline.
    prepare: async (pipeline) => {
      const registries = await serveMissingLocalRegistries(pipeline, (line) => log.info(line));
      if (pipeline.replicators.length === 0) return registries;
      try {
        // Not awaited until copying: the topics they copy may be created by this pipeline's sources, started next.
        const started = await replicators.startResolved(pipeline.replicators, { fileName: pipeline.fileName, pipelineName: pipeline.name }, { waitMs: 0 });
        const stopReplicators = { close: async () => void (await Promise.all(started.map((status) => replicators.stop(status.name).catch(() => undefined)))) };
        return [...registries, stopReplicators];
      } catch (error) {
        await Promise.all(registries.map((registry) => registry.close()));
        throw error;
      }
    },
  });
  // explain: verify follows mismatched keys through a pipeline with the trace service (declared below).
  const verify: VerifyService = new VerifyService({ traceRow: (request) => trace.row(request) });
  const demo = new DemoService(lab, pipelines, { ...options.demo, ...(options.dataDir === undefined ? {} : { dataDir: options.dataDir }) });
  const topics = new TopicsService({
    labBootstrap: async (cluster) => (await lab.status()).endpoints.kafka[cluster].bootstrap,
    // The demo's embedded registry while it runs; otherwise the one the lab examples name.
    labRegistryUrl: async () => (await demo.status()).schemaRegistry ?? 'http://127.0.0.1:18081',
    kafkaProfiles: () => connections.kafkaProfiles(),
    kafkaSettings: (id, overrides) => connections.kafkaSettings(id, overrides),
    registryOptions: (id) => connections.registryOptions(id),
    profileEnvironment: (id) => connections.profile(id).environment,
    requireWriteConfirmation: (id, confirmed, action) => connections.requireWriteConfirmation(id, confirmed, action),
    // Messages decodes a pipeline's topics with the registry that pipeline writes to (the demo's included).
    pipelineRegistries: async () =>
      (await pipelines.list()).flatMap((status) => {
        const pipeline = pipelines.runner(status.name)?.pipeline;
        const url = pipeline?.schemaRegistry?.urls[0];
        if (!pipeline || !url) return [];
        const topics = [...new Set(status.connectors.flatMap((connector) => (connector.tables ?? []).map((table) => table.topic)))];
        return [{ pipeline: status.name, bootstrap: pipeline.kafka.bootstrapServers, url, topics }];
      }),
    pipelineRegistryOptions: (name) => {
      const registry = pipelines.runner(name)?.pipeline.schemaRegistry;
      const url = registry?.urls[0];
      if (!registry || !url) return undefined;
      return { url, ...(registry.basicAuth ? { basicAuthUserInfo: `${registry.basicAuth.username}:${registry.basicAuth.password.reveal()}` } : {}) };
    },
  });
  connections.onDidChangeProfiles(() => topics.registries.forgetRegistries());
  const schemas = new SchemasService(topics.registries);
  // The query pane and row traces look inside running (and this session's stopped) pipelines.
  const catalog = new PipelineCatalog(pipelines);
  const trace: TraceService = new TraceService(catalog, (request) => verify.run(request));
  const query = new QueryService({
    catalog,
    verify: (request) => verify.run(request),
    labDatabases: async () => {
      const status = await lab.status();
      const running = (name: string): boolean => status.services.some((service) => service.name === name && service.state === 'running');
      return { ...(running('mariadb') ? { mariadb: status.endpoints.mariadb } : {}), ...(running('postgres') ? { postgres: status.endpoints.postgres } : {}) };
    },
    demoPipeline: async () => (await demo.status()).pipeline,
    databaseProfiles: () => connections.list(),
    profileSettings: (id) => connections.sqlSettings(id),
    requireWriteConfirmation: (id, confirmed, action) => connections.requireWriteConfirmation(id, confirmed, action),
  });
  const connect = new ConnectService({
    profiles: () => connections.connectProfiles(),
    profileClient: (id, timeoutMs) => connections.connectClient(id, timeoutMs),
    labConnectUrl: async () => {
      const status = await lab.status();
      return status.services.some((service) => service.name === 'connect' && service.state === 'running') ? status.endpoints.connect.url : undefined;
    },
    parsePipeline: (text, fileName) => pipelines.parse({ text, fileName }),
    requireWriteConfirmation: (id, confirmed, action) => connections.requireWriteConfirmation(id, confirmed, action),
    // The lineage's counts come from the workers' Kafka cluster: the lab's and every Kafka profile are candidates.
    kafkaCandidates: async () => {
      const status = await lab.status().catch(() => undefined);
      const running = (name: string): boolean => status?.services.some((service) => service.name === name && service.state === 'running') ?? false;
      const labClusters = status ? (['a', 'b'] as const).filter((cluster) => running(`kafka-${cluster}`)).map((cluster) => ({ label: `lab kafka-${cluster}`, settings: { bootstrapServers: [status.endpoints.kafka[cluster].bootstrap] } })) : [];
      return [...labClusters, ...connections.kafkaProfiles().map((profile) => ({ label: profile.name, settings: connections.kafkaSettings(profile.id) }))];
    },
  });
  return {
    connect,
    connections,
    schemas,
    topics,
    demo,
    lab,
    pipelines,
    query,
    replicators,
    trace,
    verify,
    system: {
      info: async () => ({
        version: FERRY_VERSION,
        host: options.host,
        node: process.versions.node,
        platform: `${process.platform}-${process.arch}`,
      }),
    },
    dispose() {
      catalog.dispose();
      topics.dispose();
      connections.dispose();
      verify.dispose();
      query.dispose();
      replicators.dispose();
      demo.dispose();
      pipelines.dispose();
      lab.dispose();
    },
  };
}
