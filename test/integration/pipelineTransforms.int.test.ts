import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { PipelineRunner } from '../../src/engine/pipeline';
import { type EmbeddedSchemaRegistry, startEmbeddedSchemaRegistry } from '../../src/engine/schema';
import { uniqueName } from '../helpers/names';
import { openDb, type TestDb } from '../helpers/pipelineDb';
import { mariadbToPostgresDocument, pipelineProblems, Scratch, startPipeline, waitForIdle } from '../helpers/pipelineHarness';

// Connect's transforms in a real MariaDB → Kafka → PostgreSQL pipeline, as the third seed's users write them:
// ReplaceField drops a capture-metadata column and renames another, TimestampConverter turns a string DATETIME into
// a timestamp column, InsertField stamps a static value, Cast changes a type, and a Filter behind a predicate drops
// the records of a topic that should not reach the target.

const endpoints = inject('labEndpoints');
let registry: EmbeddedSchemaRegistry;
let source: TestDb;
let target: TestDb;
const scratch = new Scratch();
const table = uniqueName('smt_orders');
const runners: PipelineRunner[] = [];

beforeAll(async () => {
  registry = await startEmbeddedSchemaRegistry();
  source = await openDb('mariadb', endpoints.mariadb);
  target = await openDb('postgres', endpoints.postgres);
  await source.exec(
    `CREATE TABLE ${table} (id INT PRIMARY KEY, customer VARCHAR(40), placed_text VARCHAR(30), _tidb_commit_ts BIGINT, qty INT, updated_at DATETIME(3) NOT NULL)`,
  );
  await source.exec(`INSERT INTO ${table} VALUES (1, 'ada', '2026-12-01 10:00:00', 4411, 3, '2026-12-01 10:00:00'), (2, 'bob', '2026-12-02 11:30:00', 4412, 5, '2026-12-01 10:00:00')`);
});

afterAll(async () => {
  for (const runner of runners) await runner.stop().catch(() => undefined);
  await source.exec(`DROP TABLE IF EXISTS ${table}`);
  await target.exec(`DROP TABLE IF EXISTS "${table}"`);
  await source.close();
  await target.close();
  await registry.close();
  scratch.cleanup();
});

describe('transforms in a pipeline', () => {
  it('reshape rows on their way to the target', async () => {
    const name = uniqueName('smt');
    const document = mariadbToPostgresDocument(name, table, endpoints, registry.url, {
      source: {
        transforms: 'drop,when,stamp,qty,skipOthers',
        'transforms.drop.type': 'org.apache.kafka.connect.transforms.ReplaceField$Value',
        'transforms.drop.exclude': '_tidb_commit_ts',
        'transforms.drop.renames': 'customer:customer_name',
        'transforms.when.type': 'org.apache.kafka.connect.transforms.TimestampConverter$Value',
        'transforms.when.field': 'placed_text',
        'transforms.when.target.type': 'Timestamp',
        'transforms.when.format': 'yyyy-MM-dd HH:mm:ss',
        'transforms.stamp.type': 'org.apache.kafka.connect.transforms.InsertField$Value',
        'transforms.stamp.static.field': 'origin',
        'transforms.stamp.static.value': 'lab-mariadb',
        'transforms.qty.type': 'org.apache.kafka.connect.transforms.Cast$Value',
        'transforms.qty.spec': 'qty:float64',
        'transforms.skipOthers.type': 'org.apache.kafka.connect.transforms.Filter',
        'transforms.skipOthers.predicate': 'notOrders',
        predicates: 'notOrders',
        'predicates.notOrders.type': 'org.apache.kafka.connect.transforms.predicates.TopicNameMatches',
        'predicates.notOrders.pattern': `${name}_${table}`,
        'transforms.skipOthers.negate': 'true',
      },
      sink: { 'auto.create': 'true' },
    });
    expect(pipelineProblems(document)).toEqual([]);
    const runner = await startPipeline(document, scratch.dir());
    runners.push(runner);
    await waitForIdle(runner, 1_500);

    const rows = await target.exec(`SELECT id, customer_name, placed_text, qty, origin FROM "${table}" ORDER BY id`);
    expect(rows).toEqual([
      { id: 1, customer_name: 'ada', placed_text: new Date('2026-12-01T10:00:00Z'), qty: 3, origin: 'lab-mariadb' },
      { id: 2, customer_name: 'bob', placed_text: new Date('2026-12-02T11:30:00Z'), qty: 5, origin: 'lab-mariadb' },
    ]);
    const columns = await target.exec(`SELECT column_name, data_type FROM information_schema.columns WHERE table_name = ? ORDER BY column_name`, [table]);
    expect(columns.map((column) => `${String(column.column_name)}:${String(column.data_type)}`)).toEqual(
      expect.arrayContaining(['placed_text:timestamp without time zone', 'qty:double precision', 'origin:text']),
    );
    expect(columns.map((column) => column.column_name)).not.toContain('_tidb_commit_ts');
    await runner.stop();
  });
});
