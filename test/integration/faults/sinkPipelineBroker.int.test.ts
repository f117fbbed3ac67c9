import { beforeAll, describe, expect, inject, it } from 'vitest';
import type { PipelineRunner } from '../../../src/engine/pipeline';
import { describeStatus, sinkGroup, waitForIdle } from '../../helpers/pipelineHarness';
import { produceRecords } from '../../helpers/pipelineKafka';
import { items, postgresSink, useSinkPipelineFixture } from '../../helpers/sinkPipelineFixture';
import { until } from '../../helpers/until';

// Issue 13 fault probe of the pipelined sink (chunks decoded and applied while offset commits travel and kafkajs
// fetches): a snapshot-sized topic on a private broker is being read into the lab's PostgreSQL (INSERT without a key,
// so a chunk applied twice shows as duplicate ids) when the broker crashes (SIGKILL, restarted 5 s later) or hangs
// longer than the session timeout (SIGSTOP 15 s; the group drops the member, commits fail, the sink rejoins). Every
// record must land; records applied before the fault are skipped when fetched again (the task remembers them while it
// runs), so no id appears twice; the committed offset ends at the topic's end.

const endpoints = inject('labEndpoints');
const ROWS = 60_000;

const fixture = useSinkPipelineFixture({ privateLab: { services: ['kafka-a'], label: 'sinkpipe' } });

beforeAll(() => {
  // The broker this file kills is a private one, never the lab's.
  expect(fixture.bootstrap).not.toBe(endpoints.kafka.a.bootstrap);
});

async function newCase(label: string): Promise<{ topic: string; sinkName: string }> {
  const { topic, sinkName } = await fixture.newTopic(label, (table) => `CREATE TABLE "${table}" (id BIGINT NOT NULL, qty INT NOT NULL)`);
  for (let first = 1; first <= ROWS; first += 10_000) await produceRecords(fixture.bootstrap, fixture.registry.url, topic, items(first, Math.min(10_000, ROWS - first + 1)));
  return { topic, sinkName };
}

function start(topic: string, sinkName: string): Promise<PipelineRunner> {
  return fixture.start(topic, [postgresSink(topic, sinkName, endpoints.postgres, { 'insert.mode': 'INSERT', 'pk.mode': 'none', 'batch.size': '500' })]);
}

/** Ids held more than once, and how many ids are missing. */
async function damage(topic: string): Promise<{ rows: number; distinct: number; duplicated: number; missing: number }> {
  const [row] = await fixture.postgres.exec(`SELECT count(*) AS rows, count(DISTINCT id) AS distinct_ids FROM "${topic}"`);
  const rows = Number(row?.rows);
  const distinct = Number(row?.distinct_ids);
  const [missing] = await fixture.postgres.exec(`SELECT count(*) AS missing FROM generate_series(1, ${ROWS}) AS wanted(id) WHERE NOT EXISTS (SELECT 1 FROM "${topic}" t WHERE t.id = wanted.id)`);
  return { rows, distinct, duplicated: rows - distinct, missing: Number(missing?.missing) };
}

async function appliedRows(topic: string): Promise<number> {
  const [row] = await fixture.postgres.exec(`SELECT count(*) AS rows FROM "${topic}"`);
  return Number(row?.rows);
}

describe('pipelined sink reading a snapshot-sized topic while the broker fails (private broker, lab PostgreSQL)', () => {
  it('the broker crashes (SIGKILL) mid-read and restarts 5 s later: every record once, the offset at the end', async () => {
    const { topic, sinkName } = await newCase('pipekill');
    const runner = await start(topic, sinkName);
    fixture.runners.push(runner);
    await until(async () => (await appliedRows(topic)) >= ROWS / 5, () => `a fifth applied: ${describeStatus(runner.status())}`, 120_000, 100);
    await fixture.lab.kill('kafka-a', 'SIGKILL');
    await new Promise((resolve) => setTimeout(resolve, 5000));
    await fixture.lab.start('kafka-a');
    await waitForIdle(runner, 2000, 180_000);
    expect(runner.status().connectors[0]?.state, describeStatus(runner.status())).toBe('RUNNING');
    expect(await damage(topic)).toEqual({ rows: ROWS, distinct: ROWS, duplicated: 0, missing: 0 });
    expect(Number((await fixture.kafka.committed(sinkGroup(sinkName), topic)).get(0))).toBe(ROWS);
    await runner.stop();
  }, 360_000);

  it('the broker hangs (SIGSTOP) longer than the session timeout mid-read: every record once, the offset at the end', async () => {
    const { topic, sinkName } = await newCase('pipestop');
    const runner = await start(topic, sinkName);
    fixture.runners.push(runner);
    await until(async () => (await appliedRows(topic)) >= ROWS / 5, () => `a fifth applied: ${describeStatus(runner.status())}`, 120_000, 100);
    await fixture.lab.pause('kafka-a');
    try {
      await new Promise((resolve) => setTimeout(resolve, 15_000));
    } finally {
      await fixture.lab.resume('kafka-a');
    }
    await waitForIdle(runner, 2000, 180_000);
    expect(runner.status().connectors[0]?.state, describeStatus(runner.status())).toBe('RUNNING');
    expect(await damage(topic)).toEqual({ rows: ROWS, distinct: ROWS, duplicated: 0, missing: 0 });
    expect(Number((await fixture.kafka.committed(sinkGroup(sinkName), topic)).get(0))).toBe(ROWS);
    await runner.stop();
  }, 360_000);
});
