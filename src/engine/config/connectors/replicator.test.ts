import { describe, expect, it } from 'vitest';
import { parsePipelineFile } from '../pipelineFile';
import { parseReplicatorFile } from '../replicatorFile';
import type { ResolvedReplicator } from '../types';

const QUICK_START = {
  name: 'replicator',
  'connector.class': 'io.confluent.connect.replicator.ReplicatorSourceConnector',
  'key.converter': 'io.confluent.connect.replicator.util.ByteArrayConverter',
  'value.converter': 'io.confluent.connect.replicator.util.ByteArrayConverter',
  'src.kafka.bootstrap.servers': 'localhost:9082',
  'dest.kafka.bootstrap.servers': 'localhost:9092',
  'topic.whitelist': 'test-topic',
  'topic.rename.format': '${topic}.replica',
  'confluent.topic.replication.factor': '1',
};

function replicator(config: Record<string, unknown>): { replicator: ResolvedReplicator | undefined; problems: { rule: string; path: string; severity: string; message: string }[] } {
  const result = parseReplicatorFile(JSON.stringify(config), 'replicator.json');
  return { replicator: result.config?.replicators[0], problems: result.problems };
}

describe('Replicator config', () => {
  it('resolves the fourth seed\'s quick-start config as a Replicator user writes it, with Replicator\'s defaults', () => {
    const { replicator: r, problems } = replicator(QUICK_START);
    expect(problems).toEqual([]);
    expect(r).toMatchObject({
      role: 'replicator',
      name: 'replicator',
      source: { bootstrapServers: ['localhost:9082'], securityProtocol: 'PLAINTEXT' },
      destination: { bootstrapServers: ['localhost:9092'] },
      topics: { include: ['test-topic'], regex: undefined, exclude: [] },
      renameFormat: '${topic}.replica',
      autoCreate: true,
      preservePartitions: true,
      configSync: true,
      topicPollIntervalMs: 120000,
      provenanceHeader: false,
      groupId: 'replicator',
      delivery: 'at-least-once',
      offsetTranslation: { enabled: true, intervalMs: 60000 },
      schemaMigration: undefined,
    });
  });

  it('accepts a Kafka Connect REST body and the short class name, and reports paths as written', () => {
    const { name, ...config } = QUICK_START;
    const rest = replicator({ name, config: { ...config, 'connector.class': 'Replicator', 'topic.regex': '(' } });
    expect(rest.replicator).toBeUndefined();
    expect(rest.problems).toContainEqual(expect.objectContaining({ rule: 'replicator.regex-invalid', path: "$.config['topic.regex']", severity: 'error' }));
  });

  it('takes Confluent Cloud credentials on either side and never echoes them', () => {
    const secret = 'very-secret-api-secret';
    const { replicator: r, problems } = replicator({
      ...QUICK_START,
      'dest.kafka.bootstrap.servers': 'pkc-abc.eu-west-1.aws.confluent.cloud:9092',
      'dest.kafka.security.protocol': 'SASL_SSL',
      'dest.kafka.sasl.mechanism': 'PLAIN',
      'dest.kafka.sasl.jaas.config': `org.apache.kafka.common.security.plain.PlainLoginModule required username="KEY" password="${secret}";`,
      'src.kafka.security.protocol': 'SASL_PLAINTEXT',
    });
    expect(r).toBeUndefined();
    expect(problems).toContainEqual(expect.objectContaining({ rule: 'kafka.sasl-credentials-missing', path: '$', severity: 'error' }));
    expect(JSON.stringify(problems)).not.toContain(secret);
    const ok = replicator({ ...QUICK_START, 'dest.kafka.bootstrap.servers': 'pkc-abc.eu-west-1.aws.confluent.cloud:9092', 'dest.kafka.sasl.username': 'KEY', 'dest.kafka.sasl.password': secret });
    expect(ok.replicator?.destination).toMatchObject({ securityProtocol: 'SASL_SSL', confluentCloud: true, sasl: { username: 'KEY' } });
    expect(JSON.stringify(ok.replicator?.original)).not.toContain(secret);
  });

  it('names what is missing or contradictory', () => {
    const rules = (config: Record<string, unknown>): string[] => replicator(config).problems.map((p) => p.rule);
    expect(rules({ name: 'r', 'connector.class': 'Replicator', 'topic.whitelist': 't' })).toEqual(expect.arrayContaining(['replicator.source-missing', 'replicator.destination-missing']));
    expect(rules({ ...QUICK_START, 'topic.whitelist': undefined })).toContain('replicator.topics-missing');
    expect(rules({ ...QUICK_START, 'dest.kafka.bootstrap.servers': 'localhost:9082', 'topic.rename.format': '${topic}' })).toContain('replicator.self-loop');
    expect(rules({ ...QUICK_START, 'value.converter': 'io.confluent.connect.avro.AvroConverter' })).toContain('replicator.converter');
    expect(rules({ ...QUICK_START, 'topic.rename.format': '${topic} copy' })).toContain('replicator.rename-invalid');
    expect(rules({ ...QUICK_START, 'schema.registry.url': 'http://127.0.0.1:8081' })).toContain('replicator.registry-pair');
    expect(rules({ ...QUICK_START, 'exactly.once.support': 'required', 'tasks.max': 4 })).toEqual([]);
    expect(rules({ ...QUICK_START, 'exactly.once.support': 'required', 'topic.preserve.partitions': false })).toContain('replicator.exactly-once-repartition');
  });

  it('resolves exactly-once, schema migration and offset translation settings', () => {
    const { replicator: r } = replicator({
      ...QUICK_START,
      'exactly.once.support': 'required',
      'tasks.max': 3,
      'schema.registry.url': 'http://dest:8081',
      'src.schema.registry.url': 'http://src:8081',
      'offset.translator.tasks.max': 0,
      'src.consumer.group.id': 'my-replicator',
    });
    expect(r).toMatchObject({ delivery: 'exactly-once', tasksMax: 3, groupId: 'my-replicator', offsetTranslation: { enabled: false } });
    expect(r?.schemaMigration?.destination.urls).toEqual(['http://dest:8081']);
  });

  it('sits in a pipeline file beside other connectors, its destination defaulting to the pipeline\'s cluster', () => {
    const { 'dest.kafka.bootstrap.servers': _dest, ...config } = QUICK_START;
    const result = parsePipelineFile(JSON.stringify({ name: 'p', kafka: { 'bootstrap.servers': '127.0.0.1:29092' }, connectors: [config] }), 'p.json');
    expect(result.problems).toEqual([]);
    expect(result.config?.connectors).toEqual([]);
    expect(result.config?.replicators[0]?.destination.bootstrapServers).toEqual(['127.0.0.1:29092']);
  });
});
