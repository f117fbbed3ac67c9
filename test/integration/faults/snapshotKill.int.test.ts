import mysql from 'mysql2/promise';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { type EmbeddedSchemaRegistry, startEmbeddedSchemaRegistry } from '../../../src/engine/schema';
import type { DatabaseEndpoint } from '../../../src/shared/api';
import { uniqueName } from '../../helpers/names';
import { killLeftoverFerries, waitForExit } from '../../helpers/pipelineCli';
import { KafkaScratch, Scratch, sinkGroup } from '../../helpers/pipelineHarness';
import { endOffsets } from '../../helpers/replicatorHarness';
import { until } from '../../helpers/until';
import { FerryRun, SourceWriter, sourceTableSql, streamPipeline, TargetReader, targetTableSql } from './faultHarness';

// `ferry run` killed with SIGKILL at three points of a snapshot and started again each time (same checkpoints):
//   1. the source is part-way through the table and the sink has applied nothing;
//   2. the source is part-way through and the sink has applied part of it;
//   3. the source has read the whole table and the sink is part-way through.
// Each point is reached deterministically, not by timing: a table lock on the source (LOCK TABLES … WRITE) holds
// the source's next read, a table lock on the target (LOCK TABLE … ACCESS EXCLUSIVE) holds the sink's next write,
// and the kill comes once both wait on their lock and the topic stopped growing. So the kill lands with a source
// batch acknowledged and checkpointed (or not read at all) and a sink chunk uncommitted in the target. After the
// last restart the topic must hold each source row once (the source re-read nothing it had delivered) and the target
// each row once (INSERT into a table without a key: a chunk applied twice would show), nothing lost.

const endpoints = inject('labEndpoints');
const ROWS = 40_000;

const name = uniqueName('fkill').toLowerCase();
const table = name;
const topic = `${name}_${table}`;
const sinkName = `${name}-sink`;

let registry: EmbeddedSchemaRegistry;
const target = new TargetReader(endpoints.postgres);
const kafka = new KafkaScratch(endpoints.kafka.a.bootstrap);
const scratch = new Scratch();
let writer: SourceWriter;
let document: ReturnType<typeof streamPipeline> & { 'offset.flush.interval.ms': string };
let dir: string;
let dataDir: string;

/** Holds the source's reads: a session that has the source table write-locked. */
class SourceLock {
  private connection: mysql.Connection | undefined;

  constructor(private readonly endpoint: DatabaseEndpoint) {}

  async take(): Promise<void> {
    const connection = await mysql.createConnection({ host: this.endpoint.host, port: this.endpoint.port, user: this.endpoint.user, password: this.endpoint.password, database: this.endpoint.database });
    connection.on('error', () => undefined);
    // Never wait forever behind a session that holds the table's metadata lock: fail with what holds it.
    await connection.query('SET SESSION lock_wait_timeout = 20');
    this.connection = connection;
    try {
      await connection.query(`LOCK TABLES \`${table}\` WRITE`);
    } catch (error) {
      throw new Error(`LOCK TABLES ${table} WRITE failed (${error instanceof Error ? error.message : String(error)}); sessions: ${await this.sessions()}`);
    }
  }

  /** True once another session (the source's read) waits for the lock. */
  async holdsSomeone(): Promise<boolean> {
    const [rows] = await (this.connection as mysql.Connection).query(
      "SELECT COUNT(*) AS n FROM information_schema.PROCESSLIST WHERE ID <> CONNECTION_ID() AND INFO LIKE ? AND STATE LIKE 'Waiting for table%'",
      [`%${table}%`],
    );
    return Number((rows as { n: number | string }[])[0]?.n ?? 0) > 0;
  }

  /** The other sessions on the source table, for a failure message. */
  async sessions(): Promise<string> {
    const [rows] = await (this.connection as mysql.Connection).query('SELECT STATE, INFO FROM information_schema.PROCESSLIST WHERE ID <> CONNECTION_ID() AND INFO IS NOT NULL');
    return JSON.stringify(rows);
  }

  async release(): Promise<void> {
    const connection = this.connection;
    this.connection = undefined;
    if (connection) await connection.end().catch(() => connection.destroy());
  }
}

/** Holds the sink's writes: an open transaction holding the target table ACCESS EXCLUSIVE. */
class TargetLock {
  private client: pg.Client | undefined;

  constructor(private readonly endpoint: DatabaseEndpoint) {}

  async take(): Promise<void> {
    const client = new pg.Client({ host: this.endpoint.host, port: this.endpoint.port, user: this.endpoint.user, password: this.endpoint.password, database: this.endpoint.database });
    client.on('error', () => undefined);
    await client.connect();
    await client.query('BEGIN');
    // Waits for a sink transaction in progress to end: what the sink has applied when the lock is held is committed.
    await client.query("SET lock_timeout = '20s'");
    await client.query(`LOCK TABLE "${table}" IN ACCESS EXCLUSIVE MODE`);
    this.client = client;
  }

  /** True once another session (the sink's write) waits for a lock on the table. */
  async holdsSomeone(): Promise<boolean> {
    const { rows } = await (this.client as pg.Client).query<{ n: string }>('SELECT COUNT(*) AS n FROM pg_locks WHERE relation = $1::regclass AND NOT granted', [`"${table}"`]);
    return Number(rows[0]?.n ?? 0) > 0;
  }

  /** Rows of the table as the lock holder sees them (committed ones; any other reader would wait for the lock). */
  async rows(): Promise<number> {
    const { rows } = await (this.client as pg.Client).query<{ n: string }>(`SELECT COUNT(*) AS n FROM "${table}"`);
    return Number(rows[0]?.n ?? 0);
  }

  /** The other sessions of the target, for a failure message. */
  async sessions(): Promise<string> {
    const { rows } = await (this.client as pg.Client).query("SELECT state, wait_event_type, wait_event, left(query, 120) AS query FROM pg_stat_activity WHERE pid <> pg_backend_pid() AND backend_type = 'client backend'");
    return JSON.stringify(rows);
  }

  async release(): Promise<void> {
    const client = this.client;
    this.client = undefined;
    if (client) {
      await client.query('ROLLBACK').catch(() => undefined);
      await client.end().catch(() => undefined);
    }
  }
}

const sourceLock = new SourceLock(endpoints.mariadb);
const targetLock = new TargetLock(endpoints.postgres);

async function topicRecords(): Promise<number> {
  return [...(await endOffsets(kafka, topic).catch(() => new Map<number, number>())).values()].reduce((sum, n) => sum + n, 0);
}

/** Waits until the topic holds at least `count` records. */
async function topicReaches(count: number, ferry: FerryRun): Promise<void> {
  await until(
    async () => {
      ferry.assertAlive(`before the topic held ${count} records`);
      return (await topicRecords()) >= count;
    },
    () => `the topic to hold ${count} records; ferry said:\n${ferry.tail()}`,
    90_000,
  );
}

/** Waits until each taken lock holds its connector and the topic stopped growing: the point is reached. */
async function frozen(ferry: FerryRun, locks: { source: boolean; target: boolean }): Promise<number> {
  await until(
    async () => {
      ferry.assertAlive('before the kill');
      return (!locks.source || (await sourceLock.holdsSomeone())) && (!locks.target || (await targetLock.holdsSomeone()));
    },
    async () =>
      `the source${locks.source ? '' : ' (not locked)'} and the sink${locks.target ? '' : ' (not locked)'} to wait on their locks; ferry said:\n${ferry.tail()}\n` +
      `source sessions: ${locks.source ? await sourceLock.sessions() : '-'}\ntarget sessions: ${locks.target ? await targetLock.sessions() : '-'}`,
    20_000,
  );
  // A batch acknowledged just before the source's read blocked finishes its checkpoint; nothing else can move.
  let records = await topicRecords();
  for (let look = 0; ; look++) {
    await new Promise((resolve) => setTimeout(resolve, 750));
    const now = await topicRecords();
    if (now === records) return records;
    if (look === 40) throw new Error(`the topic kept growing (${records} → ${now}) while the source's reads were locked; ferry said:\n${ferry.tail()}\nsource sessions: ${await sourceLock.sessions()}`);
    records = now;
  }
}

async function kill(ferry: FerryRun): Promise<void> {
  const exit = await ferry.kill();
  expect(exit.signal, ferry.tail()).toBe('SIGKILL');
}

beforeAll(async () => {
  registry = await startEmbeddedSchemaRegistry();
  kafka.track({ topics: [topic, `dlq-${sinkName}`], groups: [sinkGroup(sinkName)] });
  writer = new SourceWriter(endpoints.mariadb, table, { rowsPerTick: 0, tickMs: 0 });
  await writer.exec(sourceTableSql(table));
  await writer.insert(ROWS);
  await target.query(targetTableSql(table, false));
  // Small source batches and sink chunks: the snapshot takes hundreds of round trips, so a lock lands mid-way.
  // Checkpoints are flushed to disk periodically (offset.flush.interval.ms, 1 s by default): a kill re-reads what was
  // acknowledged after the last flush (at-least-once, as Connect). Flushed every 100 ms, every position acknowledged
  // before the topic stopped growing (frozen() watches it for at least 750 ms) is on disk at the kill, so the topic must
  // hold each row once: what this test proves is that a restart resumes exactly at the flushed checkpoint.
  document = {
    'offset.flush.interval.ms': '100',
    ...streamPipeline({
    name,
    table,
    bootstrap: endpoints.kafka.a.bootstrap,
    registryUrl: registry.url,
    source: endpoints.mariadb,
    target: endpoints.postgres,
      sourceKeys: { 'batch.max.rows': '100' },
      sinkKeys: { 'batch.sizes': '250' },
    }),
  };
  dir = scratch.dir('ferry-faults-kill-');
  dataDir = scratch.dir('ferry-faults-kill-data-');
}, 120_000);

afterAll(async () => {
  killLeftoverFerries();
  await sourceLock.release();
  await targetLock.release();
  await registry?.close();
  await writer?.exec(`DROP TABLE IF EXISTS \`${table}\``).catch(() => undefined);
  await writer?.stop();
  await target.query(`DROP TABLE IF EXISTS "${table}"`).catch(() => undefined);
  await kafka.cleanup().catch(() => undefined);
  scratch.cleanup();
}, 120_000);

describe('ferry run killed with SIGKILL at three points of a snapshot, then restarted', () => {
  it('loses nothing and applies nothing twice', async () => {
    // 1. Source part-way, nothing applied: the target is locked from the start.
    await targetLock.take();
    let ferry = new FerryRun(dir, document, dataDir);
    await topicReaches(500, ferry);
    await sourceLock.take();
    const first = await frozen(ferry, { source: true, target: true });
    await kill(ferry);
    expect(first, 'records in the topic at the first kill (the snapshot was part-way)').toBeLessThan(ROWS);
    expect(await targetLock.rows(), 'rows applied at the first kill').toBe(0);

    // 2. Source part-way, part applied: the sink applies some of what the topic holds while the source is still
    //    held, then the target is locked and the source reads some more before it is held again.
    await targetLock.release();
    ferry = new FerryRun(dir, document, dataDir);
    await until(async () => (await target.counts(table)).rows >= 100, () => `the sink to apply 100 rows; ferry said:\n${ferry.tail()}`, 90_000);
    await targetLock.take();
    await sourceLock.release();
    await topicReaches(first + 500, ferry);
    await sourceLock.take();
    const second = await frozen(ferry, { source: true, target: true });
    await kill(ferry);
    const appliedAtSecond = await targetLock.rows();
    expect(second, 'records in the topic at the second kill (the snapshot was part-way)').toBeLessThan(ROWS);
    expect(appliedAtSecond, 'rows applied at the second kill').toBeGreaterThan(0);
    expect(appliedAtSecond, 'rows applied at the second kill (fewer than the topic held)').toBeLessThan(second);

    // 3. Source done, sink part-way: the source reads the rest while the target stays locked.
    await sourceLock.release();
    ferry = new FerryRun(dir, document, dataDir);
    await topicReaches(ROWS, ferry);
    const third = await frozen(ferry, { source: false, target: true });
    await kill(ferry);
    expect(await targetLock.rows(), 'rows applied at the third kill (the sink was part-way)').toBeLessThan(ROWS);

    // The last start finishes the snapshot: every row once in the topic and once in the target.
    await targetLock.release();
    ferry = new FerryRun(dir, document, dataDir, ['--until-idle']);
    const exit = await waitForExit(ferry.process, 120_000);
    expect(exit, ferry.tail()).toEqual({ code: 0, signal: null });
    expect(third, 'records in the topic (one per source row: nothing was read twice)').toBe(ROWS);
    expect(await topicRecords(), 'records in the topic after the last run').toBe(ROWS);
    expect(await target.counts(table), 'the target after the last run').toEqual({ rows: ROWS, distinct: ROWS, maxId: ROWS, duplicated: [] });
  }, 240_000);
});
