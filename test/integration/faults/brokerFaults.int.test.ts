import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { type EmbeddedSchemaRegistry, startEmbeddedSchemaRegistry } from '../../../src/engine/schema';
import { uniqueName } from '../../helpers/names';
import { killLeftoverFerries } from '../../helpers/pipelineCli';
import { openDb, type TestDb } from '../../helpers/pipelineDb';
import { KafkaScratch, Scratch } from '../../helpers/pipelineHarness';
import { type PrivateLab, startPrivateLab } from '../../helpers/privateLab';
import { endOffsets, readTopic } from '../../helpers/replicatorHarness';
import { until } from '../../helpers/until';
import { expectExactlyOnce, expectExactlyOnceSince, FerryRun, type Recovery, SourceWriter, sourceTableSql, streamPipeline, StreamUnderFault, TargetReader } from './faultHarness';

// The Kafka broker of a running MariaDB → Kafka → PostgreSQL pipeline and of a running replicator (that copies the
// pipeline's topic to cluster b, exactly once) hangs (SIGSTOP 30 s), then crashes (SIGKILL) and comes back, while
// rows keep being inserted at the source. The broker is a private lab's (the shared lab's must never be disturbed);
// the databases and cluster b are the shared lab's. Each fault is injected once in a hook that gathers what
// happened; each property is its own test: `ferry run` lives, the progress line shows the connectors DEGRADED naming
// the broker while the fault lasts, rows written after the fault arrive, the topic gains one record per row, the
// target one row per row (INSERT into a table without a key: a row applied twice shows), and b copies each record
// once. Properties still broken for a fault are listed as open in docs/faults.md, not tested here.

const endpoints = inject('labEndpoints');
/**
 * How long the broker hangs: the 30 s of issue 10. Shorter is not the same fault: a 12 s hang passed where a 30 s one
 * made the sink re-apply rows and the replicator copy records again (measured; see docs/faults.md).
 */
const HANG_MS = 30_000;

const name = uniqueName('fbrk').toLowerCase();
const table = name;
const topic = `${name}_${table}`;
const replica = `${topic}.replica`;
const replicatorName = `${name.replace(/_/g, '-')}-repl`;
const sourceName = `${name}-source`;
const sinkName = `${name}-sink`;

let lab: PrivateLab;
let bootstrap: string;
let registry: EmbeddedSchemaRegistry;
let source: TestDb;
let target: TargetReader;
let writer: SourceWriter;
let stream: StreamUnderFault;
const scratch = new Scratch();
const onB = new KafkaScratch(endpoints.kafka.b.bootstrap);

beforeAll(async () => {
  lab = await startPrivateLab(['kafka-a'], 'faults-broker');
  bootstrap = lab.endpoints.kafka.a.bootstrap;
  registry = await startEmbeddedSchemaRegistry();
  source = await openDb('mariadb', endpoints.mariadb);
  target = new TargetReader(endpoints.postgres);
  onB.track({ topics: [replica], groups: [replicatorName, `ferry-replicator-${replicatorName}`] });
  await source.exec(sourceTableSql(table));
  writer = new SourceWriter(endpoints.mariadb, table, { rowsPerTick: 10, tickMs: 100 });
  await writer.insert(300);
  const document = streamPipeline({
    name,
    table,
    bootstrap,
    registryUrl: registry.url,
    source: endpoints.mariadb,
    target: endpoints.postgres,
    extra: [
      {
        name: replicatorName,
        'connector.class': 'Replicator',
        'src.kafka.bootstrap.servers': bootstrap,
        'dest.kafka.bootstrap.servers': endpoints.kafka.b.bootstrap,
        'topic.whitelist': topic,
        'topic.rename.format': '${topic}.replica',
        'topic.poll.interval.ms': '1000',
        'exactly.once.support': 'required',
      },
    ],
  });
  const dir = scratch.dir('ferry-faults-broker-');
  const dataDir = scratch.dir('ferry-faults-broker-data-');
  stream = new StreamUnderFault(target, table, writer, () => new FerryRun(dir, document, dataDir));
  await expectExactlyOnce(target, table, 300, stream.ferry, 120_000);
  // The replicator waits for the topic the source creates; the faults start once it copies.
  await waitForReplica(300);
  writer.start();
}, 240_000);

afterAll(async () => {
  await writer?.stop();
  await stream?.ferry.stop().catch(() => undefined);
  killLeftoverFerries();
  await registry?.close();
  await source?.exec(`DROP TABLE IF EXISTS \`${table}\``).catch(() => undefined);
  await source?.close();
  await target?.query(`DROP TABLE IF EXISTS "${table}"`).catch(() => undefined);
  await onB.cleanup().catch(() => undefined);
  await lab?.close();
  scratch.cleanup();
}, 120_000);

/** Records in the pipeline topic on the private broker (no transactions there: the end offsets count them). */
async function topicRecords(): Promise<number> {
  const onA = new KafkaScratch(bootstrap);
  try {
    return [...(await endOffsets(onA, topic)).values()].reduce((sum, n) => sum + n, 0);
  } finally {
    await onA.cleanup();
  }
}

/** Waits until b's replica holds at least `count` offsets (records and transaction markers). */
async function waitForReplica(count: number): Promise<void> {
  // The replicator creates the replica with its first copy; a reader subscribing before that fails.
  const copiedOffsets = async (): Promise<number> => [...(await endOffsets(onB, replica).catch(() => new Map<number, number>())).values()].reduce((sum, n) => sum + n, 0);
  await until(async () => (await copiedOffsets()) >= count, () => `the replicator to copy ${count} records to ${replica} on b; ferry said:\n${stream.ferry.tail()}`, 90_000);
}

/** Everything one fault case saw, gathered in its hook and asserted property by property in its tests. */
interface Observed {
  /** Per connector (source, sink, replicator): what the progress line showed naming the broker, or why not. */
  shown: Map<string, { message: string } | { missing: string }>;
  /** Set when the process ended during the fault. */
  diedDuringFault?: string;
  recovery: Recovery;
  /** Records the source added to the topic since the baseline (one per row written when nothing is produced twice). */
  topicAdded?: number;
  /** Source row ids of the records written since the baseline, in offset order: on a, and as copied to b. */
  replica?: { original: number[]; copied: number[] };
}

/**
 * Injects a broker fault under the running stream: `inject` starts it, the progress line is watched until each of
 * the `watched` connectors and replicators shows it naming the broker (at most `showWithinMs`), `lift` ends it
 * (always, whatever happened), then the stream is followed until it caught up. Nothing here asserts.
 */
async function observe(inject: () => Promise<void>, lift: (startedAt: number) => Promise<void>, showWithinMs: number, watched: readonly string[]): Promise<Observed> {
  let recordsAtBaseline = 0;
  const baseline = await stream.baseline(async () => void (recordsAtBaseline = await topicRecords()));
  const shown: Observed['shown'] = new Map();
  let diedDuringFault: string | undefined;
  const startedAt = Date.now();
  await inject();
  try {
    // The replicator's start-up notice (the topic did not exist yet) also names the broker; it is not this fault.
    const namesBroker = { describe: `a message naming ${bootstrap}`, test: (message: string) => message.includes(bootstrap) && !/does not exist/.test(message) };
    await Promise.all(
      watched.map(async (connector) => {
        try {
          shown.set(connector, { message: (await stream.ferry.waitForTrouble(connector, namesBroker, baseline.since, showWithinMs)).message });
        } catch (error) {
          shown.set(connector, { missing: error instanceof Error ? error.message : String(error) });
        }
      }),
    );
    if (!stream.ferry.alive) diedDuringFault = stream.ferry.afterProgress();
  } finally {
    await lift(startedAt);
  }
  const observed: Observed = { shown, recovery: { writtenSinceBaseline: 0, committed: 0 } };
  if (diedDuringFault !== undefined) observed.diedDuringFault = diedDuringFault;
  observed.recovery = await stream.recover(baseline, async () => {
    const records = await topicRecords();
    observed.topicAdded = records - recordsAtBaseline;
    try {
      await waitForReplica(records);
      const original = await readTopic(bootstrap, topic, records, { deadlineMs: 60_000 });
      // Each value carries its row's note, "row <id>": the ids name the records in a failure message.
      const idsSinceBaseline = (list: typeof original): number[] =>
        [...list]
          .sort((x, y) => x.partition - y.partition || x.offset - y.offset)
          .map((record) => Number(/row (\d+)/.exec(record.value ?? '')?.[1] ?? Number.NaN))
          .filter((id) => !(id <= baseline.committed));
      // b's end offsets count transaction markers too, and earlier copies may repeat records: read again until the
      // replicator has copied every record of a (or the deadline says it will not), extras are caught by the quiet time.
      const deadline = Date.now() + 60_000;
      let copied = await readTopic(endpoints.kafka.b.bootstrap, replica, records, { quietMs: 1500, deadlineMs: 60_000 });
      while (sequenceDifference(idsSinceBaseline(copied), idsSinceBaseline(original)).missing.length > 0 && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 2000));
        copied = await readTopic(endpoints.kafka.b.bootstrap, replica, records, { quietMs: 1500, deadlineMs: 60_000 });
      }
      observed.replica = { original: idsSinceBaseline(original), copied: idsSinceBaseline(copied) };
    } catch {
      // Left undefined: the replica test says it could not be read.
    }
  });
  return observed;
}

/** How a copied sequence of ids differs from the original: ids copied more often or less often (20 at most each). */
function sequenceDifference(copied: readonly number[], original: readonly number[]): { extra: number[]; missing: number[]; sameOrder: boolean } {
  const tally = (ids: readonly number[]): Map<number, number> => ids.reduce((counts, id) => counts.set(id, (counts.get(id) ?? 0) + 1), new Map<number, number>());
  const inCopy = tally(copied);
  const inOriginal = tally(original);
  const ids = [...new Set([...copied, ...original])].sort((x, y) => x - y);
  return {
    extra: ids.filter((id) => (inCopy.get(id) ?? 0) > (inOriginal.get(id) ?? 0)).slice(0, 20),
    missing: ids.filter((id) => (inCopy.get(id) ?? 0) < (inOriginal.get(id) ?? 0)).slice(0, 20),
    sameOrder: copied.length === original.length && copied.every((id, index) => id === original[index]),
  };
}

/** `ferry run` did not end during the fault nor while catching up after it. */
function expectLived(observed: Observed): void {
  expect(observed.diedDuringFault, 'what the process wrote before it ended').toBeUndefined();
  expect(observed.recovery.failure ?? '', 'after the fault').not.toMatch(/^ferry run ended/);
}

/** The progress line showed each connector DEGRADED naming the broker while the fault lasted. */
function expectShown(observed: Observed, connectors: readonly string[]): void {
  for (const connector of connectors) expect(observed.shown.get(connector), connector).toHaveProperty('message');
}

/** The source produced one record per row written since the fault began: nothing twice, nothing lost. */
function expectTopicOnce(observed: Observed): void {
  expect(observed.recovery.failure, 'the pipeline recovered').toBeUndefined();
  expect(observed.topicAdded, 'records the source added to the topic since the fault began').toBe(observed.recovery.writtenSinceBaseline);
}

/** The exactly-once replicator copied those records to b once each, in order. */
function expectReplicaEqualsTopic(observed: Observed): void {
  expect(observed.replica, 'the replica on b could be read').toBeDefined();
  const { original = [], copied = [] } = observed.replica ?? {};
  expect(sequenceDifference(copied, original), 'records copied to b since the fault began, against the topic on a').toEqual({ extra: [], missing: [], sameOrder: true });
}

describe('Kafka broker faults under a running pipeline and replicator (private broker)', () => {
  describe('the broker hangs (SIGSTOP for 30 s)', () => {
    let observed: Observed;
    beforeAll(async () => {
      observed = await observe(
        () => lab.pause('kafka-a'),
        async (startedAt) => {
          const left = HANG_MS - (Date.now() - startedAt);
          if (left > 0) await new Promise((resolve) => setTimeout(resolve, left));
          await lab.resume('kafka-a');
        },
        HANG_MS,
        [sourceName, sinkName, replicatorName],
      );
    }, 300_000);

    it('ferry run lives through it', () => expectLived(observed));
    it('the source and the sink show DEGRADED naming the broker while it hangs', () => expectShown(observed, [sourceName, sinkName]));
    it('the replicator shows DEGRADED naming the broker while it hangs', () => expectShown(observed, [replicatorName]));
    it('after it, rows keep arriving and the topic holds each source row once', () => expectTopicOnce(observed));
    it('after it, the target holds every source row exactly once (INSERT mode)', () => expectExactlyOnceSince(observed.recovery));
    it('after it, the replica on b equals the topic (exactly-once replicator)', () => expectReplicaEqualsTopic(observed));
  });

  describe('the broker crashes (SIGKILL) and restarts', () => {
    let observed: Observed;
    beforeAll(async () => {
      observed = await observe(
        () => lab.kill('kafka-a', 'SIGKILL'),
        () => lab.start('kafka-a'),
        45_000,
        [sourceName, sinkName, replicatorName],
      );
    }, 300_000);

    it('ferry run lives through it', () => expectLived(observed));
    it('the source and the sink show DEGRADED naming the broker while it is down', () => expectShown(observed, [sourceName, sinkName]));
    it('the replicator shows DEGRADED naming the broker while it is down', () => expectShown(observed, [replicatorName]));
    it('after it, rows keep arriving and the target holds every source row exactly once (INSERT mode)', () => expectExactlyOnceSince(observed.recovery));
    it('after it, the topic holds each source row once', () => expectTopicOnce(observed));
    it('after it, the replica on b equals the topic (exactly-once replicator)', () => expectReplicaEqualsTopic(observed));
  });
});
