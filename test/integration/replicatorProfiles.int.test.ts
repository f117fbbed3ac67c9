import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createEngine } from '../../src/engine/index';
import { KafkaScratch, produce, readTopic, replicatorName } from '../helpers/replicatorHarness';
import { uniqueName } from '../helpers/names';

/**
 * A replicator config that names its clusters by profile (`src.kafka.ferry.profile` / `dest.kafka.ferry.profile`,
 * here the running lab's `lab:kafka-a` and `lab:kafka-b`) instead of bootstrap servers, started through the engine's
 * replicators API as the app does: the records arrive on cluster b.
 */
describe('a replicator naming profiles for its clusters', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'ferry-int-replicator-profiles-'));
  const engine = createEngine({ host: 'web', dataDir });
  const cleanups: (() => Promise<void>)[] = [];
  afterAll(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
    engine.dispose();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('copies a topic from lab:kafka-a to lab:kafka-b', async () => {
    const lab = await engine.lab.status();
    const a = lab.endpoints.kafka.a.bootstrap;
    const b = lab.endpoints.kafka.b.bootstrap;
    const topic = uniqueName('profiles_copy');
    const name = replicatorName('profiles-repl');
    const onA = new KafkaScratch(a);
    const onB = new KafkaScratch(b);
    onA.track({ topics: [topic], groups: [name] });
    onB.track({ topics: [`${topic}.replica`], groups: [name] });
    cleanups.push(() => onA.cleanup(), () => onB.cleanup());
    await onA.createTopic(topic);
    await produce(a, topic, [1, 2, 3].map((i) => ({ partition: 0, key: `k${i}`, value: `v${i}` })));

    const started = await engine.replicators.start({
      fileName: 'replicator.json',
      text: JSON.stringify({
        name,
        'connector.class': 'io.confluent.connect.replicator.ReplicatorSourceConnector',
        'src.kafka.ferry.profile': 'lab:kafka-a',
        'dest.kafka.ferry.profile': 'lab:kafka-b',
        'topic.whitelist': topic,
        'topic.rename.format': '${topic}.replica',
      }),
    });
    cleanups.push(async () => void (await engine.replicators.stop(name)));
    expect(started.map((status) => status.name)).toEqual([name]);

    const copied = await readTopic(b, `${topic}.replica`, 3);
    expect(copied.map((record) => record.value)).toEqual(['v1', 'v2', 'v3']);
  }, 60_000);

  it('names a lab service that does not exist, at the key', async () => {
    await expect(
      engine.replicators.start({
        fileName: 'replicator.json',
        text: JSON.stringify({ name: 'x', 'connector.class': 'Replicator', 'src.kafka.ferry.profile': 'lab:kafka-z', 'dest.kafka.ferry.profile': 'lab:kafka-b', 'topic.whitelist': 't' }),
      }),
    ).rejects.toThrow(/\$\['src\.kafka\.ferry\.profile'\]: "lab:kafka-z" is not a lab service/);
  });
});
