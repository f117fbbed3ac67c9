import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { ChangeRecord } from '../../src/engine/model';
import { compareLsn, type LogicalPosition, logicalPositionFromCheckpoint } from '../../src/engine/sources/postgres/logical/postgresLogicalPosition';
import { PostgresLogicalReader, type PostgresLogicalReaderInit, UNAVAILABLE_VALUE_PLACEHOLDER } from '../../src/engine/sources/postgres/logical/postgresLogicalReader';
import { resolveZone } from '../../src/engine/sources/polling/zone';
import { uniqueName } from '../helpers/names';

// The pgoutput reader against the lab's real PostgreSQL (wal_level=logical): deletes and key changes, before
// images with REPLICA IDENTITY FULL, unchanged TOAST values, whole transactions, a restart in the middle of a
// transaction that neither skips nor repeats a change, and precise errors for a dropped slot. Each test cleans up
// its slot and publication: a slot left behind would keep WAL on the lab's server forever.

const endpoints = inject('labEndpoints');
const db = endpoints.postgres;
const table = uniqueName('pglog_orders');
const fullTable = uniqueName('pglog_full');
const slots: string[] = [];
const publications: string[] = [];
const readers: PostgresLogicalReader[] = [];
let admin: pg.Client;

function readerInit(overrides: Partial<PostgresLogicalReaderInit> = {}): PostgresLogicalReaderInit {
  const slotName = uniqueName('ferry_slot');
  const publicationName = uniqueName('ferry_pub');
  slots.push(slotName);
  publications.push(publicationName);
  return {
    connection: { host: db.host, port: db.port, user: db.user, password: db.password, database: db.database, tls: 'disable' },
    slotName,
    publicationName,
    publicationAutocreate: 'filtered',
    tables: [
      { schema: 'public', table },
      { schema: 'public', table: fullTable },
    ],
    includeTable: (id) => id.schema === 'public' && (id.table === table || id.table === fullTable),
    topicPrefix: 'lab',
    zone: resolveZone('UTC'),
    ...overrides,
  };
}

function openReader(init: PostgresLogicalReaderInit): PostgresLogicalReader {
  const reader = new PostgresLogicalReader(init);
  readers.push(reader);
  return reader;
}

async function readAtLeast(reader: PostgresLogicalReader, count: number): Promise<ChangeRecord[]> {
  const records: ChangeRecord[] = [];
  const deadline = Date.now() + 30_000;
  while (records.length < count && Date.now() < deadline) records.push(...(await reader.read(1_000, 500)));
  return records;
}

const describeRecord = (record: ChangeRecord): string => `${record.op}:${String(record.key?.id)}`;

/** The error a promise rejects with; fails the test when it resolves. */
async function rejection(promise: Promise<unknown>): Promise<Error & { code?: string }> {
  try {
    await promise;
  } catch (error) {
    return error as Error & { code?: string };
  }
  throw new Error('expected the call to fail, and it succeeded');
}

beforeAll(async () => {
  admin = new pg.Client({ host: db.host, port: db.port, user: db.user, password: db.password, database: db.database });
  await admin.connect();
  await admin.query(`CREATE TABLE ${table} (id int PRIMARY KEY, customer text NOT NULL, amount numeric(10,2), placed timestamp(6), note text)`);
  await admin.query(`CREATE TABLE ${fullTable} (id int PRIMARY KEY, status text)`);
  await admin.query(`ALTER TABLE ${fullTable} REPLICA IDENTITY FULL`);
});

afterAll(async () => {
  for (const reader of readers) await reader.close();
  for (const slot of slots) await admin.query('SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name = $1 AND NOT active', [slot]).catch(() => undefined);
  for (const publication of publications) await admin.query(`DROP PUBLICATION IF EXISTS "${publication}"`);
  await admin.query(`DROP TABLE IF EXISTS ${table}, ${fullTable}`);
  await admin.end();
});

describe('PostgreSQL pgoutput reader', () => {
  it('creates its slot and publication, then emits inserts, key changes, deletes and before images, whole transactions only', async () => {
    const init = readerInit();
    const reader = openReader(init);
    const slot = await reader.start();
    expect(slot.exists).toBe(true);
    // Incompressible, so PostgreSQL stores it out of line (TOAST): an update that does not touch it does not send it.
    const bigNote = randomBytes(12_000).toString('base64');

    await admin.query('BEGIN');
    await admin.query(`INSERT INTO ${table} VALUES (1, 'ada', 10.50, '2026-12-01 10:00:00.123456', $1), (2, 'bob', 20, NULL, NULL), (3, 'cy', NULL, NULL, NULL)`, [bigNote]);
    await admin.query(`INSERT INTO ${fullTable} VALUES (1, 'new')`);
    await admin.query('COMMIT');
    await admin.query('BEGIN');
    await admin.query(`INSERT INTO ${table} VALUES (99, 'never', 1, NULL, NULL)`);
    await admin.query('ROLLBACK');
    await admin.query(`UPDATE ${table} SET amount = 11.25 WHERE id = 1`);
    await admin.query(`UPDATE ${table} SET id = 20 WHERE id = 2`);
    await admin.query(`DELETE FROM ${table} WHERE id = 3`);
    await admin.query(`UPDATE ${fullTable} SET status = 'shipped' WHERE id = 1`);

    const records = await readAtLeast(reader, 8);
    expect(records.map(describeRecord)).toEqual(['c:1', 'c:2', 'c:3', 'c:1', 'u:1', 'u:20', 'd:3', 'u:1']);
    const [insert, , , , toastUpdate, keyChange, del, fullUpdate] = records;
    expect(insert?.after).toEqual({ id: 1, customer: 'ada', amount: '10.50', placed: new Date('2026-12-01T10:00:00.123Z'), note: bigNote });
    expect(insert?.valueSchema.name).toBe(`lab.public.${table}.Value`);
    expect(toastUpdate?.after?.amount).toBe('11.25');
    expect(toastUpdate?.after?.note).toBe(UNAVAILABLE_VALUE_PLACEHOLDER);
    expect(toastUpdate?.before).toBeNull(); // REPLICA IDENTITY DEFAULT: no before image, as in Debezium
    expect(keyChange?.after?.id).toBe(20);
    expect(del?.before).toEqual({ id: 3, customer: '', amount: null, placed: null, note: null }); // customer is NOT NULL
    expect(fullUpdate?.before).toEqual({ id: 1, status: 'new' });
    expect(fullUpdate?.after).toEqual({ id: 1, status: 'shipped' });

    const positions = records.map((record) => logicalPositionFromCheckpoint(record.position));
    expect(positions[0]).toMatchObject({ row: 1 });
    expect(positions[0]?.lsnCommit).toBeDefined();
    expect(positions[3]?.row).toBe(0);
    expect(reader.position).toEqual(positions[7]);
  });

  it('resumes in the middle of a transaction after a crash without skipping or repeating a change', async () => {
    const init = readerInit();
    const first = openReader(init);
    await first.start();
    await admin.query('BEGIN');
    await admin.query(`INSERT INTO ${table} VALUES (200, 'a', 1, NULL, NULL), (201, 'b', 2, NULL, NULL), (202, 'c', 3, NULL, NULL)`);
    await admin.query('COMMIT');
    await admin.query(`INSERT INTO ${table} VALUES (203, 'd', 4, NULL, NULL)`);
    const records = await readAtLeast(first, 4);
    expect(records.map(describeRecord)).toEqual(['c:200', 'c:201', 'c:202', 'c:203']);
    // Kafka acknowledged the first two records only, then the process died.
    const checkpoint: LogicalPosition = logicalPositionFromCheckpoint(records[1]?.position ?? {});
    await first.acknowledge(checkpoint);
    await first.close();

    const second = openReader(init);
    await second.start(checkpoint);
    const rest = await readAtLeast(second, 2);
    expect(rest.map(describeRecord)).toEqual(['c:202', 'c:203']);
  });

  it('confirms to the slot only what was acknowledged', async () => {
    const init = readerInit();
    const reader = openReader(init);
    await reader.start();
    await admin.query(`INSERT INTO ${table} VALUES (300, 'a', 1, NULL, NULL)`);
    const [record] = await readAtLeast(reader, 1);
    const before = (await reader.slotState()).confirmedFlushLsn;
    expect(record).toBeDefined();
    // Not acknowledged yet: the slot still holds the change.
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect((await reader.slotState()).confirmedFlushLsn).toBe(before);
    await reader.acknowledge(logicalPositionFromCheckpoint(record?.position ?? {}));
    const deadline = Date.now() + 15_000;
    let confirmed = before;
    while (confirmed === before && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 200));
      confirmed = (await reader.slotState()).confirmedFlushLsn;
    }
    // The standby status names the first byte not yet needed: the commit's end, or one past it.
    expect(compareLsn(confirmed ?? '0/0', logicalPositionFromCheckpoint(record?.position ?? {}).lsn)).toBeGreaterThanOrEqual(0);
    expect(compareLsn(confirmed ?? '0/0', before ?? '0/0')).toBeGreaterThan(0);
  });

  it('refuses a checkpoint whose slot was dropped, saying the changes are gone and how to get back', async () => {
    const init = readerInit();
    const reader = openReader(init);
    const error = await rejection(reader.start({ lsn: '0/1000000', row: 0 }));
    expect(error.code).toBe('SOURCE_BAD_POSITION');
    expect(error.message).toContain(`"${init.slotName}" no longer exists`);
    expect(error.message).toContain('snapshot.mode=when_needed');
  });

  it('refuses a missing publication with autocreate disabled, giving the statement', async () => {
    const init = readerInit({ publicationAutocreate: 'disabled' });
    const reader = openReader(init);
    const error = await rejection(reader.start());
    expect(error.message).toContain(`CREATE PUBLICATION "${init.publicationName}" FOR ALL TABLES`);
  });
});
