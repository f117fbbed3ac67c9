import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConnectionsService } from '../../src/engine/connections';
import { runVerify, VerifyService } from '../../src/engine/verify';
import type { VerifyProgress, VerifyReport } from '../../src/shared/api';
import { isEngineError } from '../../src/shared/errors';
import { killLeftoverFerries, spawnFerry, waitForExit } from '../helpers/pipelineCli';
import { uniqueName } from '../helpers/names';
import { databaseUrl, openVerifyTestDb, type VerifyTestDb } from '../helpers/verifyDb';

// `ferry verify` as scripts run it (exit codes, JSON, secrets kept out of messages), the engine API's progress and
// cancellation, per-side time zones for zone-less timestamps, and --min-age — MariaDB source, PostgreSQL target.

const endpoints = inject('labEndpoints');
const mariadbUrl = databaseUrl('mysql', endpoints.mariadb);
const postgresUrl = databaseUrl('postgres', endpoints.postgres);

let source: VerifyTestDb;
let target: VerifyTestDb;
const tables: string[] = [];

async function pairOfTables(columns: Parameters<VerifyTestDb['createTable']>[1], sourceRows: (string | null)[][], targetRows: (string | null)[][], targetColumns = columns): Promise<string> {
  const table = uniqueName('vc');
  tables.push(table);
  await source.createTable(table, columns, ['id']);
  await target.createTable(table, targetColumns, ['id']);
  await source.insert(table, columns, sourceRows);
  await target.insert(table, targetColumns, targetRows);
  return table;
}

beforeAll(async () => {
  source = await openVerifyTestDb('source', mariadbUrl);
  target = await openVerifyTestDb('target', postgresUrl);
});

afterAll(async () => {
  killLeftoverFerries();
  for (const table of tables) {
    await source.dropTable(table).catch(() => undefined);
    await target.dropTable(table).catch(() => undefined);
  }
  await source.close();
  await target.close();
});

describe('ferry verify (CLI)', () => {
  const columns = [
    { name: 'id', type: 'int' as const },
    { name: 'amount', type: 'decimal(10,2)' as const },
  ];

  it('takes saved database profile names for --source and --target, and names the profiles when one is unknown', async () => {
    const table = await pairOfTables(columns, [['1', '1.50']], [['1', '1.5']]);
    const dataDir = mkdtempSync(join(tmpdir(), 'ferry-verify-profiles-'));
    try {
      // As the app saves them, with the user's opt-in to a secrets file so another process (this CLI) can read them.
      const connections = new ConnectionsService({ dataDir });
      await connections.setSecretStorage('file');
      for (const [name, product, endpoint] of [['Shop source', 'mysql', endpoints.mariadb], ['Shop target', 'postgres', endpoints.postgres]] as const) {
        await connections.save({
          profile: { kind: 'database', name, environment: 'dev', product, host: endpoint.host, port: endpoint.port, database: endpoint.database, user: endpoint.user, tls: 'disable' },
          secret: endpoint.password,
        });
      }
      connections.dispose();
      const env = { FERRY_DATA_DIR: dataDir };
      const ferry = spawnFerry(['verify', '--source', 'Shop source', '--target', 'shop target', '--table', table, '--json'], env);
      const { code } = await waitForExit(ferry, 60_000);
      expect(code, ferry.stderr()).toBe(0);
      expect(JSON.parse(ferry.stdout())).toMatchObject({ equal: true, rowsCompared: 1 });

      const unknown = spawnFerry(['verify', '--source', 'Shop sauce', '--target', 'Shop target', '--table', table], env);
      expect((await waitForExit(unknown, 60_000)).code).toBe(2);
      expect(unknown.stderr()).toContain('--source "Shop sauce" is neither a URL');
      expect(unknown.stderr()).toContain('"Shop source", "Shop target"');
      expect(unknown.stderr()).not.toContain(endpoints.mariadb.password);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('exits 0 with a JSON report when the tables are equal', async () => {
    const table = await pairOfTables(columns, [['1', '1.50'], ['2', '2']], [['1', '1.50'], ['2', '2.00']]);
    const ferry = spawnFerry(['verify', '--source', mariadbUrl, '--target', postgresUrl, '--table', table, '--json'], {});
    const { code } = await waitForExit(ferry, 60_000);
    expect(code, ferry.stderr()).toBe(0);
    const report = JSON.parse(ferry.stdout()) as VerifyReport;
    expect(report).toMatchObject({ equal: true, rowsCompared: 2, onlyInSource: [], onlyInTarget: [], different: [], notes: [] });
    expect(typeof report.seconds).toBe('number');
  });

  it('exits 1 and lists exactly the differing keys; the readable report names them too', async () => {
    const table = await pairOfTables(columns, [['1', '1.50'], ['2', '2'], ['3', '3']], [['1', '1.51'], ['2', '2'], ['4', '4']]);
    const json = spawnFerry(['verify', '--source', mariadbUrl, '--target', postgresUrl, '--table', table, '--json'], {});
    expect((await waitForExit(json, 60_000)).code, json.stderr()).toBe(1);
    const report = JSON.parse(json.stdout()) as VerifyReport;
    expect(report.onlyInSource).toEqual([{ id: 3 }]);
    expect(report.onlyInTarget).toEqual([{ id: 4 }]);
    expect(report.different).toEqual([{ key: { id: 1 }, columns: [{ name: 'amount', source: '1.50', target: '1.51' }] }]);

    const text = spawnFerry(['verify', '--source', mariadbUrl, '--target', postgresUrl, '--table', table, '--fix-sql'], {});
    expect((await waitForExit(text, 60_000)).code).toBe(1);
    expect(text.stdout()).toContain('DIFFERENT: 1 only in source, 1 only in target, 1 different');
    expect(text.stdout()).toMatch(/id=1 +amount +1\.50 +1\.51/);
    expect(text.stdout()).toContain(`DELETE FROM "public"."${table}" WHERE "id" = 4;`);
  });

  it('exits 2 on errors, without printing the password', async () => {
    const missing = spawnFerry(['verify', '--source', mariadbUrl, '--target', postgresUrl, '--table', 'no_such_table_here', '--json'], {});
    expect((await waitForExit(missing, 60_000)).code).toBe(2);
    expect(JSON.parse(missing.stdout())).toMatchObject({ error: { code: 'VERIFY_TABLE_MISSING' } });
    expect(missing.stderr()).toContain('no_such_table_here');

    const wrongPassword = mariadbUrl.replace(`:${encodeURIComponent(endpoints.mariadb.password)}@`, ':not-the-password-xyz@');
    const refused = spawnFerry(['verify', '--source', wrongPassword, '--target', postgresUrl, '--table', 't'], {});
    expect((await waitForExit(refused, 60_000)).code).toBe(2);
    expect(refused.stderr()).toContain('Cannot connect to the source database');
    expect(refused.stderr()).not.toContain('not-the-password-xyz');

    const usage = spawnFerry(['verify', '--source', mariadbUrl], {});
    expect((await waitForExit(usage, 60_000)).code).toBe(2);
    expect(usage.stderr()).toContain('--target is required');
  });
});

describe('verify through the engine API', () => {
  it('reports progress and can be cancelled', async () => {
    const table = await pairOfTables([{ name: 'id', type: 'int' }, { name: 's', type: 'varchar' }], [['1', 'a'], ['2', 'b']], [['1', 'a'], ['2', 'c']]);
    const service = new VerifyService();
    const events: VerifyProgress[] = [];
    const subscription = service.onDidProgress((event) => events.push(event));
    try {
      const report = await service.run({ source: { url: mariadbUrl, table }, target: { url: postgresUrl, table }, runId: 'progress-run' });
      expect(report.different.map((row) => row.key)).toEqual([{ id: 2 }]);
      expect(events.map((event) => event.phase)).toContain('checksumming');
      expect(events.at(-1)).toMatchObject({ runId: 'progress-run', phase: 'done', rowsCompared: 2 });

      const running = service.run({ source: { url: mariadbUrl, table }, target: { url: postgresUrl, table }, runId: 'cancelled-run' });
      expect(await service.cancel('cancelled-run')).toBe(true);
      const error: unknown = await running.catch((caught: unknown) => caught);
      expect(isEngineError(error) && error.code).toBe('VERIFY_CANCELLED');
      expect(await service.cancel('cancelled-run')).toBe(false);
    } finally {
      subscription.dispose();
      service.dispose();
    }
  });

  it('stops listing at maxDifferences and says so, still not equal', async () => {
    const rows = Array.from({ length: 50 }, (_, index) => [String(index + 1), `row ${index + 1}`]);
    const table = await pairOfTables([{ name: 'id', type: 'int' }, { name: 's', type: 'varchar' }], rows, []);
    const report = await runVerify({ source: { url: mariadbUrl, table }, target: { url: postgresUrl, table }, maxDifferences: 5, segments: 32, bisectionThreshold: 1 });
    expect(report.equal).toBe(false);
    expect(report.truncated).toBe(true);
    expect(report.onlyInSource.length).toBe(5);
    expect(report.sourceRows).toBe(50);
    expect(report.notes.join('\n')).toContain('Listing stopped after 5 differences');
  });

  it('reads zone-less timestamps in the zone given per side', async () => {
    // 12:00 wall clock at +02:00 is 10:00 UTC, which is what the target's timestamptz holds.
    const table = await pairOfTables(
      [{ name: 'id', type: 'int' }, { name: 'at', type: 'ts6' }],
      [['1', '2024-07-01 12:00:00.250000'], ['2', '2024-01-01 00:30:00']],
      [['1', '2024-07-01 10:00:00.25'], ['2', '2023-12-31 22:30:00']],
      [{ name: 'id', type: 'int' }, { name: 'at', type: 'tstz6' }],
    );
    const inZone = await runVerify({ source: { url: mariadbUrl, table, timeZone: '+02:00' }, target: { url: postgresUrl, table } });
    expect(inZone.equal).toBe(true);
    const asUtc = await runVerify({ source: { url: mariadbUrl, table }, target: { url: postgresUrl, table } });
    expect(asUtc.different.map((row) => row.key)).toEqual([{ id: 1 }, { id: 2 }]);
    // And the other way round: PostgreSQL zone-less timestamps in a named zone (summer and winter offsets).
    const wallClock = uniqueName('vz');
    tables.push(wallClock);
    const zoned = [{ name: 'id', type: 'int' as const }, { name: 'at', type: 'ts6' as const }];
    await target.createTable(wallClock, zoned, ['id']);
    await source.createTable(wallClock, zoned, ['id']);
    await target.insert(wallClock, zoned, [['1', '2024-07-01 12:00:00'], ['2', '2024-01-01 12:00:00']]);
    await source.insert(wallClock, zoned, [['1', '2024-07-01 10:00:00'], ['2', '2024-01-01 11:00:00']]);
    const reverse = await runVerify({ source: { url: `${postgresUrl}?timezone=Europe/Paris`, table: wallClock }, target: { url: mariadbUrl, table: wallClock } });
    expect(reverse.equal).toBe(true);
  });

  it('refuses a zone name the MariaDB server cannot convert instead of comparing NULLs', async () => {
    const known = (await source.exec("SELECT CONVERT_TZ('2000-01-01 00:00:00', 'Europe/Paris', '+00:00') AS ok"))[0]?.ok;
    const table = await pairOfTables([{ name: 'id', type: 'int' }, { name: 'at', type: 'ts6' }], [['1', '2024-01-01 00:00:00']], [['1', '2024-01-01 00:00:00']]);
    const outcome = await runVerify({ source: { url: mariadbUrl, table, timeZone: 'Europe/Paris' }, target: { url: postgresUrl, table, timeZone: 'Europe/Paris' } }).catch((error: unknown) => error);
    if (known === null || known === undefined) {
      expect(isEngineError(outcome) && outcome.code).toBe('VERIFY_BAD_REQUEST');
      expect((outcome as Error).message).toContain('Europe/Paris');
    } else {
      expect((outcome as VerifyReport).equal).toBe(true);
    }
  });

  it('leaves out rows changed within --min-age seconds on both sides', async () => {
    const now = new Date().toISOString().replace('T', ' ').replace('Z', '');
    const columns = [
      { name: 'id', type: 'int' as const },
      { name: 'v', type: 'varchar' as const },
      { name: 'updated_at', type: 'ts6' as const },
    ];
    const table = await pairOfTables(
      columns,
      [['1', 'old', '2020-01-01 00:00:00'], ['2', 'fresh', now], ['3', 'old', '2020-01-01 00:00:00']],
      [['1', 'old', '2020-01-01 00:00:00'], ['2', 'not yet replicated', now], ['3', 'changed', '2020-01-01 00:00:00']],
    );
    const report = await runVerify({ source: { url: mariadbUrl, table }, target: { url: postgresUrl, table }, minAgeSeconds: 3600, updateColumn: 'updated_at' });
    expect(report.different.map((row) => row.key)).toEqual([{ id: 3 }]);
    expect(report.notes.join('\n')).toContain('are left out on both sides');
    const error = await runVerify({ source: { url: mariadbUrl, table }, target: { url: postgresUrl, table }, minAgeSeconds: 60 }).catch((caught: unknown) => caught);
    expect(isEngineError(error) && error.code).toBe('VERIFY_BAD_REQUEST');
  });

  it('--min-age leaves out an update still in flight: the target holds the row’s previous version with its older timestamp', async () => {
    const now = new Date().toISOString().replace('T', ' ').replace('Z', '');
    const columns = [
      { name: 'id', type: 'int' as const },
      { name: 'v', type: 'varchar' as const },
      { name: 'updated_at', type: 'ts6' as const },
    ];
    const table = await pairOfTables(
      columns,
      // 2: updated at the source just now; 4: inserted just now; 3: changed long ago and still different (a real difference).
      [['1', 'old', '2020-01-01 00:00:00'], ['2', 'updated', now], ['3', 'new value', '2020-01-01 00:00:01'], ['4', 'inserted', now]],
      [['1', 'old', '2020-01-01 00:00:00'], ['2', 'previous', '2020-01-01 00:00:00'], ['3', 'old value', '2020-01-01 00:00:00']],
    );
    const request = { source: { url: mariadbUrl, table }, target: { url: postgresUrl, table }, minAgeSeconds: 3600, updateColumn: 'updated_at', fixSql: true, rows: true };
    const report = await runVerify(request);
    expect(report.onlyInTarget).toEqual([]);
    expect(report.onlyInSource).toEqual([]);
    expect(report.different.map((row) => row.key)).toEqual([{ id: 3 }]);
    expect(report.fixSql?.join('\n')).not.toMatch(/DELETE/);
    expect(report.notes.join('\n')).toMatch(/1 row\(s\) changed at the source after the cut-off/);
    // Once the real difference is repaired, the table with an update in flight is equal.
    await target.exec(`UPDATE ${table} SET v = 'new value', updated_at = '2020-01-01 00:00:01' WHERE id = 3`);
    const again = await runVerify(request);
    expect(again.equal).toBe(true);
  });
});
