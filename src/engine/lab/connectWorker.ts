import type { ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ConnectRuntime } from './connectRuntime';
import { CONNECT_RUNTIME_CONNECTORS } from './connectRuntime';
import { startFailedError } from './errors';
import { type LogOffsets, relevantLinesFrom } from './logs';
import { LAB_HOST } from './ports';
import { spawnDetached } from './processes';
import { waitUntilReady } from './readiness';

/**
 * The lab's Kafka Connect worker: one distributed-mode worker on cluster a, so what `ferry deploy` sends is what a
 * real Connect cluster receives (REST API, config/offset/status topics, rebalances). Distributed rather than
 * standalone because that is what teams run when one machine is not enough, and because only distributed mode keeps
 * connectors across restarts in Kafka instead of a local file.
 */

export interface ConnectPaths {
  dir: string;
  workerProperties: string;
  log4jProperties: string;
  logsDir: string;
  log: string;
  stdoutLog: string;
}

export function connectPaths(labDir: string): ConnectPaths {
  const dir = join(labDir, 'connect');
  return {
    dir,
    workerProperties: join(dir, 'worker.properties'),
    log4jProperties: join(dir, 'log4j2.properties'),
    logsDir: join(dir, 'logs'),
    log: join(dir, 'logs', 'connect.log'),
    stdoutLog: join(dir, 'stdout.log'),
  };
}

/** The worker's group and internal topics on cluster a; `ferry lab reset` wipes them with the broker's data. */
export const LAB_CONNECT_GROUP = 'ferry-lab-connect';

export function connectUrl(port: number): string {
  return `http://${LAB_HOST}:${port}`;
}

/**
 * JsonConverter with schemas by default: Confluent's AvroConverter is not on Maven Central, and Debezium's JDBC sink
 * needs schemas (see docs: "When one machine is not enough"). Internal topics get one replica (one broker) and few
 * partitions (each partition is a leader election on start).
 */
export function renderConnectWorkerProperties(options: { bootstrap: string; port: number; plugins: string }): string {
  const entries: [string, string | number][] = [
    ['bootstrap.servers', options.bootstrap],
    ['group.id', LAB_CONNECT_GROUP],
    ['config.storage.topic', `${LAB_CONNECT_GROUP}-configs`],
    ['offset.storage.topic', `${LAB_CONNECT_GROUP}-offsets`],
    ['status.storage.topic', `${LAB_CONNECT_GROUP}-status`],
    ['config.storage.replication.factor', 1],
    ['offset.storage.replication.factor', 1],
    ['status.storage.replication.factor', 1],
    ['offset.storage.partitions', 5],
    ['status.storage.partitions', 1],
    ['key.converter', 'org.apache.kafka.connect.json.JsonConverter'],
    ['value.converter', 'org.apache.kafka.connect.json.JsonConverter'],
    ['key.converter.schemas.enable', 'true'],
    ['value.converter.schemas.enable', 'true'],
    ['listeners', connectUrl(options.port)],
    ['rest.advertised.host.name', LAB_HOST],
    ['rest.advertised.port', options.port],
    ['plugin.path', options.plugins],
    // Connect's reflective plugin scan takes over a minute on a loaded 2-core machine; the jars all ship manifests.
    ['plugin.discovery', 'service_load'],
    ['offset.flush.interval.ms', 1000],
    // Deployed connectors may override their clients' settings (Ferry's deploy uses it for per-connector credentials).
    ['connector.client.config.override.policy', 'All'],
    // One worker: a restarted worker gets its connectors back at once instead of after the 5 min default.
    ['scheduled.rebalance.max.delay.ms', 0],
  ];
  return `# Written by Ferry's lab on every start; edits are overwritten.\n${entries.map(([k, v]) => `${k}=${String(v).replace(/\\/g, '\\\\')}`).join('\n')}\n`;
}

/** One size-capped file; Kafka's clients inside the worker are noisy at INFO. */
export function renderConnectLog4j2Properties(logFile: string): string {
  return [
    "# Written by Ferry's lab on every start; edits are overwritten.",
    'status = warn',
    'appender.file.type = RollingFile',
    'appender.file.name = file',
    `appender.file.fileName = ${logFile}`,
    `appender.file.filePattern = ${logFile}.%i`,
    'appender.file.layout.type = PatternLayout',
    'appender.file.layout.pattern = [%d] %p %m (%c)%n',
    'appender.file.policies.type = Policies',
    'appender.file.policies.size.type = SizeBasedTriggeringPolicy',
    'appender.file.policies.size.size = 20MB',
    'appender.file.strategy.type = DefaultRolloverStrategy',
    'appender.file.strategy.max = 3',
    'rootLogger.level = INFO',
    'rootLogger.appenderRef.file.ref = file',
    'logger.kafka.name = org.apache.kafka',
    'logger.kafka.level = WARN',
    'logger.connect.name = org.apache.kafka.connect',
    'logger.connect.level = INFO',
    '',
  ].join('\n');
}

/** Sized like the brokers: one GC thread each, a 512 MB heap (Debezium's JSON records are large; see bench/). */
export function connectWorkerArgs(paths: ConnectPaths, runtime: Pick<ConnectRuntime, 'worker'>, mainClass = 'org.apache.kafka.connect.cli.ConnectDistributed'): string[] {
  return [
    '-Xms128m',
    '-Xmx512m',
    '-XX:+UseG1GC',
    '-XX:ParallelGCThreads=1',
    '-XX:ConcGCThreads=1',
    '-XX:+ExitOnOutOfMemoryError',
    '-Djava.awt.headless=true',
    `-Dlog4j2.configurationFile=${paths.log4jProperties}`,
    '-cp',
    `${runtime.worker}/*`,
    mainClass,
    paths.workerProperties,
  ];
}

export function writeConnectConfig(paths: ConnectPaths, options: { bootstrap: string; port: number; plugins: string }): void {
  mkdirSync(paths.logsDir, { recursive: true, mode: 0o700 });
  writeFileSync(paths.workerProperties, renderConnectWorkerProperties(options), { mode: 0o600 });
  writeFileSync(paths.log4jProperties, renderConnectLog4j2Properties(paths.log), { mode: 0o600 });
}

export function startConnectWorker(java: string, paths: ConnectPaths, runtime: ConnectRuntime): Promise<ChildProcess & { pid: number }> {
  return spawnDetached(java, connectWorkerArgs(paths, runtime), { cwd: paths.dir, logFile: paths.stdoutLog });
}

async function getJson(url: string): Promise<unknown> {
  const response = await fetch(url, { signal: AbortSignal.timeout(5_000) });
  const text = await response.text();
  if (!response.ok) throw new Error(`${url} answered ${response.status}: ${text.slice(0, 300)}`);
  return JSON.parse(text) as unknown;
}

/**
 * Ready means the REST API lists every plugin the lab promises and the worker has joined its group (GET /connectors
 * answers 200; before that Connect says the herder is starting or a rebalance is in progress). A missing plugin
 * fails at once: waiting longer would not make its jar appear.
 */
export async function waitForConnect(options: {
  url: string;
  child?: ChildProcess;
  paths: ConnectPaths;
  timeoutMs: number;
  signal?: AbortSignal;
  logOffsets?: LogOffsets;
}): Promise<void> {
  const { url, paths } = options;
  const logFiles = [paths.log, paths.stdoutLog];
  let classes: string[] = [];
  await waitUntilReady({
    service: 'connect',
    child: options.child,
    timeoutMs: options.timeoutMs,
    logFiles,
    logOffsets: options.logOffsets,
    signal: options.signal,
    probe: async () => {
      const plugins = (await getJson(`${url}/connector-plugins?connectorsOnly=true`)) as { class: string }[];
      classes = plugins.map((plugin) => plugin.class);
    },
  });
  const missing = CONNECT_RUNTIME_CONNECTORS.filter((name) => !classes.includes(name));
  if (missing.length > 0) {
    throw startFailedError('connect', `its REST API does not list ${missing.join(', ')} (it lists ${classes.join(', ') || 'nothing'})`, paths.log, relevantLinesFrom(logFiles, options.logOffsets));
  }
  await waitUntilReady({
    service: 'connect',
    child: options.child,
    timeoutMs: options.timeoutMs,
    logFiles,
    logOffsets: options.logOffsets,
    signal: options.signal,
    probe: async () => {
      await getJson(`${url}/connectors`);
    },
  });
}
