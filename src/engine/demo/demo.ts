import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parsePipelineFile, requireValidPipeline } from '../config';
import { createKafkaClient } from '../kafka';
import { PipelineRunner, type PipelineStatus } from '../pipeline';
import { startEmbeddedSchemaRegistry } from '../schema';
import type { Lab } from '../lab';
import { startEmbeddedPostgresPair } from './embeddedPostgres';
import { createOrderSchema, type DatabaseAddress, OrderSimulator } from './orderSimulator';
import { CHANGELOG_OP_COLUMN, CHANGELOG_SCHEMA, ORDER_TABLES } from './orderSchema';
import { tableColumns, tableDigest } from './tableChecksum';

export interface DemoOptions {
  /** Orders inserted before the pipeline starts (each with 1–3 lines). */
  rows: number;
  /** How long the simulator keeps inserting and updating while the pipeline runs. */
  simulateSeconds: number;
  onStatus?: (status: PipelineStatus) => void;
  onStep?: (step: string) => void;
}

export interface DemoTableReport {
  table: string;
  targetTable: string;
  sourceRows: number;
  targetRows: number;
  sourceChecksum: string;
  targetChecksum: string;
  equal: boolean;
}

export interface DemoReport {
  equal: boolean;
  seconds: number;
  kafka: string;
  schemaRegistry: string;
  tables: DemoTableReport[];
  simulated: { orders: number; orderLines: number; updates: number; cancellations: number };
  pipeline: PipelineStatus;
}

export const DEMO_TOPIC_PREFIX = 'demo_';

/** The pipeline file a user would write for the demo, with the managed connector names Confluent Cloud uses. */
export function demoPipelineText(name: string, kafka: string, registry: string, source: DatabaseAddress, target: DatabaseAddress, topicPrefix = DEMO_TOPIC_PREFIX): string {
  const topics = ORDER_TABLES.map((table) => `${topicPrefix}${table}`);
  return JSON.stringify(
    {
      name,
      kafka: { 'bootstrap.servers': kafka },
      'schema.registry.url': registry,
      connectors: [
        {
          name: `${name}-source`,
          'connector.class': 'PostgresSource',
          'connection.host': source.host,
          'connection.port': String(source.port),
          'connection.user': source.user,
          'connection.password': 'demo',
          'db.name': source.database,
          'ssl.mode': 'prefer',
          mode: 'timestamp+incrementing',
          'timestamp.column.name': 'updated_at',
          'incrementing.column.name': 'id',
          // The trigger-written change log (orderSchema.ts): PGlite serves no logical replication, and polling the
          // tables themselves would never see a cancelled (deleted) order.
          'schema.pattern': CHANGELOG_SCHEMA,
          'table.whitelist': ORDER_TABLES.map((table) => `${CHANGELOG_SCHEMA}.${table}`).join(','),
          'ferry.changelog.op.column': CHANGELOG_OP_COLUMN,
          'topic.prefix': topicPrefix,
          'poll.interval.ms': '500',
          'output.data.format': 'AVRO',
        },
        {
          name: `${name}-sink`,
          'connector.class': 'PostgresSink',
          topics: topics.join(','),
          'connection.host': target.host,
          'connection.port': String(target.port),
          'connection.user': target.user,
          'connection.password': 'demo',
          'db.name': target.database,
          'ssl.mode': 'prefer',
          'input.data.format': 'AVRO',
          'input.key.format': 'AVRO',
          'insert.mode': 'UPSERT',
          // Keyed by id; a tombstone (a cancelled order or line) deletes the row.
          'pk.mode': 'record_key',
          'pk.fields': 'id',
          'delete.enabled': 'true',
          'auto.create': 'true',
          'auto.evolve': 'true',
          'batch.sizes': '1000',
        },
      ],
    },
    null,
    2,
  );
}

export async function deleteTopics(bootstrap: string, topics: string[]): Promise<void> {
  const admin = createKafkaClient({ bootstrapServers: [bootstrap] }).admin();
  await admin.connect();
  try {
    const existing = new Set(await admin.listTopics());
    const present = topics.filter((topic) => existing.has(topic));
    if (present.length > 0) await admin.deleteTopics(present);
  } finally {
    await admin.disconnect();
  }
}

export async function deleteGroup(bootstrap: string, groupId: string): Promise<void> {
  const admin = createKafkaClient({ bootstrapServers: [bootstrap] }).admin();
  await admin.connect();
  try {
    await admin.deleteGroups([groupId]);
  } finally {
    await admin.disconnect();
  }
}

/**
 * The embedded default: PGlite source with the order simulator → the lab's Kafka "a" → the embedded registry →
 * PGlite target, then a per-table count and checksum comparison. Needs only Node, Java and Maven.
 */
export async function runDemo(lab: Lab, options: DemoOptions): Promise<DemoReport> {
  const started = performance.now();
  const step = options.onStep ?? (() => {});
  step('starting the local Kafka (lab cluster a)…');
  const labStatus = await lab.up({ services: ['kafka-a'] });
  const bootstrap = labStatus.endpoints.kafka.a.bootstrap;
  const topics = ORDER_TABLES.map((table) => `${DEMO_TOPIC_PREFIX}${table}`);
  await deleteTopics(bootstrap, topics);

  step('starting the embedded Schema Registry and the two PGlite databases…');
  const dataDir = mkdtempSync(join(tmpdir(), 'ferry-demo-'));
  const [registry, [source, target]] = await Promise.all([startEmbeddedSchemaRegistry(), startEmbeddedPostgresPair()]);
  const simulator = new OrderSimulator(source, { ordersPerTick: 5, tickMs: 250 });
  let runner: PipelineRunner | undefined;
  try {
    await createOrderSchema(source);
    step(`inserting ${options.rows} orders into the source…`);
    await simulator.insertOrders(options.rows, (inserted, total) => step(`inserting ${total} orders into the source… ${inserted}/${total}`));

    const name = `demo-${Date.now().toString(36)}`;
    const parsed = parsePipelineFile(demoPipelineText(name, bootstrap, registry.url, source, target), 'demo.json');
    runner = new PipelineRunner(requireValidPipeline(parsed, 'demo.json'), { dataDir });
    if (options.onStatus) runner.onDidChangeStatus(options.onStatus);
    step('running the pipeline…');
    await runner.start();
    if (options.simulateSeconds > 0) {
      step(`simulating orders for ${options.simulateSeconds} s while the pipeline runs…`);
      await simulator.start();
      await new Promise((resolve) => setTimeout(resolve, options.simulateSeconds * 1000));
      await simulator.stop();
    }
    step('waiting until every change is applied…');
    await runner.waitUntilIdle({ settleMs: 2000 });
    const pipeline = runner.status();

    step('comparing source and target…');
    const tables: DemoTableReport[] = [];
    for (const table of ORDER_TABLES) {
      const targetTable = `${DEMO_TOPIC_PREFIX}${table}`;
      const targetColumns = new Set(await tableColumns(target, targetTable));
      const shared = (await tableColumns(source, table)).filter((column) => targetColumns.has(column));
      const [a, b] = await Promise.all([tableDigest(source, table, shared), tableDigest(target, targetTable, shared)]);
      tables.push({ table, targetTable, sourceRows: a.rows, targetRows: b.rows, sourceChecksum: a.checksum, targetChecksum: b.checksum, equal: a.rows === b.rows && a.checksum === b.checksum });
    }
    return {
      equal: tables.every((table) => table.equal),
      seconds: (performance.now() - started) / 1000,
      kafka: bootstrap,
      schemaRegistry: registry.url,
      tables,
      simulated: { orders: simulator.counts.orders, orderLines: simulator.counts.orderLines, updates: simulator.counts.updates, cancellations: simulator.counts.cancellations },
      pipeline,
    };
  } finally {
    await simulator.stop().catch(() => {});
    await runner?.stop().catch(() => {});
    // The managed sink's default dead letter topic and the sink's consumer group go too: a demo leaves nothing behind.
    await deleteTopics(bootstrap, runner ? [...topics, `dlq-${runner.pipeline.name}-sink`] : topics).catch(() => {});
    if (runner) await deleteGroup(bootstrap, `connect-${runner.pipeline.name}-sink`).catch(() => {});
    await Promise.all([source.close(), target.close(), registry.close()]).catch(() => {});
    rmSync(dataDir, { recursive: true, force: true });
  }
}
