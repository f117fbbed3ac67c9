import { createServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { RecordSchema } from '../../src/engine/model';
import type { PipelineRunner } from '../../src/engine/pipeline';
import { type EmbeddedSchemaRegistry, SchemaRegistryClient, startEmbeddedSchemaRegistry } from '../../src/engine/schema';
import { uniqueName } from '../helpers/names';
import {
  type ColumnSpec,
  columnNames,
  createTypedTableSql,
  type DbKind,
  dropTables,
  insertTypedRows,
  openDb,
  readCanonical,
  sqlTimestamp,
  type TestDb,
  TYPED_COLUMNS,
  typedRows,
} from '../helpers/pipelineDb';
import {
  type ConnectorConfig,
  describeStatus,
  jdbcConnection,
  KafkaScratch,
  MANAGED_SINK,
  MANAGED_SOURCE,
  managedConnection,
  modeKeys,
  pipelineDocument,
  Scratch,
  sinkGroup,
  startPipeline,
  waitForIdle,
} from '../helpers/pipelineHarness';
import { type OutgoingRecord, produceRecords, readMessages } from '../helpers/pipelineKafka';

// What the sink does with records beyond plain upserts, against the real lab: tombstones become deletes, a column
// added at the source evolves the registry schema and the target table, and a record that cannot be applied goes to
// the dead letter topic (errors.tolerance=all) or stops the connector at that record (errors.tolerance=none).

const endpoints = inject('labEndpoints');
const bootstrap = endpoints.kafka.a.bootstrap;
const SETTLE_MS = 1500;

let registry: EmbeddedSchemaRegistry;
const dbs = {} as Record<DbKind, TestDb>;
const scratch = new Scratch();
const kafka = new KafkaScratch(bootstrap);
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
  await kafka.cleanup();
  await Promise.all(Object.values(dbs).map((db) => db.close()));
  await registry?.close();
  scratch.cleanup();
});

async function run(document: ReturnType<typeof pipelineDocument>): Promise<PipelineRunner> {
  const runner = await startPipeline(document, scratch.dir());
  runners.push(runner);
  return runner;
}

function expectHealthy(runner: PipelineRunner): void {
  const status = runner.status();
  expect(status.connectors.map((c) => [c.name, c.state, c.metrics.deadLettered]), describeStatus(status)).toEqual(status.connectors.map((c) => [c.name, 'RUNNING', 0]));
}

/** A loopback port nothing listens on (bound, then released). */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise((resolve) => server.close(resolve));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

const ITEM_KEY: RecordSchema = { name: 'shop.ItemKey', fields: [{ name: 'id', type: { kind: 'int64' }, optional: false }] };
const ITEM: RecordSchema = {
  name: 'shop.Item',
  fields: [
    { name: 'id', type: { kind: 'int64' }, optional: false },
    { name: 'name', type: { kind: 'string' }, optional: true },
    { name: 'qty', type: { kind: 'int32' }, optional: false },
  ],
};
const ITEM_COLUMNS: ColumnSpec[] = [
  { name: 'id', kind: 'bigint' },
  { name: 'name', kind: 'text' },
  { name: 'qty', kind: 'int' },
];

const upsert = (id: number, name: string | null, qty: number, keyed = true): OutgoingRecord => ({
  ...(keyed ? { key: { schema: ITEM_KEY, row: { id: BigInt(id) } } } : {}),
  value: { schema: ITEM, row: { id: BigInt(id), name, qty } },
});
const tombstone = (id: number): OutgoingRecord => ({ key: { schema: ITEM_KEY, row: { id: BigInt(id) } }, value: null });

describe('deletes from tombstones (pk.mode=record_key, delete.enabled=true)', () => {
  const sinks: Record<DbKind, (topic: string, name: string) => ConnectorConfig> = {
    // Self-managed class into PostgreSQL: Avro key and value converters are the worker defaults.
    postgres: (topic, name) => ({
      name,
      'connector.class': 'io.confluent.connect.jdbc.JdbcSinkConnector',
      ...jdbcConnection('postgres', endpoints.postgres),
      topics: topic,
      'insert.mode': 'upsert',
      'pk.mode': 'record_key',
      'delete.enabled': 'true',
      'auto.create': 'true',
      'batch.size': '100',
    }),
    // Managed class into MariaDB: the key format must be named (input.key.format), as in Confluent Cloud.
    mariadb: (topic, name) => ({
      name,
      'connector.class': MANAGED_SINK.mariadb,
      ...managedConnection(endpoints.mariadb),
      topics: [topic],
      'input.data.format': 'AVRO',
      'input.key.format': 'AVRO',
      'insert.mode': 'UPSERT',
      'pk.mode': 'record_key',
      'pk.fields': 'id',
      'delete.enabled': 'true',
      'auto.create': 'true',
      'batch.sizes': '100',
    }),
  };

  it.each(['postgres', 'mariadb'] as DbKind[])('into %s: tombstones delete rows, a delete then re-insert in one batch keeps its order', async (kind) => {
    const topic = uniqueName('pl_tomb').toLowerCase();
    const sinkName = `${topic}-sink`;
    tables.push({ db: kind, table: topic });
    kafka.track({ groups: [sinkGroup(sinkName)], topics: [`dlq-${sinkName}`] });
    await kafka.createTopic(topic);
    await produceRecords(bootstrap, registry.url, topic, [
      ...[1, 2, 3, 4, 5, 6].map((id) => upsert(id, `item-${id} ✓`, id)),
      tombstone(2),
      tombstone(4),
      upsert(4, 'back again', 40),
      upsert(3, null, 33),
      tombstone(6),
      tombstone(99),
    ]);
    const runner = await run(pipelineDocument(topic, bootstrap, registry.url, [sinks[kind](topic, sinkName)]));
    await waitForIdle(runner, SETTLE_MS);
    expectHealthy(runner);
    expect(await readCanonical(dbs[kind], topic, ITEM_COLUMNS)).toEqual([
      ['1', 'item-1 ✓', '1'],
      ['3', null, '33'],
      ['4', 'back again', '40'],
      ['5', 'item-5 ✓', '5'],
    ]);

    // More tombstones while running, in separate batches.
    await produceRecords(bootstrap, registry.url, topic, [tombstone(1), upsert(7, 'seven', 7)]);
    await produceRecords(bootstrap, registry.url, topic, [tombstone(5)]);
    await waitForIdle(runner, SETTLE_MS);
    expectHealthy(runner);
    expect(await readCanonical(dbs[kind], topic, ITEM_COLUMNS)).toEqual([
      ['3', null, '33'],
      ['4', 'back again', '40'],
      ['7', 'seven', '7'],
    ]);
    await runner.stop();
  });
});

describe('schema evolution', () => {
  const DIRECTIONS: [DbKind, DbKind][] = [
    ['mariadb', 'postgres'],
    ['postgres', 'mariadb'],
  ];

  it.each(DIRECTIONS)('%s → %s: a column added at the source while running becomes a new schema version and a new target column', async (from, to) => {
    const id = uniqueName(`evo_${from[0]}${to[0]}`).toLowerCase();
    const topic = `pl_${id}`;
    const sourceName = `${id}-source`;
    const sinkName = `${id}-sink`;
    tables.push({ db: from, table: id }, { db: to, table: topic });
    kafka.track({ topics: [topic, `dlq-${sinkName}`], groups: [sinkGroup(sinkName)] });
    const source = dbs[from];
    const base = Date.now() - 600_000;
    await source.exec(createTypedTableSql(source, id));
    await insertTypedRows(source, id, typedRows(1, 6, base));
    const runner = await run(
      pipelineDocument(id, bootstrap, registry.url, [
        {
          name: sourceName,
          'connector.class': MANAGED_SOURCE[from],
          ...managedConnection(endpoints[from]),
          ...modeKeys('timestamp+incrementing'),
          'table.whitelist': [id],
          'topic.prefix': 'pl_',
          'poll.interval.ms': '200',
          'output.data.format': 'AVRO',
        },
        {
          name: sinkName,
          'connector.class': MANAGED_SINK[to],
          ...managedConnection(endpoints[to]),
          topics: [topic],
          'input.data.format': 'AVRO',
          'insert.mode': 'UPSERT',
          'pk.mode': 'record_value',
          'pk.fields': 'id',
          'auto.create': 'true',
          'auto.evolve': 'true',
        },
      ]),
    );
    await waitForIdle(runner, SETTLE_MS);
    expect(await readCanonical(dbs[to], topic)).toEqual(await readCanonical(source, id));

    if (from === 'mariadb') await source.exec(`ALTER TABLE ${source.q(id)} ADD COLUMN coupon VARCHAR(40) NULL, ADD COLUMN discount DECIMAL(8,2) NULL`);
    else await source.exec(`ALTER TABLE ${source.q(id)} ADD COLUMN coupon VARCHAR(40) NULL, ADD COLUMN discount NUMERIC(8,2) NULL`);
    await insertTypedRows(source, id, typedRows(7, 3, base + 100_000));
    await source.exec(`UPDATE ${source.q(id)} SET coupon = ?, discount = ?, updated_at = ? WHERE id IN (2, 8)`, ['SPRING-🌱', '-12.50', sqlTimestamp(base + 200_000)]);
    await waitForIdle(runner, SETTLE_MS);
    expectHealthy(runner);

    const subject = `${topic}-value`;
    const client = new SchemaRegistryClient({ url: registry.url });
    expect(await client.listVersions(subject)).toEqual([1, 2]);
    const latest = JSON.parse((await client.getLatestSchema(subject)).schema) as { fields: { name: string }[] };
    expect(latest.fields.map((field) => field.name)).toEqual([...TYPED_COLUMNS.map((c) => c.name), 'coupon', 'discount']);
    expect((await columnNames(dbs[to], topic)).map((name) => name.toLowerCase())).toEqual(expect.arrayContaining(['coupon', 'discount']));

    const evolved: ColumnSpec[] = [...TYPED_COLUMNS, { name: 'coupon', kind: 'text' }, { name: 'discount', kind: 'decimal' }];
    const sourceRows = await readCanonical(source, id, evolved);
    expect(await readCanonical(dbs[to], topic, evolved)).toEqual(sourceRows);
    // Rows written before the change and not touched since have no value in the new columns; the updated ones do.
    expect(sourceRows.map((row) => [row[0], row[9], row[10]])).toEqual([
      ['1', null, null],
      ['2', 'SPRING-🌱', '-12.50'],
      ['3', null, null],
      ['4', null, null],
      ['5', null, null],
      ['6', null, null],
      ['7', null, null],
      ['8', 'SPRING-🌱', '-12.50'],
      ['9', null, null],
    ]);
    await runner.stop();
  });
});

describe('poison records', () => {
  const notAvro = Buffer.from('{"id": 3, "qty": 3} is JSON, not Confluent Avro');

  async function targetTable(name: string): Promise<void> {
    tables.push({ db: 'postgres', table: name });
    await dbs.postgres.exec(`CREATE TABLE "${name}" (id BIGINT PRIMARY KEY, name TEXT, qty INT NOT NULL CONSTRAINT qty_not_negative CHECK (qty >= 0))`);
  }

  function strictSink(name: string, topic: string, extra: ConnectorConfig): ConnectorConfig {
    return {
      name,
      'connector.class': 'io.confluent.connect.jdbc.JdbcSinkConnector',
      ...jdbcConnection('postgres', endpoints.postgres),
      topics: topic,
      'insert.mode': 'upsert',
      'pk.mode': 'record_value',
      'pk.fields': 'id',
      'auto.create': 'false',
      'max.retries': '1',
      'retry.backoff.ms': '100',
      ...extra,
    };
  }

  it('errors.tolerance=all: bad bytes and a row the target refuses go to the dead letter topic with __connect.errors.* headers; the rest is applied', async () => {
    const topic = uniqueName('pl_dlq').toLowerCase();
    const dlq = `${topic}-dlq`;
    const sinkName = `${topic}-sink`;
    kafka.track({ topics: [dlq], groups: [sinkGroup(sinkName)] });
    await kafka.createTopic(topic);
    await targetTable(topic);
    await produceRecords(bootstrap, registry.url, topic, [
      upsert(1, 'one', 1, false),
      upsert(2, 'two', 2, false),
      { value: notAvro },
      upsert(3, 'three', 3, false),
      upsert(4, 'minus four', -4, false),
      upsert(5, 'five', 5, false),
      upsert(6, 'six', 6, false),
      // A value that is fine under a key that is not Avro: the key converter fails first, as in Connect.
      { key: Buffer.from('not an Avro key'), value: { schema: ITEM, row: { id: 7n, name: 'seven', qty: 7 } } },
    ]);
    const runner = await run(
      pipelineDocument(topic, bootstrap, registry.url, [
        strictSink(sinkName, topic, {
          'batch.size': '3',
          'errors.tolerance': 'all',
          'errors.deadletterqueue.topic.name': dlq,
          'errors.deadletterqueue.topic.replication.factor': '1',
          'errors.deadletterqueue.context.headers.enable': 'true',
        }),
      ]),
    );
    await waitForIdle(runner, SETTLE_MS);
    const sink = runner.status().connectors[0];
    expect(sink?.state, describeStatus(runner.status())).toBe('RUNNING');
    expect(sink?.metrics.deadLettered).toBe(3);
    expect(await readCanonical(dbs.postgres, topic, ITEM_COLUMNS)).toEqual([
      ['1', 'one', '1'],
      ['2', 'two', '2'],
      ['3', 'three', '3'],
      ['5', 'five', '5'],
      ['6', 'six', '6'],
    ]);
    // Everything was consumed: nothing is held back behind the bad records.
    expect((await kafka.committed(sinkGroup(sinkName), topic)).get(0)).toBe('8');

    const letters = await readMessages(bootstrap, dlq, 3);
    expect(letters).toHaveLength(3);
    const [converter, put, keyConverter] = letters;
    expect(converter?.value).toEqual(notAvro);
    expect(converter?.headers).toMatchObject({
      '__connect.errors.topic': topic,
      '__connect.errors.partition': '0',
      '__connect.errors.offset': '2',
      '__connect.errors.connector.name': sinkName,
      '__connect.errors.stage': 'VALUE_CONVERTER',
    });
    expect(converter?.headers['__connect.errors.exception.message']).toContain(`${topic}[0]@2`);
    expect(put?.headers).toMatchObject({
      '__connect.errors.topic': topic,
      '__connect.errors.partition': '0',
      '__connect.errors.offset': '4',
      '__connect.errors.connector.name': sinkName,
      '__connect.errors.stage': 'TASK_PUT',
    });
    expect(put?.headers['__connect.errors.exception.message']).toMatch(/qty_not_negative/);
    expect(put?.headers['__connect.errors.exception.class.name']).toBeTruthy();
    // The original bytes, so the record can be replayed once the target is fixed.
    expect(put?.value?.subarray(0, 1)).toEqual(Buffer.from([0]));
    expect(keyConverter?.key).toEqual(Buffer.from('not an Avro key'));
    expect(keyConverter?.headers).toMatchObject({ '__connect.errors.offset': '7', '__connect.errors.stage': 'KEY_CONVERTER' });
    expect(keyConverter?.headers['__connect.errors.exception.message']).toContain(`${topic}[0]@7`);
    await runner.stop();
  });

  it('errors.tolerance=none: a row the target refuses fails the connector with the root cause and its offset is not committed; fixed, a restart applies it', async () => {
    const topic = uniqueName('pl_none').toLowerCase();
    const sinkName = `${topic}-sink`;
    kafka.track({ groups: [sinkGroup(sinkName)] });
    await kafka.createTopic(topic);
    await targetTable(topic);
    await produceRecords(bootstrap, registry.url, topic, [1, 2, 3, -4, 5, 6].map((qty, index) => upsert(index + 1, `row ${index + 1}`, qty, false)));
    const document = pipelineDocument(topic, bootstrap, registry.url, [strictSink(sinkName, topic, { 'batch.size': '1' })]);
    const runner = await run(document);
    await expect(runner.waitUntilIdle({ settleMs: SETTLE_MS })).rejects.toThrow(/qty_not_negative/);
    const sink = runner.status().connectors[0];
    expect(sink?.state).toBe('FAILED');
    expect(sink?.error?.message).toMatch(new RegExp(`${topic}\\[0\\]@3`));
    await runner.stop();
    // The poison record is offset 3: everything before it is applied and committed, nothing after it.
    expect((await kafka.committed(sinkGroup(sinkName), topic)).get(0)).toBe('3');
    expect((await readCanonical(dbs.postgres, topic, ITEM_COLUMNS)).map((row) => row[0])).toEqual(['1', '2', '3']);

    // The DBA relaxes the constraint; the restarted connector resumes at the poison record, so nothing was skipped.
    await dbs.postgres.exec(`ALTER TABLE "${topic}" DROP CONSTRAINT qty_not_negative`);
    const again = await run(document);
    await waitForIdle(again, SETTLE_MS);
    expectHealthy(again);
    expect(await readCanonical(dbs.postgres, topic, ITEM_COLUMNS)).toEqual([
      ['1', 'row 1', '1'],
      ['2', 'row 2', '2'],
      ['3', 'row 3', '3'],
      ['4', 'row 4', '-4'],
      ['5', 'row 5', '5'],
      ['6', 'row 6', '6'],
    ]);
    expect((await kafka.committed(sinkGroup(sinkName), topic)).get(0)).toBe('6');
    await again.stop();
  });

  it('errors.tolerance=none: bytes that are not Avro fail the connector at that offset, again after a restart', async () => {
    const topic = uniqueName('pl_nav').toLowerCase();
    const sinkName = `${topic}-sink`;
    kafka.track({ groups: [sinkGroup(sinkName)] });
    await kafka.createTopic(topic);
    await targetTable(topic);
    await produceRecords(bootstrap, registry.url, topic, [upsert(1, 'one', 1, false), { value: notAvro }, upsert(3, 'three', 3, false)]);
    const document = pipelineDocument(topic, bootstrap, registry.url, [strictSink(sinkName, topic, { 'batch.size': '10' })]);
    for (let attempt = 0; attempt < 2; attempt++) {
      const runner = await run(document);
      await expect(runner.waitUntilIdle({ settleMs: SETTLE_MS })).rejects.toThrow(new RegExp(`${topic}\\[0\\]@1`));
      expect(runner.status().connectors[0]?.state).toBe('FAILED');
      await runner.stop();
      // A batch holding the bad record is not applied at all, and its offset is never committed.
      expect((await kafka.committed(sinkGroup(sinkName), topic)).get(0)).toBe('-1');
      expect(await readCanonical(dbs.postgres, topic, ITEM_COLUMNS)).toEqual([]);
    }
  });

  it('an unreachable target is not a poison record: with errors.tolerance=all nothing is dead-lettered, the connector fails with the cause', async () => {
    const topic = uniqueName('pl_down').toLowerCase();
    const sinkName = `${topic}-sink`;
    const dlq = `dlq-${sinkName}`;
    kafka.track({ topics: [dlq], groups: [sinkGroup(sinkName)] });
    await kafka.createTopic(topic);
    await produceRecords(bootstrap, registry.url, topic, [upsert(1, 'one', 1, false), upsert(2, 'two', 2, false)]);
    const port = await closedPort();
    // A managed sink: errors.tolerance defaults to all with a dlq-<name> topic, as in Confluent Cloud.
    const runner = await run(
      pipelineDocument(topic, bootstrap, registry.url, [
        {
          name: sinkName,
          'connector.class': MANAGED_SINK.postgres,
          ...managedConnection({ ...endpoints.postgres, port }),
          topics: [topic],
          'input.data.format': 'AVRO',
          'insert.mode': 'UPSERT',
          'pk.mode': 'record_value',
          'pk.fields': 'id',
          'auto.create': 'true',
          'max.retries': '1',
          'retry.backoff.ms': '100',
        },
      ]),
    );
    await expect(runner.waitUntilIdle({ settleMs: SETTLE_MS })).rejects.toThrow(new RegExp(`connection refused: nothing listens on 127\\.0\\.0\\.1:${port}`));
    const sink = runner.status().connectors[0];
    expect(sink?.state).toBe('FAILED');
    expect(sink?.metrics.deadLettered).toBe(0);
    await runner.stop();
    expect((await kafka.committed(sinkGroup(sinkName), topic)).get(0)).toBe('-1');
  });
});
