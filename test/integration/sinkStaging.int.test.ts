import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { openSqlSession } from '../../src/engine/db';
import type { FieldSchema, FieldType, RecordSchema, Row, SinkRecord } from '../../src/engine/model';
import { createDialect, type SqlDialect } from '../../src/engine/sinks/sql/dialects';
import { startEmbeddedPostgres } from '../../src/engine/demo/embeddedPostgres';
import { STAGED_MIN_ROWS } from '../../src/engine/sinks/sql/dialects/postgresStaging';
import { SqlSinkWriter } from '../../src/engine/sinks/sql/sinkWriter';
import { uniqueName } from '../helpers/names';
import { useSinkStagingDb } from '../helpers/sinkStagingDb';

// PostgreSQL's staged form (issue 13): batches of STAGED_MIN_ROWS rows and more go by COPY into a temporary staging
// table and one INSERT … SELECT. Every value must land exactly as the unnest form (smaller batches) lands it, awkward
// text included (COPY's own escapes: backslash, tab, newline, \N), and record isolation, deletes between upserts and
// reconnects must keep working with the staging table's transactional life.

const { endpoint, topicBase, admin, tables } = useSinkStagingDb('sink_staging', async (client, base) => {
  await client.query(`DROP TYPE IF EXISTS "${base} mood"`);
});

const f = (name: string, type: FieldType, optional = true): FieldSchema => ({ name, type, optional });
const ID = f('id', { kind: 'int64' }, false);

interface Connection {
  host: string;
  port: number;
  user: string;
  password: string;
  database: string;
}

function writer(options: { autoCreate?: boolean; insertMode?: 'insert' | 'upsert'; connection?: Connection; dialect?: SqlDialect } = {}): SqlSinkWriter {
  return new SqlSinkWriter({
    connectorName: topicBase,
    dialect: options.dialect ?? createDialect('postgres'),
    openSession: () => openSqlSession({ dialect: 'postgres', ...(options.connection ?? endpoint), ssl: false }),
    target: 'PostgreSQL',
    insertMode: options.insertMode ?? 'upsert',
    pkMode: 'record_key',
    pkFields: [],
    fieldsWhitelist: [],
    autoCreate: options.autoCreate ?? true,
    autoEvolve: true,
    deleteEnabled: true,
    tableNameFormat: '${topic}',
    values: { timezone: 'UTC' },
    maxRetries: 0,
    retryBackoffMs: 100,
  });
}

function records(topic: string, fields: readonly FieldSchema[], rows: readonly Row[], firstOffset = 0): SinkRecord[] {
  const keySchema: RecordSchema = { name: `${topic}.Key`, fields: [ID] };
  const valueSchema: RecordSchema = { name: `${topic}.Value`, fields: [ID, ...fields] };
  return rows.map((row, index) => ({
    topic,
    partition: 0,
    offset: String(firstOffset + index),
    timestampMs: 0,
    keySchema,
    key: { id: row.id ?? null },
    valueSchema,
    value: row,
    headers: {},
  }));
}

function tombstone(topic: string, id: bigint, offset: number): SinkRecord {
  return { topic, partition: 0, offset: String(offset), timestampMs: 0, keySchema: { name: `${topic}.Key`, fields: [ID] }, key: { id }, valueSchema: null, value: null, headers: {} };
}

/** Every column as PostgreSQL prints it, in id order. */
async function dump(table: string): Promise<Record<string, string | null>[]> {
  const columns = (await admin.query(`SELECT attname FROM pg_attribute WHERE attrelid = '${table}'::regclass AND attnum > 0 AND NOT attisdropped ORDER BY attnum`)).rows.map(
    (row: { attname: string }) => row.attname,
  );
  const select = columns.map((column) => `"${column.replaceAll('"', '""')}"::text AS "${column.replaceAll('"', '""')}"`).join(', ');
  return (await admin.query(`SELECT ${select} FROM ${table} ORDER BY id`)).rows as Record<string, string | null>[];
}

const AWKWARD = [
  'tab\there',
  'line\nbreak',
  'carriage\rreturn\r\n',
  'back\\slash \\\\ double',
  '\\N',
  '\\.',
  'ends with backslash\\',
  '"double" and \'single\' quotes, {braces}',
  'NULL',
  '',
  'ünïcödé ✓ 日本語 🎉',
  '\t\n\\',
];

const KINDS: FieldSchema[] = [
  f('tiny', { kind: 'int8' }),
  f('small', { kind: 'int16' }),
  f('qty', { kind: 'int32' }),
  f('big', { kind: 'int64' }),
  f('ratio', { kind: 'float32' }),
  f('price', { kind: 'float64' }),
  f('flag', { kind: 'boolean' }),
  f('note', { kind: 'string' }),
  f('blob', { kind: 'bytes' }),
  f('amount', { kind: 'decimal', precision: 30, scale: 10 }),
  f('day', { kind: 'date' }),
  f('clock', { kind: 'time' }),
  f('at', { kind: 'timestamp' }),
];

function kindRow(id: number): Row {
  const pick = <T>(values: readonly T[]): T => values[id % values.length] as T;
  if (id % 7 === 3) return { id: BigInt(id), ...Object.fromEntries(KINDS.map((field) => [field.name, null])) };
  return {
    id: BigInt(id),
    tiny: pick([-128, 127, 0]),
    small: pick([-32768, 32767, 12]),
    qty: pick([-2147483648, 2147483647, id]),
    big: pick([9_223_372_036_854_775_807n, -9_223_372_036_854_775_808n, BigInt(id)]),
    ratio: pick([0.5, -1.25, Number.NaN, Number.POSITIVE_INFINITY]),
    price: pick([123456.789, -0.001, Number.NEGATIVE_INFINITY, 1e21, 5e-324]),
    flag: pick([true, false]),
    note: pick(AWKWARD),
    blob: pick([Buffer.from(Array.from({ length: 256 }, (_, index) => index)), Buffer.alloc(0), Buffer.from('\\\t\n')]),
    amount: pick(['-12345678901234567890.0123456789', '0.0000000001', '1']),
    day: pick([new Date('1000-01-01T00:00:00Z'), new Date('9999-12-31T00:00:00Z'), new Date('2024-02-29T00:00:00Z')]),
    clock: pick([0, 86_399_999, 45_296_789]),
    at: pick([new Date('9999-12-31T23:59:59.999Z'), new Date(0), new Date('2024-03-31T01:30:00.123Z')]),
  };
}

describe('PostgreSQL sink, staged COPY form', () => {
  it('writes every column kind and awkward text exactly as the unnest form does, and reads the text back unchanged', async () => {
    const rows = Array.from({ length: STAGED_MIN_ROWS * 2 }, (_, index) => kindRow(index + 1));
    const staged = `${topicBase}_kinds_staged`;
    const unnest = `${topicBase}_kinds_unnest`;
    tables.push(staged, unnest);
    const sink = writer();
    try {
      expect(await sink.write(records(staged, KINDS, rows), { tolerateRecordErrors: false })).toEqual([]);
      // The same rows in batches below the staged form's threshold (the table exists: unnest, not VALUES).
      await sink.write(records(unnest, KINDS, rows.slice(0, 1)), { tolerateRecordErrors: false });
      for (let start = 0; start < rows.length; start += STAGED_MIN_ROWS - 1) {
        await sink.write(records(unnest, KINDS, rows.slice(start, start + STAGED_MIN_ROWS - 1), start), { tolerateRecordErrors: false });
      }
    } finally {
      await sink.close();
    }
    const stagedRows = await dump(`"${staged}"`);
    expect(stagedRows).toHaveLength(rows.length);
    expect(stagedRows).toEqual(await dump(`"${unnest}"`));
    const notes = (await admin.query(`SELECT id::int AS id, note FROM "${staged}" ORDER BY id`)).rows as { id: number; note: string | null }[];
    for (const { id, note } of notes) expect(note, `row ${id}`).toBe(rows[id - 1]?.note ?? null);
  });

  it('fills columns of other types than auto.create makes (jsonb, uuid, enum, timestamptz, varchar(n), char(n)) in a mixed-case table, a column name holding quotes', async () => {
    const mood = `"${topicBase} mood"`;
    await admin.query(`CREATE TYPE ${mood} AS ENUM ('sad', 'ok', 'happy')`);
    const fields = [f('Doc "json"', { kind: 'string' }), f('ref', { kind: 'string' }), f('Mood', { kind: 'string' }), f('at', { kind: 'timestamp' }), f('code', { kind: 'string' }), f('pad', { kind: 'string' })];
    const create = (table: string) =>
      `CREATE TABLE "${table.replaceAll('"', '""')}" (id bigint PRIMARY KEY, "Doc ""json""" jsonb, ref uuid, "Mood" ${mood}, at timestamptz(3), code varchar(12), pad char(4) NOT NULL DEFAULT 'x')`;
    const staged = `${topicBase}_Typed Staged`;
    const unnest = `${topicBase}_Typed Unnest`;
    for (const table of [staged, unnest]) {
      await admin.query(create(table));
      tables.push(table);
    }
    const rows: Row[] = Array.from({ length: STAGED_MIN_ROWS + 5 }, (_, index) => ({
      id: BigInt(index + 1),
      'Doc "json"': index % 5 === 0 ? null : JSON.stringify({ n: index, text: AWKWARD[index % AWKWARD.length] }),
      ref: `00000000-0000-4000-8000-${String(index).padStart(12, '0')}`,
      Mood: ['sad', 'ok', 'happy'][index % 3] as string,
      at: new Date(Date.UTC(2024, 2, 31, 1, 30, 0, index)),
      code: AWKWARD[index % AWKWARD.length]?.slice(0, 12) ?? '',
      pad: ['a', 'ab  ', '', 'abcd'][index % 4] as string,
    }));
    const sink = writer({ autoCreate: false });
    try {
      await sink.write(records(staged, fields, rows), { tolerateRecordErrors: false });
      for (let start = 0; start < rows.length; start += 50) await sink.write(records(unnest, fields, rows.slice(start, start + 50), start), { tolerateRecordErrors: false });
    } finally {
      await sink.close();
    }
    const stagedRows = await dump(`"${staged.replaceAll('"', '""')}"`);
    expect(stagedRows).toHaveLength(rows.length);
    expect(stagedRows).toEqual(await dump(`"${unnest.replaceAll('"', '""')}"`));
  });

  it('applies a delete between two staged upserts of one write in order, and keeps working after a reconnect', async () => {
    const topic = `${topicBase}_order`;
    tables.push(topic);
    const fields = [f('note', { kind: 'string' })];
    const rows = (first: number, count: number, note: string): Row[] => Array.from({ length: count }, (_, index) => ({ id: BigInt(first + index), note }));
    const sink = writer();
    try {
      // One transaction: staged upsert of 1..N, delete of 1, staged upsert of N+1..2N (the staging table must be
      // emptied before the second COPY, or key 1 would come back).
      const batch = [...records(topic, fields, rows(1, STAGED_MIN_ROWS, 'first')), tombstone(topic, 1n, STAGED_MIN_ROWS), ...records(topic, fields, rows(STAGED_MIN_ROWS + 1, STAGED_MIN_ROWS, 'second'), STAGED_MIN_ROWS + 1)];
      expect(await sink.write(batch, { tolerateRecordErrors: false })).toEqual([]);
      const counts = (await admin.query(`SELECT count(*)::int AS n, count(*) FILTER (WHERE id = 1)::int AS one FROM "${topic}"`)).rows[0] as { n: number; one: number };
      expect(counts).toEqual({ n: STAGED_MIN_ROWS * 2 - 1, one: 0 });
      // A new connection (the writer reopens after close) has no staging table yet; it makes its own.
      await sink.close();
      await sink.write(records(topic, fields, rows(1, STAGED_MIN_ROWS, 'third'), 1000), { tolerateRecordErrors: false });
      const third = (await admin.query(`SELECT count(*)::int AS n FROM "${topic}" WHERE note = 'third'`)).rows[0] as { n: number };
      expect(third.n).toBe(STAGED_MIN_ROWS);
      // Evolved: an added field gets a staging table with the new column.
      const wider = [...fields, f('extra', { kind: 'string' })];
      await sink.write(records(topic, wider, rows(1, STAGED_MIN_ROWS, 'fourth').map((row) => ({ ...row, extra: 'x\ty' })), 2000), { tolerateRecordErrors: false });
      const fourth = (await admin.query(`SELECT count(*)::int AS n FROM "${topic}" WHERE note = 'fourth' AND extra = E'x\\ty'`)).rows[0] as { n: number };
      expect(fourth.n).toBe(STAGED_MIN_ROWS);
    } finally {
      await sink.close();
    }
  });

  it('isolates a value the target refuses, on a fresh connection, and applies the rest once (errors.tolerance=all)', async () => {
    const topic = `${topicBase}_refused`;
    tables.push(topic);
    await admin.query(`CREATE TABLE "${topic}" (id bigint PRIMARY KEY, code varchar(5), qty int CHECK (qty >= 0))`);
    const fields = [f('code', { kind: 'string' }), f('qty', { kind: 'int32' })];
    const rows: Row[] = Array.from({ length: STAGED_MIN_ROWS * 3 }, (_, index) => ({ id: BigInt(index + 1), code: index === 17 ? 'far too long' : `c${index % 1000}`, qty: index === 450 ? -1 : index }));
    for (const insertMode of ['upsert', 'insert'] as const) {
      await admin.query(`TRUNCATE "${topic}"`);
      const sink = writer({ autoCreate: false, insertMode });
      try {
        const failures = await sink.write(records(topic, fields, rows), { tolerateRecordErrors: true });
        expect(failures.map((failure) => failure.record.offset)).toEqual(['17', '450']);
        expect(failures[0]?.error.message).toMatch(/too long/);
        expect(failures[1]?.error.message).toMatch(/check constraint/);
      } finally {
        await sink.close();
      }
      const count = (await admin.query(`SELECT count(*)::int AS n FROM "${topic}"`)).rows[0] as { n: number };
      expect(count.n, insertMode).toBe(rows.length - 2);
    }
  });
});

// Targets that cannot stage: the writer says why once and loads the same rows with unnest, losing none.
describe('PostgreSQL sink where COPY staging is unavailable', () => {
  const fields = [f('note', { kind: 'string' }), f('qty', { kind: 'int32' })];
  const rows = (note: string): Row[] => Array.from({ length: STAGED_MIN_ROWS * 2 }, (_, index) => ({ id: BigInt(index + 1), note: `${note}\t${index}`, qty: index }));

  it('loads with unnest for a role without the TEMPORARY privilege, every row once', async () => {
    const database = uniqueName('notemp').toLowerCase();
    const role = uniqueName('notemp_role').toLowerCase();
    const password = 'no-temp-password';
    await admin.query(`CREATE DATABASE "${database}"`);
    await admin.query(`CREATE ROLE "${role}" LOGIN PASSWORD '${password}'`);
    const owner = new pg.Client({ ...endpoint, database });
    await owner.connect();
    try {
      await admin.query(`REVOKE TEMPORARY ON DATABASE "${database}" FROM PUBLIC`);
      await owner.query(`GRANT ALL ON SCHEMA public TO "${role}"`);
      const dialect = createDialect('postgres');
      const sink = writer({ connection: { ...endpoint, user: role, password, database }, dialect });
      const topic = `${topicBase}_notemp`;
      try {
        expect(await sink.write(records(topic, fields, rows('first')), { tolerateRecordErrors: false })).toEqual([]);
        // Staging was tried, refused and switched off for good: the next batch goes straight to unnest.
        expect(dialect.disableStaging?.()).toBe(false);
        expect(await sink.write(records(topic, fields, rows('second'), STAGED_MIN_ROWS * 2), { tolerateRecordErrors: false })).toEqual([]);
      } finally {
        await sink.close();
      }
      const counts = (await owner.query(`SELECT count(*)::int AS n, count(*) FILTER (WHERE note LIKE E'second\\t%')::int AS second FROM "${topic}"`)).rows[0] as { n: number; second: number };
      expect(counts).toEqual({ n: STAGED_MIN_ROWS * 2, second: STAGED_MIN_ROWS * 2 });
    } finally {
      await owner.end();
      await admin.query(`DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`);
      await admin.query(`DROP ROLE IF EXISTS "${role}"`);
    }
  });

  it('never sends COPY to PGlite (which would stop taking connections), and loads with unnest', async () => {
    const embedded = await startEmbeddedPostgres();
    try {
      const connection = { host: embedded.host, port: embedded.port, user: embedded.user, password: embedded.password, database: embedded.database };
      const dialect = createDialect('postgres');
      const sink = writer({ connection, dialect });
      const topic = `${topicBase}_pglite`;
      try {
        expect(await sink.write(records(topic, fields, rows('first')), { tolerateRecordErrors: false })).toEqual([]);
        expect(dialect.disableStaging?.()).toBe(false);
        // A new session prepares the same statements again: PGlite serves every connection from one backend, where
        // the first session's prepared names still exist.
        await sink.close();
        expect(await sink.write(records(topic, fields, rows('second'), STAGED_MIN_ROWS * 2), { tolerateRecordErrors: false })).toEqual([]);
      } finally {
        await sink.close();
      }
      // A new connection still gets in: PGlite was never sent a COPY.
      const reader = new pg.Client(connection);
      await reader.connect();
      try {
        const counts = (await reader.query(`SELECT count(*)::int AS n, sum(qty)::int AS qty FROM "${topic}"`)).rows[0] as { n: number; qty: number };
        expect(counts).toEqual({ n: STAGED_MIN_ROWS * 2, qty: ((STAGED_MIN_ROWS * 2 - 1) * STAGED_MIN_ROWS * 2) / 2 });
      } finally {
        await reader.end();
      }
    } finally {
      await embedded.close();
    }
  }, 60_000);
});
