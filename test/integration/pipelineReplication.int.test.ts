import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { PipelineRunner } from '../../src/engine/pipeline';
import { type EmbeddedSchemaRegistry, startEmbeddedSchemaRegistry } from '../../src/engine/schema';
import { uniqueName } from '../helpers/names';
import {
  createTypedTableSql,
  type DbKind,
  dropTables,
  insertTypedRows,
  openDb,
  readCanonical,
  sqlTimestamp,
  type TestDb,
  typedRows,
} from '../helpers/pipelineDb';
import {
  describeStatus,
  jdbcConnection,
  KafkaScratch,
  MANAGED_SINK,
  MANAGED_SOURCE,
  managedConnection,
  modeKeys,
  type PipelineDocument,
  pipelineDocument,
  pipelineProblems,
  Scratch,
  type SourceMode,
  sinkGroup,
  startPipeline,
  waitForIdle,
} from '../helpers/pipelineHarness';

// Database → Kafka (Avro, embedded registry) → database through the real lab, for both directions and every
// polling mode, with the pipeline file written the way a Confluent Cloud user writes it (managed connector names
// and keys) and once the self-managed way (JDBC classes, connection.url). Each test then changes the source while
// the pipeline runs and again while it is stopped, and compares source and target row by row as canonical text.

const endpoints = inject('labEndpoints');
const POLL_MS = 300;
/** Longer than several polls, so changes made just before waiting are read and applied before the pipeline counts as idle. */
const SETTLE_MS = 5 * POLL_MS;

let registry: EmbeddedSchemaRegistry;
const dbs = {} as Record<DbKind, TestDb>;
const scratch = new Scratch();
// Both lab clusters carry traffic: MariaDB → PostgreSQL goes through Kafka "a", PostgreSQL → MariaDB through "b".
type Cluster = 'a' | 'b';
const CLUSTER: Record<DbKind, Cluster> = { mariadb: 'a', postgres: 'b' };
const kafkas: Record<Cluster, KafkaScratch> = { a: new KafkaScratch(endpoints.kafka.a.bootstrap), b: new KafkaScratch(endpoints.kafka.b.bootstrap) };
const tables: { db: DbKind; table: string }[] = [];
const runners: PipelineRunner[] = [];

beforeAll(async () => {
  registry = await startEmbeddedSchemaRegistry();
  dbs.mariadb = await openDb('mariadb', endpoints.mariadb);
  dbs.postgres = await openDb('postgres', endpoints.postgres);
});

afterAll(async () => {
  await Promise.all(runners.splice(0).map((runner) => runner.stop().catch(() => {})));
  for (const { db, table } of tables) await dropTables(dbs[db], [table]);
  await Promise.all(Object.values(kafkas).map((kafka) => kafka.cleanup()));
  await Promise.all(Object.values(dbs).map((db) => db.close()));
  await registry?.close();
  scratch.cleanup();
});

const SHORT: Record<DbKind, string> = { mariadb: 'm', postgres: 'p' };
const MODE_SHORT: Record<SourceMode, string> = { bulk: 'blk', incrementing: 'inc', timestamp: 'ts', 'timestamp+incrementing': 'tsi' };

interface Case {
  id: string;
  /** The lab cluster the pipeline runs through (by source database). */
  cluster: Cluster;
  sourceTable: string;
  topic: string;
  targetTable: string;
  sourceName: string;
  sinkName: string;
}

function newCase(from: DbKind, to: DbKind, label: string): Case {
  const id = uniqueName(`${SHORT[from]}2${SHORT[to]}_${label}`).toLowerCase();
  const topic = `pl_${id}`;
  const c: Case = { id, cluster: CLUSTER[from], sourceTable: id, topic, targetTable: topic, sourceName: `${id}-source`, sinkName: `${id}-sink` };
  tables.push({ db: from, table: c.sourceTable }, { db: to, table: c.targetTable });
  // Managed sinks default to errors.tolerance=all with a dead letter topic named after them, as in Confluent Cloud.
  kafkas[c.cluster].track({ topics: [topic, `dlq-${c.sinkName}`], groups: [sinkGroup(c.sinkName)] });
  return c;
}

function managedDocument(c: Case, from: DbKind, to: DbKind, mode: SourceMode): PipelineDocument {
  return pipelineDocument(c.id, endpoints.kafka[c.cluster].bootstrap, registry.url, [
    {
      name: c.sourceName,
      'connector.class': MANAGED_SOURCE[from],
      ...managedConnection(endpoints[from]),
      ...modeKeys(mode),
      'table.whitelist': [c.sourceTable],
      'topic.prefix': 'pl_',
      'poll.interval.ms': String(POLL_MS),
      // Small batches: the typed table spans several polls, and timestamp ties straddle batch boundaries.
      'batch.max.rows': '4',
      'output.data.format': 'AVRO',
      'tasks.max': '1',
    },
    {
      name: c.sinkName,
      'connector.class': MANAGED_SINK[to],
      ...managedConnection(endpoints[to]),
      topics: [c.topic],
      'input.data.format': 'AVRO',
      'insert.mode': 'UPSERT',
      // JDBC sources send null keys: the key columns come from the value.
      'pk.mode': 'record_value',
      'pk.fields': 'id',
      'auto.create': 'true',
      'auto.evolve': 'true',
      'batch.sizes': '5',
      'tasks.max': '1',
    },
  ]);
}

async function waitIdle(runner: PipelineRunner): Promise<void> {
  await waitForIdle(runner, SETTLE_MS);
  const status = runner.status();
  // Nothing may have been skipped on the way: no dead-lettered record, no connector in trouble.
  expect(status.connectors.map((connector) => [connector.name, connector.state, connector.metrics.deadLettered]), describeStatus(status)).toEqual(
    status.connectors.map((connector) => [connector.name, 'RUNNING', 0]),
  );
}

async function expectSame(from: DbKind, to: DbKind, c: Case): Promise<(string | null)[][]> {
  const source = await readCanonical(dbs[from], c.sourceTable);
  const target = await readCanonical(dbs[to], c.targetTable);
  expect(target).toEqual(source);
  return source;
}

const MODES: SourceMode[] = ['bulk', 'incrementing', 'timestamp', 'timestamp+incrementing'];
const DIRECTIONS: [DbKind, DbKind][] = [
  ['mariadb', 'postgres'],
  ['postgres', 'mariadb'],
];

describe.each(DIRECTIONS)('%s → Kafka (Avro) → %s, managed connector configs', (from, to) => {
  it.each(MODES)('mode %s: copies every value exactly, then follows changes while running and across a restart', async (mode) => {
    const c = newCase(from, to, MODE_SHORT[mode]);
    const source = dbs[from];
    const base = Date.now() - 600_000;
    await source.exec(createTypedTableSql(source, c.sourceTable));
    await insertTypedRows(source, c.sourceTable, typedRows(1, 14, base));

    const document = managedDocument(c, from, to, mode);
    expect(pipelineProblems(document)).toEqual([]);
    const dataDir = scratch.dir();
    let runner = await startPipeline(document, dataDir);
    runners.push(runner);
    await waitIdle(runner);
    const initial = await expectSame(from, to, c);
    expect(initial).toHaveLength(14);

    // While running: new rows, and updates that move updated_at forward (what the timestamp modes detect).
    await insertTypedRows(source, c.sourceTable, typedRows(15, 6, base + 100_000));
    await source.exec(`UPDATE ${source.q(c.sourceTable)} SET note = ?, amount = ?, updated_at = ? WHERE id IN (2, 5)`, ['updated ✓ 🚢', '-1.2345', sqlTimestamp(base + 200_000)]);
    await waitIdle(runner);
    const afterRunning = await readCanonical(source, c.sourceTable);
    const targetRunning = await readCanonical(dbs[to], c.targetTable);
    if (mode === 'incrementing') {
      // Incrementing mode sees new ids only: updated rows keep their first version at the target (JDBC source semantics).
      const expected = afterRunning.map((row) => (row[0] === '2' || row[0] === '5' ? (initial.find((old) => old[0] === row[0]) ?? row) : row));
      expect(targetRunning).toEqual(expected);
    } else {
      expect(targetRunning).toEqual(afterRunning);
    }

    // Stopped: changes made while Ferry is down are picked up from the checkpoint, nothing re-read.
    await runner.stop();
    await insertTypedRows(source, c.sourceTable, typedRows(21, 3, base + 300_000));
    await source.exec(`UPDATE ${source.q(c.sourceTable)} SET big = ?, flag = NULL, updated_at = ? WHERE id = 3`, ['-9007199254740993', sqlTimestamp(base + 400_000)]);
    runner = await startPipeline(document, dataDir);
    runners.push(runner);
    await waitIdle(runner);
    const afterRestart = await readCanonical(source, c.sourceTable);
    const targetRestart = await readCanonical(dbs[to], c.targetTable);
    if (mode === 'incrementing') {
      const stale = new Map(targetRunning.map((row) => [row[0], row]));
      expect(targetRestart).toEqual(afterRestart.map((row) => (['2', '3', '5'].includes(row[0] ?? '') ? (stale.get(row[0]) ?? row) : row)));
    } else {
      expect(targetRestart).toEqual(afterRestart);
    }
    const sourceStatus = runner.status().connectors.find((connector) => connector.role === 'source');
    if (mode !== 'bulk') {
      // Resumed at the checkpoint: exactly the 3 new rows (+ the updated one where the mode sees updates).
      expect(sourceStatus?.metrics.rowsProduced).toBe(mode === 'incrementing' ? 3 : 4);
    }
    await runner.stop();
  });
});

describe('self-managed JDBC connector configs', () => {
  it('PostgreSQL → MariaDB with JdbcSourceConnector / JdbcSinkConnector, connection.url and a ValueToKey key', async () => {
    const from: DbKind = 'postgres';
    const to: DbKind = 'mariadb';
    const c = newCase(from, to, 'jdbc');
    const source = dbs[from];
    const base = Date.now() - 600_000;
    await source.exec(createTypedTableSql(source, c.sourceTable));
    await insertTypedRows(source, c.sourceTable, typedRows(1, 12, base));
    const document = pipelineDocument(c.id, endpoints.kafka[c.cluster].bootstrap, registry.url, [
      {
        name: c.sourceName,
        config: {
          'connector.class': 'io.confluent.connect.jdbc.JdbcSourceConnector',
          ...jdbcConnection(from, endpoints[from]),
          mode: 'timestamp+incrementing',
          'timestamp.column.name': 'updated_at',
          'incrementing.column.name': 'id',
          'table.whitelist': c.sourceTable,
          'topic.prefix': 'pl_',
          'poll.interval.ms': String(POLL_MS),
          'batch.max.rows': '5',
          'key.converter': 'io.confluent.connect.avro.AvroConverter',
          'value.converter': 'io.confluent.connect.avro.AvroConverter',
          transforms: 'createKey',
          'transforms.createKey.type': 'org.apache.kafka.connect.transforms.ValueToKey',
          'transforms.createKey.fields': 'id',
        },
      },
      {
        name: c.sinkName,
        config: {
          'connector.class': 'io.confluent.connect.jdbc.JdbcSinkConnector',
          ...jdbcConnection(to, endpoints[to]),
          topics: c.topic,
          'insert.mode': 'upsert',
          'pk.mode': 'record_key',
          'auto.create': 'true',
          'auto.evolve': 'true',
          'batch.size': '4',
          'key.converter': 'io.confluent.connect.avro.AvroConverter',
          'value.converter': 'io.confluent.connect.avro.AvroConverter',
        },
      },
    ]);
    expect(pipelineProblems(document)).toEqual([]);
    const runner = await startPipeline(document, scratch.dir());
    runners.push(runner);
    await waitIdle(runner);
    await expectSame(from, to, c);

    await source.exec(`UPDATE ${source.q(c.sourceTable)} SET note = ?, updated_at = ? WHERE id = 7`, ['ключ обновлён', sqlTimestamp(base + 100_000)]);
    await insertTypedRows(source, c.sourceTable, typedRows(13, 2, base + 200_000));
    await waitIdle(runner);
    expect(await expectSame(from, to, c)).toHaveLength(14);
    await runner.stop();
  });
});

describe('an empty source table', () => {
  it('still lets the pipeline go idle (its topic exists, the sink has nothing to apply)', async () => {
    const c = newCase('mariadb', 'postgres', 'empty');
    const source = dbs.mariadb;
    await source.exec(createTypedTableSql(source, c.sourceTable));
    const runner = await startPipeline(managedDocument(c, 'mariadb', 'postgres', 'timestamp+incrementing'), scratch.dir());
    runners.push(runner);
    await waitIdle(runner);
    const admin = await kafkas[c.cluster].connect();
    expect(await admin.listTopics()).toContain(c.topic);
    // The next rows still flow once they exist.
    await insertTypedRows(source, c.sourceTable, typedRows(1, 3, Date.now() - 60_000));
    await waitIdle(runner);
    expect(await expectSame('mariadb', 'postgres', c)).toHaveLength(3);
    await runner.stop();
  });
});
