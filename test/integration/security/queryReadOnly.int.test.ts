import { existsSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { PipelinesService } from '../../../src/engine/pipeline';
import { QueryService } from '../../../src/engine/query';
import { PipelineCatalog } from '../../../src/engine/trace';
import { runVerify } from '../../../src/engine/verify';
import type { QueryResult } from '../../../src/shared/api';
import { uniqueName } from '../../helpers/names';
import { openDb, type TestDb } from '../../helpers/pipelineDb';
import { Scratch } from '../../helpers/pipelineHarness';
import { until } from '../../helpers/until';

const endpoints = inject('labEndpoints');

/**
 * The query pane's read-only mode against the lab's real databases: every escape that once worked (a COMMIT hidden
 * from the pane's lexer, COPY … TO PROGRAM, MariaDB's versioned comments and `--` without a space, INTO OUTFILE, a
 * writing function in Compare's `where`) is tried through the engine's query service as the app calls it, and the
 * test proves that nothing changed and no file was written. Also: MariaDB statements without rows settle, and a
 * running statement can be cancelled or timed out on the server.
 */
describe('query pane: read-only is enforced by the database, statements settle and can be cancelled', () => {
  const scratch = new Scratch();
  let pipelines: PipelinesService;
  let catalog: PipelineCatalog;
  let query: QueryService;
  let maria: TestDb;
  let postgres: TestDb;
  const table = uniqueName('ro_rows');
  const logTable = uniqueName('ro_log');
  const writer = uniqueName('ro_writer');
  const files: string[] = [];
  const fileName = (label: string): string => {
    const path = join(tmpdir(), `${uniqueName(`ferry_ro_${label}`)}.txt`);
    files.push(path);
    return path;
  };
  const count = async (db: TestDb, name = table): Promise<number> => Number((await db.exec(`SELECT count(*) AS n FROM ${db.q(name)}`))[0]?.n);

  beforeAll(async () => {
    maria = await openDb('mariadb', endpoints.mariadb);
    postgres = await openDb('postgres', endpoints.postgres);
    for (const db of [maria, postgres]) {
      await db.exec(`CREATE TABLE ${db.q(table)} (id INT PRIMARY KEY, item VARCHAR(40) NOT NULL)`);
      await db.exec(`INSERT INTO ${db.q(table)} (id, item) VALUES (1, 'a'), (2, 'b'), (3, 'c')`);
    }
    await postgres.exec(`CREATE TABLE ${postgres.q(logTable)} (at TIMESTAMPTZ NOT NULL DEFAULT now())`);
    // A function with a side effect, as a user (or an attacker) could call from a query or from Compare's where.
    await postgres.exec(`CREATE FUNCTION ${writer}() RETURNS boolean LANGUAGE plpgsql AS $$ BEGIN INSERT INTO ${postgres.q(logTable)} DEFAULT VALUES; RETURN true; END $$`);
    pipelines = new PipelinesService({ dataDir: scratch.dir() });
    catalog = new PipelineCatalog(pipelines);
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
  });

  afterAll(async () => {
    await postgres?.exec(`DROP FUNCTION IF EXISTS ${writer}()`);
    for (const db of [maria, postgres]) {
      await db?.exec(`DROP TABLE IF EXISTS ${db.q(table)}`);
      await db?.exec(`DROP TABLE IF EXISTS ${db.q(logTable)}`);
      await db?.close();
    }
    catalog?.dispose();
    pipelines?.dispose();
    scratch.cleanup();
    for (const file of files) rmSync(file, { force: true });
  });

  /** Runs a statement read-only and returns the error it failed with (undefined when it ran). */
  const attempt = async (database: string, sql: string): Promise<{ code?: string; message: string } | undefined> => {
    try {
      await query.run({ database, sql });
      return undefined;
    } catch (error) {
      return { code: (error as { code?: string }).code, message: (error as Error).message };
    }
  };

  it('PostgreSQL: a COMMIT hidden behind a backslash in a standard string cannot end the read-only transaction', async () => {
    const refused = await attempt('lab/postgres', `SELECT '\\'; COMMIT; DELETE FROM ${postgres.q(table)}; SELECT '\\'`);
    expect(refused).toBeDefined();
    expect(await count(postgres)).toBe(3);
  });

  it('PostgreSQL: COPY … TO PROGRAM never runs, however it is hidden', async () => {
    const viaCommit = fileName('pg_commit');
    expect(await attempt('lab/postgres', `SELECT '\\'; COMMIT; COPY (SELECT 1) TO PROGRAM 'touch ${viaCommit}'; SELECT '\\'`)).toBeDefined();
    // PostgreSQL nests block comments; a lexer that does not would see SHOW first.
    const viaNestedComment = fileName('pg_nested');
    expect(await attempt('lab/postgres', `/* /* */ SHOW search_path */ COPY (SELECT 1) TO PROGRAM 'touch ${viaNestedComment}'`)).toBeDefined();
    const plain = fileName('pg_plain');
    expect(await attempt('lab/postgres', `COPY (SELECT 1) TO PROGRAM 'touch ${plain}'`)).toMatchObject({ code: 'QUERY_WRITE_REFUSED' });
    for (const file of [viaCommit, viaNestedComment, plain]) expect(existsSync(file), file).toBe(false);
  });

  it('PostgreSQL: a function that writes is refused by the read-only transaction', async () => {
    expect(await attempt('lab/postgres', `SELECT ${writer}()`)).toMatchObject({ code: 'QUERY_WRITE_REFUSED' });
    expect(await attempt('lab/postgres', `SELECT * FROM ${postgres.q(table)} WHERE ${writer}()`)).toMatchObject({ code: 'QUERY_WRITE_REFUSED' });
    expect(await count(postgres, logTable)).toBe(0);
    // Reads still work, and say how they ran.
    const read = await query.run({ database: 'lab/postgres', sql: `SELECT id, item FROM ${postgres.q(table)} ORDER BY id` });
    expect(read.rows).toEqual([[1, 'a'], [2, 'b'], [3, 'c']]);
    const shown = await query.run({ database: 'lab/postgres', sql: 'SHOW TimeZone' });
    expect(shown.rows).toEqual([['UTC']]);
  });

  it('MariaDB: versioned and optimizer comments are refused, and INTO OUTFILE never writes a file', async () => {
    const versioned = fileName('maria_versioned');
    expect(await attempt('lab/mariadb', `SELECT id FROM ${maria.q(table)} /*! INTO OUTFILE '${versioned}' */`)).toMatchObject({ code: 'QUERY_WRITE_REFUSED', message: expect.stringMatching(/versioned/i) });
    const mariaOnly = fileName('maria_m');
    expect(await attempt('lab/mariadb', `SELECT id FROM ${maria.q(table)} /*M! INTO OUTFILE '${mariaOnly}' */`)).toMatchObject({ code: 'QUERY_WRITE_REFUSED' });
    expect(await attempt('lab/mariadb', `SELECT /*+ MAX_EXECUTION_TIME(1000) */ id FROM ${maria.q(table)}`)).toMatchObject({ code: 'QUERY_WRITE_REFUSED' });
    // In MariaDB `--` starts a comment only before a space: `1--1` is 1 - -1, and what follows is SQL.
    const dashes = fileName('maria_dashes');
    expect(await attempt('lab/mariadb', `SELECT 1--1 INTO OUTFILE '${dashes}'`)).toBeDefined();
    const doubleQuoted = fileName('maria_dq');
    expect(await attempt('lab/mariadb', `SELECT "\\" INTO OUTFILE '${doubleQuoted}' -- "`)).toBeDefined();
    for (const file of [versioned, mariaOnly, dashes, doubleQuoted]) expect(existsSync(file), file).toBe(false);
  });

  it('MariaDB: a second statement never runs, and a write inside the read-only transaction is refused', async () => {
    expect(await attempt('lab/mariadb', `SELECT 1--1; DELETE FROM ${maria.q(table)}`)).toBeDefined();
    expect(await attempt('lab/mariadb', `SELECT 1 # ; DELETE FROM ${maria.q(table)}\n; DELETE FROM ${maria.q(table)}`)).toBeDefined();
    expect(await count(maria)).toBe(3);
    const read = await query.run({ database: 'lab/mariadb', sql: `SELECT id, item FROM ${maria.q(table)} ORDER BY id` });
    expect(read.rows).toEqual([[1, 'a'], [2, 'b'], [3, 'c']]);
  });

  it("Compare's where runs read-only: a writing function in it is refused and writes nothing", async () => {
    const compared = query.compare({ source: { database: 'lab/postgres', table, where: `${writer}()` }, target: { database: 'lab/postgres', table } });
    await expect(compared).rejects.toMatchObject({ message: expect.stringMatching(/read-only/i) });
    expect(await count(postgres, logTable)).toBe(0);
    const hidden = query.compare({ source: { database: 'lab/postgres', table, where: `true; COMMIT; DELETE FROM ${postgres.q(table)}; SELECT 1 WHERE true` }, target: { database: 'lab/postgres', table } });
    await expect(hidden).rejects.toBeDefined();
    expect(await count(postgres)).toBe(3);
    const outfile = fileName('maria_where');
    const broken = query.compare({ source: { database: 'lab/mariadb', table, where: `1=1) INTO OUTFILE '${outfile}' -- ` }, target: { database: 'lab/mariadb', table } });
    await expect(broken).rejects.toBeDefined();
    expect(existsSync(outfile)).toBe(false);
    // A plain where still compares.
    const equal = await query.compare({ source: { database: 'lab/mariadb', table, where: 'id >= 2' }, target: { database: 'lab/postgres', table, where: 'id >= 2' } });
    expect(equal.equal).toBe(true);
  });

  it('MariaDB: statements without rows (CREATE, INSERT, UPDATE, DELETE, DROP) settle with the rows they changed', async () => {
    const scratchTable = maria.q(uniqueName('ro_ddl'));
    const run = (sql: string): Promise<QueryResult> => query.run({ database: 'lab/mariadb', sql, allowWrite: true });
    await expect(run(`CREATE TABLE ${scratchTable} (id INT PRIMARY KEY, n INT)`)).resolves.toMatchObject({ statementKind: 'write', affectedRows: 0, columns: [] });
    await expect(run(`INSERT INTO ${scratchTable} VALUES (1, 1), (2, 2)`)).resolves.toMatchObject({ affectedRows: 2 });
    await expect(run(`UPDATE ${scratchTable} SET n = n + 1`)).resolves.toMatchObject({ affectedRows: 2 });
    await expect(run(`DELETE FROM ${scratchTable} WHERE id = 1`)).resolves.toMatchObject({ affectedRows: 1 });
    await expect(run(`DROP TABLE ${scratchTable}`)).resolves.toMatchObject({ affectedRows: 0 });
  });

  it('Cancel stops the statement on the server (PostgreSQL and MariaDB)', async () => {
    const pgRun = query.run({ database: 'lab/postgres', sql: 'SELECT pg_sleep(600)', runId: 'pg-cancel' });
    const pgRunning = async (): Promise<boolean> =>
      (await postgres.exec(`SELECT count(*) AS n FROM pg_stat_activity WHERE application_name = 'ferry query' AND wait_event = 'PgSleep'`).then((rows) => Number(rows[0]?.n))) > 0;
    await until(pgRunning, 'the PostgreSQL sleep running');
    await expect(query.cancel('pg-cancel')).resolves.toBe(true);
    await expect(pgRun).rejects.toMatchObject({ code: 'QUERY_CANCELLED' });
    await until(async () => !(await pgRunning()), 'the PostgreSQL backend idle again');

    const marker = uniqueName('sleep');
    const mariaRun = query.run({ database: 'lab/mariadb', sql: `SELECT SLEEP(600) AS ${marker}`, runId: 'maria-cancel' });
    const mariaRunning = async (): Promise<boolean> => (await maria.exec(`SELECT ID FROM information_schema.PROCESSLIST WHERE INFO LIKE ?`, [`SELECT SLEEP(600) AS ${marker}%`])).length > 0;
    await until(mariaRunning, 'the MariaDB sleep running');
    await expect(query.cancel('maria-cancel')).resolves.toBe(true);
    await expect(mariaRun).rejects.toMatchObject({ code: 'QUERY_CANCELLED' });
    await until(async () => !(await mariaRunning()), 'the MariaDB sleep gone');
    await expect(query.cancel('maria-cancel')).resolves.toBe(false);
  });

  it('a statement that outlives its timeout is stopped and says so', async () => {
    await expect(query.run({ database: 'lab/postgres', sql: 'SELECT pg_sleep(600)', timeoutMs: 300 })).rejects.toMatchObject({ code: 'QUERY_TIMEOUT', message: expect.stringMatching(/0\.3 s/) });
    await expect(query.run({ database: 'lab/mariadb', sql: 'SELECT SLEEP(600)', timeoutMs: 300 })).rejects.toMatchObject({ code: 'QUERY_TIMEOUT' });
    await expect(query.run({ database: 'lab/mariadb', sql: 'SELECT 1', timeoutMs: 0 })).rejects.toMatchObject({ code: 'QUERY_BAD_REQUEST', message: expect.stringMatching(/timeoutMs/) });
  });
});
