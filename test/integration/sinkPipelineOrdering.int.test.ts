import { describe, expect, inject, it } from 'vitest';
import type { PipelineRunner } from '../../src/engine/pipeline';
import { openDb } from '../helpers/pipelineDb';
import { type ConnectorConfig, describeStatus, pipelineDocument, sinkGroup, startPipeline, waitForIdle } from '../helpers/pipelineHarness';
import { type OutgoingRecord, produceRecords, readMessages } from '../helpers/pipelineKafka';
import { ITEM, ITEM_KEY, postgresSink, useSinkPipelineFixture } from '../helpers/sinkPipelineFixture';
import { until } from '../helpers/until';

// Issue 13 fault probe of the pipelined sink (chunk N+1 decoded while N is in the target, N's offset committed while
// N+1 is applied), against the lab's Kafka and PostgreSQL, with small chunks so that one fetch holds many and the
// target connection dropped (pg_terminate_backend) while a chunk waits on a table lock held by a second session:
// - the same keys upserted, deleted (tombstones) and re-inserted across chunk boundaries: the target ends as the
//   topic's last word per key (a delete in chunk N+1 of a row upserted in chunk N wins);
// - errors.tolerance=all with rows the target refuses (CHECK) spread over many chunks: every good row once and in
//   offset order (a serial column records the insert order), every bad row dead-lettered exactly once.

const endpoints = inject('labEndpoints');
const bootstrap = endpoints.kafka.a.bootstrap;
const SETTLE_MS = 1500;

const fixture = useSinkPipelineFixture();

/** The sink's own sessions in the target (named by application_name). */
function sinkSessions(sinkName: string, where = 'true'): Promise<Record<string, unknown>[]> {
  return fixture.postgres.exec(`SELECT pid FROM pg_stat_activity WHERE application_name = ? AND pid <> pg_backend_pid() AND ${where}`, [`ferry sink ${sinkName}`]);
}

/**
 * Holds an exclusive lock on `table` until the sink's statement waits for it, then ends the sink's sessions and lets
 * the lock go: the chunk in the target fails with the connection while the next ones are already decoded.
 */
async function dropTheConnectionWhileAChunkWaits(table: string, sinkName: string, started: () => Promise<PipelineRunner>): Promise<PipelineRunner> {
  const locker = await openDb('postgres', endpoints.postgres);
  try {
    await locker.exec('BEGIN');
    await locker.exec(`LOCK TABLE "${table}" IN ACCESS EXCLUSIVE MODE`);
    const runner = await started();
    fixture.runners.push(runner);
    await until(async () => (await sinkSessions(sinkName, `wait_event_type = 'Lock'`)).length > 0, 'the sink statement waiting for the table lock');
    const ended = await fixture.postgres.exec('SELECT pg_terminate_backend(pid) AS ended FROM pg_stat_activity WHERE application_name = ? AND pid <> pg_backend_pid()', [`ferry sink ${sinkName}`]);
    expect(ended.length).toBeGreaterThan(0);
    return runner;
  } finally {
    await locker.exec('COMMIT').catch(() => {});
    await locker.close();
  }
}

/** A deterministic pseudo-random sequence (xorshift), so a failing case is the same on every run. */
function randomFrom(seed: number): () => number {
  let state = seed >>> 0 || 1;
  return () => {
    state ^= state << 13;
    state >>>= 0;
    state ^= state >>> 17;
    state ^= state << 5;
    state >>>= 0;
    return state / 0x1_0000_0000;
  };
}

function sink(topic: string, sinkName: string, extra: ConnectorConfig): ConnectorConfig {
  return postgresSink(topic, sinkName, endpoints.postgres, { 'max.retries': '0', ...extra });
}

describe('pipelined sink: order across chunk boundaries under a dropped target connection (lab PostgreSQL and Kafka)', () => {
  it('upserts, tombstones and re-inserts of the same keys spread over many 7-record chunks: the target is the last word per key', async () => {
    const { topic, sinkName } = await fixture.newTopic('pipeorder', (table) => `CREATE TABLE "${table}" (id BIGINT PRIMARY KEY, qty INT NOT NULL)`);
    const random = randomFrom(13);
    const events: OutgoingRecord[] = [];
    const expected = new Map<number, number>();
    for (let index = 0; index < 3000; index++) {
      // 40 keys, so every key changes many times and often in adjacent chunks; a third of the changes are deletes.
      const id = 1 + Math.floor(random() * 40);
      if (random() < 0.33) {
        events.push({ key: { schema: ITEM_KEY, row: { id: BigInt(id) } }, value: null });
        expected.delete(id);
      } else {
        events.push({ key: { schema: ITEM_KEY, row: { id: BigInt(id) } }, value: { schema: ITEM, row: { id: BigInt(id), qty: index } } });
        expected.set(id, index);
      }
    }
    // Filler upserts, then an upsert of key 1001 at the last position of a 7-record chunk and its tombstone at the
    // first position of the next (chunks are slices of a fetch; with the topic written before the sink starts, the
    // first fetch starts at offset 0, so they fall at multiples of 7).
    for (let filler = 0; events.length % 7 !== 6; filler++) {
      events.push({ key: { schema: ITEM_KEY, row: { id: 1000n + BigInt(filler) } }, value: { schema: ITEM, row: { id: 1000n + BigInt(filler), qty: filler } } });
      if (filler !== 1) expected.set(1000 + filler, filler);
    }
    events.push({ key: { schema: ITEM_KEY, row: { id: 1001n } }, value: { schema: ITEM, row: { id: 1001n, qty: 77 } } }, { key: { schema: ITEM_KEY, row: { id: 1001n } }, value: null });
    expected.delete(1001);
    await produceRecords(bootstrap, fixture.registry.url, topic, events);

    const runner = await dropTheConnectionWhileAChunkWaits(topic, sinkName, () =>
      startPipeline(
        pipelineDocument(topic, bootstrap, fixture.registry.url, [sink(topic, sinkName, { 'input.key.format': 'AVRO', 'insert.mode': 'UPSERT', 'pk.mode': 'record_key', 'pk.fields': 'id', 'delete.enabled': 'true', 'batch.size': '7' })]),
        fixture.scratch.dir(),
      ),
    );
    await waitForIdle(runner, SETTLE_MS, 150_000);
    expect(runner.status().connectors[0]?.state, describeStatus(runner.status())).toBe('RUNNING');
    const held = new Map((await fixture.postgres.exec(`SELECT id, qty FROM "${topic}" ORDER BY id`)).map((row) => [Number(row.id), Number(row.qty)]));
    expect([...held.entries()].sort((a, b) => a[0] - b[0])).toEqual([...expected.entries()].sort((a, b) => a[0] - b[0]));
    expect(Number((await fixture.kafka.committed(sinkGroup(sinkName), topic)).get(0))).toBe(events.length);
  }, 180_000);

  it('errors.tolerance=all, bad rows in many 50-record chunks: good rows once and in offset order, each bad row dead-lettered once', async () => {
    const { topic, sinkName, dlq } = await fixture.newTopic('pipebad', (table) => `CREATE TABLE "${table}" (seq BIGSERIAL, id BIGINT NOT NULL, qty INT NOT NULL CONSTRAINT qty_not_negative CHECK (qty >= 0))`);
    const ROWS = 2000;
    const isBad = (id: number): boolean => id % 37 === 0 || id % 50 === 1;
    await produceRecords(
      bootstrap,
      fixture.registry.url,
      topic,
      Array.from({ length: ROWS }, (_, index) => ({ value: { schema: ITEM, row: { id: BigInt(index + 1), qty: isBad(index + 1) ? -1 : index + 1 } } })),
    );
    const runner = await dropTheConnectionWhileAChunkWaits(topic, sinkName, () =>
      startPipeline(
        pipelineDocument(topic, bootstrap, fixture.registry.url, [sink(topic, sinkName, { 'insert.mode': 'INSERT', 'pk.mode': 'none', 'batch.size': '50', 'errors.tolerance': 'all', 'errors.deadletterqueue.topic.name': dlq })]),
        fixture.scratch.dir(),
      ),
    );
    await waitForIdle(runner, SETTLE_MS, 150_000);
    expect(runner.status().connectors[0]?.state, describeStatus(runner.status())).toBe('RUNNING');
    const good = Array.from({ length: ROWS }, (_, index) => index + 1).filter((id) => !isBad(id));
    const bad = Array.from({ length: ROWS }, (_, index) => index + 1).filter(isBad);
    // In insert order (seq): every good id once, ascending.
    expect((await fixture.postgres.exec(`SELECT id FROM "${topic}" ORDER BY seq`)).map((row) => Number(row.id))).toEqual(good);
    const letters = await readMessages(bootstrap, dlq, bad.length, 60_000);
    const offsets = letters.map((letter) => Number(letter.headers['__connect.errors.offset'])).sort((a, b) => a - b);
    expect(offsets).toEqual(bad.map((id) => id - 1));
    // Nothing more than once: the topic holds exactly one letter per bad row.
    const admin = await fixture.kafka.connect();
    const end = (await admin.fetchTopicOffsets(dlq)).reduce((sum, partition) => sum + Number(partition.high) - Number(partition.low), 0);
    expect(end).toBe(bad.length);
    expect(runner.status().connectors[0]?.metrics).toMatchObject({ rowsApplied: good.length, deadLettered: bad.length });
    expect(Number((await fixture.kafka.committed(sinkGroup(sinkName), topic)).get(0))).toBe(ROWS);
  }, 180_000);
});
