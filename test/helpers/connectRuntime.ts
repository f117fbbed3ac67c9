import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { type ConnectRuntime, defaultConnectPomDir, ensureConnectRuntime as ensureConnectRuntimeInCache } from '../../src/engine/lab/connectRuntime';
import { defaultCacheDir } from '../../src/engine/lab/paths';

// Kafka Connect standalone from Maven Central jars, with the real Debezium plugins, for the interoperability tests:
// what a user who runs Debezium instead of Ferry runs. The jars are the lab's (src/engine/lab/connectRuntime.ts,
// pinned in resources/connect-runtime), fetched once into Ferry's cache; this helper only runs a standalone worker.

export type { ConnectRuntime } from '../../src/engine/lab/connectRuntime';

/** The lab's Connect runtime, fetched with Maven on first use. */
export async function ensureConnectRuntime(): Promise<ConnectRuntime> {
  const pomDir = defaultConnectPomDir();
  if (pomDir === undefined) throw new Error('connectRuntime: cannot find the repository root (resources/connect-runtime).');
  return ensureConnectRuntimeInCache({ cacheDir: defaultCacheDir(process.env), pomDir, mvn: 'mvn' });
}

function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolvePort(port));
    });
  });
}

export interface ConnectorStatus {
  connector: { state: string; trace?: string };
  tasks: { id: number; state: string; trace?: string }[];
}

/** A running Connect standalone worker and its REST API. */
export class ConnectWorker {
  private exited: Promise<number | null>;

  private constructor(
    private readonly child: ChildProcess,
    readonly url: string,
    readonly logFile: string,
  ) {
    this.exited = new Promise((resolveExit) => child.once('exit', (code) => resolveExit(code)));
  }

  /**
   * Starts a worker against `bootstrap` with JsonConverter (schemas.enable=true) for keys and values, offsets in
   * `dir`, a free REST port, `plugin.discovery=service_load` (the reflective scan takes over a minute on a loaded
   * machine) and a 512 MB heap. Resolves once the REST API lists both Debezium plugins.
   */
  static async start(options: { bootstrap: string; dir: string; runtime: Pick<ConnectRuntime, 'worker' | 'plugins'>; deadlineMs?: number }): Promise<ConnectWorker> {
    const { bootstrap, dir, runtime } = options;
    mkdirSync(dir, { recursive: true });
    const port = await freePort();
    const properties = join(dir, 'worker.properties');
    const logFile = join(dir, 'connect.log');
    writeFileSync(
      properties,
      [
        `bootstrap.servers=${bootstrap}`,
        'key.converter=org.apache.kafka.connect.json.JsonConverter',
        'value.converter=org.apache.kafka.connect.json.JsonConverter',
        'key.converter.schemas.enable=true',
        'value.converter.schemas.enable=true',
        `offset.storage.file.filename=${join(dir, 'connect.offsets')}`,
        'offset.flush.interval.ms=1000',
        `plugin.path=${runtime.plugins}`,
        'plugin.discovery=service_load',
        `listeners=http://127.0.0.1:${port}`,
        // Small polls and quick consumer sessions keep a test's sink close behind the topic.
        'consumer.max.poll.records=500',
        'consumer.auto.offset.reset=earliest',
        '',
      ].join('\n'),
    );
    const log4j = join(dir, 'log4j2.properties');
    writeFileSync(
      log4j,
      [
        'status = warn',
        'appender.file.type = File',
        'appender.file.name = file',
        `appender.file.fileName = ${logFile}`,
        'appender.file.layout.type = PatternLayout',
        'appender.file.layout.pattern = [%d] %p %m (%c)%n',
        'rootLogger.level = INFO',
        'rootLogger.appenderRef.file.ref = file',
        'logger.kafka.name = org.apache.kafka',
        'logger.kafka.level = WARN',
        'logger.connect.name = org.apache.kafka.connect',
        'logger.connect.level = INFO',
        '',
      ].join('\n'),
    );
    const child = spawn(
      'java',
      ['-Xms128m', '-Xmx512m', '-Djava.awt.headless=true', `-Dlog4j2.configurationFile=${log4j}`, '-cp', `${runtime.worker}/*`, 'org.apache.kafka.connect.cli.ConnectStandalone', properties],
      { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] },
    );
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString('utf8')).slice(-4000)));
    const worker = new ConnectWorker(child, `http://127.0.0.1:${port}`, logFile);
    const deadline = Date.now() + (options.deadlineMs ?? 120_000);
    let exitCode: number | null | undefined;
    void worker.exited.then((code) => (exitCode = code));
    for (;;) {
      if (exitCode !== undefined) throw new Error(`Kafka Connect exited (${String(exitCode)}) before its REST API answered; see ${logFile}\n${stderr}`);
      const plugins = await fetch(`${worker.url}/connector-plugins`).then((response) => (response.ok ? (response.json() as Promise<{ class: string }[]>) : undefined)).catch(() => undefined);
      if (plugins) {
        const classes = plugins.map((plugin) => plugin.class);
        const wanted = ['io.debezium.connector.mariadb.MariaDbConnector', 'io.debezium.connector.jdbc.JdbcSinkConnector'];
        const missing = wanted.filter((name) => !classes.includes(name));
        if (missing.length > 0) {
          await worker.stop();
          throw new Error(`Kafka Connect started without ${missing.join(', ')} (it lists ${classes.join(', ')}); see ${logFile}`);
        }
        return worker;
      }
      if (Date.now() > deadline) {
        await worker.stop();
        throw new Error(`Kafka Connect's REST API did not answer within ${options.deadlineMs ?? 120_000} ms; see ${logFile}\n${stderr}`);
      }
      await new Promise((resolveWait) => setTimeout(resolveWait, 500));
    }
  }

  private async request(method: string, path: string, body?: unknown): Promise<unknown> {
    const response = await fetch(`${this.url}${path}`, {
      method,
      headers: { 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    if (!response.ok) throw new Error(`Kafka Connect ${method} ${path}: ${response.status} ${text}`);
    return text ? (JSON.parse(text) as unknown) : null;
  }

  async createConnector(name: string, config: Record<string, string>): Promise<void> {
    await this.request('POST', '/connectors', { name, config });
  }

  async deleteConnector(name: string): Promise<void> {
    await this.request('DELETE', `/connectors/${encodeURIComponent(name)}`).catch(() => undefined);
  }

  async status(name: string): Promise<ConnectorStatus | undefined> {
    try {
      return (await this.request('GET', `/connectors/${encodeURIComponent(name)}/status`)) as ConnectorStatus;
    } catch {
      return undefined;
    }
  }

  /** Throws with Connect's stack trace when the connector or one of its tasks FAILED; a test polls it while waiting. */
  async assertNotFailed(name: string): Promise<void> {
    const status = await this.status(name);
    if (!status) return;
    const failed = [status.connector, ...status.tasks].find((entry) => entry.state === 'FAILED');
    if (failed) throw new Error(`Kafka Connect connector ${name} FAILED: ${(failed.trace ?? '').slice(0, 3000)}`);
  }

  /** SIGTERM (Connect stops its connectors and flushes offsets), SIGKILL after 20 s. Only this worker's process. */
  async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    this.child.kill('SIGTERM');
    const killer = setTimeout(() => this.child.kill('SIGKILL'), 20_000);
    await this.exited;
    clearTimeout(killer);
  }
}
