import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { type EmbeddedSchemaRegistry, startEmbeddedSchemaRegistry } from '../../../src/engine/schema';
import { uniqueName } from '../../helpers/names';
import { killLeftoverFerries } from '../../helpers/pipelineCli';
import { KafkaScratch, Scratch, sinkGroup } from '../../helpers/pipelineHarness';
import { type PrivateLab, startPrivateLab } from '../../helpers/privateLab';
import { type Baseline, expectExactlyOnce, FerryRun, SourceWriter, sourceTableSql, streamPipeline, StreamUnderFault, TargetReader } from './faultHarness';

// The databases of a running MariaDB → Kafka → PostgreSQL pipeline fail under it while rows keep being inserted at
// the source: the target's backends are terminated (pg_terminate_backend, as an administrator or a pooler does),
// the target is stopped and restarted, the source is stopped and restarted. Both databases are a private lab's
// (the shared lab's must never be disturbed); Kafka is the shared lab's. Each case proves: `ferry run` lives, the
// progress line shows the connector that lost its database DEGRADED naming it while it is away, rows written after
// the fault arrive, and the target then holds every source row exactly once (INSERT into a table without a key).

const endpoints = inject('labEndpoints');
/** How long a stopped database may stay away waiting for the status to show it (a safety net, not a timing claim). */
const SHOWN_WITHIN_MS = 30_000;

const name = uniqueName('fdb').toLowerCase();
const table = name;
const topic = `${name}_${table}`;
const sourceName = `${name}-source`;
const sinkName = `${name}-sink`;

let lab: PrivateLab;
let registry: EmbeddedSchemaRegistry;
let target: TargetReader;
let writer: SourceWriter;
let stream: StreamUnderFault;
const scratch = new Scratch();
const kafka = new KafkaScratch(endpoints.kafka.a.bootstrap);

beforeAll(async () => {
  lab = await startPrivateLab(['mariadb', 'postgres'], 'faults-db');
  registry = await startEmbeddedSchemaRegistry();
  target = new TargetReader(lab.endpoints.postgres);
  kafka.track({ topics: [topic, `dlq-${sinkName}`], groups: [sinkGroup(sinkName)] });
  writer = new SourceWriter(lab.endpoints.mariadb, table, { rowsPerTick: 10, tickMs: 100 });
  await writer.exec(sourceTableSql(table));
  await writer.insert(300);
  const document = streamPipeline({ name, table, bootstrap: endpoints.kafka.a.bootstrap, registryUrl: registry.url, source: lab.endpoints.mariadb, target: lab.endpoints.postgres });
  const dir = scratch.dir('ferry-faults-db-');
  const dataDir = scratch.dir('ferry-faults-db-data-');
  stream = new StreamUnderFault(target, table, writer, () => new FerryRun(dir, document, dataDir));
  await expectExactlyOnce(target, table, 300, stream.ferry, 120_000);
  writer.start();
}, 240_000);

afterAll(async () => {
  await writer?.stop();
  await stream?.ferry.stop().catch(() => undefined);
  killLeftoverFerries();
  await registry?.close();
  await kafka.cleanup().catch(() => undefined);
  await lab?.close();
  scratch.cleanup();
}, 120_000);

/** After the fault: recovered (see StreamUnderFault), and no connector was left FAILED by it. */
async function expectRecovered(baseline: Baseline): Promise<void> {
  await stream.expectRecovered(baseline);
  expect.soft(stream.ferry.troubles().slice(baseline.since).filter((trouble) => trouble.state === 'FAILED'), 'connectors FAILED by the fault').toEqual([]);
  stream.ferry.assertAlive('after the target caught up');
}

/**
 * A message naming the cause: a lost or refused connection, and which database (its address, or its kind and the
 * table being read or written).
 */
function namesLostDatabase(port: number, kind: RegExp): { describe: string; test(message: string): boolean } {
  return {
    describe: `a message saying the connection to ${String(kind)} (or 127.0.0.1:${port}) was lost or refused`,
    test: (message) => /connect|closed|refused|terminat/i.test(message) && (message.includes(`:${port}`) || kind.test(message)),
  };
}

async function expectShown(connector: string, port: number, kind: RegExp, since: number): Promise<void> {
  const shown = await stream.ferry.waitForTrouble(connector, namesLostDatabase(port, kind), since, SHOWN_WITHIN_MS).then(
    () => undefined,
    (error: unknown) => String(error),
  );
  expect.soft(shown, `what the progress line failed to show while the database was away`).toBeUndefined();
}

describe('Database faults under a running pipeline (private MariaDB and PostgreSQL)', () => {
  it("the target's backends are terminated (pg_terminate_backend): the sink lives on and nothing is lost or doubled", async () => {
    const baseline = await stream.baseline();
    let terminated = 0;
    // Three times, a little apart, so both an idle sink connection and one inside a transaction are cut.
    for (let round = 0; round < 3; round++) {
      const rows = await target.query<{ pid: number }>(
        `SELECT pid FROM pg_stat_activity WHERE pid <> pg_backend_pid() AND backend_type = 'client backend' AND usename = current_user AND datname = current_database()`,
      );
      for (const { pid } of rows) {
        await target.query('SELECT pg_terminate_backend($1)', [pid]);
        terminated++;
      }
      await new Promise((resolve) => setTimeout(resolve, 700));
    }
    expect(terminated, 'sink connections terminated').toBeGreaterThan(0);
    await expectRecovered(baseline);
  }, 240_000);

  it('the target is stopped and restarted: the sink shows DEGRADED naming it, then catches up with nothing lost or doubled', async () => {
    const baseline = await stream.baseline();
    // SIGINT is PostgreSQL's fast shutdown: it ends the sessions (SIGTERM would wait for every client to leave).
    await lab.kill('postgres', 'SIGINT');
    try {
      await expectShown(sinkName, lab.endpoints.postgres.port, /postgres/i, baseline.since);
      stream.ferry.assertAlive('while the target was down');
    } finally {
      await lab.start('postgres');
    }
    await expectRecovered(baseline);
  }, 240_000);

  it('the source is stopped and restarted: the source shows DEGRADED naming it, then catches up with nothing lost or doubled', async () => {
    const baseline = await stream.baseline();
    // Nobody can insert into a stopped database; the writer goes on once it is back.
    await writer.pause();
    await lab.kill('mariadb', 'SIGTERM');
    try {
      await expectShown(sourceName, lab.endpoints.mariadb.port, /mysql|mariadb/i, baseline.since);
      stream.ferry.assertAlive('while the source was down');
    } finally {
      await lab.start('mariadb');
      writer.resume();
    }
    await expectRecovered(baseline);
  }, 240_000);
});
