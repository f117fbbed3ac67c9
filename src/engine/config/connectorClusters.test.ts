import { describe, expect, it } from 'vitest';
import { find, jdbcSink, jdbcSource, LAB_BOOTSTRAP, LAB_REGISTRY, only, parse } from './testing';

const B = '127.0.0.1:29092';
const B_REGISTRY = 'http://127.0.0.1:28081';

function debezium(overrides: Record<string, string> = {}): Record<string, string> {
  return {
    'connector.class': 'io.debezium.connector.mariadb.MariaDbConnector',
    name: 'capture',
    'database.hostname': '127.0.0.1',
    'database.port': '13306',
    'database.user': 'ferry',
    'database.password': 'pw-cdc',
    'database.server.id': '184054',
    'topic.prefix': 'onprem',
    'database.include.list': 'ferry',
    'table.include.list': 'ferry\\.orders',
    ...overrides,
  };
}

function replicator(overrides: Record<string, string> = {}): Record<string, string> {
  return {
    'connector.class': 'io.confluent.connect.replicator.ReplicatorSourceConnector',
    name: 'to-cloud',
    'key.converter': 'io.confluent.connect.replicator.util.ByteArrayConverter',
    'value.converter': 'io.confluent.connect.replicator.util.ByteArrayConverter',
    'src.kafka.bootstrap.servers': LAB_BOOTSTRAP,
    'dest.kafka.bootstrap.servers': B,
    'topic.regex': 'onprem\\..*',
    'topic.rename.format': 'cloud.${topic}',
    'src.schema.registry.url': LAB_REGISTRY,
    'schema.registry.url': B_REGISTRY,
    ...overrides,
  };
}

const unwrap = {
  transforms: 'unwrap',
  'transforms.unwrap.type': 'io.debezium.transforms.ExtractNewRecordState',
  'transforms.unwrap.drop.tombstones': 'false',
};

describe('a connector on another cluster than the pipeline\'s', () => {
  it('reads `consumer.override.*` as its cluster and its converter\'s registry URL, as Connect does', () => {
    const result = parse([
      jdbcSink({
        topics: 'cloud.orders',
        'consumer.override.bootstrap.servers': B,
        'consumer.override.security.protocol': 'PLAINTEXT',
        'value.converter.schema.registry.url': B_REGISTRY,
      }),
    ]);
    expect(result.problems.filter((p) => p.severity !== 'warning' || p.rule === 'key.unknown')).toEqual([]);
    const sink = result.config?.connectors[0];
    expect(sink?.kafka.bootstrapServers).toEqual([B]);
    expect(sink?.role === 'sink' ? sink.value.schemaRegistry?.urls : undefined).toEqual([B_REGISTRY]);
    expect(result.config?.kafka.bootstrapServers).toEqual([LAB_BOOTSTRAP]);
  });

  it('reads `producer.override.*` on a source, and names a prefix the role does not use', () => {
    const result = parse([jdbcSource({ 'producer.override.bootstrap.servers': B, 'consumer.override.bootstrap.servers': B })]);
    expect(result.config?.connectors[0]?.kafka.bootstrapServers).toEqual([B]);
    const wrong = only(result, 'connector.cluster-override-role');
    expect(wrong.path).toBe("$.connectors[0]['consumer.override.bootstrap.servers']");
    expect(wrong.hint).toContain('producer.override.bootstrap.servers');
  });

  it('does not half-apply overrides without bootstrap.servers, and says so', () => {
    const result = parse([jdbcSink({ topics: 'x', 'consumer.override.sasl.username': 'key', 'consumer.override.sasl.password': 'very-secret-pw' })]);
    expect(only(result, 'connector.cluster-override-incomplete').message).toContain('consumer.override.*');
    expect(result.config?.connectors[0]?.kafka.bootstrapServers).toEqual([LAB_BOOTSTRAP]);
    expect(JSON.stringify(result)).not.toContain('very-secret-pw');
  });

  it('reports a bad override at the key the user wrote, and keeps its secret out of messages', () => {
    const result = parse([jdbcSink({ topics: 'x', 'consumer.override.bootstrap.servers': 'b.example.com:9092', 'consumer.override.security.protocol': 'SASL_SSL', 'consumer.override.sasl.username': 'key' })]);
    const missing = only(result, 'kafka.sasl-credentials-missing');
    expect(missing.message).toContain('`consumer.override.sasl.password`');
  });

  it('takes a named cluster (`kafka.cluster`) with its own registry, and refuses an unknown name', () => {
    const clusters = { onprem: { 'bootstrap.servers': LAB_BOOTSTRAP, 'schema.registry.url': LAB_REGISTRY }, cloud: { 'bootstrap.servers': B, 'schema.registry.url': B_REGISTRY } };
    const result = parse([jdbcSink({ topics: 'x', 'kafka.cluster': 'cloud' })], { clusters });
    expect(result.problems.filter((p) => p.severity === 'error')).toEqual([]);
    const sink = result.config?.connectors[0];
    expect(sink?.kafka.bootstrapServers).toEqual([B]);
    expect(sink?.role === 'sink' ? sink.value.schemaRegistry?.urls : undefined).toEqual([B_REGISTRY]);

    const unknown = parse([jdbcSink({ topics: 'x', 'kafka.cluster': 'clod' })], { clusters });
    const problem = only(unknown, 'connector.cluster-unknown');
    expect(problem.message).toContain('"onprem", "cloud"');
    expect(unknown.config).toBeUndefined();
  });
});

describe('a replicator naming its clusters', () => {
  const clusters = { onprem: { 'bootstrap.servers': LAB_BOOTSTRAP, 'schema.registry.url': LAB_REGISTRY }, cloud: { 'bootstrap.servers': B, 'security.protocol': 'PLAINTEXT', 'schema.registry.url': B_REGISTRY } };
  const named = (overrides: Record<string, string> = {}): Record<string, string> => {
    const { 'src.kafka.bootstrap.servers': _src, 'dest.kafka.bootstrap.servers': _dest, 'src.schema.registry.url': _srcRegistry, 'schema.registry.url': _destRegistry, ...rest } = replicator();
    return { ...rest, 'src.kafka.cluster': 'onprem', 'dest.kafka.cluster': 'cloud', ...overrides };
  };

  it('takes src.kafka.cluster / dest.kafka.cluster as those clusters\' src.kafka.* / dest.kafka.* keys and registries', () => {
    const result = parse([named()], { clusters });
    expect(result.problems).toEqual([]);
    const copier = result.config?.replicators[0];
    expect(copier?.source.bootstrapServers).toEqual([LAB_BOOTSTRAP]);
    expect(copier?.destination.bootstrapServers).toEqual([B]);
    expect(copier?.schemaMigration?.source.urls).toEqual([LAB_REGISTRY]);
    expect(copier?.schemaMigration?.destination.urls).toEqual([B_REGISTRY]);
  });

  it('lets its own keys win, and names an unknown cluster', () => {
    const own = parse([named({ 'dest.kafka.bootstrap.servers': '127.0.0.1:39092' })], { clusters });
    expect(own.config?.replicators[0]?.destination.bootstrapServers).toEqual(['127.0.0.1:39092']);
    expect(only(parse([named({ 'dest.kafka.cluster': 'clod' })], { clusters }), 'connector.cluster-unknown').message).toMatch(/`dest.kafka.cluster` = "clod" names no cluster of this pipeline \(it has "onprem", "cloud"\)/);
  });
});

describe('`ferry validate` follows a chain across clusters (seed 001: capture on a → replicator to b → sink on b)', () => {
  it('a sink on b reading the renamed copies of change events needs ExtractNewRecordState, naming the replicator', () => {
    const result = parse([debezium(), replicator(), jdbcSink({ topics: 'cloud.onprem.ferry.orders', 'consumer.override.bootstrap.servers': B, 'pk.mode': 'record_key', 'delete.enabled': 'true' })]);
    const problem = only(result, 'pipeline.change-events-need-unwrap');
    expect(problem.message).toBe('Sink "jsnk" reads Debezium change events from source "capture" (through replicator "to-cloud") (before, after, source, op), which it cannot write as rows');
  });

  it('"deletes never arrive" through the replicator when ExtractNewRecordState drops tombstones', () => {
    const result = parse([
      debezium(),
      replicator(),
      jdbcSink({ topics: 'cloud.onprem.ferry.orders', 'consumer.override.bootstrap.servers': B, 'pk.mode': 'record_key', 'delete.enabled': 'true', ...unwrap, 'transforms.unwrap.drop.tombstones': 'true' }),
    ]);
    expect(only(result, 'pipeline.log-deletes-dropped').message).toContain('from "capture" (through replicator "to-cloud")');
    const clean = parse([debezium(), replicator(), jdbcSink({ topics: 'cloud.onprem.ferry.orders', 'consumer.override.bootstrap.servers': B, 'pk.mode': 'record_key', 'delete.enabled': 'true', ...unwrap })]);
    expect(clean.problems.filter((p) => p.rule.startsWith('pipeline.'))).toEqual([]);
  });

  it('a sink left on the pipeline\'s cluster while the copies are on b is named, with the override to add', () => {
    const result = parse([debezium(), replicator(), jdbcSink({ topics: 'cloud.onprem.ferry.orders', 'pk.mode': 'record_key', ...unwrap })]);
    const problem = only(result, 'pipeline.sink-reads-other-cluster');
    expect(problem.message).toBe(`Sink "jsnk" reads change events of "capture" on ${LAB_BOOTSTRAP}, but they are written on ${B} (through replicator "to-cloud")`);
    expect(problem.hint).toContain(`"consumer.override.bootstrap.servers": "${B}"`);
    // A polling source's topic read on the wrong cluster too.
    const polling = parse([jdbcSource({ 'topic.prefix': 'lab.', 'table.whitelist': 'customers' }), jdbcSink({ topics: 'lab.customers', 'consumer.override.bootstrap.servers': B })]);
    expect(only(polling, 'pipeline.sink-reads-other-cluster').message).toContain('source "jsrc" writes it on 127.0.0.1:19092');
  });

  it('"deletes never arrive" for a polling source follows the replicator to a sink on b', () => {
    const result = parse([
      jdbcSource({ 'topic.prefix': 'lab.', 'table.whitelist': 'customers' }),
      replicator({ 'topic.regex': 'lab\\..*', 'topic.rename.format': '${topic}' }),
      jdbcSink({ topics: 'lab.customers', 'consumer.override.bootstrap.servers': B, 'delete.enabled': 'true', 'pk.mode': 'record_key', 'pk.fields': 'id' }),
    ]);
    expect(find(result, 'pipeline.deletes-never-arrive')[0]?.message).toContain('copied by replicator "to-cloud"');
    expect(find(result, 'pipeline.sink-reads-other-cluster')).toEqual([]);
  });
});
