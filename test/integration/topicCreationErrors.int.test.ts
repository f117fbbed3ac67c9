import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { parsePipelineFile } from '../../src/engine/config';
import { createKafkaClient, ensureTopics, type KafkaAdmin } from '../../src/engine/kafka';
import { ensureDestinationTopics } from '../../src/engine/replicator/topicSync';
import { uniqueName } from '../helpers/names';
import { KafkaScratch } from '../helpers/pipelineHarness';

// A topic the brokers refuse says why. kafkajs reports only "Topic creation errors" (the broker's reason, e.g.
// "collides with existing topic", stays in the broker's log), so Ferry checks Kafka's "." = "_" rule itself and
// names each refused topic with its error.

const endpoints = inject('labEndpoints');
const bootstrap = endpoints.kafka.a.bootstrap;
const kafka = new KafkaScratch(bootstrap);
let admin: KafkaAdmin;

beforeAll(async () => {
  admin = createKafkaClient({ bootstrapServers: [bootstrap] }).admin();
  await admin.connect();
});

afterAll(async () => {
  await admin?.disconnect();
  await kafka.cleanup();
});

async function failureOf(promise: Promise<unknown>): Promise<Error & { code?: string }> {
  const outcome = await promise.then(
    () => undefined,
    (error: unknown) => error,
  );
  if (!(outcome instanceof Error)) throw new Error(`expected a failure, got ${String(outcome)}`);
  return outcome;
}

describe('topic creation errors say why', () => {
  it('a name that differs from an existing topic only by "." versus "_" names the topic it collides with', async () => {
    const prefix = uniqueName('src').toLowerCase();
    const existing = `${prefix}.orderdetails`;
    const colliding = `${prefix}_orderdetails`;
    await kafka.createTopic(existing);
    kafka.track({ topics: [colliding] });

    const error = await failureOf(ensureTopics(admin, [{ name: colliding }], [bootstrap]));
    expect(error.code).toBe('KAFKA_TOPIC');
    expect(error.message).toContain(`"${colliding}" collides with existing topic: ${existing}`);
    expect(await admin.listTopics()).not.toContain(colliding);

    // Mixed: x_y.z against x.y_z, both ways of spelling it.
    const mixedExisting = `${prefix}_x.y_z`;
    await kafka.createTopic(mixedExisting);
    const mixed = await failureOf(ensureTopics(admin, [{ name: `${prefix}.x_y.z` }], [bootstrap]));
    expect(mixed.message).toContain(`collides with existing topic: ${mixedExisting}`);
  });

  it('two new topics of one request that collide with each other are refused before either is created', async () => {
    const prefix = uniqueName('pair').toLowerCase();
    kafka.track({ topics: [`${prefix}.a`, `${prefix}_a`] });
    const error = await failureOf(ensureTopics(admin, [{ name: `${prefix}.a` }, { name: `${prefix}_a` }], [bootstrap]));
    expect(error.message).toContain(`"${prefix}_a" collides with existing topic: ${prefix}.a`);
    const topics = await admin.listTopics();
    expect(topics).not.toContain(`${prefix}.a`);
    expect(topics).not.toContain(`${prefix}_a`);
  });

  it('any other refusal names the topic and the broker\'s error code instead of "Topic creation errors"', async () => {
    const topic = uniqueName('rf').toLowerCase();
    kafka.track({ topics: [topic] });
    // The lab cluster has one broker: a replication factor of 3 is refused.
    const error = await failureOf(ensureTopics(admin, [{ name: topic, replicationFactor: 3 }], [bootstrap]));
    expect(error.code).toBe('KAFKA_TOPIC');
    expect(error.message).toContain(`topic "${topic}":`);
    expect(error.message).toContain('INVALID_REPLICATION_FACTOR');
    expect(error.message).not.toContain('Topic creation errors');
  });

  it('a replicator whose renamed destination topic would collide says so before creating anything', async () => {
    const prefix = uniqueName('rep').toLowerCase();
    const existing = `${prefix}_orders`;
    await kafka.createTopic(existing);
    const parsed = parsePipelineFile(
      JSON.stringify({
        name: prefix,
        kafka: { 'bootstrap.servers': bootstrap },
        connectors: [
          {
            'connector.class': 'io.confluent.connect.replicator.ReplicatorSourceConnector',
            name: prefix,
            'key.converter': 'io.confluent.connect.replicator.util.ByteArrayConverter',
            'value.converter': 'io.confluent.connect.replicator.util.ByteArrayConverter',
            'src.kafka.bootstrap.servers': endpoints.kafka.b.bootstrap,
            'topic.whitelist': 'orders',
            'topic.rename.format': `${prefix}.\${topic}`,
          },
        ],
      }),
      'rep.json',
    );
    const config = parsed.config?.replicators[0];
    if (!config) throw new Error(JSON.stringify(parsed.problems));
    const destination = `${prefix}.orders`;
    kafka.track({ topics: [destination] });
    const error = await failureOf(ensureDestinationTopics(admin, [{ source: { name: 'orders', partitions: 1, replicationFactor: 1, configs: {} }, destination }], config, 1));
    expect(error.code).toBe('REPLICATOR_TOPIC_SETUP');
    expect(error.message).toContain(`"${destination}" collides with existing topic: ${existing}`);
    expect(await admin.listTopics()).not.toContain(destination);
  });
});
