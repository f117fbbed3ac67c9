/**
 * Pipeline benchmark (issue 3): seeds a realistic orders table (15 columns: decimals, timestamps, strings) in the
 * lab's MariaDB, runs MariaDB → Kafka (Avro, embedded registry) → PostgreSQL (upsert) inside this process, and prints
 * one JSON object: snapshot throughput, end-to-end latency at a fixed insert rate, and this process's peak RSS.
 *
 *   npm run bench:pipeline -- --rows 1000000 --json
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import mysql from 'mysql2/promise';
import pg from 'pg';
import { parsePipelineFile, requireValidPipeline } from '../src/engine/config/index';
import { createKafka } from '../src/engine/kafka/index';
import { createLab } from '../src/engine/lab/index';
import { PipelineRunner } from '../src/engine/pipeline/index';
import { startEmbeddedSchemaRegistry } from '../src/engine/schema/index';

const { values } = parseArgs({
  options: {
    rows: { type: 'string', default: '1000000' },
    rate: { type: 'string', default: '2000' },
    'stream-seconds': { type: 'string', default: '20' },
    'poll-interval-ms': { type: 'string', default: '500' },
    'sink-batch': { type: 'string', default: '5000' },
    json: { type: 'boolean', default: false },
  },
});
const rows = Number(values.rows);
const rate = Number(values.rate);
const streamSeconds = Number(values['stream-seconds']);
const pollIntervalMs = Number(values['poll-interval-ms']);
const say = (text: string): void => void (values.json ? undefined : process.stderr.write(`${text}\n`));

let rssMax = 0;
const rssTimer = setInterval(() => (rssMax = Math.max(rssMax, process.memoryUsage().rss)), 250);

const lab = createLab();
const { endpoints } = await lab.up();
const id = Date.now().toString(36);
const table = `bench_orders_${id}`;
const mariadb = await mysql.createConnection({ ...endpoints.mariadb, multipleStatements: true });
const postgres = new pg.Client(endpoints.postgres);
await postgres.connect();
const registry = await startEmbeddedSchemaRegistry();
const dataDir = mkdtempSync(join(tmpdir(), 'ferry-bench-'));

say(`seeding ${rows} rows into MariaDB ${table}…`);
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
const seedStarted = performance.now();
// The Sequence engine (seq_1_to_N) generates rows inside MariaDB: seeding is not what is measured.
for (let done = 0; done < rows; done += 100_000) {
  const count = Math.min(100_000, rows - done);
  await mariadb.query(`INSERT INTO ${table} (customer_id, product_id, sku, quantity, unit_price, discount, total, status, country, note, is_gift, created_at, shipped_at, updated_at)
    SELECT 1 + seq % 5000, 1 + seq % 300, CONCAT('SKU-', LPAD(seq % 300, 5, '0')), 1 + seq % 7, 5 + (seq % 9000) / 100, IF(seq % 4 = 0, (seq % 250) / 1000, NULL),
           (1 + seq % 7) * (5 + (seq % 9000) / 100), ELT(1 + seq % 5, 'NEW', 'PAID', 'PACKED', 'SHIPPED', 'DELIVERED'), ELT(1 + seq % 6, 'GB', 'US', 'NL', 'DE', 'NG', 'IN'),
           IF(seq % 10 = 0, CONCAT('note for order ', seq), NULL), seq % 9 = 0, TIMESTAMP('2026-01-01') + INTERVAL seq SECOND,
           IF(seq % 3 = 0, TIMESTAMP('2026-01-02') + INTERVAL seq SECOND, NULL), TIMESTAMP('2026-01-01') + INTERVAL (seq % 86400) SECOND
      FROM seq_1_to_${count}`);
}
say(`seeded in ${((performance.now() - seedStarted) / 1000).toFixed(1)} s`);

const name = `bench-${id}`;
const topicPrefix = `bench_${id}_`;
const pipelineText = JSON.stringify({
  name,
  kafka: { 'bootstrap.servers': endpoints.kafka.a.bootstrap },
  'schema.registry.url': registry.url,
  connectors: [
    {
      name: `${name}-source`,
      'connector.class': 'MySqlSource',
      'connection.host': endpoints.mariadb.host,
      'connection.port': String(endpoints.mariadb.port),
      'connection.user': endpoints.mariadb.user,
      'connection.password': endpoints.mariadb.password,
      'db.name': endpoints.mariadb.database,
      'ssl.mode': 'prefer',
      mode: 'timestamp+incrementing',
      'timestamp.column.name': 'updated_at',
      'incrementing.column.name': 'id',
      'table.whitelist': table,
      'topic.prefix': topicPrefix,
      'poll.interval.ms': String(pollIntervalMs),
      'batch.max.rows': '5000',
      'output.data.format': 'AVRO',
    },
    {
      name: `${name}-sink`,
      'connector.class': 'PostgresSink',
      topics: `${topicPrefix}${table}`,
      'connection.host': endpoints.postgres.host,
      'connection.port': String(endpoints.postgres.port),
      'connection.user': endpoints.postgres.user,
      'connection.password': endpoints.postgres.password,
      'db.name': endpoints.postgres.database,
      'ssl.mode': 'prefer',
      'input.data.format': 'AVRO',
      'insert.mode': 'UPSERT',
      'pk.mode': 'record_value',
      'pk.fields': 'id',
      'auto.create': 'true',
      'batch.sizes': values['sink-batch'],
      'table.name.format': table,
    },
  ],
});
const runner = new PipelineRunner(requireValidPipeline(parsePipelineFile(pipelineText, 'bench.json'), 'bench.json'), { dataDir });

let result: Record<string, unknown> = {};
try {
  say('snapshot: copying every row through Kafka…');
  const snapshotStarted = performance.now();
  const progress = setInterval(() => {
    const connectors = runner.status().connectors;
    say(`  t=${((performance.now() - snapshotStarted) / 1000).toFixed(1)} s produced ${connectors.reduce((n, c) => n + c.metrics.rowsProduced, 0)} applied ${connectors.reduce((n, c) => n + c.metrics.rowsApplied, 0)}`);
  }, 1000);
  await runner.start();
  await runner.waitUntilIdle({ settleMs: 500 });
  clearInterval(progress);
  const snapshotSeconds = (performance.now() - snapshotStarted) / 1000;
  const copied = Number((await postgres.query<{ n: string }>(`SELECT count(*) AS n FROM "${table}"`)).rows[0]?.n ?? 0);
  say(`snapshot: ${copied} rows in ${snapshotSeconds.toFixed(1)} s`);

  say(`streaming: ${rate} rows/s for ${streamSeconds} s…`);
  // Latencies from here on are the streaming phase's only.
  runner.resetLatencies();
  const tickMs = 100;
  const perTick = Math.max(1, Math.round((rate * tickMs) / 1000));
  const streamStarted = performance.now();
  let inserted = 0;
  while (performance.now() - streamStarted < streamSeconds * 1000) {
    const tickStarted = performance.now();
    const values = Array.from({ length: perTick }, (_, i) => `(${1 + (i % 5000)}, ${1 + (i % 300)}, 'SKU-LIVE', 1, 9.99, NULL, 9.99, 'NEW', 'GB', NULL, 0, NOW(3), NULL, NOW(3))`).join(',');
    await mariadb.query(`INSERT INTO ${table} (customer_id, product_id, sku, quantity, unit_price, discount, total, status, country, note, is_gift, created_at, shipped_at, updated_at) VALUES ${values}`);
    inserted += perTick;
    const wait = tickMs - (performance.now() - tickStarted);
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
  }
  const achievedRate = inserted / ((performance.now() - streamStarted) / 1000);
  await runner.waitUntilIdle({ settleMs: 500 });
  const status = runner.status().connectors.find((connector) => connector.role === 'sink');
  const finalCount = Number((await postgres.query<{ n: string }>(`SELECT count(*) AS n FROM "${table}"`)).rows[0]?.n ?? 0);
  result = {
    benchmark: 'pipeline',
    path: 'MariaDB 10.11 → Kafka 4.1 (Avro, embedded registry) → PostgreSQL 15 (upsert)',
    rows,
    sink_batch_size: Number(values['sink-batch']),
    snapshot_seconds: Number(snapshotSeconds.toFixed(2)),
    snapshot_rows_per_s: Math.round(copied / snapshotSeconds),
    streaming: {
      target_rate_rows_per_s: rate,
      achieved_rate_rows_per_s: Math.round(achievedRate),
      seconds: streamSeconds,
      poll_interval_ms: pollIntervalMs,
      e2e_latency_ms: { p50: status?.metrics.latencyP50Ms ?? null, p99: status?.metrics.latencyP99Ms ?? null },
    },
    target_rows_equal_source: finalCount === rows + inserted,
    rss_mb_max: Math.round(rssMax / 1024 / 1024),
    targets: { snapshot_rows_per_s: 50_000, p99_ms: pollIntervalMs + 250, rss_mb: 400 },
  };
} finally {
  await runner.stop();
  clearInterval(rssTimer);
  await mariadb.query(`DROP TABLE IF EXISTS ${table}`);
  await postgres.query(`DROP TABLE IF EXISTS "${table}"`);
  await mariadb.end();
  await postgres.end();
  await registry.close();
  const admin = createKafka({ bootstrapServers: [endpoints.kafka.a.bootstrap] }).admin();
  await admin.connect();
  await admin.deleteTopics({ topics: [`${topicPrefix}${table}`, `dlq-${name}-sink`] }).catch(() => {});
  await admin.deleteGroups([`connect-${name}-sink`]).catch(() => {});
  await admin.disconnect();
  lab.dispose();
  rmSync(dataDir, { recursive: true, force: true });
}
process.stdout.write(`${JSON.stringify(result)}\n`);
