import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createEngine } from '../../src/engine';
import { PipelinesService } from '../../src/engine/pipeline';
import { type EmbeddedSchemaRegistry, startEmbeddedSchemaRegistry } from '../../src/engine/schema';
import type { PipelineStatus } from '../../src/shared/api';
import { uniqueName } from '../helpers/names';
import { openDb, type TestDb } from '../helpers/pipelineDb';
import { KafkaScratch, managedConnection, mariadbToPostgresDocument, pipelineDocument, Scratch } from '../helpers/pipelineHarness';
import { eventually, readTopic } from '../helpers/replicatorHarness';
import { until } from '../helpers/until';

const endpoints = inject('labEndpoints');

describe('the pipelines API (what the app drives): validate, start, pause, resume, stop', () => {
  const scratch = new Scratch();
  let registry: EmbeddedSchemaRegistry;
  let source: TestDb;
  let target: TestDb;
  const table = uniqueName('api_orders');

  beforeAll(async () => {
    registry = await startEmbeddedSchemaRegistry();
    source = await openDb('mariadb', endpoints.mariadb);
    target = await openDb('postgres', endpoints.postgres);
    await source.exec(`CREATE TABLE ${source.q(table)} (id INT AUTO_INCREMENT PRIMARY KEY, item VARCHAR(40) NOT NULL, updated_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3))`);
    for (let i = 1; i <= 20; i++) await source.exec(`INSERT INTO ${source.q(table)} (item) VALUES (?)`, [`item ${i}`]);
  });

  afterAll(async () => {
    await source.exec(`DROP TABLE IF EXISTS ${source.q(table)}`);
    await target.exec(`DROP TABLE IF EXISTS ${target.q(table)}`);
    await source.close();
    await target.close();
    await registry.close();
    scratch.cleanup();
  });

  it('reports problems with JSON paths, pauses without losing anything, resumes where it stopped', async () => {
    const service = new PipelinesService({ dataDir: scratch.dir() });
    const name = uniqueName('api');
    const document = mariadbToPostgresDocument(name, table, endpoints, registry.url, { sink: { 'auto.create': 'true' } });
    const text = JSON.stringify(document);

    const broken = await service.validate({ text: text.replace('"UPSERT"', '"SIDEWAYS"'), fileName: 'p.json' });
    expect(broken.valid).toBe(false);
    expect(broken.problems.find((problem) => problem.severity === 'error')?.path).toBe("$.connectors[1]['insert.mode']");
    await expect(service.start({ text: text.replace('"UPSERT"', '"SIDEWAYS"') })).rejects.toMatchObject({ code: 'CONFIG_INVALID' });

    const seen: PipelineStatus[] = [];
    const subscription = service.onDidChangeStatus((status) => seen.push(status));
    const count = async (): Promise<number> => {
      try {
        return Number((await target.exec(`SELECT count(*) AS n FROM ${target.q(table)}`))[0]?.n ?? 0);
      } catch {
        return 0; // not created yet
      }
    };
    try {
      await service.start({ text, fileName: 'p.json' });
      await expect(service.start({ text })).rejects.toMatchObject({ code: 'PIPELINE_RUNNING' });
      let applied = 0;
      await until(async () => (applied = await count()) === 20, () => `target has ${applied} of 20 rows`);

      const paused = await service.pause(name);
      expect(paused.connectors.map((connector) => connector.state)).toEqual(['PAUSED', 'PAUSED']);
      for (let i = 21; i <= 30; i++) await source.exec(`INSERT INTO ${source.q(table)} (item) VALUES (?)`, [`item ${i}`]);
      // Several poll intervals pass while paused: the new rows stay at the source (nothing is read or applied).
      await new Promise((resolve) => setTimeout(resolve, 1500));
      expect(await count()).toBe(20);
      const [whilePaused] = await service.list();
      expect(whilePaused?.state).toBe('PAUSED');
      expect(whilePaused?.connectors.find((connector) => connector.role === 'source')?.metrics.rowsRead).toBe(20);

      const resumed = await service.resume(name);
      expect(resumed.connectors.every((connector) => connector.state === 'RUNNING')).toBe(true);
      await until(async () => (await count()) === 30, () => 'resumed pipeline did not apply the 10 rows inserted while paused');

      const stopped = await service.stop(name);
      expect(stopped.state).toBe('STOPPED');
      expect(await service.list()).toEqual([]);
      expect(seen.some((status) => status.state === 'PAUSED')).toBe(true);
    } finally {
      subscription.dispose();
      service.dispose();
    }
  });

  it('starts the replicators a pipeline file holds with the pipeline and stops them with it', async () => {
    const engine = createEngine({ host: 'web', dataDir: scratch.dir() });
    const name = uniqueName('apirepl').toLowerCase();
    const topic = `${name}_${table}`;
    const onA = new KafkaScratch(endpoints.kafka.a.bootstrap);
    const onB = new KafkaScratch(endpoints.kafka.b.bootstrap);
    onA.track({ topics: [topic], groups: [`${name}-replicator`] });
    onB.track({ topics: [`${topic}.replica`], groups: [`${name}-replicator`] });
    const document = pipelineDocument(name, endpoints.kafka.a.bootstrap, registry.url, [
      {
        name: `${name}-source`,
        'connector.class': 'MySqlSource',
        ...managedConnection(endpoints.mariadb),
        mode: 'incrementing',
        'incrementing.column.name': 'id',
        'table.whitelist': table,
        'topic.prefix': `${name}_`,
        'poll.interval.ms': '200',
      },
      {
        name: `${name}-replicator`,
        'connector.class': 'Replicator',
        'src.kafka.bootstrap.servers': endpoints.kafka.a.bootstrap,
        'dest.kafka.bootstrap.servers': endpoints.kafka.b.bootstrap,
        'topic.whitelist': topic,
        'topic.rename.format': '${topic}.replica',
        'topic.poll.interval.ms': '500',
      },
    ]);
    try {
      await engine.pipelines.start({ text: JSON.stringify(document), fileName: `${name}.json` });
      expect((await engine.replicators.list()).map((replicator) => replicator.name)).toEqual([`${name}-replicator`]);
      // The source creates the topic once it runs; the replicator, waiting for it, then creates and fills the replica.
      await eventually(`${topic}.replica on cluster b`, async () => ((await engine.replicators.list())[0]?.state === 'RUNNING' ? true : undefined));
      const rows = Number((await source.exec(`SELECT COUNT(*) AS n FROM ${source.q(table)}`))[0]?.n);
      expect(await readTopic(endpoints.kafka.b.bootstrap, `${topic}.replica`, rows, { quietMs: 300 })).toHaveLength(rows);
      await engine.pipelines.stop(name);
      expect(await engine.replicators.list()).toEqual([]);
    } finally {
      await engine.pipelines.stop(name).catch(() => undefined);
      engine.dispose();
      await onA.cleanup();
      await onB.cleanup();
    }
  });
});
