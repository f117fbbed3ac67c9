import { execFile } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { BlobServiceClient, StorageSharedKeyCredential } from '@azure/storage-blob';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { PipelineStatus, ReplicatorStatus } from '../../src/shared/api';
import { avroFragmentToJson, avroToolsToJson, ensureAvroTools } from '../helpers/avroTools';
import { uniqueName } from '../helpers/names';
import { killLeftoverFerries, spawnFerry, waitForExit } from '../helpers/pipelineCli';
import { openDb, type TestDb } from '../helpers/pipelineDb';
import { Scratch } from '../helpers/pipelineHarness';
import { until } from '../helpers/until';

// Seed 001's chain in one pipeline file, the shipped example examples/lab-bridge-capture-replicate-sink.json run
// with `ferry run --until-idle` against the lab: Debezium-configured capture of a MariaDB table on cluster a
// (registry a) → Replicator to cluster b with schema migration (registry b) → a JDBC sink reading cluster b
// (consumer.override.bootstrap.servers) into PostgreSQL, and Confluent Cloud's ADLS Gen2 sink reading cluster b
// ("kafka.cluster": "cloud") writing Avro files into the lab's Azurite. After the snapshot, and after updates,
// deletes and a key change made between two runs, the PostgreSQL table equals the MariaDB one, the Avro files (read
// by avro-tools) hold every non-tombstone record of the topic on b exactly once (by the partition and offset
// InsertField put in each row), and the lineage of each run's status draws every hop with its count. Then clients
// nobody here wrote read what Ferry wrote on cluster b: kcat fetches a record's bytes, the lab's registry b serves
// the schema its id names, and avro-tools decodes the body with it.

const execFileAsync = promisify(execFile);
const endpoints = inject('labEndpoints');
const scratch = new Scratch();
const dbs = {} as { mariadb: TestDb; postgres: TestDb };
const cleanups: (() => Promise<unknown>)[] = [];
const root = fileURLToPath(new URL('../..', import.meta.url));

const registryA = endpoints.kafka.a.schemaRegistry?.url ?? 'http://127.0.0.1:18081';
const registryB = endpoints.kafka.b.schemaRegistry?.url ?? 'http://127.0.0.1:28081';

const azurite = endpoints.azurite;
const blobs = new BlobServiceClient(azurite.url, new StorageSharedKeyCredential(azurite.account, azurite.accountKey));
/** The ADLS Gen2 file system (a container on Azurite's Blob API) of this run, so runs never see each other's files. */
const fileSystem = uniqueName('seed').toLowerCase().replace(/[^a-z0-9]/g, '');
let avroTools: Promise<string>;

beforeAll(async () => {
  avroTools = ensureAvroTools();
  [dbs.mariadb, dbs.postgres] = await Promise.all([openDb('mariadb', endpoints.mariadb), openDb('postgres', endpoints.postgres), blobs.getContainerClient(fileSystem).create()]);
  cleanups.push(() => blobs.getContainerClient(fileSystem).deleteIfExists());
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
  clusters: Record<string, Config>;
  connectors: { name: string; config: Config }[];
}

/** The example as shipped, pointed at this lab and at names of this test's own (table, topics, groups). */
function exampleFor(table: string, prefix: string): ExampleFile {
  const example = JSON.parse(readFileSync(join(root, 'examples', 'lab-bridge-capture-replicate-sink.json'), 'utf8')) as ExampleFile;
  const [capture, replicator, sink, lake] = example.connectors as [ExampleFile['connectors'][number], ExampleFile['connectors'][number], ExampleFile['connectors'][number], ExampleFile['connectors'][number]];
  const db = endpoints.mariadb.database;
  example.name = `${prefix}-bridge`;
  example.kafka['bootstrap.servers'] = endpoints.kafka.a.bootstrap;
  example['schema.registry.url'] = registryA;
  example.clusters = { cloud: { 'bootstrap.servers': endpoints.kafka.b.bootstrap, 'schema.registry.url': registryB } };
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
  lake.name = `${prefix}-lake`;
  Object.assign(lake.config, {
    topics: `${prefix}.${db}.${table}`,
    'azure.datalake.gen2.account.name': azurite.account,
    'azure.datalake.gen2.access.key': azurite.accountKey,
    'store.url': azurite.url,
    'topics.dir': `${fileSystem}/raw`,
    // The example cuts objects every 2 s; 1 s lets --until-idle finish sooner.
    'rotate.schedule.interval.ms': '1000',
  });
  return example;
}

async function rows(db: TestDb, table: string): Promise<string[]> {
  const found = await db.exec(`SELECT id, sales_order_id, product_id, quantity, cost FROM ${db.q(table)} ORDER BY id`);
  return found.map((row) => `${String(row.id)}|${String(row.sales_order_id)}|${String(row.product_id)}|${String(row.quantity)}|${Number(row.cost).toFixed(2)}`);
}

type RunStatus = PipelineStatus & { replicators?: ReplicatorStatus[] };

/** One `ferry run --until-idle --json`: its final status (the pipeline's connectors and its replicators). */
async function runUntilIdle(file: string, dataDir: string): Promise<RunStatus> {
  const ferry = spawnFerry(['run', file, '--until-idle', '--json'], { FERRY_DATA_DIR: dataDir });
  const { code } = await waitForExit(ferry, 150_000);
  expect(code, `ferry run failed:\n${ferry.stderr()}\n${ferry.stdout()}`).toBe(0);
  return JSON.parse(ferry.stdout().slice(ferry.stdout().indexOf('{'))) as RunStatus;
}

/**
 * What the lineage draws for a run (lineageModel.ts, unit-tested on such a status): every hop with its count, from
 * the final status: table → topic on a (source), topic on a → copy on b (replicator), copy on b → PostgreSQL table
 * and → the lake (the two sinks, both reading cluster b).
 */
function hops(status: RunStatus, prefix: string): Record<string, number> {
  const connector = (name: string) => status.connectors.find((candidate) => candidate.name === `${prefix}-${name}`);
  const rowsOf = (name: string): number | undefined => connector(name)?.tables?.reduce((sum, table) => sum + table.rows, 0);
  const replicator = (status.replicators ?? []).find((candidate) => candidate.name === `${prefix}-replicator`);
  expect(connector('sink')?.kafka).toBe(endpoints.kafka.b.bootstrap);
  expect(connector('lake')?.kafka).toBe(endpoints.kafka.b.bootstrap);
  expect(replicator?.destination).toBe(endpoints.kafka.b.bootstrap);
  return {
    'table->topic on a': rowsOf('capture') ?? -1,
    'topic on a->copy on b': replicator?.metrics.topics.reduce((sum, topic) => sum + topic.records, 0) ?? -1,
    'copy on b->PostgreSQL': rowsOf('sink') ?? -1,
    'copy on b->lake': rowsOf('lake') ?? -1,
  };
}

/** Every non-tombstone record of a topic as partition:offset, read by kcat (`%S` is -1 for a null value). */
async function recordsOnB(topic: string): Promise<string[]> {
  const { stdout } = await execFileAsync('kcat', ['-b', endpoints.kafka.b.bootstrap, '-C', '-t', topic, '-o', 'beginning', '-e', '-q', '-Z', '-f', '%p %o %S\n'], { timeout: 30_000 });
  return stdout
    .split('\n')
    .map((line) => line.trim().split(' '))
    .filter((parts) => parts.length === 3 && parts[2] !== '-1')
    .map(([partition, offset]) => `${partition ?? ''}:${offset ?? ''}`)
    .sort();
}

/** An Avro union value as avro-tools writes it in JSON ({"long": 5}), unwrapped. */
function plain(value: unknown): unknown {
  return value !== null && typeof value === 'object' && !Array.isArray(value) && Object.keys(value).length === 1 ? Object.values(value)[0] : value;
}

/** The lake's Avro files of a topic not downloaded yet (named as Confluent's Gen2 sink names them), saved locally. */
async function newLakeFiles(topic: string, seen: Set<string>): Promise<string[]> {
  const container = blobs.getContainerClient(fileSystem);
  const dir = scratch.dir('ferry-lake-');
  const files: string[] = [];
  for await (const blob of container.listBlobsFlat({ prefix: `raw/${topic}/` })) {
    if (seen.has(blob.name)) continue;
    seen.add(blob.name);
    expect(blob.name).toMatch(new RegExp(`^raw/${topic}/year=\\d{4}/month=\\d{2}/day=\\d{2}/hour=\\d{2}/${topic}\\+\\d+\\+\\d{10}\\.avro$`));
    const local = join(dir, `${seen.size}.avro`);
    writeFileSync(local, await container.getBlobClient(blob.name).downloadToBuffer());
    files.push(local);
  }
  return files;
}

/** Every row of the files, read by avro-tools (one `tojson` per file, side by side). */
async function avroRows(files: readonly string[]): Promise<Record<string, unknown>[]> {
  const jar = await avroTools;
  return (await Promise.all(files.map((file) => avroToolsToJson(jar, file)))).flat();
}

/** Started now, awaited later: a rejection meanwhile is not "unhandled", and still fails whoever awaits it. */
function inBackground<T>(work: Promise<T>): Promise<T> {
  work.catch(() => undefined);
  return work;
}

interface ExternalRead {
  framed: Buffer;
  subjects: string[];
  decoded: { op: string; after: Record<string, Record<string, unknown>> | null };
}

/**
 * A GET on the lab's registry b, retried for a while when nothing answers: other work on this machine restarts the
 * lab's registries now and then (their schemas persist, so the ids stay the same).
 */
async function registryGet(path: string): Promise<Response> {
  let response: Response | undefined;
  let failure = '';
  await until(
    async () => {
      try {
        response = await fetch(`${registryB}${path}`);
        return true;
      } catch (error) {
        failure = error instanceof Error ? `${error.message} (${String((error.cause as Error | undefined)?.message ?? '')})` : String(error);
        return false;
      }
    },
    () => `registry b at ${registryB}${path}: ${failure}`,
    20_000,
  );
  if (!response?.ok) throw new Error(`registry b answered ${String(response?.status)} to ${path}`);
  return response;
}

/** Clients nobody here wrote: kcat fetches the first record on b, registry b serves its schema, avro-tools decodes it. */
async function readWithOtherClients(topic: string): Promise<ExternalRead> {
  const { stdout } = await execFileAsync('kcat', ['-b', endpoints.kafka.b.bootstrap, '-C', '-t', topic, '-p', '0', '-o', 'beginning', '-c', '1', '-e', '-q', '-f', '%s'], { encoding: 'buffer', timeout: 30_000 });
  const framed = Buffer.from(stdout);
  const id = framed.readInt32BE(1);
  const schema = await (await registryGet(`/schemas/ids/${id}/schema`)).text();
  const subjects = (await (await registryGet(`/schemas/ids/${id}/subjects`)).json()) as string[];
  const dir = scratch.dir('ferry-avro-tools-');
  writeFileSync(join(dir, 'value.avsc'), schema);
  writeFileSync(join(dir, 'value.bin'), framed.subarray(5));
  const decoded = (await avroFragmentToJson(join(dir, 'value.avsc'), join(dir, 'value.bin'))) as ExternalRead['decoded'];
  return { framed, subjects, decoded };
}

let topicOnB = '';
let external: Promise<ExternalRead> | undefined;

describe('seed 001 in one pipeline file: capture on a → replicator to b (schema migration) → PostgreSQL sink and ADLS Gen2 Avro files reading b', () => {
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

    const first = await runUntilIdle(file, dataDir);
    expect(await rows(target, table)).toHaveLength(30);
    expect(await rows(target, table)).toEqual(await rows(source, table));
    const firstHops = hops(first, prefix);
    expect(firstHops).toEqual({ 'table->topic on a': 30, 'topic on a->copy on b': 30, 'copy on b->PostgreSQL': 30, 'copy on b->lake': 30 });
    topicOnB = `${prefix}.${endpoints.mariadb.database}.${table}`;
    // What the first run wrote is final: other clients and avro-tools read it while the second run works (their JVMs
    // would otherwise add ~10 s at the end).
    if (endpoints.kafka.b.schemaRegistry) external = inBackground(readWithOtherClients(topicOnB));
    const seen = new Set<string>();
    const firstFiles = await newLakeFiles(topicOnB, seen);
    expect(firstFiles.length).toBeGreaterThan(0);
    const firstRows = inBackground(avroRows(firstFiles));

    await source.exec(`UPDATE ${table} SET quantity = 7 WHERE id = 3`);
    await source.exec(`DELETE FROM ${table} WHERE id IN (4, 5)`);
    await source.exec(`UPDATE ${table} SET id = 300 WHERE id = 6`);
    await source.exec(`INSERT INTO ${table} VALUES (31, 2, 31, 5, 9.99)`);
    const second = await runUntilIdle(file, dataDir);
    const after = await rows(target, table);
    expect(after).toEqual(await rows(source, table));
    expect(after).toHaveLength(29);
    expect(after).toContain('3|1|3|7|1.74');

    // The lake: every record of the topic on b but tombstones (ExtractNewRecordState drops them; deletes are rows with
    // __deleted=true under rewrite), each exactly once across the objects of both runs.
    const onB = await recordsOnB(topicOnB);
    const lake = [...(await firstRows), ...(await avroRows(await newLakeFiles(topicOnB, seen)))];
    expect(lake.map((row) => `${String(plain(row.kafka_partition))}:${String(plain(row.kafka_offset))}`).sort()).toEqual(onB);
    expect(lake.filter((row) => plain(row.__deleted) === 'true').map((row) => row.id).sort()).toEqual([4, 5, 6]);
    expect(lake.find((row) => row.id === 3 && row.quantity === 7)).toBeDefined();
    expect(lake.find((row) => row.id === 300 && plain(row.__deleted) === 'false')).toBeDefined();
    const secondHops = hops(second, prefix);
    // Each run's counts are its own; together the lake hop carried every row the files hold.
    expect((firstHops['copy on b->lake'] ?? 0) + (secondHops['copy on b->lake'] ?? 0)).toBe(lake.length);
    for (const [hop, count] of Object.entries(secondHops)) expect(count, hop).toBeGreaterThan(0);
    // Two `ferry run`s (each a Node start, a snapshot or binlog catch-up, a replication, two sink passes and a
    // scheduled rotation): ~20 s each at load 14-20.
  }, 240_000);

  it('kcat reads a record on cluster b, registry b serves the schema its id names, avro-tools decodes it', async (context) => {
    // The lab's registries outlive `ferry run`; without them (an older lab) the registry ferry run served is gone.
    if (!external) context.skip();
    const { framed, subjects, decoded } = await (external as Promise<ExternalRead>);
    expect(framed[0]).toBe(0);
    expect(subjects).toContain(`${topicOnB}-value`);
    // The first record of partition 0 is a snapshot read of one of the 30 rows; Avro's JSON wraps a union branch in its type name.
    expect(decoded.op).toBe('r');
    const after = Object.values(decoded.after ?? {})[0];
    expect(after).toMatchObject({ sales_order_id: 1, quantity: 100 });
  });
});
