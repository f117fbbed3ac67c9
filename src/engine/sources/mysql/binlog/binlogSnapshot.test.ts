import { EventEmitter } from 'node:events';
import { describe, expect, it, vi } from 'vitest';
import type { ChangeRecord, Row } from '../../../model';
import { resolveZone } from '../../polling/zone';
import { takeBinlogSnapshot } from './binlogSnapshot';

const driver = vi.hoisted(() => ({ rows: [] as Row[], pageQueries: [] as { sql: string; params: unknown[] }[], failAfter: undefined as number | undefined }));

// The driver at its query boundary: a MariaDB that pages a 23-row table by its key as the snapshot asks.
vi.mock('mysql2/promise', () => {
  const createConnection = (): Promise<unknown> => {
    const socket: FakeSocket = { paused: false };
    const connection = {
      on: () => connection,
      end: () => Promise.resolve(),
      destroy: () => undefined,
      query: (query: string | { sql: string }): Promise<unknown[]> => {
        const sql = typeof query === 'string' ? query : query.sql;
        if (sql.startsWith('SELECT VERSION()')) return Promise.resolve([[{ version: '11.4.2-MariaDB', server_id: 3 }]]);
        if (sql.startsWith("SHOW STATUS LIKE 'binlog_snapshot_%'")) return Promise.resolve([[{ Variable_name: 'binlog_snapshot_file', Value: 'bin.000001' }, { Variable_name: 'binlog_snapshot_position', Value: '400' }]]);
        if (sql.startsWith('SELECT BINLOG_GTID_POS')) return Promise.resolve([[{ gtids: '0-3-10' }]]);
        if (sql.includes('information_schema.COLUMNS')) {
          return Promise.resolve([
            [
              ['id', 'int', 'int(11)', 'NO', 10, 0, null, '', 1],
              ['name', 'varchar', 'varchar(10)', 'YES', null, null, null, '', null],
            ],
          ]);
        }
        return Promise.resolve([[]]);
      },
      // The callback connection underneath: the snapshot reads its pages' rows from its queries' 'result' events, as
      // arrays in the SELECT's column order when the query asks for rowsAsArray (as mysql2 gives them), and pauses it.
      connection: {
        query: (query: { sql: string; values: unknown[]; rowsAsArray?: boolean }) => {
          const { sql, values: params } = query;
          driver.pageQueries.push({ sql, params });
          const after = typeof params[0] === 'number' ? params[0] : -Infinity;
          const limit = Number(/LIMIT (\d+)/.exec(sql)?.[1]);
          const selected = [...(/^SELECT (.*?) FROM /.exec(sql)?.[1] ?? '').matchAll(/`([^`]*)`/g)].map((match) => match[1] ?? '');
          const rows = driver.rows
            .filter((candidate) => Number(candidate.id) > after)
            .slice(0, limit)
            .map((row) => (query.rowsAsArray === true ? selected.map((name) => row[name]) : { ...row }));
          return emitRows(socket, rows, driver.failAfter);
        },
        pause: () => {
          socket.paused = true;
        },
        resume: () => {
          socket.paused = false;
          socket.pump?.();
        },
      },
    };
    return Promise.resolve(connection);
  };
  return { default: { createConnection }, createConnection };
});

interface FakeSocket {
  paused: boolean;
  pump?: () => void;
}

/**
 * A query as mysql2's: an EventEmitter of 'result' per row, then 'end' (or 'error' after `failAfter` rows), the rows
 * coming in a later turn and held while the connection is paused (mysql2 hands the held ones on synchronously in
 * resume()).
 */
function emitRows(socket: FakeSocket, rows: unknown[], failAfter: number | undefined): EventEmitter {
  const query = new EventEmitter();
  let next = 0;
  let done = false;
  const pump = (): void => {
    while (!done && !socket.paused) {
      if (failAfter !== undefined && next === failAfter) {
        done = true;
        query.emit('error', new Error('Lost connection to MySQL server during query'));
      } else if (next === rows.length) {
        done = true;
        query.emit('end');
      } else {
        query.emit('result', rows[next++]);
      }
    }
  };
  socket.pump = pump;
  setImmediate(pump);
  return query;
}

describe('takeBinlogSnapshot', () => {
  it('hands each keyset page on in slices, every row once and in key order, the next page starting after the last key', async () => {
    driver.rows = Array.from({ length: 23 }, (_, index) => ({ id: index + 1, name: `n${index + 1}` }));
    driver.pageQueries = [];
    driver.failAfter = undefined;
    const snapshot = await takeBinlogSnapshot({
      connection: { host: 'db', port: 3306, user: 'u', password: 'p', database: 'shop' },
      topicPrefix: 'lab',
      tables: [{ catalog: 'shop', table: 'items' }],
      zone: resolveZone('UTC'),
      chunkRows: 10,
      recordsPerSlice: 4,
    });
    const slices: ChangeRecord[][] = [];
    for await (const records of snapshot.records()) slices.push(records);
    await snapshot.close();
    expect(slices.map((records) => records.length)).toEqual([4, 4, 2, 4, 4, 2, 3]);
    const records = slices.flat();
    expect(records.map((record) => record.after?.id)).toEqual(driver.rows.map((row) => row.id));
    expect(records.map((record) => record.key)).toEqual(driver.rows.map((row) => ({ id: row.id })));
    expect(records.every((record) => record.op === 'r' && record.after?.name === `n${String(record.after?.id)}`)).toBe(true);
    // One checkpoint shared by every record: the snapshot's position.
    expect(new Set(records.map((record) => record.position)).size).toBe(1);
    expect(records[0]?.position).toEqual({ file: 'bin.000001', pos: 400, row: 0, gtids: '0-3-10', server_id: 3, snapshot: true });
    expect(driver.pageQueries.map((query) => query.params)).toEqual([[], [10], [20]]);
  });

  it('fails the snapshot when the driver row stream fails mid-page, after the slices read before it', async () => {
    driver.rows = Array.from({ length: 23 }, (_, index) => ({ id: index + 1, name: `n${index + 1}` }));
    driver.pageQueries = [];
    driver.failAfter = 6;
    const snapshot = await takeBinlogSnapshot({
      connection: { host: 'db', port: 3306, user: 'u', password: 'p', database: 'shop' },
      topicPrefix: 'lab',
      tables: [{ catalog: 'shop', table: 'items' }],
      zone: resolveZone('UTC'),
      chunkRows: 10,
      recordsPerSlice: 4,
    });
    const seen: number[] = [];
    await expect(
      (async () => {
        for await (const records of snapshot.records()) seen.push(records.length);
      })(),
    ).rejects.toThrow(/Lost connection/);
    await snapshot.close();
    expect(seen).toEqual([4]);
  });
});
