import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import sql from 'mssql';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { PipelineRunner } from '../../src/engine/pipeline';
import { type EmbeddedSchemaRegistry, startEmbeddedSchemaRegistry } from '../../src/engine/schema';
import { safeFileName } from '../../src/engine/store';
import { customerRows, mariadbToPostgres, postgresToMariadb, unwrapTransform, withSnapshotMode } from '../helpers/logCapturePipelines';
import { uniqueName } from '../helpers/names';
import { killLeftoverFerries, spawnFerry, waitForExit, writePipelineFile } from '../helpers/pipelineCli';
import { openDb, type TestDb } from '../helpers/pipelineDb';
import { type PipelineDocument, pipelineDocument, pipelineProblems, Scratch, startPipeline, waitForIdle } from '../helpers/pipelineHarness';
import { until } from '../helpers/until';

// Log-based capture end to end, configured as Debezium users configure it: a Debezium MariaDB (or PostgreSQL)
// connector config and a JDBC sink with ExtractNewRecordState. After the snapshot, inserts, updates, deletes and
// primary-key changes made while the pipeline runs, and more made while it is stopped, the target equals the
// source exactly — what polling capture cannot do (deletes never arrive there).

const endpoints = inject('labEndpoints');
let registry: EmbeddedSchemaRegistry;
const dbs = {} as { mariadb: TestDb; postgres: TestDb };
const scratch = new Scratch();
const cleanups: (() => Promise<unknown>)[] = [];
const runners: PipelineRunner[] = [];

beforeAll(async () => {
  registry = await startEmbeddedSchemaRegistry();
  dbs.mariadb = await openDb('mariadb', endpoints.mariadb);
  dbs.postgres = await openDb('postgres', endpoints.postgres);
});

afterAll(async () => {
  killLeftoverFerries();
  for (const runner of runners) await runner.stop().catch(() => undefined);
  for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
  await dbs.mariadb.close();
  await dbs.postgres.close();
  await registry.close();
  scratch.cleanup();
});

/** A MariaDB `id | customer | amount` table holding `values` (SQL VALUES text), dropped on both sides at the end. */
async function mariadbCustomerTable(table: string, values: string): Promise<void> {
  await dbs.mariadb.exec(`CREATE TABLE ${table} (id INT PRIMARY KEY, customer VARCHAR(40) NOT NULL, amount DECIMAL(10,2) NOT NULL)`);
  cleanups.push(() => dbs.mariadb.exec(`DROP TABLE IF EXISTS ${table}`), () => dbs.postgres.exec(`DROP TABLE IF EXISTS "${table}"`));
  await dbs.mariadb.exec(`INSERT INTO ${table} VALUES ${values}`);
}

/** Runs the pipeline until idle and returns its connectors' status warnings, one per line. */
async function warningsOfRunToIdle(document: PipelineDocument, dataDir: string): Promise<string> {
  const runner = await startPipeline(document, dataDir);
  runners.push(runner);
  await waitForIdle(runner, 1_500, 60_000);
  const warnings = runner.status().connectors.flatMap((connector) => connector.warnings ?? []);
  await runner.stop();
  return warnings.join('\n');
}

async function runUntilIdle(document: PipelineDocument, dataDir: string): Promise<void> {
  const runner = await startPipeline(document, dataDir);
  runners.push(runner);
  await waitForIdle(runner, 1_500, 60_000);
  await runner.stop();
}

/**
 * Rewrites a MariaDB source's checkpoint as a snapshot killed after delivering its rows leaves it (where the snapshot
 * began, no log position), with that binlog file purged since.
 */
function interruptAtPurgedBinlog(dataDir: string, pipelineName: string, prefix: string): void {
  const file = join(dataDir, 'pipelines', safeFileName(pipelineName), 'checkpoints.json');
  const checkpoints = JSON.parse(readFileSync(file, 'utf8')) as { sources: Record<string, Record<string, unknown>> };
  const positions = checkpoints.sources[`${prefix}-source`];
  expect(positions?.log).toBeDefined();
  if (positions) {
    delete positions.log;
    positions.snapshot_started = { file: 'mariadb-bin.000000', pos: 4711 };
  }
  writeFileSync(file, JSON.stringify(checkpoints));
}

describe('log-based capture with Debezium configs', () => {
  it('MariaDB (MariaDbConnector) → Kafka → PostgreSQL: snapshot, changes, deletes and key changes, across a restart, then DDL mid-stream', async () => {
    const source = dbs.mariadb;
    const target = dbs.postgres;
    const table = uniqueName('cdc_orders');
    const prefix = uniqueName('cdc');
    await mariadbCustomerTable(table, `(1, 'ada', 10.50), (2, 'bob', 20.00), (3, 'cy', 30.25)`);

    const document = mariadbToPostgres(registry.url, table, prefix);
    expect(pipelineProblems(document).filter((problem) => problem.severity === 'error')).toEqual([]);
    const dataDir = scratch.dir();

    // Snapshot, then changes while running.
    const runner = await startPipeline(document, dataDir);
    runners.push(runner);
    await waitForIdle(runner, 1_500, 60_000);
    expect(await customerRows(target, table)).toEqual(await customerRows(source, table));
    await source.exec(`INSERT INTO ${table} VALUES (4, 'dee', 40.00)`);
    await source.exec(`UPDATE ${table} SET amount = 11.75 WHERE id = 1`);
    await source.exec(`DELETE FROM ${table} WHERE id = 2`);
    await source.exec(`UPDATE ${table} SET id = 30 WHERE id = 3`);
    await waitForIdle(runner, 1_500, 60_000);
    expect(await customerRows(target, table)).toEqual(['1|ada|11.75', '4|dee|40.00', '30|cy|30.25']);
    // The status says how many binlog bytes the checkpoint is behind, beside the position.
    const lagOf = () => runner.status().connectors.find((connector) => connector.role === 'source')?.logLag;
    await until(async () => lagOf()?.behindBytes !== undefined, async () => `a measured lag in ${JSON.stringify(runner.status())}`, 20_000);
    expect(lagOf()?.position).toMatch(/:\d+/);
    expect(lagOf()?.behindBytes).toBeGreaterThanOrEqual(0);
    await runner.stop();

    // Changes while stopped arrive from the checkpointed binlog position (no new snapshot).
    await source.exec(`DELETE FROM ${table} WHERE id = 1`);
    await source.exec(`INSERT INTO ${table} VALUES (5, 'eve', 50.00)`);
    await runUntilIdle(document, dataDir);
    expect(await customerRows(target, table)).toEqual(await customerRows(source, table));
    expect(await customerRows(target, table)).toEqual(['4|dee|40.00', '5|eve|50.00', '30|cy|30.25']);

    // DDL mid-stream: a new column is a new schema version on the topic, and the target gains the column.
    const again = await startPipeline(document, dataDir);
    runners.push(again);
    await source.exec(`ALTER TABLE ${table} ADD COLUMN note VARCHAR(20) NULL`);
    await source.exec(`INSERT INTO ${table} VALUES (6, 'fay', 60.00, 'after ddl')`);
    await source.exec(`UPDATE ${table} SET note = 'changed' WHERE id = 4`);
    await waitForIdle(again, 1_500, 60_000);
    await again.stop();
    const notes = await target.exec(`SELECT id, note FROM "${table}" ORDER BY id`);
    expect(notes.map((row) => `${String(row.id)}:${String(row.note)}`)).toEqual(['4:changed', '5:null', '6:after ddl', '30:null']);
  });

  it('ExtractNewRecordState add.fields=op,source.ts_ms with delete.handling.mode=rewrite: the PostgreSQL target gains __op, __source_ts_ms (BIGINT) and __deleted', async () => {
    const source = dbs.mariadb;
    const target = dbs.postgres;
    const table = uniqueName('cdc_fields');
    const prefix = uniqueName('cdcf');
    await mariadbCustomerTable(table, `(1, 'ada', 10.50), (2, 'bob', 20.00)`);
    const document = mariadbToPostgres(registry.url, table, prefix);
    const sink = document.connectors[1] as Record<string, string>;
    // Soft deletes: the rewritten delete is kept as a row, so the sink deletes nothing and tombstones are dropped.
    Object.assign(sink, { 'transforms.unwrap.add.fields': 'op,source.ts_ms', 'transforms.unwrap.delete.handling.mode': 'rewrite', 'transforms.unwrap.drop.tombstones': 'true', 'delete.enabled': 'false' });
    expect(pipelineProblems(document).filter((problem) => problem.severity !== 'info')).toEqual([]);

    const runner = await startPipeline(document, scratch.dir());
    runners.push(runner);
    await waitForIdle(runner, 1_500, 60_000);
    // Binlog event times are whole seconds.
    const changedFrom = Math.floor(Date.now() / 1000) * 1000;
    await source.exec(`INSERT INTO ${table} VALUES (3, 'cy', 30.25)`);
    await source.exec(`UPDATE ${table} SET amount = 11.75 WHERE id = 1`);
    await source.exec(`DELETE FROM ${table} WHERE id = 2`);
    await waitForIdle(runner, 1_500, 60_000);
    const changedTo = Date.now();
    await runner.stop();

    const columns = await target.exec(`SELECT column_name, data_type FROM information_schema.columns WHERE table_name = $1 AND column_name LIKE '\\_\\_%' ORDER BY ordinal_position`, [table]);
    expect(columns.map((column) => `${String(column.column_name)}:${String(column.data_type)}`)).toEqual(['__op:text', '__source_ts_ms:bigint', '__deleted:text']);
    const found = await target.exec(`SELECT id, amount, __op, __source_ts_ms, __deleted FROM "${table}" ORDER BY id`);
    expect(found.map((row) => `${String(row.id)}|${Number(row.amount).toFixed(2)}|${String(row.__op)}|${String(row.__deleted)}`)).toEqual(['1|11.75|u|false', '2|20.00|d|true', '3|30.25|c|false']);
    for (const row of found) {
      const at = Number(row.__source_ts_ms);
      expect(at, `__source_ts_ms of id ${String(row.id)}`).toBeGreaterThanOrEqual(changedFrom);
      expect(at).toBeLessThanOrEqual(changedTo);
    }
  });

  it('PostgreSQL (PostgresConnector) → Kafka → MariaDB, and the slot is confirmed as the pipeline goes', async () => {
    const source = dbs.postgres;
    const target = dbs.mariadb;
    const table = uniqueName('cdc_pg');
    const prefix = uniqueName('cdcpg');
    const slot = uniqueName('ferry_slot');
    const publication = uniqueName('ferry_pub');
    await source.exec(`CREATE TABLE "${table}" (id int PRIMARY KEY, customer text NOT NULL, amount numeric(10,2) NOT NULL)`);
    cleanups.push(
      () => source.exec(`DROP TABLE IF EXISTS "${table}"`),
      () => target.exec(`DROP TABLE IF EXISTS \`${table}\``),
      () => source.exec('SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name = ? AND NOT active', [slot]),
      () => source.exec(`DROP PUBLICATION IF EXISTS "${publication}"`),
    );
    await source.exec(`INSERT INTO "${table}" VALUES (1, 'ada', 10.50), (2, 'bob', 20.00)`);
    const document = postgresToMariadb(registry.url, [table], prefix, slot, publication);
    expect(pipelineProblems(document).filter((problem) => problem.severity === 'error')).toEqual([]);
    const dataDir = scratch.dir();
    const confirmed = async (): Promise<string> => String((await source.exec('SELECT confirmed_flush_lsn::text AS lsn FROM pg_replication_slots WHERE slot_name = ?', [slot]))[0]?.lsn);
    const runner = await startPipeline(document, dataDir);
    runners.push(runner);
    await waitForIdle(runner, 1_500, 60_000);
    expect(await customerRows(target, table)).toEqual(['1|ada|10.50', '2|bob|20.00']);
    const afterSnapshot = await confirmed();
    await source.exec(`UPDATE "${table}" SET amount = 12.00 WHERE id = 1`);
    await source.exec(`DELETE FROM "${table}" WHERE id = 2`);
    await source.exec(`INSERT INTO "${table}" VALUES (3, 'cy', 30.00)`);
    await source.exec(`UPDATE "${table}" SET id = 30 WHERE id = 3`);
    await waitForIdle(runner, 1_500, 60_000);
    // The status names the slot, the WAL it keeps on the server and how far the checkpoint is behind the WAL.
    const lagOf = () => runner.status().connectors.find((connector) => connector.role === 'source')?.logLag;
    await until(async () => lagOf()?.slot?.retainedWalBytes !== undefined, async () => `a measured lag in ${JSON.stringify(runner.status())}`, 20_000);
    expect(lagOf()).toMatchObject({ slot: { name: slot, walStatus: expect.any(String) }, behindBytes: expect.any(Number) });
    expect(lagOf()?.slot?.retainedWalBytes).toBeGreaterThanOrEqual(0);
    await runner.stop();
    expect(await customerRows(target, table)).toEqual(['1|ada|12.00', '30|cy|30.00']);
    // Kafka acknowledged those changes, so the slot confirmed them: the server may recycle that WAL.
    const lsnValue = (text: string): bigint => {
      const [high = '0', low = '0'] = text.split('/');
      return (BigInt(`0x${high}`) << 32n) | BigInt(`0x${low}`);
    };
    expect(lsnValue(await confirmed())).toBeGreaterThan(lsnValue(afterSnapshot));

    // Stopped: changes wait in the slot and arrive at the next start, without a new snapshot.
    await source.exec(`DELETE FROM "${table}" WHERE id = 1`);
    await source.exec(`INSERT INTO "${table}" VALUES (4, 'dee', 40.00)`);
    await runUntilIdle(document, dataDir);
    expect(await customerRows(target, table)).toEqual(['4|dee|40.00', '30|cy|30.00']);
  });

  it('a dropped slot stops a checkpointed PostgreSQL source with the way back, and snapshot.mode=when_needed takes a new snapshot', async () => {
    const source = dbs.postgres;
    const target = dbs.mariadb;
    const table = uniqueName('cdc_lost');
    const prefix = uniqueName('cdclost');
    const slot = uniqueName('ferry_slot');
    const publication = uniqueName('ferry_pub');
    await source.exec(`CREATE TABLE "${table}" (id int PRIMARY KEY, customer text NOT NULL, amount numeric(10,2) NOT NULL)`);
    const dropSlot = () => source.exec('SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name = ? AND NOT active', [slot]);
    cleanups.push(
      () => source.exec(`DROP TABLE IF EXISTS "${table}"`),
      () => target.exec(`DROP TABLE IF EXISTS \`${table}\``),
      dropSlot,
      () => source.exec(`DROP PUBLICATION IF EXISTS "${publication}"`),
    );
    await source.exec(`INSERT INTO "${table}" VALUES (1, 'ada', 10.50)`);
    const withMode = (mode: string): PipelineDocument => withSnapshotMode(postgresToMariadb(registry.url, [table], prefix, slot, publication), mode);
    const dataDir = scratch.dir();
    await runUntilIdle(withMode('initial'), dataDir);
    expect(await customerRows(target, table)).toEqual(['1|ada|10.50']);

    // The slot (this test's own) is dropped while the pipeline is stopped: the changes made meanwhile are gone from the log.
    await dropSlot();
    await source.exec(`INSERT INTO "${table}" VALUES (2, 'bob', 20.00)`);
    const refused = await startPipeline(withMode('initial'), dataDir);
    runners.push(refused);
    await expect(waitForIdle(refused, 500, 30_000)).rejects.toThrow(new RegExp(`replication slot "${slot}" no longer exists.*snapshot\\.mode=when_needed`));
    await refused.stop();

    await runUntilIdle(withMode('when_needed'), dataDir);
    expect(await customerRows(target, table)).toEqual(['1|ada|10.50', '2|bob|20.00']);
  });

  it('a purged binlog stops a checkpointed MariaDB source naming the position and snapshot.mode=when_needed, which takes a new snapshot', async () => {
    const source = dbs.mariadb;
    const target = dbs.postgres;
    const table = uniqueName('cdc_purged');
    const prefix = uniqueName('cdcpurge');
    await mariadbCustomerTable(table, `(1, 'ada', 10.50)`);
    const base = mariadbToPostgres(registry.url, table, prefix);
    const withMode = (mode: string): PipelineDocument => withSnapshotMode(base, mode);
    const dataDir = scratch.dir();
    await runUntilIdle(withMode('initial'), dataDir);
    expect(await customerRows(target, table)).toEqual(['1|ada|10.50']);

    // The checkpoint now points into a binlog file the server no longer has (as after PURGE BINARY LOGS), without a
    // GTID position to find another way in; a row written meanwhile is only in the table.
    const file = join(dataDir, 'pipelines', safeFileName(base.name), 'checkpoints.json');
    const checkpoints = JSON.parse(readFileSync(file, 'utf8')) as { sources: Record<string, { log: Record<string, unknown> }> };
    const log = checkpoints.sources[`${prefix}-source`]?.log;
    expect(log?.file).toMatch(/\.\d{6}$/);
    if (log) {
      log.file = 'mariadb-bin.000000';
      log.pos = 4711;
      delete log.gtids;
    }
    writeFileSync(file, JSON.stringify(checkpoints));
    await source.exec(`INSERT INTO ${table} VALUES (2, 'bob', 20.00)`);
    const refused = await startPipeline(withMode('initial'), dataDir);
    runners.push(refused);
    await expect(waitForIdle(refused, 500, 30_000)).rejects.toThrow(/binlog position mariadb-bin\.000000:4711 is no longer on .*snapshot\.mode=when_needed/);
    await refused.stop();

    await runUntilIdle(withMode('when_needed'), dataDir);
    expect(await customerRows(target, table)).toEqual(['1|ada|10.50', '2|bob|20.00']);
  });

  it('an interrupted MariaDB snapshot whose starting binlog is purged stops with what may be left behind, and when_needed starts over saying so in the status', async () => {
    const source = dbs.mariadb;
    const target = dbs.postgres;
    const table = uniqueName('cdc_replaygone');
    const prefix = uniqueName('cdcreplay');
    await mariadbCustomerTable(table, `(1, 'ada', 10.50), (2, 'bob', 20.00)`);
    const base = mariadbToPostgres(registry.url, table, prefix);
    const withMode = (mode: string): PipelineDocument => withSnapshotMode(base, mode);
    const dataDir = scratch.dir();
    await runUntilIdle(withMode('initial'), dataDir);
    expect(await customerRows(target, table)).toEqual(['1|ada|10.50', '2|bob|20.00']);

    // Row 1, which the interrupted snapshot delivered, is deleted while Ferry is down.
    interruptAtPurgedBinlog(dataDir, base.name, prefix);
    await source.exec(`DELETE FROM ${table} WHERE id = 1`);

    const refused = await startPipeline(withMode('initial'), dataDir);
    runners.push(refused);
    await expect(waitForIdle(refused, 500, 30_000)).rejects.toThrow(
      /last snapshot of .* was interrupted, and the log from where it began \(mariadb-bin\.000000:4711\) can no longer be read.*deleted at the source since.*truncate the target tables/,
    );
    await refused.stop();

    expect(await warningsOfRunToIdle(withMode('when_needed'), dataDir)).toMatch(/log from where it began \(mariadb-bin\.000000:4711\) can no longer be read, so snapshot\.mode=when_needed took a new snapshot: rows .* deleted at the source since may remain in the target/);
    // What the warning says: the new snapshot has no row 1 to delete it with.
    expect(await customerRows(target, table)).toEqual(['1|ada|10.50', '2|bob|20.00']);
  });

  it('snapshot.mode=initial_only snapshots an interrupted MariaDB snapshot again without the log, and its status says what may be left behind', async () => {
    const source = dbs.mariadb;
    const target = dbs.postgres;
    const table = uniqueName('cdc_initonly');
    const prefix = uniqueName('cdcinitonly');
    await mariadbCustomerTable(table, `(1, 'ada', 10.50), (2, 'bob', 20.00)`);
    const base = mariadbToPostgres(registry.url, table, prefix);
    const initialOnly = withSnapshotMode(base, 'initial_only');
    const dataDir = scratch.dir();
    await runUntilIdle(initialOnly, dataDir);
    interruptAtPurgedBinlog(dataDir, base.name, prefix);
    await source.exec(`DELETE FROM ${table} WHERE id = 1`);
    await source.exec(`UPDATE ${table} SET amount = 21.00 WHERE id = 2`);

    // The purged start does not stop it: it reads no log.
    expect(await warningsOfRunToIdle(initialOnly, dataDir)).toMatch(/interrupted \(it began at mariadb-bin\.000000:4711\); snapshot\.mode=initial_only snapshots again but reads no log.*Use snapshot\.mode=initial/);
    expect(await customerRows(target, table)).toEqual(['1|ada|10.50', '2|bob|21.00']);
  });

  it('Debezium\'s own JDBC sink class (io.debezium.connector.jdbc.JdbcSinkConnector) reads the change events as they are', async () => {
    const source = dbs.mariadb;
    const target = dbs.postgres;
    const table = uniqueName('cdc_dbzsink');
    const prefix = uniqueName('dbzsink');
    await mariadbCustomerTable(table, `(1, 'ada', 10.50), (2, 'bob', 20.00), (3, 'cy', 30.25)`);
    const base = mariadbToPostgres(registry.url, table, prefix);
    const document: PipelineDocument = {
      ...base,
      connectors: [
        base.connectors[0] ?? {},
        {
          name: `${prefix}-sink`,
          'connector.class': 'io.debezium.connector.jdbc.JdbcSinkConnector',
          'connection.url': `jdbc:postgresql://${endpoints.postgres.host}:${endpoints.postgres.port}/${endpoints.postgres.database}`,
          'connection.username': endpoints.postgres.user,
          'connection.password': endpoints.postgres.password,
          topics: `${prefix}.${endpoints.mariadb.database}.${table}`,
          'table.name.format': table,
          'insert.mode': 'upsert',
          'primary.key.mode': 'record_key',
          'delete.enabled': 'true',
          'schema.evolution': 'basic',
          'quote.identifiers': 'true',
        },
      ],
    };
    expect(pipelineProblems(document).filter((problem) => problem.severity === 'error')).toEqual([]);
    const runner = await startPipeline(document, scratch.dir());
    runners.push(runner);
    await waitForIdle(runner, 1_500, 60_000);
    await source.exec(`UPDATE ${table} SET amount = 99.99 WHERE id = 1`);
    await source.exec(`DELETE FROM ${table} WHERE id = 2`);
    await source.exec(`UPDATE ${table} SET id = 33 WHERE id = 3`);
    await waitForIdle(runner, 1_500, 60_000);
    await runner.stop();
    expect(await customerRows(target, table)).toEqual(['1|ada|99.99', '33|cy|30.25']);
  });

  interface Direction {
    name: string;
    source: () => TestDb;
    target: () => TestDb;
    document: (table: string, prefix: string) => PipelineDocument;
    cleanup: (table: string, prefix: string) => void;
  }
  const directions: Direction[] = [
    {
      name: 'MariaDB → PostgreSQL',
      source: () => dbs.mariadb,
      target: () => dbs.postgres,
      document: (table, prefix) => mariadbToPostgres(registry.url, table, prefix),
      cleanup: () => undefined,
    },
    {
      name: 'PostgreSQL → MariaDB',
      source: () => dbs.postgres,
      target: () => dbs.mariadb,
      document: (table, prefix) => postgresToMariadb(registry.url, [table], prefix, `${prefix}_slot`, `${prefix}_pub`),
      cleanup: (_table, prefix) => {
        cleanups.push(
          () => dbs.postgres.exec('SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name = ? AND NOT active', [`${prefix}_slot`]),
          () => dbs.postgres.exec(`DROP PUBLICATION IF EXISTS "${prefix}_pub"`),
        );
      },
    },
  ];

  it.each(directions)('$name: loses nothing when ferry run is SIGKILLed mid-stream while a writer inserts, updates and deletes', async (direction) => {
    const source = direction.source();
    const target = direction.target();
    const table = uniqueName('cdc_kill');
    const prefix = uniqueName('cdckill');
    await source.exec(`CREATE TABLE ${source.q(table)} (id INT PRIMARY KEY, customer VARCHAR(40) NOT NULL, amount DECIMAL(10,2) NOT NULL)`);
    cleanups.push(() => source.exec(`DROP TABLE IF EXISTS ${source.q(table)}`), () => target.exec(`DROP TABLE IF EXISTS ${target.q(table)}`));
    direction.cleanup(table, prefix);
    await source.exec(`INSERT INTO ${source.q(table)} VALUES ${Array.from({ length: 500 }, (_, index) => `(${index + 1}, 'c${index + 1}', ${index + 1}.00)`).join(', ')}`);
    const dir = scratch.dir();
    const file = writePipelineFile(dir, direction.document(table, prefix));
    const env = { FERRY_DATA_DIR: dir };
    let writing = true;
    let next = 501;
    const writes = (async () => {
      while (writing) {
        await source.exec(`INSERT INTO ${source.q(table)} VALUES (?, ?, 1.00)`, [next, `c${next}`]);
        await source.exec(`UPDATE ${source.q(table)} SET amount = amount + 1 WHERE id = ?`, [1 + Math.floor(Math.random() * (next - 1))]);
        await source.exec(`DELETE FROM ${source.q(table)} WHERE id = ?`, [1 + Math.floor(Math.random() * next)]);
        next += 1;
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
    })();
    for (let kill = 0; kill < 2; kill++) {
      const ferry = spawnFerry(['run', file], env);
      // Let it snapshot (first run) and stream for a while, then kill it without any chance to clean up.
      await new Promise((resolve) => setTimeout(resolve, 4_000));
      ferry.child.kill('SIGKILL');
      expect((await ferry.exited).signal).toBe('SIGKILL');
    }
    writing = false;
    await writes;
    const last = spawnFerry(['run', file, '--until-idle'], env);
    const exit = await waitForExit(last, 90_000);
    expect(exit.code, last.stderr()).toBe(0);
    expect(next).toBeGreaterThan(520); // the writer really ran across the kills
    expect(await customerRows(target, table)).toEqual(await customerRows(source, table));
  }, 180_000);

  it.each(directions)('$name: rows a killed snapshot already delivered, deleted before the restart, are deleted in the target too', async (direction) => {
    const source = direction.source();
    const target = direction.target();
    const table = uniqueName('cdc_snapkill');
    const prefix = uniqueName('snapkill');
    await source.exec(`CREATE TABLE ${source.q(table)} (id INT PRIMARY KEY, customer VARCHAR(40) NOT NULL, amount DECIMAL(10,2) NOT NULL)`);
    cleanups.push(() => source.exec(`DROP TABLE IF EXISTS ${source.q(table)}`), () => target.exec(`DROP TABLE IF EXISTS ${target.q(table)}`));
    direction.cleanup(table, prefix);
    // Enough rows that the snapshot is still reading when its first rows reach the target.
    const seeded = 200_000;
    await source.exec(
      source === dbs.mariadb
        ? `INSERT INTO ${source.q(table)} SELECT seq, CONCAT('c', seq), seq % 1000 + 0.25 FROM seq_1_to_${seeded}`
        : `INSERT INTO ${source.q(table)} SELECT n, 'c' || n, n % 1000 + 0.25 FROM generate_series(1, ${seeded}) AS n`,
    );
    const dir = scratch.dir();
    const document = direction.document(table, prefix);
    const file = writePipelineFile(dir, document);
    const env = { FERRY_DATA_DIR: dir };
    const first = spawnFerry(['run', file], env);
    const delivered = async (): Promise<number[]> => {
      try {
        return (await target.exec(`SELECT id FROM ${target.q(table)} ORDER BY id LIMIT 2000`)).map((row) => Number(row.id));
      } catch {
        return []; // the sink has not created the table yet
      }
    };
    await until(async () => (await delivered()).length > 0, () => `the first snapshot rows in the target\n${first.stderr()}`, 90_000, 50);
    first.child.kill('SIGKILL');
    expect((await first.exited).signal).toBe('SIGKILL');
    const checkpointFile = join(dir, 'pipelines', safeFileName(document.name), 'checkpoints.json');
    const saved = existsSync(checkpointFile) ? (JSON.parse(readFileSync(checkpointFile, 'utf8')) as { sources: Record<string, Record<string, unknown>> }).sources[`${prefix}-source`] : undefined;
    // The kill came before the snapshot finished: no log position was checkpointed yet.
    expect(saved?.log).toBeUndefined();

    // While Ferry is down: rows the killed snapshot already delivered are deleted or changed, and new ones written.
    const gone = await delivered();
    await source.exec(`DELETE FROM ${source.q(table)} WHERE id IN (${gone.filter((id) => id % 3 !== 0).join(', ')})`);
    await source.exec(`UPDATE ${source.q(table)} SET amount = amount + 1 WHERE id IN (${gone.filter((id) => id % 3 === 0).join(', ')})`);
    await source.exec(`INSERT INTO ${source.q(table)} VALUES (${seeded + 1}, 'new', 1.00)`);

    const last = spawnFerry(['run', file, '--until-idle'], env);
    const exit = await waitForExit(last, 180_000);
    expect(exit.code, last.stderr()).toBe(0);
    const [inTarget, inSource] = [await customerRows(target, table), await customerRows(source, table)];
    expect(inTarget.length).toBe(inSource.length);
    expect(inTarget).toEqual(inSource);
  }, 240_000);
});

// SQL Server's CDC change tables, the same scenario against a real server when FERRY_MSSQL_URL points at one (e.g.
// mssql://sa:secret@host:1433/ferry?encrypt=false; the user enables CDC, so sysadmin, and SQL Server Agent must run).
const mssqlUrl = process.env.FERRY_MSSQL_URL;

describe.skipIf(!mssqlUrl)(`log-based capture from SQL Server CDC${mssqlUrl ? '' : ' (skipped: FERRY_MSSQL_URL is not set, no SQL Server runs here)'}`, () => {
  const url = new URL(mssqlUrl ?? 'mssql://unset@localhost/ferry');
  const database = decodeURIComponent(url.pathname.replace(/^\//, '')) || 'master';
  let pool: sql.ConnectionPool;

  beforeAll(async () => {
    pool = await new sql.ConnectionPool(url.toString()).connect();
    await pool.request().query(`IF (SELECT is_cdc_enabled FROM sys.databases WHERE name = DB_NAME()) = 0 EXEC sys.sp_cdc_enable_db`);
  });

  afterAll(async () => {
    await pool?.close();
  });

  const document = (table: string, prefix: string): PipelineDocument =>
    pipelineDocument(`${prefix}-pipeline`, endpoints.kafka.a.bootstrap, registry.url, [
      {
        name: `${prefix}-source`,
        'connector.class': 'io.debezium.connector.sqlserver.SqlServerConnector',
        'database.hostname': url.hostname,
        'database.port': url.port || '1433',
        'database.user': decodeURIComponent(url.username),
        'database.password': decodeURIComponent(url.password),
        'database.names': database,
        'database.ssl.mode': url.searchParams.get('encrypt') === 'false' ? 'disable' : 'require',
        'topic.prefix': prefix,
        'table.include.list': `dbo\\.${table}`,
      },
      {
        name: `${prefix}-sink`,
        'connector.class': 'io.confluent.connect.jdbc.JdbcSinkConnector',
        'connection.url': `jdbc:postgresql://${endpoints.postgres.host}:${endpoints.postgres.port}/${endpoints.postgres.database}`,
        'connection.user': endpoints.postgres.user,
        'connection.password': endpoints.postgres.password,
        topics: `${prefix}.${database}.dbo.${table}`,
        'table.name.format': table,
        'insert.mode': 'upsert',
        'pk.mode': 'record_key',
        'delete.enabled': 'true',
        'auto.create': 'true',
        ...unwrapTransform,
      },
    ]);

  it('SQL Server (SqlServerConnector) → Kafka → PostgreSQL: CDC off is named with the statements that enable it; then snapshot, changes, deletes, key changes and a restart', async () => {
    const table = uniqueName('cdc_mssql');
    const prefix = uniqueName('cdcms');
    const target = dbs.postgres;
    await pool.request().query(`CREATE TABLE dbo.[${table}] (id INT PRIMARY KEY, customer NVARCHAR(40) NOT NULL, amount DECIMAL(10,2) NOT NULL)`);
    cleanups.push(() => pool.request().query(`DROP TABLE IF EXISTS dbo.[${table}]`), () => target.exec(`DROP TABLE IF EXISTS "${table}"`));
    await pool.request().query(`INSERT INTO dbo.[${table}] VALUES (1, 'ada', 10.50), (2, 'bob', 20.00), (3, 'cy', 30.25)`);
    const dataDir = scratch.dir();

    // CDC is off on the table: the source fails naming the statement that turns it on.
    const refused = await startPipeline(document(table, prefix), dataDir);
    runners.push(refused);
    await expect(waitForIdle(refused, 500, 30_000)).rejects.toThrow(/sp_cdc_enable_table @source_schema = N'dbo', @source_name = N'/);
    await refused.stop();

    await pool.request().query(`EXEC sys.sp_cdc_enable_table @source_schema = N'dbo', @source_name = N'${table}', @role_name = NULL, @supports_net_changes = 0`);
    const mssqlRows = async (): Promise<string[]> =>
      (await pool.request().query<{ id: number; customer: string; amount: number }>(`SELECT id, customer, amount FROM dbo.[${table}] ORDER BY id`)).recordset.map(
        (row) => `${row.id}|${row.customer}|${Number(row.amount).toFixed(2)}`,
      );
    const runner = await startPipeline(document(table, prefix), dataDir);
    runners.push(runner);
    await waitForIdle(runner, 1_500, 60_000);
    expect(await customerRows(target, table)).toEqual(await mssqlRows());
    await pool.request().query(`INSERT INTO dbo.[${table}] VALUES (4, 'dee', 40.00); UPDATE dbo.[${table}] SET amount = 11.75 WHERE id = 1; DELETE FROM dbo.[${table}] WHERE id = 2; UPDATE dbo.[${table}] SET id = 30 WHERE id = 3`);
    // The capture job copies committed changes into the change table asynchronously: wait until they are there.
    const deadline = Date.now() + 60_000;
    while ((await customerRows(target, table)).join() !== (await mssqlRows()).join() && Date.now() < deadline) await waitForIdle(runner, 1_000, 60_000);
    expect(await customerRows(target, table)).toEqual(['1|ada|11.75', '4|dee|40.00', '30|cy|30.25']);
    await runner.stop();

    await pool.request().query(`DELETE FROM dbo.[${table}] WHERE id = 1; INSERT INTO dbo.[${table}] VALUES (5, 'eve', 50.00)`);
    await new Promise((resolve) => setTimeout(resolve, 5_000));
    await runUntilIdle(document(table, prefix), dataDir);
    expect(await customerRows(target, table)).toEqual(await mssqlRows());
  }, 180_000);
});
