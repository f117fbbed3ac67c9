import mysql from 'mysql2/promise';
import pg from 'pg';
import { describe, expect, inject, it } from 'vitest';
import { uniqueName } from '../helpers/names';

const endpoints = inject('labEndpoints');

describe('lab MariaDB', () => {
  const connect = () =>
    mysql.createConnection({
      host: endpoints.mariadb.host,
      port: endpoints.mariadb.port,
      user: endpoints.mariadb.user,
      password: endpoints.mariadb.password,
      database: endpoints.mariadb.database,
    });

  it('creates, writes and reads a table', async () => {
    const connection = await connect();
    const table = uniqueName('lab_orders');
    try {
      await connection.query(`CREATE TABLE \`${table}\` (id INT PRIMARY KEY AUTO_INCREMENT, customer VARCHAR(50) NOT NULL, amount DECIMAL(10,2))`);
      await connection.query(`INSERT INTO \`${table}\` (customer, amount) VALUES (?, ?), (?, ?)`, ['ada', '12.50', 'grace', '99.99']);
      const [rows] = await connection.query(`SELECT id, customer, amount FROM \`${table}\` ORDER BY id`);
      expect(rows).toEqual([
        { id: 1, customer: 'ada', amount: '12.50' },
        { id: 2, customer: 'grace', amount: '99.99' },
      ]);
    } finally {
      await connection.query(`DROP TABLE IF EXISTS \`${table}\``);
      await connection.end();
    }
  });

  it('writes a ROW binlog with full row images that change capture can read', async () => {
    const connection = await connect();
    const table = uniqueName('lab_binlog');
    try {
      const [variables] = await connection.query(
        "SHOW GLOBAL VARIABLES WHERE Variable_name IN ('log_bin', 'binlog_format', 'binlog_row_image', 'server_id')",
      );
      const settings = Object.fromEntries((variables as { Variable_name: string; Value: string }[]).map((row) => [row.Variable_name, row.Value]));
      expect(settings).toMatchObject({ log_bin: 'ON', binlog_format: 'ROW', binlog_row_image: 'FULL' });
      expect(Number(settings.server_id)).toBeGreaterThan(1);

      const position = async (): Promise<{ File: string; Position: number }> => {
        const [rows] = await connection.query('SHOW MASTER STATUS');
        const row = (rows as { File: string; Position: number }[])[0];
        if (!row) throw new Error('SHOW MASTER STATUS returned no row: the binlog is off');
        return row;
      };
      const before = await position();
      expect(before.File).toMatch(/^mariadb-bin\.\d{6}$/);
      await connection.query(`CREATE TABLE \`${table}\` (id INT PRIMARY KEY, note TEXT)`);
      await connection.query(`INSERT INTO \`${table}\` VALUES (1, 'moves the binlog')`);
      const after = await position();
      expect(after.File > before.File || after.Position > before.Position).toBe(true);
    } finally {
      await connection.query(`DROP TABLE IF EXISTS \`${table}\``);
      await connection.end();
    }
  });
});

describe('lab PostgreSQL', () => {
  const connect = async (): Promise<pg.Client> => {
    const client = new pg.Client({
      host: endpoints.postgres.host,
      port: endpoints.postgres.port,
      user: endpoints.postgres.user,
      password: endpoints.postgres.password,
      database: endpoints.postgres.database,
    });
    await client.connect();
    return client;
  };

  it('creates, writes and reads a table', async () => {
    const client = await connect();
    const table = uniqueName('lab_orders');
    try {
      await client.query(`CREATE TABLE "${table}" (id SERIAL PRIMARY KEY, customer TEXT NOT NULL, amount NUMERIC(10,2))`);
      await client.query(`INSERT INTO "${table}" (customer, amount) VALUES ($1, $2), ($3, $4)`, ['ada', '12.50', 'grace', '99.99']);
      const result = await client.query(`SELECT id, customer, amount FROM "${table}" ORDER BY id`);
      expect(result.rows).toEqual([
        { id: 1, customer: 'ada', amount: '12.50' },
        { id: 2, customer: 'grace', amount: '99.99' },
      ]);
    } finally {
      await client.query(`DROP TABLE IF EXISTS "${table}"`);
      await client.end();
    }
  });

  it('runs with wal_level=logical and can create a logical replication slot', async () => {
    const client = await connect();
    const slot = uniqueName('lab_slot').toLowerCase();
    try {
      const wal = await client.query<{ wal_level: string }>('SHOW wal_level');
      expect(wal.rows[0]?.wal_level).toBe('logical');
      const created = await client.query<{ lsn: string }>("SELECT lsn::text FROM pg_create_logical_replication_slot($1, 'test_decoding')", [slot]);
      expect(created.rows[0]?.lsn).toMatch(/^[0-9A-F]+\/[0-9A-F]+$/);
    } finally {
      await client.query('SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name = $1', [slot]);
      await client.end();
    }
  });

  it('refuses a wrong password', async () => {
    const client = new pg.Client({ ...endpoints.postgres, password: `${endpoints.postgres.password}x` });
    await expect(client.connect()).rejects.toThrow(/password authentication failed/);
    await client.end().catch(() => {});
  });
});
