/**
 * The anchor bench:pipeline compares Ferry with: what a user runs instead of Ferry for log-based capture — Kafka
 * Connect standalone (Maven Central jars) with Debezium's MariaDB connector and Debezium's JDBC sink, on the same lab,
 * the same seeded table and the same streaming load, measured the same way (rows in the target, arrival latency from
 * the target's clock, the JVM's CPU time and peak RSS). Debezium runs with JsonConverter (schemas.enable=true):
 * Confluent's AvroConverter is not on Maven Central (../shared/reference/debezium-anchor.md).
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import type { Connection } from 'mysql2/promise';
import type pg from 'pg';
import { ConnectWorker, ensureConnectRuntime } from '../test/helpers/connectRuntime';
import { arrivalLatency, lastSourceId, processCpuSeconds, processRssBytes, stampArrivals, streamOrders, targetCount, waitForCount } from './pipelineMeasures';

export interface AnchorEndpoints {
  kafkaBootstrap: string;
  mariadb: { host: string; port: number; user: string; password: string; database: string };
  postgres: { host: string; port: number; user: string; password: string; database: string };
}

export interface AnchorResult {
  tool: string;
  snapshot_seconds: number;
  snapshot_rows_per_s: number;
  snapshot_cpu_us_per_row: number;
  streaming: { target_rate_rows_per_s: number; achieved_rate_rows_per_s: number; seconds: number; e2e_latency_ms: { p50: number | null; p99: number | null } };
  target_rows_equal_source: boolean;
  rss_mb_max: number;
}

function workerPid(dir: string): number | undefined {
  try {
    const out = execFileSync('pgrep', ['-f', join(dir, 'worker.properties')], { encoding: 'utf8' });
    const pid = Number(out.trim().split('\n')[0]);
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

export async function runDebeziumAnchor(options: {
  endpoints: AnchorEndpoints;
  mariadb: Connection;
  postgres: pg.Client;
  sourceTable: string;
  rows: number;
  rate: number;
  streamSeconds: number;
  dir: string;
  say: (text: string) => void;
}): Promise<AnchorResult> {
  const { endpoints, mariadb, postgres, sourceTable, rows, rate, streamSeconds, dir, say } = options;
  const runtime = await ensureConnectRuntime();
  say('debezium: starting Kafka Connect standalone…');
  const worker = await ConnectWorker.start({ bootstrap: endpoints.kafkaBootstrap, dir, runtime, deadlineMs: 240_000 });
  const pid = workerPid(dir);
  let rssMax = 0;
  const rssTimer = setInterval(() => (rssMax = Math.max(rssMax, pid === undefined ? 0 : processRssBytes(pid))), 250);
  const prefix = `${sourceTable}_dbz`;
  const { database } = endpoints.mariadb;
  try {
    const cpuBefore = pid === undefined ? 0 : processCpuSeconds(pid);
    const started = performance.now();
    await worker.createConnector(`${prefix}-source`, {
      'connector.class': 'io.debezium.connector.mariadb.MariaDbConnector',
      'tasks.max': '1',
      'database.hostname': endpoints.mariadb.host,
      'database.port': String(endpoints.mariadb.port),
      'database.user': endpoints.mariadb.user,
      'database.password': endpoints.mariadb.password,
      'database.server.id': String(280_000 + Math.floor(Math.random() * 10_000)),
      'database.ssl.mode': 'disable',
      'topic.prefix': prefix,
      'database.include.list': database,
      'table.include.list': `${database}\\.${sourceTable}`,
      'time.precision.mode': 'connect',
      // The lab's user has no RELOAD privilege for FLUSH TABLES WITH READ LOCK; nothing writes during the snapshot.
      'snapshot.locking.mode': 'none',
      'include.schema.changes': 'false',
      'schema.history.internal.kafka.bootstrap.servers': endpoints.kafkaBootstrap,
      'schema.history.internal.kafka.topic': `${prefix}.schema-history`,
    });
    await worker.createConnector(`${prefix}-sink`, {
      'connector.class': 'io.debezium.connector.jdbc.JdbcSinkConnector',
      'tasks.max': '1',
      topics: `${prefix}.${database}.${sourceTable}`,
      'connection.url': `jdbc:postgresql://${endpoints.postgres.host}:${endpoints.postgres.port}/${endpoints.postgres.database}?sslmode=disable`,
      'connection.username': endpoints.postgres.user,
      'connection.password': endpoints.postgres.password,
      'insert.mode': 'upsert',
      'primary.key.mode': 'record_key',
      'delete.enabled': 'true',
      'schema.evolution': 'basic',
      'collection.name.format': prefix,
    });
    let lastSaid = 0;
    const copied = await waitForCount(
      async () => {
        await worker.assertNotFailed(`${prefix}-source`);
        await worker.assertNotFailed(`${prefix}-sink`);
        return targetCount(postgres, prefix);
      },
      rows,
      30 * 60_000,
      (count) => {
        if (performance.now() - lastSaid > 5_000) {
          lastSaid = performance.now();
          say(`  debezium t=${((performance.now() - started) / 1000).toFixed(0)} s applied ${count}`);
        }
      },
    );
    const snapshotSeconds = (performance.now() - started) / 1000;
    const snapshotCpu = (pid === undefined ? 0 : processCpuSeconds(pid)) - cpuBefore;
    say(`debezium snapshot: ${copied} rows in ${snapshotSeconds.toFixed(1)} s`);

    await stampArrivals(postgres, prefix);
    const lastSnapshotId = await lastSourceId(mariadb, sourceTable);
    say(`debezium streaming: ${rate} rows/s for ${streamSeconds} s…`);
    const { inserted, achievedRate } = await streamOrders(mariadb, sourceTable, rate, streamSeconds);
    const final = await waitForCount(() => targetCount(postgres, prefix), rows + inserted, 5 * 60_000);
    const latency = await arrivalLatency(postgres, prefix, lastSnapshotId);
    return {
      tool: 'Debezium 3.5.0.Final MariaDbConnector + Debezium JDBC sink in Kafka Connect 4.1.1 standalone (JsonConverter, schemas.enable=true)',
      snapshot_seconds: Number(snapshotSeconds.toFixed(2)),
      snapshot_rows_per_s: Math.round(copied / snapshotSeconds),
      snapshot_cpu_us_per_row: Math.round((snapshotCpu * 1e6) / Math.max(1, copied)),
      streaming: {
        target_rate_rows_per_s: rate,
        achieved_rate_rows_per_s: Math.round(achievedRate),
        seconds: streamSeconds,
        e2e_latency_ms: { p50: latency.p50, p99: latency.p99 },
      },
      target_rows_equal_source: final === rows + inserted,
      rss_mb_max: Math.round(rssMax / 1024 / 1024),
    };
  } finally {
    clearInterval(rssTimer);
    await worker.deleteConnector(`${prefix}-source`);
    await worker.deleteConnector(`${prefix}-sink`);
    await worker.stop();
    await postgres.query(`DROP TABLE IF EXISTS "${prefix}"`).catch(() => undefined);
  }
}
