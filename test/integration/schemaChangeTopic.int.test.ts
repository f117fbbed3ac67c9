import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { PipelineRunner } from '../../src/engine/pipeline';
import { type EmbeddedSchemaRegistry, SchemaChangeCodec, startEmbeddedSchemaRegistry } from '../../src/engine/schema';
import { uniqueName } from '../helpers/names';
import { openDb, type TestDb } from '../helpers/pipelineDb';
import { readMessages } from '../helpers/pipelineKafka';
import { describeStatus, KafkaScratch, pipelineDocument, pipelineProblems, Scratch, startPipeline } from '../helpers/pipelineHarness';
import { until } from '../helpers/until';

// include.schema.changes (issue 12): a Debezium MariaDbConnector config in Ferry writes Debezium's schema change
// topic `<topic.prefix>`: a CREATE per table at the snapshot, then the DDL read from the binlog. The table and the
// ALTER are those Debezium 3.5.0.Final's own connector was run with on the lab's Connect worker
// (test/fixtures/debezium-3.5-mariadb-schema-change.json); Ferry's JSON record must carry the same key and value
// schemas and the same table structure, and the Avro one Debezium's record names.

const endpoints = inject('labEndpoints');
const fixture = JSON.parse(readFileSync(join(__dirname, '../fixtures/debezium-3.5-mariadb-schema-change.json'), 'utf8')) as {
  key: { schema: unknown };
  value: { schema: unknown; payload: { tableChanges: Array<{ id: string; table: unknown }> } };
};
let registry: EmbeddedSchemaRegistry;
let source: TestDb;
const scratch = new Scratch();
const kafka = new KafkaScratch(endpoints.kafka.a.bootstrap);
const runners: PipelineRunner[] = [];
const cleanups: (() => Promise<unknown>)[] = [];

beforeAll(async () => {
  registry = await startEmbeddedSchemaRegistry();
  source = await openDb('mariadb', endpoints.mariadb);
});

afterAll(async () => {
  for (const runner of runners) await runner.stop().catch(() => undefined);
  for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
  await kafka.cleanup();
  await source.close();
  await registry.close();
  scratch.cleanup();
});

interface JsonRecord {
  schema: unknown;
  payload: { ddl: string; databaseName: string; source: Record<string, unknown>; tableChanges: Array<{ type: string; id: string; table: unknown }> };
}

describe("Debezium's schema change topic (include.schema.changes)", () => {
  it('writes a CREATE per table at the snapshot and an ALTER read from the binlog, as Debezium 3.5 writes them (JSON and Avro)', { timeout: 60_000 }, async () => {
    const table = uniqueName('sc_topic');
    const jsonPrefix = uniqueName('scj');
    const avroPrefix = uniqueName('sca');
    const db = endpoints.mariadb.database;
    const otherDb = uniqueName('sc_db');
    kafka.track({ topics: [jsonPrefix, avroPrefix, `${jsonPrefix}.${db}.${table}`, `${avroPrefix}.${db}.${table}`] });
    await source.exec(`CREATE TABLE ${table} (id INT PRIMARY KEY AUTO_INCREMENT, name VARCHAR(40) NOT NULL DEFAULT 'x' COMMENT 'the name', qty DECIMAL(10,2), st ENUM('a','b'), ts DATETIME(3)) COMMENT='probe table' DEFAULT CHARSET=utf8mb4`);
    cleanups.push(() => source.exec(`DROP TABLE IF EXISTS ${table}`));
    await source.exec(`INSERT INTO ${table} (name, qty, st) VALUES ('a', 1.5, 'a')`);
    const capture = (name: string, prefix: string, extra: Record<string, string>) => ({
      name,
      'connector.class': 'io.debezium.connector.mariadb.MariaDbConnector',
      'database.hostname': endpoints.mariadb.host,
      'database.port': String(endpoints.mariadb.port),
      'database.user': endpoints.mariadb.user,
      'database.password': endpoints.mariadb.password,
      'database.server.id': String(186_000 + Math.floor(Math.random() * 10_000)),
      'topic.prefix': prefix,
      // The other database: its CREATE DATABASE is written too (database-level DDL, no table changes).
      'database.include.list': `${db}|${otherDb}`,
      // The table and the name it is renamed to.
      'table.include.list': `${db}\\.${table}(_r)?`,
      ...extra,
    });
    const json = { 'key.converter': 'org.apache.kafka.connect.json.JsonConverter', 'key.converter.schemas.enable': 'true', 'value.converter': 'org.apache.kafka.connect.json.JsonConverter', 'value.converter.schemas.enable': 'true' };
    const document = pipelineDocument(uniqueName('sc_pipe'), endpoints.kafka.a.bootstrap, registry.url, [capture(`${jsonPrefix}-json`, jsonPrefix, json), capture(`${avroPrefix}-avro`, avroPrefix, {})]);
    expect(pipelineProblems(document).filter((problem) => problem.severity !== 'info')).toEqual([]);
    const runner = await startPipeline(document, scratch.dir());
    runners.push(runner);
    const admin = await kafka.connect();
    await until(async () => (await admin.listTopics()).filter((topic) => topic === jsonPrefix || topic === avroPrefix).length === 2, async () => `the schema change topics to exist; ${describeStatus(runner.status())}`, 30_000);

    // The snapshot: the table's CREATE before its rows.
    const [created] = await readMessages(endpoints.kafka.a.bootstrap, jsonPrefix, 1);
    const create = JSON.parse(String(created?.value)) as JsonRecord;
    expect(create.payload.tableChanges.map((change) => [change.type, change.id])).toEqual([['CREATE', `"${db}"."${table}"`]]);
    expect(create.payload.ddl).toMatch(new RegExp(`^CREATE TABLE \`${table}\``));
    expect(create.payload.source).toMatchObject({ connector: 'mariadb', name: jsonPrefix, snapshot: 'true', db, table });

    // DDL mid-stream, as the fixture's.
    const alter = `ALTER TABLE ${table} ADD COLUMN note TEXT CHARACTER SET utf8mb4 NULL DEFAULT NULL AFTER name`;
    await source.exec(alter);
    await source.exec(`INSERT INTO ${table} (name, qty, st) VALUES ('b', 2, 'b')`);
    const messages = await readMessages(endpoints.kafka.a.bootstrap, jsonPrefix, 2);
    const key = JSON.parse(String(messages[1]?.key)) as { schema: unknown; payload: unknown };
    expect(key).toEqual({ schema: fixture.key.schema, payload: { databaseName: db } });
    const altered = JSON.parse(String(messages[1]?.value)) as JsonRecord;
    expect(altered.schema).toEqual(fixture.value.schema);
    expect(altered.payload.ddl).toBe(alter);
    expect(altered.payload.databaseName).toBe(db);
    expect(altered.payload.source).toMatchObject({ connector: 'mariadb', snapshot: 'false', db, table, row: 0 });
    expect(String(altered.payload.source.file)).toMatch(/\.\d{6}$/);
    expect(altered.payload.tableChanges).toEqual([{ type: 'ALTER', id: `"${db}"."${table}"`, table: fixture.value.payload.tableChanges[0]?.table }]);

    // Database-level DDL of an included database: keyed by it, no table changes, as Debezium writes it.
    cleanups.push(() => source.exec(`DROP DATABASE IF EXISTS \`${otherDb}\``));
    await source.exec(`CREATE DATABASE \`${otherDb}\``);
    const third = (await readMessages(endpoints.kafka.a.bootstrap, jsonPrefix, 3))[2];
    expect(JSON.parse(String(third?.key))).toMatchObject({ payload: { databaseName: otherDb } });
    const createdDb = JSON.parse(String(third?.value)) as JsonRecord;
    expect(createdDb.payload).toMatchObject({ ddl: `CREATE DATABASE \`${otherDb}\``, databaseName: otherDb, tableChanges: [] });
    expect(createdDb.payload.source).toMatchObject({ db: otherDb, table: null, snapshot: 'false' });

    // A rename is one ALTER of the new name (Debezium's RenameTableParserListener), not a DROP of the old one too.
    cleanups.push(() => source.exec(`DROP TABLE IF EXISTS ${table}_r`));
    await source.exec(`RENAME TABLE ${table} TO ${table}_r`);
    await source.exec(`ALTER TABLE ${table}_r COMMENT = 'renamed'`);
    const afterRename = (await readMessages(endpoints.kafka.a.bootstrap, jsonPrefix, 5)).slice(3).map((message) => JSON.parse(String(message.value)) as JsonRecord);
    expect(afterRename.map((record) => [record.payload.ddl, record.payload.tableChanges.map((change) => `${change.type} ${change.id}`)])).toEqual([
      [`RENAME TABLE ${table} TO ${table}_r`, [`ALTER "${db}"."${table}_r"`]],
      [`ALTER TABLE ${table}_r COMMENT = 'renamed'`, [`ALTER "${db}"."${table}_r"`]],
    ]);

    // Avro: registered under <prefix>-key / <prefix>-value with Debezium's record names, and read back.
    const avroMessages = await readMessages(endpoints.kafka.a.bootstrap, avroPrefix, 2);
    const subject = async (name: string): Promise<string> => ((await (await fetch(`${registry.url}/subjects/${name}/versions/latest`)).json()) as { schema: string }).schema;
    expect(await subject(`${avroPrefix}-value`)).toContain('"connect.name":"io.debezium.connector.mariadb.SchemaChangeValue"');
    expect(await subject(`${avroPrefix}-key`)).toContain('"connect.name":"io.debezium.connector.mariadb.SchemaChangeKey"');
    const decoded = new SchemaChangeCodec('mariadb', 'x').decodeAvro((avroMessages[1]?.value ?? Buffer.alloc(5)).subarray(5)) as { ddl: string; tableChanges: Array<{ type: string; table: unknown }> };
    expect(decoded.ddl).toBe(alter);
    expect(decoded.tableChanges[0]?.type).toBe('ALTER');
    expect(decoded.tableChanges[0]?.table).toEqual(fixture.value.payload.tableChanges[0]?.table);
  });
});
