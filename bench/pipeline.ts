/**
 * Pipeline benchmark (issues 3, 12, 13): seeds a realistic orders table (15 columns: decimals, timestamps, strings)
 * in the lab's MariaDB, runs MariaDB → Kafka (Avro, embedded registry) → PostgreSQL (upsert) inside this process,
 * then, unless --skip-debezium, the same run with Debezium's MariaDB connector and Debezium's JDBC sink in Kafka
 * Connect standalone (the anchor), and prints one JSON object: snapshot throughput, CPU per row, end-to-end latency
 * at a fixed insert rate (measured the same way for both: target insert time minus the source's created_at), the
 * engine thread's event-loop delay, peak RSS, the machine's load, and Ferry/Debezium ratios.
 *
 *   npm run bench:pipeline -- --capture log --rows 1000000 --json
 *   npm run bench:pipeline -- --capture polling --skip-debezium --json
 *   npm run bench:pipeline -- --skip-debezium --in-thread --profile-dir /tmp/prof   (connectors in this thread; profiles kept)
 *
 * Ferry's connectors run in worker threads of their own here (threads: true, as in the desktop app), started from
 * taskWorker.ts bundled as the desktop build bundles it (bench/workerBundle.ts; --tsx-threads for the sources); the event-loop
 * delay is this host thread's, the one that serves the window in the app. Per-service CPU comes from /proc by the
 * lab's pids; Ferry's per-stage and per-thread CPU from sampling profiles of all its threads (bench/stageSplit.ts).
 * Before anything is timed the broker is warmed with 300,000 records (bench/brokerWarmup.ts): Ferry runs first, and
 * on a lab started just before, it alone met a cold broker (--warmup-records 0 times that).
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve as resolvePath } from 'node:path';
import { pathToFileURL } from 'node:url';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import type { ResourceLimits } from 'node:worker_threads';
import mysql from 'mysql2/promise';
import pg from 'pg';
import { parsePipelineFile, requireValidPipeline } from '../src/engine/config/index';
import { createKafka } from '../src/engine/kafka/index';
import { createLab } from '../src/engine/lab/index';
import { PipelineRunner } from '../src/engine/pipeline/index';
import { CONNECTOR_THREAD_LIMITS } from '../src/engine/pipeline/pipelineRunner';
import { startEmbeddedSchemaRegistry } from '../src/engine/schema/index';
import { warmBroker } from './brokerWarmup';
import { type AnchorResult, runDebeziumAnchor } from './debeziumAnchor';
import { arrivalLatency, lastSourceId, machineBusySeconds, processTreeCpuSeconds, seedOrders, settleAfterSeed, stampArrivals, streamOrders, targetCount } from './pipelineMeasures';
import { buildPipelineTaskBundle } from './workerBundle';
import { STAGES, splitProfile, stageMicrosPerRow, startProcessProfile } from './stageSplit';

const { values } = parseArgs({
  options: {
    capture: { type: 'string', default: 'log' },
    rows: { type: 'string', default: '1000000' },
    rate: { type: 'string', default: '2000' },
    'stream-seconds': { type: 'string', default: '20' },
    'poll-interval-ms': { type: 'string', default: '500' },
    'sink-batch': { type: 'string', default: '5000' },
    'skip-debezium': { type: 'boolean', default: false },
    // Records through the broker before anything is timed (bench/brokerWarmup.ts); 0: time a cold broker.
    'warmup-records': { type: 'string', default: '300000' },
    // The connector tasks in the host's thread, as before worker threads (for the event-loop comparison).
    'in-thread': { type: 'boolean', default: false },
    // No CPU profile for the per-stage split (the profiler costs ~1-2 % CPU).
    'skip-profile': { type: 'boolean', default: false },
    // Also write each thread's CPU profile there (.cpuprofile, for Chrome DevTools or speedscope).
    'profile-dir': { type: 'string' },
    // The connector threads' entry: by default built from the current sources as the desktop app bundles it
    // (bench/workerBundle.ts); --worker-entry takes a built one (e.g. out/main/pipelineTask.js after `npm run build`),
    // --tsx-threads the TypeScript sources through tsx (what FERRY_PIPELINE_THREADS=1 does from the sources: ~2 s of
    // CPU and ~50 MB more per thread).
    'worker-entry': { type: 'string' },
    'tsx-threads': { type: 'boolean', default: false },
    // Each connector thread's V8 limits (Worker resourceLimits, MB; 0: none) over the runner's default, for A/B runs.
    'thread-young-mb': { type: 'string' },
    'thread-old-mb': { type: 'string' },
    json: { type: 'boolean', default: false },
  },
});
const capture = values.capture;
if (capture !== 'log' && capture !== 'polling') throw new Error(`--capture must be "log" or "polling", got "${String(capture)}"`);
const rows = Number(values.rows);
const rate = Number(values.rate);
const streamSeconds = Number(values['stream-seconds']);
const pollIntervalMs = Number(values['poll-interval-ms']);
const warmupRecords = Number(values['warmup-records']);
if (!Number.isInteger(warmupRecords) || warmupRecords < 0) throw new Error(`--warmup-records must be a whole number of at least 0, got ${String(values['warmup-records'])}`);
for (const [flag, value] of [['--rows', rows], ['--rate', rate], ['--stream-seconds', streamSeconds], ['--poll-interval-ms', pollIntervalMs]] as const) {
  if (!Number.isInteger(value) || value < 1) throw new Error(`${flag} must be a whole number of at least 1, got ${String(value)}`);
}
const mb = (bytes: number): number => Math.round(bytes / 1024 / 1024);
const say = (text: string): void => void (values.json ? undefined : process.stderr.write(`${text}\n`));

let rssMax = 0;
const rssTimer = setInterval(() => (rssMax = Math.max(rssMax, process.memoryUsage().rss)), 250);
const loadBefore = loadavg();

const lab = createLab();
const { endpoints } = await lab.up();
const id = Date.now().toString(36);
const table = `bench_orders_${id}`;
const anchorTable = `${table}_d`;
const database = endpoints.mariadb.database;
const mariadb = await mysql.createConnection({ ...endpoints.mariadb, multipleStatements: true });
const postgres = new pg.Client(endpoints.postgres);
await postgres.connect();
const registry = await startEmbeddedSchemaRegistry();
const dataDir = mkdtempSync(join(tmpdir(), 'ferry-bench-'));

say(warmupRecords > 0 ? `warming the broker with ${warmupRecords} records…` : 'broker not warmed (--warmup-records 0)');
const warmup = await warmBroker(createKafka({ bootstrapServers: [endpoints.kafka.a.bootstrap] }), warmupRecords, `bench_warmup_${id}`, 180);

// Each tool's table is seeded right before its own run and MariaDB is left to write the seed's dirty pages first:
// seeding the anchor's copy before Ferry's run had InnoDB flushing 2M rows' pages during Ferry's snapshot (42.8k
// rows/s and 24 µs/row against 50.8k and 20 without the second seed, minutes apart on a quiet machine).
say(`seeding ${rows} rows into MariaDB ${table}…`);
const seedStarted = performance.now();
await seedOrders(mariadb, table, rows);
const seedSettleSeconds = await settleAfterSeed(mariadb);
say(`seeded in ${((performance.now() - seedStarted) / 1000).toFixed(1)} s (settled ${seedSettleSeconds} s)`);

const name = `bench-${id}`;
const topicPrefix = capture === 'log' ? `bench_${id}` : `bench_${id}_`;
const topic = capture === 'log' ? `${topicPrefix}.${database}.${table}` : `${topicPrefix}${table}`;
const mariadbConnection = {
  'connection.host': endpoints.mariadb.host,
  'connection.port': String(endpoints.mariadb.port),
  'connection.user': endpoints.mariadb.user,
  'connection.password': endpoints.mariadb.password,
  'db.name': endpoints.mariadb.database,
};
const pollingSource = {
  name: `${name}-source`,
  'connector.class': 'MySqlSource',
  ...mariadbConnection,
  'ssl.mode': 'prefer',
  mode: 'timestamp+incrementing',
  'timestamp.column.name': 'updated_at',
  'incrementing.column.name': 'id',
  'table.whitelist': table,
  'topic.prefix': topicPrefix,
  'poll.interval.ms': String(pollIntervalMs),
  'batch.max.rows': '5000',
  'output.data.format': 'AVRO',
};
// The Debezium connector config as Connect users write it; Ferry reads the binlog after its snapshot.
const logSource = {
  name: `${name}-source`,
  'connector.class': 'io.debezium.connector.mariadb.MariaDbConnector',
  'database.hostname': endpoints.mariadb.host,
  'database.port': String(endpoints.mariadb.port),
  'database.user': endpoints.mariadb.user,
  'database.password': endpoints.mariadb.password,
  'database.server.id': String(270_000 + Math.floor(Math.random() * 10_000)),
  'topic.prefix': topicPrefix,
  'database.include.list': database,
  'table.include.list': `${database}\\.${table}`,
  'time.precision.mode': 'connect',
  'key.converter': 'io.confluent.connect.avro.AvroConverter',
  'value.converter': 'io.confluent.connect.avro.AvroConverter',
};
const sink = {
  name: `${name}-sink`,
  'connector.class': 'PostgresSink',
  topics: topic,
  'connection.host': endpoints.postgres.host,
  'connection.port': String(endpoints.postgres.port),
  'connection.user': endpoints.postgres.user,
  'connection.password': endpoints.postgres.password,
  'db.name': endpoints.postgres.database,
  'ssl.mode': 'prefer',
  'input.data.format': 'AVRO',
  'insert.mode': 'UPSERT',
  'auto.create': 'true',
  'batch.sizes': values['sink-batch'],
  'table.name.format': table,
  ...(capture === 'log'
    ? { 'pk.mode': 'record_key', 'input.key.format': 'AVRO', 'delete.enabled': 'true', transforms: 'unwrap', 'transforms.unwrap.type': 'io.debezium.transforms.ExtractNewRecordState', 'transforms.unwrap.drop.tombstones': 'false' }
    : { 'pk.mode': 'record_value', 'pk.fields': 'id' }),
};
const pipelineText = JSON.stringify({
  name,
  kafka: { 'bootstrap.servers': endpoints.kafka.a.bootstrap },
  'schema.registry.url': registry.url,
  connectors: [capture === 'log' ? logSource : pollingSource, sink],
});
/** Each thread's memory in MB, keyed host / source / sink. */
const threadMemoryMb = (threads: Awaited<ReturnType<PipelineRunner['threadMemory']>>): Record<string, Record<string, number>> =>
  Object.fromEntries(
    threads.map(({ thread, memory }) => [
      thread.split(' ')[0] ?? thread,
      {
        heap_committed: mb(memory.heapCommitted),
        heap_used: mb(memory.heapUsed),
        new_space: mb(memory.spaces.new_space ?? 0),
        old_space: mb(memory.spaces.old_space ?? 0),
        code_space: mb(memory.spaces.code_space ?? 0),
        external: mb(memory.external),
        array_buffers: mb(memory.arrayBuffers),
      },
    ]),
  );
const limitFlag = (flag: 'thread-young-mb' | 'thread-old-mb'): number | undefined => {
  const text = values[flag];
  if (text === undefined) return undefined;
  const mb = Number(text);
  if (!Number.isInteger(mb) || mb < 0) throw new Error(`--${flag} must be a whole number of MB (0: V8's own sizing), got ${text}`);
  return mb;
};
// The runner's default limits with the flags' changes (0 drops a limit: V8 sizes that generation itself).
const threadLimits: ResourceLimits = { ...CONNECTOR_THREAD_LIMITS };
for (const [flag, key] of [['thread-young-mb', 'maxYoungGenerationSizeMb'], ['thread-old-mb', 'maxOldGenerationSizeMb']] as const) {
  const mb = limitFlag(flag);
  if (mb === 0) delete threadLimits[key];
  else if (mb !== undefined) threadLimits[key] = mb;
}
const bundleDir = resolvePath('node_modules/.cache', `ferry-bench-worker-${id}`);
let threadEntry: { label: string; url?: string } = { label: 'tsx (TypeScript sources)' };
if (values['worker-entry']) threadEntry = { label: values['worker-entry'], url: pathToFileURL(resolvePath(values['worker-entry'])).href };
else if (!values['tsx-threads'] && !values['in-thread']) {
  say('building the connector thread entry as the desktop app bundles it…');
  threadEntry = { label: 'bundled (Vite build of taskWorker.ts from the current sources, as the desktop app)', url: buildPipelineTaskBundle(bundleDir) };
}
const runner = new PipelineRunner(requireValidPipeline(parsePipelineFile(pipelineText, 'bench.json'), 'bench.json'), {
  dataDir,
  threads: !values['in-thread'],
  threadResourceLimits: threadLimits,
  ...(threadEntry.url ? { workerLaunch: { entry: threadEntry.url } } : {}),
});
// Worker threads load their modules first (through tsx here: seconds of CPU that a built app does not spend).
await runner.ready();
const rssReady = process.memoryUsage().rss;
const memoryReady = await runner.threadMemory();
// The services' own processes (PostgreSQL with its backends), for their CPU per row.
const servicePids = new Map<string, number>();
for (const service of (await lab.status()).services) {
  if ((service.name === 'mariadb' || service.name === 'postgres' || service.name === 'kafka-a') && service.pid !== undefined) servicePids.set(service.name === 'kafka-a' ? 'kafka' : service.name, service.pid);
}
const servicesCpu = (): Record<string, number> => Object.fromEntries([...servicePids].map(([name, pid]) => [name, processTreeCpuSeconds(pid)]));

const ratio = (ferry: number | null | undefined, anchor: number | null | undefined): number | null =>
  ferry === null || ferry === undefined || anchor === null || anchor === undefined || anchor === 0 ? null : Number((ferry / anchor).toFixed(2));

let result: Record<string, unknown> = {};
try {
  say(`ferry snapshot (${capture} capture): copying every row through Kafka…`);
  const eventLoop = monitorEventLoopDelay({ resolution: 10 });
  eventLoop.enable();
  const profiler = values['skip-profile'] ? undefined : await startProcessProfile(1000);
  const servicesBefore = servicesCpu();
  const cpuBefore = process.cpuUsage();
  const machineBefore = machineBusySeconds();
  let rssSnapshotMax = 0;
  // Each thread's memory when the process's RSS peaked, and each thread's largest committed heap.
  let memoryAtPeak: Awaited<ReturnType<typeof runner.threadMemory>> = [];
  const heapCommittedMax = new Map<string, number>();
  let sampling = false;
  const rssSnapshotTimer = setInterval(() => {
    if (sampling) return;
    sampling = true;
    void runner
      .threadMemory()
      .then((threads) => {
        const rss = process.memoryUsage().rss;
        for (const { thread, memory } of threads) heapCommittedMax.set(thread, Math.max(heapCommittedMax.get(thread) ?? 0, memory.heapCommitted));
        if (rss > rssSnapshotMax) memoryAtPeak = threads;
        rssSnapshotMax = Math.max(rssSnapshotMax, rss);
      })
      .finally(() => (sampling = false));
  }, 250);
  const snapshotStarted = performance.now();
  const progress = setInterval(() => {
    const connectors = runner.status().connectors;
    say(`  t=${((performance.now() - snapshotStarted) / 1000).toFixed(1)} s produced ${connectors.reduce((n, c) => n + c.metrics.rowsProduced, 0)} applied ${connectors.reduce((n, c) => n + c.metrics.rowsApplied, 0)}`);
  }, 1000);
  await runner.start();
  await runner.waitUntilIdle({ settleMs: 500 });
  clearInterval(progress);
  const snapshotSeconds = (performance.now() - snapshotStarted) / 1000;
  const cpu = process.cpuUsage(cpuBefore);
  const ferryCpuSeconds = (cpu.user + cpu.system) / 1e6;
  const machineCpuSeconds = machineBusySeconds() - machineBefore;
  const servicesAfter = servicesCpu();
  clearInterval(rssSnapshotTimer);
  eventLoop.disable();
  const profiles = (await profiler?.stop()) ?? [];
  const profileDir = values['profile-dir'];
  if (profileDir) {
    mkdirSync(profileDir, { recursive: true });
    for (const [index, entry] of profiles.entries()) writeFileSync(join(profileDir, `${id}-${index}-${entry.thread.replace(/[^\w.-]+/g, '_')}.cpuprofile`), JSON.stringify(entry.profile));
  }
  const copied = await targetCount(postgres, table);
  say(`ferry snapshot: ${copied} rows in ${snapshotSeconds.toFixed(1)} s`);

  await stampArrivals(postgres, table);
  const lastSnapshotId = await lastSourceId(mariadb, table);
  say(`ferry streaming: ${rate} rows/s for ${streamSeconds} s…`);
  // Ferry's own latency figures from here on are the streaming phase's only.
  runner.resetLatencies();
  const { inserted, achievedRate } = await streamOrders(mariadb, table, rate, streamSeconds);
  await runner.waitUntilIdle({ settleMs: 500 });
  const status = runner.status().connectors.find((connector) => connector.role === 'sink');
  const finalCount = await targetCount(postgres, table);
  const arrivals = await arrivalLatency(postgres, table, lastSnapshotId);
  await runner.stop();

  const ferry = {
    tool: `Ferry (${capture === 'log' ? 'binlog capture, Debezium MariaDbConnector config' : 'polling capture, MySqlSource'} → Avro → PostgresSink upsert)`,
    snapshot_seconds: Number(snapshotSeconds.toFixed(2)),
    snapshot_rows_per_s: Math.round(copied / snapshotSeconds),
    ferry_cpu_us_per_row: Math.round((ferryCpuSeconds * 1e6) / Math.max(1, copied)),
    // Everything else the machine did during the snapshot: MariaDB, Kafka, PostgreSQL (and anything else running).
    services_cpu_us_per_row: Math.round((Math.max(0, machineCpuSeconds - ferryCpuSeconds) * 1e6) / Math.max(1, copied)),
    ...Object.fromEntries([...servicePids.keys()].map((service) => [`${service}_cpu_us_per_row`, Math.round((((servicesAfter[service] ?? 0) - (servicesBefore[service] ?? 0)) * 1e6) / Math.max(1, copied))])),
    // Ferry's CPU by stage and by thread (µs per row): the process's CPU divided by each one's share of the samples
    // of a profile of every thread (the host's and each connector's).
    ...(profiles.length > 0
      ? (() => {
          const cpuPerRow = (ferryCpuSeconds * 1e6) / Math.max(1, copied);
          const splits = profiles.map((entry) => splitProfile(entry.profile));
          const totals = splits.map((split) => STAGES.reduce((sum, stage) => sum + split[stage], 0));
          const all = totals.reduce((sum, total) => sum + total, 0);
          return {
            ferry_stage_cpu_us_per_row: stageMicrosPerRow(splits, cpuPerRow),
            ferry_thread_cpu_us_per_row: Object.fromEntries(profiles.map((entry, index) => [entry.thread, Number((((totals[index] ?? 0) / Math.max(1e-9, all)) * cpuPerRow).toFixed(1))])),
            // Peak V8 heap in use per thread (sampled every 500 ms): the JavaScript objects' part of the RSS.
            ferry_thread_heap_mb_max: Object.fromEntries(profiles.map((entry) => [entry.thread, entry.heapMbMax])),
          };
        })()
      : {}),
    connector_threads: runner.threaded,
    ...(runner.threaded ? { connector_thread_entry: threadEntry.label } : {}),
    // The thread that hosts the runner (in the app: the one serving the window and IPC).
    event_loop_delay_p99_ms: Number((eventLoop.percentile(99) / 1e6).toFixed(1)),
    event_loop_delay_max_ms: Number((eventLoop.max / 1e6).toFixed(1)),
    rss_mb_max_snapshot: Math.round(rssSnapshotMax / 1024 / 1024),
    // At that peak, by thread (MB): V8 heap committed and in use, its new (young) and old spaces, and native memory
    // held by the thread's objects (external, of which ArrayBuffers/Buffers); the rest of the RSS is code, stacks,
    // allocator slack and what native modules hold.
    ferry_thread_memory_mb_at_peak: threadMemoryMb(memoryAtPeak),
    ferry_thread_memory_mb_ready: threadMemoryMb(memoryReady),
    ferry_thread_heap_committed_mb_max: Object.fromEntries([...heapCommittedMax].map(([thread, bytes]) => [thread.split(' ')[0] ?? thread, mb(bytes)])),
    // Each connector thread's V8 limits (MB; null: V8's own sizing).
    ...(runner.threaded ? { connector_thread_limits_mb: { young: threadLimits.maxYoungGenerationSizeMb ?? null, old: threadLimits.maxOldGenerationSizeMb ?? null } } : {}),
    // Resident before the first row: the process with its connector threads loaded.
    rss_mb_ready: Math.round(rssReady / 1024 / 1024),
    streaming: {
      target_rate_rows_per_s: rate,
      achieved_rate_rows_per_s: Math.round(achievedRate),
      seconds: streamSeconds,
      ...(capture === 'polling' ? { poll_interval_ms: pollIntervalMs } : {}),
      e2e_latency_ms: { p50: arrivals.p50, p99: arrivals.p99 },
      ferry_reported_e2e_latency_ms: { p50: status?.metrics.latencyP50Ms ?? null, p99: status?.metrics.latencyP99Ms ?? null },
    },
    target_rows_equal_source: finalCount === rows + inserted,
    rss_mb_max: Math.round(rssMax / 1024 / 1024),
  };
  let anchor: AnchorResult | undefined;
  if (!values['skip-debezium']) {
    say(`seeding ${rows} rows into MariaDB ${anchorTable}…`);
    await seedOrders(mariadb, anchorTable, rows);
    await settleAfterSeed(mariadb);
    anchor = await runDebeziumAnchor({
      endpoints: { kafkaBootstrap: endpoints.kafka.a.bootstrap, mariadb: endpoints.mariadb, postgres: endpoints.postgres },
      mariadb,
      postgres,
      sourceTable: anchorTable,
      rows,
      rate,
      streamSeconds,
      dir: join(dataDir, 'connect'),
      say,
    });
  }
  result = {
    benchmark: 'pipeline',
    capture,
    path: 'MariaDB 10.11 → Kafka 4.1 → PostgreSQL 15 (upsert)',
    rows,
    sink_batch_size: Number(values['sink-batch']),
    seed_settle_seconds: seedSettleSeconds,
    broker_warmup: warmup,
    ...ferry,
    ...(anchor
      ? {
          debezium: anchor,
          ratios_ferry_over_debezium: {
            snapshot_rows_per_s: ratio(ferry.snapshot_rows_per_s, anchor.snapshot_rows_per_s),
            cpu_us_per_row: ratio(ferry.ferry_cpu_us_per_row, anchor.snapshot_cpu_us_per_row),
            e2e_latency_p99_ms: ratio(ferry.streaming.e2e_latency_ms.p99, anchor.streaming.e2e_latency_ms.p99),
            rss_mb_max: ratio(ferry.rss_mb_max, anchor.rss_mb_max),
          },
        }
      : {}),
    load_average: { before: loadBefore.map((n) => Number(n.toFixed(2))), after: loadavg().map((n) => Number(n.toFixed(2))) },
    targets: {
      snapshot_rows_per_s: 50_000,
      snapshot_vs_debezium: 1.5,
      ferry_cpu_us_per_row: 17,
      event_loop_delay_p99_ms: 50,
      p99_ms: capture === 'log' ? 100 : pollIntervalMs + 250,
      rss_mb: 400,
    },
  };
} finally {
  await runner.stop();
  clearInterval(rssTimer);
  for (const dropped of [table, anchorTable]) await mariadb.query(`DROP TABLE IF EXISTS ${dropped}`);
  await postgres.query(`DROP TABLE IF EXISTS "${table}"`);
  await mariadb.end();
  await postgres.end();
  await registry.close();
  const admin = createKafka({ bootstrapServers: [endpoints.kafka.a.bootstrap] }).admin();
  await admin.connect();
  const benchTopics = (await admin.listTopics()).filter((name_) => name_.startsWith(topicPrefix) || name_.startsWith(`${anchorTable}_dbz`));
  await admin.deleteTopics({ topics: [...benchTopics, `dlq-${name}-sink`] }).catch(() => {});
  await admin.deleteGroups([`connect-${name}-sink`, `connect-${anchorTable}_dbz-sink`]).catch(() => {});
  await admin.disconnect();
  lab.dispose();
  rmSync(dataDir, { recursive: true, force: true });
  rmSync(bundleDir, { recursive: true, force: true });
}
process.stdout.write(`${JSON.stringify(result)}\n`);
