import { execFile } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { avroFragmentToJson } from '../helpers/avroTools';
import { uniqueName } from '../helpers/names';
import { killLeftoverFerries, spawnFerry, waitForExit } from '../helpers/pipelineCli';
import { openDb, type TestDb } from '../helpers/pipelineDb';
import { Scratch } from '../helpers/pipelineHarness';

// Seed 001's chain in one pipeline file, the shipped example examples/lab-bridge-capture-replicate-sink.json run
// with `ferry run --until-idle` against the lab: Debezium-configured capture of a MariaDB table on cluster a
// (registry a) → Replicator to cluster b with schema migration (registry b) → a JDBC sink reading cluster b
// (consumer.override.bootstrap.servers) into PostgreSQL. After the snapshot, and after updates, deletes and a key
// change made between two runs, the PostgreSQL table equals the MariaDB one. Then clients nobody here wrote read
// what Ferry wrote on cluster b: kcat fetches a record's bytes, the lab's registry b serves the schema its id names,
// and Apache Avro's avro-tools decodes the body with it.

const execFileAsync = promisify(execFile);
const endpoints = inject('labEndpoints');
const scratch = new Scratch();
const dbs = {} as { mariadb: TestDb; postgres: TestDb };
const cleanups: (() => Promise<unknown>)[] = [];
const root = fileURLToPath(new URL('../..', import.meta.url));

const registryA = endpoints.kafka.a.schemaRegistry?.url ?? 'http://127.0.0.1:18081';
const registryB = endpoints.kafka.b.schemaRegistry?.url ?? 'http://127.0.0.1:28081';

beforeAll(async () => {
  dbs.mariadb = await openDb('mariadb', endpoints.mariadb);
  dbs.postgres = await openDb('postgres', endpoints.postgres);
});

afterAll(async () => {
  killLeftoverFerries();
  for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
  await dbs.mariadb.close();
  await dbs.postgres.close();
  scratch.cleanup();
});

type Config = Record<string, string>;
interface ExampleFile {
  name: string;
  kafka: Config;
  'schema.registry.url': string;
  connectors: { name: string; config: Config }[];
}

/** The example as shipped, pointed at this lab and at names of this test's own (table, topics, groups). */
function exampleFor(table: string, prefix: string): ExampleFile {
  const example = JSON.parse(readFileSync(join(root, 'examples', 'lab-bridge-capture-replicate-sink.json'), 'utf8')) as ExampleFile;
  const [capture, replicator, sink] = example.connectors as [ExampleFile['connectors'][number], ExampleFile['connectors'][number], ExampleFile['connectors'][number]];
  const db = endpoints.mariadb.database;
  example.name = `${prefix}-bridge`;
  example.kafka['bootstrap.servers'] = endpoints.kafka.a.bootstrap;
  example['schema.registry.url'] = registryA;
  capture.name = `${prefix}-capture`;
  Object.assign(capture.config, {
    'database.hostname': endpoints.mariadb.host,
    'database.port': String(endpoints.mariadb.port),
    'database.user': endpoints.mariadb.user,
    'database.password': endpoints.mariadb.password,
    'database.server.id': String(185_000 + Math.floor(Math.random() * 10_000)),
    'topic.prefix': prefix,
    'database.include.list': db,
    'table.include.list': `${db}\\.${table}`,
  });
  replicator.name = `${prefix}-replicator`;
  Object.assign(replicator.config, {
    'src.kafka.bootstrap.servers': endpoints.kafka.a.bootstrap,
    'dest.kafka.bootstrap.servers': endpoints.kafka.b.bootstrap,
    'topic.regex': `${prefix}\\.${db}\\..*`,
    'src.schema.registry.url': registryA,
    'schema.registry.url': registryB,
  });
  sink.name = `${prefix}-sink`;
  Object.assign(sink.config, {
    'consumer.override.bootstrap.servers': endpoints.kafka.b.bootstrap,
    'key.converter.schema.registry.url': registryB,
    'value.converter.schema.registry.url': registryB,
    'connection.url': `jdbc:postgresql://${endpoints.postgres.host}:${endpoints.postgres.port}/${endpoints.postgres.database}?sslmode=disable`,
    'connection.user': endpoints.postgres.user,
    'connection.password': endpoints.postgres.password,
    topics: `${prefix}.${db}.${table}`,
    'table.name.format': table,
  });
  return example;
}

async function rows(db: TestDb, table: string): Promise<string[]> {
  const found = await db.exec(`SELECT id, sales_order_id, product_id, quantity, cost FROM ${db.q(table)} ORDER BY id`);
  return found.map((row) => `${String(row.id)}|${String(row.sales_order_id)}|${String(row.product_id)}|${String(row.quantity)}|${Number(row.cost).toFixed(2)}`);
}

async function runUntilIdle(file: string, dataDir: string): Promise<string> {
  const ferry = spawnFerry(['run', file, '--until-idle'], { FERRY_DATA_DIR: dataDir });
  const { code } = await waitForExit(ferry, 150_000);
  expect(code, `ferry run failed:\n${ferry.stderr()}\n${ferry.stdout()}`).toBe(0);
  return ferry.stderr();
}

let topicOnB = '';

describe('seed 001 in one pipeline file: capture on a → replicator to b (schema migration) → PostgreSQL sink reading b', () => {
  it('ferry run --until-idle leaves the target equal to the source, after a snapshot and after updates, deletes and a key change', async () => {
    const source = dbs.mariadb;
    const target = dbs.postgres;
    const table = uniqueName('sales_order_details');
    const prefix = uniqueName('onprem');
    await source.exec(`CREATE TABLE ${table} (id INT PRIMARY KEY, sales_order_id INT NOT NULL, product_id INT NOT NULL, quantity INT NOT NULL, cost DECIMAL(10,2) NOT NULL)`);
    cleanups.push(() => source.exec(`DROP TABLE IF EXISTS ${table}`), () => target.exec(`DROP TABLE IF EXISTS "${table}"`));
    const values = Array.from({ length: 30 }, (_, i) => `(${i + 1}, 1, ${i + 1}, 100, ${(1 + ((i * 37) % 800) / 100).toFixed(2)})`);
    await source.exec(`INSERT INTO ${table} VALUES ${values.join(', ')}`);

    const dataDir = scratch.dir();
    const file = join(scratch.dir('ferry-bridge-'), 'bridge.json');
    writeFileSync(file, JSON.stringify(exampleFor(table, prefix), null, 2));

    await runUntilIdle(file, dataDir);
    expect(await rows(target, table)).toHaveLength(30);
    expect(await rows(target, table)).toEqual(await rows(source, table));

    await source.exec(`UPDATE ${table} SET quantity = 7 WHERE id = 3`);
    await source.exec(`DELETE FROM ${table} WHERE id IN (4, 5)`);
    await source.exec(`UPDATE ${table} SET id = 300 WHERE id = 6`);
    await source.exec(`INSERT INTO ${table} VALUES (31, 2, 31, 5, 9.99)`);
    await runUntilIdle(file, dataDir);
    const after = await rows(target, table);
    expect(after).toEqual(await rows(source, table));
    expect(after).toHaveLength(29);
    expect(after).toContain('3|1|3|7|1.74');
    topicOnB = `${prefix}.${endpoints.mariadb.database}.${table}`;
    // Two `ferry run`s (each a Node start, a snapshot or binlog catch-up, a replication and a sink pass): ~30 s each at load 25.
  }, 240_000);

  it('kcat reads a record on cluster b, registry b serves the schema its id names, avro-tools decodes it', async (context) => {
    // The lab's registries outlive `ferry run`; without them (an older lab) the registry ferry run served is gone.
    if (!topicOnB || !endpoints.kafka.b.schemaRegistry) context.skip();
    const { stdout } = await execFileAsync('kcat', ['-b', endpoints.kafka.b.bootstrap, '-C', '-t', topicOnB, '-p', '0', '-o', 'beginning', '-c', '1', '-e', '-q', '-f', '%s'], { encoding: 'buffer', timeout: 30_000 });
    const framed = Buffer.from(stdout);
    expect(framed[0]).toBe(0);
    const id = framed.readInt32BE(1);
    const schema = await (await fetch(`${registryB}/schemas/ids/${id}/schema`)).text();
    const subjects = (await (await fetch(`${registryB}/schemas/ids/${id}/subjects`)).json()) as string[];
    expect(subjects).toContain(`${topicOnB}-value`);
    const dir = scratch.dir('ferry-avro-tools-');
    writeFileSync(join(dir, 'value.avsc'), schema);
    writeFileSync(join(dir, 'value.bin'), framed.subarray(5));
    const decoded = (await avroFragmentToJson(join(dir, 'value.avsc'), join(dir, 'value.bin'))) as { op: string; after: Record<string, Record<string, unknown>> | null };
    // The first record of partition 0 is a snapshot read of one of the 30 rows; Avro's JSON wraps a union branch in its type name.
    expect(decoded.op).toBe('r');
    const after = Object.values(decoded.after ?? {})[0];
    expect(after).toMatchObject({ sales_order_id: 1, quantity: 100 });
  });
});
