import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createLab, type Lab } from '../../src/engine/lab';
import type { PipelineRunner } from '../../src/engine/pipeline';
import { type EmbeddedSchemaRegistry, startEmbeddedSchemaRegistry } from '../../src/engine/schema';
import { freeLabPortOffset, releaseLabPortOffset } from '../helpers/labPorts';
import { uniqueName } from '../helpers/names';
import { createTypedTableSql, type DbKind, dropTables, insertTypedRows, openDb, readCanonical, sqlTimestamp, type TestDb, typedRows } from '../helpers/pipelineDb';
import {
  describeStatus,
  KafkaScratch,
  MANAGED_SINK,
  MANAGED_SOURCE,
  managedConnection,
  modeKeys,
  pipelineDocument,
  recordStates,
  Scratch,
  sinkGroup,
  startPipeline,
  waitForIdle,
} from '../helpers/pipelineHarness';

// A Kafka broker restart in the middle of a stream. The shared lab's brokers must not be restarted (other tests
// use them), so this file starts a private lab of its own with only Kafka "a", on ports that are free, and stops
// and starts that broker while the pipeline runs: the pipeline reports DEGRADED while the broker is away, RUNNING
// again once it is back, and the target ends up equal to the source.

const endpoints = inject('labEndpoints');
let portOffset: number | undefined;

let lab: Lab;
let labDir: string;
let bootstrap: string;
let registry: EmbeddedSchemaRegistry;
let kafka: KafkaScratch;
const dbs = {} as Record<DbKind, TestDb>;
const scratch = new Scratch();
const tables: { db: DbKind; table: string }[] = [];
const runners: PipelineRunner[] = [];

beforeAll(async () => {
  labDir = mkdtempSync('/var/tmp/ferry-lab-pipeline-');
  // The lab's services may run as another user (PostgreSQL refuses root); they need to reach their directory.
  chmodSync(labDir, 0o755);
  portOffset = await freeLabPortOffset();
  lab = createLab({ dir: labDir, env: { ...process.env, FERRY_LAB_PORT_OFFSET: String(portOffset) } });
  const up = await lab.up({ services: ['kafka-a'] });
  bootstrap = up.endpoints.kafka.a.bootstrap;
  expect(bootstrap).not.toBe(endpoints.kafka.a.bootstrap);
  kafka = new KafkaScratch(bootstrap);
  registry = await startEmbeddedSchemaRegistry();
  dbs.mariadb = await openDb('mariadb', endpoints.mariadb);
  dbs.postgres = await openDb('postgres', endpoints.postgres);
}, 180_000);

afterAll(async () => {
  await Promise.all(runners.splice(0).map((runner) => runner.stop().catch(() => {})));
  for (const { db, table } of tables) await dropTables(dbs[db], [table]);
  await Promise.all(Object.values(dbs).map((db) => db.close()));
  await registry?.close();
  if (lab) {
    await lab.down().catch(() => {});
    lab.dispose();
  }
  if (labDir) rmSync(labDir, { recursive: true, force: true });
  if (portOffset !== undefined) releaseLabPortOffset(portOffset);
  scratch.cleanup();
}, 120_000);

async function until(what: string, check: () => boolean | Promise<boolean>, runner: PipelineRunner, deadlineMs = 60_000): Promise<void> {
  const deadline = Date.now() + deadlineMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`${what} did not happen within ${deadlineMs} ms: ${describeStatus(runner.status())}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

describe('Kafka broker restart mid-stream (private lab)', () => {
  it('MariaDB → Kafka → PostgreSQL goes DEGRADED while the broker is down, RUNNING after, and loses nothing', async () => {
    const id = uniqueName('brk').toLowerCase();
    const topic = `pl_${id}`;
    const sinkName = `${id}-sink`;
    tables.push({ db: 'mariadb', table: id }, { db: 'postgres', table: topic });
    kafka.track({ topics: [topic, `dlq-${sinkName}`], groups: [sinkGroup(sinkName)] });
    const source = dbs.mariadb;
    const base = Date.now() - 600_000;
    await source.exec(createTypedTableSql(source, id));
    await insertTypedRows(source, id, typedRows(1, 300, base));

    const runner = await startPipeline(
      pipelineDocument(id, bootstrap, registry.url, [
        {
          name: `${id}-source`,
          'connector.class': MANAGED_SOURCE.mariadb,
          ...managedConnection(endpoints.mariadb),
          ...modeKeys('timestamp+incrementing'),
          'table.whitelist': [id],
          'topic.prefix': 'pl_',
          'poll.interval.ms': '300',
          'batch.max.rows': '100',
          'output.data.format': 'AVRO',
        },
        {
          name: sinkName,
          'connector.class': MANAGED_SINK.postgres,
          ...managedConnection(endpoints.postgres),
          topics: [topic],
          'input.data.format': 'AVRO',
          'insert.mode': 'UPSERT',
          'pk.mode': 'record_value',
          'pk.fields': 'id',
          'auto.create': 'true',
          'batch.sizes': '100',
        },
      ]),
      scratch.dir(),
    );
    runners.push(runner);
    const states = recordStates(runner);
    await waitForIdle(runner, 1500);
    expect(await readCanonical(dbs.postgres, topic)).toEqual(await readCanonical(source, id));

    await lab.down();
    // Changes made while the broker is away: the source cannot deliver them and must not lose them.
    await insertTypedRows(source, id, typedRows(301, 200, base + 100_000));
    await source.exec(`UPDATE ${source.q(id)} SET note = ?, updated_at = ? WHERE id BETWEEN 10 AND 19`, ['while the broker was down', sqlTimestamp(base + 200_000)]);
    // Both connectors notice: the source cannot produce, the sink's consumer loses its group and restarts.
    const degradedSeen = (role: 'source' | 'sink') =>
      states.seen.flatMap((status) => status.connectors).filter((connector) => connector.role === role && connector.state === 'DEGRADED');
    await until('source and sink DEGRADED', () => degradedSeen('source').length > 0 && degradedSeen('sink').length > 0, runner);
    // The status says what failed and where.
    for (const connector of [...degradedSeen('source'), ...degradedSeen('sink')]) expect(connector.error?.message, connector.name).toContain(bootstrap);

    await lab.up({ services: ['kafka-a'] });
    await waitForIdle(runner, 1500, 120_000);
    const recovered = runner.status();
    expect(recovered.state, describeStatus(recovered)).toBe('RUNNING');
    expect(recovered.connectors.map((connector) => connector.metrics.deadLettered)).toEqual([0, 0]);
    expect(await readCanonical(dbs.postgres, topic)).toEqual(await readCanonical(source, id));

    // The recorded history, per connector: DEGRADED, later RUNNING again.
    for (const name of recovered.connectors.map((connector) => connector.name)) {
      const history = states.seen.map((status) => status.connectors.find((connector) => connector.name === name)?.state);
      const firstDegraded = history.indexOf('DEGRADED');
      expect(firstDegraded, `${name}: ${history.join(' → ')}`).toBeGreaterThanOrEqual(0);
      expect(history.slice(firstDegraded), `${name}: ${history.join(' → ')}`).toContain('RUNNING');
    }
    states.dispose();
    await runner.stop();
    await kafka.cleanup();
  }, 240_000);
});
