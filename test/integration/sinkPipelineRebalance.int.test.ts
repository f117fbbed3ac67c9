import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { RecordSchema } from '../../src/engine/model';
import type { PipelineRunner } from '../../src/engine/pipeline';
import { type EmbeddedSchemaRegistry, startEmbeddedSchemaRegistry } from '../../src/engine/schema';
import { uniqueName } from '../helpers/names';
import { dropTables, openDb, type TestDb } from '../helpers/pipelineDb';
import { describeStatus, KafkaScratch, MANAGED_SINK, managedConnection, pipelineDocument, Scratch, sinkGroup, startPipeline } from '../helpers/pipelineHarness';
import { type OutgoingRecord, produceRecords } from '../helpers/pipelineKafka';
import { TcpProxy } from '../helpers/tcpProxy';
import { until } from '../helpers/until';

// Issue 13 fault probe: a chunk held for a target that is away from this member (retried with heartbeats) could still
// be written after the group gave its partition to another member. Kafka Connect removes a revoked partition's records from its retry buffer
// (WorkerSinkTask.onPartitionsRevoked: messageBatch.removeIf(...)), so a stale batch is never written after the new
// owner wrote newer versions, and an offset is never committed backwards. Here member A reaches PostgreSQL through a
// TCP proxy the test cuts (a network partition between A and the target), member B (same connector name, so the same
// group) reaches it directly. Upsert by id: the target must never go back to an older version of the row once B
// applied the newest, and the committed offset must never move back.

const endpoints = inject('labEndpoints');
const bootstrap = endpoints.kafka.a.bootstrap;

let registry: EmbeddedSchemaRegistry;
let postgres: TestDb;
const scratch = new Scratch();
const kafka = new KafkaScratch(bootstrap);
const tables: string[] = [];
const runners: PipelineRunner[] = [];
const proxies: TcpProxy[] = [];

beforeAll(async () => {
  registry = await startEmbeddedSchemaRegistry();
  postgres = await openDb('postgres', endpoints.postgres);
});

afterAll(async () => {
  await Promise.all(runners.splice(0).map((runner) => runner.stop().catch(() => {})));
  await Promise.all(proxies.splice(0).map((proxy) => proxy.close()));
  await dropTables(postgres, tables);
  await kafka.cleanup();
  await postgres?.close();
  await registry?.close();
  scratch.cleanup();
});

const ITEM: RecordSchema = {
  name: 'shop.Item',
  fields: [
    { name: 'id', type: { kind: 'int64' }, optional: false },
    { name: 'qty', type: { kind: 'int32' }, optional: false },
  ],
};

function version(qty: number): OutgoingRecord {
  return { value: { schema: ITEM, row: { id: 1n, qty } } };
}

function startMember(topic: string, sinkName: string, port: number, member: string, mode: 'UPSERT' | 'INSERT' = 'UPSERT'): Promise<PipelineRunner> {
  return startPipeline(
    pipelineDocument(`${topic}-${member}`, bootstrap, registry.url, [
      {
        name: sinkName,
        'connector.class': MANAGED_SINK.postgres,
        ...managedConnection({ ...endpoints.postgres, host: '127.0.0.1', port }),
        topics: [topic],
        'input.data.format': 'AVRO',
        ...(mode === 'UPSERT' ? { 'insert.mode': 'UPSERT', 'pk.mode': 'record_value', 'pk.fields': 'id' } : { 'insert.mode': 'INSERT', 'pk.mode': 'none' }),
        'auto.create': 'false',
        'batch.size': '50',
        'max.retries': '0',
      },
    ]),
    scratch.dir(),
  );
}

// Run on demand (FERRY_REBALANCE_PROBE=1), not in `npm test` yet: on this machine alone it passes (75-122 s, twice
// alone and twice side by side) and fails on the code before 8760836 (the target left at version 2 of 4), but in two
// fresh-clone CI runs, with other integration files beside it, the partition never moved away from member A: five
// members joined one after another over 225 s and A was assigned the partition at every rebalance. Why kafkajs's
// round-robin assignor keeps choosing A there is not understood yet (issue 13 note).
const probeRebalance = process.env.FERRY_REBALANCE_PROBE === '1';

describe.runIf(probeRebalance)('pipelined sink and a rebalance while a chunk is held for the target (lab PostgreSQL and Kafka)', () => {
  it('a chunk retried after its partition went to another member is not written over newer rows, and the committed offset never moves back', async () => {
    const topic = uniqueName('piperebal').toLowerCase();
    const sinkName = `${topic}-sink`;
    kafka.track({ topics: [`dlq-${sinkName}`], groups: [sinkGroup(sinkName)] });
    await kafka.createTopic(topic);
    tables.push(topic);
    await postgres.exec(`CREATE TABLE "${topic}" (id BIGINT PRIMARY KEY, qty INT NOT NULL)`);
    const qty = async (): Promise<number | undefined> => {
      const rows = await postgres.exec(`SELECT qty FROM "${topic}" WHERE id = 1`);
      return rows[0] === undefined ? undefined : Number(rows[0].qty);
    };
    const committed = async (): Promise<number> => Number((await kafka.committed(sinkGroup(sinkName), topic)).get(0) ?? '-1');

    const proxy = new TcpProxy(endpoints.postgres.host, endpoints.postgres.port);
    proxies.push(proxy);
    await proxy.listen();

    // Member A (through the proxy) applies version 1 and commits offset 1.
    await produceRecords(bootstrap, registry.url, topic, [version(1)]);
    const memberA = await startMember(topic, sinkName, proxy.port, 'a');
    runners.push(memberA);
    await until(async () => (await qty()) === 1 && (await committed()) === 1, 'member A applied version 1');

    // A loses the target. Version 2 (offset 1) is fetched and held for the target, retried; version 3 (offset 2) is
    // fetched and decoded behind it, so A's eachBatch waits and A cannot answer the rebalance B starts.
    await proxy.cut();
    await produceRecords(bootstrap, registry.url, topic, [version(2)]);
    await until(async () => memberA.status().connectors[0]?.error?.code === 'SINK_TARGET_UNAVAILABLE', () => `member A held version 2 for the target: ${describeStatus(memberA.status())}`);
    await produceRecords(bootstrap, registry.url, topic, [version(3)]);
    await new Promise((resolve) => setTimeout(resolve, 2000));

    // Members that reach the target directly join the same group until one of them owns the partition and applies
    // versions 2 and 3 (A leaves the chunk it holds and rejoins at each rebalance; with one partition the assignor may
    // give it back to A, whose memberId happened to sort first, so another member joins), then version 4.
    const direct: PipelineRunner[] = [];
    for (const member of ['b', 'c', 'd', 'e', 'f']) {
      const joined = await startMember(topic, sinkName, endpoints.postgres.port, member);
      runners.push(joined);
      direct.push(joined);
      const moved = await until(async () => (await qty()) === 3, 'a directly connected member applied version 3', 45_000, 500).then(
        () => true,
        () => false,
      );
      if (moved) break;
    }
    const others = (): string => direct.map((runner) => describeStatus(runner.status())).join('; ');
    expect(await qty(), `a member other than A took the partition and applied version 3: A ${describeStatus(memberA.status())}; others ${others()}`).toBe(3);
    await produceRecords(bootstrap, registry.url, topic, [version(4)]);
    await until(async () => (await qty()) === 4 && (await committed()) === 4, () => `version 4 applied by the partition's owner: ${others()}`, 30_000);

    // A's target comes back. Watch the target and the committed offset: neither may go back.
    const seenQty: (number | undefined)[] = [];
    const seenOffsets: number[] = [];
    let watching = true;
    const watcher = (async () => {
      while (watching) {
        seenQty.push(await qty());
        seenOffsets.push(await committed());
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    })();
    await proxy.restore();
    // A's retry pause may have grown to 30 s: wait until A wrote the chunks it held (or a minute, if it rightly
    // dropped them), then watch a little longer (a rejoin after A's write).
    await until(async () => (memberA.status().connectors[0]?.metrics.rowsApplied ?? 0) > 1, () => `member A held chunks written: ${describeStatus(memberA.status())}`, 60_000, 200).catch(() => {});
    await new Promise((resolve) => setTimeout(resolve, 8000));
    watching = false;
    await watcher;

    const regressedQty = seenQty.filter((value) => value !== 4);
    const regressedOffsets = seenOffsets.filter((offset) => offset < 4);
    const finalQty = await qty();
    expect({ regressedQty, regressedOffsets, finalQty }, `A ${describeStatus(memberA.status())}; others ${others()}`).toEqual({ regressedQty: [], regressedOffsets: [], finalQty: 4 });
  }, 420_000);
});
