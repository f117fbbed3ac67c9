import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createKafka } from '../../../src/engine/kafka';
import type { PipelineRunner } from '../../../src/engine/pipeline';
import { type EmbeddedSchemaRegistry, startEmbeddedSchemaRegistry } from '../../../src/engine/schema';
import { uniqueName } from '../../helpers/names';
import { type DbKind, dropTables, openDb, type TestDb } from '../../helpers/pipelineDb';
import { describeStatus, jdbcConnection, KafkaScratch, pipelineDocument, pipelineProblems, Scratch, sinkGroup, startPipeline } from '../../helpers/pipelineHarness';
import { until } from '../../helpers/until';

// Issue 11, item 7: with quote.sql.identifiers=never the sink put the field names of schemaless JSON records into its
// CREATE TABLE and INSERT verbatim, so a record whose field is named like SQL rewrote the statement. A record carrying
// such names goes through Kafka into a real sink on each lab database; the sink must stop with an error naming the
// field and the fix, and the database must be exactly as before (the victim table there, no target table made).

const endpoints = inject('labEndpoints');
const scratch = new Scratch();
let kafka: KafkaScratch;
let registry: EmbeddedSchemaRegistry;
const dbs = {} as Record<DbKind, TestDb>;
const runners: PipelineRunner[] = [];
const tables: { db: DbKind; table: string }[] = [];

beforeAll(async () => {
  kafka = new KafkaScratch(endpoints.kafka.a.bootstrap);
  registry = await startEmbeddedSchemaRegistry();
  dbs.mariadb = await openDb('mariadb', endpoints.mariadb);
  dbs.postgres = await openDb('postgres', endpoints.postgres);
});

afterAll(async () => {
  await Promise.all(runners.splice(0).map((runner) => runner.stop().catch(() => undefined)));
  for (const { db, table } of tables) await dropTables(dbs[db], [table]).catch(() => undefined);
  await Promise.all(Object.values(dbs).map((db) => db.close()));
  await kafka?.cleanup();
  await registry?.close();
  scratch.cleanup();
}, 60_000);

async function tableExists(db: TestDb, table: string): Promise<boolean> {
  const rows =
    db.kind === 'mariadb'
      ? await db.exec('SELECT COUNT(*) AS n FROM information_schema.tables WHERE table_schema = DATABASE() AND table_name = ?', [table])
      : await db.exec("SELECT COUNT(*) AS n FROM information_schema.tables WHERE table_schema = 'public' AND table_name = ?", [table]);
  return Number(rows[0]?.n) > 0;
}

describe.each(['postgres', 'mariadb'] as const)('a %s sink with quote.sql.identifiers=never', (kind) => {
  it('refuses a field name that is not a plain identifier and changes nothing in the database', async () => {
    const db = dbs[kind];
    // Short names: the injected field must stay within the identifier length limits, or the length check refuses it.
    const victim = `v${randomBytes(4).toString('hex')}`;
    const target = `t${randomBytes(4).toString('hex')}`;
    const topic = uniqueName(`inject_${kind}`);
    tables.push({ db: kind, table: victim }, { db: kind, table: `${victim}_2` }, { db: kind, table: target });
    await db.exec(`CREATE TABLE ${db.q(victim)} (id INT PRIMARY KEY)`);
    await db.exec(`INSERT INTO ${db.q(victim)} (id) VALUES (1)`);

    // The name closes the CREATE TABLE it lands in and appends statements of its own: on PostgreSQL, where the sink
    // runs DDL as a simple query, this dropped the victim table before the fix.
    const evilField = `x TEXT); DROP TABLE ${victim}; CREATE TABLE ${victim}_2 (y`;
    const value = JSON.stringify({ id: 1, [evilField]: 'x' });
    await kafka.createTopic(topic);
    const producer = createKafka({ bootstrapServers: [endpoints.kafka.a.bootstrap] }).producer();
    await producer.connect();
    try {
      await producer.send({ topic, messages: [{ key: null, value }] });
    } finally {
      await producer.disconnect();
    }

    const sinkName = uniqueName(`sink_${kind}`);
    kafka.track({ groups: [sinkGroup(sinkName)] });
    const document = pipelineDocument(uniqueName('inject'), endpoints.kafka.a.bootstrap, registry.url, [
      {
        name: sinkName,
        config: {
          'connector.class': 'io.confluent.connect.jdbc.JdbcSinkConnector',
          ...jdbcConnection(kind, db.endpoint),
          topics: topic,
          'table.name.format': target,
          'auto.create': 'true',
          'insert.mode': 'insert',
          'pk.mode': 'none',
          'quote.sql.identifiers': 'never',
          'errors.tolerance': 'none',
          'key.converter': 'org.apache.kafka.connect.storage.StringConverter',
          'value.converter': 'org.apache.kafka.connect.json.JsonConverter',
          'value.converter.schemas.enable': 'false',
          'consumer.override.auto.offset.reset': 'earliest',
        },
      },
    ]);
    expect(pipelineProblems(document).filter((problem) => problem.severity === 'error')).toEqual([]);
    const runner = await startPipeline(document, scratch.dir());
    runners.push(runner);

    await until(async () => runner.status().connectors[0]?.state === 'FAILED', () => `the sink to fail: ${describeStatus(runner.status())}`);

    // The database first (what the attack aimed at), then the error the user sees.
    expect(await tableExists(db, victim)).toBe(true);
    expect(await db.exec(`SELECT id FROM ${db.q(victim)}`)).toHaveLength(1);
    expect(await tableExists(db, `${victim}_2`)).toBe(false);
    expect(await tableExists(db, target)).toBe(false);
    const error = runner.status().connectors[0]?.error;
    expect(error?.code).toBe('SINK_SQL_BAD_IDENTIFIER');
    expect(error?.message).toContain('quote.sql.identifiers');
    expect(error?.message).toContain(JSON.stringify(evilField));
  });
});
