import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { PipelineRunner } from '../../src/engine/pipeline';
import { type EmbeddedSchemaRegistry, startEmbeddedSchemaRegistry } from '../../src/engine/schema';
import { safeFileName } from '../../src/engine/store';
import { customerRows, postgresToMariadb, withSnapshotMode } from '../helpers/logCapturePipelines';
import { uniqueName } from '../helpers/names';
import { killLeftoverFerries, spawnFerry, writePipelineFile } from '../helpers/pipelineCli';
import { openDb, type TestDb } from '../helpers/pipelineDb';
import { KafkaScratch, type PipelineDocument, Scratch, sinkGroup, startPipeline, waitForIdle } from '../helpers/pipelineHarness';
import { until } from '../helpers/until';

// A PostgreSQL log source killed mid-snapshot redoes the snapshot at the next start and replays the log from where
// the killed one began, out of the slot (checkpoint key snapshot_started, see LogSource.begin). That replay is what
// deletes, in the target, rows the killed snapshot delivered and the source deleted since. When the slot no longer
// holds that log (dropped, invalidated, or advanced past it), a new slot and a new snapshot would leave those rows in
// the target for good, silently: the start must refuse with SOURCE_BAD_POSITION instead, and snapshot.mode=when_needed
// starts over knowingly.
//
// The kill lands mid-snapshot for sure without a big table: the snapshot reads the captured tables in name order,
// and the second one is held under an ACCESS EXCLUSIVE lock, so the snapshot waits on it after the first table's rows
// reached the target.

const endpoints = inject('labEndpoints');
let registry: EmbeddedSchemaRegistry;
let source: TestDb;
let target: TestDb;
const scratch = new Scratch();
const kafka = new KafkaScratch(endpoints.kafka.a.bootstrap);
const cleanups: (() => Promise<unknown>)[] = [];
const runners: PipelineRunner[] = [];

beforeAll(async () => {
  registry = await startEmbeddedSchemaRegistry();
  source = await openDb('postgres', endpoints.postgres);
  target = await openDb('mariadb', endpoints.mariadb);
});

afterAll(async () => {
  killLeftoverFerries();
  for (const runner of runners) await runner.stop().catch(() => undefined);
  for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
  await kafka.cleanup().catch(() => undefined);
  await source.close();
  await target.close();
  await registry.close();
  scratch.cleanup();
});

const SEEDED = 1_000;

interface Setup {
  /** The table whose snapshot rows reach the target before the kill. */
  delivered: string;
  /** The table the snapshot waits on when it is killed. */
  held: string;
  prefix: string;
  slot: string;
  dataDir: string;
  withMode: (mode: string) => PipelineDocument;
}

function setUp(): Setup {
  const base = uniqueName('slotgone');
  const prefix = base;
  const [delivered, held] = [`${base}_a`, `${base}_b`];
  const slot = `${base}_slot`;
  const publication = `${base}_pub`;
  const document = postgresToMariadb(registry.url, [delivered, held], prefix, slot, publication);
  kafka.track({ topics: [`${prefix}.public.${delivered}`, `${prefix}.public.${held}`], groups: [sinkGroup(`${prefix}-sink`)] });
  cleanups.push(
    () => source.exec(`DROP TABLE IF EXISTS "${delivered}", "${held}"`),
    () => target.exec(`DROP TABLE IF EXISTS \`${delivered}\``),
    () => source.exec('SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name = ? AND NOT active', [slot]),
    () => source.exec(`DROP PUBLICATION IF EXISTS "${publication}"`),
  );
  const withMode = (mode: string): PipelineDocument => withSnapshotMode(document, mode);
  return { delivered, held, prefix, slot, dataDir: scratch.dir(), withMode };
}

/**
 * `ferry run` SIGKILLed while its first snapshot waits on the held table, after every row of the delivered table
 * reached the target: the checkpoint then has the snapshot's start (snapshot_started) and no log position.
 */
async function killMidSnapshot(setup: Setup): Promise<void> {
  const { delivered, held, prefix, slot, dataDir } = setup;
  for (const table of [delivered, held]) await source.exec(`CREATE TABLE "${table}" (id int PRIMARY KEY, customer text NOT NULL, amount numeric(10,2) NOT NULL)`);
  await source.exec(`INSERT INTO "${delivered}" SELECT n, 'c' || n, n % 1000 + 0.25 FROM generate_series(1, ${SEEDED}) AS n`);
  await source.exec(`INSERT INTO "${held}" VALUES (1, 'held', 1.00)`);
  // Made here, not by the pipeline (as a DBA may): creating the publication would wait for the lock below, and
  // creating a logical slot waits for every transaction holding an xid to end (an ACCESS EXCLUSIVE lock takes one).
  await source.exec(`CREATE PUBLICATION "${prefix}_pub" FOR TABLE "${delivered}", "${held}"`);
  await source.exec("SELECT pg_create_logical_replication_slot(?, 'pgoutput')", [slot]);
  const lock = new pg.Client({ host: endpoints.postgres.host, port: endpoints.postgres.port, user: endpoints.postgres.user, password: endpoints.postgres.password, database: endpoints.postgres.database });
  await lock.connect();
  try {
    await lock.query('BEGIN');
    await lock.query(`LOCK TABLE "${held}" IN ACCESS EXCLUSIVE MODE`);
    const document = setup.withMode('initial');
    const first = spawnFerry(['run', writePipelineFile(dataDir, document)], { FERRY_DATA_DIR: dataDir });
    const inTarget = async (): Promise<number> => {
      try {
        return Number((await target.exec(`SELECT count(*) AS n FROM \`${delivered}\``))[0]?.n);
      } catch {
        return 0; // the sink has not created the table yet
      }
    };
    await until(async () => (await inTarget()) === SEEDED, () => `the first table's snapshot rows in the target\n${first.stderr()}`, 90_000, 50);
    // The snapshot is still running: its query on the held table waits for the lock.
    const waiting = await source.exec("SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = 'ferry-snapshot' AND wait_event_type = 'Lock'");
    expect(waiting[0]?.n).toBe(1);
    first.child.kill('SIGKILL');
    expect((await first.exited).signal).toBe('SIGKILL');
    await lock.query('ROLLBACK');
  } finally {
    await lock.end().catch(() => undefined);
  }
  const file = join(dataDir, 'pipelines', safeFileName(`${prefix}-pipeline`), 'checkpoints.json');
  const saved = existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as { sources: Record<string, Record<string, unknown>> }).sources[`${prefix}-source`] : undefined;
  expect(saved?.log).toBeUndefined();
  expect(saved?.snapshot_started).toMatchObject({ lsn: expect.stringMatching(/^[0-9A-F]+\/[0-9A-F]+$/) });
  // The killed run's walsender goes away with its connection.
  await until(async () => (await source.exec('SELECT count(*)::int AS n FROM pg_replication_slots WHERE slot_name = ? AND active', [slot]))[0]?.n === 0, 'the killed run to release the slot', 20_000);
}

/** While Ferry is down, rows the killed snapshot delivered are deleted (every tenth) and a new row is written. */
async function changeWhileDown(setup: Setup): Promise<string[]> {
  const deleted = await customerRows(source, setup.delivered).then((all) => all.filter((row) => Number(row.split('|')[0]) % 10 === 0));
  await source.exec(`DELETE FROM "${setup.delivered}" WHERE id % 10 = 0`);
  await source.exec(`INSERT INTO "${setup.delivered}" VALUES (${SEEDED + 1}, 'new', 1.00)`);
  return deleted;
}

/** A restart with the default snapshot.mode refuses with SOURCE_BAD_POSITION; the target is left as it was. */
async function expectRefused(setup: Setup, why: RegExp): Promise<void> {
  const before = await customerRows(target, setup.delivered);
  const refused = await startPipeline(setup.withMode('initial'), setup.dataDir);
  runners.push(refused);
  await expect(waitForIdle(refused, 500, 30_000)).rejects.toThrow(/interrupted snapshot/);
  const error = refused.status().connectors.find((connector) => connector.name === `${setup.prefix}-source`)?.error;
  await refused.stop();
  expect(error?.code).toBe('SOURCE_BAD_POSITION');
  expect(error?.message).toMatch(why);
  expect(error?.message).toContain(`"${setup.slot}"`);
  // What it means and the ways back.
  expect(error?.message).toMatch(/rows that snapshot delivered and that were deleted (at the source )?since may remain in the target/i);
  expect(error?.message).toContain('snapshot.mode=when_needed');
  expect(error?.message).toMatch(/truncate the target tables/i);
  expect(await customerRows(target, setup.delivered)).toEqual(before);
}

/**
 * snapshot.mode=when_needed starts over: a new snapshot from a new slot position. The target then holds every source
 * row, and also the rows the source deleted while the log was gone: their deletes are in no log Ferry can read.
 */
async function expectStartedOver(setup: Setup, deleted: readonly string[]): Promise<void> {
  const runner = await startPipeline(setup.withMode('when_needed'), setup.dataDir);
  runners.push(runner);
  await waitForIdle(runner, 1_500, 60_000);
  await runner.stop();
  const inSource = await customerRows(source, setup.delivered);
  expect(inSource).toHaveLength(SEEDED + 1 - deleted.length);
  const byId = (a: string, b: string): number => Number(a.split('|')[0]) - Number(b.split('|')[0]);
  expect(await customerRows(target, setup.delivered)).toEqual([...inSource, ...deleted].sort(byId));
  expect((await source.exec('SELECT count(*)::int AS n FROM pg_replication_slots WHERE slot_name = ?', [setup.slot]))[0]?.n).toBe(1);
}

describe('a PostgreSQL source killed mid-snapshot, restarted when its slot no longer holds the log from where that snapshot began', () => {
  it('a dropped slot: the restart refuses with SOURCE_BAD_POSITION instead of leaving deleted rows in the target; snapshot.mode=when_needed starts over', async () => {
    const setup = setUp();
    await killMidSnapshot(setup);
    await source.exec('SELECT pg_drop_replication_slot(?)', [setup.slot]);
    const deleted = await changeWhileDown(setup);
    expect(deleted).toHaveLength(SEEDED / 10);
    await expectRefused(setup, new RegExp(`"${setup.slot}" on \\S+, which held the log from where the interrupted snapshot began \\([0-9A-F]+/[0-9A-F]+\\), no longer exists`));
    // Refused before anything was made: no new slot silently taken at a later position.
    expect((await source.exec('SELECT count(*)::int AS n FROM pg_replication_slots WHERE slot_name = ?', [setup.slot]))[0]?.n).toBe(0);
    await expectStartedOver(setup, deleted);
  }, 240_000);

  it('a slot advanced past where the snapshot began: the restart refuses with SOURCE_BAD_POSITION; snapshot.mode=when_needed starts over', async () => {
    const setup = setUp();
    await killMidSnapshot(setup);
    const deleted = await changeWhileDown(setup);
    // Someone (another reader of the same slot name, pg_replication_slot_advance) confirmed the slot past the deletes.
    await source.exec('SELECT pg_replication_slot_advance(?, pg_current_wal_lsn())', [setup.slot]);
    await expectRefused(setup, new RegExp(`"${setup.slot}" on \\S+ is confirmed up to [0-9A-F]+/[0-9A-F]+, past where the interrupted snapshot began \\([0-9A-F]+/[0-9A-F]+\\)`));
    await expectStartedOver(setup, deleted);
  }, 240_000);
});
