import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { PipelineRunner, PipelineStatus } from '../../../src/engine/pipeline';
import { type EmbeddedSchemaRegistry, startEmbeddedSchemaRegistry } from '../../../src/engine/schema';
import { uniqueName } from '../../helpers/names';
import { describeStatus, KafkaScratch, Scratch, sinkGroup, startPipeline } from '../../helpers/pipelineHarness';
import { readTopic } from '../../helpers/replicatorHarness';
import { until } from '../../helpers/until';
import { expectExactlyOnce, SourceWriter, sourceTableSql, streamPipeline, TargetReader, targetTableSql } from './faultHarness';

// The target refuses rows in the middle of a stream: a CHECK constraint (qty >= 0) rejects one row, then 2 % of
// the rows, with errors.tolerance=all (the managed sinks' default: max.retries=10, retry.backoff.ms=3000, a dead
// letter topic dlq-<name>) and none. A constraint violation is not transient: with `all` each refused row is dead-
// lettered exactly once, every other row is applied exactly once (INSERT into a table without a key, so a re-applied
// chunk shows) and rows keep arriving; with `none` the sink stops FAILED naming the constraint, without committing
// past the refused row, and once the target is fixed a restart applies everything exactly once. Nothing here stops
// a server, so the shared lab serves all four pipelines side by side.

const endpoints = inject('labEndpoints');
const SNAPSHOT_ROWS = 500;
const TOTAL_ROWS = 1500;

let registry: EmbeddedSchemaRegistry;
const target = new TargetReader(endpoints.postgres);
const kafka = new KafkaScratch(endpoints.kafka.a.bootstrap);
const scratch = new Scratch();
const runners: PipelineRunner[] = [];
const writers: SourceWriter[] = [];
const tables: string[] = [];

beforeAll(async () => {
  registry = await startEmbeddedSchemaRegistry();
});

afterAll(async () => {
  await Promise.all(runners.splice(0).map((runner) => runner.stop().catch(() => undefined)));
  const source = writers[0];
  for (const table of tables) {
    await source?.exec(`DROP TABLE IF EXISTS \`${table}\``).catch(() => undefined);
    await target.query(`DROP TABLE IF EXISTS "${table}"`).catch(() => undefined);
  }
  await Promise.all(writers.map((writer) => writer.stop()));
  await registry?.close();
  await kafka.cleanup().catch(() => undefined);
  scratch.cleanup();
}, 120_000);

interface Case {
  tolerance: 'all' | 'none';
  isBad: (id: number) => boolean;
}

interface Running {
  name: string;
  table: string;
  sink: string;
  dlq: string;
  writer: SourceWriter;
  dataDir: string;
  document: ReturnType<typeof streamPipeline>;
  runner: PipelineRunner;
  bad: number[];
}

function sinkOf(status: PipelineStatus, sink: string): PipelineStatus['connectors'][number] | undefined {
  return status.connectors.find((connector) => connector.name === sink);
}

/** Starts the pipeline over a snapshot of good rows, then streams the rest (bad ones among them) while it runs. */
async function startCase(spec: Case): Promise<Running> {
  const name = uniqueName(`fbad${spec.tolerance}`).toLowerCase();
  const table = name;
  const sink = `${name}-sink`;
  const dlq = `dlq-${sink}`;
  tables.push(table);
  kafka.track({ topics: [`${name}_${table}`, dlq], groups: [sinkGroup(sink)] });
  const writer = new SourceWriter(endpoints.mariadb, table, { rowsPerTick: 0, tickMs: 0, isBad: spec.isBad });
  writers.push(writer);
  await writer.exec(sourceTableSql(table));
  await target.query(targetTableSql(table, true));
  await writer.insert(SNAPSHOT_ROWS);
  // Only the tolerance is set; retries, back-off and the dead letter topic are the managed sink's defaults.
  const document = streamPipeline({ name, table, bootstrap: endpoints.kafka.a.bootstrap, registryUrl: registry.url, source: endpoints.mariadb, target: endpoints.postgres, sinkKeys: { 'errors.tolerance': spec.tolerance } });
  const dataDir = scratch.dir('ferry-faults-badrows-');
  const runner = await startPipeline(document, dataDir);
  runners.push(runner);
  await expectExactlyOnce(target, table, SNAPSHOT_ROWS, undefined, 60_000);
  // Mid-stream: 50 rows every 100 ms until TOTAL_ROWS.
  while (writer.committed < TOTAL_ROWS) {
    await writer.insert(Math.min(50, TOTAL_ROWS - writer.committed));
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const bad = Array.from({ length: TOTAL_ROWS }, (_, i) => i + 1).filter(spec.isBad);
  return { name, table, sink, dlq, writer, dataDir, document, runner, bad };
}

/** Ids of the target, in order. */
async function targetIds(table: string): Promise<number[]> {
  return (await target.query<{ id: number }>(`SELECT id FROM "${table}" ORDER BY id`)).map((row) => row.id);
}

/** How `ids` (with repeats) differ from `wanted` (each once): at most 20 of each kind, for a readable failure. */
function compareIds(ids: readonly number[], wanted: readonly number[]): { missing: number[]; twice: number[]; unexpected: number[] } {
  const seen = new Map<number, number>();
  for (const id of ids) seen.set(id, (seen.get(id) ?? 0) + 1);
  const wantedSet = new Set(wanted);
  return {
    missing: wanted.filter((id) => !seen.has(id)).slice(0, 20),
    twice: [...seen].filter(([, n]) => n > 1).map(([id]) => id).slice(0, 20),
    unexpected: [...seen.keys()].filter((id) => !wantedSet.has(id)).slice(0, 20),
  };
}

/** With tolerance all: every good row once, every bad row once in the dead letter topic naming the constraint. */
async function expectDeadLettered(run: Running): Promise<void> {
  const good = Array.from({ length: TOTAL_ROWS }, (_, i) => i + 1).filter((id) => !run.bad.includes(id));
  let ids: number[] = [];
  await until(
    async () => {
      ids = await targetIds(run.table);
      return ids.length >= good.length;
    },
    () => `the target to hold the ${good.length} good rows (it has ${ids.length}); ${describeStatus(run.runner.status())}`,
    90_000,
  );
  // Rows keep arriving after the bad ones: the last good row is there, and each good row exactly once.
  expect.soft(compareIds(ids, good), 'good rows in the target, once each').toEqual({ missing: [], twice: [], unexpected: [] });
  const letters = await readTopic(endpoints.kafka.a.bootstrap, run.dlq, run.bad.length, { quietMs: 3000, deadlineMs: 60_000 });
  expect.soft(letters.map((letter) => Number(letter.headers['__connect.errors.offset'])).length, 'dead letters (one per refused row)').toBe(run.bad.length);
  expect.soft(new Set(letters.map((letter) => letter.headers['__connect.errors.offset'])).size, 'distinct offsets among the dead letters').toBe(run.bad.length);
  for (const letter of letters) expect.soft(letter.headers['__connect.errors.exception.message'] ?? '', 'the dead letter names the cause').toMatch(/check constraint/i);
  const status = sinkOf(run.runner.status(), run.sink);
  expect.soft(status?.state, describeStatus(run.runner.status())).toBe('RUNNING');
  expect.soft(status?.metrics.deadLettered, 'dead letters counted by the status').toBe(run.bad.length);
}

/**
 * With tolerance none: the sink stops FAILED naming the constraint, the target holds a gap-free prefix of the rows
 * before the first refused one, once each. Then the target is fixed and the pipeline restarted: every row arrives
 * exactly once (the refused row's offset was not skipped).
 */
async function expectStoppedThenResumed(run: Running): Promise<void> {
  const firstBad = run.bad[0] ?? 0;
  await until(async () => sinkOf(run.runner.status(), run.sink)?.state === 'FAILED', () => `the sink to stop FAILED; ${describeStatus(run.runner.status())}`, 90_000);
  const failed = sinkOf(run.runner.status(), run.sink);
  expect.soft(failed?.error?.message ?? '', 'the status names the cause').toMatch(/check constraint/i);
  const ids = await targetIds(run.table);
  expect.soft(ids.length, 'rows applied before the refused one').toBeLessThan(firstBad);
  expect.soft(compareIds(ids, Array.from({ length: ids.length }, (_, i) => i + 1)), 'rows applied before the refused one, once each and without gaps').toEqual({ missing: [], twice: [], unexpected: [] });
  await run.runner.stop();
  await target.query(`ALTER TABLE "${run.table}" DROP CONSTRAINT IF EXISTS "${run.table}_qty_check"`);
  const restarted = await startPipeline(run.document, run.dataDir);
  runners.push(restarted);
  const counts = await expectExactlyOnce(target, run.table, TOTAL_ROWS, undefined, 90_000);
  expect.soft(counts, `every row exactly once after the restart; ${describeStatus(restarted.status())}`).toEqual({ rows: TOTAL_ROWS, distinct: TOTAL_ROWS, maxId: TOTAL_ROWS, duplicated: [] });
}

const ONE_BAD = (id: number): boolean => id === 700;
const TWO_PERCENT_BAD = (id: number): boolean => id > SNAPSHOT_ROWS && id % 50 === 0;

describe('The target refuses rows mid-stream (CHECK constraint)', () => {
  it('errors.tolerance=all, one refused row: dead-lettered once, every other row applied once, the stream goes on', async () => {
    await expectDeadLettered(await startCase({ tolerance: 'all', isBad: ONE_BAD }));
  }, 180_000);

  it('errors.tolerance=all, 2 % refused rows: each dead-lettered once, every other row applied once, the stream goes on', async () => {
    await expectDeadLettered(await startCase({ tolerance: 'all', isBad: TWO_PERCENT_BAD }));
  }, 180_000);

  it('errors.tolerance=none, one refused row: FAILED naming the constraint, nothing past it; after the fix every row once', async () => {
    await expectStoppedThenResumed(await startCase({ tolerance: 'none', isBad: ONE_BAD }));
  }, 180_000);

  it('errors.tolerance=none, 2 % refused rows: FAILED naming the constraint, nothing past it; after the fix every row once', async () => {
    await expectStoppedThenResumed(await startCase({ tolerance: 'none', isBad: TWO_PERCENT_BAD }));
  }, 180_000);
});
