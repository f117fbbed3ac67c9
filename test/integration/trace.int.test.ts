import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { PipelinesService } from '../../src/engine/pipeline';
import { QueryService } from '../../src/engine/query';
import { type EmbeddedSchemaRegistry, startEmbeddedSchemaRegistry } from '../../src/engine/schema';
import { PipelineCatalog, TraceService } from '../../src/engine/trace';
import { runVerify } from '../../src/engine/verify';
import { uniqueName } from '../helpers/names';
import { openDb, type TestDb } from '../helpers/pipelineDb';
import { KafkaScratch, mariadbToPostgresDocument, Scratch, sinkGroup } from '../helpers/pipelineHarness';
import { until } from '../helpers/until';

const endpoints = inject('labEndpoints');

describe('row trace and the query pane against the lab (MariaDB → Kafka → PostgreSQL)', () => {
  const scratch = new Scratch();
  const kafka = new KafkaScratch(endpoints.kafka.a.bootstrap);
  let registry: EmbeddedSchemaRegistry;
  let source: TestDb;
  let target: TestDb;
  let service: PipelinesService;
  let catalog: PipelineCatalog;
  let trace: TraceService;
  let query: QueryService;
  const table = uniqueName('trace_orders');
  const name = uniqueName('trace');
  const topic = `${name}_${table}`;

  beforeAll(async () => {
    registry = await startEmbeddedSchemaRegistry();
    source = await openDb('mariadb', endpoints.mariadb);
    target = await openDb('postgres', endpoints.postgres);
    await source.exec(`CREATE TABLE ${source.q(table)} (id INT AUTO_INCREMENT PRIMARY KEY, item VARCHAR(40) NOT NULL, amount DECIMAL(10,2) NOT NULL, updated_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3))`);
    for (let i = 1; i <= 5; i++) await source.exec(`INSERT INTO ${source.q(table)} (item, amount) VALUES (?, ?)`, [`item ${i}`, `${i}.50`]);
    service = new PipelinesService({ dataDir: scratch.dir() });
    catalog = new PipelineCatalog(service);
    trace = new TraceService(catalog);
    query = new QueryService({
      catalog,
      verify: (request) => runVerify(request),
      labDatabases: async () => ({ mariadb: endpoints.mariadb, postgres: endpoints.postgres }),
      demoPipeline: async () => undefined,
      databaseProfiles: async () => [],
      profileSettings: () => {
        throw new Error('no profiles here');
      },
      requireWriteConfirmation: () => {},
    });
    kafka.track({ topics: [topic], groups: [sinkGroup(`${name}-sink`)] });
    const document = mariadbToPostgresDocument(name, table, endpoints, registry.url, { sink: { 'auto.create': 'true' } });
    await service.start({ text: JSON.stringify(document), fileName: `${name}.json` });
  });

  afterAll(async () => {
    await service?.stop(name).catch(() => {});
    catalog?.dispose();
    service?.dispose();
    await kafka.cleanup();
    await source?.exec(`DROP TABLE IF EXISTS ${source.q(table)}`);
    await target?.exec(`DROP TABLE IF EXISTS ${target.q(table)}`);
    await source?.close();
    await target?.close();
    await registry?.close();
    scratch.cleanup();
  });

  it('follows an inserted then updated row: two records with their offsets, the sink write, an equal target row', async () => {
    await source.exec(`INSERT INTO ${source.q(table)} (id, item, amount) VALUES (100, 'traced', 10.00)`);
    const targetRow = async (): Promise<Record<string, unknown> | undefined> => (await target.exec(`SELECT item, amount FROM ${target.q(table)} WHERE id = 100`).catch(() => []))[0];
    await until(async () => (await targetRow())?.item === 'traced', () => 'the inserted row in the target');
    // A later timestamp than the insert's, so the timestamp+incrementing source picks the update up.
    await new Promise((resolve) => setTimeout(resolve, 20));
    await source.exec(`UPDATE ${source.q(table)} SET item = 'traced again', amount = 12.25, updated_at = CURRENT_TIMESTAMP(3) WHERE id = 100`);
    await until(async () => (await targetRow())?.item === 'traced again', () => 'the updated row in the target');

    const report = await trace.row({ pipeline: name, table, key: { id: 100, item: 'ignored: not a key column' } });
    expect(report.key).toEqual({ id: 100 });
    expect(report.topic).toBe(topic);
    expect(report.source.found).toBe(true);
    expect(report.source.changedAtColumn).toBe('updated_at');
    expect(report.records.map((record) => record.value?.item)).toEqual(['traced', 'traced again']);
    expect(report.records.map((record) => record.op)).toEqual(['c', 'u']);

    // The offsets are the topic's own: read them back independently of the trace.
    const offsets = await kafka.connect().then((admin) => admin.fetchTopicOffsets(topic));
    expect(offsets).toHaveLength(1);
    const [insertRecord, updateRecord] = report.records;
    expect(Number(insertRecord?.offset)).toBe(5); // rows 1–5 came first
    expect(Number(updateRecord?.offset)).toBe(6);
    expect(Number(offsets[0]?.high)).toBe(7);
    for (const record of report.records) {
      expect(record.schemaId).toBeGreaterThan(0);
      expect(record.subject).toBe(`${topic}-value`);
      expect(record.version).toBe(1);
      expect(record.sourceTimestampMs).toBeGreaterThan(0);
      expect(record.write?.evidence).toBe('applied-log');
      expect(record.write?.connector).toBe(`${name}-sink`);
      expect(BigInt(record.write?.firstOffset ?? '-1')).toBeLessThanOrEqual(BigInt(record.offset));
      expect(BigInt(record.write?.lastOffset ?? '-1')).toBeGreaterThanOrEqual(BigInt(record.offset));
    }
    expect(report.target?.found).toBe(true);
    expect(report.target?.equal).toBe(true);
    expect(report.target?.differences).toEqual([]);
    expect(report.hops.map((hop) => `${hop.from}→${hop.to}`)).toEqual(['source→kafka', 'kafka→sink']);
    expect(report.totalMs).toBe(report.hops.reduce((sum, hop) => sum + hop.ms, 0));
    expect(report.scan).toMatchObject({ from: 'beginning', capped: false, scanned: 7 });

    // A planted difference in the target shows as a column difference.
    await target.exec(`UPDATE ${target.q(table)} SET amount = 99.99 WHERE id = 100`);
    const differing = await trace.row({ pipeline: name, table, key: { id: '100' } });
    expect(differing.target?.equal).toBe(false);
    expect(differing.target?.differences.map((difference) => difference.name)).toEqual(['amount']);
  });

  it('names the unknown pipeline, table and key column', async () => {
    await expect(trace.row({ pipeline: 'nope', table, key: { id: 1 } })).rejects.toMatchObject({ code: 'TRACE_UNKNOWN_PIPELINE', message: expect.stringContaining(name) });
    await expect(trace.row({ pipeline: name, table: 'missing_table', key: { id: 1 } })).rejects.toMatchObject({ code: 'TRACE_UNKNOWN_TABLE', message: expect.stringContaining(table) });
    await expect(trace.row({ pipeline: name, table, key: { item: 'x' } })).rejects.toMatchObject({ code: 'TRACE_BAD_KEY', message: expect.stringContaining('id') });
  });

  it('queries the pipeline databases read-only with a row cap and plain values', async () => {
    const databases = await query.databases();
    const sourceId = `pipeline/${name}/${name}-source`;
    expect(databases.map((database) => database.id)).toEqual(expect.arrayContaining([sourceId, `pipeline/${name}/${name}-sink`, 'lab/mariadb', 'lab/postgres']));
    const result = await query.run({ database: sourceId, sql: `SELECT id, amount, updated_at FROM ${table} ORDER BY id -- newest last`, maxRows: 3 });
    expect(result.columns.map((column) => [column.name, column.kind])).toEqual([['id', 'number'], ['amount', 'number'], ['updated_at', 'temporal']]);
    expect(result.rows).toHaveLength(3);
    expect(result.truncated).toBe(true);
    expect(result.rows[0]?.[0]).toBe(1);
    expect(result.rows[0]?.[1]).toBe('1.50');
    expect(String(result.rows[0]?.[2])).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}$/);

    await expect(query.run({ database: sourceId, sql: `DELETE FROM ${table}` })).rejects.toMatchObject({ code: 'QUERY_WRITE_REFUSED' });
    await expect(query.run({ database: sourceId, sql: 'SELECT 1; SELECT 2' })).rejects.toMatchObject({ code: 'QUERY_MULTIPLE_STATEMENTS' });
    await expect(query.run({ database: 'pipeline/none/x', sql: 'SELECT 1' })).rejects.toMatchObject({ code: 'QUERY_UNKNOWN_DATABASE' });
    const written = await query.run({ database: `pipeline/${name}/${name}-sink`, sql: `UPDATE ${table} SET item = item WHERE id = 1`, allowWrite: true });
    expect(written).toMatchObject({ statementKind: 'write', affectedRows: 1 });

    const compared = await query.compare({ source: { database: sourceId, table }, target: { database: `pipeline/${name}/${name}-sink`, table } });
    expect(compared.equal).toBe(false);
    expect(compared.different.map((row) => row.key)).toEqual([{ id: 100 }]);
  });
});
