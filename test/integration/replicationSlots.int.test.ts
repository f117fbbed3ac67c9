import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { PipelinesService } from '../../src/engine/pipeline';
import { type EmbeddedSchemaRegistry, startEmbeddedSchemaRegistry } from '../../src/engine/schema';
import { uniqueName } from '../helpers/names';
import { killLeftoverFerries, spawnFerry, writePipelineFile } from '../helpers/pipelineCli';
import { openDb, type TestDb } from '../helpers/pipelineDb';
import { KafkaScratch, pipelineDocument, Scratch } from '../helpers/pipelineHarness';
import { until } from '../helpers/until';

// "A slot is never left behind silently" (issue 12): the app lists a PostgreSQL log source's slot with the WAL it
// keeps, refuses to drop it while the pipeline runs, drops slot and publication after Stop and clears the
// checkpoint, so the next run snapshots again; `ferry slots` / `ferry slots drop` do the same from a file.

const endpoints = inject('labEndpoints');
let registry: EmbeddedSchemaRegistry;
let db: TestDb;
const scratch = new Scratch();
const kafka = new KafkaScratch(endpoints.kafka.a.bootstrap);
const cleanups: (() => Promise<unknown>)[] = [];

beforeAll(async () => {
  registry = await startEmbeddedSchemaRegistry();
  db = await openDb('postgres', endpoints.postgres);
});

afterAll(async () => {
  killLeftoverFerries();
  for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
  await kafka.cleanup();
  await db.close();
  await registry.close();
  scratch.cleanup();
});

const slotCount = async (slot: string): Promise<number> => Number((await db.exec('SELECT count(*)::int AS n FROM pg_replication_slots WHERE slot_name = $1', [slot]))[0]?.n);
const publicationCount = async (publication: string): Promise<number> => Number((await db.exec('SELECT count(*)::int AS n FROM pg_publication WHERE pubname = $1', [publication]))[0]?.n);

describe('replication slots of PostgreSQL log sources', () => {
  it('lists the slot with its retained WAL, drops it with its publication after Stop (not before) and clears the checkpoint; `ferry slots drop` drops it from the file', async () => {
    const table = uniqueName('slots_pg');
    const prefix = uniqueName('slots');
    const slot = uniqueName('slot').toLowerCase();
    const publication = `${slot}_pub`;
    await db.exec(`CREATE TABLE ${table} (id INT PRIMARY KEY, name TEXT NOT NULL)`);
    await db.exec(`INSERT INTO ${table} VALUES (1, 'a'), (2, 'b')`);
    cleanups.push(
      () => db.exec(`DROP TABLE IF EXISTS ${table}`),
      () => db.exec('SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name = $1 AND NOT active', [slot]),
      () => db.exec(`DROP PUBLICATION IF EXISTS ${publication}`),
    );
    kafka.track({ topics: [`${prefix}.public.${table}`] });
    const document = pipelineDocument(`${prefix}-pipeline`, endpoints.kafka.a.bootstrap, registry.url, [
      {
        name: `${prefix}-source`,
        'connector.class': 'io.debezium.connector.postgresql.PostgresConnector',
        'database.hostname': endpoints.postgres.host,
        'database.port': String(endpoints.postgres.port),
        'database.user': endpoints.postgres.user,
        'database.password': endpoints.postgres.password,
        'database.dbname': endpoints.postgres.database,
        'topic.prefix': prefix,
        'table.include.list': `public\\.${table}`,
        'slot.name': slot,
        'publication.name': publication,
        'publication.autocreate.mode': 'filtered',
      },
    ]);
    const dataDir = scratch.dir();
    const service = new PipelinesService({ dataDir });
    cleanups.push(async () => service.dispose());
    await service.start({ text: JSON.stringify(document), fileName: 'slots.json' });
    const name = document.name;
    // The snapshot is checkpointed and the slot confirmed.
    await until(async () => (await service.list())[0]?.connectors[0]?.logPosition !== undefined, async () => `a checkpoint; status ${JSON.stringify(await service.list())}`, 30_000);
    await db.exec(`INSERT INTO ${table} VALUES (3, 'c')`);
    const [listed] = await service.replicationSlots(name);
    expect(listed).toMatchObject({ connector: `${prefix}-source`, slot, exists: true, active: true, publication, publicationExists: true, dropsPublication: true });
    expect(listed?.retainedWalBytes).toBeGreaterThan(0);
    await expect(service.dropReplicationSlots(name)).rejects.toThrow(/is running.*stop it first/);

    await service.stop(name);
    // A stopped pipeline's slot stays (and keeps WAL) until it is dropped.
    expect(await slotCount(slot)).toBe(1);
    await until(async () => (await service.replicationSlots(name))[0]?.active === false, 'the slot to be released by the stopped reader', 10_000);
    const dropped = await service.dropReplicationSlots(name);
    expect(dropped).toEqual([{ connector: `${prefix}-source`, slot, slotDropped: true, publication, publicationDropped: true, checkpointCleared: true }]);
    expect(await slotCount(slot)).toBe(0);
    expect(await publicationCount(publication)).toBe(0);

    // The CLI, from the same file (one process: each costs seconds): a slot made again is dropped.
    const file = writePipelineFile(dataDir, document);
    await db.exec("SELECT pg_create_logical_replication_slot($1, 'pgoutput')", [slot]);
    const drop = spawnFerry(['slots', 'drop', file, '--json'], { FERRY_DATA_DIR: dataDir });
    expect((await drop.exited).code, drop.stderr()).toBe(0);
    expect(JSON.parse(drop.stdout())).toMatchObject({ pipeline: name, dropped: [{ slot, slotDropped: true, checkpointCleared: false }] });
    expect(await slotCount(slot)).toBe(0);
  }, 60_000);
});
