import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { RecordSchema } from '../../src/engine/model';
import type { PipelineRunner } from '../../src/engine/pipeline';
import { type EmbeddedSchemaRegistry, startEmbeddedSchemaRegistry } from '../../src/engine/schema';
import { uniqueName } from '../helpers/names';
import { killLeftoverFerries, spawnFerry, waitForExit, writePipelineFile } from '../helpers/pipelineCli';
import { type DbKind, dropTables, openDb, type TestDb } from '../helpers/pipelineDb';
import { type ConnectorConfig, describeStatus, KafkaScratch, MANAGED_SINK, managedConnection, pipelineDocument, Scratch, sinkGroup, startPipeline, waitForIdle } from '../helpers/pipelineHarness';
import { type OutgoingRecord, produceRecords, readMessages } from '../helpers/pipelineKafka';

// A bad row costs one dead letter, not the pipeline (issue 10, items 4-7), against the lab's Kafka and PostgreSQL:
// a target with a CHECK constraint refuses some rows of a stream written by another producer. With the managed
// sinks' defaults (errors.tolerance=all, max.retries=10, retry.backoff.ms=3000) and insert.mode=INSERT without a
// primary key (so a re-applied chunk shows as duplicates), every good row must land exactly once and every bad row be
// dead-lettered exactly once; errors every record would hit must fail the connector instead.

const endpoints = inject('labEndpoints');
const bootstrap = endpoints.kafka.a.bootstrap;
const SETTLE_MS = 1500;

let registry: EmbeddedSchemaRegistry;
const dbs = {} as Record<DbKind, TestDb>;
const scratch = new Scratch();
const kafka = new KafkaScratch(bootstrap);
const tables: { db: DbKind; table: string }[] = [];
const runners: PipelineRunner[] = [];

beforeAll(async () => {
  registry = await startEmbeddedSchemaRegistry();
  dbs.postgres = await openDb('postgres', endpoints.postgres);
  dbs.mariadb = await openDb('mariadb', endpoints.mariadb);
});

afterAll(async () => {
  killLeftoverFerries();
  await Promise.all(runners.splice(0).map((runner) => runner.stop().catch(() => {})));
  for (const { db, table } of tables) await dropTables(dbs[db], [table]);
  await kafka.cleanup();
  await Promise.all(Object.values(dbs).map((db) => db.close()));
  await registry?.close();
  scratch.cleanup();
});

const ITEM: RecordSchema = {
  name: 'shop.Item',
  fields: [
    { name: 'id', type: { kind: 'int64' }, optional: false },
    { name: 'name', type: { kind: 'string' }, optional: true },
    { name: 'qty', type: { kind: 'int32' }, optional: false },
  ],
};

/** Rows `first..first+count-1`; a bad one has a negative qty, which the target's CHECK refuses. */
function items(first: number, count: number, isBad: (id: number) => boolean): OutgoingRecord[] {
  return Array.from({ length: count }, (_, index) => {
    const id = first + index;
    return { value: { schema: ITEM, row: { id: BigInt(id), name: `item ${id}`, qty: isBad(id) ? -id : id } } };
  });
}

interface Case {
  db: DbKind;
  topic: string;
  sinkName: string;
  dlq: string;
}

async function newCase(label: string, targetDdl: (table: string) => string = checkedTable, db: DbKind = 'postgres'): Promise<Case> {
  const topic = uniqueName(label).toLowerCase();
  const sinkName = `${topic}-sink`;
  const dlq = `dlq-${sinkName}`;
  kafka.track({ topics: [dlq], groups: [sinkGroup(sinkName)] });
  await kafka.createTopic(topic);
  tables.push({ db, table: topic });
  await dbs[db].exec(targetDdl(topic));
  return { db, topic, sinkName, dlq };
}

/** No primary key: a row applied twice is two rows. */
function checkedTable(table: string): string {
  return `CREATE TABLE "${table}" (id BIGINT NOT NULL, name TEXT, qty INT NOT NULL CONSTRAINT qty_not_negative CHECK (qty >= 0))`;
}

/** A managed sink (PostgresSink, MySqlSink) with its defaults for errors and retries; INSERT without a key. */
function managedInsertSink(c: Case, extra: ConnectorConfig = {}): ConnectorConfig {
  return {
    name: c.sinkName,
    'connector.class': MANAGED_SINK[c.db],
    ...managedConnection(endpoints[c.db]),
    topics: [c.topic],
    'input.data.format': 'AVRO',
    'insert.mode': 'INSERT',
    'pk.mode': 'none',
    'auto.create': 'false',
    ...extra,
  };
}

function postgresExec(sql: string): Promise<Record<string, unknown>[]> {
  return dbs.postgres.exec(sql);
}

async function targetIds(c: Case): Promise<number[]> {
  const db = dbs[c.db];
  return (await db.exec(`SELECT id FROM ${db.q(c.topic)} ORDER BY id`)).map((row) => Number(row.id));
}

/** Records the topic holds (its end offset; one partition). */
async function topicSize(topic: string): Promise<number> {
  const admin = await kafka.connect();
  if (!(await admin.listTopics()).includes(topic)) return 0;
  const offsets = await admin.fetchTopicOffsets(topic);
  return offsets.reduce((sum, partition) => sum + Number(partition.high) - Number(partition.low), 0);
}

/** The source offsets the dead letters name (`__connect.errors.offset`), sorted. */
async function deadLetteredOffsets(dlq: string, count: number): Promise<number[]> {
  const letters = await readMessages(bootstrap, dlq, count, 60_000);
  return letters.map((letter) => Number(letter.headers['__connect.errors.offset'])).sort((a, b) => a - b);
}

function range(first: number, count: number): number[] {
  return Array.from({ length: count }, (_, index) => first + index);
}

describe('a row the target refuses (CHECK constraint), managed sink defaults, INSERT without a key', () => {
  it('1 bad row in 1,000: the 999 good rows land once, the bad one is dead-lettered once, the connector keeps running', async () => {
    const c = await newCase('bad_one');
    const bad = 500;
    await produceRecords(bootstrap, registry.url, c.topic, items(1, 1000, (id) => id === bad));
    const runner = await startPipeline(pipelineDocument(c.topic, bootstrap, registry.url, [managedInsertSink(c)]), scratch.dir());
    runners.push(runner);
    await waitForIdle(runner, SETTLE_MS, 90_000);
    const sink = runner.status().connectors[0];
    expect(sink?.state, describeStatus(runner.status())).toBe('RUNNING');
    expect(await targetIds(c)).toEqual(range(1, 1000).filter((id) => id !== bad));
    expect(await topicSize(c.dlq)).toBe(1);
    // Offset = id - 1.
    expect(await deadLetteredOffsets(c.dlq, 1)).toEqual([bad - 1]);
    expect(sink?.metrics).toMatchObject({ rowsApplied: 999, deadLettered: 1, dropped: 0 });
    expect((await kafka.committed(sinkGroup(c.sinkName), c.topic)).get(0)).toBe('1000');
    await runner.stop();
  }, 120_000);

  const mariadbCheckedTable = (table: string): string =>
    `CREATE TABLE \`${table}\` (id BIGINT NOT NULL, name TEXT, qty INT NOT NULL, CONSTRAINT qty_not_negative CHECK (qty >= 0))`;

  it.each(['postgres', 'mariadb'] as DbKind[])('2 in 100 rows bad in a stream of 5,000 into %s: each good row once, each bad row dead-lettered once, and the sink keeps up', async (db) => {
    const c = await newCase('bad_two_pct', db === 'postgres' ? checkedTable : mariadbCheckedTable, db);
    const isBad = (id: number): boolean => id % 50 === 0;
    const runner = await startPipeline(pipelineDocument(c.topic, bootstrap, registry.url, [managedInsertSink(c)]), scratch.dir());
    runners.push(runner);
    await waitForIdle(runner, SETTLE_MS);
    const started = Date.now();
    // A stream rather than a backlog: 500 records a second for 10 s (slices of 250 every 500 ms), as in the issue,
    // noting the sink's lag as it goes.
    let maxLag = 0;
    for (let slice = 0; slice < 20; slice++) {
      await produceRecords(bootstrap, registry.url, c.topic, items(1 + slice * 250, 250, isBad));
      maxLag = Math.max(maxLag, runner.status().connectors[0]?.metrics.lag ?? 0);
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, started + (slice + 1) * 500 - Date.now())));
    }
    const produced = Date.now();
    await waitForIdle(runner, SETTLE_MS, 120_000);
    const idle = Date.now() - SETTLE_MS;
    const sink = runner.status().connectors[0];
    expect(sink?.state, describeStatus(runner.status())).toBe('RUNNING');
    const good = range(1, 5000).filter((id) => !isBad(id));
    const bad = range(1, 5000).filter(isBad);
    expect(await targetIds(c)).toEqual(good);
    expect(await topicSize(c.dlq)).toBe(bad.length);
    expect(await deadLetteredOffsets(c.dlq, bad.length)).toEqual(bad.map((id) => id - 1));
    expect(sink?.metrics).toMatchObject({ rowsApplied: good.length, deadLettered: bad.length });
    // Measured, not asserted (tests never assert on timing): whether the sink kept up with the stream (the largest
    // lag seen while producing, and how long after the last record it was idle).
    console.log(
      JSON.stringify({
        measure: `${db} sink, 500 records/s stream with 2% refused by a CHECK`,
        records: 5000,
        refused: bad.length,
        producedInS: (produced - started) / 1000,
        maxLagWhileStreaming: maxLag,
        idleAfterLastRecordS: Math.max(0, idle - produced) / 1000,
        appliedPerS: Math.round(5000 / ((idle - started) / 1000)),
      }),
    );
    await runner.stop();
  }, 180_000);

  it('1,000 bad records: the dead letter topic holds exactly 1,000 (requests that fit max.message.bytes), the counter says 1,000', async () => {
    const c = await newCase('bad_thousand');
    // 1,000 refused rows and a good one after them: ~1.4 KB of context headers each overflowed a single 1 MB request.
    await produceRecords(bootstrap, registry.url, c.topic, items(1, 1001, (id) => id <= 1000));
    const runner = await startPipeline(pipelineDocument(c.topic, bootstrap, registry.url, [managedInsertSink(c)]), scratch.dir());
    runners.push(runner);
    await waitForIdle(runner, SETTLE_MS, 90_000);
    const sink = runner.status().connectors[0];
    expect(sink?.state, describeStatus(runner.status())).toBe('RUNNING');
    expect(sink?.error).toBeUndefined();
    expect(await topicSize(c.dlq)).toBe(1000);
    expect(sink?.metrics).toMatchObject({ deadLettered: 1000, rowsApplied: 1 });
    expect(await deadLetteredOffsets(c.dlq, 1000)).toEqual(range(0, 1000));
    expect(await targetIds(c)).toEqual([1001]);
    const [letter] = await readMessages(bootstrap, c.dlq, 1);
    expect(letter?.headers['__connect.errors.exception.message']).toMatch(/qty_not_negative/);
    await runner.stop();
  }, 120_000);
});

describe('isolating refused rows', () => {
  it('happens in one transaction: an error every record would hit, met half-way, leaves nothing applied that a restart would apply again', async () => {
    const c = await newCase('half_way');
    const guard = `${c.topic}_guard`;
    // Row 500 breaks the CHECK (isolated); row 900 meets an error of the statement itself (SQLSTATE 42501), which
    // fails the connector while the isolation is half-way through.
    await postgresExec(
      `CREATE FUNCTION "${guard}"() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN IF NEW.id = 900 THEN ` +
        `RAISE EXCEPTION 'simulated: permission denied' USING ERRCODE = '42501'; END IF; RETURN NEW; END $$`,
    );
    await postgresExec(`CREATE TRIGGER guard BEFORE INSERT ON "${c.topic}" FOR EACH ROW EXECUTE FUNCTION "${guard}"()`);
    try {
      await produceRecords(bootstrap, registry.url, c.topic, items(1, 1000, (id) => id === 500));
      const document = pipelineDocument(c.topic, bootstrap, registry.url, [managedInsertSink(c)]);
      const runner = await startPipeline(document, scratch.dir());
      runners.push(runner);
      await expect(runner.waitUntilIdle({ settleMs: SETTLE_MS, signal: AbortSignal.timeout(60_000) })).rejects.toThrow(/simulated: permission denied/);
      await runner.stop();
      // Rows 1..499 were accepted under savepoints, but their transaction never committed.
      expect(await targetIds(c)).toEqual([]);
      expect(await topicSize(c.dlq)).toBe(0);
      expect((await kafka.committed(sinkGroup(c.sinkName), c.topic)).get(0)).toBe('-1');

      // Fixed, a restart applies every good row once and dead-letters the refused one once.
      await postgresExec(`DROP TRIGGER guard ON "${c.topic}"`);
      const again = await startPipeline(document, scratch.dir());
      runners.push(again);
      await waitForIdle(again, SETTLE_MS);
      expect(await targetIds(c)).toEqual(range(1, 1000).filter((id) => id !== 500));
      expect(await deadLetteredOffsets(c.dlq, 1)).toEqual([499]);
      expect(await topicSize(c.dlq)).toBe(1);
      await again.stop();
    } finally {
      await postgresExec(`DROP TABLE IF EXISTS "${c.topic}"`).catch(() => {});
      await postgresExec(`DROP FUNCTION IF EXISTS "${guard}"()`).catch(() => {});
    }
  }, 120_000);
});

describe('a statement the target keeps waiting', () => {
  it('a table lock held 15 s (longer than the 10 s consumer session) costs no group membership: every row lands once', async () => {
    const c = await newCase('locked');
    const locker = await openDb('postgres', endpoints.postgres);
    try {
      await produceRecords(bootstrap, registry.url, c.topic, items(1, 100, () => false));
      const runner = await startPipeline(pipelineDocument(c.topic, bootstrap, registry.url, [managedInsertSink(c)]), scratch.dir());
      runners.push(runner);
      await waitForIdle(runner, SETTLE_MS);
      await locker.exec('BEGIN');
      await locker.exec(`LOCK TABLE "${c.topic}" IN ACCESS EXCLUSIVE MODE`);
      await produceRecords(bootstrap, registry.url, c.topic, items(101, 100, () => false));
      // The sink's INSERT waits for the lock meanwhile; without heartbeats beside it the coordinator drops the member
      // after 10 s, the offset commit fails and the chunk is applied again.
      await new Promise((resolve) => setTimeout(resolve, 15_000));
      await locker.exec('COMMIT');
      await waitForIdle(runner, SETTLE_MS);
      expect(runner.status().connectors[0]?.state, describeStatus(runner.status())).toBe('RUNNING');
      expect(await targetIds(c)).toEqual(range(1, 200));
      expect((await kafka.committed(sinkGroup(c.sinkName), c.topic)).get(0)).toBe('200');
      await runner.stop();
    } finally {
      await locker.exec('ROLLBACK').catch(() => {});
      await locker.close();
    }
  }, 120_000);
});

describe('a failure that passes (serialization failure, deadlock)', () => {
  it.each([
    ['40001', 'serialization failure'],
    ['40P01', 'deadlock'],
  ])('SQLSTATE %s (%s) is retried with backoff, never isolated or dead-lettered: every row once', async (state, what) => {
    const c = await newCase('flaky');
    const failures = `${c.topic}_failures`;
    const flaky = `${c.topic}_flaky`;
    // The first three INSERT statements fail; a sequence counts them outside the rolled-back transactions.
    await postgresExec(`CREATE SEQUENCE "${failures}"`);
    await postgresExec(
      `CREATE FUNCTION "${flaky}"() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN IF nextval('"${failures}"') <= 3 THEN ` +
        `RAISE EXCEPTION 'simulated ${what}' USING ERRCODE = '${state}'; END IF; RETURN NULL; END $$`,
    );
    await postgresExec(`CREATE TRIGGER flaky BEFORE INSERT ON "${c.topic}" FOR EACH STATEMENT EXECUTE FUNCTION "${flaky}"()`);
    try {
      await produceRecords(bootstrap, registry.url, c.topic, items(1, 100, () => false));
      const runner = await startPipeline(pipelineDocument(c.topic, bootstrap, registry.url, [managedInsertSink(c, { 'retry.backoff.ms': '200' })]), scratch.dir());
      runners.push(runner);
      await waitForIdle(runner, SETTLE_MS);
      const sink = runner.status().connectors[0];
      expect(sink?.state, describeStatus(runner.status())).toBe('RUNNING');
      expect(await targetIds(c)).toEqual(range(1, 100));
      expect(sink?.metrics).toMatchObject({ rowsApplied: 100, deadLettered: 0 });
      expect(await topicSize(c.dlq)).toBe(0);
      // Three refused attempts and the one that passed: the batch was retried whole, not bisected.
      expect((await postgresExec(`SELECT last_value FROM "${failures}"`))[0]?.last_value).toBe('4');
      await runner.stop();
    } finally {
      await postgresExec(`DROP TABLE IF EXISTS "${c.topic}"`).catch(() => {});
      await postgresExec(`DROP FUNCTION IF EXISTS "${flaky}"()`).catch(() => {});
      await postgresExec(`DROP SEQUENCE IF EXISTS "${failures}"`).catch(() => {});
    }
  }, 60_000);
});

describe('errors.tolerance=none', () => {
  it('stops at the refused row, naming that record, applying and committing nothing of its batch', async () => {
    const c = await newCase('bad_none');
    const bad = 700;
    await produceRecords(bootstrap, registry.url, c.topic, items(1, 1000, (id) => id === bad));
    const runner = await startPipeline(pipelineDocument(c.topic, bootstrap, registry.url, [managedInsertSink(c, { 'errors.tolerance': 'none' })]), scratch.dir());
    runners.push(runner);
    await expect(runner.waitUntilIdle({ settleMs: SETTLE_MS, signal: AbortSignal.timeout(60_000) })).rejects.toThrow(/qty_not_negative/);
    const sink = runner.status().connectors[0];
    expect(sink?.state).toBe('FAILED');
    // The record itself (offset = id - 1), not "records from …@0 and 999 more".
    expect(sink?.error?.message).toContain(`(records from ${c.topic}[0]@${bad - 1}):`);
    await runner.stop();
    expect((await kafka.committed(sinkGroup(c.sinkName), c.topic)).get(0)).toBe('-1');
    expect(await targetIds(c)).toEqual([]);
    expect(await topicSize(c.dlq)).toBe(0);
  }, 90_000);
});

describe('errors.tolerance=all without a dead letter topic', () => {
  it('counts refused records as dropped, not dead-lettered, in the status and the progress line', async () => {
    const c = await newCase('bad_dropped');
    await produceRecords(bootstrap, registry.url, c.topic, items(1, 20, (id) => id % 10 === 0));
    const document = pipelineDocument(c.topic, bootstrap, registry.url, [
      {
        name: c.sinkName,
        'connector.class': 'io.confluent.connect.jdbc.JdbcSinkConnector',
        'connection.url': `jdbc:postgresql://${endpoints.postgres.host}:${endpoints.postgres.port}/${endpoints.postgres.database}?sslmode=disable`,
        'connection.user': endpoints.postgres.user,
        'connection.password': endpoints.postgres.password,
        topics: c.topic,
        'insert.mode': 'insert',
        'pk.mode': 'none',
        'errors.tolerance': 'all',
        'max.retries': '1',
      },
    ]);
    const ferry = spawnFerry(['run', writePipelineFile(scratch.dir(), document), '--until-idle', '--json'], { FERRY_DATA_DIR: scratch.dir() });
    const exit = await waitForExit(ferry, 90_000);
    expect(exit, ferry.stderr()).toEqual({ code: 0, signal: null });
    // Validation warned before the run.
    expect(ferry.stderr()).toMatch(/warning .*errors\.tolerance.*dropped/);
    // The final progress line says what happened to them.
    expect(ferry.stderr()).toMatch(/\| dropped 2\b/);
    expect(ferry.stderr()).not.toMatch(/\| dlq \d/);
    const status = JSON.parse(ferry.stdout()) as { connectors: { metrics: { deadLettered: number; dropped?: number; rowsApplied: number } }[] };
    expect(status.connectors[0]?.metrics).toMatchObject({ deadLettered: 0, dropped: 2, rowsApplied: 18 });
    expect(await targetIds(c)).toEqual(range(1, 20).filter((id) => id % 10 !== 0));
    expect(await topicSize(c.dlq)).toBe(0);
  }, 120_000);
});

describe('an error every record would hit fails the connector with its cause; nothing is dead-lettered', () => {
  async function runUntilIdle(c: Case, sink: ConnectorConfig): Promise<{ code: number | null; stderr: string }> {
    const file = writePipelineFile(scratch.dir(), pipelineDocument(c.topic, bootstrap, registry.url, [sink]));
    const ferry = spawnFerry(['run', file, '--until-idle'], { FERRY_DATA_DIR: scratch.dir() });
    const exit = await waitForExit(ferry, 90_000);
    return { code: exit.code, stderr: ferry.stderr() };
  }

  async function expectNothingConsumed(c: Case): Promise<void> {
    expect(await topicSize(c.dlq)).toBe(0);
    expect((await kafka.committed(sinkGroup(c.sinkName), c.topic)).get(0)).toBe('-1');
    expect(await targetIds(c)).toEqual([]);
  }

  it('pk.fields naming a field the records do not have', async () => {
    const c = await newCase('cfg_pk');
    await produceRecords(bootstrap, registry.url, c.topic, items(1, 100, () => false));
    const run = await runUntilIdle(c, managedInsertSink(c, { 'insert.mode': 'UPSERT', 'pk.mode': 'record_value', 'pk.fields': 'item_id' }));
    expect(run.code, run.stderr).toBe(1);
    expect(run.stderr).toMatch(/failed: .*pk\.fields names "item_id", which the value of .* does not have \(it has id, name, qty\)/);
    expect(run.stderr).not.toMatch(/\| dlq \d/);
    await expectNothingConsumed(c);
  }, 120_000);

  it('a table that cannot be created (its schema does not exist)', async () => {
    const c = await newCase('cfg_create');
    await produceRecords(bootstrap, registry.url, c.topic, items(1, 100, () => false));
    const run = await runUntilIdle(c, managedInsertSink(c, { 'auto.create': 'true', 'table.name.format': 'no_such_schema.${topic}' }));
    expect(run.code, run.stderr).toBe(1);
    expect(run.stderr).toMatch(/failed: .*Cannot create table .*no_such_schema.*schema "no_such_schema" does not exist/);
    await expectNothingConsumed(c);
  }, 120_000);

  it('a column whose type refuses the field in every record (an int field into a DATE column)', async () => {
    const c = await newCase('cfg_type', (table) => `CREATE TABLE "${table}" (id BIGINT NOT NULL, name TEXT, qty DATE)`);
    await produceRecords(bootstrap, registry.url, c.topic, items(1, 100, () => false));
    const run = await runUntilIdle(c, managedInsertSink(c));
    expect(run.code, run.stderr).toBe(1);
    expect(run.stderr).toMatch(/failed: .*type date.*Every record would fail the same way/);
    await expectNothingConsumed(c);
  }, 120_000);
});
