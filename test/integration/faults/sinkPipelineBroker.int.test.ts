import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { RecordSchema } from '../../../src/engine/model';
import type { PipelineRunner } from '../../../src/engine/pipeline';
import { type EmbeddedSchemaRegistry, startEmbeddedSchemaRegistry } from '../../../src/engine/schema';
import { uniqueName } from '../../helpers/names';
import { dropTables, openDb, type TestDb } from '../../helpers/pipelineDb';
import { describeStatus, KafkaScratch, MANAGED_SINK, managedConnection, pipelineDocument, Scratch, sinkGroup, startPipeline, waitForIdle } from '../../helpers/pipelineHarness';
import { type OutgoingRecord, produceRecords } from '../../helpers/pipelineKafka';
import { type PrivateLab, startPrivateLab } from '../../helpers/privateLab';
import { until } from '../../helpers/until';

// Issue 13 fault probe of the pipelined sink (chunks decoded and applied while offset commits travel and kafkajs
// fetches): a snapshot-sized topic on a private broker is being read into the lab's PostgreSQL (INSERT without a key,
// so a chunk applied twice shows as duplicate ids) when the broker crashes (SIGKILL, restarted 5 s later) or hangs
// longer than the session timeout (SIGSTOP 15 s; the group drops the member, commits fail, the sink rejoins). Every
// record must land; records applied before the fault are skipped when fetched again (the task remembers them while it
// runs), so no id appears twice; the committed offset ends at the topic's end.

const endpoints = inject('labEndpoints');
const ROWS = 60_000;

let lab: PrivateLab;
let bootstrap: string;
let registry: EmbeddedSchemaRegistry;
let kafka: KafkaScratch;
let postgres: TestDb;
const scratch = new Scratch();
const tables: string[] = [];
const runners: PipelineRunner[] = [];

beforeAll(async () => {
  lab = await startPrivateLab(['kafka-a'], 'sinkpipe');
  bootstrap = lab.endpoints.kafka.a.bootstrap;
  expect(bootstrap).not.toBe(endpoints.kafka.a.bootstrap);
  kafka = new KafkaScratch(bootstrap);
  registry = await startEmbeddedSchemaRegistry();
  postgres = await openDb('postgres', endpoints.postgres);
}, 180_000);

afterAll(async () => {
  await Promise.all(runners.splice(0).map((runner) => runner.stop().catch(() => {})));
  await dropTables(postgres, tables).catch(() => {});
  await postgres?.close();
  await registry?.close();
  await lab?.close();
  scratch.cleanup();
}, 120_000);

const ITEM: RecordSchema = {
  name: 'shop.Item',
  fields: [
    { name: 'id', type: { kind: 'int64' }, optional: false },
    { name: 'qty', type: { kind: 'int32' }, optional: false },
  ],
};

async function newCase(label: string): Promise<{ topic: string; sinkName: string }> {
  const topic = uniqueName(label).toLowerCase();
  const sinkName = `${topic}-sink`;
  kafka.track({ topics: [`dlq-${sinkName}`], groups: [sinkGroup(sinkName)] });
  await kafka.createTopic(topic);
  tables.push(topic);
  await postgres.exec(`CREATE TABLE "${topic}" (id BIGINT NOT NULL, qty INT NOT NULL)`);
  for (let first = 1; first <= ROWS; first += 10_000) {
    const records: OutgoingRecord[] = Array.from({ length: Math.min(10_000, ROWS - first + 1) }, (_, index) => ({ value: { schema: ITEM, row: { id: BigInt(first + index), qty: first + index } } }));
    await produceRecords(bootstrap, registry.url, topic, records);
  }
  return { topic, sinkName };
}

function start(topic: string, sinkName: string): Promise<PipelineRunner> {
  return startPipeline(
    pipelineDocument(topic, bootstrap, registry.url, [
      {
        name: sinkName,
        'connector.class': MANAGED_SINK.postgres,
        ...managedConnection(endpoints.postgres),
        topics: [topic],
        'input.data.format': 'AVRO',
        'insert.mode': 'INSERT',
        'pk.mode': 'none',
        'auto.create': 'false',
        'batch.size': '500',
      },
    ]),
    scratch.dir(),
  );
}

/** Ids held more than once, and how many ids are missing. */
async function damage(topic: string): Promise<{ rows: number; distinct: number; duplicated: number; missing: number }> {
  const [row] = await postgres.exec(`SELECT count(*) AS rows, count(DISTINCT id) AS distinct_ids FROM "${topic}"`);
  const rows = Number(row?.rows);
  const distinct = Number(row?.distinct_ids);
  const [missing] = await postgres.exec(`SELECT count(*) AS missing FROM generate_series(1, ${ROWS}) AS wanted(id) WHERE NOT EXISTS (SELECT 1 FROM "${topic}" t WHERE t.id = wanted.id)`);
  return { rows, distinct, duplicated: rows - distinct, missing: Number(missing?.missing) };
}

async function appliedRows(topic: string): Promise<number> {
  const [row] = await postgres.exec(`SELECT count(*) AS rows FROM "${topic}"`);
  return Number(row?.rows);
}

describe('pipelined sink reading a snapshot-sized topic while the broker fails (private broker, lab PostgreSQL)', () => {
  it('the broker crashes (SIGKILL) mid-read and restarts 5 s later: every record once, the offset at the end', async () => {
    const { topic, sinkName } = await newCase('pipekill');
    const runner = await start(topic, sinkName);
    runners.push(runner);
    await until(async () => (await appliedRows(topic)) >= ROWS / 5, () => `a fifth applied: ${describeStatus(runner.status())}`, 120_000, 100);
    await lab.kill('kafka-a', 'SIGKILL');
    await new Promise((resolve) => setTimeout(resolve, 5000));
    await lab.start('kafka-a');
    await waitForIdle(runner, 2000, 180_000);
    expect(runner.status().connectors[0]?.state, describeStatus(runner.status())).toBe('RUNNING');
    expect(await damage(topic)).toEqual({ rows: ROWS, distinct: ROWS, duplicated: 0, missing: 0 });
    expect(Number((await kafka.committed(sinkGroup(sinkName), topic)).get(0))).toBe(ROWS);
    await runner.stop();
  }, 360_000);

  it('the broker hangs (SIGSTOP) longer than the session timeout mid-read: every record once, the offset at the end', async () => {
    const { topic, sinkName } = await newCase('pipestop');
    const runner = await start(topic, sinkName);
    runners.push(runner);
    await until(async () => (await appliedRows(topic)) >= ROWS / 5, () => `a fifth applied: ${describeStatus(runner.status())}`, 120_000, 100);
    await lab.pause('kafka-a');
    try {
      await new Promise((resolve) => setTimeout(resolve, 15_000));
    } finally {
      await lab.resume('kafka-a');
    }
    await waitForIdle(runner, 2000, 180_000);
    expect(runner.status().connectors[0]?.state, describeStatus(runner.status())).toBe('RUNNING');
    expect(await damage(topic)).toEqual({ rows: ROWS, distinct: ROWS, duplicated: 0, missing: 0 });
    expect(Number((await kafka.committed(sinkGroup(sinkName), topic)).get(0))).toBe(ROWS);
    await runner.stop();
  }, 360_000);
});
