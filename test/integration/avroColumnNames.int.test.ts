import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { PipelineRunner } from '../../src/engine/pipeline';
import { previewPipeline } from '../../src/engine/pipeline/preview';
import { type EmbeddedSchemaRegistry, startEmbeddedSchemaRegistry } from '../../src/engine/schema';
import { uniqueName } from '../helpers/names';
import { columnNames, dropTables, openDb, type TestDb } from '../helpers/pipelineDb';
import { KafkaScratch, MANAGED_SINK, MANAGED_SOURCE, managedConnection, pipelineDocument, pipelineProblems, resolvePipeline, Scratch, sinkGroup, startPipeline, waitForIdle } from '../helpers/pipelineHarness';

// A column Avro cannot name (`order by`) goes through Kafka as the Connect-scrubbed field `order_by`, and used to
// arrive in the target as `order_by` without a word. The docs promise the target keeps the source's names: the
// schema now carries the original name, the sink writes to `order by`, and validation and Preview say so.

const endpoints = inject('labEndpoints');
const bootstrap = endpoints.kafka.a.bootstrap;
const kafka = new KafkaScratch(bootstrap);
const scratch = new Scratch();
const runners: PipelineRunner[] = [];
let registry: EmbeddedSchemaRegistry;
let source: TestDb;
let target: TestDb;
const cleanup: { db: () => TestDb; table: string }[] = [];

beforeAll(async () => {
  registry = await startEmbeddedSchemaRegistry();
  source = await openDb('mariadb', endpoints.mariadb);
  target = await openDb('postgres', endpoints.postgres);
});

afterAll(async () => {
  await Promise.all(runners.map((runner) => runner.stop().catch(() => {})));
  for (const { db, table } of cleanup) await dropTables(db(), [table]);
  await source?.close();
  await target?.close();
  await kafka.cleanup();
  await registry?.close();
  scratch.cleanup();
});

describe('a column whose name Avro cannot hold, MariaDB → Kafka → PostgreSQL', () => {
  it('arrives in the target under its own name, and validation and Preview say what Kafka consumers see', async () => {
    const id = uniqueName('avroname').toLowerCase();
    const topic = `pl_${id}`;
    const sinkName = `${id}-sink`;
    cleanup.push({ db: () => source, table: id }, { db: () => target, table: topic });
    kafka.track({ topics: [topic, `dlq-${sinkName}`], groups: [sinkGroup(sinkName)] });
    await source.exec(`CREATE TABLE ${source.q(id)} (id INT AUTO_INCREMENT PRIMARY KEY, \`order by\` VARCHAR(20) NOT NULL, \`unit-price\` INT NULL)`);
    await source.exec(`INSERT INTO ${source.q(id)} (\`order by\`, \`unit-price\`) VALUES ('asc', 5), ('desc', NULL)`);

    const document = pipelineDocument(id, bootstrap, registry.url, [
      {
        name: `${id}-source`,
        'connector.class': MANAGED_SOURCE.mariadb,
        ...managedConnection(endpoints.mariadb),
        mode: 'incrementing',
        'incrementing.column.name': 'id',
        'table.whitelist': [id],
        'topic.prefix': 'pl_',
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
      },
    ]);
    expect(pipelineProblems(document).filter((problem) => problem.severity === 'error')).toEqual([]);

    const [sourcePreview] = await previewPipeline(resolvePipeline(document));
    const columns = sourcePreview?.tables[0]?.columns ?? [];
    expect(columns.find((column) => column.name === 'order by')?.warning).toContain('Written to Kafka as Avro field "order_by"');
    expect(columns.find((column) => column.name === 'unit-price')?.warning).toContain('"unit_price"');
    expect(columns.find((column) => column.name === 'id')?.warning ?? '').not.toContain('Avro field');

    const runner = await startPipeline(document, scratch.dir('ferry-data-'));
    runners.push(runner);
    await waitForIdle(runner, 1500, 60_000);
    expect(await columnNames(target, topic)).toEqual(['id', 'order by', 'unit-price']);
    const rows = await target.exec(`SELECT id, ${target.q('order by')} AS o, ${target.q('unit-price')} AS p FROM ${target.q(topic)} ORDER BY id`);
    expect(rows.map((row) => [Number(row.id), row.o, row.p === null ? null : Number(row.p)])).toEqual([
      [1, 'asc', 5],
      [2, 'desc', null],
    ]);
  });
});
