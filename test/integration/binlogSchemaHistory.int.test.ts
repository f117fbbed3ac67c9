import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { PipelineRunner } from '../../src/engine/pipeline';
import { type EmbeddedSchemaRegistry, SchemaChangeCodec, startEmbeddedSchemaRegistry } from '../../src/engine/schema';
import { safeFileName } from '../../src/engine/store';
import { uniqueName } from '../helpers/names';
import { killLeftoverFerries, spawnFerry, writePipelineFile } from '../helpers/pipelineCli';
import { openDb, type TestDb } from '../helpers/pipelineDb';
import { readMessages } from '../helpers/pipelineKafka';
import { describeStatus, KafkaScratch, type PipelineDocument, pipelineDocument, pipelineProblems, Scratch, startPipeline, waitForIdle } from '../helpers/pipelineHarness';
import { until } from '../helpers/until';

// DDL mid-stream with a restart from a checkpoint taken before it (issue 12): a Debezium MariaDbConnector config
// with its schema history in a Kafka topic (schema.history.internal.kafka.topic). The binlog rows written before an
// ADD COLUMN and a DROP COLUMN must be read again, after a SIGKILL and a restart from the old checkpoint, with the
// columns they were written with — today's catalog no longer has the dropped column. Before the restart the topic is
// deleted and a new sink reads the new one, so only what the restart read reaches those rows of the target.

const endpoints = inject('labEndpoints');
let registry: EmbeddedSchemaRegistry;
let source: TestDb;
let target: TestDb;
const scratch = new Scratch();
const kafka = new KafkaScratch(endpoints.kafka.a.bootstrap);
const runners: PipelineRunner[] = [];
const cleanups: (() => Promise<unknown>)[] = [];

beforeAll(async () => {
  registry = await startEmbeddedSchemaRegistry();
  source = await openDb('mariadb', endpoints.mariadb);
  target = await openDb('postgres', endpoints.postgres);
});

afterAll(async () => {
  killLeftoverFerries();
  for (const runner of runners) await runner.stop().catch(() => undefined);
  for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
  await kafka.cleanup();
  await source.close();
  await target.close();
  await registry.close();
  scratch.cleanup();
});

describe('MySQL/MariaDB schema history', () => {
  it('a restart after a SIGKILL, from a checkpoint before an ADD and a DROP COLUMN, reads the older rows with their own columns; target equals source', { timeout: 120_000 }, async () => {
    const table = uniqueName('ddl_hist');
    const prefix = uniqueName('ddlh');
    const historyTopic = `${prefix}.schema-history`;
    const dataTopic = `${prefix}.${endpoints.mariadb.database}.${table}`;
    kafka.track({ topics: [historyTopic, dataTopic, prefix] });
    await source.exec(`CREATE TABLE ${table} (id INT PRIMARY KEY, customer VARCHAR(40) NOT NULL, legacy VARCHAR(20) NULL, amount DECIMAL(10,2) NOT NULL)`);
    cleanups.push(() => source.exec(`DROP TABLE IF EXISTS ${table}`), () => target.exec(`DROP TABLE IF EXISTS "${table}"`));
    await source.exec(`INSERT INTO ${table} VALUES (1, 'ada', 'l1', 10.50), (2, 'bob', 'l2', 20.00), (3, 'cy', NULL, 30.25)`);

    const sourceConfig = {
      name: `${prefix}-source`,
      'connector.class': 'io.debezium.connector.mariadb.MariaDbConnector',
      'database.hostname': endpoints.mariadb.host,
      'database.port': String(endpoints.mariadb.port),
      'database.user': endpoints.mariadb.user,
      'database.password': endpoints.mariadb.password,
      'database.server.id': String(184_000 + Math.floor(Math.random() * 10_000)),
      'topic.prefix': prefix,
      'database.include.list': endpoints.mariadb.database,
      'table.include.list': `${endpoints.mariadb.database}\\.${table}`,
      'schema.history.internal.kafka.topic': historyTopic,
      'schema.history.internal.kafka.bootstrap.servers': endpoints.kafka.a.bootstrap,
    };
    const sink = (name: string, topic: string) => ({
      name,
      'connector.class': 'io.confluent.connect.jdbc.JdbcSinkConnector',
      'connection.url': `jdbc:postgresql://${endpoints.postgres.host}:${endpoints.postgres.port}/${endpoints.postgres.database}`,
      'connection.user': endpoints.postgres.user,
      'connection.password': endpoints.postgres.password,
      topics: topic,
      'table.name.format': table,
      'insert.mode': 'upsert',
      'pk.mode': 'record_key',
      'delete.enabled': 'true',
      'auto.create': 'true',
      'auto.evolve': 'true',
      transforms: 'unwrap',
      'transforms.unwrap.type': 'io.debezium.transforms.ExtractNewRecordState',
      'transforms.unwrap.drop.tombstones': 'false',
    });
    const pipelineName = `${prefix}-pipeline`;
    const document = (connectors: PipelineDocument['connectors']): PipelineDocument => pipelineDocument(pipelineName, endpoints.kafka.a.bootstrap, registry.url, connectors);
    const full = document([sourceConfig, sink(`${prefix}-sink`, dataTopic)]);
    expect(pipelineProblems(full).filter((problem) => problem.severity !== 'info')).toEqual([]);
    const dataDir = scratch.dir();
    const checkpointFile = join(dataDir, 'pipelines', safeFileName(pipelineName), 'checkpoints.json');

    // 1. Snapshot to the target; the checkpoint now is before any DDL.
    const first = await startPipeline(full, dataDir);
    runners.push(first);
    await waitForIdle(first, 1_000, 60_000);
    await first.stop();
    const rowsOf = async (columns: string): Promise<string[]> => (await target.exec(`SELECT ${columns} FROM "${table}" ORDER BY id`)).map((row) => Object.values(row).map(String).join('|'));
    expect(await rowsOf('id, customer, legacy')).toEqual(['1|ada|l1', '2|bob|l2', '3|cy|null']);
    const beforeDdl = join(dataDir, 'checkpoint-before-ddl.json');
    copyFileSync(checkpointFile, beforeDdl);

    // 2. `ferry run` streams a row, an ADD COLUMN, a row, a DROP COLUMN and more rows (each DDL read live), then is SIGKILLed.
    const admin = await kafka.connect();
    const high = async (topic: string): Promise<number> => Number((await admin.fetchTopicOffsets(topic)).reduce((sum, partition) => sum + Number(partition.high), 0));
    const historyAtStart = await high(historyTopic);
    expect(historyAtStart).toBeGreaterThan(0); // the snapshot's layout
    const ferry = spawnFerry(['run', writePipelineFile(dataDir, document([sourceConfig]))], { FERRY_DATA_DIR: dataDir });
    const topicReaches = (topic: string, count: number) => until(async () => (await high(topic)) >= count, async () => `${topic} at ${await high(topic)} of ${count}; ferry: ${ferry.stderr().slice(-2_000)}`, 30_000);
    await source.exec(`INSERT INTO ${table} VALUES (4, 'dee', 'l4', 40.00)`);
    await topicReaches(dataTopic, 4);
    await source.exec(`ALTER TABLE ${table} ADD COLUMN note VARCHAR(20) NULL`);
    await source.exec(`INSERT INTO ${table} VALUES (5, 'eve', 'l5', 50.00, 'n5')`);
    await topicReaches(historyTopic, historyAtStart + 1);
    await topicReaches(dataTopic, 5);
    await source.exec(`ALTER TABLE ${table} DROP COLUMN legacy`);
    await source.exec(`INSERT INTO ${table} VALUES (6, 'fay', 60.00, 'n6')`);
    await source.exec(`UPDATE ${table} SET customer = 'ada2', note = 'n1' WHERE id = 1`);
    await topicReaches(historyTopic, historyAtStart + 2);
    await topicReaches(dataTopic, 7);
    ferry.child.kill('SIGKILL');
    expect((await ferry.exited).signal).toBe('SIGKILL');

    // 3. Restart from the checkpoint taken before the DDL. The topic is emptied (deleted; the source creates it again)
    // and a new sink reads it, so rows 4 to 6 reach the target only if the restarted source read them.
    copyFileSync(beforeDdl, checkpointFile);
    await admin.deleteTopics({ topics: [dataTopic] });
    await until(async () => !(await admin.listTopics()).includes(dataTopic), async () => `${dataTopic} still listed`, 30_000);
    const replay = document([sourceConfig, sink(`${prefix}-sink-replay`, dataTopic)]);
    const restarted = await startPipeline(replay, dataDir);
    runners.push(restarted);
    await until(async () => (await rowsOf('id')).length === 6, async () => `target rows ${JSON.stringify(await rowsOf('*'))}; ${describeStatus(restarted.status())}`, 45_000);
    await waitForIdle(restarted, 1_000, 60_000);
    await restarted.stop();

    const sourceRows = (await source.exec(`SELECT id, customer, amount, note FROM ${table} ORDER BY id`)).map((row) => `${String(row.id)}|${String(row.customer)}|${Number(row.amount).toFixed(2)}|${String(row.note)}`);
    const targetRows = (await target.exec(`SELECT id, customer, amount, note FROM "${table}" ORDER BY id`)).map((row) => `${String(row.id)}|${String(row.customer)}|${Number(row.amount).toFixed(2)}|${String(row.note)}`);
    expect(targetRows).toEqual(sourceRows);
    // Rows 4 and 5 came only from the replay, read with the dropped column they were written with.
    expect(await rowsOf('id, legacy')).toEqual(['1|l1', '2|l2', '3|null', '4|l4', '5|l5', '6|null']);

    // The schema change topic (include.schema.changes): the snapshot's CREATE, each DDL as `ferry run` read it, and each
    // again from the restart (at least once, as Debezium) with the structure recorded then, not today's catalog.
    const codec = new SchemaChangeCodec('mariadb', 'x');
    const changes = (await readMessages(endpoints.kafka.a.bootstrap, prefix, 5)).map(
      (message) => codec.decodeAvro((message.value ?? Buffer.alloc(5)).subarray(5)) as { ddl: string; tableChanges: Array<{ type: string; table: { columns: Array<{ name: string }> } | null }> },
    );
    const columnsOf = (change: (typeof changes)[number]): string => `${change.tableChanges[0]?.type ?? ''} ${(change.tableChanges[0]?.table?.columns ?? []).map((column) => column.name).join(',')}`;
    expect(changes.map(columnsOf)).toEqual([
      'CREATE id,customer,legacy,amount',
      'ALTER id,customer,legacy,amount,note',
      'ALTER id,customer,amount,note',
      'ALTER id,customer,legacy,amount,note',
      'ALTER id,customer,amount,note',
    ]);
    expect(changes[3]?.ddl).toBe(`ALTER TABLE ${table} ADD COLUMN note VARCHAR(20) NULL`);
  });
});
