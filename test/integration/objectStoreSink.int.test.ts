import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { BlobServiceClient, StorageSharedKeyCredential } from '@azure/storage-blob';
import avro from 'avsc';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { RecordSchema } from '../../src/engine/model';
import { type EmbeddedSchemaRegistry, startEmbeddedSchemaRegistry } from '../../src/engine/schema';
import { avroToolsSchema, avroToolsToJson, ensureAvroTools } from '../helpers/avroTools';
import { uniqueName } from '../helpers/names';
import { killLeftoverFerries, spawnFerry, waitForExit, writePipelineFile } from '../helpers/pipelineCli';
import { KafkaScratch, pipelineDocument, Scratch, sinkGroup } from '../helpers/pipelineHarness';
import { produceRecords } from '../helpers/pipelineKafka';
import { until } from '../helpers/until';

// The Azure Blob Storage and ADLS Gen2 sinks against a real Azure Storage emulator (the lab's Azurite, its documented
// development account; containers of this run's own), driven by `ferry run` as users run it. Azurite has no DFS
// endpoint, so the ADLS Gen2 class is tested through the same layout on the Blob API (Ferry writes Gen2 through the
// Blob endpoint anyway). The two tests run side by side (their own topics, groups and containers): each mostly waits
// on its `ferry run`.

const endpoints = inject('labEndpoints');
const bootstrap = endpoints.kafka.a.bootstrap;
const kafka = new KafkaScratch(bootstrap);
const scratch = new Scratch();
let registry: EmbeddedSchemaRegistry;
let avroTools: Promise<string>;
const run = uniqueName('os').toLowerCase().replace(/[^a-z0-9]/g, '');
const containers = { landing: `${run}-landing`, lake: `${run}-lake`, kill: `${run}-kill` };

/** The lab's Azurite, as the sinks' `store.url` and the client this test reads objects with. */
const azurite = (() => {
  const { url, account, accountKey: key } = endpoints.azurite;
  const client = new BlobServiceClient(url, new StorageSharedKeyCredential(account, key));
  return {
    url,
    account,
    key,
    list: async (container: string, prefix = ''): Promise<string[]> => {
      const names: string[] = [];
      for await (const blob of client.getContainerClient(container).listBlobsFlat({ prefix })) names.push(blob.name);
      return names.sort();
    },
    read: (container: string, name: string): Promise<Buffer> => client.getContainerClient(container).getBlobClient(name).downloadToBuffer(),
    create: async (container: string): Promise<void> => void (await client.getContainerClient(container).create()),
    drop: async (container: string): Promise<void> => void (await client.getContainerClient(container).deleteIfExists()),
  };
})();

const schema: RecordSchema = {
  name: 'orders',
  fields: [
    { name: 'id', type: { kind: 'int32' }, optional: false },
    { name: 'region', type: { kind: 'string' }, optional: true },
    { name: 'amount', type: { kind: 'decimal', precision: 10, scale: 2 }, optional: true },
    { name: 'placed', type: { kind: 'timestamp' }, optional: true },
  ],
};

function row(id: number): { schema: RecordSchema; row: Record<string, string | number | Date> } {
  return { schema, row: { id, region: id % 2 === 0 ? 'eu' : 'us', amount: `${id}.50`, placed: new Date(Date.UTC(2026, 11, 5, 10, 0, id % 60)) } };
}

async function produce(topic: string, count: number): Promise<void> {
  for (let start = 0; start < count; start += 5000) {
    const ids = Array.from({ length: Math.min(5000, count - start) }, (_, i) => start + i);
    await produceRecords(bootstrap, registry.url, topic, ids.map((id) => ({ value: row(id) })));
  }
}

function blobSink(name: string, topic: string, extra: Record<string, string>): Record<string, string> {
  return {
    name,
    'connector.class': 'io.confluent.connect.azure.blob.AzureBlobStorageSinkConnector',
    topics: topic,
    'azblob.account.name': azurite.account,
    'azblob.account.key': azurite.key,
    'azblob.container.name': containers.landing,
    'store.url': azurite.url,
    'format.class': 'io.confluent.connect.azure.blob.format.avro.AvroFormat',
    'value.converter': 'io.confluent.connect.avro.AvroConverter',
    'value.converter.schema.registry.url': registry.url,
    ...extra,
  };
}

/** Every record of an Avro container file, read with avsc (a second independent reader, in process). */
async function readAvro(bytes: Buffer): Promise<Record<string, unknown>[]> {
  const rows: Record<string, unknown>[] = [];
  await new Promise<void>((resolve, reject) => {
    Readable.from([bytes]).pipe(new avro.streams.BlockDecoder()).on('data', (record: Record<string, unknown>) => rows.push(record)).on('end', resolve).on('error', reject);
  });
  return rows;
}

beforeAll(async () => {
  avroTools = ensureAvroTools();
  avroTools.catch(() => undefined); // awaited by the test that reads with it
  [registry] = await Promise.all([startEmbeddedSchemaRegistry(), ...Object.values(containers).map((name) => azurite.create(name))]);
}, 120_000);

afterAll(async () => {
  killLeftoverFerries();
  await kafka.cleanup();
  await registry?.close();
  await Promise.all(Object.values(containers).map((name) => azurite.drop(name).catch(() => undefined)));
  scratch.cleanup();
});

describe.concurrent('Azure Blob Storage sink', () => {
  it('writes <topic>+<partition>+<start offset>.avro objects that avro-tools reads, and JSON lines into an ADLS Gen2 file system', async () => {
    const id = uniqueName('blob').toLowerCase();
    const topic = `os_${id}`;
    await kafka.createTopic(topic);
    await produce(topic, 30);
    kafka.track({ groups: [sinkGroup(`${id}-blob`), sinkGroup(`${id}-lake`)] });
    const file = writePipelineFile(
      scratch.dir(),
      pipelineDocument(id, bootstrap, registry.url, [
        blobSink(`${id}-blob`, topic, { 'flush.size': '10' }),
        {
          name: `${id}-lake`,
          'connector.class': 'io.confluent.connect.azure.datalake.gen2.AzureDataLakeGen2SinkConnector',
          topics: topic,
          'azure.datalake.gen2.account.name': azurite.account,
          'azure.datalake.gen2.access.key': azurite.key,
          'store.url': azurite.url,
          'topics.dir': `${containers.lake}/raw`,
          'flush.size': '15',
          'format.class': 'io.confluent.connect.azure.storage.format.json.JsonFormat',
          'partitioner.class': 'io.confluent.connect.storage.partitioner.FieldPartitioner',
          'partition.field.name': 'region',
          'value.converter': 'io.confluent.connect.avro.AvroConverter',
          'value.converter.schema.registry.url': registry.url,
        },
      ]),
    );
    const ferry = spawnFerry(['run', file, '--until-idle'], { FERRY_DATA_DIR: scratch.dir('ferry-data-') });
    const { code } = await waitForExit(ferry, 120_000);
    expect(code, ferry.stderr()).toBe(0);

    const names = await azurite.list(containers.landing, `topics/${topic}/`);
    expect(names).toEqual([0, 10, 20].map((offset) => `topics/${topic}/partition=0/${topic}+0+${String(offset).padStart(10, '0')}.avro`));
    const jar = await avroTools;
    const dir = mkdtempSync(join(tmpdir(), 'ferry-avro-'));
    const local = join(dir, 'first.avro');
    writeFileSync(local, await azurite.read(containers.landing, names[0] ?? ''));
    // Two JVMs side by side rather than one after the other.
    const [rows, header] = await Promise.all([avroToolsToJson(jar, local), avroToolsSchema(jar, local)]);
    expect(rows.map((record) => record.id)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(rows[1]).toMatchObject({ region: { string: 'us' }, placed: { long: Date.UTC(2026, 11, 5, 10, 0, 1) } });
    expect(JSON.stringify(header)).toContain('"logicalType":"decimal"');

    // ADLS Gen2: file system "lake" (first segment of topics.dir), then raw/<topic>/region=<value>/; 15 records per
    // Kafka partition rotate together, each directory's object starting at its first record's offset.
    const lake = await azurite.list(containers.lake, `raw/${topic}/`);
    expect(lake).toEqual([`raw/${topic}/region=eu/${topic}+0+0000000000.json`, `raw/${topic}/region=eu/${topic}+0+0000000016.json`, `raw/${topic}/region=us/${topic}+0+0000000001.json`, `raw/${topic}/region=us/${topic}+0+0000000015.json`]);
    const lines = (await azurite.read(containers.lake, lake[0] ?? '')).toString('utf8').trim().split('\n').map((line) => JSON.parse(line) as { id: number; amount: string });
    expect(lines.map((line) => line.id)).toEqual([0, 2, 4, 6, 8, 10, 12, 14]);
    expect(lines[1]?.amount).toBe('2.50');
  }, 240_000);

  it('after a SIGKILL mid-stream and a restart, every record is in exactly one object', async () => {
    const id = uniqueName('blobkill').toLowerCase();
    const topic = `os_${id}`;
    // 40 objects of 200: the kill after 3 leaves most of the stream unwritten, with a tenth of the records to produce.
    const total = 8_000;
    const perObject = 200;
    await kafka.createTopic(topic);
    await produce(topic, total);
    const name = `${id}-blob`;
    kafka.track({ groups: [sinkGroup(name)] });
    const file = writePipelineFile(scratch.dir(), pipelineDocument(id, bootstrap, registry.url, [blobSink(name, topic, { 'flush.size': String(perObject), 'azblob.container.name': containers.kill })]));
    const dataDir = scratch.dir('ferry-data-');
    const prefix = `topics/${topic}/`;

    const first = spawnFerry(['run', file], { FERRY_DATA_DIR: dataDir });
    // Killed as soon as a few objects are written (looked for every 20 ms, so the kill lands early even on an idle
    // machine): the rest of the stream is still in memory or in Kafka.
    await until(async () => (await azurite.list(containers.kill, prefix)).length >= 3, () => `no objects yet; stderr: ${first.stderr()}`, 90_000, 20);
    first.child.kill('SIGKILL');
    const killed = await first.exited;
    expect(killed.signal).toBe('SIGKILL');
    const beforeRestart = (await azurite.list(containers.kill, prefix)).length;

    const second = spawnFerry(['run', file, '--until-idle'], { FERRY_DATA_DIR: dataDir });
    const { code } = await waitForExit(second, 120_000);
    expect(code, second.stderr()).toBe(0);

    const names = await azurite.list(containers.kill, prefix);
    expect(beforeRestart).toBeLessThan(names.length);
    expect(names).toEqual(Array.from({ length: total / perObject }, (_, i) => `${prefix}partition=0/${topic}+0+${String(i * perObject).padStart(10, '0')}.avro`));
    const seen = new Map<number, number>();
    const objects = await Promise.all(names.map((blob) => azurite.read(containers.kill, blob)));
    for (const bytes of objects) for (const record of await readAvro(bytes)) seen.set(record.id as number, (seen.get(record.id as number) ?? 0) + 1);
    expect(seen.size).toBe(total);
    expect([...seen.values()].every((count) => count === 1)).toBe(true);
  }, 300_000);
});
