import sql from 'mssql';
import mysql from 'mysql2/promise';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import type { ChangeRecord, Position } from '../../src/engine/model';
import {
  createPollingReader,
  type PollBatch,
  type PollingReader,
  type PollingSourceKind,
  type PollingSourceOptions,
  QUERY_MODE_SCHEMA_NAME,
  type SourceConnectionOptions,
} from '../../src/engine/sources';
import type { DatabaseEndpoint } from '../../src/shared/api';
import { EngineError } from '../../src/shared/errors';
import { uniqueName } from '../helpers/names';

/**
 * The JDBC-source-compatible polling readers against real databases: the lab's MariaDB and PostgreSQL always, and
 * SQL Server when FERRY_MSSQL_URL points at one (e.g. mssql://sa:secret@host:1433/ferry?encrypt=false). One suite
 * for all: each database only contributes its DDL words and a way to run statements.
 */
const endpoints = inject('labEndpoints');

interface Fixture {
  label: string;
  kind: PollingSourceKind;
  connection: SourceConnectionOptions;
  /** `catalog.schema.table` as the reader names a table of this test database. */
  fqn(table: string): string;
  q(name: string): string;
  types: { serialKey: string; bigint: string; int: string; text: string; decimal(p: number, s: number): string; localTs: string; zonedTs: string };
  /** A zoned-column literal for a UTC wall clock. */
  zoned(utcWall: string): string;
  /** `ALTER TABLE … ` clause changing a column's type. */
  alterType(column: string, type: string): string;
  open(): Promise<Session>;
}

interface Session {
  exec(statement: string, params?: readonly (string | number | null)[]): Promise<void>;
  /**
   * Reader connections (application name ferry-source) whose last statement mentioned `table` and that are still
   * open; undefined when the server cannot tell. Filtered by table because other suites run readers too.
   */
  sourceSessions(table: string): Promise<number | undefined>;
  /** Kills those connections server-side; false when the server cannot single them out. */
  killSourceSessions(table: string): Promise<boolean>;
  /** INSERT with bound values; `null` stays NULL. */
  insert(table: string, columns: readonly string[], rows: readonly (readonly (string | number | null)[])[]): Promise<void>;
  close(): Promise<void>;
}

function mariadbFixture(endpoint: DatabaseEndpoint): Fixture {
  const q = (name: string) => `\`${name}\``;
  return {
    label: 'MariaDB',
    kind: 'mysql',
    // No tls: the default `prefer` falls back to plain, as the lab has no TLS.
    connection: { ...endpoint },
    fqn: (table) => `${endpoint.database}.${table}`,
    q,
    types: {
      serialKey: 'BIGINT AUTO_INCREMENT PRIMARY KEY',
      bigint: 'BIGINT',
      int: 'INT',
      text: 'VARCHAR(100)',
      decimal: (p, s) => `DECIMAL(${p},${s})`,
      localTs: 'DATETIME(6)',
      zonedTs: 'TIMESTAMP(6) NULL DEFAULT NULL',
    },
    zoned: (utcWall) => utcWall,
    alterType: (column, type) => `MODIFY ${q(column)} ${type}`,
    async open() {
      const connection = await mysql.createConnection({ ...endpoint });
      // TIMESTAMP literals below are UTC.
      await connection.query("SET time_zone = '+00:00'");
      return {
        async exec(statement, params = []) {
          await connection.query(statement, [...params]);
        },
        // Every lab session uses the same user and MariaDB shows no client program name in the process list.
        sourceSessions: async () => undefined,
        killSourceSessions: async () => false,
        async insert(table, columns, rows) {
          for (const row of rows) {
            await connection.query(`INSERT INTO ${q(table)} (${columns.map(q).join(', ')}) VALUES (${row.map(() => '?').join(', ')})`, [...row]);
          }
        },
        close: () => connection.end(),
      };
    },
  };
}

function postgresFixture(endpoint: DatabaseEndpoint): Fixture {
  const q = (name: string) => `"${name}"`;
  return {
    label: 'PostgreSQL',
    kind: 'postgres',
    connection: { ...endpoint },
    fqn: (table) => `public.${table}`,
    q,
    types: {
      serialKey: 'BIGSERIAL PRIMARY KEY',
      bigint: 'BIGINT',
      int: 'INTEGER',
      text: 'VARCHAR(100)',
      decimal: (p, s) => `NUMERIC(${p},${s})`,
      localTs: 'TIMESTAMP(6)',
      zonedTs: 'TIMESTAMPTZ(6)',
    },
    zoned: (utcWall) => `${utcWall}+00`,
    alterType: (column, type) => `ALTER COLUMN ${q(column)} TYPE ${type}`,
    async open() {
      const client = new pg.Client({ ...endpoint });
      await client.connect();
      return {
        async exec(statement, params = []) {
          let index = 0;
          await client.query(statement.replace(/\?/g, () => `$${++index}`), [...params]);
        },
        async sourceSessions(table) {
          const result = await client.query<{ count: string }>(
            "SELECT count(*) AS count FROM pg_stat_activity WHERE application_name = 'ferry-source' AND strpos(query, $1) > 0",
            [table],
          );
          return Number(result.rows[0]?.count);
        },
        async killSourceSessions(table) {
          await client.query("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'ferry-source' AND strpos(query, $1) > 0", [table]);
          return true;
        },
        async insert(table, columns, rows) {
          for (const row of rows) {
            await client.query(`INSERT INTO ${q(table)} (${columns.map(q).join(', ')}) VALUES (${row.map((_, i) => `$${i + 1}`).join(', ')})`, [...row]);
          }
        },
        close: () => client.end(),
      };
    },
  };
}

function sqlServerFixture(url: string): Fixture {
  const parsed = new URL(url);
  const database = decodeURIComponent(parsed.pathname.replace(/^\//, '')) || 'master';
  const q = (name: string) => `[${name}]`;
  return {
    label: 'SQL Server',
    kind: 'sqlserver',
    connection: {
      host: parsed.hostname,
      port: Number(parsed.port || 1433),
      user: decodeURIComponent(parsed.username),
      password: decodeURIComponent(parsed.password),
      database,
      tls: parsed.searchParams.get('encrypt') === 'false' ? 'disable' : 'require',
    },
    fqn: (table) => `${database}.dbo.${table}`,
    q,
    types: {
      serialKey: 'BIGINT IDENTITY(1,1) PRIMARY KEY',
      bigint: 'BIGINT',
      int: 'INT',
      text: 'NVARCHAR(100)',
      decimal: (p, s) => `DECIMAL(${p},${s})`,
      localTs: 'DATETIME2(7)',
      zonedTs: 'DATETIMEOFFSET(7)',
    },
    zoned: (utcWall) => `${utcWall} +00:00`,
    alterType: (column, type) => `ALTER COLUMN ${q(column)} ${type}`,
    async open() {
      const pool = await new sql.ConnectionPool(url).connect();
      const run = async (statement: string, params: readonly (string | number | null)[]) => {
        const request = pool.request();
        let index = 0;
        params.forEach((value, i) => request.input(`p${i + 1}`, value === null ? sql.NVarChar : typeof value === 'number' ? sql.Float : sql.NVarChar(4000), value));
        await request.query(statement.replace(/\?/g, () => `@p${++index}`));
      };
      return {
        exec: (statement, params = []) => run(statement, params),
        async sourceSessions(table) {
          const result = await pool
            .request()
            .input('table', sql.NVarChar(400), table)
            .query(
              'SELECT COUNT(*) AS count FROM sys.dm_exec_sessions s JOIN sys.dm_exec_connections c ON c.session_id = s.session_id ' +
                "CROSS APPLY sys.dm_exec_sql_text(c.most_recent_sql_handle) t WHERE s.program_name = 'ferry-source' AND CHARINDEX(@table, t.text) > 0",
            );
          return Number((result.recordset[0] as { count: number } | undefined)?.count);
        },
        async killSourceSessions(table) {
          await pool
            .request()
            .input('table', sql.NVarChar(400), table)
            .query(
              "DECLARE @kill NVARCHAR(MAX) = N''; SELECT @kill += N'KILL ' + CAST(s.session_id AS NVARCHAR(10)) + N';' FROM sys.dm_exec_sessions s " +
                'JOIN sys.dm_exec_connections c ON c.session_id = s.session_id CROSS APPLY sys.dm_exec_sql_text(c.most_recent_sql_handle) t ' +
                "WHERE s.program_name = 'ferry-source' AND CHARINDEX(@table, t.text) > 0; EXEC (@kill);",
            );
          return true;
        },
        async insert(table, columns, rows) {
          for (const row of rows) await run(`INSERT INTO ${q(table)} (${columns.map(q).join(', ')}) VALUES (${row.map(() => '?').join(', ')})`, row);
        },
        close: () => pool.close(),
      };
    },
  };
}

const fixtures: Fixture[] = [mariadbFixture(endpoints.mariadb), postgresFixture(endpoints.postgres)];
if (process.env.FERRY_MSSQL_URL) fixtures.push(sqlServerFixture(process.env.FERRY_MSSQL_URL));

/** `YYYY-MM-DD HH:MM:SS.ffffff` of a JS time, in UTC. */
function wall(ms: number, micros = 0): string {
  return `${new Date(ms).toISOString().replace('T', ' ').replace('Z', '')}${String(micros).padStart(3, '0')}`;
}

const jsonSafe = (value: unknown) => JSON.parse(JSON.stringify(value, (_, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v)));

describe.each(fixtures)('polling source against $label', (fixture) => {
  let session: Session;
  const tables: string[] = [];
  const readers: PollingReader[] = [];
  const { q, types } = fixture;

  beforeAll(async () => {
    session = await fixture.open();
  });

  const views: string[] = [];

  afterEach(async () => {
    while (readers.length > 0) await readers.pop()?.close();
    while (views.length > 0) await session.exec(`DROP VIEW ${q(views.pop() as string)}`).catch(() => {});
    while (tables.length > 0) {
      const table = tables.pop() as string;
      await session.exec(`DROP TABLE ${q(table)}`).catch(() => {});
    }
  });

  afterAll(async () => {
    await session.close();
  });

  async function createTable(prefix: string, columns: string): Promise<string> {
    const table = uniqueName(prefix);
    tables.push(table);
    await session.exec(`CREATE TABLE ${q(table)} (${columns})`);
    return table;
  }

  function reader(options: PollingSourceOptions, savedPosition?: Position): PollingReader {
    const created = createPollingReader(fixture.kind, {
      connection: fixture.connection,
      options: { pollIntervalMs: 0, connectionAttempts: 1, ...options },
      loadPosition: savedPosition ? () => savedPosition : undefined,
    });
    readers.push(created);
    return created;
  }

  /** Polls until a batch comes back caught up; returns every batch. */
  async function drain(source: PollingReader, maxPolls = 50): Promise<PollBatch[]> {
    const batches: PollBatch[] = [];
    for (let i = 0; i < maxPolls; i++) {
      const batch = await source.poll();
      batches.push(batch);
      if (!batch.more) return batches;
    }
    throw new Error(`still more rows after ${maxPolls} polls`);
  }

  const records = (batches: readonly PollBatch[]): ChangeRecord[] => batches.flatMap((batch) => batch.records);
  const column = (list: readonly ChangeRecord[], name: string) => list.map((record) => record.after?.[name]);

  it('incrementing: reads in id order across batches, picks up inserts, resumes without re-reading (auto-detected id)', async () => {
    const table = await createTable('src_inc', `id ${types.serialKey}, name ${types.text} NOT NULL, amount ${types.decimal(12, 2)}`);
    await session.insert(table, ['name', 'amount'], Array.from({ length: 7 }, (_, i) => [`row ${i + 1}`, `${i + 1}.5`]));

    const source = reader({ mode: 'incrementing', tableWhitelist: [table], batchMaxRows: 3, topicPrefix: 'ferry-' });
    const first = await drain(source);
    expect(first.map((batch) => [batch.records.length, batch.more])).toEqual([
      [3, true],
      [3, true],
      [1, false],
    ]);
    const read = records(first);
    expect(column(read, 'id')).toEqual([1n, 2n, 3n, 4n, 5n, 6n, 7n]);
    expect(column(read, 'amount')).toEqual(['1.50', '2.50', '3.50', '4.50', '5.50', '6.50', '7.50']);
    expect(read.map((record) => record.position)).toEqual(Array.from({ length: 7 }, (_, i) => ({ incrementing: String(i + 1) })));
    expect(read[0]).toMatchObject({ op: 'c', key: { id: 1n }, table: { table } });
    expect(first[0]?.stream).toMatchObject({ topic: `ferry-${table}`, partition: { protocol: '1', table: fixture.fqn(table) } });
    expect(first[0]?.stream.keySchema?.fields.map((field) => field.name)).toEqual(['id']);
    expect(source.caughtUp).toBe(true);

    await session.insert(table, ['name', 'amount'], [['row 8', null], ['row 9', '-0.01']]);
    const more = records(await drain(source));
    expect(column(more, 'id')).toEqual([8n, 9n]);
    expect(column(more, 'amount')).toEqual([null, '-0.01']);

    // A restart from the checkpoint after row 8 reads row 9 once more and nothing before it.
    const resumed = reader({ mode: 'incrementing', tableWhitelist: [table], batchMaxRows: 3 }, more[0]?.position);
    expect(column(records(await drain(resumed)), 'id')).toEqual([9n]);
    await session.insert(table, ['name'], [['row 10']]);
    expect(column(records(await drain(resumed)), 'id')).toEqual([10n]);
  });

  it('incrementing: reads negative ids and ids beyond 2^53 exactly, with exact decimals', async () => {
    const table = await createTable('src_big', `id ${types.bigint} NOT NULL PRIMARY KEY, amount ${types.decimal(30, 10)} NOT NULL, small ${types.decimal(5, 2)}`);
    await session.insert(
      table,
      ['id', 'amount', 'small'],
      [
        ['9223372036854775807', '12345678901234567890.0123456789', '999.99'],
        ['-5', '-0.0000000001', null],
        ['9007199254740993', '0', '-999.99'],
        ['0', '1', '0.1'],
      ],
    );
    const source = reader({ mode: 'incrementing', incrementingColumn: 'id', tableWhitelist: [table], batchMaxRows: 2 });
    const read = records(await drain(source));
    expect(column(read, 'id')).toEqual([-5n, 0n, 9_007_199_254_740_993n, 9_223_372_036_854_775_807n]);
    expect(column(read, 'amount')).toEqual(['-0.0000000001', '1.0000000000', '0.0000000000', '12345678901234567890.0123456789']);
    expect(column(read, 'small')).toEqual([null, '0.10', '-999.99', '999.99']);
    expect(read[3]?.position).toEqual({ incrementing: '9223372036854775807' });
    expect(read[0]?.valueSchema.fields.find((field) => field.name === 'amount')?.type).toEqual({ kind: 'decimal', precision: 30, scale: 10 });

    const resumed = reader({ mode: 'incrementing', incrementingColumn: 'id', tableWhitelist: [table] }, read[2]?.position);
    expect(column(records(await drain(resumed)), 'id')).toEqual([9_223_372_036_854_775_807n]);
  });

  it('timestamp+incrementing: orders by (timestamp, id) across batches, picks up updates, resumes exactly', async () => {
    const table = await createTable('src_tsi', `id ${types.serialKey}, updated_at ${types.localTs} NOT NULL, note ${types.text}`);
    const t1 = '2024-03-01 10:00:00.000001';
    const t2 = '2024-03-01 10:00:00.000002';
    await session.insert(table, ['updated_at', 'note'], [[t2, 'a'], [t1, 'b'], [t1, 'c'], [t2, 'd'], [t1, 'e']]);

    const source = reader({ mode: 'timestamp+incrementing', timestampColumns: ['updated_at'], tableWhitelist: [table], batchMaxRows: 2 });
    const batches = await drain(source);
    expect(batches.map((batch) => batch.records.length)).toEqual([2, 2, 1]);
    const read = records(batches);
    expect(column(read, 'note')).toEqual(['b', 'c', 'e', 'a', 'd']);
    expect(read[0]?.position).toEqual({ incrementing: '2', timestamp: Date.UTC(2024, 2, 1, 10), timestamp_nanos: 1000 });
    expect(read[0]?.sourceTimestampMs).toBe(Date.UTC(2024, 2, 1, 10));

    await session.exec(`UPDATE ${q(table)} SET updated_at = ?, note = ? WHERE id = ?`, ['2024-03-02 00:00:00', 'b2', 2]);
    await session.insert(table, ['updated_at', 'note'], [[t1, 'late but older']]);
    const updates = records(await drain(source));
    // The row stamped t1 after the reader passed t1 is not read: query-based capture cannot see it (upstream pitfall).
    expect(column(updates, 'note')).toEqual(['b2']);
    expect(updates[0]?.op).toBe('c');

    // Resume after (t1, id 5): the late row (t1, id 6), then (t2, 1), (t2, 4) and the update; nothing before.
    const resumed = reader({ mode: 'timestamp+incrementing', timestampColumns: ['updated_at'], tableWhitelist: [table] }, read[2]?.position);
    expect(column(records(await drain(resumed)), 'note')).toEqual(['late but older', 'a', 'd', 'b2']);
  });

  it('timestamp: a batch ending inside a group of equal timestamps loses nothing and checkpoints only whole groups', async () => {
    const table = await createTable('src_ts', `id ${types.serialKey}, updated_at ${types.localTs} NOT NULL`);
    const t1 = '2024-04-01 08:00:00.5';
    await session.insert(table, ['updated_at'], [[t1], [t1], [t1], [t1], [t1], ['2024-04-01 08:00:01']]);

    const source = reader({ mode: 'timestamp', timestampColumns: ['updated_at'], tableWhitelist: [table], batchMaxRows: 2 });
    const firstBatch = await source.poll();
    // The LIMIT cut the t1 group; the batch was completed with every row stamped t1.
    expect(firstBatch.records).toHaveLength(5);
    expect(firstBatch.more).toBe(true);
    expect(firstBatch.records.slice(0, 4).map((record) => record.position)).toEqual([{}, {}, {}, {}]);
    expect(firstBatch.records[4]?.position).toEqual({ timestamp: Date.UTC(2024, 3, 1, 8, 0, 0, 500), timestamp_nanos: 500_000_000 });
    const rest = records(await drain(source));
    expect(column(rest, 'id')).toEqual([6n]);

    await session.exec(`UPDATE ${q(table)} SET updated_at = ? WHERE id = ?`, ['2024-04-02 00:00:00', 3]);
    expect(column(records(await drain(source)), 'id')).toEqual([3n]);

    const resumed = reader({ mode: 'timestamp', timestampColumns: ['updated_at'], tableWhitelist: [table] }, rest[0]?.position);
    expect(column(records(await drain(resumed)), 'id')).toEqual([3n]);
  });

  it('timestamp: COALESCE over nullable columns, first non-null wins; all-nullable columns are refused unless validate.non.null=false', async () => {
    const table = await createTable('src_coal', `id ${types.serialKey}, updated_at ${types.localTs} NULL, created_at ${types.localTs} NOT NULL`);
    await session.insert(
      table,
      ['updated_at', 'created_at'],
      [
        [null, '2024-05-01 00:00:01'],
        ['2024-05-01 00:00:03', '2024-05-01 00:00:00'],
        [null, '2024-05-01 00:00:02'],
      ],
    );
    const source = reader({ mode: 'timestamp', timestampColumns: ['updated_at', 'created_at'], tableWhitelist: [table] });
    const read = records(await drain(source));
    expect(column(read, 'id')).toEqual([1n, 3n, 2n]);
    expect(read.map((record) => record.sourceTimestampMs)).toEqual([1, 2, 3].map((s) => Date.UTC(2024, 4, 1, 0, 0, s)));

    const nullableOnly = reader({ mode: 'timestamp', timestampColumns: ['updated_at'], tableWhitelist: [table] });
    await expect(nullableOnly.start()).rejects.toThrow(/timestamp columns updated_at on .* because all of them are nullable.*validate\.non\.null=false/);

    const unvalidated = reader({ mode: 'timestamp', timestampColumns: ['updated_at'], tableWhitelist: [table], validateNonNull: false });
    // Rows whose every timestamp column is NULL are never selected (upstream semantics).
    expect(column(records(await drain(unvalidated)), 'id')).toEqual([2n]);
  });

  it('db.timezone: zone-less timestamps are wall clocks in that zone, zoned ones are instants; microseconds survive the position', async () => {
    const table = await createTable('src_tz', `id ${types.serialKey}, local_at ${types.localTs} NOT NULL, zoned_at ${types.zonedTs}`);
    await session.insert(table, ['local_at', 'zoned_at'], [['2024-07-01 12:00:00.123456', fixture.zoned('2024-07-01 12:00:00.123456')]]);

    const options: PollingSourceOptions = { mode: 'timestamp', timestampColumns: ['local_at'], tableWhitelist: [table], dbTimezone: 'Europe/Paris' };
    const read = records(await drain(reader(options)));
    expect(read).toHaveLength(1);
    expect(read[0]?.after?.local_at).toEqual(new Date('2024-07-01T10:00:00.123Z'));
    expect(read[0]?.after?.zoned_at).toEqual(new Date('2024-07-01T12:00:00.123Z'));
    expect(read[0]?.position).toEqual({ timestamp: Date.parse('2024-07-01T10:00:00.123Z'), timestamp_nanos: 123_456_000 });

    // One microsecond later is a new row; the checkpoint (kept to the microsecond) must not hide it or re-read the first.
    await session.insert(table, ['local_at'], [['2024-07-01 12:00:00.123457']]);
    const resumed = records(await drain(reader(options, read[0]?.position)));
    expect(column(resumed, 'id')).toEqual([2n]);
    expect(resumed[0]?.position).toEqual({ timestamp: Date.parse('2024-07-01T10:00:00.123Z'), timestamp_nanos: 123_457_000 });
  });

  it('timestamp.delay.interval.ms leaves too-recent rows for later, and rows stamped in the future wait (strict upper bound)', async () => {
    const table = await createTable('src_delay', `id ${types.serialKey}, updated_at ${types.localTs} NOT NULL`);
    const now = Date.now();
    await session.insert(table, ['updated_at'], [[wall(now - 2 * 3_600_000)], [wall(now - 60_000)], [wall(now + 3_600_000)]]);

    const delayed = records(await drain(reader({ mode: 'timestamp', timestampColumns: ['updated_at'], tableWhitelist: [table], timestampDelayIntervalMs: 30 * 60_000 })));
    expect(column(delayed, 'id')).toEqual([1n]);

    const prompt = records(await drain(reader({ mode: 'timestamp', timestampColumns: ['updated_at'], tableWhitelist: [table] }, delayed[0]?.position)));
    expect(column(prompt, 'id')).toEqual([2n]);
  });

  it('timestamp.initial: starts at a time (inclusive), or at the database clock with -1', async () => {
    const table = await createTable('src_init', `id ${types.serialKey}, updated_at ${types.localTs} NOT NULL`);
    await session.insert(table, ['updated_at'], [['2024-01-01 00:00:00'], ['2024-01-02 00:00:00'], ['2024-01-03 00:00:00']]);

    const fromSecond = reader({ mode: 'timestamp', timestampColumns: ['updated_at'], tableWhitelist: [table], timestampInitial: Date.UTC(2024, 0, 2) });
    expect(column(records(await drain(fromSecond)), 'id')).toEqual([2n, 3n]);
    const withIds = reader({ mode: 'timestamp+incrementing', timestampColumns: ['updated_at'], tableWhitelist: [table], timestampInitial: Date.UTC(2024, 0, 2) });
    expect(column(records(await drain(withIds)), 'id')).toEqual([2n, 3n]);

    const fromNow = reader({ mode: 'timestamp', timestampColumns: ['updated_at'], tableWhitelist: [table], timestampInitial: -1 });
    expect(records(await drain(fromNow))).toEqual([]);
    await new Promise((resolve) => setTimeout(resolve, 20));
    await session.insert(table, ['updated_at'], [[wall(Date.now() - 5)]]);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(column(records(await drain(fromNow)), 'id')).toEqual([4n]);
  });

  it('bulk: re-reads the whole table every pass, in pages, as snapshot reads', async () => {
    const table = await createTable('src_bulk', `id ${types.serialKey}, name ${types.text}`);
    await session.insert(table, ['name'], [['a'], ['b'], ['c'], ['d'], ['e']]);
    const source = reader({ mode: 'bulk', tableWhitelist: [table], batchMaxRows: 2 });
    const pass = await drain(source);
    expect(pass.map((batch) => batch.records.length)).toEqual([2, 2, 1]);
    expect(column(records(pass), 'name')).toEqual(['a', 'b', 'c', 'd', 'e']);
    expect(records(pass).every((record) => record.op === 'r')).toBe(true);
    await session.exec(`UPDATE ${q(table)} SET name = ? WHERE id = ?`, ['B', 2]);
    expect(column(records(await drain(source)), 'name')).toEqual(['a', 'B', 'c', 'd', 'e']);

    const noKey = await createTable('src_bulk_nokey', `name ${types.text}`);
    await session.insert(noKey, ['name'], [['x'], ['y'], ['z']]);
    const unkeyed = records(await drain(reader({ mode: 'bulk', tableWhitelist: [noKey], batchMaxRows: 2 })));
    expect(column(unkeyed, 'name').sort()).toEqual(['x', 'y', 'z']);
    expect(unkeyed[0]?.key).toBeNull();
  });

  it('selects tables by whitelist, include and exclude regexes, one topic per table', async () => {
    const prefix = uniqueName('src_sel');
    const a = `${prefix}_a`;
    const b = `${prefix}_b`;
    for (const table of [a, b]) {
      tables.push(table);
      await session.exec(`CREATE TABLE ${q(table)} (id ${types.serialKey}, v ${types.int})`);
      await session.insert(table, ['v'], [[1]]);
    }
    const topics = async (options: Partial<PollingSourceOptions>) => {
      const source = reader({ mode: 'incrementing', topicPrefix: 't.', ...options });
      await source.start();
      return source.pollingStreams.map((stream) => stream.topic).sort();
    };
    expect(await topics({ tableIncludeList: [`.*\\.${prefix}_.*`] })).toEqual([`t.${a}`, `t.${b}`]);
    expect(await topics({ tableIncludeList: [`.*\\.${prefix}_.*`], tableExcludeList: [`.*_b`] })).toEqual([`t.${a}`]);
    expect(await topics({ tableIncludeList: [fixture.fqn(b).replace(/\./g, '\\.')] })).toEqual([`t.${b}`]);
    expect(await topics({ tableWhitelist: [fixture.fqn(a), b] })).toEqual([`t.${a}`, `t.${b}`]);
    // Partial names do not match: include patterns must match the whole qualified name.
    await expect(topics({ tableIncludeList: [`${prefix}_a`] })).rejects.toThrow(/in table.include.list matches no table/);
  });

  it('table.poll.interval.ms: a table created while running is picked up from its first row, a dropped one is no longer polled', async () => {
    const prefix = uniqueName('src_new');
    const first = `${prefix}_a`;
    const later = `${prefix}_b`;
    tables.push(first);
    await session.exec(`CREATE TABLE ${q(first)} (id ${types.serialKey}, v ${types.int})`);
    await session.insert(first, ['v'], [[1]]);
    const source = reader({ mode: 'incrementing', topicPrefix: 't.', tableIncludeList: [`.*\\.${prefix}_.*`], tablePollIntervalMs: 200 });
    expect(records(await drain(source)).map((record) => record.table.table)).toEqual([first]);

    tables.push(later);
    await session.exec(`CREATE TABLE ${q(later)} (id ${types.serialKey}, v ${types.int})`);
    await session.insert(later, ['v'], [[10], [20]]);
    const seen: ChangeRecord[] = [];
    for (const deadline = Date.now() + 10_000; Date.now() < deadline && seen.length < 2; ) seen.push(...(await source.poll()).records);
    expect(seen.map((record) => [record.table.table, record.after?.v])).toEqual([
      [later, 10],
      [later, 20],
    ]);
    expect(source.pollingStreams.map((stream) => stream.topic).sort()).toEqual([`t.${first}`, `t.${later}`]);

    await session.exec(`DROP TABLE ${q(later)}`);
    tables.pop();
    for (const deadline = Date.now() + 10_000; Date.now() < deadline && source.pollingStreams.length > 1; ) await source.poll();
    expect(source.pollingStreams.map((stream) => stream.topic)).toEqual([`t.${first}`]);
  });

  it('query.suffix is appended to every data query: FOR UPDATE reads as usual, a wrong suffix fails naming it', async () => {
    const table = await createTable('src_sfx', `id ${types.serialKey}, v ${types.int}`);
    await session.insert(table, ['v'], [[1], [2], [3]]);
    const locked = reader({ mode: 'incrementing', tableWhitelist: [table], batchMaxRows: 2, querySuffix: 'FOR UPDATE;' });
    expect(column(records(await drain(locked)), 'v')).toEqual([1, 2, 3]);
    const wrong = reader({ mode: 'incrementing', tableWhitelist: [table], querySuffix: 'NOT_A_CLAUSE' });
    await expect(wrong.poll()).rejects.toThrow(/NOT_A_CLAUSE/);
  });

  it('table.types VIEW reads views (with validate.non.null=false, as upstream advises for views)', async () => {
    const table = await createTable('src_base', `id ${types.serialKey}, v ${types.int}`);
    await session.insert(table, ['v'], [[1], [2], [3]]);
    const view = `${table}_view`;
    views.push(view);
    await session.exec(`CREATE VIEW ${q(view)} AS SELECT id, v FROM ${q(table)} WHERE v > 1`);
    const options: PollingSourceOptions = { mode: 'incrementing', incrementingColumn: 'id', tableIncludeList: [`.*${view}`], tableTypes: ['VIEW'], validateNonNull: false };
    const source = reader(options);
    const batches = await drain(source);
    expect(batches[0]?.stream.topic).toBe(view);
    expect(column(records(batches), 'v')).toEqual([2, 3]);
    // The base table is not a VIEW, so it is not selected by a pattern matching both.
    const tablesOnly = reader({ ...options, tableIncludeList: [`.*${table}.*`], tableTypes: ['TABLE'] });
    await tablesOnly.start();
    expect(tablesOnly.pollingStreams.map((stream) => stream.topic)).toEqual([table]);
  });

  it('query mode: appends the criteria to the wrapped query; the topic is the prefix, the schema unnamed', async () => {
    const table = await createTable('src_query', `id ${types.serialKey}, name ${types.text} NOT NULL, status ${types.int} NOT NULL`);
    await session.insert(table, ['name', 'status'], [['a', 1], ['b', 0], ['c', 1], ['d', 1]]);
    const source = reader({
      mode: 'incrementing',
      incrementingColumn: 'id',
      query: `SELECT id, name FROM ${q(table)} WHERE status = 1;`,
      topicPrefix: 'active-names',
      batchMaxRows: 2,
    });
    const batches = await drain(source);
    const read = records(batches);
    expect(column(read, 'name')).toEqual(['a', 'c', 'd']);
    expect(batches[0]?.stream).toMatchObject({ topic: 'active-names', partition: { query: 'query' }, table: { table: 'query' }, keySchema: null });
    expect(read[0]?.valueSchema.name).toBe(QUERY_MODE_SCHEMA_NAME);
    expect(read[0]?.valueSchema.fields.map((field) => field.name)).toEqual(['id', 'name']);
    expect(read[0]?.key).toBeNull();

    const resumed = reader({ mode: 'incrementing', incrementingColumn: 'id', query: `SELECT id, name FROM ${q(table)} WHERE status = 1` }, read[1]?.position);
    expect(column(records(await drain(resumed)), 'name')).toEqual(['d']);
  });

  it('auto-detects the incrementing column: the auto-increment column, else a single integer key, else a clear error', async () => {
    const keyed = await createTable('src_pk', `code ${types.int} NOT NULL PRIMARY KEY, v ${types.int}`);
    await session.insert(keyed, ['code', 'v'], [[20, 1], [10, 2]]);
    expect(column(records(await drain(reader({ mode: 'incrementing', tableWhitelist: [keyed] }))), 'code')).toEqual([10, 20]);

    const plain = await createTable('src_nokey', `v ${types.int}`);
    await expect(reader({ mode: 'incrementing', tableWhitelist: [plain] }).start()).rejects.toMatchObject({
      code: 'SOURCE_BAD_COLUMN',
      message: expect.stringMatching(new RegExp(`${plain}.* has no auto-increment column .*Set incrementing.column.name`, 's')),
    });
  });

  it('names a missing table or column, and refuses bad credentials without retrying', async () => {
    const table = await createTable('src_err', `id ${types.serialKey}, updated_at ${types.localTs} NOT NULL`);
    const missing = `${table}_missing`;
    await expect(reader({ mode: 'incrementing', tableWhitelist: [missing] }).start()).rejects.toMatchObject({
      code: 'SOURCE_TABLE_NOT_FOUND',
      message: expect.stringContaining(`"${missing}" named in table.whitelist does not exist`),
    });
    await expect(reader({ mode: 'timestamp', timestampColumns: ['modified_at'], tableWhitelist: [table] }).start()).rejects.toMatchObject({
      code: 'SOURCE_COLUMN_NOT_FOUND',
      message: expect.stringMatching(new RegExp(`timestamp.column.name "modified_at" is not a column of table .*${table}. Columns: id, updated_at`)),
    });
    await expect(reader({ mode: 'incrementing', incrementingColumn: 'seq', tableWhitelist: [table] }).start()).rejects.toMatchObject({
      code: 'SOURCE_COLUMN_NOT_FOUND',
      message: expect.stringContaining('incrementing.column.name "seq" is not a column of table'),
    });
    await expect(reader({ mode: 'timestamp', timestampColumns: ['id'], tableWhitelist: [table] }).start()).rejects.toMatchObject({ code: 'SOURCE_BAD_COLUMN' });

    const wrongPassword = createPollingReader(fixture.kind, {
      connection: { ...fixture.connection, password: `${String(fixture.connection.password)}-wrong` },
      options: { mode: 'incrementing', tableWhitelist: [table], connectionAttempts: 3, connectionBackoffMs: 10 },
    });
    readers.push(wrongPassword);
    const failure = await wrongPassword.start().catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(EngineError);
    expect(failure).toMatchObject({ code: 'SOURCE_AUTH_FAILED', retriable: false });
    expect((failure as Error).message).not.toContain(String(fixture.connection.password));

    const unreachable = createPollingReader(fixture.kind, {
      connection: { ...fixture.connection, host: '127.0.0.1', port: 1 },
      options: { mode: 'incrementing', tableWhitelist: [table], connectionAttempts: 2, connectionBackoffMs: 10 },
    });
    readers.push(unreachable);
    await expect(unreachable.poll()).rejects.toMatchObject({ code: 'SOURCE_CONNECTION_FAILED', retriable: true, message: expect.stringContaining('after 2 attempts') });
  });

  it('a column added at the source appears in the next poll’s schema, and so does a widened type', async () => {
    const table = await createTable('src_evolve', `id ${types.serialKey}, name ${types.text}, qty ${types.int}`);
    await session.insert(table, ['name'], [['before']]);
    const source = reader({ mode: 'incrementing', tableWhitelist: [table] });
    const first = await drain(source);
    expect(first[0]?.stream.valueSchema.fields.map((field) => field.name)).toEqual(['id', 'name', 'qty']);

    await session.exec(`ALTER TABLE ${q(table)} ADD ${fixture.kind === 'postgres' ? 'COLUMN ' : ''}price ${types.decimal(8, 3)} NULL`);
    await session.insert(table, ['name', 'price'], [['after', '1.250']]);
    const second = await drain(source);
    const read = records(second);
    expect(jsonSafe(read.map((record) => record.after))).toEqual([{ id: '2n', name: 'after', qty: null, price: '1.250' }]);
    expect(second[0]?.stream.valueSchema.fields.map((field) => [field.name, field.type])).toEqual([
      ['id', { kind: 'int64' }],
      ['name', { kind: 'string' }],
      ['qty', { kind: 'int32' }],
      ['price', { kind: 'decimal', precision: 8, scale: 3 }],
    ]);
    expect(source.pollingStreams[0]?.valueSchema.fields).toHaveLength(4);

    // Same column names, new type: caught by the result's type signature.
    await session.exec(`ALTER TABLE ${q(table)} ${fixture.alterType('qty', types.bigint)}`);
    await session.insert(table, ['name', 'qty'], [['widened', '9007199254740993']]);
    const third = await drain(source);
    expect(records(third).map((record) => record.after?.qty)).toEqual([9_007_199_254_740_993n]);
    expect(third[0]?.stream.valueSchema.fields.find((field) => field.name === 'qty')?.type).toEqual({ kind: 'int64' });
  });

  it('a lost connection fails one poll with a retriable error; the next poll reconnects and loses nothing', async () => {
    const table = await createTable('src_lost', `id ${types.serialKey}, v ${types.int}`);
    await session.insert(table, ['v'], [[1]]);
    const source = reader({ mode: 'incrementing', tableWhitelist: [table] });
    expect(column(records(await drain(source)), 'v')).toEqual([1]);
    // MariaDB cannot single out the reader's connection among the lab's sessions, so only the others run this.
    if (!(await session.killSourceSessions(table))) return;
    for (let i = 0; i < 50 && (await session.sourceSessions(table)) !== 0; i++) await new Promise((resolve) => setTimeout(resolve, 100));
    await session.insert(table, ['v'], [[2]]);
    const failure = await source.poll().then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(failure).toMatchObject({ code: 'SOURCE_CONNECTION_FAILED', retriable: true });
    expect(column(records(await drain(source)), 'v')).toEqual([2]);
  });

  it('close() ends a poll waiting for poll.interval.ms and releases the connection', async () => {
    const table = await createTable('src_close', `id ${types.serialKey}, v ${types.int}`);
    await session.insert(table, ['v'], [[1]]);
    const source = createPollingReader(fixture.kind, { connection: fixture.connection, options: { mode: 'incrementing', tableWhitelist: [table], pollIntervalMs: 60_000 } });
    readers.push(source);
    expect((await source.poll()).records).toHaveLength(1);
    expect(await session.sourceSessions(table)).not.toBe(0);
    const waiting = source.poll().catch((error: unknown) => error);
    await source.close();
    expect(await waiting).toMatchObject({ code: 'SOURCE_CLOSED' });
    // The server notices a closed connection asynchronously; wait for it rather than for a fixed time.
    let open = await session.sourceSessions(table);
    for (let i = 0; i < 50 && open !== undefined && open > 0; i++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      open = await session.sourceSessions(table);
    }
    if (open !== undefined) expect(open).toBe(0);
    await expect(source.poll()).rejects.toMatchObject({ code: 'SOURCE_CLOSED' });
  });
});
