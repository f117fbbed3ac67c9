import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { PipelinesService } from '../../src/engine/pipeline';
import { type EmbeddedSchemaRegistry, startEmbeddedSchemaRegistry } from '../../src/engine/schema';
import { PipelineCatalog, TraceService } from '../../src/engine/trace';
import { VerifyService } from '../../src/engine/verify';
import { uniqueName } from '../helpers/names';
import { openDb, type TestDb } from '../helpers/pipelineDb';
import { KafkaScratch, mariadbToPostgresDocument, Scratch, sinkGroup } from '../helpers/pipelineHarness';
import { databaseUrl } from '../helpers/verifyDb';
import { until } from '../helpers/until';

// Verify's explain against a real pipeline (MariaDB → Kafka "a" → PostgreSQL): each kind of mismatch is made the
// way it happens in practice, and verify must classify it from the row's trace.

const endpoints = inject('labEndpoints');

describe('verify explain on a Ferry pipeline', () => {
  const scratch = new Scratch();
  const kafka = new KafkaScratch(endpoints.kafka.a.bootstrap);
  let registry: EmbeddedSchemaRegistry;
  let source: TestDb;
  let target: TestDb;
  let pipelines: PipelinesService;
  let catalog: PipelineCatalog;
  const table = uniqueName('explain_orders');
  const name = uniqueName('explain');
  const topic = `${name}_${table}`;

  beforeAll(async () => {
    registry = await startEmbeddedSchemaRegistry();
    source = await openDb('mariadb', endpoints.mariadb);
    target = await openDb('postgres', endpoints.postgres);
    await source.exec(`CREATE TABLE ${source.q(table)} (id INT PRIMARY KEY, item VARCHAR(40) NOT NULL, amount DECIMAL(10,2) NOT NULL, updated_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3))`);
    for (let id = 1; id <= 5; id++) await source.exec(`INSERT INTO ${source.q(table)} (id, item, amount) VALUES (?, ?, ?)`, [id, `item ${id}`, `${id}.50`]);
    // The target refuses amounts of 1000 or more: such a row goes to the dead letter topic.
    await target.exec(`CREATE TABLE ${target.q(table)} (id INT PRIMARY KEY, item VARCHAR(40) NOT NULL, amount NUMERIC(10,2) NOT NULL CHECK (amount < 1000), updated_at TIMESTAMP(3) NOT NULL)`);
    pipelines = new PipelinesService({ dataDir: scratch.dir() });
    catalog = new PipelineCatalog(pipelines);
    kafka.track({ topics: [topic, `dlq-${name}-sink`], groups: [sinkGroup(`${name}-sink`)] });
    const document = mariadbToPostgresDocument(name, table, endpoints, registry.url);
    await pipelines.start({ text: JSON.stringify(document), fileName: `${name}.json` });
  });

  afterAll(async () => {
    await pipelines?.stop(name).catch(() => {});
    catalog?.dispose();
    pipelines?.dispose();
    await kafka.cleanup();
    await source?.exec(`DROP TABLE IF EXISTS ${source.q(table)}`);
    await target?.exec(`DROP TABLE IF EXISTS ${target.q(table)}`);
    await source?.close();
    await target?.close();
    await registry?.close();
    scratch.cleanup();
  });

  it('classifies not yet replicated, never captured, captured but not applied and applied but different', async () => {
    const targetCount = async (): Promise<number> => Number((await target.exec(`SELECT count(*) AS n FROM ${target.q(table)}`))[0]?.n ?? 0);
    await until(async () => (await targetCount()) === 5, 'the five rows in the target');
    // Captured but not applied: the target refuses the row, the sink sends it to the dead letter topic.
    await source.exec(`INSERT INTO ${source.q(table)} (id, item, amount) VALUES (6, 'too big', 5000)`);
    await until(async () => ((await pipelines.list()).find((p) => p.name === name)?.connectors.find((c) => c.role === 'sink')?.metrics.deadLettered ?? 0) >= 1, 'the dead-lettered row');
    // Not yet replicated: a change made while the pipeline is paused.
    await pipelines.pause(name);
    await source.exec(`UPDATE ${source.q(table)} SET item = 'changed while paused', updated_at = CURRENT_TIMESTAMP(3) + INTERVAL 1 SECOND WHERE id = 4`);
    // Never captured: a polling source cannot see a delete.
    await source.exec(`DELETE FROM ${source.q(table)} WHERE id = 3`);
    // Applied but different: a change made in the target behind the pipeline's back.
    await target.exec(`UPDATE ${target.q(table)} SET amount = 99.99 WHERE id = 2`);

    const trace = new TraceService(catalog);
    const service = new VerifyService({ traceRow: (request) => trace.row(request) });
    try {
      const report = await service.run({
        source: { url: databaseUrl('mysql', endpoints.mariadb), table },
        target: { url: databaseUrl('postgres', endpoints.postgres), table },
        explain: { pipeline: name },
      });
      expect(report.onlyInSource).toEqual([{ id: 6 }]);
      expect(report.onlyInTarget).toEqual([{ id: 3 }]);
      expect(report.different.map((row) => row.key)).toEqual([{ id: 2 }, { id: 4 }]);
      const classes = Object.fromEntries((report.explanations ?? []).map((entry) => [String(entry.key.id), entry.class]));
      expect(classes).toEqual({ '6': 'captured-not-applied', '3': 'never-captured', '2': 'applied-but-different', '4': 'not-yet-replicated' });
    } finally {
      service.dispose();
    }
  });
});
