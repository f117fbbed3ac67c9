import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseReplicatorFile, requireValidPipeline, type ResolvedReplicator } from '../../src/engine/config';
import { ReplicatorRunner } from '../../src/engine/replicator';
import { eventually, KafkaScratch, produce, readTopic, replicatorName } from '../helpers/replicatorHarness';

// tasks.max on a first start (issue 10, item 8): with 4 tasks the Replicator quick start's 10,000 records became
// 20,000 on the destination, each twice. Every combination of task count and delivery mode copies each record of
// a fresh 6-partition topic exactly once, in source order per partition.

const endpoints = inject('labEndpoints');
const a = endpoints.kafka.a.bootstrap;
const b = endpoints.kafka.b.bootstrap;
const onA = new KafkaScratch(a);
const onB = new KafkaScratch(b);
const runners: ReplicatorRunner[] = [];
let dataDir: string;

const PARTITIONS = 6;
const PER_PARTITION = 2000;
const TOTAL = PARTITIONS * PER_PARTITION;

beforeAll(() => {
  dataDir = mkdtempSync(join(tmpdir(), 'ferry-replicator-tasks-'));
});

afterAll(async () => {
  await Promise.all(runners.map((runner) => runner.stop()));
  await onA.cleanup();
  await onB.cleanup();
  rmSync(dataDir, { recursive: true, force: true });
});

function resolve(config: Record<string, unknown>): ResolvedReplicator {
  const pipeline = requireValidPipeline(parseReplicatorFile(JSON.stringify(config), 'replicator.json'), 'replicator.json');
  const replicator = pipeline.replicators[0];
  if (!replicator) throw new Error('no replicator resolved');
  return replicator;
}

const cases = [1, 2, 4, 8].flatMap((tasks) => (['at-least-once', 'exactly-once'] as const).map((delivery) => ({ tasks, delivery })));

describe('replicator tasks.max', () => {
  it.each(cases)('copies each record exactly once on a first start with tasks.max=$tasks ($delivery)', async ({ tasks, delivery }) => {
    const name = replicatorName(`tasks${tasks}`);
    const topic = `tasks-${name}`;
    const replica = `${topic}.replica`;
    onA.track({ groups: [name] });
    onB.track({ topics: [replica], groups: [name, `ferry-replicator-${name}`] });
    await onA.createTopic(topic, PARTITIONS);
    await produce(a, topic, Array.from({ length: TOTAL }, (_, i) => ({ partition: i % PARTITIONS, key: `k${i}`, value: String(i) })));

    const config = resolve({
      name,
      'connector.class': 'Replicator',
      'src.kafka.bootstrap.servers': a,
      'dest.kafka.bootstrap.servers': b,
      'topic.whitelist': topic,
      'topic.rename.format': '${topic}.replica',
      'tasks.max': tasks,
      'offset.translator.tasks.max': 0,
      ...(delivery === 'exactly-once' ? { 'exactly.once.support': 'required' } : {}),
    });
    expect(config.tasksMax).toBe(tasks);
    // One group member runs every task, so starting them cannot make the group rebalance under its own copy.
    const runner = new ReplicatorRunner(config, { dataDir });
    runners.push(runner);
    await runner.start();
    await runner.waitUntilIdle({ maxStuckMs: 60_000 });
    const group = (await (await onA.connect()).describeGroups([name])).groups[0];
    expect(group?.members).toHaveLength(1);
    await runner.stop();
    expect(runner.status().metrics.recordsCopied).toBe(TOTAL);

    // Read until quiet: a second copy of anything would arrive after the first TOTAL records.
    const copy = await readTopic(b, replica, TOTAL, { quietMs: 1000, deadlineMs: 60_000 });
    const copies = new Map<string, number>();
    for (const record of copy) copies.set(record.value ?? '', (copies.get(record.value ?? '') ?? 0) + 1);
    const twice = [...copies].filter(([, count]) => count > 1);
    expect({ records: copy.length, distinct: copies.size, copiedMoreThanOnce: twice.length }).toEqual({ records: TOTAL, distinct: TOTAL, copiedMoreThanOnce: 0 });
    for (let p = 0; p < PARTITIONS; p++) {
      const values = copy.filter((r) => r.partition === p).map((r) => Number(r.value));
      expect(values).toEqual(Array.from({ length: PER_PARTITION }, (_, i) => i * PARTITIONS + p));
    }
  });

  it('commits on a graceful stop what it copied, so a restart copies only the rest (issue 10, item 9)', async () => {
    const name = replicatorName('stopcommit');
    const topic = `stop-${name}`;
    const replica = `${topic}.replica`;
    onA.track({ groups: [name] });
    onB.track({ topics: [replica], groups: [name] });
    await onA.createTopic(topic, PARTITIONS);
    await produce(a, topic, Array.from({ length: TOTAL }, (_, i) => ({ partition: i % PARTITIONS, value: String(i) })));
    const config = resolve({
      name,
      'connector.class': 'Replicator',
      'src.kafka.bootstrap.servers': a,
      'dest.kafka.bootstrap.servers': b,
      'topic.whitelist': topic,
      'topic.rename.format': '${topic}.replica',
      'tasks.max': 2,
      'offset.translator.tasks.max': 0,
    });
    // No periodic commit in this run: what it copied is the tail that only the stop's commit can record.
    const first = new ReplicatorRunner(config, { dataDir, commitIntervalMs: 600_000 });
    runners.push(first);
    await first.start();
    await eventually('the first records on the destination', async () => (first.status().metrics.recordsCopied > 0 ? true : undefined));
    await first.stop();
    const copiedFirst = first.status().metrics.recordsCopied;
    const committed = await onA.committed(name, topic);
    const committedTotal = [...committed.values()].reduce((sum, offset) => sum + Math.max(0, Number(offset)), 0);
    expect(committedTotal).toBe(copiedFirst);

    const second = new ReplicatorRunner(config, { dataDir });
    runners.push(second);
    await second.start();
    await second.waitUntilIdle({ maxStuckMs: 60_000 });
    await second.stop();
    expect(copiedFirst + second.status().metrics.recordsCopied).toBe(TOTAL);
    const copy = await readTopic(b, replica, TOTAL, { quietMs: 1000, deadlineMs: 60_000 });
    expect({ records: copy.length, distinct: new Set(copy.map((r) => r.value)).size }).toEqual({ records: TOTAL, distinct: TOTAL });
  });
});
