import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Message } from 'kafkajs';
import { parseReplicatorFile, requireValidPipeline } from '../../src/engine/config';
import { createKafka, createKafkaClient, type FetchedMessage, type HeaderValue } from '../../src/engine/kafka';
import { ReplicatorRunner } from '../../src/engine/replicator';
import { eventually, KafkaScratch, replicatorName } from '../helpers/replicatorHarness';

// The replicator's batch path (fetched record batches forwarded whole) against its per-record path, on the lab's two
// clusters: one source topic written by an idempotent producer, by every codec, by a transactional producer with an
// aborted transaction, and a compacted topic with offset gaps; both copies must hold the same bytes in the same
// partitions, in the same order, as a read_committed reader of the source sees them.

const endpoints = inject('labEndpoints');
const a = endpoints.kafka.a.bootstrap;
const b = endpoints.kafka.b.bootstrap;
const onA = new KafkaScratch(a);
const onB = new KafkaScratch(b);
const runners: ReplicatorRunner[] = [];
let dataDir: string;
/** Cluster a's broker's own dynamic configs before this test changed one (AlterConfigs replaces the whole set). */
let brokerDynamic: { broker: string; entries: { name: string; value: string }[] } | undefined;

beforeAll(() => {
  dataDir = mkdtempSync(join(tmpdir(), 'ferry-replicator-batches-'));
});

afterAll(async () => {
  await Promise.all(runners.map((runner) => runner.stop()));
  // The cleaner's back-off goes back to what it was (see the compacted topic below).
  if (brokerDynamic) {
    const admin = await onA.connect();
    await admin.alterConfigs({ validateOnly: false, resources: [{ type: 4, name: brokerDynamic.broker, configEntries: brokerDynamic.entries }] }).catch(() => undefined);
  }
  await onA.cleanup();
  await onB.cleanup();
  rmSync(dataDir, { recursive: true, force: true });
});

interface Bytes {
  partition: number;
  offset: number;
  key: string | null;
  value: string | null;
  timestamp: string;
  headers: [string, string][];
}

const hex = (value: HeaderValue | null | undefined): string | null => (value === null || value === undefined ? null : Buffer.from(value).toString('hex'));

function bytesOf(partition: number, message: FetchedMessage): Bytes {
  const headers: [string, string][] = [];
  for (const [name, value] of Object.entries(message.headers)) {
    for (const item of Array.isArray(value) ? value : [value]) headers.push([name, hex(item) ?? '']);
  }
  return { partition, offset: Number(message.offset), key: hex(message.key), value: hex(message.value), timestamp: message.timestamp, headers };
}

/** Every committed record of a topic as bytes (read_committed), and the codecs of its record batches. */
async function readAll(bootstrap: string, topic: string, expected: number): Promise<{ records: Bytes[]; codecs: Set<number> }> {
  const client = createKafkaClient({ bootstrapServers: [bootstrap] });
  const read = async (recordBatches: boolean): Promise<{ records: Bytes[]; codecs: Set<number> }> => {
    const consumer = client.consumer({ groupId: `ferry-test-${replicatorName('reader')}`, maxWaitMs: 100, recordBatches });
    const records: Bytes[] = [];
    const codecs = new Set<number>();
    let count = 0;
    await consumer.connect();
    try {
      await consumer.subscribe({ topics: [topic], fromBeginning: true });
      await new Promise<void>((resolve, reject) => {
        const deadline = setTimeout(() => reject(new Error(`read ${count} of ${expected} records of ${topic}`)), 15_000);
        void consumer.run({
          eachBatch: async ({ batch }) => {
            for (const message of batch.messages) records.push(bytesOf(batch.partition, message));
            for (const view of batch.recordBatches?.batches ?? []) codecs.add(view.attributes & 7);
            count += recordBatches ? (batch.recordBatches?.batches ?? []).reduce((sum, view) => sum + view.recordCount, 0) : batch.messages.length;
            if (count >= expected) {
              clearTimeout(deadline);
              resolve();
            }
          },
        });
      });
    } finally {
      await consumer.disconnect();
    }
    return { records, codecs };
  };
  const { records } = await read(false);
  const { codecs } = await read(true);
  const order = (x: Bytes, y: Bytes): number => x.partition - y.partition || x.offset - y.offset;
  return { records: records.sort(order), codecs };
}

const withoutOffsets = (records: Bytes[]): Omit<Bytes, 'offset'>[] => records.map(({ offset: _offset, ...rest }) => rest);

function run(name: string, topics: string[], format: string, forwardBatches: boolean): ReplicatorRunner {
  onA.track({ groups: [name] });
  onB.track({ topics: topics.map((topic) => format.replace('${topic}', topic)), groups: [name] });
  const config = {
    name,
    'connector.class': 'Replicator',
    'src.kafka.bootstrap.servers': a,
    'dest.kafka.bootstrap.servers': b,
    'src.consumer.fetch.max.wait.ms': 100,
    'topic.whitelist': topics.join(','),
    'topic.rename.format': format,
    'offset.translator.tasks.max': 0,
  };
  const replicator = requireValidPipeline(parseReplicatorFile(JSON.stringify(config), 'replicator.json'), 'replicator.json').replicators[0];
  if (!replicator) throw new Error('no replicator resolved');
  const runner = new ReplicatorRunner(replicator, { dataDir: join(dataDir, name), forwardBatches });
  runners.push(runner);
  return runner;
}

describe('replicator batch path', () => {
  it('copies the same bytes as the per-record path: codecs, a transaction aborted between committed ones, compaction gaps', async () => {
    const name = replicatorName('batches');
    const topic = `batches-${name}`;
    const compacted = `compacted-${name}`;
    await onA.createTopic(topic, 3);
    const admin = await onA.connect();
    onA.track({ topics: [compacted] });
    await admin.createTopics({
      waitForLeaders: true,
      topics: [{ topic: compacted, numPartitions: 1, replicationFactor: 1, configEntries: Object.entries({ 'cleanup.policy': 'compact', 'segment.ms': '100', 'min.cleanable.dirty.ratio': '0.01', 'min.compaction.lag.ms': '0' }).map(([n, value]) => ({ name: n, value })) }],
    });
    // The lab broker's cleaner looks for work every 15 s by default; 300 ms keeps this test short (put back in afterAll).
    const broker = String((await admin.describeCluster()).brokers[0]?.nodeId ?? 1);
    const described = await admin.describeConfigs({ includeSynonyms: false, resources: [{ type: 4, name: broker }] });
    const entries = (described.resources[0]?.configEntries ?? [])
      .filter((entry) => (entry as { configSource?: number }).configSource === 2 && entry.configName !== 'log.cleaner.backoff.ms' && entry.configValue !== null)
      .map((entry) => ({ name: entry.configName, value: entry.configValue }));
    brokerDynamic = { broker, entries };
    await admin.alterConfigs({ validateOnly: false, resources: [{ type: 4, name: broker, configEntries: [...entries, { name: 'log.cleaner.backoff.ms', value: '300' }] }] });

    const kafka = createKafka({ bootstrapServers: [a] });
    const base = Date.now() - 3_600_000;
    const binary = (i: number, size: number): Buffer => Buffer.from(Array.from({ length: size }, (_, j) => (i * 31 + j * 7) & 0xff));
    const message = (i: number, size = 40): Message => ({
      partition: i % 3,
      key: i % 5 === 0 ? null : binary(i, 8),
      value: i % 11 === 0 ? null : binary(i + 1, size),
      timestamp: String(base + i * 1000 - (i % 4) * 5000),
      headers: i % 2 === 0 ? { trace: binary(i, 3), multi: [Buffer.from('one'), binary(i, 2)] } : {},
    });
    let i = 0;
    const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    for (let send = 0; send < 3; send++) await producer.send({ topic, acks: -1, messages: Array.from({ length: 30 }, () => message(i++)) });
    for (const codec of [1, 2, 3, 4]) await producer.send({ topic, acks: -1, compression: codec, messages: Array.from({ length: 20 }, () => message(i++)) });
    // Batches over 128 KiB go as they are; many small ones are merged.
    await producer.send({ topic, acks: -1, messages: Array.from({ length: 300 }, () => message(i++, 1024)) });
    await producer.disconnect();
    const transactional = kafka.producer({ transactionalId: `ferry-test-${name}`, idempotent: true, maxInFlightRequests: 1 });
    await transactional.connect();
    for (const outcome of ['commit', 'abort', 'commit'] as const) {
      const transaction = await transactional.transaction();
      await transaction.send({ topic, acks: -1, messages: Array.from({ length: 12 }, () => message(i++)) });
      await (outcome === 'commit' ? transaction.commit() : transaction.abort());
    }
    await transactional.disconnect();
    const committed = i - 12;

    const writer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    await writer.connect();
    // Six rounds over the same keys in one segment, then a record with a key of its own in the next: the cleaner's
    // first pass over that segment leaves the latest value per key, with gaps inside each batch, and nothing a later
    // pass (or the destination's own cleaner) would remove.
    for (let round = 0; round < 6; round++) {
      await writer.send({ topic: compacted, acks: -1, messages: Array.from({ length: 10 }, (_, k) => ({ key: `key-${k % 4}-${k}`.slice(0, k % 2 ? 5 : 12), value: `round ${round} ${k}`, timestamp: String(base + round * 100 + k) })) });
    }
    await new Promise((resolve) => setTimeout(resolve, 150)); // segment.ms 100: the next record rolls the segment
    await writer.send({ topic: compacted, acks: -1, messages: [{ key: 'roll', value: 'last', timestamp: String(base + 1000) }] });
    // Compaction leaves gaps inside batches; wait for it.
    const survivors = 8; // key-1, key-3, five keys of their own per round (the last round's), and roll
    await eventually('the compacted topic to be cleaned', async () => {
      const { records } = await readAll(a, compacted, survivors);
      return records.length === survivors && records.some((r, index) => r.offset !== index) ? true : undefined;
    }, 12_000);
    await writer.disconnect();

    const batchRunner = run(`${name}-b`, [topic, compacted], '${topic}.batch', true);
    const recordRunner = run(`${name}-r`, [topic, compacted], '${topic}.records', false);
    await Promise.all([batchRunner.start(), recordRunner.start()]);
    await Promise.all([batchRunner.waitUntilIdle({ settleMs: 300, maxStuckMs: 15_000 }), recordRunner.waitUntilIdle({ settleMs: 300, maxStuckMs: 15_000 })]);

    const source = await readAll(a, topic, committed);
    expect(source.records).toHaveLength(committed);
    const batchCopy = await readAll(b, `${topic}.batch`, committed);
    const recordCopy = await readAll(b, `${topic}.records`, committed);
    expect(withoutOffsets(batchCopy.records)).toEqual(withoutOffsets(source.records));
    expect(withoutOffsets(batchCopy.records)).toEqual(withoutOffsets(recordCopy.records));
    // Without transaction markers and aborted records, the destination's offsets are 0..n-1 per partition.
    for (let p = 0; p < 3; p++) {
      const offsets = batchCopy.records.filter((r) => r.partition === p).map((r) => r.offset);
      expect(offsets).toEqual(offsets.map((_, index) => index));
    }
    // The batch path keeps every codec's batches compressed as they were; the per-record path wrote them plain.
    expect([...batchCopy.codecs].sort()).toEqual([0, 1, 2, 3, 4]);
    expect([...recordCopy.codecs]).toEqual([0]);

    const compactedSource = await readAll(a, compacted, survivors);
    const compactedBatch = await readAll(b, `${compacted}.batch`, survivors);
    const compactedRecords = await readAll(b, `${compacted}.records`, survivors);
    expect(withoutOffsets(compactedBatch.records)).toEqual(withoutOffsets(compactedSource.records));
    expect(withoutOffsets(compactedRecords.records)).toEqual(withoutOffsets(compactedSource.records));
    expect(compactedBatch.records.map((r) => r.offset)).toEqual(compactedSource.records.map((_, index) => index));
    expect(batchRunner.status().metrics.recordsCopied).toBe(committed + survivors);
  });
});
