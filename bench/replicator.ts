/**
 * Replicator benchmark (issue 4): on the lab's two clusters, fills a topic on "a" with Kafka's own
 * ProducerPerformance (its produce rate is the ceiling: what the source broker takes from the fastest client we
 * have), then copies it to "b" first with Ferry (`ferry replicate`, a child process) and then with MirrorMaker 2
 * (dedicated mode from Maven Central jars, DefaultReplicationPolicy's `src.` rename), both with the same
 * tasks.max and fetch/batch sizes. Prints one JSON object.
 *
 * Both copies are timed the same way: the destination's end offsets are polled, and the rate is the records
 * that arrived between the first poll that saw any and the first that saw all, over that time (start-up of
 * either tool is not counted). Peak RSS is each process's VmHWM. Before Ferry's copy, "b" is warmed with 200,000
 * records (bench/brokerWarmup.ts; --warmup-records 0 skips it): MirrorMaker 2 copies second, to a warm "b".
 *
 *   npm run bench:replicator -- --json                 # 1,000,000 × 1 KiB in 6 partitions
 *   npm run bench:replicator -- --records 200000 --json
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { createLogger } from '../src/engine/base/logger';
import { requireRepoRoot } from '../src/engine/base/repoRoot';
import { createKafka } from '../src/engine/kafka/index';
import { createLab } from '../src/engine/lab/index';
import { findBinary } from '../src/engine/lab/binaries';
import { ensureKafkaRuntime } from '../src/engine/lab/kafka';
import { defaultCacheDir } from '../src/engine/lab/paths';
import { MAX_BATCH_BYTES } from '../src/engine/replicator/destinationWriter';
import { type BrokerWarmup, warmBroker } from './brokerWarmup';
import { type CpuProfile, splitProfile, stageMicrosPerRow } from './stageSplit';

const { values } = parseArgs({
  options: {
    records: { type: 'string', default: '1000000' },
    'record-size': { type: 'string', default: '1024' },
    partitions: { type: 'string', default: '6' },
    tasks: { type: 'string', default: '1' },
    'skip-mm2': { type: 'boolean', default: false },
    // Records through cluster b before anything is timed (bench/brokerWarmup.ts); 0: Ferry's copy meets a cold b.
    'warmup-records': { type: 'string', default: '200000' },
    // No CPU profile of Ferry's process for the per-stage split (the profiler costs ~1-2 % CPU).
    'skip-profile': { type: 'boolean', default: false },
    json: { type: 'boolean', default: false },
  },
});
const records = Number(values.records);
const recordSize = Number(values['record-size']);
const partitions = Number(values.partitions);
const tasks = Number(values.tasks);
for (const [flag, value] of [['--records', records], ['--record-size', recordSize], ['--partitions', partitions], ['--tasks', tasks]] as const) {
  if (!Number.isInteger(value) || value < 1) throw new Error(`${flag} must be a whole number of at least 1, got ${String(value)}`);
}
const warmupRecords = Number(values['warmup-records']);
if (!Number.isInteger(warmupRecords) || warmupRecords < 0) throw new Error(`--warmup-records must be a whole number of at least 0, got ${String(values['warmup-records'])}`);
let warmup: BrokerWarmup = { records: 0, seconds: 0 };
const say = (text: string): void => void (values.json ? undefined : process.stderr.write(`${text}\n`));

// The same client sizes for both tools (Ferry's defaults): fetch 1 MiB per partition / 8 MiB per fetch, 4 MiB per
// produce request holding at most MAX_BATCH_BYTES per partition (Java's batch.size is per partition), linger 5 ms.
const FETCH_PARTITION_BYTES = 1024 * 1024;
const FETCH_BYTES = 8 * 1024 * 1024;
const REQUEST_BYTES = 4 * 1024 * 1024;
const LINGER_MS = 5;

const root = requireRepoRoot();
const lab = createLab();
const { endpoints } = await lab.up();
const a = endpoints.kafka.a.bootstrap;
const b = endpoints.kafka.b.bootstrap;
const java = findBinary('java', process.env, []) ?? 'java';
const runtime = await ensureKafkaRuntime({
  cacheDir: defaultCacheDir(process.env),
  pomPath: join(root, 'resources', 'mirror-maker', 'pom.xml'),
  mvn: findBinary('mvn', process.env, []),
  log: createLogger('bench'),
  requiredJar: /^connect-mirror-\d.*\.jar$/,
});
const work = mkdtempSync(join(tmpdir(), 'ferry-bench-replicator-'));
const id = Date.now().toString(36);
const topic = `bench-replicator-${id}`;
const ferryTopic = `${topic}.ferry`;
const mm2Topic = `src.${topic}`;
const ferryName = `bench-replicator-${id}`;
const adminA = createKafka({ bootstrapServers: [a] }).admin();
// No retries: while a copier has not created its topic, an offsets request fails, and kafkajs's retries (seconds of
// backoff) would stall the poll that times the copy.
const adminB = createKafka({ bootstrapServers: [b], retries: 0 }).admin();
await adminA.connect();
await adminB.connect();
writeFileSync(join(work, 'log4j2.properties'), ['status = warn', 'appender.file.type = File', 'appender.file.name = file', `appender.file.fileName = ${join(work, 'java.log')}`, 'appender.file.layout.type = PatternLayout', 'appender.file.layout.pattern = [%d] %p %m (%c)%n', 'rootLogger.level = WARN', 'rootLogger.appenderRef.file.ref = file', ''].join('\n'));

function peakRssMb(pid: number | undefined): number {
  if (pid === undefined) return 0;
  try {
    const match = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) / 1024 : 0;
  } catch {
    return 0;
  }
}

function run(command: string, args: string[], options: { env?: NodeJS.ProcessEnv } = {}): { child: ChildProcess; output: () => string; exited: Promise<number | null> } {
  const child = spawn(command, args, { cwd: work, env: { ...process.env, ...options.env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, output: () => output, exited };
}

const javaArgs = (main: string, ...args: string[]): string[] => ['-Xms256m', '-Xmx2g', `-Dlog4j2.configurationFile=${join(work, 'log4j2.properties')}`, '-cp', `${runtime.lib}/*`, main, ...args];

async function destinationTotal(name: string): Promise<number> {
  try {
    if (!(await adminB.listTopics()).includes(name)) return 0;
    return (await adminB.fetchTopicOffsets(name)).reduce((sum, p) => sum + Number(p.high), 0);
  } catch {
    return 0;
  }
}

/** CPU time (user + system, all threads) a process has used so far, in seconds; undefined once it is gone. */
function cpuSeconds(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    // Fields after the command name (which may hold spaces): state is field 3, utime 14, stime 15 (clock ticks, 100/s).
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return undefined;
  }
}

/** The lab's broker processes (JVMs whose command line names kafka.Kafka and a lab kafka-a / kafka-b config). */
function brokerPids(): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const command = readFileSync(`/proc/${entry}/cmdline`, 'utf8');
      if (command.includes('kafka.Kafka') && /\/lab\/kafka-[ab]\/server\.properties/.test(command) && !command.includes('ferry-lab-')) pids.push(Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  return pids;
}
const brokers = brokerPids();
const brokersCpu = (): number | undefined => {
  const each = brokers.map(cpuSeconds);
  return each.some((value) => value === undefined) ? undefined : each.reduce<number>((sum, value) => sum + (value ?? 0), 0);
};

interface CopyTiming {
  recordsPerSecond: number;
  seconds: number;
  peakRssMb: number;
  /** The copier's CPU time per record copied between the first and the last poll. */
  cpuMicrosPerRecord: number | null;
  /** Both lab brokers' CPU time per record over the same window (fetches served on a, produce requests on b). */
  brokersCpuMicrosPerRecord: number | null;
  loadavg: { start: number; end: number };
  /** The copy's window on the monotonic clock (µs), for the profile's samples. */
  window: { fromMicros: number; toMicros: number };
}

const monotonicMicros = (): number => Number(process.hrtime.bigint() / 1000n);

/** Polls the destination until `records` arrived; returns the copy rate measured between the first and the last poll. */
async function timeCopy(name: string, process: ChildProcess, deadlineMs: number, output: () => string): Promise<CopyTiming> {
  let first: { at: number; total: number; cpu: number | undefined; brokers: number | undefined; load: number; monotonic: number } | undefined;
  let lastCpu: number | undefined;
  let lastBrokers: number | undefined;
  let peak = 0;
  // VmHWM is the kernel's high-water mark; read it often so the last reading before the process exits is near its end.
  const sampler = setInterval(() => (peak = Math.max(peak, peakRssMb(process.pid))), 100);
  try {
    return await pollCopy(name, process, deadlineMs, output, (at, total) => {
      lastCpu = cpuSeconds(process.pid) ?? lastCpu;
      lastBrokers = brokersCpu() ?? lastBrokers;
      if (total > 0 && first === undefined) first = { at, total, cpu: lastCpu, brokers: lastBrokers, load: loadavg()[0] ?? 0, monotonic: monotonicMicros() };
      return first;
    }).then((end) => {
      const start = first ?? { ...end, cpu: lastCpu, brokers: lastBrokers, load: loadavg()[0] ?? 0, monotonic: monotonicMicros() };
      const seconds = (end.at - start.at) / 1000;
      const copied = end.total - start.total;
      const cpu = start.cpu !== undefined && lastCpu !== undefined && copied > 0 ? ((lastCpu - start.cpu) * 1e6) / copied : null;
      const brokerCpu = brokers.length > 0 && start.brokers !== undefined && lastBrokers !== undefined && copied > 0 ? ((lastBrokers - start.brokers) * 1e6) / copied : null;
      const round = (value: number): number => Math.round(value * 100) / 100;
      return {
        recordsPerSecond: seconds > 0 ? copied / seconds : 0,
        seconds,
        peakRssMb: Math.max(peak, peakRssMb(process.pid)),
        cpuMicrosPerRecord: cpu === null ? null : Math.round(cpu * 10) / 10,
        brokersCpuMicrosPerRecord: brokerCpu === null ? null : Math.round(brokerCpu * 10) / 10,
        loadavg: { start: round(start.load), end: round(loadavg()[0] ?? 0) },
        window: { fromMicros: start.monotonic, toMicros: monotonicMicros() },
      };
    });
  } finally {
    clearInterval(sampler);
  }
}

async function pollCopy(name: string, process: ChildProcess, deadlineMs: number, output: () => string, seen: (at: number, total: number) => unknown): Promise<{ at: number; total: number }> {
  const until = Date.now() + deadlineMs;
  for (;;) {
    const total = await destinationTotal(name);
    const at = Date.now();
    seen(at, total);
    if (total >= records) return { at, total };
    if (process.exitCode !== null && total < records) throw new Error(`the copier exited with ${process.exitCode} after ${total} of ${records} records:\n${output().slice(-3000)}`);
    if (at > until) throw new Error(`only ${total} of ${records} records reached ${name} in ${deadlineMs / 1000} s`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

try {
  await adminA.createTopics({ topics: [{ topic, numPartitions: partitions, replicationFactor: 1 }], waitForLeaders: true });

  say(`filling ${topic} on a with ${records} × ${recordSize} B (ProducerPerformance, the ceiling)…`);
  const perf = run(java, javaArgs('org.apache.kafka.tools.ProducerPerformance', '--topic', topic, '--num-records', String(records), '--record-size', String(recordSize), '--throughput', '-1', '--producer-props', `bootstrap.servers=${a}`, 'acks=all', `linger.ms=${LINGER_MS}`, 'batch.size=262144'));
  if ((await perf.exited) !== 0) throw new Error(`ProducerPerformance failed:\n${perf.output()}`);
  const summary = /(\d+) records sent, ([\d.]+) records\/sec \(([\d.]+) MB\/sec\)/.exec(perf.output().trim().split('\n').pop() ?? '');
  const ceiling = { recordsPerSecond: Number(summary?.[2] ?? 0), mbPerSecond: Number(summary?.[3] ?? 0) };
  say(`ceiling: ${ceiling.recordsPerSecond} records/s (${ceiling.mbPerSecond} MB/s)`);

  // a is warm from the fill; b, the destination, had served nothing: Ferry's copy, which runs first, alone met its cold
  // JVM (the first run after lab up measured 0.94 against 1.28-2.16 in the next two).
  say(warmupRecords > 0 ? `warming cluster b with ${warmupRecords} × ${recordSize} B…` : 'cluster b not warmed (--warmup-records 0)');
  warmup = await warmBroker(createKafka({ bootstrapServers: [b] }), warmupRecords, `bench-warmup-${id}`, recordSize);

  say('copying with Ferry…');
  const ferryConfig = join(work, 'replicator.json');
  writeFileSync(
    ferryConfig,
    JSON.stringify({
      name: ferryName,
      'connector.class': 'io.confluent.connect.replicator.ReplicatorSourceConnector',
      'src.kafka.bootstrap.servers': a,
      'dest.kafka.bootstrap.servers': b,
      'topic.whitelist': topic,
      'topic.rename.format': '${topic}.ferry',
      'tasks.max': tasks,
      'offset.translator.tasks.max': 0,
      'src.consumer.max.partition.fetch.bytes': FETCH_PARTITION_BYTES,
      'src.consumer.fetch.max.bytes': FETCH_BYTES,
      'producer.override.batch.size': REQUEST_BYTES,
      'producer.override.linger.ms': LINGER_MS,
    }),
  );
  // FERRY_BENCH_NODE_ARGS (e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof") profiles Ferry's process and its writer thread.
  const nodeArgs = (process.env.FERRY_BENCH_NODE_ARGS ?? '').split(' ').filter((arg) => arg !== '');
  // Every thread of Ferry's process (the replicator's and its writer's) writes a CPU profile at exit: the per-stage
  // split below (shares of the samples, scaled to the CPU per record measured from /proc).
  const profileDir = join(work, 'profiles');
  if (!values['skip-profile'] && !nodeArgs.some((arg) => arg.startsWith('--cpu-prof'))) nodeArgs.push('--cpu-prof', `--cpu-prof-dir=${profileDir}`, '--cpu-prof-interval=1000');
  const ferry = run(process.execPath, [...nodeArgs, join(root, 'bin', 'ferry.mjs'), 'replicate', ferryConfig, '--until-idle', '--json'], { env: { FERRY_DATA_DIR: work } });
  const ferryResult = await timeCopy(ferryTopic, ferry.child, 30 * 60_000, ferry.output);
  await ferry.exited;
  say(`Ferry: ${Math.round(ferryResult.recordsPerSecond)} records/s, peak RSS ${Math.round(ferryResult.peakRssMb)} MB`);
  const profiles = ((): CpuProfile[] => {
    try {
      return readdirSync(profileDir)
        .filter((file) => file.endsWith('.cpuprofile'))
        .map((file) => JSON.parse(readFileSync(join(profileDir, file), 'utf8')) as CpuProfile);
    } catch {
      return [];
    }
  })();
  const ferryStages = profiles.length > 0 && ferryResult.cpuMicrosPerRecord !== null ? stageMicrosPerRow(profiles.map((profile) => splitProfile(profile, ferryResult.window)), ferryResult.cpuMicrosPerRecord) : null;

  let mm2Result: CopyTiming | undefined;
  if (!values['skip-mm2']) {
    say('copying with MirrorMaker 2…');
    const mm2Properties = join(work, 'mm2.properties');
    writeFileSync(
      mm2Properties,
      [
        'clusters = src, dst',
        `src.bootstrap.servers = ${a}`,
        `dst.bootstrap.servers = ${b}`,
        'src->dst.enabled = true',
        `src->dst.topics = ${topic.replace(/\./g, '\\.')}`,
        'dst->src.enabled = false',
        `tasks.max = ${tasks}`,
        'replication.factor = 1',
        'checkpoints.topic.replication.factor = 1',
        'heartbeats.topic.replication.factor = 1',
        'offset-syncs.topic.replication.factor = 1',
        'offset.storage.replication.factor = 1',
        'status.storage.replication.factor = 1',
        'config.storage.replication.factor = 1',
        'sync.topic.acls.enabled = false',
        'emit.checkpoints.enabled = false',
        'sync.group.offsets.enabled = false',
        `src.consumer.max.partition.fetch.bytes = ${FETCH_PARTITION_BYTES}`,
        `src.consumer.fetch.max.bytes = ${FETCH_BYTES}`,
        // Java batches per partition: Ferry's per-partition cap per request, and Ferry's request size.
        `dst.producer.batch.size = ${MAX_BATCH_BYTES}`,
        `dst.producer.max.request.size = ${REQUEST_BYTES}`,
        `dst.producer.linger.ms = ${LINGER_MS}`,
        '',
      ].join('\n'),
    );
    const mm2 = run(java, javaArgs('org.apache.kafka.connect.mirror.MirrorMaker', mm2Properties, '--clusters', 'dst'));
    try {
      mm2Result = await timeCopy(mm2Topic, mm2.child, 30 * 60_000, mm2.output);
    } finally {
      mm2.child.kill('SIGTERM');
      const stopped = await Promise.race([mm2.exited, new Promise((r) => setTimeout(() => r('timeout'), 20_000))]);
      if (stopped === 'timeout') mm2.child.kill('SIGKILL');
    }
    say(`MirrorMaker 2: ${Math.round(mm2Result.recordsPerSecond)} records/s, peak RSS ${Math.round(mm2Result.peakRssMb)} MB`);
  }

  const mb = (rate: number): number => Math.round(((rate * recordSize) / 1e6) * 10) / 10;
  const result = {
    records,
    record_bytes: recordSize,
    partitions,
    tasks_max: tasks,
    broker_warmup: warmup,
    ferry_records_per_s: Math.round(ferryResult.recordsPerSecond),
    ferry_mb_per_s: mb(ferryResult.recordsPerSecond),
    ferry_copy_seconds: Math.round(ferryResult.seconds * 10) / 10,
    ferry_peak_rss_mb: Math.round(ferryResult.peakRssMb),
    ferry_cpu_us_per_record: ferryResult.cpuMicrosPerRecord,
    // Ferry's CPU per record by stage: its threads' profiles over the copy's window, scaled to the CPU per record.
    ferry_stage_cpu_us_per_record: ferryStages,
    ferry_brokers_cpu_us_per_record: ferryResult.brokersCpuMicrosPerRecord,
    ferry_loadavg: ferryResult.loadavg,
    mm2_records_per_s: mm2Result ? Math.round(mm2Result.recordsPerSecond) : null,
    mm2_mb_per_s: mm2Result ? mb(mm2Result.recordsPerSecond) : null,
    mm2_copy_seconds: mm2Result ? Math.round(mm2Result.seconds * 10) / 10 : null,
    mm2_peak_rss_mb: mm2Result ? Math.round(mm2Result.peakRssMb) : null,
    mm2_cpu_us_per_record: mm2Result ? mm2Result.cpuMicrosPerRecord : null,
    mm2_brokers_cpu_us_per_record: mm2Result ? mm2Result.brokersCpuMicrosPerRecord : null,
    mm2_loadavg: mm2Result ? mm2Result.loadavg : null,
    ratio: mm2Result && mm2Result.recordsPerSecond > 0 ? Math.round((ferryResult.recordsPerSecond / mm2Result.recordsPerSecond) * 100) / 100 : null,
    producer_perf_records_per_s: Math.round(ceiling.recordsPerSecond),
    producer_perf_mb_per_s: ceiling.mbPerSecond,
    machine: { cpus: cpus().length, loadavg_1m: Math.round((loadavg()[0] ?? 0) * 100) / 100 },
  };
  process.stdout.write(`${JSON.stringify(result, null, values.json ? 0 : 2)}\n`);
} finally {
  await adminA.deleteTopics({ topics: [topic, 'mm2-offset-syncs.dst.internal'] }).catch(() => undefined);
  await adminB.deleteTopics({ topics: [ferryTopic, mm2Topic, 'mm2-configs.src.internal', 'mm2-offsets.src.internal', 'mm2-status.src.internal', 'heartbeats', 'src.heartbeats', 'src.checkpoints.internal'] }).catch(() => undefined);
  await adminA.deleteGroups([ferryName]).catch(() => undefined);
  await adminA.disconnect();
  await adminB.disconnect();
  lab.dispose();
  rmSync(work, { recursive: true, force: true });
}
