import sql from 'mssql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ChangeRecord } from '../../src/engine/model';
import type { LogCaptureInit } from '../../src/engine/sources/logCapture';
import { resolveZone } from '../../src/engine/sources/polling/zone';
import { SqlServerLogCapture } from '../../src/engine/sources/sqlserver/cdc/sqlServerLogCapture';
import { EngineError } from '../../src/shared/errors';
import { uniqueName } from '../helpers/names';
import { until } from '../helpers/until';

// Resuming SQL Server CDC capture from a saved LSN against a real server, when FERRY_MSSQL_URL points at one (e.g.
// mssql://sa:secret@host:1433/ferry?encrypt=false; the user enables CDC, so sysadmin, and SQL Server Agent must run).
// A capture instance created after the LSN begins past it, as one the cleanup job advanced does: only the second is
// refused (unit tests with a fake server: src/engine/sources/sqlserver/cdc/sqlServerLogCapture.test.ts).
const mssqlUrl = process.env.FERRY_MSSQL_URL;

describe.skipIf(!mssqlUrl)(`SQL Server CDC resume from a saved LSN${mssqlUrl ? '' : ' (skipped: FERRY_MSSQL_URL is not set, no SQL Server runs here)'}`, () => {
  const url = new URL(mssqlUrl ?? 'mssql://unset@localhost/ferry');
  const database = decodeURIComponent(url.pathname.replace(/^\//, '')) || 'master';
  const first = uniqueName('cdc_resume_a');
  const added = uniqueName('cdc_resume_b');
  let pool: sql.ConnectionPool;
  const captures: SqlServerLogCapture[] = [];

  const capture = (): SqlServerLogCapture => {
    const init: LogCaptureInit = {
      connection: {
        host: url.hostname,
        port: Number(url.port || '1433'),
        user: decodeURIComponent(url.username),
        password: decodeURIComponent(url.password),
        database,
        tls: url.searchParams.get('encrypt') === 'false' ? 'disable' : 'require',
      },
      dialect: 'sqlserver',
      connectorName: 'sqlserver',
      topicPrefix: 'resume',
      includeTable: (table) => table.schema === 'dbo' && (table.table === first || table.table === added),
      zone: resolveZone('UTC'),
      snapshotFetchSize: 100,
      serverId: 0,
      slotName: '',
      publicationName: '',
      publicationAutocreate: 'disabled',
    };
    const created = new SqlServerLogCapture(init);
    captures.push(created);
    return created;
  };

  const query = async <T>(text: string): Promise<T[]> => (await pool.request().query<T>(text)).recordset;
  const maxLsn = async (): Promise<string> => {
    const [row] = await query<{ lsn: string | null }>('SELECT CONVERT(varchar(22), sys.fn_cdc_get_max_lsn(), 1) AS lsn');
    return row?.lsn ?? '';
  };
  /** The capture job copies committed changes asynchronously: wait until a change table holds `count` rows. */
  const captured = (table: string, count: number): Promise<void> =>
    until(async () => ((await query<{ n: number }>(`SELECT COUNT(*) AS n FROM cdc.[dbo_${table}_CT]`))[0]?.n ?? 0) >= count, `${count} changes in cdc.dbo_${table}_CT`, 60_000);
  const enable = (table: string) => query(`EXEC sys.sp_cdc_enable_table @source_schema = N'dbo', @source_name = N'${table}', @role_name = NULL, @supports_net_changes = 0`);

  beforeAll(async () => {
    pool = await new sql.ConnectionPool(url.toString()).connect();
    await query('IF (SELECT is_cdc_enabled FROM sys.databases WHERE name = DB_NAME()) = 0 EXEC sys.sp_cdc_enable_db');
    for (const table of [first, added]) await query(`CREATE TABLE dbo.[${table}] (id INT PRIMARY KEY, note NVARCHAR(40) NOT NULL)`);
  });

  afterAll(async () => {
    for (const open of captures) await open.close();
    for (const table of [first, added]) {
      await query(`IF EXISTS (SELECT 1 FROM sys.tables WHERE name = N'${table}' AND is_tracked_by_cdc = 1) EXEC sys.sp_cdc_disable_table @source_schema = N'dbo', @source_name = N'${table}', @capture_instance = N'all'`).catch(() => undefined);
      await query(`DROP TABLE IF EXISTS dbo.[${table}]`).catch(() => undefined);
    }
    await pool?.close();
  });

  it('resumes past a capture instance created after the LSN, reading it from its own start, and refuses one the cleanup job advanced past the LSN, naming it', async () => {
    await enable(first);
    await query(`INSERT INTO dbo.[${first}] VALUES (1, 'before the checkpoint')`);
    await captured(first, 1);
    // The checkpoint: the last change Ferry read. lsnFromString takes the hex without separators.
    const saved = (await maxLsn()).replace(/^0x/i, '');
    // create_date and the LSN's commit time are datetimes (1/300 s): let the clock move on before enabling the second.
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    await enable(added);
    await query(`INSERT INTO dbo.[${added}] VALUES (7, 'added table'); INSERT INTO dbo.[${first}] VALUES (2, 'after the checkpoint')`);
    await captured(added, 1);
    await captured(first, 2);

    // dbo_<added>'s low endpoint is past the checkpoint (it began capturing later): not a cleanup, so no refusal, and
    // both tables' changes after the checkpoint arrive.
    const resumed = capture();
    await expect(resumed.begin({ lsn: saved }, false)).resolves.toMatchObject({ tables: expect.arrayContaining([expect.objectContaining({ table: added })]) });
    const records: ChangeRecord[] = [];
    await until(async () => {
      records.push(...(await resumed.read(100, 500)));
      return records.length >= 2;
    }, 'the two changes after the checkpoint');
    expect(records.map((record) => `${record.table.table}:${record.op}:${String(record.after?.id)}`).sort()).toEqual([`${added}:c:7`, `${first}:c:2`].sort());
    await resumed.close();

    // What the cleanup job does, on the first table's instance only (it existed at the checkpoint): its low endpoint
    // moves to the newest LSN, past the checkpoint's successor, and the resume is refused naming table and instance.
    const [newest] = await query<{ lsn: Buffer }>('SELECT sys.fn_cdc_get_max_lsn() AS lsn');
    const cleanup = pool.request();
    cleanup.input('low', sql.VarBinary(10), newest?.lsn);
    await cleanup.query(`EXEC sys.sp_cdc_cleanup_change_table @capture_instance = N'dbo_${first}', @low_water_mark = @low, @threshold = 5000`);
    const refused = capture();
    const error = await refused.begin({ lsn: saved }, false).then(
      () => undefined,
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(EngineError);
    expect((error as EngineError).code).toBe('SOURCE_BAD_POSITION');
    expect((error as EngineError).message).toContain(`dbo.${first} in capture instance dbo_${first}`);
    expect((error as EngineError).message).toMatch(/cleanup job removed changes Ferry never read.*snapshot\.mode=when_needed/);
  }, 180_000);
});
