import type { IEngineApi, SystemInfo } from '../shared/api';
import type { IDisposable } from '../shared/lifecycle';
import { FERRY_VERSION } from './base/version';
import { createLogger } from './base/logger';
import { ConnectionsService } from './connections';
import { DemoService, type DemoServiceOptions } from './demo/demoService';
import { serveMissingLocalRegistries } from './host/localRegistry';
import { createLab, type LabOptions } from './lab';
import { PipelinesService } from './pipeline';
import { VerifyService } from './verify';
import { ReplicatorsService } from './replicator';
import type { ISecretProtector } from './store';
import { SchemasService, TopicsService } from './topics';

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
  const verify = new VerifyService();
  const pipelines = new PipelinesService({
    ...(options.dataDir === undefined ? {} : { dataDir: options.dataDir }),
    // As `ferry run` does: a loopback registry URL nothing answers gets Ferry's embedded registry.
    prepare: (pipeline) => serveMissingLocalRegistries(pipeline, (line) => log.info(line)),
  });
  const demo = new DemoService(lab, pipelines, { ...options.demo, ...(options.dataDir === undefined ? {} : { dataDir: options.dataDir }) });
  const replicators = new ReplicatorsService(options.dataDir === undefined ? {} : { dataDir: options.dataDir });
  const connections = new ConnectionsService({
    ...(options.dataDir === undefined ? {} : { dataDir: options.dataDir }),
    ...(options.secretProtector ? { protector: options.secretProtector } : {}),
  });
  const topics = new TopicsService({
    labBootstrap: async (cluster) => (await lab.status()).endpoints.kafka[cluster].bootstrap,
    // The demo's embedded registry while it runs; otherwise the one the lab examples name.
    labRegistryUrl: async () => (await demo.status()).schemaRegistry ?? 'http://127.0.0.1:18081',
    kafkaProfiles: () => connections.kafkaProfiles(),
    kafkaSettings: (id, overrides) => connections.kafkaSettings(id, overrides),
    registryOptions: (id) => connections.registryOptions(id),
    profileEnvironment: (id) => connections.profile(id).environment,
    requireWriteConfirmation: (id, confirmed, action) => connections.requireWriteConfirmation(id, confirmed, action),
  });
  connections.onDidChangeProfiles(() => topics.registries.forgetRegistries());
  const schemas = new SchemasService(topics.registries);
  return {
    connections,
    schemas,
    topics,
    demo,
    lab,
    pipelines,
    verify,
    replicators,
    system: {
      info: async () => ({
        version: FERRY_VERSION,
        host: options.host,
        node: process.versions.node,
        platform: `${process.platform}-${process.arch}`,
      }),
    },
    dispose() {
      topics.dispose();
      connections.dispose();
      verify.dispose();
      replicators.dispose();
      demo.dispose();
      pipelines.dispose();
      lab.dispose();
    },
  };
}
