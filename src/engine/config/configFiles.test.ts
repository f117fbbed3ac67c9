import { describe, expect, it } from 'vitest';
import { parseConfigFiles } from './configFiles';
import type { ResolvedJdbcSource } from './types';

// Issue 10, item 13: Replicator's quick start and every connect-standalone user write .properties files, and a
// Connect REST body is one connector; all of them are read by the one parser behind run, validate and replicate.

const QUICK_START_PROPERTIES = `# quickstart-replicator.properties
name=replicator
connector.class=io.confluent.connect.replicator.ReplicatorSourceConnector
key.converter=io.confluent.connect.replicator.util.ByteArrayConverter
value.converter=io.confluent.connect.replicator.util.ByteArrayConverter
header.converter=io.confluent.connect.replicator.util.ByteArrayConverter
src.kafka.bootstrap.servers=localhost:9082
dest.kafka.bootstrap.servers=localhost:9092
topic.whitelist=test-topic
topic.rename.format=\${topic}.replica
confluent.license=
confluent.topic.replication.factor=1
tasks.max=4
`;

const WORKER = `bootstrap.servers=broker-1:9092,broker-2:9092
key.converter=io.confluent.connect.avro.AvroConverter
key.converter.schema.registry.url=http://registry:8081
value.converter=io.confluent.connect.avro.AvroConverter
value.converter.schema.registry.url=http://registry:8081
offset.storage.file.filename=/tmp/connect.offsets
plugin.path=/usr/share/java
`;

const JDBC_SOURCE = `name=orders-source
connector.class=io.confluent.connect.jdbc.JdbcSourceConnector
connection.url=jdbc:mysql://db:3306/shop
connection.user=ferry
connection.password=s3cr3t-pw
mode=incrementing
incrementing.column.name=id
table.whitelist=orders
topic.prefix=shop-
`;

function one(text: string, fileName: string): ReturnType<typeof parseConfigFiles> {
  return parseConfigFiles([{ text, fileName }]);
}

describe('properties files', () => {
  it('read the Replicator quick start as one replicator', () => {
    const result = one(QUICK_START_PROPERTIES, 'quickstart-replicator.properties');
    expect(result.problems).toEqual([]);
    const [replicator] = result.config?.replicators ?? [];
    expect(replicator).toMatchObject({ name: 'replicator', tasksMax: 4, renameFormat: '${topic}.replica', topics: { include: ['test-topic'] } });
    expect(replicator?.source.bootstrapServers).toEqual(['localhost:9082']);
    expect(replicator?.destination.bootstrapServers).toEqual(['localhost:9092']);
  });

  it('follow java.util.Properties: separators, comments, continuation lines and escapes', () => {
    const text = [
      '! a comment in the other style',
      '   # an indented comment',
      'name : spaced',
      'connector.class Replicator',
      'src.kafka.bootstrap.servers=a-1:9092,\\',
      '    a-2:9092',
      'dest.kafka.bootstrap.servers\t=\tb:9092',
      'topic.rename.format=\\u0024{topic}-copy',
      'topic.whitelist=one\\,two',
      '',
    ].join('\n');
    const result = one(text, 'r.properties');
    expect(result.problems).toEqual([]);
    const [replicator] = result.config?.replicators ?? [];
    expect(replicator).toMatchObject({ name: 'spaced', renameFormat: '${topic}-copy', topics: { include: ['one', 'two'] } });
    expect(replicator?.source.bootstrapServers).toEqual(['a-1:9092', 'a-2:9092']);
    expect(replicator?.destination.bootstrapServers).toEqual(['b:9092']);
  });

  it('are recognised by content too (the app calls its text pipeline.json)', () => {
    expect(one(QUICK_START_PROPERTIES, 'pipeline.json').config?.replicators[0]?.name).toBe('replicator');
    expect(one(QUICK_START_PROPERTIES.replace(/^# .*\n/, ''), 'replicator.txt').config?.replicators[0]?.name).toBe('replicator');
  });

  it('name the line of a bad or repeated key', () => {
    const text = `${QUICK_START_PROPERTIES}tasks.max=many\ntasks.max=2\n`;
    const result = one(text, 'r.properties');
    const lines = text.split('\n');
    expect(result.problems.map((problem) => [problem.severity, problem.rule, problem.path, problem.line])).toEqual([['warning', 'properties.duplicate-key', '$[\'tasks.max\']', lines.length - 1]]);
    const invalid = one(QUICK_START_PROPERTIES.replace('tasks.max=4', 'tasks.max=four'), 'r.properties');
    const problem = invalid.problems.find((p) => p.rule === 'key.invalid');
    expect(problem).toMatchObject({ severity: 'error', path: "$['tasks.max']", line: QUICK_START_PROPERTIES.split('\n').indexOf('tasks.max=4') + 1 });
    expect(invalid.config).toBeUndefined();
  });
});

describe('a connector config on its own', () => {
  const config = {
    'connector.class': 'io.confluent.connect.replicator.ReplicatorSourceConnector',
    'src.kafka.bootstrap.servers': 'localhost:9082',
    'dest.kafka.bootstrap.servers': 'localhost:9092',
    'topic.whitelist': 'test-topic',
    'confluent.topic.replication.factor': '1',
  };

  it('as a Connect REST body { name, config } is one replicator, with the paths as written', () => {
    const result = one(JSON.stringify({ name: 'quick', config }), 'replicator.json');
    expect(result.problems).toEqual([]);
    expect(result.config?.replicators.map((r) => r.name)).toEqual(['quick']);
    const bad = one(JSON.stringify({ name: 'quick', config: { ...config, 'tasks.max': 'x' } }), 'replicator.json');
    expect(bad.problems.map((p) => p.path)).toEqual(["$.config['tasks.max']"]);
  });

  it('as a bare object is one replicator with no error (validate and replicate read it alike)', () => {
    const result = one(JSON.stringify({ name: 'bare', ...config }), 'replicator.json');
    expect(result.problems.filter((p) => p.severity === 'error')).toEqual([]);
    expect(result.config?.replicators.map((r) => r.name)).toEqual(['bare']);
  });

  it('for a source or sink says the Kafka cluster is the worker\'s, and how to give it', () => {
    const result = one(JDBC_SOURCE, 'source.properties');
    expect(result.config).toBeUndefined();
    const errors = result.problems.filter((p) => p.severity === 'error');
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ rule: 'pipeline.bare-connector', path: '$' });
    expect(errors[0]?.message).toContain('the Kafka cluster it writes to is not in it');
    expect(errors[0]?.hint).toContain('ferry run worker.properties connector.properties');
  });
});

describe('connect-standalone files: worker.properties then connector configs', () => {
  it('take the cluster from the worker and give a self-managed connector the worker\'s converters', () => {
    const result = parseConfigFiles([
      { text: WORKER, fileName: 'worker.properties' },
      { text: JDBC_SOURCE, fileName: 'source.properties' },
    ]);
    expect(result.problems).toEqual([]);
    expect(result.config?.name).toBe('orders-source');
    expect(result.config?.kafka.bootstrapServers).toEqual(['broker-1:9092', 'broker-2:9092']);
    const source = result.config?.connectors[0] as ResolvedJdbcSource;
    expect(source.name).toBe('orders-source');
    // Without the worker's converter settings the source would have no Schema Registry for its Avro records.
    expect(source.value).toMatchObject({ format: 'AVRO', schemaRegistry: { urls: ['http://registry:8081'] } });
    const json = parseConfigFiles([
      { text: WORKER.replace(/value\.converter=.*/, 'value.converter=org.apache.kafka.connect.json.JsonConverter'), fileName: 'worker.properties' },
      { text: JDBC_SOURCE, fileName: 'source.properties' },
    ]);
    // The worker's JsonConverter is inherited, with its default schemas.enable=true ({"schema", "payload"} envelopes).
    expect(json.problems).toEqual([]);
    expect((json.config?.connectors[0] as ResolvedJdbcSource).value).toMatchObject({ format: 'JSON', jsonSchemas: true });
    const schemaless = parseConfigFiles([
      { text: WORKER.replace(/value\.converter=.*/, 'value.converter=org.apache.kafka.connect.json.JsonConverter\nvalue.converter.schemas.enable=false'), fileName: 'worker.properties' },
      { text: JDBC_SOURCE, fileName: 'source.properties' },
    ]);
    expect((schemaless.config?.connectors[0] as ResolvedJdbcSource).value).toMatchObject({ format: 'JSON', jsonSchemas: false });
    expect(JSON.stringify(result)).not.toContain('s3cr3t-pw');
  });

  it('run a replicator against the worker\'s cluster when it names no destination', () => {
    const replicator = QUICK_START_PROPERTIES.replace('dest.kafka.bootstrap.servers=localhost:9092\n', '');
    const result = parseConfigFiles([
      { text: WORKER, fileName: 'worker.properties' },
      { text: replicator, fileName: 'replicator.properties' },
    ]);
    expect(result.problems).toEqual([]);
    expect(result.config?.replicators[0]?.destination.bootstrapServers).toEqual(['broker-1:9092', 'broker-2:9092']);
  });

  it('report a problem in the file and on the line it is about', () => {
    const source = JDBC_SOURCE.replace('mode=incrementing', 'mode=sometimes');
    const result = parseConfigFiles([
      { text: WORKER.replace('bootstrap.servers=broker-1:9092,broker-2:9092', 'bootstrap.servers='), fileName: 'conf/worker.properties' },
      { text: source, fileName: 'conf/source.properties' },
    ]);
    const errors = result.problems.filter((p) => p.severity === 'error').map((p) => [p.path, p.line]);
    expect(errors).toEqual(
      expect.arrayContaining([
        ["worker.properties: $['bootstrap.servers']", 1],
        ['source.properties: $.mode', source.split('\n').indexOf('mode=sometimes') + 1],
      ]),
    );
  });

  it('refuse files that are not one worker then connectors', () => {
    const rule = (files: { text: string; fileName: string }[]): string[] => parseConfigFiles(files).problems.map((p) => p.rule);
    expect(rule([{ text: WORKER, fileName: 'worker.properties' }])).toEqual(['config.worker-without-connector']);
    expect(rule([{ text: JDBC_SOURCE, fileName: 's.properties' }, { text: WORKER, fileName: 'worker.properties' }])).toEqual(['config.forms-mixed']);
    expect(rule([{ text: WORKER, fileName: 'w.properties' }, { text: '{ "name": "p", "connectors": [] }', fileName: 'p.json' }])).toEqual(['config.forms-mixed']);
    expect(parseConfigFiles([{ text: WORKER, fileName: 'w.properties' }, { text: WORKER, fileName: 'w2.properties' }]).problems[0]?.message).toContain('w.properties, w2.properties are all worker configs');
  });
});

describe('pipeline files', () => {
  it('are read as before, JSON syntax errors included', () => {
    const result = one('{ "name": "p", ', 'p.json');
    expect(result.problems.map((p) => p.rule)).toEqual(['json.syntax']);
  });
});
