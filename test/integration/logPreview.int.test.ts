import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { previewPipeline } from '../../src/engine/pipeline/preview';
import { uniqueName } from '../helpers/names';
import { openDb, type TestDb } from '../helpers/pipelineDb';
import { pipelineDocument, resolvePipeline } from '../helpers/pipelineHarness';

// Preview of log-based sources (issue 12, "Preview shows the binlog/slot state and what will be snapshotted"):
// the binlog's end, format and row image; the slot (absent, then present with its confirmed LSN and retained WAL)
// and the publication; the tables the snapshot reads with estimated rows. Preview creates nothing.

const endpoints = inject('labEndpoints');
let mariadb: TestDb;
let postgres: TestDb;
const cleanups: (() => Promise<unknown>)[] = [];

beforeAll(async () => {
  mariadb = await openDb('mariadb', endpoints.mariadb);
  postgres = await openDb('postgres', endpoints.postgres);
});

afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
  await mariadb.close();
  await postgres.close();
});

const common = (prefix: string) => ({ name: `${prefix}-source`, 'topic.prefix': prefix });

describe('Preview of log-based sources', () => {
  it('MariaDB: the binlog position, GTID, format and row image, the snapshot tables with estimated rows, and the schema change topic', async () => {
    const table = uniqueName('pv_bin');
    const prefix = uniqueName('pvb');
    await mariadb.exec(`CREATE TABLE ${table} (id INT PRIMARY KEY, name VARCHAR(20) NOT NULL, at DATETIME(3) NULL)`);
    await mariadb.exec(`CREATE TABLE ${table}_left (id INT PRIMARY KEY)`);
    cleanups.push(() => mariadb.exec(`DROP TABLE IF EXISTS ${table}`), () => mariadb.exec(`DROP TABLE IF EXISTS ${table}_left`));
    await mariadb.exec(`INSERT INTO ${table} VALUES (1, 'a', NULL), (2, 'b', NULL), (3, 'c', NULL)`);
    await mariadb.exec(`ANALYZE TABLE ${table}`);
    const source = {
      ...common(prefix),
      'connector.class': 'io.debezium.connector.mariadb.MariaDbConnector',
      'database.hostname': endpoints.mariadb.host,
      'database.port': String(endpoints.mariadb.port),
      'database.user': endpoints.mariadb.user,
      'database.password': endpoints.mariadb.password,
      'database.include.list': endpoints.mariadb.database,
      'table.include.list': `${endpoints.mariadb.database}\\.${table}`,
    };
    const [preview] = await previewPipeline(resolvePipeline(pipelineDocument(`${prefix}-p`, endpoints.kafka.a.bootstrap, 'http://127.0.0.1:1', [source])));
    expect(preview?.error).toBeUndefined();
    const log = preview?.log;
    expect(log?.kind).toBe('binlog');
    expect(log?.binlog).toMatchObject({ format: 'ROW', rowImage: 'FULL' });
    expect(log?.binlog?.file).toMatch(/\.\d{6}$/);
    expect(log?.binlog?.position).toBeGreaterThan(4);
    expect(log?.binlog?.gtid).toMatch(/^\d+-\d+-\d+/);
    expect(log?.problems).toEqual([]);
    expect(log?.snapshot).toMatchObject({ mode: 'initial', tables: [{ table: `${endpoints.mariadb.database}.${table}`, estimatedRows: 3 }] });
    expect(log?.schemaChangeTopic).toBe(prefix);
    // The lists leave the database's other tables out, and Preview names them as it does for polling sources.
    expect(preview?.excludedTables).toContain(`${endpoints.mariadb.database}.${table}_left`);
    expect(preview?.excludedTables).not.toContain(`${endpoints.mariadb.database}.${table}`);
    expect(preview?.excludedTables.every((name) => !name.startsWith('mysql.') && !name.startsWith('information_schema.'))).toBe(true);
    expect(preview?.topics).toEqual([`${prefix}.${endpoints.mariadb.database}.${table}`, prefix]);
    expect(preview?.tables[0]?.columns.map((column) => [column.name, column.connectType])).toEqual([
      ['id', 'int32'],
      ['name', 'string'],
      ['at', 'int64 (io.debezium.time.Timestamp)'],
    ]);
  }, 20_000);

  it('PostgreSQL: the slot and publication absent (and left absent), then present with confirmed LSN and retained WAL; a disabled autocreate names the statement', async () => {
    const table = uniqueName('pv_pg');
    const prefix = uniqueName('pvp');
    const slot = uniqueName('pv_slot');
    const publication = uniqueName('pv_pub');
    await postgres.exec(`CREATE TABLE ${table} (id INT PRIMARY KEY, name TEXT NOT NULL)`);
    cleanups.push(() => postgres.exec(`DROP TABLE IF EXISTS ${table}`));
    await postgres.exec(`INSERT INTO ${table} SELECT g, 'n' || g FROM generate_series(1, 5) g`);
    await postgres.exec(`ANALYZE ${table}`);
    const source = (extra: Record<string, string>) => ({
      ...common(prefix),
      'connector.class': 'io.debezium.connector.postgresql.PostgresConnector',
      'database.hostname': endpoints.postgres.host,
      'database.port': String(endpoints.postgres.port),
      'database.user': endpoints.postgres.user,
      'database.password': endpoints.postgres.password,
      'database.dbname': endpoints.postgres.database,
      'table.include.list': `public\\.${table}`,
      'slot.name': slot,
      'publication.name': publication,
      'publication.autocreate.mode': 'filtered',
      ...extra,
    });
    const preview = async (extra: Record<string, string> = {}) => (await previewPipeline(resolvePipeline(pipelineDocument(`${prefix}-p`, endpoints.kafka.a.bootstrap, 'http://127.0.0.1:1', [source(extra)]))))[0];

    const before = await preview();
    expect(before?.error).toBeUndefined();
    expect(before?.log).toMatchObject({ kind: 'pgoutput', wal: { walLevel: 'logical' }, slot: { name: slot, exists: false }, publication: { name: publication, exists: false, autocreate: 'filtered' }, problems: [] });
    expect(before?.log?.snapshot.tables).toEqual([{ table: `public.${table}`, estimatedRows: 5 }]);
    expect((await postgres.exec('SELECT count(*)::int AS n FROM pg_replication_slots WHERE slot_name = $1', [slot]))[0]?.n).toBe(0);
    const disabled = await preview({ 'publication.autocreate.mode': 'disabled' });
    expect(disabled?.log?.problems.join(' ')).toContain(`CREATE PUBLICATION "${publication}"`);

    await postgres.exec(`CREATE PUBLICATION ${publication} FOR TABLE ${table}`);
    cleanups.push(() => postgres.exec(`DROP PUBLICATION IF EXISTS ${publication}`));
    await postgres.exec("SELECT pg_create_logical_replication_slot($1, 'pgoutput')", [slot]);
    cleanups.push(() => postgres.exec('SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name = $1', [slot]));
    await postgres.exec(`INSERT INTO ${table} VALUES (6, 'n6')`);
    const after = await preview();
    expect(after?.log?.slot).toMatchObject({ name: slot, exists: true, plugin: 'pgoutput', active: false });
    expect(after?.log?.slot?.confirmedLsn).toMatch(/^[0-9A-F]+\/[0-9A-F]+$/);
    expect(after?.log?.slot?.retainedWalBytes).toBeGreaterThan(0);
    expect(after?.log?.publication).toMatchObject({ exists: true, allTables: false, tables: [`public.${table}`] });
  }, 20_000);
});
