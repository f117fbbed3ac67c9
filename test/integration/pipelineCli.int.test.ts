import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { type EmbeddedSchemaRegistry, startEmbeddedSchemaRegistry } from '../../src/engine/schema';
import { safeFileName } from '../../src/engine/store';
import { uniqueName } from '../helpers/names';
import { killLeftoverFerries, spawnFerry, waitForExit, writePipelineFile } from '../helpers/pipelineCli';
import { readTopic } from '../helpers/replicatorHarness';
import { countRows, createTypedTableSql, type DbKind, dropTables, insertTypedRows, openDb, readCanonical, type TestDb, typedRows } from '../helpers/pipelineDb';
import { jdbcConnection, KafkaScratch, MANAGED_SINK, MANAGED_SOURCE, managedConnection, modeKeys, pipelineDocument, Scratch, sinkGroup } from '../helpers/pipelineHarness';

// `ferry run` as a separate process: killed with SIGKILL in the middle of a copy and restarted, it loses nothing
// and (upserting) duplicates nothing; `--until-idle` exits 0 when everything is applied and non-zero with the root
// cause when a connector fails.

const endpoints = inject('labEndpoints');
const bootstrap = endpoints.kafka.a.bootstrap;

let registry: EmbeddedSchemaRegistry;
const dbs = {} as Record<DbKind, TestDb>;
const scratch = new Scratch();
const kafka = new KafkaScratch(bootstrap);
const kafkaB = new KafkaScratch(endpoints.kafka.b.bootstrap);
const tables: { db: DbKind; table: string }[] = [];

beforeAll(async () => {
  // Persisted, so the restarted child sees the schema ids its predecessor registered (the embedded registry
  // outlives both children here anyway; the file makes that explicit).
  registry = await startEmbeddedSchemaRegistry({ storeFile: join(scratch.dir('ferry-registry-'), 'registry.json') });
  dbs.mariadb = await openDb('mariadb', endpoints.mariadb);
  dbs.postgres = await openDb('postgres', endpoints.postgres);
});

afterAll(async () => {
  killLeftoverFerries();
  for (const { db, table } of tables) await dropTables(dbs[db], [table]);
  await kafka.cleanup();
  await kafkaB.cleanup();
  await Promise.all(Object.values(dbs).map((db) => db.close()));
  await registry?.close();
  scratch.cleanup();
});

function names(label: string): { id: string; topic: string; sourceName: string; sinkName: string } {
  const id = uniqueName(label).toLowerCase();
  const topic = `pl_${id}`;
  const sinkName = `${id}-sink`;
  kafka.track({ topics: [topic, `dlq-${sinkName}`], groups: [sinkGroup(sinkName)] });
  return { id, topic, sourceName: `${id}-source`, sinkName };
}

async function primaryKey(db: TestDb, table: string): Promise<string[]> {
  const rows = await db.exec(
    `SELECT k.column_name AS name FROM information_schema.table_constraints c
       JOIN information_schema.key_column_usage k ON k.constraint_name = c.constraint_name AND k.table_name = c.table_name AND k.table_schema = c.table_schema
      WHERE c.constraint_type = 'PRIMARY KEY' AND c.table_name = ? AND c.table_schema = current_schema()`,
    [table],
  );
  return rows.map((row) => String(row.name));
}

describe('ferry run as a process', () => {
  it('killed with SIGKILL mid-stream and restarted with --until-idle: the target equals the source, nothing lost, nothing duplicated', async () => {
    const { id, topic, sourceName, sinkName } = names('crash');
    tables.push({ db: 'mariadb', table: id }, { db: 'postgres', table: topic });
    const source = dbs.mariadb;
    const base = Date.now() - 3_600_000;
    await source.exec(createTypedTableSql(source, id));
    await insertTypedRows(source, id, typedRows(1, 50_000, base));

    const dataDir = scratch.dir('ferry-data-');
    const file = writePipelineFile(
      scratch.dir(),
      pipelineDocument(id, bootstrap, registry.url, [
        {
          name: sourceName,
          'connector.class': MANAGED_SOURCE.mariadb,
          ...managedConnection(endpoints.mariadb),
          ...modeKeys('timestamp+incrementing'),
          'table.whitelist': [id],
          'topic.prefix': 'pl_',
          'poll.interval.ms': '500',
          'batch.max.rows': '500',
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
          'batch.sizes': '500',
        },
      ]),
    );
    const env = { FERRY_DATA_DIR: dataDir };
    const checkpointFile = join(dataDir, 'pipelines', safeFileName(id), 'checkpoints.json');

    const first = spawnFerry(['run', file], env);
    // Kill it once part of the table is applied: the source is then typically ahead of the sink, with records in
    // Kafka that are produced but not applied, and a checkpoint behind what was produced.
    let appliedAtKill = 0;
    const deadline = Date.now() + 90_000;
    for (;;) {
      if (Date.now() > deadline) throw new Error(`ferry run applied ${appliedAtKill} rows in 90 s:\n${first.stderr()}`);
      const exited = await Promise.race([first.exited.then(() => true), new Promise<false>((resolve) => setTimeout(() => resolve(false), 100))]);
      if (exited) throw new Error(`ferry run exited on its own before it was killed:\n${first.stderr()}`);
      appliedAtKill = await countRows(dbs.postgres, topic).catch(() => 0);
      // Checkpoints are flushed once a second (offset.flush.interval.ms), as Connect's are: kill after the first one.
      if (appliedAtKill >= 1000 && existsSync(checkpointFile)) break;
    }
    first.child.kill('SIGKILL');
    expect((await first.exited).signal).toBe('SIGKILL');
    expect(appliedAtKill).toBeLessThan(50_000);
    // FERRY_DATA_DIR was honoured: the source checkpoint is there.
    expect(existsSync(checkpointFile)).toBe(true);

    // Rows that arrive while Ferry is down are part of the catch-up.
    await insertTypedRows(source, id, typedRows(50_001, 500, base + 3_000_000));

    const second = spawnFerry(['run', file, '--until-idle', '--json'], env);
    const exit = await waitForExit(second, 150_000);
    expect(exit, second.stderr()).toEqual({ code: 0, signal: null });
    const status = JSON.parse(second.stdout()) as { connectors: { name: string; metrics: { deadLettered: number } }[] };
    expect(status.connectors.map((connector) => connector.metrics.deadLettered)).toEqual([0, 0]);

    expect(await primaryKey(dbs.postgres, topic)).toEqual(['id']);
    expect(await countRows(dbs.postgres, topic)).toBe(50_500);
    expect(await readCanonical(dbs.postgres, topic)).toEqual(await readCanonical(source, id));
  }, 240_000);

  it('--until-idle exits non-zero with the root cause when a sink fails (no table and no auto.create)', async () => {
    const { id, topic, sourceName, sinkName } = names('fail');
    tables.push({ db: 'postgres', table: id });
    const source = dbs.postgres;
    await source.exec(createTypedTableSql(source, id));
    await insertTypedRows(source, id, typedRows(1, 5, Date.now() - 60_000));
    const file = writePipelineFile(
      scratch.dir(),
      pipelineDocument(id, bootstrap, registry.url, [
        {
          name: sourceName,
          config: {
            'connector.class': 'io.confluent.connect.jdbc.JdbcSourceConnector',
            ...jdbcConnection('postgres', endpoints.postgres),
            mode: 'incrementing',
            'incrementing.column.name': 'id',
            'table.whitelist': id,
            'topic.prefix': 'pl_',
            'poll.interval.ms': '300',
          },
        },
        {
          name: sinkName,
          config: {
            'connector.class': 'io.confluent.connect.jdbc.JdbcSinkConnector',
            ...jdbcConnection('mariadb', endpoints.mariadb),
            topics: topic,
            'insert.mode': 'upsert',
            'pk.mode': 'record_value',
            'pk.fields': 'id',
            'auto.create': 'false',
            'max.retries': '0',
          },
        },
      ]),
    );
    const ferry = spawnFerry(['run', file, '--until-idle'], { FERRY_DATA_DIR: scratch.dir('ferry-data-') });
    const exit = await waitForExit(ferry, 60_000);
    expect(exit.code).not.toBe(0);
    expect(exit.code).not.toBeNull();
    expect(ferry.stderr()).toMatch(new RegExp(`${sinkName}.*${topic}.*does not exist`));
    expect(ferry.stderr()).toMatch(/auto\.create/);
    // The records stay in Kafka, uncommitted, for a fixed pipeline to apply.
    expect((await kafka.committed(sinkGroup(sinkName), topic)).get(0) ?? '-1').toBe('-1');
  });

  it('--until-idle exits non-zero before touching anything when the file is invalid, naming the key', async () => {
    const id = uniqueName('invalid').toLowerCase();
    const file = writePipelineFile(
      scratch.dir(),
      pipelineDocument(id, bootstrap, registry.url, [
        {
          name: `${id}-sink`,
          'connector.class': MANAGED_SINK.postgres,
          ...managedConnection(endpoints.postgres),
          'input.data.format': 'AVRO',
          'insert.mode': 'UPSERT',
          'pk.mode': 'record_key',
          'delete.enabled': 'true',
        },
      ]),
    );
    const ferry = spawnFerry(['run', file, '--until-idle'], { FERRY_DATA_DIR: scratch.dir('ferry-data-') });
    const exit = await waitForExit(ferry, 60_000);
    expect(exit.code).not.toBe(0);
    expect(exit.code).not.toBeNull();
    expect(ferry.stderr()).toMatch(/topics/);
    expect(ferry.stderr()).toMatch(/input\.key\.format/);
  });

  it('runs a replicator that sits in the pipeline file beside the connectors: the source topic is copied to cluster b', async () => {
    const { id, topic, sourceName } = names('withrepl');
    const replicatorName = `${id}-replicator`;
    const replica = `${topic}.replica`;
    tables.push({ db: 'mariadb', table: id });
    kafka.track({ groups: [replicatorName] });
    kafkaB.track({ topics: [replica], groups: [replicatorName] });
    const source = dbs.mariadb;
    await source.exec(createTypedTableSql(source, id));
    await insertTypedRows(source, id, typedRows(1, 300, Date.now() - 60_000));
    const file = writePipelineFile(
      scratch.dir(),
      pipelineDocument(id, bootstrap, registry.url, [
        {
          name: sourceName,
          'connector.class': MANAGED_SOURCE.mariadb,
          ...managedConnection(endpoints.mariadb),
          ...modeKeys('incrementing'),
          'table.whitelist': [id],
          'topic.prefix': 'pl_',
          'output.data.format': 'AVRO',
        },
        {
          name: replicatorName,
          'connector.class': 'Replicator',
          'src.kafka.bootstrap.servers': bootstrap,
          'dest.kafka.bootstrap.servers': endpoints.kafka.b.bootstrap,
          'topic.whitelist': topic,
          'topic.rename.format': '${topic}.replica',
          'topic.poll.interval.ms': '1000',
        },
      ]),
    );
    const run = spawnFerry(['run', file, '--until-idle', '--json'], { FERRY_DATA_DIR: scratch.dir('ferry-data-') });
    const exit = await waitForExit(run, 120_000);
    expect(exit, run.stderr()).toEqual({ code: 0, signal: null });
    const status = JSON.parse(run.stdout()) as { connectors: { name: string }[]; replicators: { name: string; metrics: { recordsCopied: number } }[] };
    expect(status.connectors.map((connector) => connector.name)).toEqual([sourceName]);
    expect(status.replicators.map((replicator) => replicator.name)).toEqual([replicatorName]);
    const copied = await readTopic(endpoints.kafka.b.bootstrap, replica, 300, { quietMs: 500 });
    expect(copied).toHaveLength(300);
  }, 180_000);
});
