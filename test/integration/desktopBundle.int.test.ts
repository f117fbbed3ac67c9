import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { requireRepoRoot } from '../../src/engine/base/repoRoot';
import { createKafkaClient } from '../../src/engine/kafka';
import { PipelineRunner } from '../../src/engine/pipeline';
import { BUNDLED_TASK_FILE, taskWorkerLaunch } from '../../src/engine/pipeline/taskThread';
import { BUNDLED_WRITER_FILE, writerLaunch } from '../../src/engine/replicator/chunkWriter';
import { startEmbeddedSchemaRegistry } from '../../src/engine/schema';
import { dropTables, openDb } from '../helpers/pipelineDb';
import { mariadbToPostgresDocument, resolvePipeline, waitForIdle } from '../helpers/pipelineHarness';
import type { WriterEvent, WriterRequest, WriterWorkerData } from '../../src/engine/replicator/writerWorker';
import { uniqueName } from '../helpers/names';

// The desktop build must carry every worker thread the engine starts: the replicator's writer thread used to be
// started from writerWorker.ts through tsx, which the built app does not have, so it silently copied on one thread.
// This builds the main bundle (electron-vite, the project's own config; renderer and preload are not needed here)
// into a scratch folder inside the repository (so the bundle's external packages resolve from node_modules), finds
// the writer the way the bundled chunkWriter does, and has the bundled writer thread copy a record to the lab's Kafka.

const root = requireRepoRoot();
const scratch = join(root, 'node_modules', '.cache', uniqueName('ferry-bundle-test'));
const endpoints = inject('labEndpoints');
const bootstrap = endpoints.kafka.b.bootstrap;
const admin = createKafkaClient({ bootstrapServers: [bootstrap] }).admin();
const topic = uniqueName('bundle-writer').toLowerCase();

afterAll(async () => {
  rmSync(scratch, { recursive: true, force: true });
  await admin.deleteTopics([topic]).catch(() => undefined);
  await admin.disconnect().catch(() => undefined);
});

const DRIVER_PACKAGES = ['mssql', 'mysql2', 'pg', 'pg-logical-replication', '@vlasky/zongji', '@azure/storage-blob'];

/** The packages a bundled file imports statically, itself or through the chunks it imports statically (not import()). */
function staticPackageImports(dir: string, file: string, seen = new Set<string>()): string[] {
  if (seen.has(file)) return [];
  seen.add(file);
  const packages: string[] = [];
  const code = readFileSync(join(dir, file), 'utf8');
  for (const match of code.matchAll(/^import\s+(?:[^'"]*?\sfrom\s+)?["']([^"']+)["'];?$/gm)) {
    const specifier = match[1] ?? '';
    if (specifier.startsWith('.')) packages.push(...staticPackageImports(dir, join(dirname(file), specifier), seen));
    else if (!specifier.startsWith('node:')) packages.push(specifier);
  }
  return packages;
}

let built: string | undefined;
function build(): string {
  if (built !== undefined) return built;
  mkdirSync(scratch, { recursive: true });
  const config = join(scratch, 'main-only.config.mjs');
  writeFileSync(config, `import config from ${JSON.stringify(join(root, 'electron.vite.config.ts'))};\nexport default { main: config.main };\n`);
  const out = join(scratch, 'out');
  const result = spawnSync(process.execPath, [join(root, 'node_modules', 'electron-vite', 'bin', 'electron-vite.js'), 'build', '-c', config, '--outDir', out, '--logLevel', 'error'], { cwd: root, encoding: 'utf8', timeout: 240_000 });
  if (result.status !== 0) throw new Error(`electron-vite build failed (${String(result.status)}): ${result.stderr}${result.stdout}`);
  built = join(out, 'main');
  return built;
}

describe('the desktop bundle', () => {
  it('contains the replicator writer thread, and the bundled writer copies records', async () => {
    const main = build();
    expect(existsSync(join(main, 'index.js'))).toBe(true);
    expect(readFileSync(join(main, 'index.js'), 'utf8')).toContain(BUNDLED_WRITER_FILE);
    // What the bundled chunkWriter (inside index.js) resolves: the built entry itself, no TypeScript loader.
    const launch = writerLaunch(pathToFileURL(join(main, 'index.js')).href);
    expect(launch).toEqual({ entry: pathToFileURL(join(main, BUNDLED_WRITER_FILE)).href });

    await admin.connect();
    await admin.createTopics({ topics: [{ topic, numPartitions: 1 }] });
    const data: WriterWorkerData = { entry: launch?.entry ?? '', kafka: { bootstrapServers: [bootstrap] }, transactionalId: undefined, requestBytes: 1_000_000, lingerMs: 0, compression: 'lz4', checkpointGroup: undefined };
    const worker = new Worker(new URL(data.entry), { workerData: data });
    const events: WriterEvent[] = [];
    const next = (type: WriterEvent['type']): Promise<WriterEvent> =>
      new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no "${type}" from the bundled writer; got ${JSON.stringify(events)}`)), 30_000);
        worker.on('message', (event: WriterEvent) => {
          events.push(event);
          if (event.type === type) {
            clearTimeout(timer);
            resolve(event);
          }
        });
        worker.once('error', reject);
      });
    try {
      await next('ready');
      const value = Buffer.from('copied by the bundled writer');
      const request: WriterRequest = {
        type: 'submit',
        id: 7,
        chunk: { sourceTopic: 'src', sourcePartition: 0, destinationTopic: topic, records: [{ partition: 0, key: Buffer.from('k'), value, headers: { h: Buffer.from('v') }, timestamp: '1700000000000' }], sourceStart: 0, sourceEnd: 1, contiguous: true, bytes: value.length, newestTimestamp: 1_700_000_000_000 },
      };
      const acked = next('acked');
      worker.postMessage(request);
      expect(await acked).toEqual({ type: 'acked', acked: [{ id: 7, destinationOffset: 0, ackedAt: expect.any(Number) }] });
      const closed = next('closed');
      worker.postMessage({ type: 'close' } satisfies WriterRequest);
      await closed;
    } finally {
      await worker.terminate();
    }
    expect((await admin.fetchTopicOffsets(topic)).map((partition) => partition.high)).toEqual(['1']);
  }, 300_000);

  it('contains the pipeline connector thread, and a pipeline runs its source and sink in bundled threads', async () => {
    const main = build();
    expect(readFileSync(join(main, 'index.js'), 'utf8')).toContain(BUNDLED_TASK_FILE);
    const launch = taskWorkerLaunch(pathToFileURL(join(main, 'index.js')).href);
    expect(launch).toEqual({ entry: pathToFileURL(join(main, BUNDLED_TASK_FILE)).href });
    // Each thread loads its own plug-in's chunk on demand (connectors/pluginLoader.ts): what the entry imports
    // statically, before it knows its connector, holds no database driver.
    expect(staticPackageImports(main, BUNDLED_TASK_FILE).filter((name) => DRIVER_PACKAGES.some((driver) => name === driver || name.startsWith(`${driver}/`)))).toEqual([]);

    const name = uniqueName('bundle_pipe').toLowerCase();
    const table = `${name}_t`;
    const mariadb = await openDb('mariadb', endpoints.mariadb);
    const postgres = await openDb('postgres', endpoints.postgres);
    const registry = await startEmbeddedSchemaRegistry();
    const dataDir = join(scratch, name);
    const runner = new PipelineRunner(resolvePipeline(mariadbToPostgresDocument(name, table, endpoints, registry.url, { sink: { 'auto.create': 'true' } })), { dataDir, ...(launch ? { workerLaunch: launch } : {}) });
    try {
      await mariadb.exec(`CREATE TABLE ${table} (id INT PRIMARY KEY, note VARCHAR(20), updated_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3))`);
      await mariadb.exec(`INSERT INTO ${table} (id, note) VALUES (1, 'one'), (2, 'two'), (3, 'three')`);
      expect(runner.threaded).toBe(true);
      await runner.start();
      await waitForIdle(runner, 500);
      expect(await postgres.exec(`SELECT id, note FROM "${table}" ORDER BY id`)).toEqual([
        { id: 1, note: 'one' },
        { id: 2, note: 'two' },
        { id: 3, note: 'three' },
      ]);
    } finally {
      await runner.stop();
      await dropTables(mariadb, [table]);
      await dropTables(postgres, [table]);
      await Promise.all([mariadb.close(), postgres.close(), registry.close()]);
    }
  }, 300_000);
});
