import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { PipelineRunner } from '../../src/engine/pipeline';
import { type EmbeddedSchemaRegistry, startEmbeddedSchemaRegistry } from '../../src/engine/schema';
import { ConnectWorker, ensureConnectRuntime } from '../helpers/connectRuntime';
import { uniqueName } from '../helpers/names';
import { openDb, type TestDb } from '../helpers/pipelineDb';
import { KafkaScratch, pipelineDocument, pipelineProblems, Scratch, sinkGroup, startPipeline, waitForIdle } from '../helpers/pipelineHarness';
import { readMessages } from '../helpers/pipelineKafka';
import { until } from '../helpers/until';

// Interoperability with a client no one here wrote: Kafka Connect standalone from Maven Central jars, with the real
// Debezium plugins, on the shared lab's Kafka. Connect here converts with JsonConverter (schemas.enable=true), as
// Confluent's AvroConverter is not on Maven Central, so Ferry speaks that format on both sides:
//  (a) Ferry's MariaDB log source → topic → Debezium's JDBC sink in Connect → PostgreSQL;
//  (b) Debezium's MariaDbConnector in Connect → topic → Ferry's JDBC sink with ExtractNewRecordState → PostgreSQL.
// Each time the PostgreSQL table ends equal to the MariaDB source after inserts, updates, deletes and a key change.

const endpoints = inject('labEndpoints');
const bootstrap = endpoints.kafka.a.bootstrap;
const database = endpoints.mariadb.database;
const jdbcUrl = `jdbc:postgresql://${endpoints.postgres.host}:${endpoints.postgres.port}/${endpoints.postgres.database}`;
const json = {
  'key.converter': 'org.apache.kafka.connect.json.JsonConverter',
  'key.converter.schemas.enable': 'true',
  'value.converter': 'org.apache.kafka.connect.json.JsonConverter',
  'value.converter.schemas.enable': 'true',
};

let registry: EmbeddedSchemaRegistry;
let worker: ConnectWorker;
const dbs = {} as { mariadb: TestDb; postgres: TestDb };
const scratch = new Scratch();
const kafka = new KafkaScratch(bootstrap);
const cleanups: (() => Promise<unknown>)[] = [];
const runners: PipelineRunner[] = [];
const connectors: string[] = [];

beforeAll(async () => {
  // Fetched once into Ferry's cache (a few seconds when Maven's repository already holds the jars).
  const runtime = await ensureConnectRuntime();
  worker = await ConnectWorker.start({ bootstrap, dir: scratch.dir('ferry-connect-'), runtime });
  registry = await startEmbeddedSchemaRegistry();
  dbs.mariadb = await openDb('mariadb', endpoints.mariadb);
  dbs.postgres = await openDb('postgres', endpoints.postgres);
});

afterAll(async () => {
  for (const runner of runners) await runner.stop().catch(() => undefined);
  for (const name of connectors) await worker?.deleteConnector(name);
  await worker?.stop();
  for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
  await kafka.cleanup().catch(() => undefined);
  await dbs.mariadb?.close();
  await dbs.postgres?.close();
  await registry?.close();
  scratch.cleanup();
});

/** Rows as canonical text on both databases: id, name, amount with its scale, day, and the instant to the millisecond. */
async function canonical(db: TestDb, table: string): Promise<string[]> {
  const sql =
    db.kind === 'mariadb'
      ? `SELECT id, customer, CAST(amount AS CHAR) AS amount, DATE_FORMAT(due, '%Y-%m-%d') AS due, LEFT(DATE_FORMAT(placed_at, '%Y-%m-%d %H:%i:%s.%f'), 23) AS placed_at FROM \`${table}\` ORDER BY id`
      : `SELECT id, customer, amount::text AS amount, to_char(due, 'YYYY-MM-DD') AS due, to_char(placed_at, 'YYYY-MM-DD HH24:MI:SS.MS') AS placed_at FROM "${table}" ORDER BY id`;
  const rows = await db.exec(sql);
  return rows.map((row) => [row.id, row.customer, row.amount, row.due, row.placed_at].map((value) => String(value)).join('|'));
}

async function createSource(table: string): Promise<void> {
  await dbs.mariadb.exec(
    `CREATE TABLE \`${table}\` (id INT PRIMARY KEY, customer VARCHAR(40) NOT NULL, amount DECIMAL(10,2) NOT NULL, due DATE NULL, placed_at DATETIME(3) NULL)`,
  );
  cleanups.push(
    () => dbs.mariadb.exec(`DROP TABLE IF EXISTS \`${table}\``),
    () => dbs.postgres.exec(`DROP TABLE IF EXISTS "${table}"`),
  );
  await dbs.mariadb.exec(
    `INSERT INTO \`${table}\` VALUES (1, 'ada', 10.50, '2026-01-31', '2026-12-05 10:00:00.125'), (2, 'bob', 20.00, NULL, '2026-12-05 11:00:00.000'), (3, 'cy', -30.25, '1999-12-31', NULL)`,
  );
}

/** Inserts, updates, a delete and a primary-key change, made while the pipeline runs. */
async function changeSource(table: string): Promise<void> {
  const source = dbs.mariadb;
  await source.exec(`INSERT INTO \`${table}\` VALUES (4, 'dee', 40.00, '2026-02-28', '2026-12-05 12:34:56.789')`);
  await source.exec(`UPDATE \`${table}\` SET amount = 11.75, placed_at = '2026-12-06 00:00:00.001' WHERE id = 1`);
  await source.exec(`DELETE FROM \`${table}\` WHERE id = 2`);
  await source.exec(`UPDATE \`${table}\` SET id = 30 WHERE id = 3`);
  await source.exec(`INSERT INTO \`${table}\` VALUES (5, 'eve', 0.01, NULL, NULL)`);
}

/** Waits until the PostgreSQL target equals the MariaDB source, failing with both tables and the connector's state. */
async function untilTargetEqualsSource(table: string, connector: string): Promise<void> {
  let last = { source: [] as string[], target: [] as string[] };
  await until(
    async () => {
      await worker.assertNotFailed(connector);
      const target = await canonical(dbs.postgres, table).catch(() => []);
      last = { source: await canonical(dbs.mariadb, table), target };
      return JSON.stringify(last.source) === JSON.stringify(last.target);
    },
    async () => `PostgreSQL ${table} to equal MariaDB: source ${JSON.stringify(last.source)}, target ${JSON.stringify(last.target)}, ${connector}: ${JSON.stringify(await worker.status(connector))}`,
    60_000,
  );
}

interface ConnectSchemaNode {
  type: string;
  optional?: boolean;
  name?: string;
  version?: number;
  parameters?: Record<string, string>;
  default?: unknown;
  field?: string;
  fields?: ConnectSchemaNode[];
}

interface ConnectEnvelope {
  schema: ConnectSchemaNode;
  payload: { after: Record<string, unknown> | null };
}

/** The `after` struct of a change event's schema, without its record name (which carries the topic prefix). */
function rowSchemaOf(event: ConnectEnvelope): { fields: ConnectSchemaNode[] } {
  const after = event.schema.fields?.find((field) => field.field === 'after');
  return { fields: (after?.fields ?? []).map((field) => ({ ...field, optional: field.optional ?? false })) };
}

/**
 * Confluent's AvroData.fromConnectSchema for the primitive and named-primitive fields of a Connect struct: optional
 * as ["null", T] with default null; connect.type for int8/int16; then connect.version, connect.parameters and
 * connect.name; Connect's Decimal as bytes with scale, precision and logicalType decimal.
 */
function avroFieldsOf(fields: ConnectSchemaNode[]): unknown[] {
  const primitive: Record<string, string> = { int8: 'int', int16: 'int', int32: 'int', int64: 'long', float: 'float', double: 'double', boolean: 'boolean', string: 'string', bytes: 'bytes' };
  return fields.map((field) => {
    let type: unknown = primitive[field.type];
    if (field.name !== undefined || field.type === 'int8' || field.type === 'int16') {
      const node: Record<string, unknown> = { type: primitive[field.type] };
      if (field.type === 'int8' || field.type === 'int16') node['connect.type'] = field.type;
      if (field.name === 'org.apache.kafka.connect.data.Decimal') {
        node.scale = Number(field.parameters?.scale);
        node.precision = Number(field.parameters?.['connect.decimal.precision'] ?? 64);
      }
      if (field.version !== undefined) node['connect.version'] = field.version;
      if (field.parameters !== undefined) node['connect.parameters'] = field.parameters;
      if (field.name !== undefined) node['connect.name'] = field.name;
      if (field.name === 'org.apache.kafka.connect.data.Decimal') node.logicalType = 'decimal';
      type = node;
    }
    return field.optional ? { name: field.field, type: ['null', type], default: null } : { name: field.field, type };
  });
}

describe('Kafka Connect with the real Debezium plugins (JsonConverter with schemas)', () => {
  it("runs Debezium's JDBC sink on a topic Ferry's MariaDB log source wrote, and PostgreSQL ends equal to MariaDB", async () => {
    const table = uniqueName('interop_ferry');
    const prefix = uniqueName('ferrysrc');
    const topic = `${prefix}.${database}.${table}`;
    await createSource(table);
    // The data topic and the schema change topic (include.schema.changes).
    kafka.track({ topics: [topic, prefix] });

    const document = pipelineDocument(`${prefix}-pipeline`, bootstrap, registry.url, [
      {
        name: `${prefix}-source`,
        'connector.class': 'io.debezium.connector.mariadb.MariaDbConnector',
        'database.hostname': endpoints.mariadb.host,
        'database.port': String(endpoints.mariadb.port),
        'database.user': endpoints.mariadb.user,
        'database.password': endpoints.mariadb.password,
        'database.server.id': String(185_000 + Math.floor(Math.random() * 10_000)),
        'topic.prefix': prefix,
        'database.include.list': database,
        'table.include.list': `${database}\\.${table}`,
        'time.precision.mode': 'connect',
        ...json,
      },
    ]);
    expect(pipelineProblems(document).filter((problem) => problem.severity === 'error')).toEqual([]);
    const runner = await startPipeline(document, scratch.dir());
    runners.push(runner);
    await waitForIdle(runner, 1_000, 60_000);

    const sink = `${prefix}-dbz-sink`;
    connectors.push(sink);
    kafka.track({ groups: [sinkGroup(sink)] });
    await worker.createConnector(sink, {
      'connector.class': 'io.debezium.connector.jdbc.JdbcSinkConnector',
      'tasks.max': '1',
      topics: topic,
      'connection.url': jdbcUrl,
      'connection.username': endpoints.postgres.user,
      'connection.password': endpoints.postgres.password,
      'insert.mode': 'upsert',
      'primary.key.mode': 'record_key',
      'delete.enabled': 'true',
      'schema.evolution': 'basic',
      'collection.name.format': table,
    });
    await untilTargetEqualsSource(table, sink);

    await changeSource(table);
    await waitForIdle(runner, 1_000, 60_000);
    await untilTargetEqualsSource(table, sink);
    expect(await canonical(dbs.postgres, table)).toEqual([
      '1|ada|11.75|2026-01-31|2026-12-06 00:00:00.001',
      '4|dee|40.00|2026-02-28|2026-12-05 12:34:56.789',
      '5|eve|0.01|null|null',
      '30|cy|-30.25|1999-12-31|null',
    ]);
  }, 150_000);

  it("runs Ferry's JDBC sink (ExtractNewRecordState) on a topic Debezium's MariaDbConnector wrote, and PostgreSQL ends equal to MariaDB", async () => {
    const table = uniqueName('interop_dbz');
    const prefix = uniqueName('dbzsrc');
    const topic = `${prefix}.${database}.${table}`;
    const history = `${prefix}.schema-history`;
    await createSource(table);
    kafka.track({ topics: [topic, history, prefix] });

    const source = `${prefix}-dbz-source`;
    connectors.push(source);
    await worker.createConnector(source, {
      'connector.class': 'io.debezium.connector.mariadb.MariaDbConnector',
      'tasks.max': '1',
      'database.hostname': endpoints.mariadb.host,
      'database.port': String(endpoints.mariadb.port),
      'database.user': endpoints.mariadb.user,
      'database.password': endpoints.mariadb.password,
      'database.server.id': String(195_000 + Math.floor(Math.random() * 10_000)),
      'database.ssl.mode': 'disable',
      'topic.prefix': prefix,
      'database.include.list': database,
      'table.include.list': `${database}\\.${table}`,
      // The lab's user has no RELOAD privilege for FLUSH TABLES WITH READ LOCK; nothing writes during the snapshot.
      'snapshot.locking.mode': 'none',
      'include.schema.changes': 'false',
      'schema.history.internal.kafka.bootstrap.servers': bootstrap,
      'schema.history.internal.kafka.topic': history,
    });
    const admin = await kafka.connect();
    await until(
      async () => {
        await worker.assertNotFailed(source);
        return (await admin.listTopics()).includes(topic);
      },
      async () => `Debezium to create ${topic}: ${JSON.stringify(await worker.status(source))}`,
      60_000,
    );

    const document = pipelineDocument(`${prefix}-pipeline`, bootstrap, registry.url, [
      {
        name: `${prefix}-sink`,
        'connector.class': 'io.confluent.connect.jdbc.JdbcSinkConnector',
        'connection.url': jdbcUrl,
        'connection.user': endpoints.postgres.user,
        'connection.password': endpoints.postgres.password,
        topics: topic,
        'table.name.format': table,
        'insert.mode': 'upsert',
        'pk.mode': 'record_key',
        'delete.enabled': 'true',
        'auto.create': 'true',
        transforms: 'unwrap',
        'transforms.unwrap.type': 'io.debezium.transforms.ExtractNewRecordState',
        'transforms.unwrap.drop.tombstones': 'false',
        ...json,
      },
    ]);
    expect(pipelineProblems(document).filter((problem) => problem.severity === 'error')).toEqual([]);
    kafka.track({ groups: [sinkGroup(`${prefix}-sink`)] });
    const runner = await startPipeline(document, scratch.dir());
    runners.push(runner);
    await untilTargetEqualsSource(table, source);

    await changeSource(table);
    await untilTargetEqualsSource(table, source);
    expect(await canonical(dbs.postgres, table)).toEqual([
      '1|ada|11.75|2026-01-31|2026-12-06 00:00:00.001',
      '4|dee|40.00|2026-02-28|2026-12-05 12:34:56.789',
      '5|eve|0.01|null|null',
      '30|cy|-30.25|1999-12-31|null',
    ]);
  }, 150_000);
  it("writes Debezium's own schema and values for every column type (default time.precision.mode), registers the Avro schema AvroData derives from it, and both JDBC sinks create timestamp columns", async () => {
    const table = uniqueName('interop_types');
    const dbz = uniqueName('dbztypes');
    const ferry = uniqueName('ferrytypes');
    const topicOf = (prefix: string): string => `${prefix}.${database}.${table}`;
    await dbs.mariadb.exec(
      `CREATE TABLE \`${table}\` (id INT PRIMARY KEY, tiny TINYINT NOT NULL, small_u SMALLINT UNSIGNED NULL, medium MEDIUMINT NULL, int_u INT UNSIGNED NULL, big BIGINT NULL, big_u BIGINT UNSIGNED NULL, ` +
        `flag BIT(1) NULL, bits BIT(12) NULL, price DECIMAL(10,2) NULL, ratio FLOAT NULL, dbl DOUBLE NULL, day DATE NULL, clock TIME(6) NULL, clock0 TIME NULL, ` +
        `dt DATETIME NULL, dt3 DATETIME(3) NULL, dt6 DATETIME(6) NULL, ts TIMESTAMP(6) NULL, ts0 TIMESTAMP NULL, yr YEAR NULL, mood ENUM('sad','ok','happy') NULL, tags SET('a','b','c') NULL, ` +
        `doc JSON NULL, name VARCHAR(20) NULL, blob_col VARBINARY(8) NULL)`,
    );
    cleanups.push(
      () => dbs.mariadb.exec(`DROP TABLE IF EXISTS \`${table}\``),
      () => dbs.postgres.exec(`DROP TABLE IF EXISTS "${table}"`),
      () => dbs.postgres.exec(`DROP TABLE IF EXISTS "${table}_ferry"`),
    );
    await dbs.mariadb.exec(
      `INSERT INTO \`${table}\` VALUES (1, -7, 65000, -8000000, 4000000000, -9007199254740993, 18446744073709551615, b'1', b'101000000011', 12345678.91, 1.5, 2.25, '2026-01-31', '23:59:58.123456', '01:02:03', ` +
        `'2026-12-05 10:00:01', '2026-12-05 10:00:00.125', '1969-12-31 23:59:59.999501', '2026-12-05 10:00:00.123456', '2026-12-05 10:00:00', 2026, 'happy', 'a,c', '{"k": [1, 2]}', 'ada', X'00ff10')`,
    );
    await dbs.mariadb.exec(`INSERT INTO \`${table}\` (id, tiny) VALUES (2, 0)`);
    kafka.track({ topics: [topicOf(dbz), topicOf(ferry), topicOf(`${ferry}a`), `${dbz}.schema-history`, dbz] });

    // Debezium's MariaDbConnector with its defaults (time.precision.mode=adaptive_time_microseconds, decimal precise).
    const source = `${dbz}-source`;
    connectors.push(source);
    await worker.createConnector(source, {
      'connector.class': 'io.debezium.connector.mariadb.MariaDbConnector',
      'tasks.max': '1',
      'database.hostname': endpoints.mariadb.host,
      'database.port': String(endpoints.mariadb.port),
      'database.user': endpoints.mariadb.user,
      'database.password': endpoints.mariadb.password,
      'database.server.id': String(175_000 + Math.floor(Math.random() * 10_000)),
      'database.ssl.mode': 'disable',
      'topic.prefix': dbz,
      'database.include.list': database,
      'table.include.list': `${database}\\.${table}`,
      'snapshot.locking.mode': 'none',
      'include.schema.changes': 'false',
      'schema.history.internal.kafka.bootstrap.servers': bootstrap,
      'schema.history.internal.kafka.topic': `${dbz}.schema-history`,
      ...json,
    });
    // Ferry's log source twice with the same (default) modes: Connect JSON like Debezium here, and Avro into the registry.
    const ferrySource = (prefix: string, converters: Record<string, string>): Record<string, string> => ({
      name: `${prefix}-source`,
      'connector.class': 'io.debezium.connector.mariadb.MariaDbConnector',
      'database.hostname': endpoints.mariadb.host,
      'database.port': String(endpoints.mariadb.port),
      'database.user': endpoints.mariadb.user,
      'database.password': endpoints.mariadb.password,
      'database.server.id': String(165_000 + Math.floor(Math.random() * 10_000)),
      'topic.prefix': prefix,
      'database.include.list': database,
      'table.include.list': `${database}\\.${table}`,
      ...converters,
    });
    const document = pipelineDocument(`${ferry}-pipeline`, bootstrap, registry.url, [ferrySource(ferry, json), ferrySource(`${ferry}a`, {})]);
    expect(pipelineProblems(document).filter((problem) => problem.severity === 'error')).toEqual([]);
    const runner = await startPipeline(document, scratch.dir());
    runners.push(runner);
    await waitForIdle(runner, 500, 60_000);

    const admin = await kafka.connect();
    await until(
      async () => {
        await worker.assertNotFailed(source);
        return (await admin.listTopics()).includes(topicOf(dbz));
      },
      async () => `Debezium to create ${topicOf(dbz)}: ${JSON.stringify(await worker.status(source))}`,
      60_000,
    );
    const [dbzEvents, ferryEvents] = await Promise.all([readMessages(bootstrap, topicOf(dbz), 2, 60_000), readMessages(bootstrap, topicOf(ferry), 2, 30_000)]);
    const parsed = (messages: { value: Buffer | null }[]): ConnectEnvelope[] => messages.map((message) => JSON.parse(String(message.value)) as ConnectEnvelope);
    const dbzJson = parsed(dbzEvents);
    const ferryJson = parsed(ferryEvents);
    // The row image's schema: every field's type, optionality, semantic name, version and parameters, as Debezium wrote them.
    expect(rowSchemaOf(dbzJson[0] as ConnectEnvelope).fields).toHaveLength(26);
    expect(rowSchemaOf(ferryJson[0] as ConnectEnvelope)).toEqual(rowSchemaOf(dbzJson[0] as ConnectEnvelope));
    // And the values of each row, field by field.
    for (const id of [1, 2]) {
      const row = (events: ConnectEnvelope[]): unknown => events.find((event) => event.payload.after?.id === id)?.payload.after;
      expect(row(dbzJson), `Debezium's row ${id}`).toBeDefined();
      expect(row(ferryJson), `row ${id}`).toEqual(row(dbzJson));
    }

    // The Avro schema Ferry registered for the same table is what Confluent's AvroData makes of Debezium's schema.
    const subject = encodeURIComponent(`${topicOf(`${ferry}a`)}-value`);
    const registered = (await (await fetch(`${registry.url}/subjects/${subject}/versions/latest`)).json()) as { schema: string };
    const envelope = JSON.parse(registered.schema) as { fields: { name: string; type: unknown }[] };
    const before = envelope.fields.find((field) => field.name === 'before')?.type as [string, { fields: unknown[] }];
    expect(before[1].fields).toEqual(avroFieldsOf(rowSchemaOf(dbzJson[0] as ConnectEnvelope).fields));

    // Debezium's JDBC sink reads Ferry's topic; Ferry's JDBC sink reads Ferry's Avro topic. Both create timestamp columns.
    const sink = `${ferry}-dbz-sink`;
    connectors.push(sink);
    kafka.track({ groups: [sinkGroup(sink), sinkGroup(`${ferry}-sink`)] });
    await worker.createConnector(sink, {
      'connector.class': 'io.debezium.connector.jdbc.JdbcSinkConnector',
      'tasks.max': '1',
      topics: topicOf(ferry),
      'connection.url': jdbcUrl,
      'connection.username': endpoints.postgres.user,
      'connection.password': endpoints.postgres.password,
      'insert.mode': 'upsert',
      'primary.key.mode': 'record_key',
      'delete.enabled': 'true',
      'schema.evolution': 'basic',
      'collection.name.format': table,
    });
    const sinkDocument = pipelineDocument(`${ferry}-sink-pipeline`, bootstrap, registry.url, [
      {
        name: `${ferry}-sink`,
        'connector.class': 'io.confluent.connect.jdbc.JdbcSinkConnector',
        'connection.url': jdbcUrl,
        'connection.user': endpoints.postgres.user,
        'connection.password': endpoints.postgres.password,
        topics: topicOf(`${ferry}a`),
        'table.name.format': `${table}_ferry`,
        'insert.mode': 'upsert',
        'pk.mode': 'record_key',
        'delete.enabled': 'true',
        'auto.create': 'true',
        transforms: 'unwrap',
        'transforms.unwrap.type': 'io.debezium.transforms.ExtractNewRecordState',
        'transforms.unwrap.drop.tombstones': 'false',
      },
    ]);
    const sinkRunner = await startPipeline(sinkDocument, scratch.dir());
    runners.push(sinkRunner);
    const temporal = `SELECT id, to_char(day, 'YYYY-MM-DD') AS day, to_char(dt, 'YYYY-MM-DD HH24:MI:SS') AS dt, to_char(dt3, 'YYYY-MM-DD HH24:MI:SS.MS') AS dt3, price::text AS price`;
    for (const target of [table, `${table}_ferry`]) {
      await until(
        async () => (await dbs.postgres.exec(`SELECT count(*)::int AS n FROM "${target}"`).catch(() => [{ n: 0 }]))[0]?.n === 2,
        async () => `${target} to hold 2 rows: ${JSON.stringify(await worker.status(sink))}`,
        60_000,
      );
      const types = await dbs.postgres.exec(`SELECT column_name, data_type FROM information_schema.columns WHERE table_name = $1 AND column_name IN ('day', 'dt', 'dt3', 'dt6') ORDER BY column_name`, [target]);
      expect(types.map((row) => `${String(row.column_name)} ${String(row.data_type)}`), target).toEqual([
        'day date',
        'dt timestamp without time zone',
        'dt3 timestamp without time zone',
        'dt6 timestamp without time zone',
      ]);
      expect(await dbs.postgres.exec(`${temporal} FROM "${target}" ORDER BY id`), target).toEqual([
        { id: 1, day: '2026-01-31', dt: '2026-12-05 10:00:01', dt3: '2026-12-05 10:00:00.125', price: '12345678.91' },
        { id: 2, day: null, dt: null, dt3: null, price: null },
      ]);
    }
  }, 180_000);
  it("writes Debezium's own schema and values for PostgreSQL column types (time.precision.mode=adaptive), as Debezium's PostgresConnector does", async () => {
    const table = uniqueName('interop_pgtypes');
    const dbz = uniqueName('dbzpg');
    const ferry = uniqueName('ferrypg');
    const slots = [uniqueName('dbz_slot'), uniqueName('ferry_slot')];
    const publications = [uniqueName('dbz_pub'), uniqueName('ferry_pub')];
    const topicOf = (prefix: string): string => `${prefix}.public.${table}`;
    await dbs.postgres.exec(
      `CREATE TABLE "${table}" (id int PRIMARY KEY, small smallint, big bigint NOT NULL, price numeric(10,2), ratio real, dbl double precision, flag boolean, ` +
        `day date, clock time, clock3 time(3), at timestamp, at3 timestamp(3), zoned timestamptz, uid uuid, doc json, docb jsonb, name text, raw bytea, one bit(1), bits bit(12))`,
    );
    cleanups.push(() => dbs.postgres.exec(`DROP TABLE IF EXISTS "${table}"`));
    for (const [index, slot] of slots.entries()) {
      cleanups.push(
        () => dbs.postgres.exec('SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name = $1 AND NOT active', [slot]),
        () => dbs.postgres.exec(`DROP PUBLICATION IF EXISTS "${publications[index] ?? ''}"`),
      );
    }
    await dbs.postgres.exec(
      `INSERT INTO "${table}" VALUES (1, -7, -9007199254740993, 12345678.91, 1.5, 2.25, true, '2026-01-31', '23:59:58.123456', '10:00:00.25', '1969-12-31 23:59:59.999501', ` +
        `'2026-12-05 10:00:00.125', '2026-12-05 11:00:00.123456+01', '0e3b1a2c-0000-4000-8000-000000000001', '{"k": [1, 2]}', '{"k": [1, 2]}', 'ada', '\\x00ff10', B'1', B'101000000011')`,
    );
    await dbs.postgres.exec(`INSERT INTO "${table}" (id, big) VALUES (2, 0)`);
    kafka.track({ topics: [topicOf(dbz), topicOf(ferry)] });
    const common = {
      'database.hostname': endpoints.postgres.host,
      'database.port': String(endpoints.postgres.port),
      'database.user': endpoints.postgres.user,
      'database.password': endpoints.postgres.password,
      'database.dbname': endpoints.postgres.database,
      'table.include.list': `public\\.${table}`,
      'plugin.name': 'pgoutput',
      'publication.autocreate.mode': 'filtered',
      ...json,
    };
    const source = `${dbz}-source`;
    connectors.push(source);
    await worker.createConnector(source, {
      'connector.class': 'io.debezium.connector.postgresql.PostgresConnector',
      'tasks.max': '1',
      'topic.prefix': dbz,
      'slot.name': slots[0] ?? '',
      'publication.name': publications[0] ?? '',
      ...common,
    });
    const document = pipelineDocument(`${ferry}-pipeline`, bootstrap, registry.url, [
      { name: `${ferry}-source`, 'connector.class': 'io.debezium.connector.postgresql.PostgresConnector', 'topic.prefix': ferry, 'slot.name': slots[1] ?? '', 'publication.name': publications[1] ?? '', ...common },
    ]);
    expect(pipelineProblems(document).filter((problem) => problem.severity === 'error')).toEqual([]);
    const runner = await startPipeline(document, scratch.dir());
    runners.push(runner);
    await waitForIdle(runner, 500, 60_000);
    const admin = await kafka.connect();
    await until(
      async () => {
        await worker.assertNotFailed(source);
        return (await admin.listTopics()).includes(topicOf(dbz));
      },
      async () => `Debezium to create ${topicOf(dbz)}: ${JSON.stringify(await worker.status(source))}`,
      60_000,
    );
    const [dbzEvents, ferryEvents] = await Promise.all([readMessages(bootstrap, topicOf(dbz), 2, 60_000), readMessages(bootstrap, topicOf(ferry), 2, 30_000)]);
    await worker.deleteConnector(source);
    const parsed = (messages: { value: Buffer | null }[]): ConnectEnvelope[] => messages.map((message) => JSON.parse(String(message.value)) as ConnectEnvelope);
    const dbzJson = parsed(dbzEvents);
    const ferryJson = parsed(ferryEvents);
    if (process.env.FERRY_DUMP_DBZ) (await import('node:fs')).writeFileSync(process.env.FERRY_DUMP_DBZ, JSON.stringify(dbzJson, null, 1));
    expect(rowSchemaOf(dbzJson[0] as ConnectEnvelope).fields.map((field) => field.field)).toHaveLength(20);
    expect(rowSchemaOf(ferryJson[0] as ConnectEnvelope)).toEqual(rowSchemaOf(dbzJson[0] as ConnectEnvelope));
    for (const id of [1, 2]) {
      const row = (events: ConnectEnvelope[]): unknown => events.find((event) => event.payload.after?.id === id)?.payload.after;
      expect(row(dbzJson), `Debezium's row ${id}`).toBeDefined();
      expect(row(ferryJson), `row ${id}`).toEqual(row(dbzJson));
    }
  }, 180_000);
});
