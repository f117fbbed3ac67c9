import { describe, expect, inject, it } from 'vitest';
import { openDb, type TestDb } from '../../helpers/pipelineDb';
import { describeStatus, sinkGroup, waitForIdle } from '../../helpers/pipelineHarness';
import { type OutgoingRecord, produceRecords } from '../../helpers/pipelineKafka';
import { ITEM, ITEM_KEY, postgresSink, useSinkPipelineFixture } from '../../helpers/sinkPipelineFixture';
import { until } from '../../helpers/until';

// Issue 13 fault probe of the pipelined sink: the target PostgreSQL (a private lab's) is killed (SIGKILL) while chunks
// of 1,000 records (the staged COPY path) are in its transactions and the next ones are decoded, and comes back 3 s
// later. The topic (lab Kafka) holds every id once and then an update of every third id and a tombstone of every
// seventh, so the target must end as the topic's last word per key, and the committed offset at the topic's end.

const endpoints = inject('labEndpoints');
const bootstrap = endpoints.kafka.a.bootstrap;
const IDS = 30_000;

// The target is the private lab's PostgreSQL, opened by the test (the lab's is not needed).
const fixture = useSinkPipelineFixture({ privateLab: { services: ['postgres'], label: 'sinkpipetarget' }, labPostgres: false });
let target: TestDb | undefined;
fixture.closeAtEnd(async () => target?.close());

const key = (id: number): OutgoingRecord['key'] => ({ schema: ITEM_KEY, row: { id: BigInt(id) } });

describe('pipelined sink while the target PostgreSQL is killed and restarted (private PostgreSQL, lab Kafka)', () => {
  it('SIGKILL mid-stream with 1,000-record chunks, restarted 3 s later: the target is the last word per key, the offset at the end', async () => {
    const { topic, sinkName } = await fixture.newTopic('pipepgkill');
    target = await openDb('postgres', fixture.lab.endpoints.postgres);
    await target.exec(`CREATE TABLE "${topic}" (id BIGINT PRIMARY KEY, qty INT NOT NULL)`);
    const expected = new Map<number, number>();
    let produced = 0;
    for (let first = 1; first <= IDS; first += 10_000) {
      const records: OutgoingRecord[] = [];
      for (let id = first; id < first + 10_000; id++) {
        records.push({ key: key(id), value: { schema: ITEM, row: { id: BigInt(id), qty: id } } });
        expected.set(id, id);
      }
      await produceRecords(bootstrap, fixture.registry.url, topic, records);
      produced += records.length;
    }
    const changes: OutgoingRecord[] = [];
    for (let id = 1; id <= IDS; id++) {
      if (id % 7 === 0) {
        changes.push({ key: key(id), value: null });
        expected.delete(id);
      } else if (id % 3 === 0) {
        changes.push({ key: key(id), value: { schema: ITEM, row: { id: BigInt(id), qty: -id } } });
        expected.set(id, -id);
      }
    }
    await produceRecords(bootstrap, fixture.registry.url, topic, changes);
    produced += changes.length;

    const upsert = { 'input.key.format': 'AVRO', 'insert.mode': 'UPSERT', 'pk.mode': 'record_key', 'pk.fields': 'id', 'delete.enabled': 'true', 'batch.size': '1000' };
    const runner = await fixture.start(topic, [postgresSink(topic, sinkName, fixture.lab.endpoints.postgres, upsert)]);
    fixture.runners.push(runner);
    const applied = (): number => runner.status().connectors[0]?.metrics.rowsApplied ?? 0;
    await until(async () => applied() >= IDS / 4, () => `a quarter applied: ${describeStatus(runner.status())}`, 120_000, 50);
    await target.close();
    target = undefined;
    await fixture.lab.kill('postgres', 'SIGKILL');
    await new Promise((resolve) => setTimeout(resolve, 3000));
    await fixture.lab.start('postgres');
    await waitForIdle(runner, 2000, 180_000);
    expect(runner.status().connectors[0]?.state, describeStatus(runner.status())).toBe('RUNNING');
    target = await openDb('postgres', fixture.lab.endpoints.postgres);
    const held = (await target.exec(`SELECT id, qty FROM "${topic}" ORDER BY id`)).map((row) => [Number(row.id), Number(row.qty)]);
    const wanted = [...expected.entries()].sort((a, b) => a[0] - b[0]);
    expect(held.length).toBe(wanted.length);
    expect(held).toEqual(wanted);
    expect(Number((await fixture.kafka.committed(sinkGroup(sinkName), topic)).get(0))).toBe(produced);
    await runner.stop();
  }, 360_000);
});
