import type { ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readdirSync, rmdirSync, rmSync } from 'node:fs';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import {
  LAB_DEFAULT_SERVICES,
  LAB_OPTIONAL_SERVICES,
  LAB_SERVICE_NAMES,
  type ILabApi,
  type LabEndpoints,
  type LabServiceKind,
  type LabServiceName,
  type LabServiceState,
  type LabServiceStatus,
  type LabStatus,
  type LabUpRequest,
  type LabUpResult,
} from '../../shared/api/lab';
import { EngineError, isEngineError } from '../../shared/errors';
import { Emitter } from '../../shared/event';
import type { IDisposable } from '../../shared/lifecycle';
import { createLogger } from '../base/logger';
import { assertJavaVersion, defaultExtraBinDirs, type LabBinary, requireBinaries } from './binaries';
import { type ConnectRuntime, connectRuntimeLocation, defaultConnectPomDir, ensureConnectRuntime, isConnectRuntimeCached } from './connectRuntime';
import { connectPaths, connectUrl, connectWorkerArgs, renderConnectWorkerProperties, startConnectWorker, waitForConnect, writeConnectConfig } from './connectWorker';
import { labError, startFailedError } from './errors';
import { AZURITE_ACCOUNT, AZURITE_ACCOUNT_KEY, azuriteBlobUrl, azuriteFingerprintArgs, azuritePaths, startAzurite, waitForAzurite } from './azurite';
import { isRegistryService, registriesAnsweredElsewhere, registryExecutables, registryFingerprintArgs, registryPaths, registryUrl, type RegistryServiceName, startRegistryService, waitForRegistry } from './registryService';
import {
  ensureKafkaRuntime,
  formatKafkaStorage,
  isKafkaRuntimeCached,
  kafkaBrokerArgs,
  kafkaRuntimeLocation,
  newClusterId,
  readFormattedClusterId,
  renderServerProperties,
  startKafkaBroker,
  waitForKafka,
  writeKafkaConfig,
} from './kafka';
import { type LogOffsets, logOffsets, relevantLinesFrom } from './logs';
import { bootstrapMariaDb, checkMariaDbEndpoint, initMariaDb, LAB_DB_NAME, LAB_DB_USER, mariadbdArgs, startMariaDb, waitForMariaDb } from './mariadb';
import { defaultCacheDir, defaultLabDir, defaultPomPath, type Env, LAB_OWNED_ENTRIES, type LabPaths, labPaths, serviceDir, serviceLogFile } from './paths';
import { assertPortsFree, LAB_HOST, type LabPorts, resolvePorts, servicePorts } from './ports';
import {
  bootstrapPostgres,
  checkPostgresEndpoint,
  initPostgres,
  postgresArgs,
  preparePostgresDir,
  resolvePostgresUser,
  startPostgres,
  waitForPostgres,
} from './postgres';
import { findOwnedProcesses, ownsPid, stopOwnedProcess, type UserIds } from './processes';
import { abortedError, isCancellation } from './readiness';
import { acquireLock, emptyState, type LabState, readState, type ServiceRecord, writeState } from './state';

export interface LabOptions {
  /** Data, logs and state. Default: $FERRY_LAB_DIR, /var/lib/ferry/lab for root, else $XDG_DATA_HOME/ferry/lab. */
  dir?: string;
  /** Jar cache, survives `reset`. Default: $FERRY_CACHE_DIR, else $XDG_CACHE_HOME/ferry. */
  cacheDir?: string;
  /** Explicit ports win over the defaults shifted by FERRY_LAB_PORT_OFFSET. */
  ports?: Partial<LabPorts>;
  /** The Maven project listing the broker's jars. Default: resources/kafka-runtime/pom.xml in the repo. */
  pomPath?: string;
  /** Environment to read PATH, JAVA_HOME and FERRY_* from. Default: process.env. */
  env?: Env;
  /** Directories searched after PATH. Default: FERRY_LAB_BIN_DIRS, else /usr/sbin, /usr/lib/postgresql/<major>/bin… */
  binDirs?: readonly string[];
  /** How long one service may take to answer after its process started. */
  readyTimeoutMs?: number;
  /** How long a service gets to shut down before SIGKILL. */
  stopTimeoutMs?: number;
  /** The Maven project of the Connect worker's jars. Default: resources/connect-runtime in the repo. */
  connectPomDir?: string;
}

export interface Lab extends ILabApi, IDisposable {}

const KIND: Record<LabServiceName, LabServiceKind> = { 'kafka-a': 'kafka', 'kafka-b': 'kafka', mariadb: 'mariadb', postgres: 'postgres', connect: 'connect', 'registry-a': 'schema-registry', 'registry-b': 'schema-registry', azurite: 'azurite' };
const EXECUTABLES: Record<LabServiceName, string[]> = { 'kafka-a': ['java'], 'kafka-b': ['java'], mariadb: ['mariadbd', 'mysqld'], postgres: ['postgres'], connect: ['java'], 'registry-a': registryExecutables(), 'registry-b': registryExecutables(), azurite: registryExecutables() };
type KafkaName = 'kafka-a' | 'kafka-b';

interface Transient {
  state: LabServiceState;
  error?: string;
}

/** What one `up` call needs while starting services. */
interface StartContext {
  binaries: Partial<Record<LabBinary, string>>;
  runtime?: Promise<{ lib: string }>;
  connectRuntime?: Promise<ConnectRuntime>;
  postgresUser?: UserIds;
  signal: AbortSignal;
}

function isKafka(name: LabServiceName): name is KafkaName {
  return name === 'kafka-a' || name === 'kafka-b';
}

function fingerprint(parts: unknown): string {
  return createHash('sha256').update(JSON.stringify(parts)).digest('hex').slice(0, 16);
}

function newPassword(): string {
  return randomBytes(18).toString('base64url');
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export class LabImpl implements Lab {
  private readonly log = createLogger('lab');
  private readonly emitter = new Emitter<LabStatus>();
  readonly onDidChangeStatus = this.emitter.event;

  private readonly paths: LabPaths;
  private readonly cacheDir: string;
  private readonly pomPath: string | undefined;
  private readonly connectPomDir: string | undefined;
  private readonly env: Env;
  private readonly binDirs: readonly string[];
  private readonly readyTimeoutMs: number;
  private readonly stopTimeoutMs: number;
  private readonly uid: number;
  private readonly osUser: string;
  private readonly ports: LabPorts | undefined;
  private readonly configError: EngineError | undefined;

  private queue: Promise<unknown> = Promise.resolve();
  private readonly transient = new Map<LabServiceName, Transient>();
  /** The copy `up`/`down` work on; `status()` always re-reads the file, which other processes may have changed. */
  private state: LabState = emptyState();
  private disposed = false;
  private lastFired = '';

  constructor(options: LabOptions = {}) {
    this.env = options.env ?? process.env;
    this.uid = process.getuid?.() ?? -1;
    this.osUser = userInfo().username;
    this.paths = labPaths(options.dir ?? defaultLabDir(this.env, this.uid));
    this.cacheDir = options.cacheDir ?? defaultCacheDir(this.env);
    this.pomPath = options.pomPath ?? defaultPomPath();
    this.connectPomDir = options.connectPomDir ?? defaultConnectPomDir();
    this.binDirs = options.binDirs ?? defaultExtraBinDirs(this.env);
    this.readyTimeoutMs = options.readyTimeoutMs ?? 60_000;
    this.stopTimeoutMs = options.stopTimeoutMs ?? 20_000;
    // A bad FERRY_LAB_PORT_OFFSET must not stop the host from starting; it surfaces on the first lab call instead.
    try {
      this.ports = resolvePorts(this.env, options.ports);
    } catch (error) {
      this.configError = isEngineError(error) ? error : labError('LAB_BAD_CONFIG', errorMessage(error));
    }
  }

  // ---------------------------------------------------------------- public API

  async status(): Promise<LabStatus> {
    const ports = this.requirePorts();
    let state: LabState;
    try {
      state = readState(this.paths.stateFile);
    } catch (error) {
      this.log.warn('lab state file unreadable; reporting every service as stopped', { error: errorMessage(error) });
      state = emptyState();
    }
    return this.snapshot(state, ports);
  }

  up(request: LabUpRequest = {}): Promise<LabUpResult> {
    const wanted = request.services ?? LAB_DEFAULT_SERVICES;
    for (const name of wanted) {
      if (!LAB_SERVICE_NAMES.includes(name)) {
        throw labError('LAB_BAD_CONFIG', `The lab has no service "${String(name)}"; choose from ${LAB_SERVICE_NAMES.join(', ')}.`);
      }
    }
    return this.serialized(async () => {
      const ports = this.requirePorts();
      const started = performance.now();
      this.ensureLabDir();
      const release = await acquireLock(this.paths.lockFile, {
        onWait: (pid) => this.log.info('waiting for another Ferry process to finish with the lab', { pid, lock: this.paths.lockFile }),
      });
      try {
        return await this.doUp(ports, started, wanted);
      } finally {
        release();
      }
    });
  }

  /** The `up` now starting services, so `cancel` can abort it; undefined otherwise. */
  private runningUp: { abort: AbortController; cancelled: boolean } | undefined;

  async cancel(): Promise<boolean> {
    const running = this.runningUp;
    if (!running) return false;
    running.cancelled = true;
    running.abort.abort();
    return true;
  }

  down(): Promise<LabStatus> {
    return this.serialized(async () => {
      const ports = this.requirePorts();
      if (!existsSync(this.paths.dir)) return this.snapshot(emptyState(), ports);
      const release = await acquireLock(this.paths.lockFile);
      try {
        await this.doDown();
        return this.snapshot(this.state, ports);
      } finally {
        release();
      }
    });
  }

  reset(): Promise<LabStatus> {
    return this.serialized(async () => {
      const ports = this.requirePorts();
      if (existsSync(this.paths.dir)) {
        const release = await acquireLock(this.paths.lockFile);
        try {
          await this.doDown();
          this.wipe();
        } finally {
          release();
        }
        this.removeLabDirIfEmpty();
      }
      this.state = emptyState();
      this.transient.clear();
      const status = this.snapshot(this.state, ports);
      this.fire(status);
      return status;
    });
  }

  dispose(): void {
    this.disposed = true;
    this.emitter.dispose();
  }

  // ---------------------------------------------------------------- up

  private async doUp(ports: LabPorts, startedAt: number, requested: readonly LabServiceName[]): Promise<LabUpResult> {
    this.state = readState(this.paths.stateFile);
    // The Connect worker keeps its configs, offsets and status on cluster a: start that too unless it already runs
    // (a running one is left alone, even if `ferry lab up` would restart it for a changed configuration).
    const kafkaA = this.state.services['kafka-a'];
    const kafkaARuns = kafkaA !== undefined && ownsPid(kafkaA.pid, serviceDir(this.paths, 'kafka-a'));
    const wanted: readonly LabServiceName[] = requested.includes('connect') && !requested.includes('kafka-a') && !kafkaARuns ? ['kafka-a', ...requested] : requested;
    // A `failed` left by an earlier call describes a process that no longer exists.
    this.transient.clear();
    const reused: LabServiceName[] = [];
    const toStart: LabServiceName[] = [];
    const toStop: { name: LabServiceName; pid: number }[] = [];
    for (const name of wanted) {
      const record = this.state.services[name];
      const marker = serviceDir(this.paths, name);
      if (record && ownsPid(record.pid, marker)) {
        const sameConfig = record.fingerprint === this.expectedFingerprint(name, ports);
        // No readyAt: an earlier `up` was interrupted before this service was ready (and, for the databases,
        // before the `ferry` user existed), so it cannot be trusted as it is.
        if (sameConfig && record.readyAt) {
          reused.push(name);
          continue;
        }
        const why = sameConfig ? 'an earlier start of it never completed' : 'its configuration changed since it was started';
        this.log.info(`restarting ${name}: ${why}`, { pid: record.pid });
        toStop.push({ name, pid: record.pid });
      } else {
        // Ours by command line but missing from the state file: we cannot vouch for its settings or passwords.
        for (const pid of findOwnedProcesses(marker, EXECUTABLES[name])) {
          this.log.warn(`stopping an untracked ${name} process left by an earlier run`, { pid });
          toStop.push({ name, pid });
        }
      }
      delete this.state.services[name];
      toStart.push(name);
    }

    if (toStart.length === 0) {
      this.log.info('lab already running; reusing every service');
      return { ...this.snapshot(this.state, ports), reused, started: [], seconds: (performance.now() - startedAt) / 1000 };
    }

    const context = await this.preflight(toStart);
    // A registry port some other Schema Registry answers is left to it rather than failing the whole `up`.
    for (const [name, why] of await registriesAnsweredElsewhere(toStart, (registry) => servicePorts(ports, registry)[0] ?? 0)) {
      this.log.warn(`${name} not started: ${why}`);
      toStart.splice(toStart.indexOf(name), 1);
      this.setTransient(name, { state: 'failed', error: why });
    }
    await Promise.all(toStop.map(({ name, pid }) => this.stopPid(name, pid)));
    await assertPortsFree(toStart.flatMap((name) => servicePorts(ports, name).map((port) => ({ port, service: name }))));

    this.state.ports = ports;
    this.state.passwords.mariadb ??= newPassword();
    this.state.passwords.postgres ??= newPassword();
    this.saveState();

    const abort = new AbortController();
    this.runningUp = { abort, cancelled: false };
    const fullContext: StartContext = { ...context, signal: abort.signal };
    if (toStart.some(isKafka)) {
      const pomPath = this.requirePom();
      fullContext.runtime = ensureKafkaRuntime({ cacheDir: this.cacheDir, pomPath, mvn: context.binaries.mvn, log: this.log, signal: abort.signal });
      // Both brokers await it; a rejection must not count as unhandled before they do.
      fullContext.runtime.catch(() => undefined);
    }
    if (toStart.includes('connect')) {
      fullContext.connectRuntime = ensureConnectRuntime({ cacheDir: this.cacheDir, pomDir: this.requireConnectPomDir(), mvn: context.binaries.mvn, log: this.log, signal: abort.signal });
      fullContext.connectRuntime.catch(() => undefined);
    }

    for (const name of toStart) this.setTransient(name, { state: 'starting' });
    this.log.info('starting lab services', { services: toStart, reused, dir: this.paths.dir });

    const failures = new Map<LabServiceName, unknown>();
    await Promise.all(
      toStart.map(async (name) => {
        const t0 = performance.now();
        try {
          await this.startService(name, ports, fullContext);
          this.log.info(`${name} ready`, { seconds: Number(((performance.now() - t0) / 1000).toFixed(2)) });
          this.setTransient(name, undefined);
        } catch (error) {
          if (abort.signal.aborted && failures.size > 0 && !failures.has(name) && isCancellation(error)) return;
          failures.set(name, error);
          this.log.error(`${name} failed to start`, { error: errorMessage(error) });
          abort.abort();
        }
      }),
    );

    const cancelled = this.runningUp?.cancelled === true;
    this.runningUp = undefined;
    if (failures.size > 0) {
      await this.rollback(toStart, failures);
      if (cancelled) {
        throw labError('LAB_CANCELLED', `Lab start cancelled; the services it had started (${toStart.join(', ')}) were stopped again.`, { retriable: true });
      }
      throw combineFailures(failures);
    }

    const seconds = (performance.now() - startedAt) / 1000;
    this.log.info('lab up', { seconds: Number(seconds.toFixed(2)), started: toStart, reused });
    return { ...this.snapshot(this.state, ports), reused, started: toStart, seconds };
  }

  /** Everything that can be checked before touching a process: binaries, Java's version, the postgres user. */
  private async preflight(toStart: readonly LabServiceName[]): Promise<Omit<StartContext, 'signal' | 'runtime'>> {
    const needed: LabBinary[] = [];
    const kafka = toStart.some(isKafka) || toStart.includes('connect');
    if (kafka) needed.push('java');
    if (toStart.some(isKafka) && !isKafkaRuntimeCached(this.cacheDir, this.requirePom())) needed.push('mvn');
    if (toStart.includes('connect') && !isConnectRuntimeCached(this.cacheDir, this.requireConnectPomDir()) && !needed.includes('mvn')) needed.push('mvn');
    if (toStart.includes('mariadb')) needed.push('mariadbd', 'mariadb-install-db');
    if (toStart.includes('postgres')) needed.push('initdb', 'postgres');
    const binaries: Partial<Record<LabBinary, string>> = requireBinaries(needed, this.env, this.binDirs);
    const [postgresUser] = await Promise.all([
      toStart.includes('postgres') ? resolvePostgresUser(this.uid) : Promise.resolve(undefined),
      kafka && binaries.java ? assertJavaVersion(binaries.java) : Promise.resolve(),
    ]);
    // Here rather than in the postgres start: a lab dir the postgres user cannot reach fails before anything starts.
    if (toStart.includes('postgres')) await preparePostgresDir(this.paths.postgres, postgresUser);
    return postgresUser ? { binaries, postgresUser } : { binaries };
  }

  private async startService(name: LabServiceName, ports: LabPorts, context: StartContext): Promise<void> {
    if (isKafka(name)) return this.startKafka(name, ports, context);
    if (name === 'mariadb') return this.startMariaDb(ports, context);
    if (name === 'connect') return this.startConnect(ports, context);
    if (isRegistryService(name)) return this.startRegistry(name, ports, context);
    if (name === 'azurite') return this.startAzurite(ports, context);
    return this.startPostgres(ports, context);
  }

  private async startKafka(name: KafkaName, ports: LabPorts, context: StartContext): Promise<void> {
    const paths = this.paths.kafka[name];
    const [port, controllerPort] = servicePorts(ports, name) as [number, number];
    const java = this.binary(context, 'java');
    const { lib } = await (context.runtime ?? Promise.reject(new Error('Kafka runtime not prepared')));
    if (context.signal.aborted) throw abortedError(name);

    writeKafkaConfig(paths, { port, controllerPort, dataDir: paths.dataDir });
    const formatted = readFormattedClusterId(paths);
    if (formatted) {
      this.state.clusterIds[name] = formatted;
    } else {
      // No meta.properties: nothing usable in there (the formatter writes it last), so start from a clean directory.
      rmSync(paths.dataDir, { recursive: true, force: true });
      mkdirSync(paths.dataDir, { recursive: true, mode: 0o700 });
      const clusterId = this.state.clusterIds[name] ?? newClusterId();
      this.state.clusterIds[name] = clusterId;
      this.saveState();
      this.log.info(`formatting ${name} storage`, { clusterId });
      await formatKafkaStorage({ service: name, java, paths, lib, clusterId });
    }
    if (context.signal.aborted) throw abortedError(name);

    const offsets = logOffsets([paths.serverLog, paths.stdoutLog]);
    const child = await this.spawnRecorded(name, [port, controllerPort], ports, () => startKafkaBroker(java, paths, lib));
    await waitForKafka({
      service: name,
      bootstrap: `${LAB_HOST}:${port}`,
      child,
      paths,
      timeoutMs: this.readyTimeoutMs,
      signal: context.signal,
      logOffsets: offsets,
    });
    this.markReady(name);
  }

  private async startMariaDb(ports: LabPorts, context: StartContext): Promise<void> {
    const paths = this.paths.mariadb;
    mkdirSync(paths.dir, { recursive: true, mode: 0o700 });
    const fresh = await initMariaDb({ installDb: this.binary(context, 'mariadb-install-db'), paths, osUser: this.osUser });
    if (fresh) this.log.info('mariadb data directory initialised', { dir: paths.dataDir });
    if (context.signal.aborted) throw abortedError('mariadb');

    const mariadbd = this.binary(context, 'mariadbd');
    const offsets = logOffsets([paths.errorLog, paths.stdoutLog]);
    const child = await this.spawnRecorded('mariadb', [ports.mariadb], ports, () => startMariaDb(mariadbd, paths, ports.mariadb, this.osUser));
    await waitForMariaDb({ child, paths, timeoutMs: this.readyTimeoutMs, signal: context.signal, logOffsets: offsets });
    const password = this.state.passwords.mariadb ?? '';
    await this.asStartFailure('mariadb', 'creating the `ferry` user and database failed', [paths.errorLog], offsets, async () => {
      await bootstrapMariaDb(paths, password);
      await checkMariaDbEndpoint(ports.mariadb, password);
    });
    this.markReady('mariadb');
  }

  private async startPostgres(ports: LabPorts, context: StartContext): Promise<void> {
    const paths = this.paths.postgres;
    const user = context.postgresUser;
    const password = this.state.passwords.postgres ?? '';
    const fresh = await initPostgres({ initdb: this.binary(context, 'initdb'), paths, user, password });
    if (fresh) this.log.info('postgres data directory initialised', { dir: paths.dataDir });
    if (context.signal.aborted) throw abortedError('postgres');

    const postgres = this.binary(context, 'postgres');
    const offsets = logOffsets([paths.log]);
    const child = await this.spawnRecorded('postgres', [ports.postgres], ports, () => startPostgres(postgres, paths, ports.postgres, user));
    await waitForPostgres({ child, paths, port: ports.postgres, timeoutMs: this.readyTimeoutMs, signal: context.signal, logOffsets: offsets });
    await this.asStartFailure('postgres', 'creating the `ferry` database failed', [paths.log], offsets, async () => {
      await bootstrapPostgres(paths, ports.postgres, password);
      await checkPostgresEndpoint(ports.postgres, password);
    });
    this.markReady('postgres');
  }

  /** A distributed Connect worker on cluster a; it waits for the broker, which the same `up` may still be starting. */
  private async startConnect(ports: LabPorts, context: StartContext): Promise<void> {
    const paths = connectPaths(this.paths.dir);
    const java = this.binary(context, 'java');
    const runtime = await (context.connectRuntime ?? Promise.reject(new Error('Connect runtime not prepared')));
    if (context.signal.aborted) throw abortedError('connect');
    const bootstrap = `${LAB_HOST}:${ports.kafkaA}`;
    writeConnectConfig(paths, { bootstrap, port: ports.connect, plugins: runtime.plugins });
    // Its own wait, not the kafka-a start's: kafka-a may have been reused, or be started by this same call.
    await waitForKafka({ service: 'connect (waiting for kafka-a)', bootstrap, paths: this.paths.kafka['kafka-a'], timeoutMs: this.readyTimeoutMs * 2, signal: context.signal });
    const offsets = logOffsets([paths.log, paths.stdoutLog]);
    const child = await this.spawnRecorded('connect', [ports.connect], ports, () => startConnectWorker(java, paths, runtime));
    // A JVM that loads five plugins and joins a group: slower than a broker on a loaded machine.
    await waitForConnect({ url: connectUrl(ports.connect), child, paths, timeoutMs: Math.max(this.readyTimeoutMs, 180_000), signal: context.signal, logOffsets: offsets });
    this.markReady('connect');
  }

  /** One cluster's Schema Registry (registryService.ts): a `ferry registry serve` process keeping its schemas in the lab dir. */
  private async startRegistry(name: RegistryServiceName, ports: LabPorts, context: StartContext): Promise<void> {
    const paths = registryPaths(this.paths.dir, name);
    const [port] = servicePorts(ports, name) as [number];
    mkdirSync(paths.dir, { recursive: true, mode: 0o700 });
    const offsets = logOffsets([paths.log]);
    const child = await this.spawnRecorded(name, [port], ports, () => startRegistryService(paths, port));
    // Node plus tsx compiling the CLI takes seconds on a loaded machine.
    await waitForRegistry({ service: name, port, child, paths, timeoutMs: Math.max(this.readyTimeoutMs, 90_000), signal: context.signal, logOffsets: offsets });
    this.markReady(name);
  }

  /** Azurite's Blob endpoint (azurite.ts): the Azure Blob / ADLS Gen2 sinks' target, data kept in the lab dir. */
  private async startAzurite(ports: LabPorts, context: StartContext): Promise<void> {
    if (context.signal.aborted) throw abortedError('azurite');
    const paths = azuritePaths(serviceDir(this.paths, 'azurite'));
    const offsets = logOffsets([paths.log]);
    const child = await this.spawnRecorded('azurite', [ports.azurite], ports, () => startAzurite(paths, ports.azurite));
    await waitForAzurite({ child, paths, port: ports.azurite, timeoutMs: Math.max(this.readyTimeoutMs, 60_000), signal: context.signal, logOffsets: offsets });
    this.markReady('azurite');
  }

  /** Saves the pid the moment the process exists, so a crash of this process never leaves an untracked service. */
  private async spawnRecorded(
    name: LabServiceName,
    servicePortList: number[],
    ports: LabPorts,
    spawnIt: () => Promise<ChildProcess & { pid: number }>,
  ): Promise<ChildProcess> {
    let child: ChildProcess & { pid: number };
    try {
      child = await spawnIt();
    } catch (error) {
      throw startFailedError(name, `its process could not be started (${errorMessage(error)})`, serviceLogFile(this.paths, name), []);
    }
    const record: ServiceRecord = {
      pid: child.pid,
      ports: servicePortList,
      fingerprint: this.expectedFingerprint(name, ports),
      startedAt: new Date().toISOString(),
    };
    this.state.services[name] = record;
    this.saveState();
    this.fireSnapshot();
    return child;
  }

  private markReady(name: LabServiceName): void {
    const record = this.state.services[name];
    if (record) record.readyAt = new Date().toISOString();
    this.saveState();
  }

  private async asStartFailure(name: LabServiceName, what: string, logs: readonly string[], offsets: LogOffsets, run: () => Promise<void>): Promise<void> {
    try {
      await run();
    } catch (error) {
      if (isEngineError(error)) throw error;
      throw startFailedError(name, `${what}: ${errorMessage(error)}`, logs[0] ?? '', relevantLinesFrom(logs, offsets));
    }
  }

  /** Stops what this call started; the failed services end `failed` (with the reason), the rest `stopped`. */
  private async rollback(toStart: readonly LabServiceName[], failures: Map<LabServiceName, unknown>): Promise<void> {
    await Promise.all(
      toStart.map(async (name) => {
        const failure = failures.get(name);
        const final: Transient | undefined = failure === undefined ? undefined : { state: 'failed', error: errorMessage(failure) };
        const record = this.state.services[name];
        if (!record) {
          this.setTransient(name, final);
          return;
        }
        try {
          await this.stopPid(name, record.pid, final);
        } catch (error) {
          this.log.error(`could not stop ${name} after a failed start`, { pid: record.pid, error: errorMessage(error) });
          return;
        }
        delete this.state.services[name];
        this.saveState();
      }),
    );
  }

  // ---------------------------------------------------------------- down / reset

  private async doDown(): Promise<void> {
    try {
      this.state = readState(this.paths.stateFile);
    } catch (error) {
      this.log.warn('lab state file unreadable; looking for lab processes by command line', { error: errorMessage(error) });
      this.state = emptyState();
    }
    await Promise.all(
      LAB_SERVICE_NAMES.map(async (name) => {
        const marker = serviceDir(this.paths, name);
        const record = this.state.services[name];
        const pids = record && ownsPid(record.pid, marker) ? [record.pid] : findOwnedProcesses(marker, EXECUTABLES[name]);
        for (const pid of pids) await this.stopPid(name, pid);
        if (record) {
          delete this.state.services[name];
          this.saveState();
        }
        if (this.transient.get(name)?.state === 'failed') this.setTransient(name, undefined);
      }),
    );
  }

  /** stopping → stopped, or → `final` (rollback uses it to leave the failure and its reason visible). */
  private async stopPid(name: LabServiceName, pid: number, final?: Transient): Promise<void> {
    this.setTransient(name, { state: 'stopping' });
    let outcome: Awaited<ReturnType<typeof stopOwnedProcess>>;
    try {
      outcome = await stopOwnedProcess(pid, serviceDir(this.paths, name), {
        group: isKafka(name),
        // Postgres' SIGTERM is "smart" shutdown and waits for every client to disconnect; SIGINT is "fast".
        signal: name === 'postgres' ? 'SIGINT' : 'SIGTERM',
        timeoutMs: this.stopTimeoutMs,
      });
    } catch (error) {
      this.setTransient(name, { state: 'failed', error: errorMessage(error) });
      throw error;
    }
    if (outcome === 'killed') this.log.warn(`${name} did not stop within ${this.stopTimeoutMs / 1000} s and was killed`, { pid });
    else if (outcome === 'stopped') this.log.info(`${name} stopped`, { pid });
    if (this.state.services[name]?.pid === pid) delete this.state.services[name];
    this.setTransient(name, final);
  }

  private wipe(): void {
    for (const entry of LAB_OWNED_ENTRIES) rmSync(join(this.paths.dir, entry), { recursive: true, force: true });
    for (const entry of readdirSync(this.paths.dir)) {
      // Leftover temp and quarantined state files.
      if (entry.startsWith('lab.json.') || entry.startsWith('.lab.json.')) rmSync(join(this.paths.dir, entry), { force: true });
    }
    this.log.info('lab data wiped', { dir: this.paths.dir });
  }

  private removeLabDirIfEmpty(): void {
    try {
      rmdirSync(this.paths.dir);
    } catch {
      // Not empty (the user keeps other things there) or already gone: both fine.
    }
  }

  // ---------------------------------------------------------------- status

  private snapshot(state: LabState, ports: LabPorts): LabStatus {
    const services: LabServiceStatus[] = LAB_SERVICE_NAMES.map((name) => {
      const record = state.services[name];
      const owned = record !== undefined && ownsPid(record.pid, serviceDir(this.paths, name));
      const transient = this.transient.get(name);
      let serviceState: LabServiceState = owned ? 'running' : 'stopped';
      if (transient && (transient.state !== 'failed' || !owned)) serviceState = transient.state;
      // A started-but-not-yet-ready service is not "running" for clients even though its pid is alive.
      if (serviceState === 'running' && !record?.readyAt) serviceState = 'starting';
      const port = owned && record?.ports[0] !== undefined ? record.ports[0] : (servicePorts(ports, name)[0] ?? 0);
      const status: LabServiceStatus = {
        name,
        kind: KIND[name],
        state: serviceState,
        endpoint: `${LAB_HOST}:${port}`,
        logFile: serviceLogFile(this.paths, name),
      };
      if (owned && record) status.pid = record.pid;
      if (serviceState === 'running' && record?.readyAt) status.readyAt = record.readyAt;
      if (serviceState === 'failed' && transient?.error) status.error = transient.error;
      return status;
    });
    const portOf = (name: LabServiceName): number => Number(services.find((s) => s.name === name)?.endpoint.split(':')[1] ?? 0);
    const endpoints: LabEndpoints = {
      kafka: { a: { bootstrap: `${LAB_HOST}:${portOf('kafka-a')}` }, b: { bootstrap: `${LAB_HOST}:${portOf('kafka-b')}` } },
      mariadb: { host: LAB_HOST, port: portOf('mariadb'), user: LAB_DB_USER, password: state.passwords.mariadb ?? '', database: LAB_DB_NAME },
      postgres: { host: LAB_HOST, port: portOf('postgres'), user: LAB_DB_USER, password: state.passwords.postgres ?? '', database: LAB_DB_NAME },
      connect: { url: connectUrl(portOf('connect')) },
      schemaRegistry: { url: registryUrl(portOf('registry-a')) },
      azurite: { url: azuriteBlobUrl(portOf('azurite')), account: AZURITE_ACCOUNT, accountKey: AZURITE_ACCOUNT_KEY },
    };
    endpoints.kafka.a.schemaRegistry = { url: registryUrl(portOf('registry-a')) };
    endpoints.kafka.b.schemaRegistry = { url: registryUrl(portOf('registry-b')) };
    const running = services.every((s) => s.state === 'running' || (LAB_OPTIONAL_SERVICES.includes(s.name) && s.state === 'stopped'));
    return { dir: this.paths.dir, running, services, endpoints };
  }

  // ---------------------------------------------------------------- helpers

  private expectedFingerprint(name: LabServiceName, ports: LabPorts): string {
    if (isKafka(name)) {
      const paths = this.paths.kafka[name];
      const [port, controllerPort] = servicePorts(ports, name) as [number, number];
      const pom = this.pomPath && existsSync(this.pomPath) ? this.pomPath : undefined;
      const lib = pom ? kafkaRuntimeLocation(this.cacheDir, pom).lib : '';
      return fingerprint([kafkaBrokerArgs(paths, lib), renderServerProperties({ port, controllerPort, dataDir: paths.dataDir })]);
    }
    if (name === 'mariadb') return fingerprint(mariadbdArgs(this.paths.mariadb, ports.mariadb, this.osUser));
    // The registries and Azurite run from a checkout's files; their fingerprints leave out which checkout, so two
    // checkouts (or the app beside a clone) share one lab instead of restarting these under each other's pipelines.
    if (isRegistryService(name)) return fingerprint(registryFingerprintArgs(registryPaths(this.paths.dir, name), servicePorts(ports, name)[0] ?? 0));
    if (name === 'azurite') return fingerprint(azuriteFingerprintArgs(azuritePaths(serviceDir(this.paths, 'azurite')), ports.azurite));
    if (name === 'connect') {
      const pomDir = this.connectPomDir && existsSync(join(this.connectPomDir, 'pom.xml')) ? this.connectPomDir : undefined;
      const runtime = pomDir ? connectRuntimeLocation(this.cacheDir, pomDir) : { worker: '', plugins: '' };
      const paths = connectPaths(this.paths.dir);
      return fingerprint([connectWorkerArgs(paths, runtime), renderConnectWorkerProperties({ bootstrap: `${LAB_HOST}:${ports.kafkaA}`, port: ports.connect, plugins: runtime.plugins })]);
    }
    return fingerprint(postgresArgs(this.paths.postgres, ports.postgres));
  }

  private binary(context: StartContext, name: LabBinary): string {
    const path = context.binaries[name];
    if (path === undefined) throw labError('LAB_MISSING_BINARY', `Internal: ${name} was not located before starting.`);
    return path;
  }

  private requirePorts(): LabPorts {
    if (this.configError || !this.ports) throw this.configError ?? labError('LAB_BAD_CONFIG', 'Lab ports are not configured.');
    return this.ports;
  }

  private requireConnectPomDir(): string {
    if (this.connectPomDir && existsSync(join(this.connectPomDir, 'pom.xml'))) return this.connectPomDir;
    throw labError(
      'LAB_BAD_CONFIG',
      `The Kafka Connect runtime project ${this.connectPomDir ?? 'resources/connect-runtime'} was not found. Run Ferry from its installation (the folder ships with it) or pass connectPomDir to createLab().`,
    );
  }

  private requirePom(): string {
    if (this.pomPath && existsSync(this.pomPath)) return this.pomPath;
    throw labError(
      'LAB_BAD_CONFIG',
      `The Kafka runtime project ${this.pomPath ?? 'resources/kafka-runtime/pom.xml'} was not found. Run Ferry from its ` +
        'installation (the file ships with it) or pass pomPath to createLab().',
    );
  }

  /**
   * Root needs the lab dir traversable (0711, not listable) because PostgreSQL runs as the `postgres` user inside
   * it; everyone else keeps it private.
   */
  private ensureLabDir(): void {
    const mode = this.uid === 0 ? 0o711 : 0o700;
    mkdirSync(this.paths.dir, { recursive: true, mode });
    chmodSync(this.paths.dir, mode);
  }

  private saveState(): void {
    writeState(this.paths.stateFile, this.state);
  }

  private setTransient(name: LabServiceName, value: Transient | undefined): void {
    if (value) this.transient.set(name, value);
    else this.transient.delete(name);
    this.fireSnapshot();
  }

  private fireSnapshot(): void {
    if (this.disposed || !this.ports) return;
    this.fire(this.snapshot(this.state, this.ports));
  }

  /** Identical snapshots are dropped: listeners get transitions, not echoes of internal bookkeeping. */
  private fire(status: LabStatus): void {
    if (this.disposed) return;
    const key = JSON.stringify(status);
    if (key === this.lastFired) return;
    this.lastFired = key;
    this.emitter.fire(status);
  }

  private serialized<T>(run: () => Promise<T>): Promise<T> {
    const next = this.queue.then(run, run);
    this.queue = next.catch(() => undefined);
    return next;
  }
}

/** One error for the caller; services that failed for the same reason (both brokers without jars) are named once. */
function combineFailures(failures: Map<LabServiceName, unknown>): EngineError {
  const byError = new Map<unknown, LabServiceName[]>();
  for (const [name, error] of failures) byError.set(error, [...(byError.get(error) ?? []), name]);
  const entries = [...byError.entries()].map(([error, names]) => [names.join(', '), error] as const);
  if (entries.length === 1) {
    const [, error] = entries[0] as readonly [string, unknown];
    return isEngineError(error) ? error : labError('LAB_START_FAILED', errorMessage(error), { retriable: true, cause: error });
  }
  const codes = new Set(entries.map(([, e]) => (isEngineError(e) ? e.code : 'LAB_START_FAILED')));
  const code = codes.size === 1 ? [...codes][0] : 'LAB_START_FAILED';
  return new EngineError(
    code ?? 'LAB_START_FAILED',
    `${entries.length} lab services failed to start; the services this call started were stopped again.\n\n` +
      entries.map(([name, e]) => `${name}: ${errorMessage(e)}`).join('\n\n'),
    { retriable: entries.every(([, e]) => !isEngineError(e) || e.retriable), detail: { failures: entries.map(([name, e]) => ({ service: name, message: errorMessage(e), code: isEngineError(e) ? e.code : 'INTERNAL' })) } },
  );
}
