import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Admin } from 'kafkajs';
import { type LogLevel, setLogSink, stderrSink } from '../../src/engine/base/logger';
import { parsePipelineFile, requireValidPipeline } from '../../src/engine/config';
import { createKafka } from '../../src/engine/kafka';
import { PipelineRunner, type PipelineStatus } from '../../src/engine/pipeline';
import type { DatabaseEndpoint, LabEndpoints } from '../../src/shared/api';
import type { DbKind } from './pipelineDb';

// Pipeline files as users write them, runners with their own checkpoint directory, and the Kafka clean-up every
// pipeline test needs (its topics, its sinks' consumer groups, managed sinks' default dead letter topics).

// FERRY_TEST_LOG=debug|info|warn shows the engine's log while a pipeline test runs (silent by default).
const testLog = process.env.FERRY_TEST_LOG;
if (testLog === 'debug' || testLog === 'info' || testLog === 'warn' || testLog === 'error') setLogSink(stderrSink, testLog satisfies LogLevel);

export type ConnectorConfig = Record<string, string | string[]>;

export interface PipelineDocument {
  name: string;
  kafka: Record<string, string>;
  'schema.registry.url': string;
  connectors: (ConnectorConfig | { name: string; config: ConnectorConfig })[];
}

export function pipelineDocument(name: string, bootstrap: string, registryUrl: string, connectors: PipelineDocument['connectors']): PipelineDocument {
  return { name, kafka: { 'bootstrap.servers': bootstrap }, 'schema.registry.url': registryUrl, connectors };
}

/**
 * The small pipeline several tests drive: a managed MySqlSource (timestamp+incrementing on updated_at/id) on the lab's
 * MariaDB table `table`, topic `<name>_<table>`, and a PostgresSink upserting by `id` into a table of the same name.
 * `source` and `sink` add or override keys.
 */
export function mariadbToPostgresDocument(
  name: string,
  table: string,
  endpoints: LabEndpoints,
  registryUrl: string,
  overrides: { source?: ConnectorConfig; sink?: ConnectorConfig } = {},
): PipelineDocument {
  return pipelineDocument(name, endpoints.kafka.a.bootstrap, registryUrl, [
    {
      name: `${name}-source`,
      'connector.class': 'MySqlSource',
      ...managedConnection(endpoints.mariadb),
      mode: 'timestamp+incrementing',
      'timestamp.column.name': 'updated_at',
      'incrementing.column.name': 'id',
      'table.whitelist': table,
      'topic.prefix': `${name}_`,
      'poll.interval.ms': '200',
      ...overrides.source,
    },
    {
      name: `${name}-sink`,
      'connector.class': 'PostgresSink',
      ...managedConnection(endpoints.postgres),
      topics: `${name}_${table}`,
      'table.name.format': table,
      'insert.mode': 'UPSERT',
      'pk.mode': 'record_value',
      'pk.fields': 'id',
      ...overrides.sink,
    },
  ]);
}

/** The managed (Confluent Cloud) connection keys: connection.host/port/user/password, db.name, ssl.mode prefer. */
export function managedConnection(endpoint: DatabaseEndpoint): ConnectorConfig {
  return {
    'connection.host': endpoint.host,
    'connection.port': String(endpoint.port),
    'connection.user': endpoint.user,
    'connection.password': endpoint.password,
    'db.name': endpoint.database,
    'ssl.mode': 'prefer',
  };
}

/** The self-managed key: a JDBC URL (credentials as separate keys, as Connect users write them). */
export function jdbcConnection(kind: DbKind, endpoint: DatabaseEndpoint): ConnectorConfig {
  const url = kind === 'mariadb' ? `jdbc:mariadb://${endpoint.host}:${endpoint.port}/${endpoint.database}` : `jdbc:postgresql://${endpoint.host}:${endpoint.port}/${endpoint.database}?sslmode=disable`;
  return { 'connection.url': url, 'connection.user': endpoint.user, 'connection.password': endpoint.password };
}

export const MANAGED_SOURCE: Record<DbKind, string> = { mariadb: 'MySqlSource', postgres: 'PostgresSource' };
export const MANAGED_SINK: Record<DbKind, string> = { mariadb: 'MySqlSink', postgres: 'PostgresSink' };

export type SourceMode = 'bulk' | 'incrementing' | 'timestamp' | 'timestamp+incrementing';

/** Mode-specific source keys for the typed table (id increments, updated_at is the timestamp). */
export function modeKeys(mode: SourceMode): ConnectorConfig {
  const keys: ConnectorConfig = { mode };
  if (mode === 'incrementing' || mode === 'timestamp+incrementing') keys['incrementing.column.name'] = 'id';
  if (mode === 'timestamp' || mode === 'timestamp+incrementing') keys['timestamp.column.name'] = ['updated_at'];
  return keys;
}

/** Parses and validates like `ferry run` does; errors fail the test with every problem listed. */
export function resolvePipeline(document: PipelineDocument): ReturnType<typeof requireValidPipeline> {
  const fileName = `${document.name}.json`;
  const parsed = parsePipelineFile(JSON.stringify(document, null, 2), fileName);
  return requireValidPipeline(parsed, fileName);
}

/** Problems (errors and warnings) ferry validate would print for a document. */
export function pipelineProblems(document: PipelineDocument): { severity: string; path: string; message: string }[] {
  return parsePipelineFile(JSON.stringify(document, null, 2), `${document.name}.json`).problems.map((p) => ({ severity: p.severity, path: p.path, message: p.message }));
}

/** A scratch directory for checkpoints (FERRY_DATA_DIR-like) or files; removed by `cleanup`. */
export class Scratch {
  private readonly dirs: string[] = [];

  dir(prefix = 'ferry-pipeline-'): string {
    const dir = mkdtempSync(join(tmpdir(), prefix));
    this.dirs.push(dir);
    return dir;
  }

  cleanup(): void {
    for (const dir of this.dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  }
}

/** Starts a runner over a document with its own checkpoint directory; the caller stops it. */
export async function startPipeline(document: PipelineDocument, dataDir: string): Promise<PipelineRunner> {
  const runner = new PipelineRunner(resolvePipeline(document), { dataDir });
  await runner.start();
  return runner;
}

/**
 * `waitUntilIdle` with a deadline, so a pipeline that never settles fails with its status instead of a bare test
 * timeout. The deadline is a safety net, not a performance assertion.
 */
export async function waitForIdle(runner: PipelineRunner, settleMs: number, deadlineMs = 45_000): Promise<void> {
  const signal = AbortSignal.timeout(deadlineMs);
  await runner.waitUntilIdle({ settleMs, signal });
  if (signal.aborted) throw new Error(`pipeline not idle after ${deadlineMs} ms: ${describeStatus(runner.status())}`);
}

/** Records every distinct pipeline state and connector state seen, for "went DEGRADED, then RUNNING again" checks. */
export function recordStates(runner: PipelineRunner): { seen: PipelineStatus[]; dispose(): void } {
  const seen: PipelineStatus[] = [];
  const subscription = runner.onDidChangeStatus((status) => seen.push(status));
  return { seen, dispose: () => subscription.dispose() };
}

/** Kafka admin for one bootstrap address, with the clean-ups the tests need. */
export class KafkaScratch {
  private admin: Admin | undefined;
  private readonly topics = new Set<string>();
  private readonly groups = new Set<string>();

  constructor(readonly bootstrap: string) {}

  async connect(): Promise<Admin> {
    if (!this.admin) {
      const admin = createKafka({ bootstrapServers: [this.bootstrap] }).admin();
      await admin.connect();
      this.admin = admin;
    }
    return this.admin;
  }

  /** Registers topics and consumer groups to delete at clean-up (names only; nothing is created here). */
  track(options: { topics?: readonly string[]; groups?: readonly string[] }): void {
    for (const topic of options.topics ?? []) this.topics.add(topic);
    for (const group of options.groups ?? []) this.groups.add(group);
  }

  async createTopic(topic: string, partitions = 1): Promise<void> {
    const admin = await this.connect();
    this.topics.add(topic);
    await admin.createTopics({ topics: [{ topic, numPartitions: partitions, replicationFactor: 1 }], waitForLeaders: true });
  }

  /** Committed offsets of a consumer group on one topic: partition → offset ('-1' when nothing committed). */
  async committed(groupId: string, topic: string): Promise<Map<number, string>> {
    const admin = await this.connect();
    const offsets = await admin.fetchOffsets({ groupId, topics: [topic] });
    return new Map((offsets.find((entry) => entry.topic === topic)?.partitions ?? []).map((p) => [p.partition, p.offset]));
  }

  async cleanup(): Promise<void> {
    const admin = this.admin;
    if (!admin) {
      if (this.topics.size === 0 && this.groups.size === 0) return;
      await this.connect();
      return this.cleanup();
    }
    try {
      const groups = [...this.groups];
      if (groups.length > 0) await admin.deleteGroups(groups).catch(() => {});
      const existing = new Set(await admin.listTopics());
      const topics = [...this.topics].filter((topic) => existing.has(topic));
      if (topics.length > 0) await admin.deleteTopics({ topics }).catch(() => {});
    } finally {
      this.topics.clear();
      this.groups.clear();
      this.admin = undefined;
      await admin.disconnect();
    }
  }
}

/** The consumer group Connect (and Ferry) gives a sink connector. */
export function sinkGroup(connectorName: string): string {
  return `connect-${connectorName}`;
}

/** A one-line summary of a status for assertion messages. */
export function describeStatus(status: PipelineStatus): string {
  return status.connectors
    .map(
      (c) =>
        `${c.name} ${c.state}${c.error ? ` (${c.error.code}: ${c.error.message})` : ''} caughtUp=${c.caughtUp} read=${c.metrics.rowsRead} produced=${c.metrics.rowsProduced} ` +
        `applied=${c.metrics.rowsApplied} lag=${c.metrics.lag} dlq=${c.metrics.deadLettered} errors=${c.metrics.errors}`,
    )
    .join('; ');
}
