import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { PipelinesService } from '../../src/engine/pipeline';
import { type EmbeddedSchemaRegistry, startEmbeddedSchemaRegistry } from '../../src/engine/schema';
import type { PipelineStatus } from '../../src/shared/api';
import { uniqueName } from '../helpers/names';
import { openDb, type TestDb } from '../helpers/pipelineDb';
import { describeStatus, KafkaScratch, managedConnection, pipelineDocument, Scratch, sinkGroup } from '../helpers/pipelineHarness';
import { until } from '../helpers/until';

const endpoints = inject('labEndpoints');

/** What the pipelines pane shows: per-table snapshot progress, metrics history, restart of one connector, the preview. */
describe('pipeline status for the app: tables, history, restart, preview', () => {
  const scratch = new Scratch();
  let kafka: KafkaScratch;
  let registry: EmbeddedSchemaRegistry;
  let source: TestDb;
  let target: TestDb;
  const table = uniqueName('status_orders');
  const name = uniqueName('status');
  const topic = `${name}_${table}`;
  const ROWS = 300;

  beforeAll(async () => {
    kafka = new KafkaScratch(endpoints.kafka.a.bootstrap);
    kafka.track({ topics: [topic], groups: [sinkGroup(`${name}-sink`)] });
    registry = await startEmbeddedSchemaRegistry();
    source = await openDb('mariadb', endpoints.mariadb);
    target = await openDb('postgres', endpoints.postgres);
    await source.exec(`CREATE TABLE ${source.q(table)} (id INT AUTO_INCREMENT PRIMARY KEY, item VARCHAR(40) NOT NULL, updated_at DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6))`);
    const values = Array.from({ length: ROWS }, (_, index) => `('item ${index}')`).join(',');
    await source.exec(`INSERT INTO ${source.q(table)} (item) VALUES ${values}`);
  });

  afterAll(async () => {
    await source.exec(`DROP TABLE IF EXISTS ${source.q(table)}`);
    await target.exec(`DROP TABLE IF EXISTS ${target.q(table)}`);
    await source.close();
    await target.close();
    await registry.close();
    await kafka.cleanup();
    scratch.cleanup();
  });

  it('previews the table, then reports per-table progress, keeps a history and restarts one connector', async () => {
    const service = new PipelinesService({ dataDir: scratch.dir() });
    const text = JSON.stringify(
      pipelineDocument(name, endpoints.kafka.a.bootstrap, registry.url, [
        {
          name: `${name}-source`,
          'connector.class': 'MySqlSource',
          ...managedConnection(endpoints.mariadb),
          mode: 'timestamp+incrementing',
          'timestamp.column.name': 'updated_at',
          'incrementing.column.name': 'id',
          'table.whitelist': table,
          'topic.prefix': `${name}_`,
          'poll.interval.ms': '200',
          'batch.max.rows': '100',
        },
        {
          name: `${name}-sink`,
          'connector.class': 'PostgresSink',
          ...managedConnection(endpoints.postgres),
          topics: topic,
          'table.name.format': table,
          'insert.mode': 'UPSERT',
          'pk.mode': 'record_value',
          'pk.fields': 'id',
          'auto.create': 'true',
        },
      ]),
    );
    try {
      // The preview reads the real table: its topic, Avro schema, target columns and the microseconds DATETIME(6) loses.
      const preview = await service.preview({ text });
      expect(preview.valid).toBe(true);
      const sourcePreview = preview.connectors.find((connector) => connector.role === 'source');
      expect(sourcePreview?.error).toBeUndefined();
      expect(sourcePreview?.topics).toEqual([topic]);
      const previewTable = sourcePreview?.tables[0];
      expect(previewTable).toMatchObject({ topic, subject: `${topic}-value`, sink: { connector: `${name}-sink` } });
      expect(previewTable?.columns.find((column) => column.name === 'updated_at')?.warning).toMatch(/6 fraction digits/);
      expect(previewTable?.columns.find((column) => column.name === 'id')?.targetType).toBeDefined();
      expect(JSON.stringify(previewTable?.avroSchema)).toContain('"record"');

      await service.start({ text });
      const status = async (): Promise<PipelineStatus> => (await service.list())[0] as PipelineStatus;
      const sourceOf = async () => (await status()).connectors.find((connector) => connector.role === 'source');
      const sinkOf = async () => (await status()).connectors.find((connector) => connector.role === 'sink');

      await until(async () => (await sinkOf())?.metrics.rowsApplied === ROWS, async () => describeStatus(await status()));
      const tables = (await sourceOf())?.tables;
      expect(tables).toEqual([{ table: expect.stringContaining(table), topic, rows: ROWS, totalRows: ROWS, snapshotDone: true }]);
      expect((await sinkOf())?.tables).toEqual([{ table: expect.stringContaining(table), topic, rows: ROWS }]);

      // One sample a second per connector.
      await until(async () => ((await service.history(name)).connectors.find((c) => c.role === 'sink')?.points.length ?? 0) >= 2, () => 'two history samples');
      const history = await service.history(name);
      expect(history.connectors.map((connector) => connector.name).sort()).toEqual([`${name}-sink`, `${name}-source`]);
      const last = history.connectors[0]?.points.at(-1)?.at ?? 0;
      expect((await service.history(name, last)).connectors.every((connector) => connector.points.every((point) => point.at > last))).toBe(true);

      // Restarting the sink: it rejoins from its committed offsets and goes on applying new rows.
      const restarted = await service.restartConnector(name, `${name}-sink`);
      expect(restarted.connectors.find((connector) => connector.role === 'sink')?.state).not.toBe('FAILED');
      await source.exec(`INSERT INTO ${source.q(table)} (item) VALUES ('after restart')`);
      await until(async () => Number((await target.exec(`SELECT count(*) AS n FROM ${target.q(table)}`))[0]?.n) === ROWS + 1, () => 'the row inserted after the restart');
      await until(async () => (await sinkOf())?.state === 'RUNNING', async () => describeStatus(await status()));
      await expect(service.restartConnector(name, 'no-such-connector')).rejects.toMatchObject({ code: 'PIPELINE_UNKNOWN_CONNECTOR' });
    } finally {
      await service.stop(name).catch(() => {});
      service.dispose();
    }
  });

  it('reports an unreachable source database in the preview instead of failing it', async () => {
    const service = new PipelinesService({ dataDir: scratch.dir() });
    const text = JSON.stringify(
      pipelineDocument(uniqueName('down'), endpoints.kafka.a.bootstrap, registry.url, [
        { name: 'down-source', 'connector.class': 'MySqlSource', ...managedConnection({ ...endpoints.mariadb, port: 1 }), mode: 'bulk', 'table.whitelist': 'x', 'topic.prefix': 'x_' },
      ]),
    );
    const preview = await service.preview({ text });
    expect(preview.valid).toBe(true);
    expect(preview.connectors[0]?.error?.message).toMatch(/Could not read .*127\.0\.0\.1:1/);
    service.dispose();
  });
});
