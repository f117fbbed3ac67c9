import { describe, expect, it } from 'vitest';
import { find, jdbcSink, jdbcSource, LAB_BOOTSTRAP, parse } from './testing';

const RULE = 'pipeline.deletes-never-arrive';

function replicator(overrides: Record<string, string>): Record<string, string> {
  return {
    'connector.class': 'io.confluent.connect.replicator.ReplicatorSourceConnector',
    name: 'rep',
    'key.converter': 'io.confluent.connect.replicator.util.ByteArrayConverter',
    'value.converter': 'io.confluent.connect.replicator.util.ByteArrayConverter',
    'src.kafka.bootstrap.servers': LAB_BOOTSTRAP,
    'topic.whitelist': 'lab.customers',
    'topic.rename.format': '${topic}.copy',
    ...overrides,
  };
}

describe('"deletes never arrive" follows a polling source\'s topics through replicators of the same file', () => {
  it('source → replicator (renamed copy) → sink with delete.enabled is warned about, naming the replicator', () => {
    const result = parse([
      jdbcSource({ 'topic.prefix': 'lab.', 'table.whitelist': 'customers' }),
      replicator({}),
      jdbcSink({ topics: 'lab.customers.copy', 'delete.enabled': 'true', 'pk.mode': 'record_key', 'pk.fields': 'id' }),
    ]);
    const [problem, ...rest] = find(result, RULE);
    expect(rest).toEqual([]);
    expect(problem).toMatchObject({ severity: 'warning', path: "$.connectors[2]['delete.enabled']" });
    expect(problem?.message).toContain('topic "lab.customers.copy" (copied by replicator "rep")');
  });

  it('two replicators in a row', () => {
    const result = parse([
      jdbcSource({ 'topic.prefix': 'lab.', 'table.whitelist': 'customers' }),
      replicator({}),
      replicator({ name: 'rep2', 'topic.whitelist': 'lab.customers.copy', 'topic.rename.format': 'again.${topic}' }),
      jdbcSink({ topics: 'again.lab.customers.copy', 'delete.enabled': 'true', 'pk.mode': 'record_key', 'pk.fields': 'id' }),
    ]);
    expect(find(result, RULE)[0]?.message).toContain('copied by replicator "rep" then "rep2"');
  });

  it('a replicator that does not copy the source\'s topic, or reads another cluster, feeds nothing', () => {
    const other = parse([
      jdbcSource({ 'topic.prefix': 'lab.', 'table.whitelist': 'customers' }),
      replicator({ 'topic.whitelist': 'something.else' }),
      jdbcSink({ topics: 'lab.customers.copy', 'delete.enabled': 'true', 'pk.mode': 'record_key', 'pk.fields': 'id' }),
    ]);
    expect(find(other, RULE)).toEqual([]);
    const elsewhere = parse([
      jdbcSource({ 'topic.prefix': 'lab.', 'table.whitelist': 'customers' }),
      replicator({ 'src.kafka.bootstrap.servers': '10.9.9.9:9092' }),
      jdbcSink({ topics: 'lab.customers.copy', 'delete.enabled': 'true', 'pk.mode': 'record_key', 'pk.fields': 'id' }),
    ]);
    expect(find(elsewhere, RULE)).toEqual([]);
  });
});
