import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { killLeftoverFerries, spawnFerry, waitForExit } from '../helpers/pipelineCli';
import { KafkaScratch, produce, readTopic, replicatorName } from '../helpers/replicatorHarness';

// Issue 10, item 13: the forms Replicator and Connect users have — a .properties file, a Connect REST body, a bare
// config, connect-standalone's worker.properties + connector.properties — through `ferry validate` and
// `ferry replicate` as child processes, against the lab's clusters a and b. validate and replicate read them with
// one parser, so a file replicate runs is one validate calls valid.

const endpoints = inject('labEndpoints');
const a = endpoints.kafka.a.bootstrap;
const b = endpoints.kafka.b.bootstrap;
const onA = new KafkaScratch(a);
const onB = new KafkaScratch(b);
let dir: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'ferry-config-forms-'));
});

afterAll(async () => {
  killLeftoverFerries();
  await onA.cleanup();
  await onB.cleanup();
  rmSync(dir, { recursive: true, force: true });
});

function write(name: string, text: string): string {
  const file = join(dir, name);
  writeFileSync(file, text);
  return file;
}

async function ferry(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawnFerry(args, { FERRY_DATA_DIR: join(dir, 'data') });
  const exit = await waitForExit(child, 90_000);
  return { code: exit.code, stdout: child.stdout(), stderr: child.stderr() };
}

interface ValidateJson {
  valid: boolean;
  errors: number;
  problems: { severity: string; path: string; rule: string; message: string }[];
  connectors: { name: string; role: string }[];
  replicators: { name: string }[];
}

async function validate(...files: string[]): Promise<ValidateJson & { code: number | null }> {
  const run = await ferry(['validate', ...files, '--json']);
  return { ...(JSON.parse(run.stdout) as ValidateJson), code: run.code };
}

/** A fresh topic on a with `count` records over 2 partitions, and the name of its copy on b. */
async function sourceTopic(label: string, count: number): Promise<{ name: string; topic: string; replica: string }> {
  const name = replicatorName(label);
  const topic = `forms-${name}`;
  const replica = `${topic}.replica`;
  onA.track({ groups: [name] });
  onB.track({ topics: [replica], groups: [name] });
  await onA.createTopic(topic, 2);
  await produce(a, topic, Array.from({ length: count }, (_, i) => ({ partition: i % 2, value: String(i) })));
  return { name, topic, replica };
}

async function replicate(file: string, expected: number, replica: string): Promise<void> {
  const run = await ferry(['replicate', file, '--until-idle', '--json']);
  expect(run.code, run.stderr).toBe(0);
  expect((JSON.parse(run.stdout) as { metrics: { recordsCopied: number } }).metrics.recordsCopied).toBe(expected);
  const copy = await readTopic(b, replica, expected, { quietMs: 500 });
  expect(new Set(copy.map((record) => record.value)).size).toBe(expected);
}

describe('configuration forms through the CLI', () => {
  it('validates and replicates the Replicator quick start as a .properties file', async () => {
    const { name, topic, replica } = await sourceTopic('props', 200);
    const file = write(
      `${name}.properties`,
      [
        '# quickstart-replicator.properties, as Confluent ships it but for the lab\'s clusters',
        `name=${name}`,
        'connector.class=io.confluent.connect.replicator.ReplicatorSourceConnector',
        'key.converter=io.confluent.connect.replicator.util.ByteArrayConverter',
        'value.converter=io.confluent.connect.replicator.util.ByteArrayConverter',
        'header.converter=io.confluent.connect.replicator.util.ByteArrayConverter',
        `src.kafka.bootstrap.servers=${a}`,
        `dest.kafka.bootstrap.servers=${b}`,
        `topic.whitelist=${topic}`,
        'topic.rename.format=${topic}.replica',
        'confluent.license=',
        'confluent.topic.replication.factor=1',
        'tasks.max=4',
        '',
      ].join('\n'),
    );
    const checked = await validate(file);
    expect({ code: checked.code, errors: checked.errors, replicators: checked.replicators.map((r) => r.name) }).toEqual({ code: 0, errors: 0, replicators: [name] });
    await replicate(file, 200, replica);
  });

  it('validates and replicates a Connect REST body, and a bare config, as one replicator each', async () => {
    const { name, topic, replica } = await sourceTopic('rest', 100);
    const config = {
      'connector.class': 'io.confluent.connect.replicator.ReplicatorSourceConnector',
      'src.kafka.bootstrap.servers': a,
      'dest.kafka.bootstrap.servers': b,
      'topic.whitelist': topic,
      'topic.rename.format': '${topic}.replica',
      'confluent.topic.replication.factor': '1',
    };
    const rest = write(`${name}-rest.json`, JSON.stringify({ name, config }, null, 2));
    const bare = write(`${name}-bare.json`, JSON.stringify({ name, ...config }, null, 2));
    const [restChecked, bareChecked] = await Promise.all([validate(rest), validate(bare)]);
    for (const checked of [restChecked, bareChecked]) {
      expect({ code: checked.code, problems: checked.problems, replicators: checked.replicators.map((r) => r.name) }).toEqual({ code: 0, problems: [], replicators: [name] });
    }
    await replicate(rest, 100, replica);
  });

  it('validates connect-standalone\'s worker.properties + connector.properties, and says a connector alone lacks the worker', async () => {
    const worker = write(
      'worker.properties',
      [`bootstrap.servers=${a}`, 'key.converter=io.confluent.connect.avro.AvroConverter', 'key.converter.schema.registry.url=http://127.0.0.1:8081', 'value.converter=io.confluent.connect.avro.AvroConverter', 'value.converter.schema.registry.url=http://127.0.0.1:8081', 'offset.storage.file.filename=/tmp/connect.offsets', ''].join('\n'),
    );
    const source = write(
      'orders-source.properties',
      ['name=orders-source', 'connector.class=io.confluent.connect.jdbc.JdbcSourceConnector', 'connection.url=jdbc:mysql://127.0.0.1:13306/ferry', 'connection.user=ferry', 'connection.password=not-the-real-one', 'mode=incrementing', 'incrementing.column.name=id', 'table.whitelist=orders', 'topic.prefix=forms-', 'batch.max.rows=many', ''].join('\n'),
    );
    const both = await validate(worker, source);
    expect(both.code).toBe(1);
    expect(both.problems.filter((p) => p.severity === 'error').map((p) => [p.rule, p.path])).toEqual([['key.invalid', "orders-source.properties: $['batch.max.rows']"]]);
    const fixed = write('orders-source-fixed.properties', ['name=orders-source', 'connector.class=io.confluent.connect.jdbc.JdbcSourceConnector', 'connection.url=jdbc:mysql://127.0.0.1:13306/ferry', 'connection.user=ferry', 'connection.password=not-the-real-one', 'mode=incrementing', 'incrementing.column.name=id', 'table.whitelist=orders', 'topic.prefix=forms-', ''].join('\n'));
    const [valid, alone] = await Promise.all([validate(worker, fixed), validate(fixed)]);
    expect({ code: valid.code, errors: valid.errors, connectors: valid.connectors.map((c) => [c.name, c.role]) }).toEqual({ code: 0, errors: 0, connectors: [['orders-source', 'source']] });
    expect(alone.code).toBe(1);
    expect(alone.problems.filter((p) => p.severity === 'error').map((p) => p.rule)).toEqual(['pipeline.bare-connector']);
    expect(JSON.stringify([both, valid, alone])).not.toContain('not-the-real-one');
  });
});
