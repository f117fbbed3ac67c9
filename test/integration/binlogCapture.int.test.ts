import mysql from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { ChangeRecord } from '../../src/engine/model';
import { binlogPositionFromCheckpoint } from '../../src/engine/sources/mysql/binlog/binlogPosition';
import { takeBinlogSnapshot } from '../../src/engine/sources/mysql/binlog/binlogSnapshot';
import { MySqlBinlogReader, type MySqlBinlogReaderInit } from '../../src/engine/sources/mysql/binlog/mySqlBinlogReader';
import { BinlogSchemaHistory, FileSchemaHistoryStore, type SchemaHistoryEntry } from '../../src/engine/sources/mysql/binlog/schemaHistory';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolveZone } from '../../src/engine/sources/polling/zone';
import { uniqueName } from '../helpers/names';

// The MariaDB binlog reader against the lab's real server: what a log-based source must see that polling cannot
// (deletes, before images, primary-key changes, rolled-back work never showing), whole transactions, a restart in
// the middle of a transaction, DDL mid-stream, and precise errors for a purged position and missing prerequisites.

const endpoints = inject('labEndpoints');
const db = endpoints.mariadb;
const table = uniqueName('binlog_orders');
const other = uniqueName('binlog_other');
const readers: MySqlBinlogReader[] = [];
let admin: mysql.Connection;

function readerInit(overrides: Partial<MySqlBinlogReaderInit> = {}): MySqlBinlogReaderInit {
  return {
    connection: { host: db.host, port: db.port, user: db.user, password: db.password, database: db.database, tls: 'disable' },
    replicaId: 184_000 + Math.floor(Math.random() * 10_000),
    topicPrefix: 'lab',
    includeTable: (id) => id.catalog === db.database && id.table === table,
    zone: resolveZone('UTC'),
    ...overrides,
  };
}

function openReader(overrides: Partial<MySqlBinlogReaderInit> = {}): MySqlBinlogReader {
  const reader = new MySqlBinlogReader(readerInit(overrides));
  readers.push(reader);
  return reader;
}

async function readAtLeast(reader: MySqlBinlogReader, count: number): Promise<ChangeRecord[]> {
  const records: ChangeRecord[] = [];
  const deadline = Date.now() + 30_000;
  // No schema changes are asked for: every record is a row change.
  while (records.length < count && Date.now() < deadline) records.push(...((await reader.read(1_000, 500)) as ChangeRecord[]));
  return records;
}

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
  admin = await mysql.createConnection({ host: db.host, port: db.port, user: db.user, password: db.password, database: db.database, dateStrings: true });
  await admin.query(`CREATE TABLE ${table} (id INT PRIMARY KEY, customer VARCHAR(40) NOT NULL, amount DECIMAL(10,2), placed DATETIME(3)) ENGINE=InnoDB`);
  await admin.query(`CREATE TABLE ${other} (id INT PRIMARY KEY) ENGINE=InnoDB`);
});

afterAll(async () => {
  for (const reader of readers) await reader.close();
  await admin.query(`DROP TABLE IF EXISTS ${table}, ${other}`);
  await admin.query("DROP USER IF EXISTS 'ferry_noreplication'@'%'");
  await admin.end();
});

describe('MariaDB binlog reader', () => {
  let firstTransactionRecords: ChangeRecord[] = [];

  it('emits inserts, updates with before images, key changes and deletes, whole transactions only, nothing rolled back', async () => {
    const reader = openReader();
    await reader.start();
    await admin.query('START TRANSACTION');
    await admin.query(`INSERT INTO ${table} VALUES (1, 'ada', 10.50, '2026-12-01 10:00:00.123'), (2, 'bob', 20.00, NULL), (3, 'cy', NULL, NULL)`);
    await admin.query(`INSERT INTO ${other} VALUES (1)`);
    await admin.query('COMMIT');
    await admin.query('START TRANSACTION');
    await admin.query(`INSERT INTO ${table} VALUES (99, 'never', 1, NULL)`);
    await admin.query('ROLLBACK');
    await admin.query(`UPDATE ${table} SET amount = 11.25 WHERE id = 1`);
    await admin.query(`UPDATE ${table} SET id = 20 WHERE id = 2`);
    await admin.query(`DELETE FROM ${table} WHERE id = 3`);

    const records = await readAtLeast(reader, 6);
    expect(records.map((record) => `${record.op}:${String(record.key?.id)}`)).toEqual(['c:1', 'c:2', 'c:3', 'u:1', 'u:20', 'd:3']);
    firstTransactionRecords = records.slice(0, 3);

    const [insert, , , update, keyChange, del] = records;
    expect(insert?.after).toEqual({ id: 1, customer: 'ada', amount: '10.50', placed: new Date('2026-12-01T10:00:00.123Z') });
    expect(insert?.before).toBeNull();
    expect(insert?.valueSchema.name).toBe(`lab.${db.database}.${table}.Value`);
    expect(insert?.keySchema?.fields.map((field) => field.name)).toEqual(['id']);
    expect(update?.before?.amount).toBe('10.50');
    expect(update?.after?.amount).toBe('11.25');
    expect(keyChange?.before?.id).toBe(2);
    expect(keyChange?.after?.id).toBe(20);
    expect(del?.after).toBeNull();
    expect(del?.before).toMatchObject({ id: 3, customer: 'cy' });

    // Every record but a transaction's last points back into it; the last points past its commit.
    const positions = records.map((record) => binlogPositionFromCheckpoint(record.position));
    expect(positions[0]).toMatchObject({ pos: positions[1]?.pos, row: 1 });
    expect(positions[1]).toMatchObject({ row: 2 });
    expect(positions[2]?.row).toBe(0);
    expect(positions[2]?.pos).toBeGreaterThan(positions[0]?.pos ?? 0);
    expect(positions[2]?.gtids).toMatch(/^\d+-\d+-\d+/);
    expect(reader.position).toEqual(positions[5]);
    // The uncaptured table's rows were never decoded: ZongJi kept no table map for it (a busy server's other tables
    // cost the reader nothing but skipping their events).
    const tableMaps = Object.values((reader as unknown as { zongji?: { tableMap: Record<number, { tableName: string }> } }).zongji?.tableMap ?? {});
    expect(tableMaps.map((map) => map.tableName)).toContain(table);
    expect(tableMaps.map((map) => map.tableName)).not.toContain(other);
  });

  it('resumes in the middle of a transaction without skipping or repeating a row', async () => {
    const mid = firstTransactionRecords[0];
    expect(mid).toBeDefined();
    const reader = openReader();
    await reader.start(binlogPositionFromCheckpoint(mid?.position ?? {}));
    const records = await readAtLeast(reader, 5);
    expect(records.map((record) => `${record.op}:${String(record.key?.id)}`)).toEqual(['c:2', 'c:3', 'u:1', 'u:20', 'd:3']);
  });

  it('reads rows of a column added mid-stream with the new schema', async () => {
    const reader = openReader();
    await reader.start();
    await admin.query(`INSERT INTO ${table} (id, customer) VALUES (40, 'before-ddl')`);
    await admin.query(`ALTER TABLE ${table} ADD COLUMN note VARCHAR(20) NULL`);
    await admin.query(`INSERT INTO ${table} (id, customer, note) VALUES (41, 'after-ddl', 'hello')`);
    const records = await readAtLeast(reader, 2);
    expect(records[0]?.valueSchema.fields.map((field) => field.name)).not.toContain('note');
    expect(records[1]?.valueSchema.fields.map((field) => field.name)).toContain('note');
    expect(records[1]?.after?.note).toBe('hello');
  });

  it('refuses a purged position, naming it and the way back', async () => {
    const reader = openReader();
    const error = await rejection(reader.start({ file: 'mariadb-bin.000000', pos: 4, row: 0 }));
    expect(error).toBeInstanceOf(Error);
    expect(error.code).toBe('SOURCE_BAD_POSITION');
    expect(error.message).toContain('mariadb-bin.000000:4');
    expect(error.message).toContain('snapshot.mode=when_needed');
  });

  it('names every missing prerequisite with the statement that fixes it', async () => {
    const password = `p_${Math.random().toString(36).slice(2)}`;
    await admin.query("DROP USER IF EXISTS 'ferry_noreplication'@'%'");
    await admin.query(`CREATE USER 'ferry_noreplication'@'%' IDENTIFIED BY '${password}'`);
    await admin.query(`GRANT SELECT ON ${db.database}.* TO 'ferry_noreplication'@'%'`);
    const [serverIdRows] = await admin.query<mysql.RowDataPacket[]>('SELECT @@server_id AS id');
    const reader = openReader({
      connection: { host: db.host, port: db.port, user: 'ferry_noreplication', password, database: db.database, tls: 'disable' },
      replicaId: Number(serverIdRows[0]?.id),
    });
    const error = await rejection(reader.start());
    expect(error.message).toContain('lacks REPLICATION SLAVE and REPLICATION CLIENT');
    expect(error.message).toContain("GRANT REPLICATION SLAVE, REPLICATION CLIENT ON *.* TO 'ferry_noreplication'");
    expect(error.message).toContain("database.server.id");
    expect(error.message).not.toContain(password);
  });

  it('snapshots while a writer inserts, updates and deletes, then streams from the snapshot’s position with no gap', async () => {
    const live = uniqueName('binlog_live');
    await admin.query(`CREATE TABLE ${live} (id INT PRIMARY KEY, n INT NOT NULL) ENGINE=InnoDB`);
    try {
      const seed = Array.from({ length: 3_000 }, (_, index) => `(${index + 1}, 0)`).join(',');
      await admin.query(`INSERT INTO ${live} VALUES ${seed}`);
      const writer = await mysql.createConnection({ host: db.host, port: db.port, user: db.user, password: db.password, database: db.database });
      let writing = true;
      let next = 3_001;
      const writes = (async () => {
        // Every kind of change, continuously, while the snapshot pages through the table.
        while (writing) {
          const id = 1 + Math.floor(Math.random() * (next - 1));
          await writer.query(`INSERT INTO ${live} VALUES (?, 0)`, [next++]);
          await writer.query(`UPDATE ${live} SET n = n + 1 WHERE id = ?`, [id]);
          await writer.query(`DELETE FROM ${live} WHERE id = ?`, [1 + Math.floor(Math.random() * (next - 1))]);
        }
      })();
      const snapshot = await takeBinlogSnapshot({
        connection: readerInit().connection,
        topicPrefix: 'lab',
        tables: [{ catalog: db.database, table: live }],
        zone: resolveZone('UTC'),
        chunkRows: 250,
      });
      const target = new Map<number, unknown>();
      for await (const page of snapshot.records()) {
        for (const record of page) target.set(Number(record.key?.id), record.after?.n);
        await new Promise((resolve) => setTimeout(resolve, 20)); // let the writer run between pages
      }
      await snapshot.close();
      writing = false;
      await writes;
      await writer.end();

      const reader = openReader({ includeTable: (id) => id.table === live });
      await reader.start(snapshot.position);
      const [end] = await admin.query<mysql.RowDataPacket[]>(`SELECT COUNT(*) AS c FROM ${live}`);
      expect(Number(end[0]?.c)).toBeGreaterThan(0);
      const [expected] = await admin.query<mysql.RowDataPacket[]>(`SELECT id, n FROM ${live} ORDER BY id`);
      const wanted = new Map(expected.map((row) => [Number(row.id), Number(row.n)]));
      const deadline = Date.now() + 40_000;
      const same = (): boolean => target.size === wanted.size && [...wanted].every(([id, n]) => target.get(id) === n);
      while (!same() && Date.now() < deadline) {
        for (const record of (await reader.read(5_000, 300)) as ChangeRecord[]) {
          if (record.op === 'd') target.delete(Number(record.before?.id));
          else target.set(Number(record.after?.id), record.after?.n);
        }
      }
      expect(target.size).toBe(wanted.size);
      expect(same()).toBe(true);
    } finally {
      await admin.query(`DROP TABLE IF EXISTS ${live}`);
    }
  });

  it.each([
    // DATETIME on MariaDB: ZongJi names the row's columns from the catalog, which the history stands in for.
    { name: 'a table with a DATETIME column (columns named from the catalog)', temporal: true },
    // No temporal column: the binlog's own metadata names the columns; types and key come from the history.
    { name: 'a table without temporal columns (columns named by the binlog)', temporal: false },
  ])('$name: a restart from before an ADD and a DROP COLUMN reads the older rows with the layout they were written with', async ({ temporal }) => {
    const ddlTable = uniqueName('binlog_ddl');
    const dir = mkdtempSync(join(tmpdir(), 'ferry-schema-history-'));
    const historyFile = join(dir, 'schema-history.jsonl');
    const extra = temporal ? ', placed DATETIME(3) NULL' : ', amount DECIMAL(10,2) NULL';
    await admin.query(`CREATE TABLE ${ddlTable} (id INT PRIMARY KEY, customer VARCHAR(40) NOT NULL, legacy VARCHAR(20) NULL${extra}) ENGINE=InnoDB`);
    try {
      const changes: SchemaHistoryEntry[] = [];
      const only = (id: { table: string }): boolean => id.table === ddlTable;
      const first = openReader({ includeTable: only, schemaHistory: new BinlogSchemaHistory(new FileSchemaHistoryStore(historyFile)), onSchemaChange: (change) => changes.push(change) });
      const from = await first.start();
      await admin.query(`INSERT INTO ${ddlTable} (id, customer, legacy) VALUES (1, 'ada', 'old-1')`);
      expect((await readAtLeast(first, 1)).map((record) => record.after?.legacy)).toEqual(['old-1']);
      await admin.query(`ALTER TABLE ${ddlTable} ADD COLUMN note VARCHAR(20) NULL`);
      await admin.query(`INSERT INTO ${ddlTable} (id, customer, legacy, note) VALUES (2, 'bob', 'old-2', 'n2')`);
      expect((await readAtLeast(first, 1)).map((record) => record.after?.note)).toEqual(['n2']);
      await admin.query(`ALTER TABLE ${ddlTable} DROP COLUMN legacy`);
      await admin.query(`INSERT INTO ${ddlTable} (id, customer, note) VALUES (3, 'cy', 'n3')`);
      await admin.query(`UPDATE ${ddlTable} SET customer = 'ada2' WHERE id = 1`);
      expect(await readAtLeast(first, 2)).toHaveLength(2);
      await first.close();
      expect(changes.map((change) => change.ddl)).toEqual([`ALTER TABLE ${ddlTable} ADD COLUMN note VARCHAR(20) NULL`, `ALTER TABLE ${ddlTable} DROP COLUMN legacy`]);

      // A new process: only the history file carries what the table looked like.
      const restarted = openReader({ includeTable: only, schemaHistory: new BinlogSchemaHistory(new FileSchemaHistoryStore(historyFile)) });
      await restarted.start(from);
      const records = await readAtLeast(restarted, 4);
      const shape = (record: ChangeRecord | undefined): string[] => record?.valueSchema.fields.map((field) => field.name) ?? [];
      const extraName = temporal ? 'placed' : 'amount';
      expect(records.map((record) => `${record.op}:${String(record.key?.id)}`)).toEqual(['c:1', 'c:2', 'c:3', 'u:1']);
      expect(shape(records[0])).toEqual(['id', 'customer', 'legacy', extraName]);
      expect(records[0]?.after).toMatchObject({ id: 1, customer: 'ada', legacy: 'old-1' });
      expect(shape(records[1])).toEqual(['id', 'customer', 'legacy', extraName, 'note']);
      expect(records[1]?.after).toMatchObject({ id: 2, customer: 'bob', legacy: 'old-2', note: 'n2' });
      expect(shape(records[2])).toEqual(['id', 'customer', extraName, 'note']);
      expect(records[2]?.after).toMatchObject({ id: 3, customer: 'cy', note: 'n3' });
      expect(records[3]?.before).toMatchObject({ id: 1, customer: 'ada', note: null });
      expect(records[3]?.after).toMatchObject({ id: 1, customer: 'ada2' });
      // The restart recorded nothing new: the DDLs it passed again keep the layouts of their first reading.
      expect((await new FileSchemaHistoryStore(historyFile).load()).filter((entry) => entry.ddl !== undefined)).toHaveLength(2);
    } finally {
      await admin.query(`DROP TABLE IF EXISTS ${ddlTable}`);
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
