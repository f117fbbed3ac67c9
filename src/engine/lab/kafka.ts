import type { ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { appendFileSync, copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from '../base/logger';
import { createKafkaClient } from '../kafka';
import { labError, startFailedError } from './errors';
import { type LogOffsets, logOffsets, relevantLinesFrom } from './logs';
import type { KafkaPaths } from './paths';
import { LAB_HOST } from './ports';
import { isPidAlive, runCommand, spawnDetached } from './processes';
import { waitUntilReady } from './readiness';

/**
 * Kafka cluster ids are 16 random bytes in unpadded base64url (22 chars). Kafka's own generator rejects ids that
 * start with '-' because the command-line parser would read them as an option; we do the same.
 */
export function newClusterId(random: (size: number) => Buffer = randomBytes): string {
  for (;;) {
    const id = random(16).toString('base64url');
    if (!id.startsWith('-')) return id;
  }
}

export interface KafkaNodeConfig {
  port: number;
  controllerPort: number;
  dataDir: string;
}

/**
 * One combined broker+controller on loopback with a static quorum (no `--standalone` formatting needed). Every
 * internal topic gets RF 1 / min.isr 1: the defaults (3/2) can never be met by one node, and clients then loop on
 * "coordinator not available" instead of failing.
 */
export function renderServerProperties(config: KafkaNodeConfig): string {
  const { port, controllerPort, dataDir } = config;
  const entries: [string, string | number | boolean][] = [
    ['process.roles', 'broker,controller'],
    ['node.id', 1],
    ['controller.quorum.voters', `1@${LAB_HOST}:${controllerPort}`],
    ['listeners', `PLAINTEXT://${LAB_HOST}:${port},CONTROLLER://${LAB_HOST}:${controllerPort}`],
    ['advertised.listeners', `PLAINTEXT://${LAB_HOST}:${port}`],
    ['controller.listener.names', 'CONTROLLER'],
    ['inter.broker.listener.name', 'PLAINTEXT'],
    ['listener.security.protocol.map', 'CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT'],
    ['log.dirs', dataDir],
    ['num.partitions', 1],
    ['default.replication.factor', 1],
    ['min.insync.replicas', 1],
    ['offsets.topic.replication.factor', 1],
    // One partition: the first consumer group join then waits for one leader election instead of fifty.
    ['offsets.topic.num.partitions', 1],
    ['transaction.state.log.replication.factor', 1],
    ['transaction.state.log.min.isr', 1],
    ['transaction.state.log.num.partitions', 1],
    ['share.coordinator.state.topic.replication.factor', 1],
    ['share.coordinator.state.topic.min.isr', 1],
    ['share.coordinator.state.topic.num.partitions', 1],
    ['group.initial.rebalance.delay.ms', 0],
    // Two cores for everything: the broker defaults (3 network, 8 io threads) only add contention.
    ['num.network.threads', 2],
    ['num.io.threads', 2],
    ['num.recovery.threads.per.data.dir', 1],
    ['auto.create.topics.enable', true],
    ['delete.topic.enable', true],
  ];
  return `# Written by Ferry's lab on every start; edits are overwritten.\n${entries.map(([k, v]) => `${k}=${escapeProperty(String(v))}`).join('\n')}\n`;
}

/** Java .properties treats backslashes as escapes and '#'/'!' at line start as comments; paths must survive that. */
function escapeProperty(value: string): string {
  return value.replace(/\\/g, '\\\\');
}

/**
 * Properties, not YAML: Log4j2 needs jackson-dataformat-yaml for YAML configs, and Kafka's shipped log4j2.yaml
 * assumes the distribution's layout. One size-capped file per broker is enough for a lab.
 */
export function renderLog4j2Properties(): string {
  return [
    '# Written by Ferry\'s lab on every start; edits are overwritten.',
    'status = warn',
    'name = ferry-lab-kafka',
    'appender.server.type = RollingFile',
    'appender.server.name = server',
    'appender.server.fileName = ${sys:kafka.logs.dir}/server.log',
    'appender.server.filePattern = ${sys:kafka.logs.dir}/server.log.%i',
    'appender.server.layout.type = PatternLayout',
    'appender.server.layout.pattern = [%d] %p %m (%c)%n',
    'appender.server.policies.type = Policies',
    'appender.server.policies.size.type = SizeBasedTriggeringPolicy',
    'appender.server.policies.size.size = 20MB',
    'appender.server.strategy.type = DefaultRolloverStrategy',
    'appender.server.strategy.max = 3',
    'rootLogger.level = INFO',
    'rootLogger.appenderRef.server.ref = server',
    // The request logger prints every request at DEBUG/TRACE; keep it quiet even if someone raises the root level.
    'logger.request.name = kafka.request.logger',
    'logger.request.level = WARN',
    'logger.request.additivity = false',
    'logger.request.appenderRef.server.ref = server',
    '',
  ].join('\n');
}

export interface KafkaRuntime {
  /** Directory holding every jar; the broker runs with `-cp '<lib>/*'`. */
  lib: string;
  hash: string;
}

export function kafkaRuntimeLocation(cacheDir: string, pomPath: string): KafkaRuntime & { root: string; finalDir: string; mavenLog: string } {
  const hash = createHash('sha256').update(readFileSync(pomPath)).digest('hex').slice(0, 12);
  const root = join(cacheDir, 'kafka-runtime');
  const finalDir = join(root, hash);
  return { hash, root, finalDir, lib: join(finalDir, 'lib'), mavenLog: join(root, `${hash}.maven.log`) };
}

const BROKER_JAR = /^kafka_2\.\d+-.*\.jar$/;

function hasBrokerJar(lib: string, jar: RegExp = BROKER_JAR): boolean {
  try {
    return readdirSync(lib).some((f) => jar.test(f));
  } catch {
    return false;
  }
}

export function isKafkaRuntimeCached(cacheDir: string, pomPath: string): boolean {
  return hasBrokerJar(kafkaRuntimeLocation(cacheDir, pomPath).lib);
}

/**
 * Gathers the broker classpath once per pom version. Maven writes into a temp directory that is renamed only when
 * complete, so an interrupted download (Ctrl-C, network loss) is never mistaken for a usable classpath.
 */
export async function ensureKafkaRuntime(options: {
  cacheDir: string;
  pomPath: string;
  mvn: string | undefined;
  log: Logger;
  /** Stops Maven when another service already failed; the temp directory is discarded as usual. */
  signal?: AbortSignal;
  /** The jar whose presence marks a complete download; default the broker's (other pinned projects, e.g. MirrorMaker 2, name theirs). */
  requiredJar?: RegExp;
}): Promise<KafkaRuntime> {
  const { cacheDir, pomPath, mvn, log, signal } = options;
  const jar = options.requiredJar ?? BROKER_JAR;
  const location = kafkaRuntimeLocation(cacheDir, pomPath);
  if (hasBrokerJar(location.lib, jar)) return { lib: location.lib, hash: location.hash };
  if (mvn === undefined) throw labError('LAB_MAVEN_FAILED', 'Maven (mvn) is needed once to fetch the Kafka jars; install it (apt-get install maven).');
  mkdirSync(location.root, { recursive: true });
  removeAbandonedDownloads(location.root);
  const temp = join(location.root, `.${location.hash}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`);
  mkdirSync(temp);
  log.info('fetching the Kafka runtime jars with Maven (first run only)', { pom: pomPath, into: location.finalDir });
  const started = Date.now();
  try {
    const result = await runCommand(mvn, [
      '-B',
      '-q',
      'org.apache.maven.plugins:maven-dependency-plugin:3.7.1:copy-dependencies',
      `-DoutputDirectory=${join(temp, 'lib')}`,
      '-DincludeScope=runtime',
      '-f',
      pomPath,
    ], { cwd: temp, signal });
    writeFileSync(location.mavenLog, `$ mvn copy-dependencies -f ${pomPath}\n${result.output}\n(exit code ${result.code ?? result.signal ?? 'unknown'})\n`);
    if (result.code !== 0 || !hasBrokerJar(join(temp, 'lib'), jar)) {
      const reason = result.code !== 0 ? `exit code ${result.code ?? result.signal ?? 'unknown'}` : 'it finished but no kafka_2.13 jar was copied';
      throw labError(
        'LAB_MAVEN_FAILED',
        `Maven could not fetch the Kafka runtime jars (${reason}). Read ${location.mavenLog}; usually Maven Central is ` +
          `unreachable (set a proxy or mirror in ~/.m2/settings.xml) or ${pomPath} was edited. Then run the lab again.` +
          `\n  ${relevantLinesFrom([location.mavenLog]).join('\n  ')}`,
        { retriable: true, detail: { mavenLog: location.mavenLog } },
      );
    }
    copyFileSync(pomPath, join(temp, 'pom.xml'));
    try {
      renameSync(temp, location.finalDir);
    } catch (error) {
      // Another process finished the same download first; its copy is as good as ours.
      if (!hasBrokerJar(location.lib, jar)) throw error;
    }
    log.info('Kafka runtime jars ready', { seconds: (Date.now() - started) / 1000, lib: location.lib });
    return { lib: location.lib, hash: location.hash };
  } finally {
    rmSync(temp, { recursive: true, force: true });
  }
}

/** Temp directories of downloads whose process died (Ctrl-C, crash); a live one belongs to a concurrent run. */
function removeAbandonedDownloads(root: string): void {
  for (const entry of readdirSync(root)) {
    const match = /^\.[0-9a-f]+\.tmp-(\d+)-[0-9a-f]+$/.exec(entry);
    if (match && !isPidAlive(Number(match[1]))) rmSync(join(root, entry), { recursive: true, force: true });
  }
}

/** Flags sized for a 2-core laptop running two brokers and two databases side by side. */
export function kafkaBrokerArgs(paths: KafkaPaths, lib: string): string[] {
  return [
    '-Xms256m',
    '-Xmx512m',
    '-XX:+UseG1GC',
    '-XX:ParallelGCThreads=1',
    '-XX:ConcGCThreads=1',
    '-XX:+ExitOnOutOfMemoryError',
    '-Djava.awt.headless=true',
    `-Dlog4j2.configurationFile=${paths.log4jProperties}`,
    `-Dkafka.logs.dir=${paths.logsDir}`,
    '-cp',
    `${lib}/*`,
    'kafka.Kafka',
    paths.serverProperties,
  ];
}

/** The formatter is a short-lived JVM: a small heap and the C1-only JIT start it noticeably faster. */
export function kafkaFormatArgs(paths: KafkaPaths, lib: string, clusterId: string): string[] {
  return [
    '-Xmx256m',
    '-XX:+UseSerialGC',
    '-XX:TieredStopAtLevel=1',
    '-Djava.awt.headless=true',
    `-Dlog4j2.configurationFile=${paths.log4jProperties}`,
    `-Dkafka.logs.dir=${paths.logsDir}`,
    '-cp',
    `${lib}/*`,
    'kafka.tools.StorageTool',
    'format',
    '-t',
    clusterId,
    '-c',
    paths.serverProperties,
  ];
}

export function writeKafkaConfig(paths: KafkaPaths, config: KafkaNodeConfig): void {
  mkdirSync(paths.dataDir, { recursive: true, mode: 0o700 });
  mkdirSync(paths.logsDir, { recursive: true, mode: 0o700 });
  writeFileSync(paths.serverProperties, renderServerProperties(config), { mode: 0o600 });
  writeFileSync(paths.log4jProperties, renderLog4j2Properties(), { mode: 0o600 });
}

/** `meta.properties` is written last by the formatter, so its presence means the storage is complete. */
export function readFormattedClusterId(paths: KafkaPaths): string | undefined {
  const meta = join(paths.dataDir, 'meta.properties');
  if (!existsSync(meta)) return undefined;
  const match = /^cluster\.id=(.+)$/m.exec(readFileSync(meta, 'utf8'));
  return match?.[1]?.trim();
}

export async function formatKafkaStorage(options: { service: string; java: string; paths: KafkaPaths; lib: string; clusterId: string }): Promise<void> {
  const { service, java, paths, lib, clusterId } = options;
  const offsets = logOffsets([paths.stdoutLog, paths.serverLog]);
  const result = await runCommand(java, kafkaFormatArgs(paths, lib, clusterId), { cwd: paths.dir, timeoutMs: 120_000 });
  appendFileSync(paths.stdoutLog, `$ kafka.tools.StorageTool format -t ${clusterId}\n${result.output}\n`);
  if (result.code !== 0) {
    throw startFailedError(
      service,
      `formatting its storage failed (exit code ${result.code ?? result.signal ?? 'unknown'})`,
      paths.stdoutLog,
      relevantLinesFrom([paths.stdoutLog, paths.serverLog], offsets),
    );
  }
}

export function startKafkaBroker(java: string, paths: KafkaPaths, lib: string): Promise<ChildProcess & { pid: number }> {
  return spawnDetached(java, kafkaBrokerArgs(paths, lib), { cwd: paths.dir, logFile: paths.stdoutLog });
}

/** Ready means the broker answers a metadata request and lists itself, i.e. it is registered and unfenced. */
export async function waitForKafka(options: {
  service: string;
  bootstrap: string;
  child?: ChildProcess;
  paths: KafkaPaths;
  timeoutMs: number;
  signal?: AbortSignal;
  logOffsets?: LogOffsets;
}): Promise<void> {
  const kafka = createKafkaClient({ clientId: 'ferry-lab-probe', bootstrapServers: [options.bootstrap], quiet: true, connectionTimeoutMs: 1_000, requestTimeoutMs: 3_000, retries: 0 });
  await waitUntilReady({
    service: options.service,
    child: options.child,
    timeoutMs: options.timeoutMs,
    logFiles: [options.paths.serverLog, options.paths.stdoutLog],
    logOffsets: options.logOffsets,
    signal: options.signal,
    probe: async () => {
      const admin = kafka.admin({ retry: { retries: 0 } });
      try {
        await admin.connect();
        const cluster = await admin.describeCluster();
        if (cluster.brokers.length === 0) throw new Error('the broker has not registered yet');
      } finally {
        await admin.disconnect().catch(() => undefined);
      }
    },
  });
}
