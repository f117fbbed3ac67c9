/**
 * What bench:pipeline measures the same way for Ferry and for the Debezium anchor: the orders table both copy, a
 * steady insert stream, end-to-end latency taken from the target itself, and a process's CPU time and peak RSS.
 */
import { readdirSync, readFileSync } from 'node:fs';
import type { Connection, RowDataPacket } from 'mysql2/promise';
import type pg from 'pg';

export const ORDER_COLUMNS =
  'customer_id, product_id, sku, quantity, unit_price, discount, total, status, country, note, is_gift, created_at, shipped_at, updated_at';

/** A realistic 15-column orders table (decimals, timestamps, strings), seeded inside MariaDB by its Sequence engine. */
/**
 * Waits (at most a minute) until InnoDB has written most pages a seed left dirty, so that the measured run does not
 * share the machine with the seed's background flushing; returns the seconds waited.
 */
export async function settleAfterSeed(mariadb: Connection, maxSeconds = 60): Promise<number> {
  const started = performance.now();
  for (;;) {
    const [rows] = await mariadb.query<RowDataPacket[]>(`SHOW GLOBAL STATUS LIKE 'Innodb_buffer_pool_pages_dirty'`);
    const dirty = Number(rows[0]?.Value ?? 0);
    const waited = (performance.now() - started) / 1000;
    if (dirty < 200 || waited >= maxSeconds) return Math.round(waited);
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

export async function seedOrders(mariadb: Connection, table: string, rows: number): Promise<void> {
  await mariadb.query(`CREATE TABLE ${table} (
    id BIGINT AUTO_INCREMENT PRIMARY KEY,
    customer_id INT NOT NULL,
    product_id INT NOT NULL,
    sku VARCHAR(32) NOT NULL,
    quantity INT NOT NULL,
    unit_price DECIMAL(10,2) NOT NULL,
    discount DECIMAL(4,3) NULL,
    total DECIMAL(12,2) NOT NULL,
    status VARCHAR(16) NOT NULL,
    country CHAR(2) NOT NULL,
    note VARCHAR(200) NULL,
    is_gift TINYINT(1) NOT NULL DEFAULT 0,
    created_at DATETIME(3) NOT NULL,
    shipped_at DATETIME(3) NULL,
    updated_at DATETIME(3) NOT NULL,
    KEY (updated_at, id)
  )`);
  // The Sequence engine (seq_1_to_N) generates rows inside MariaDB: seeding is not what is measured.
  for (let done = 0; done < rows; done += 100_000) {
    const count = Math.min(100_000, rows - done);
    await mariadb.query(`INSERT INTO ${table} (${ORDER_COLUMNS})
      SELECT 1 + seq % 5000, 1 + seq % 300, CONCAT('SKU-', LPAD(seq % 300, 5, '0')), 1 + seq % 7, 5 + (seq % 9000) / 100, IF(seq % 4 = 0, (seq % 250) / 1000, NULL),
             (1 + seq % 7) * (5 + (seq % 9000) / 100), ELT(1 + seq % 5, 'NEW', 'PAID', 'PACKED', 'SHIPPED', 'DELIVERED'), ELT(1 + seq % 6, 'GB', 'US', 'NL', 'DE', 'NG', 'IN'),
             IF(seq % 10 = 0, CONCAT('note for order ', seq), NULL), seq % 9 = 0, TIMESTAMP('2026-01-01') + INTERVAL seq SECOND,
             IF(seq % 3 = 0, TIMESTAMP('2026-01-02') + INTERVAL seq SECOND, NULL), TIMESTAMP('2026-01-01') + INTERVAL (seq % 86400) SECOND
        FROM seq_1_to_${count}`);
  }
}

/**
 * Inserts `rate` rows a second for `seconds`, in 100 ms ticks, each row stamped with the source's clock in
 * `created_at` (UTC, millisecond precision) so the target can say when it arrived. Returns the rows inserted and the
 * rate achieved.
 */
export async function streamOrders(mariadb: Connection, table: string, rate: number, seconds: number): Promise<{ inserted: number; achievedRate: number }> {
  await mariadb.query(`SET time_zone = '+00:00'`);
  const tickMs = 100;
  const perTick = Math.max(1, Math.round((rate * tickMs) / 1000));
  const started = performance.now();
  let inserted = 0;
  while (performance.now() - started < seconds * 1000) {
    const tickStarted = performance.now();
    const values = Array.from({ length: perTick }, (_, i) => `(${1 + (i % 5000)}, ${1 + (i % 300)}, 'SKU-LIVE', 1, 9.99, NULL, 9.99, 'NEW', 'GB', NULL, 0, NOW(3), NULL, NOW(3))`).join(',');
    await mariadb.query(`INSERT INTO ${table} (${ORDER_COLUMNS}) VALUES ${values}`);
    inserted += perTick;
    const wait = tickMs - (performance.now() - tickStarted);
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
  }
  return { inserted, achievedRate: inserted / ((performance.now() - started) / 1000) };
}

/**
 * After the snapshot, gives the target table an `arrived_at` column whose default is PostgreSQL's clock at the row's
 * insert (clock_timestamp(), not now(): a sink's batch is one transaction). Sinks do not write it, so it records
 * when each streamed row landed, whichever tool wrote it.
 */
export async function stampArrivals(postgres: pg.Client, table: string): Promise<void> {
  await postgres.query(`ALTER TABLE "${table}" ADD COLUMN bench_arrived_at timestamptz DEFAULT clock_timestamp()`);
}

/**
 * End-to-end latency of the rows streamed after the snapshot: target insert time minus the source's `created_at`
 * (both clocks are this machine's). The same measure for both tools, independent of either one's own metrics.
 */
export async function arrivalLatency(postgres: pg.Client, table: string, afterId: number): Promise<{ p50: number | null; p99: number | null; rows: number }> {
  const result = await postgres.query<{ p50: number | null; p99: number | null; n: string }>(
    `SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY ms) AS p50, percentile_cont(0.99) WITHIN GROUP (ORDER BY ms) AS p99, count(*) AS n
       FROM (SELECT 1000 * (extract(epoch FROM bench_arrived_at) - extract(epoch FROM (created_at::timestamp AT TIME ZONE 'UTC'))) AS ms
               FROM "${table}" WHERE id > $1) AS arrivals`,
    [afterId],
  );
  const row = result.rows[0];
  const round = (value: number | null | undefined): number | null => (value === null || value === undefined ? null : Math.round(Number(value)));
  return { p50: round(row?.p50), p99: round(row?.p99), rows: Number(row?.n ?? 0) };
}

export async function targetCount(postgres: pg.Client, table: string): Promise<number> {
  const result = await postgres.query<{ n: string }>(`SELECT count(*) AS n FROM "${table}"`).catch(() => ({ rows: [{ n: '0' }] }));
  return Number(result.rows[0]?.n ?? 0);
}

/** CPU seconds (user + system) another process has used, from /proc; 0 when it is gone. */
export function processCpuSeconds(pid: number): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /s, '').split(' ');
    // After "pid (comm) ": field 3 is state, so utime and stime (fields 14, 15) sit at indexes 11 and 12.
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return 0;
  }
}

/** Busy CPU seconds of the whole machine so far (every core), from /proc/stat. */
export function machineBusySeconds(): number {
  const line = readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '';
  const [user, nice, system, , , irq, softirq, steal] = line.trim().split(/\s+/).slice(1).map(Number);
  return ((user ?? 0) + (nice ?? 0) + (system ?? 0) + (irq ?? 0) + (softirq ?? 0) + (steal ?? 0)) / 100;
}

/** A process's resident set right now, in bytes; 0 when it is gone. */
export function processRssBytes(pid: number): number {
  try {
    const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

/** Polls `read` until it returns at least `wanted` or `timeoutMs` passes; returns the last value read. */
export async function waitForCount(read: () => Promise<number>, wanted: number, timeoutMs: number, onTick?: (count: number) => void): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  let count = await read();
  while (count < wanted && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 250));
    count = await read();
    onTick?.(count);
  }
  return count;
}

/**
 * The highest id in the source before streaming starts: rows above it are the streamed ones. Not the row count:
 * INSERT … SELECT under innodb_autoinc_lock_mode=2 reserves ids in blocks and leaves gaps.
 */
export async function lastSourceId(mariadb: Connection, table: string): Promise<number> {
  const [rows] = await mariadb.query(`SELECT COALESCE(MAX(id), 0) AS last FROM ${table}`);
  return Number((rows as { last: number | string }[])[0]?.last ?? 0);
}

/**
 * CPU seconds of a process and all its descendants alive now (PostgreSQL's backends are processes of their own),
 * plus what its exited, waited-for children used; 0 when it is gone.
 */
export function processTreeCpuSeconds(pid: number): number {
  const children = new Map<number, number[]>();
  let entries: string[] = [];
  try {
    entries = readdirSync('/proc').filter((name) => /^\d+$/.test(name));
  } catch {
    return processCpuSeconds(pid);
  }
  const ticks = new Map<number, number>();
  for (const entry of entries) {
    try {
      const fields = readFileSync(`/proc/${entry}/stat`, 'utf8').replace(/^.*\) /s, '').split(' ');
      const parent = Number(fields[1]);
      const own = Number(fields[11]) + Number(fields[12]) + (Number(entry) === pid ? Number(fields[13]) + Number(fields[14]) : 0);
      ticks.set(Number(entry), own);
      const list = children.get(parent) ?? [];
      list.push(Number(entry));
      children.set(parent, list);
    } catch {
      // gone meanwhile
    }
  }
  let total = 0;
  const stack = [pid];
  while (stack.length > 0) {
    const next = stack.pop() ?? pid;
    total += ticks.get(next) ?? 0;
    stack.push(...(children.get(next) ?? []));
  }
  return total / 100;
}
