import { connect as connectTcp, createServer, type Server, type Socket } from 'node:net';
import { describe, expect, it } from 'vitest';
import { openSqlSession } from '../../src/engine/db';
import type { FieldSchema, RecordSchema, Row, SinkRecord } from '../../src/engine/model';
import { createDialect, type SqlDialect } from '../../src/engine/sinks/sql/dialects';
import { STAGED_MIN_ROWS } from '../../src/engine/sinks/sql/dialects/postgresStaging';
import { SqlSinkWriter } from '../../src/engine/sinks/sql/sinkWriter';
import { useSinkStagingDb } from '../helpers/sinkStagingDb';
import { until } from '../helpers/until';

// A staged batch's COPY FROM STDIN that breaks the connection to a real PostgreSQL, three ways: the server meets a
// protocol violation in the COPY stream (it answers ERROR 08P01, then FATAL 08P01 "protocol synchronization was lost"
// and closes), the socket closes mid-COPY, or the backend is terminated (pg_terminate_backend) while it waits for
// the COPY's data. The sink must reconnect (never retry on the dead session) and apply the batch exactly once: insert
// mode into a table with a primary key, so a second application would fail on the key and a lost one shows in the
// count.

const { endpoint, topicBase, admin, tables } = useSinkStagingDb('sink_copy_broken');

type CopyFault = 'protocol violation' | 'socket closed' | 'hold';

const COPY_DATA = 0x64; // 'd'
const QUERY = 0x51; // 'Q'

/**
 * A TCP forwarder to the lab's PostgreSQL that reads the frontend's protocol messages and, at the first CopyData of
 * the first connection, breaks that COPY once: `protocol violation` sends a Query message ahead of it (not allowed
 * during COPY FROM STDIN), `socket closed` destroys both sockets, `hold` keeps the COPY's bytes back until the test
 * drops them (it terminates the backend meanwhile). Every later connection is passed through untouched.
 */
class CopyBreakingProxy {
  private readonly server: Server;
  private readonly sockets = new Set<Socket>();
  private broken = false;
  private connections = 0;
  private reachedCopy!: () => void;
  /** Resolves when the first CopyData reached the proxy (and was broken as asked). */
  readonly copyReached = new Promise<void>((resolve) => {
    this.reachedCopy = resolve;
  });
  port = 0;

  constructor(private readonly fault: CopyFault) {
    this.server = createServer((client) => this.forward(client, ++this.connections === 1));
  }

  get connectionCount(): number {
    return this.connections;
  }

  private forward(client: Socket, breakThisOne: boolean): void {
    const upstream = connectTcp(endpoint.port, endpoint.host);
    for (const socket of [client, upstream]) {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
      socket.on('error', () => socket.destroy());
    }
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
    upstream.pipe(client);
    if (!breakThisOne) {
      client.pipe(upstream);
      return;
    }
    let pending = Buffer.alloc(0);
    let startupSeen = false;
    let holding = false;
    client.on('data', (chunk: Buffer) => {
      if (holding) return;
      pending = Buffer.concat([pending, chunk]);
      const out: Buffer[] = [];
      for (;;) {
        // The startup message has no type byte; every later frontend message is a type byte and an int32 length.
        const headerBytes = startupSeen ? 1 : 0;
        if (pending.length < headerBytes + 4) break;
        const length = headerBytes + pending.readInt32BE(headerBytes);
        if (pending.length < length) break;
        const message = pending.subarray(0, length);
        pending = pending.subarray(length);
        startupSeen = true;
        if (headerBytes === 1 && message[0] === COPY_DATA && !this.broken) {
          this.broken = true;
          if (this.fault === 'socket closed') {
            client.destroy();
            upstream.destroy();
            this.reachedCopy();
            return;
          }
          if (this.fault === 'hold') {
            if (out.length > 0) upstream.write(Buffer.concat(out));
            holding = true;
            this.reachedCopy();
            return;
          }
          const text = Buffer.from('SELECT 1\0');
          const header = Buffer.alloc(5);
          header[0] = QUERY;
          header.writeInt32BE(4 + text.length, 1);
          out.push(header, text);
          this.reachedCopy();
        }
        out.push(message);
      }
      if (out.length > 0) upstream.write(Buffer.concat(out));
    });
  }

  async listen(): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(0, '127.0.0.1', () => resolve());
    });
    const address = this.server.address();
    if (address === null || typeof address === 'string') throw new Error('proxy has no port');
    this.port = address.port;
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    if (this.server.listening) await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

const ID: FieldSchema = { name: 'id', type: { kind: 'int64' }, optional: false };
const NOTE: FieldSchema = { name: 'note', type: { kind: 'string' }, optional: true };
const ROWS = STAGED_MIN_ROWS + 10;

function records(topic: string): SinkRecord[] {
  const keySchema: RecordSchema = { name: `${topic}.Key`, fields: [ID] };
  const valueSchema: RecordSchema = { name: `${topic}.Value`, fields: [ID, NOTE] };
  return Array.from({ length: ROWS }, (_, index): SinkRecord => {
    const row: Row = { id: BigInt(index + 1), note: `row\t${index}` };
    return { topic, partition: 0, offset: String(index), timestampMs: 0, keySchema, key: { id: row.id ?? null }, valueSchema, value: row, headers: {} };
  });
}

function writer(proxy: CopyBreakingProxy, dialect: SqlDialect, applicationName: string, maxRetries: number): SqlSinkWriter {
  return new SqlSinkWriter({
    connectorName: topicBase,
    dialect,
    openSession: () => openSqlSession({ dialect: 'postgres', ...endpoint, port: proxy.port, ssl: false }, { applicationName }),
    target: 'PostgreSQL',
    insertMode: 'insert',
    pkMode: 'record_key',
    pkFields: [],
    fieldsWhitelist: [],
    autoCreate: true,
    autoEvolve: false,
    deleteEnabled: false,
    tableNameFormat: '${topic}',
    values: { timezone: 'UTC' },
    maxRetries,
    retryBackoffMs: 100,
  });
}

async function expectEveryRowOnce(table: string): Promise<void> {
  const counts = (await admin.query(`SELECT count(*)::int AS n, count(DISTINCT id)::int AS ids, min(id)::int AS first, max(id)::int AS last, count(*) FILTER (WHERE note = E'row\\t' || (id - 1))::int AS exact FROM "${table}"`))
    .rows[0] as Record<string, number>;
  expect(counts).toEqual({ n: ROWS, ids: ROWS, first: 1, last: ROWS, exact: ROWS });
}

/**
 * Writes the batch into a table of its own through a proxy that breaks the first COPY with `fault`, and checks that
 * the write failed no record, used exactly two connections (the broken one and one reconnect), left staging `staging`
 * (disabling it now answers whether it was still on) and applied every row once. `whileHeld` runs once the COPY reached
 * the proxy, before the write is awaited, with the sink session's application_name.
 */
async function writeThroughBrokenCopy(
  name: string,
  fault: CopyFault,
  maxRetries: number,
  staging: 'stopped' | 'still on',
  whileHeld?: (applicationName: string) => Promise<void>,
): Promise<void> {
  const topic = `${topicBase}_${name}`;
  tables.push(topic);
  const proxy = new CopyBreakingProxy(fault);
  await proxy.listen();
  const dialect = createDialect('postgres');
  const sink = writer(proxy, dialect, topic, maxRetries);
  try {
    const written = sink.write(records(topic), { tolerateRecordErrors: false });
    if (whileHeld) {
      await proxy.copyReached;
      await whileHeld(topic);
    }
    expect(await written).toEqual([]);
    await proxy.copyReached;
    expect(proxy.connectionCount).toBe(2);
    expect(dialect.disableStaging?.()).toBe(staging === 'still on');
  } finally {
    await sink.close();
    await proxy.close();
  }
  await expectEveryRowOnce(topic);
}

describe('PostgreSQL sink, a COPY that breaks the connection', () => {
  it('08P01 from the server (the connection ends): reconnects at once, without spending a retry on the dead session, and loads the batch once with unnest', async () => {
    // No retry to spare (0): an attempt wasted on the dead session fails the write. The server refused the COPY
    // stream: the writer stopped staging (the same rows went in the unnest form).
    await writeThroughBrokenCopy('violation', 'protocol violation', 0, 'stopped');
  });

  it('the socket closed mid-COPY: reconnects and applies the batch once, still staging', async () => {
    // A lost connection says nothing about COPY: staging is still on (disabling it now is its first time).
    await writeThroughBrokenCopy('closed', 'socket closed', 1, 'still on');
  });

  it('the backend terminated (pg_terminate_backend) while it waits for the COPY data: reconnects and applies the batch once, still staging', async () => {
    await writeThroughBrokenCopy('terminated', 'hold', 1, 'still on', async (applicationName) => {
      let pid: number | undefined;
      await until(async () => {
        const row = (await admin.query(`SELECT pid FROM pg_stat_activity WHERE application_name = $1 AND query LIKE 'COPY %'`, [applicationName])).rows[0] as { pid: number } | undefined;
        pid = row?.pid;
        return pid !== undefined;
      }, 'the sink backend in COPY');
      await admin.query('SELECT pg_terminate_backend($1)', [pid]);
    });
  });
});
