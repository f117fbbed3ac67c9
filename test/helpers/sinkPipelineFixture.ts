import { afterAll, beforeAll, inject } from 'vitest';
import type { RecordSchema } from '../../src/engine/model';
import type { PipelineRunner } from '../../src/engine/pipeline';
import { type EmbeddedSchemaRegistry, startEmbeddedSchemaRegistry } from '../../src/engine/schema';
import type { DatabaseEndpoint, LabServiceName } from '../../src/shared/api';
import { uniqueName } from './names';
import { dropTables, openDb, type TestDb } from './pipelineDb';
import { type ConnectorConfig, KafkaScratch, MANAGED_SINK, managedConnection, type PipelineDocument, pipelineDocument, Scratch, sinkGroup, startPipeline } from './pipelineHarness';
import type { OutgoingRecord } from './pipelineKafka';
import { type PrivateLab, startPrivateLab } from './privateLab';
import { TcpProxy } from './tcpProxy';

// What the pipelined-sink probes (sinkPipeline*.int and faults/sinkPipeline*.int) set up alike: an embedded schema
// registry, the Kafka the sinks read (the lab's, or a private lab's broker for broker faults), the lab's PostgreSQL as
// the target, and clean-up of every runner, proxy, table, topic and group a test made. Register it once per file, at
// the top level: its beforeAll/afterAll are the file's.

/** The record most probes write: an id and a quantity. */
export const ITEM: RecordSchema = {
  name: 'shop.Item',
  fields: [
    { name: 'id', type: { kind: 'int64' }, optional: false },
    { name: 'qty', type: { kind: 'int32' }, optional: false },
  ],
};

/** Ids first..first+count-1, each with qty = id (unkeyed ITEM records). */
export function items(first: number, count: number): OutgoingRecord[] {
  return Array.from({ length: count }, (_, index) => ({ value: { schema: ITEM, row: { id: BigInt(first + index), qty: first + index } } }));
}

/** first..first+count-1. */
export function range(first: number, count: number): number[] {
  return Array.from({ length: count }, (_, index) => first + index);
}

/** The key schema of keyed probes (upserts and tombstones by id). */
export const ITEM_KEY: RecordSchema = { name: 'shop.ItemKey', fields: [{ name: 'id', type: { kind: 'int64' }, optional: false }] };

/** A PostgresSink on `topic` (Avro values) into the existing table of the same name; `extra` adds or overrides keys. */
export function postgresSink(topic: string, sinkName: string, endpoint: DatabaseEndpoint, extra: ConnectorConfig = {}): ConnectorConfig {
  return { name: sinkName, 'connector.class': MANAGED_SINK.postgres, ...managedConnection(endpoint), topics: [topic], 'input.data.format': 'AVRO', 'auto.create': 'false', ...extra };
}

/**
 * INSERT without a key (a chunk applied twice shows as duplicate ids, a lost one as missing ids) in 50-record chunks,
 * so one fetch holds many, and no retries inside the plug-in: the task's own retry is what the probes exercise.
 */
export const INSERT_IN_CHUNKS_OF_50: ConnectorConfig = { 'insert.mode': 'INSERT', 'pk.mode': 'none', 'batch.size': '50', 'max.retries': '0' };

export interface SinkPipelineFixtureOptions {
  /** A private lab with these services (a fault that would disturb other tests on the shared lab); its broker, when it has one, is the Kafka the sinks read. */
  privateLab?: { services: LabServiceName[]; label: string };
  /** Opens the lab's PostgreSQL as `postgres` (the target) and drops `tables` from it at the end; default true. */
  labPostgres?: boolean;
}

export interface SinkPipelineTopic {
  topic: string;
  /** The sink connector's name: `<topic>-sink`. */
  sinkName: string;
  /** The dead letter topic a test may name: `dlq-<sinkName>`. */
  dlq: string;
}

export class SinkPipelineFixture {
  private registryValue: EmbeddedSchemaRegistry | undefined;
  private postgresValue: TestDb | undefined;
  private kafkaValue: KafkaScratch | undefined;
  private labValue: PrivateLab | undefined;
  readonly scratch = new Scratch();
  /** Tables in the lab's PostgreSQL, dropped at the end. */
  readonly tables: string[] = [];
  /** Runners stopped at the end (each test pushes the ones it starts, or uses `start`). */
  readonly runners: PipelineRunner[] = [];
  /** Proxies closed at the end (see `proxyToPostgres`). */
  readonly proxies: TcpProxy[] = [];
  private readonly closers: (() => Promise<void>)[] = [];

  constructor(private readonly options: SinkPipelineFixtureOptions) {}

  private static required<T>(value: T | undefined, what: string): T {
    if (value === undefined) throw new Error(`sink pipeline fixture: ${what} is set up in beforeAll`);
    return value;
  }

  get registry(): EmbeddedSchemaRegistry {
    return SinkPipelineFixture.required(this.registryValue, 'the schema registry');
  }

  /** The lab's PostgreSQL (the probes' target). */
  get postgres(): TestDb {
    return SinkPipelineFixture.required(this.postgresValue, 'the lab PostgreSQL');
  }

  get kafka(): KafkaScratch {
    return SinkPipelineFixture.required(this.kafkaValue, 'Kafka');
  }

  /** The Kafka the sinks read: the private lab's broker when the fixture has one, else the lab's. */
  get bootstrap(): string {
    return this.kafka.bootstrap;
  }

  get lab(): PrivateLab {
    return SinkPipelineFixture.required(this.labValue, 'the private lab');
  }

  /** Runs `close` at the end, after the runners stopped (a connection a test opened itself). */
  closeAtEnd(close: () => Promise<void>): void {
    this.closers.push(close);
  }

  /**
   * A topic of its own (one partition) with its sink's name; its dead letter topic and consumer group are deleted at
   * the end. With `ddl`, the target table of the same name is created in the lab's PostgreSQL (and dropped at the end).
   */
  async newTopic(label: string, ddl?: (table: string) => string): Promise<SinkPipelineTopic> {
    const topic = uniqueName(label).toLowerCase();
    const sinkName = `${topic}-sink`;
    const dlq = `dlq-${sinkName}`;
    this.kafka.track({ topics: [dlq], groups: [sinkGroup(sinkName)] });
    await this.kafka.createTopic(topic);
    if (ddl) {
      this.tables.push(topic);
      await this.postgres.exec(ddl(topic));
    }
    return { topic, sinkName, dlq };
  }

  /** Starts a pipeline of `connectors` reading this fixture's Kafka; `kafka` adds keys to the pipeline's kafka block. */
  start(name: string, connectors: PipelineDocument['connectors'], kafka: Record<string, string> = {}): Promise<PipelineRunner> {
    const document = pipelineDocument(name, this.bootstrap, this.registry.url, connectors);
    Object.assign(document.kafka, kafka);
    return startPipeline(document, this.scratch.dir());
  }

  /** The sink's committed offset on partition 0 of `topic` (-1 when none). */
  async committed(topic: string, sinkName: string): Promise<number> {
    return Number((await this.kafka.committed(sinkGroup(sinkName), topic)).get(0) ?? '-1');
  }

  /** The ids the lab PostgreSQL's table holds, in order (duplicates kept). */
  async targetIds(table: string): Promise<number[]> {
    return (await this.postgres.exec(`SELECT id FROM "${table}" ORDER BY id`)).map((row) => Number(row.id));
  }

  /** A TCP proxy in front of the lab's PostgreSQL that a test cuts and restores (closed at the end). */
  async proxyToPostgres(): Promise<TcpProxy> {
    const endpoint = inject('labEndpoints').postgres;
    const proxy = new TcpProxy(endpoint.host, endpoint.port);
    this.proxies.push(proxy);
    await proxy.listen();
    return proxy;
  }

  async setUp(): Promise<void> {
    const endpoints = inject('labEndpoints');
    if (this.options.privateLab) this.labValue = await startPrivateLab(this.options.privateLab.services, this.options.privateLab.label);
    const privateKafka = this.labValue !== undefined && this.options.privateLab?.services.includes('kafka-a') === true;
    this.kafkaValue = new KafkaScratch(privateKafka && this.labValue ? this.labValue.endpoints.kafka.a.bootstrap : endpoints.kafka.a.bootstrap);
    this.registryValue = await startEmbeddedSchemaRegistry();
    if (this.options.labPostgres !== false) this.postgresValue = await openDb('postgres', endpoints.postgres);
  }

  async tearDown(): Promise<void> {
    await Promise.all(this.runners.splice(0).map((runner) => runner.stop().catch(() => {})));
    await Promise.all(this.proxies.splice(0).map((proxy) => proxy.close()));
    for (const close of this.closers.splice(0)) await close().catch(() => {});
    if (this.postgresValue) await dropTables(this.postgresValue, this.tables).catch(() => {});
    // A private lab's broker goes with its lab; the lab's own topics and groups are deleted.
    if (this.labValue === undefined || !this.options.privateLab?.services.includes('kafka-a')) await this.kafkaValue?.cleanup();
    await this.postgresValue?.close();
    await this.registryValue?.close();
    await this.labValue?.close();
    this.scratch.cleanup();
  }
}

/** Registers the fixture's beforeAll/afterAll in the calling file and returns it. */
export function useSinkPipelineFixture(options: SinkPipelineFixtureOptions = {}): SinkPipelineFixture {
  const fixture = new SinkPipelineFixture(options);
  // A private lab takes a while to start on a loaded machine; clean-up stops it.
  beforeAll(() => fixture.setUp(), options.privateLab ? 180_000 : undefined);
  afterAll(() => fixture.tearDown(), options.privateLab ? 120_000 : undefined);
  return fixture;
}
