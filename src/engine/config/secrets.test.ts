import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { connectorDocs } from './docs';
import { pipelineJsonSchema } from './jsonSchema';
import { parsePipelineFile, type PipelineParseResult, requireValidPipeline } from './pipelineFile';
import { Secret } from './secret';
import { connectionAt, jdbcSink, jdbcSource, managedSink, managedSource, pipelineText } from './testing';

/** Appears only inside secrets; finding it in any output is a leak. */
const MARKER = 'MARKER-7f3a9c';
const s = (n: number): string => `pw-${MARKER}-${n}`;

function everyOutput(result: PipelineParseResult, fileName: string): string[] {
  // The CLI's rendering of the same problems is checked in host/cliValidate.test.ts.
  const outputs = [JSON.stringify(result.problems), ...result.problems.map((p) => `${p.path} ${p.message} ${p.hint}`)];
  if (result.config) {
    outputs.push(JSON.stringify(result.config), inspect(result.config, { depth: Infinity }), `${String(connectionAt(result, 0)?.password)}`);
  }
  try {
    requireValidPipeline(result, fileName);
  } catch (error) {
    outputs.push(error instanceof Error ? `${error.message}\n${error.stack ?? ''}` : String(error), JSON.stringify(error), inspect(error, { depth: Infinity }));
  }
  return outputs;
}

function expectNoMarker(outputs: readonly string[]): void {
  for (const text of outputs) expect(text).not.toContain(MARKER);
}

describe('secrets never leave the config as text', () => {
  it('a valid pipeline full of secrets: masked in problems, config serialisation and inspection', () => {
    const text = pipelineText(
      [
        managedSource({ 'kafka.api.key': 'OWNKEY', 'kafka.api.secret': s(1), 'connection.password': s(2), 'database.password': s(3) }),
        managedSink({ 'connection.password': s(4), 'pk.fields': undefined /* a warning, so problems are not empty */ }),
        jdbcSource({ name: 'j1', 'connection.url': `jdbc:mysql://app:${s(5)}@h:3306/db`, 'connection.password': undefined, 'topic.prefix': 'other.' }),
        jdbcSink({
          name: 'j2',
          'connection.url': `jdbc:sqlserver://h;databaseName=db;password={${s(6)}}`,
          'connection.password': undefined,
          'value.converter.basic.auth.user.info': `k:${s(7)}`,
          'value.converter.schema.registry.url': 'http://other:8081',
        }),
      ],
      {
        kafka: {
          'bootstrap.servers': 'pkc-1.westeurope.azure.confluent.cloud:9092',
          'sasl.jaas.config': `org.apache.kafka.common.security.plain.PlainLoginModule required username="K" password="${s(8)}";`,
          'ssl.key.password': s(9),
        },
        'schema.registry.url': `https://srkey:${s(10)}@psrc-1.westeurope.azure.confluent.cloud`,
      },
    );
    const result = parsePipelineFile(text, 'secrets.json');
    expect(result.config).toBeDefined();
    expect(result.problems.length).toBeGreaterThan(0);
    expectNoMarker(everyOutput(result, 'secrets.json'));
    // The values are still there for the drivers.
    expect(connectionAt(result, 2)?.password?.reveal()).toBe(s(5));
    expect(connectionAt(result, 3)?.password?.reveal()).toBe(s(6));
    expect(result.config?.kafka.sasl?.password.reveal()).toBe(s(8));
    expect(result.config?.connectors[0]?.originalSecrets['connection.password']?.reveal()).toBe(s(2));
  });

  it('invalid secrets and errors next to them: nothing echoed', () => {
    const text = pipelineText(
      [
        managedSource({ 'connection.password': [s(1)], 'kafka.api.secret': s(2), 'kafka.api.key': 'KEY' }),
        jdbcSource({ name: 'j1', 'connection.url': `jdbc:mysql://app:${s(3)}@h:notaport/db` }),
        jdbcSource({ name: 'j2', 'connection.url': `jdbc:oracle:thin:app/${s(4)}@h:1521:x` }),
        jdbcSink({ 'value.converter.basic.auth.user.info': s(5), 'connection.user': s(11) }),
        managedSink({ 'connection.password': s(6), 'kafka.api.secret': s(7) }),
      ],
      {
        kafka: { 'bootstrap.servers': 'h:9092', 'sasl.password': s(8), 'kafka.api.secret': s(9), 'sasl.jaas.config': `broken ${s(10)}` },
        'schema.registry.url': `not a url ${s(12)}`,
        'schema.registry.basic.auth.user.info': s(13),
      },
    );
    const result = parsePipelineFile(text, 'bad-secrets.json');
    expect(result.config).toBeUndefined();
    expect(result.problems.filter((p) => p.severity === 'error').length).toBeGreaterThan(5);
    expectNoMarker(everyOutput(result, 'bad-secrets.json'));
  });

  it('a syntax error inside a password string does not echo it', () => {
    const result = parsePipelineFile(`{\n  "kafka": { "sasl.password": "${s(1)}\n}`, 'broken.json');
    expect(result.problems[0]?.rule).toBe('json.syntax');
    expectNoMarker(everyOutput(result, 'broken.json'));
  });

  it('the JSON Schema and docs carry no secret examples or defaults', () => {
    const schema = JSON.stringify(pipelineJsonSchema());
    expect(schema).not.toContain(MARKER);
    for (const content of connectorDocs().values()) expect(content).not.toContain(MARKER);
    // Password keys are write-only and have neither default nor examples.
    const kafkaProps = (pipelineJsonSchema().properties as { kafka: { properties: Record<string, Record<string, unknown>> } }).kafka.properties;
    expect(kafkaProps['sasl.password']).toMatchObject({ type: 'string', writeOnly: true });
    expect(kafkaProps['sasl.password']).not.toHaveProperty('default');
    expect(kafkaProps['sasl.password']).not.toHaveProperty('examples');
  });

  it('Secret masks itself everywhere but reveal()', () => {
    const secret = new Secret(MARKER);
    expect(`${secret}`).toBe('****');
    expect(JSON.stringify({ secret })).toBe('{"secret":"****"}');
    expect(inspect({ secret })).not.toContain(MARKER);
    expect(secret.reveal()).toBe(MARKER);
  });
});
