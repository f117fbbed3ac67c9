import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { findRepoRoot } from '../base/repoRoot';
import type { Logger } from '../base/logger';
import { labError } from './errors';
import { relevantLinesFrom } from './logs';
import { isPidAlive, runCommand } from './processes';

// Kafka Connect from Maven Central jars, with the real Debezium plugins and the MirrorMaker 2 connectors: what a
// team that outgrows Ferry runs. resources/connect-runtime/pom.xml pins the versions (Kafka at the lab broker's,
// Debezium 3.5.0.Final); Maven gathers the worker class path and one plugin.path folder per plugin (without their own
// Kafka, logging or jackson jars) into Ferry's cache once, like the lab does for the brokers' jars.

/** The modules of the pinned project and the jar whose presence says each one was gathered completely. */
export const CONNECT_RUNTIME_MODULES = {
  worker: /^connect-mirror-\d.*\.jar$/,
  'plugin-debezium-mariadb': /^debezium-connector-mariadb-.*\.jar$/,
  'plugin-debezium-mysql': /^debezium-connector-mysql-.*\.jar$/,
  'plugin-debezium-postgres': /^debezium-connector-postgres-.*\.jar$/,
  'plugin-debezium-jdbc': /^debezium-connector-jdbc-.*\.jar$/,
} as const;
type Module = keyof typeof CONNECT_RUNTIME_MODULES;
const MODULES = Object.keys(CONNECT_RUNTIME_MODULES) as Module[];

/** The connector classes the lab's worker must list before it counts as ready. */
export const CONNECT_RUNTIME_CONNECTORS = [
  'io.debezium.connector.mariadb.MariaDbConnector',
  'io.debezium.connector.mysql.MySqlConnector',
  'io.debezium.connector.postgresql.PostgresConnector',
  'io.debezium.connector.jdbc.JdbcSinkConnector',
  'org.apache.kafka.connect.mirror.MirrorSourceConnector',
  'org.apache.kafka.connect.mirror.MirrorCheckpointConnector',
  'org.apache.kafka.connect.mirror.MirrorHeartbeatConnector',
] as const;

export interface ConnectRuntime {
  /** The worker's class path folder (`-cp '<worker>/*'`); it also holds MirrorMaker 2's dedicated-mode driver. */
  worker: string;
  /** The folder plugin.path names: one sub-folder per plugin. */
  plugins: string;
  /** First 12 hex digits of the poms' sha256: a new pin is a new folder. */
  hash: string;
}

export function defaultConnectPomDir(fromUrl: string = import.meta.url): string | undefined {
  const root = findRepoRoot(fromUrl);
  return root === undefined ? undefined : join(root, 'resources', 'connect-runtime');
}

export function connectRuntimeLocation(cacheDir: string, pomDir: string): ConnectRuntime & { root: string; finalDir: string; mavenLog: string } {
  const hash = createHash('sha256');
  for (const pom of ['pom.xml', ...MODULES.map((module) => join(module, 'pom.xml'))]) hash.update(readFileSync(join(pomDir, pom)));
  const digest = hash.digest('hex').slice(0, 12);
  const root = join(cacheDir, 'connect-runtime');
  const finalDir = join(root, digest);
  return { hash: digest, root, finalDir, worker: join(finalDir, 'worker'), plugins: join(finalDir, 'plugins'), mavenLog: join(root, `${digest}.maven.log`) };
}

/** Every module's marker jar is there; `nested` = the final layout, where plugins sit under `plugins/`. */
function complete(dir: string, nested: boolean): boolean {
  return MODULES.every((module) => {
    const folder = nested && module !== 'worker' ? join(dir, 'plugins', module) : join(dir, module);
    return existsSync(folder) && readdirSync(folder).some((name) => CONNECT_RUNTIME_MODULES[module].test(name));
  });
}

export function isConnectRuntimeCached(cacheDir: string, pomDir: string): boolean {
  return complete(connectRuntimeLocation(cacheDir, pomDir).finalDir, true);
}

/**
 * The Connect runtime, fetched with Maven on first use (`mvn package` on the pinned poms) into a temp folder that is
 * renamed only when complete, so an interrupted download is never mistaken for a usable runtime. A failure names
 * Maven's log, which says what could not be fetched.
 */
export async function ensureConnectRuntime(options: { cacheDir: string; pomDir: string; mvn: string | undefined; log?: Logger; signal?: AbortSignal }): Promise<ConnectRuntime> {
  const { cacheDir, pomDir, mvn, log, signal } = options;
  const location = connectRuntimeLocation(cacheDir, pomDir);
  const runtime: ConnectRuntime = { worker: location.worker, plugins: location.plugins, hash: location.hash };
  if (complete(location.finalDir, true)) return runtime;
  if (mvn === undefined) throw labError('LAB_MAVEN_FAILED', 'Maven (mvn) is needed once to fetch the Kafka Connect and Debezium jars; install it (apt-get install maven).');
  mkdirSync(location.root, { recursive: true });
  for (const entry of readdirSync(location.root)) {
    const match = /^\.tmp-(\d+)-[0-9a-f]+$/.exec(entry);
    if (match && !isPidAlive(Number(match[1]))) rmSync(join(location.root, entry), { recursive: true, force: true });
  }
  const temp = join(location.root, `.tmp-${process.pid}-${randomBytes(4).toString('hex')}`);
  log?.info('fetching the Kafka Connect and Debezium jars with Maven (first run only)', { pom: pomDir, into: location.finalDir });
  const started = Date.now();
  try {
    const result = await runCommand(mvn, ['-B', '-q', 'package', `-Dconnect.out=${temp}`, '-f', join(pomDir, 'pom.xml')], { cwd: pomDir, timeoutMs: 15 * 60_000, signal });
    writeFileSync(location.mavenLog, `$ mvn package -Dconnect.out=… -f ${join(pomDir, 'pom.xml')}\n${result.output}\n(exit code ${String(result.code ?? result.signal ?? 'unknown')})\n`);
    if (result.code !== 0 || !complete(temp, false)) {
      const reason = result.code !== 0 ? `exit code ${String(result.code ?? result.signal ?? 'unknown')}` : 'it finished but a plugin folder is missing its connector jar';
      throw labError(
        'LAB_MAVEN_FAILED',
        `Maven could not fetch the Kafka Connect and Debezium jars (${reason}). Read ${location.mavenLog}; usually Maven Central is ` +
          `unreachable (set a proxy or mirror in ~/.m2/settings.xml) or a version in ${pomDir} does not exist there. Then run the lab again.` +
          `\n  ${relevantLinesFrom([location.mavenLog]).join('\n  ')}`,
        { retriable: true, detail: { mavenLog: location.mavenLog } },
      );
    }
    // plugin.path lists folders that each hold one plugin; keep the worker's class path beside them, not inside.
    mkdirSync(join(temp, 'plugins'));
    for (const module of MODULES) if (module !== 'worker') renameSync(join(temp, module), join(temp, 'plugins', module));
    try {
      renameSync(temp, location.finalDir);
    } catch (error) {
      // Another process finished the same download first; its copy is as good as ours.
      if (!complete(location.finalDir, true)) throw error;
    }
    log?.info('Kafka Connect jars ready', { seconds: (Date.now() - started) / 1000, dir: location.finalDir });
    return runtime;
  } finally {
    rmSync(temp, { recursive: true, force: true });
  }
}
