import { describe, expect, it } from 'vitest';
import { parseReplicatorFile } from './replicatorFile';
import { maskPipelineSecrets } from './secretMask';
import { find, jdbcSink, jdbcSource, managedSink, managedSource, parse, pipelineText } from './testing';
import { parsePipelineFile } from './pipelineFile';

const RULE = 'secret.placeholder';
const TEMPLATE = '<lab password: ferry lab status --json>';

describe('a placeholder where a secret belongs is an error naming the key', () => {
  it('the editor template\'s "<lab password: …>" in connection.password', () => {
    const result = parse([jdbcSource({ 'connection.password': TEMPLATE }), jdbcSink()]);
    const [problem, ...rest] = find(result, RULE);
    expect(rest).toEqual([]);
    expect(problem).toMatchObject({ severity: 'error', path: "$.connectors[0]['connection.password']" });
    expect(problem?.message).toContain('`connection.password`');
    expect(problem?.message).toContain('placeholder');
    expect(problem?.line).toBeGreaterThan(0);
    expect(result.config).toBeUndefined();
  });

  it('a file saved by Ferry ("****" in place of each secret) no longer validates with no problems', () => {
    const full = pipelineText([jdbcSource(), jdbcSink({ 'connection.password': 'pw-real-one' })]);
    expect(parsePipelineFile(full, 'p.json').problems.filter((p) => p.severity === 'error')).toEqual([]);
    const saved = maskPipelineSecrets(full)?.masked ?? '';
    const result = parsePipelineFile(saved, 'p.json');
    expect(find(result, RULE).map((p) => p.path)).toEqual(["$.connectors[0]['connection.password']", "$.connectors[1]['connection.password']"]);
    expect(find(result, RULE)[0]?.message).toContain('the mask Ferry writes');
  });

  it('keys Ferry does not declare but that hold secrets by name (database.password), and SASL / registry secrets', () => {
    const result = parse([managedSource({ 'database.password': '****', 'kafka.api.key': 'K', 'kafka.api.secret': '<kafka api secret>' }), managedSink()], {
      kafka: { 'bootstrap.servers': '127.0.0.1:19092', 'security.protocol': 'SASL_PLAINTEXT', 'sasl.username': 'u', 'sasl.password': '****' },
      'schema.registry.basic.auth.user.info': 'srkey:<secret>',
    });
    expect(find(result, RULE).map((p) => p.path).sort()).toEqual(
      ["$.connectors[0]['database.password']", "$.connectors[0]['kafka.api.secret']", "$.kafka['sasl.password']", "$['schema.registry.basic.auth.user.info']"].sort(),
    );
  });

  it('secrets inside other values: a JAAS line, a JDBC URL, a Connect config provider', () => {
    const result = parse([
      jdbcSource({ 'connection.url': 'jdbc:mysql://app:****@127.0.0.1:13306/ferry', 'connection.password': undefined }),
      jdbcSink({ 'connection.password': '${file:/etc/secrets.properties:pg}' }),
    ], {
      kafka: { 'bootstrap.servers': '127.0.0.1:19092', 'security.protocol': 'SASL_PLAINTEXT', 'sasl.jaas.config': 'org.apache.kafka.common.security.plain.PlainLoginModule required username="u" password="****";' },
    });
    const problems = find(result, RULE);
    expect(problems.map((p) => p.path).sort()).toEqual(["$.connectors[0]['connection.url']", "$.connectors[1]['connection.password']", "$.kafka['sasl.jaas.config']"].sort());
    expect(problems.find((p) => p.path.endsWith("['connection.password']"))?.message).toContain('config-provider');
  });

  it('a bare replicator config with masked passwords, as `ferry replicate` reads it', () => {
    const text = JSON.stringify({
      'connector.class': 'io.confluent.connect.replicator.ReplicatorSourceConnector',
      name: 'rep',
      'src.kafka.bootstrap.servers': '127.0.0.1:19092',
      'src.kafka.security.protocol': 'SASL_PLAINTEXT',
      'src.kafka.sasl.jaas.config': 'org.apache.kafka.common.security.plain.PlainLoginModule required username="u" password="****";',
      'dest.kafka.bootstrap.servers': '127.0.0.1:29092',
      'topic.whitelist': 'a',
      // Ignored by Ferry: a placeholder there is not an error.
      'confluent.license': '<license key>',
    });
    const result = parseReplicatorFile(text, 'rep.json');
    expect(find(result, RULE).map((p) => p.path)).toEqual(["$['src.kafka.sasl.jaas.config']"]);
  });

  it('real secrets that merely contain stars or angle brackets are accepted', () => {
    const result = parse([jdbcSource({ 'connection.password': 'a****b' }), jdbcSink({ 'connection.password': '<x>y' })]);
    expect(find(result, RULE)).toEqual([]);
  });
});
