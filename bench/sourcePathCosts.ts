/**
 * Micro-benchmark of a MariaDB log source's snapshot path in one process (issue 13): the lab MariaDB's copy of
 * bench:pipeline's orders table read as the source thread reads it — takeBinlogSnapshot (mysql2's row stream) →
 * LogSource (records, Debezium change events) → SourceEncoder (Avro key and envelope; the Schema Registry answered in
 * process) → each topic's messages grouped per partition (kafkajs's DefaultPartitioner, one partition as the lab's
 * topics have) and written as one record batch (kafka/messageBatches.ts). Everything the source thread does per row
 * but the socket write to Kafka; MariaDB's own CPU is not counted (it is another process).
 *
 * Prints one JSON line per run: CPU µs/row of this process over the read (user + system), wall time, young/old
 * collections and their time, output bytes and a checksum of the batches (equal between versions that write the same
 * bytes), and with --heap the bytes allocated per row (V8's sampling heap profiler, collected objects included) and
 * the top allocating functions; then one summary line with each copy's median.
 *
 *   npx tsx bench/sourcePathCosts.ts [--rows 200000] [--runs 1] [--heap] [--src <folder holding engine/>[,<another>…]]
 *
 * --src runs another copy of the sources (e.g. the commit before a change, extracted inside the project so its
 * packages resolve), or a build of them (`node --import tsx bench/workerBundle.ts <dir>`, then --src <dir>/src: the
 * code the app runs, whose profiles name lines). Several copies, comma-separated, run alternately in this one process
 * (--runs rounds of one run each, a full collection before each run): old and new under the same conditions. The
 * connector config is always resolved by this copy's config module (plain data). The table
 * (srcpath_orders_<rows>) is seeded once and kept for the next runs; --drop removes it at the end.
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { loadavg } from 'node:os';
import { resolve } from 'node:path';
import { PerformanceObserver } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import mysql, { type RowDataPacket } from 'mysql2/promise';
import { parsePipelineFile, requireValidPipeline, type ResolvedLogSource } from '../src/engine/config/index';
import type * as LogSourceModule from '../src/engine/connectors/logSource';
import type * as SourceOptionsModule from '../src/engine/connectors/sourceOptions';
import type { SourceContext } from '../src/engine/connectors/port';
import type * as MessageBatchesModule from '../src/engine/kafka/messageBatches';
import type * as RecordBatchesModule from '../src/engine/kafka/recordBatches';
import type * as ProducePathModule from '../src/engine/kafka/producePath';
import { createLab } from '../src/engine/lab/index';
import type { TableId } from '../src/engine/model/index';
import type * as EncoderModule from '../src/engine/pipeline/sourceEncoder';
import type * as RegistryModule from '../src/engine/schema/registryClient';
import type { LogCapture, LogCaptureStart } from '../src/engine/sources/logCapture';
import type * as PositionModule from '../src/engine/sources/mysql/binlog/binlogPosition';
import type * as SnapshotModule from '../src/engine/sources/mysql/binlog/binlogSnapshot';
import { seedOrders } from './pipelineMeasures';

const { values } = parseArgs({
  options: {
    rows: { type: 'string', default: '200000' },
    src: { type: 'string', default: 'src' },
    runs: { type: 'string', default: '1' },
    heap: { type: 'boolean', default: false },
    drop: { type: 'boolean', default: false },
  },
});
const rows = Number(values.rows);
const runs = Number(values.runs);
for (const [flag, value] of [['--rows', rows], ['--runs', runs]] as const) {
  if (!Number.isInteger(value) || value < 1) throw new Error(`${flag} must be a whole number of at least 1, got ${String(value)}`);
}

/** One copy of the source path's modules. */
interface SourcePath {
  name: string;
  LogSource: typeof LogSourceModule.LogSource;
  logCaptureInit: typeof SourceOptionsModule.logCaptureInit;
  SourceEncoder: typeof EncoderModule.SourceEncoder;
  SchemaRegistryClient: typeof RegistryModule.SchemaRegistryClient;
  takeBinlogSnapshot: typeof SnapshotModule.takeBinlogSnapshot;
  binlogPositionToCheckpoint: typeof PositionModule.binlogPositionToCheckpoint;
  writeMessageBatch: typeof MessageBatchesModule.writeMessageBatch;
  messageBatchSize: typeof MessageBatchesModule.messageBatchSize;
  createDefaultPartitioner: typeof MessageBatchesModule.createDefaultPartitioner;
  groupMessagesPerPartition: typeof ProducePathModule.groupMessagesPerPartition;
  BATCH_HEADER_BYTES: number;
}

async function loadSourcePath(name: string): Promise<SourcePath> {
  const root = resolve(name);
  // A module of that copy: its TypeScript, or the .js of a built copy (bench/workerBundle.ts builds one per module).
  const load = async <T>(path: string): Promise<T> => {
    const file = resolve(root, path);
    return (await import(pathToFileURL(existsSync(file) ? file : file.replace(/\.ts$/, '.js')).href)) as T;
  };
  const messageBatches = await load<typeof MessageBatchesModule>('engine/kafka/messageBatches.ts');
  return {
    name,
    LogSource: (await load<typeof LogSourceModule>('engine/connectors/logSource.ts')).LogSource,
    logCaptureInit: (await load<typeof SourceOptionsModule>('engine/connectors/sourceOptions.ts')).logCaptureInit,
    SourceEncoder: (await load<typeof EncoderModule>('engine/pipeline/sourceEncoder.ts')).SourceEncoder,
    SchemaRegistryClient: (await load<typeof RegistryModule>('engine/schema/registryClient.ts')).SchemaRegistryClient,
    takeBinlogSnapshot: (await load<typeof SnapshotModule>('engine/sources/mysql/binlog/binlogSnapshot.ts')).takeBinlogSnapshot,
    binlogPositionToCheckpoint: (await load<typeof PositionModule>('engine/sources/mysql/binlog/binlogPosition.ts')).binlogPositionToCheckpoint,
    writeMessageBatch: messageBatches.writeMessageBatch,
    messageBatchSize: messageBatches.messageBatchSize,
    createDefaultPartitioner: messageBatches.createDefaultPartitioner,
    groupMessagesPerPartition: (await load<typeof ProducePathModule>('engine/kafka/producePath.ts')).groupMessagesPerPartition,
    BATCH_HEADER_BYTES: (await load<typeof RecordBatchesModule>('engine/kafka/recordBatches.ts')).BATCH_HEADER_BYTES,
  };
}

const paths: SourcePath[] = [];
for (const name of (values.src ?? 'src').split(',')) paths.push(await loadSourcePath(name));

const { endpoints } = await createLab().status();
const database = endpoints.mariadb.database;
const table = `srcpath_orders_${rows}`;
const admin = await mysql.createConnection({ ...endpoints.mariadb });
const [existing] = await admin.query<RowDataPacket[]>('SELECT COUNT(*) AS n FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ?', [database, table]);
if (Number(existing[0]?.n) === 0) {
  process.stderr.write(`seeding ${rows} rows into ${table}…\n`);
  await seedOrders(admin, table, rows);
}

// The bench's connector config (bench/pipeline.ts's logSource), resolved as the runner resolves it.
const document = {
  name: 'srcpath',
  kafka: { 'bootstrap.servers': '127.0.0.1:1' },
  connectors: [
    {
      name: 'srcpath-source',
      'connector.class': 'io.debezium.connector.mariadb.MariaDbConnector',
      'database.hostname': endpoints.mariadb.host,
      'database.port': String(endpoints.mariadb.port),
      'database.user': endpoints.mariadb.user,
      'database.password': endpoints.mariadb.password,
      'database.server.id': '5401',
      'topic.prefix': 'srcpath',
      'database.include.list': database,
      'table.include.list': `${database}\\.${table}`,
      'time.precision.mode': 'connect',
      'key.converter': 'io.confluent.connect.avro.AvroConverter',
      'key.converter.schema.registry.url': 'http://127.0.0.1:1',
      'value.converter': 'io.confluent.connect.avro.AvroConverter',
      'value.converter.schema.registry.url': 'http://127.0.0.1:1',
    },
  ],
};
const pipeline = requireValidPipeline(parsePipelineFile(JSON.stringify(document), 'srcpath.json'), 'srcpath.json');
const config = pipeline.connectors.find((connector): connector is ResolvedLogSource => connector.role === 'source' && 'capture' in connector && connector.capture.kind === 'log');
if (!config) throw new Error('the bench config did not resolve to a log source');

// The registry answers in process: one id per subject and schema.
for (const path of paths) {
  const ids = new Map<string, number>();
  path.SchemaRegistryClient.prototype.register = function register(subject: string, schema: string): Promise<number> {
    const key = `${subject}\n${schema}`;
    let id = ids.get(key);
    if (id === undefined) {
      id = 100 + ids.size;
      ids.set(key, id);
    }
    return Promise.resolve(id);
  };
}

// The snapshot's binlog position is whatever the lab's MariaDB is at (other writers move it), and it is in every
// event's source block: the snapshot connection reports a fixed one instead, so equal code writes equal bytes.
const createConnection = mysql.createConnection.bind(mysql);
mysql.createConnection = (async (options: mysql.ConnectionOptions) => {
  const connection = await createConnection(options);
  const query = connection.query.bind(connection) as (...args: unknown[]) => Promise<unknown>;
  (connection as unknown as { query: (...args: unknown[]) => Promise<unknown> }).query = (sql: unknown, ...rest: unknown[]) => {
    if (sql === "SHOW STATUS LIKE 'binlog_snapshot_%'") return Promise.resolve([[{ Variable_name: 'binlog_snapshot_file', Value: 'bench-bin.000001' }, { Variable_name: 'binlog_snapshot_position', Value: '4' }]]);
    if (typeof sql === 'string' && sql.startsWith('SELECT BINLOG_GTID_POS')) return Promise.resolve([[{ gtids: '0-1-1' }]]);
    return query(sql, ...rest);
  };
  return connection;
}) as typeof mysql.createConnection;

interface HeapNode {
  callFrame: { functionName: string; url: string; lineNumber: number };
  selfSize: number;
  children: HeapNode[];
}

interface RunResult {
  src: string;
  rows: number;
  cpu_us_per_row: number;
  wall_ms: number;
  rows_per_s: number;
  scavenges: number;
  scavenge_ms: number;
  mark_compacts: number;
  mark_compact_ms: number;
  out_bytes: number;
  out_sha256: string;
  load_1m: number[];
  heap?: { bytes_per_row: number; top: { fn: string; kb_per_1k_rows: number }[] };
}

/** One snapshot of the table through one copy's source path. */
async function runOnce(path: SourcePath): Promise<RunResult> {
  const encoder = new path.SourceEncoder(config as ResolvedLogSource, 'log');
  const context: SourceContext = {
    connector: config?.name ?? '',
    checkpoint: () => ({}),
    resetCheckpoint: () => undefined,
    saveStartingPositions: () => Promise.resolve(),
    changed: () => undefined,
    routedTopic: (topic) => encoder.routedTopic(topic),
    signal: new AbortController().signal,
  };
  const source = new path.LogSource(config as ResolvedLogSource, context);
  const capture = (source as unknown as { logCapture: LogCapture }).logCapture;
  const init = path.logCaptureInit(config as ResolvedLogSource);
  const tableId: TableId = { catalog: database, table };
  let closeSnapshot: (() => Promise<void>) | undefined;
  // The snapshot alone (no binlog reader): LogCapture.begin's snapshot part.
  capture.begin = async (): Promise<LogCaptureStart> => {
    const taken = await path.takeBinlogSnapshot({ connection: init.connection, topicPrefix: init.topicPrefix, tables: [tableId], zone: init.zone, ...(init.types ? { types: init.types } : {}) });
    closeSnapshot = () => taken.close();
    return { tables: [tableId], snapshot: { position: path.binlogPositionToCheckpoint(taken.position), pages: taken.records() } };
  };

  const gc = { scavenges: 0, scavengeMs: 0, markCompacts: 0, markCompactMs: 0 };
  const observer = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      const kind = (entry as unknown as { detail?: { kind?: number } }).detail?.kind;
      // NODE_PERFORMANCE_GC_MINOR = 1; the others (major, incremental, weak callbacks) count as full collections.
      if (kind === 1) {
        gc.scavenges += 1;
        gc.scavengeMs += entry.duration;
      } else {
        gc.markCompacts += 1;
        gc.markCompactMs += entry.duration;
      }
    }
  });
  (globalThis as { gc?: () => void }).gc?.();
  observer.observe({ entryTypes: ['gc'] });
  const session = values.heap ? new Session() : undefined;
  if (session) {
    session.connect();
    await session.post('HeapProfiler.startSampling', { samplingInterval: 256, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: true } as never);
  }

  const partitioner = path.createDefaultPartitioner();
  const partitionMetadata = [{ partitionId: 0, leader: 0 }];
  let out = Buffer.allocUnsafe(4 * 1024 * 1024);
  const digest = createHash('sha256');
  let produced = 0;
  let outBytes = 0;
  const loadBefore = loadavg()[0] ?? 0;
  // One fixed clock for the whole read (the events' ts_ms, the batches' timestamps): the output's checksum is then
  // the same in every run of code that writes the same bytes. Rows still come from the driver as they arrive.
  const realNow = Date.now;
  const frozenNow = Date.UTC(2026, 11, 6, 12, 0, 0, 0);
  Date.now = () => frozenNow;
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  try {
    await source.open();
    for (;;) {
      const batch = await source.read();
      if (batch.records.length === 0) break;
      const byTopic = await encoder.encode(batch.records, Date.now());
      batch.records = [];
      const now = Date.now();
      for (const [topic, messages] of byTopic) {
        const grouped = path.groupMessagesPerPartition({ topic, partitionMetadata, messages, partitioner: partitioner as never });
        for (const list of Object.values(grouped)) {
          const size = path.messageBatchSize(list, now);
          if (size > out.length) out = Buffer.allocUnsafe(2 * size);
          const end = path.writeMessageBatch(list, now, out, 0);
          // The records, after the batch header (its timestamps are the run's).
          digest.update(out.subarray(path.BATCH_HEADER_BYTES, end));
          outBytes += end;
          produced += list.length;
        }
      }
    }
  } finally {
    Date.now = realNow;
  }
  const wallMs = performance.now() - started;
  const cpu = process.cpuUsage(cpuBefore);
  const cpuUs = cpu.user + cpu.system;

  let heap: RunResult['heap'];
  if (session) {
    const { profile } = (await session.post('HeapProfiler.getSamplingProfile')) as unknown as { profile: { head: HeapNode } };
    await session.post('HeapProfiler.stopSampling');
    session.disconnect();
    const byFunction = new Map<string, number>();
    let total = 0;
    const walk = (node: HeapNode): void => {
      const self = node.selfSize;
      total += self;
      if (self > 0) {
        const frame = node.callFrame;
        const key = `${frame.functionName || '(anon)'} ${frame.url.split('/').slice(-2).join('/')}:${frame.lineNumber + 1}`;
        byFunction.set(key, (byFunction.get(key) ?? 0) + self);
      }
      for (const child of node.children) walk(child);
    };
    walk(profile.head);
    const top = [...byFunction].sort((a, b) => b[1] - a[1]).slice(0, 25);
    heap = { bytes_per_row: Math.round(total / produced), top: top.map(([fn, bytes]) => ({ fn, kb_per_1k_rows: Number((((bytes / produced) * 1000) / 1024).toFixed(1)) })) };
  }
  observer.disconnect();
  await closeSnapshot?.();
  return {
    src: path.name,
    rows: produced,
    cpu_us_per_row: Number((cpuUs / produced).toFixed(2)),
    wall_ms: Math.round(wallMs),
    rows_per_s: Math.round(produced / (wallMs / 1000)),
    scavenges: gc.scavenges,
    scavenge_ms: Math.round(gc.scavengeMs),
    mark_compacts: gc.markCompacts,
    mark_compact_ms: Math.round(gc.markCompactMs),
    out_bytes: outBytes,
    out_sha256: digest.digest('hex').slice(0, 16),
    load_1m: [loadBefore, loadavg()[0] ?? 0].map((value) => Number(value.toFixed(1))),
    ...(heap ? { heap } : {}),
  };
}

const results: RunResult[] = [];
for (let round = 0; round < runs; round += 1) {
  for (const path of paths) {
    const result = await runOnce(path);
    results.push(result);
    process.stdout.write(`${JSON.stringify(result)}\n`);
  }
}
if (values.drop) await admin.query(`DROP TABLE ${table}`);
await admin.end();

const median = (numbers: number[]): number => {
  const sorted = [...numbers].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[middle] as number) : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
};
process.stdout.write(
  `${JSON.stringify({
    summary: paths.map((path) => {
      const own = results.filter((result) => result.src === path.name);
      return {
        src: path.name,
        runs: own.length,
        cpu_us_per_row_median: Number(median(own.map((result) => result.cpu_us_per_row)).toFixed(2)),
        cpu_us_per_row: own.map((result) => result.cpu_us_per_row),
        scavenge_ms_median: median(own.map((result) => result.scavenge_ms)),
        out_sha256: [...new Set(own.map((result) => result.out_sha256))],
      };
    }),
  })}\n`,
);
