import { describe, expect, it } from 'vitest';
import { parseConfigFiles } from './configFiles';
import type { ProfileLookup, ReferencedProfile } from './profileReferences';

const PROFILES: ReferencedProfile[] = [
  { kind: 'kafka', name: 'lab:kafka-a', bootstrapServers: '127.0.0.1:19092', securityProtocol: 'PLAINTEXT' },
  { kind: 'kafka', name: 'cloud', bootstrapServers: 'pkc-1.confluent.cloud:9092', securityProtocol: 'SASL_SSL', saslMechanism: 'PLAIN', saslUsername: 'KEY1', saslPassword: 'cloud-secret-333' },
  { kind: 'kafka', name: 'cloud-no-secret', bootstrapServers: 'pkc-2.confluent.cloud:9092', securityProtocol: 'SASL_SSL', saslMechanism: 'PLAIN', saslUsername: 'KEY2' },
  { kind: 'schemaRegistry', name: 'lab:registry-a', url: 'http://127.0.0.1:18081' },
  { kind: 'schemaRegistry', name: 'sr', url: 'https://psrc-1.confluent.cloud', basicAuthUser: 'SRKEY', basicAuthPassword: 'sr-secret-4444' },
  { kind: 'database', name: 'shop-db', product: 'mysql', host: 'db.example.com', port: 3307, database: 'shop', user: 'cdc', password: 'pw', tls: 'require' },
];

const lookup: ProfileLookup = {
  find: (name) => {
    const profile = PROFILES.find((candidate) => candidate.name === name);
    return profile ? { profile } : { problem: `No connection profile named "${name}"`, hint: 'Create it in Connections.' };
  },
  secretStorageHint: '',
};

const BASE = { name: 'copy', 'connector.class': 'io.confluent.connect.replicator.ReplicatorSourceConnector', 'topic.whitelist': 'orders', 'topic.rename.format': '${topic}.replica' };

function parse(config: Record<string, unknown>) {
  return parseConfigFiles([{ text: JSON.stringify(config), fileName: 'replicator.json' }], { profiles: lookup });
}

describe('a replicator names profiles for its clusters and registries', () => {
  it('takes source and destination clusters and both registries from profiles (saved or lab:*), secrets included', () => {
    const result = parse({
      ...BASE,
      'src.kafka.ferry.profile': 'lab:kafka-a',
      'dest.kafka.ferry.profile': 'cloud',
      'src.schema.registry.profile': 'lab:registry-a',
      'schema.registry.profile': 'sr',
    });
    expect(result.problems.filter((problem) => problem.severity === 'error')).toEqual([]);
    const replicator = result.config?.replicators[0];
    expect(replicator?.source.bootstrapServers).toEqual(['127.0.0.1:19092']);
    expect(replicator?.destination.bootstrapServers).toEqual(['pkc-1.confluent.cloud:9092']);
    expect(replicator?.destination.sasl).toMatchObject({ mechanism: 'PLAIN', username: 'KEY1' });
    expect(JSON.stringify(replicator?.schemaMigration)).toContain('http://127.0.0.1:18081');
    expect(JSON.stringify(replicator?.schemaMigration)).toContain('https://psrc-1.confluent.cloud');
    expect(JSON.stringify(result.problems)).not.toMatch(/cloud-secret-333|sr-secret-4444/);
  });

  it('says "password not stored", a wrong kind and a key written twice, each at the key the user wrote', () => {
    const missing = parse({ ...BASE, 'src.kafka.ferry.profile': 'lab:kafka-a', 'dest.kafka.ferry.profile': 'cloud-no-secret' });
    expect(missing.problems.find((problem) => problem.rule === 'profile.secret-not-stored')?.path).toBe("$['dest.kafka.ferry.profile']");

    const wrongKind = parse({ ...BASE, 'src.kafka.ferry.profile': 'shop-db', 'dest.kafka.bootstrap.servers': '127.0.0.1:29092' });
    const problem = wrongKind.problems.find((candidate) => candidate.rule === 'profile.wrong-kind');
    expect(problem?.message).toContain('"shop-db" is a database profile; here a Kafka profile is needed');

    const twice = parse({ ...BASE, 'src.kafka.ferry.profile': 'lab:kafka-a', 'src.kafka.bootstrap.servers': 'elsewhere:9092', 'dest.kafka.bootstrap.servers': '127.0.0.1:29092' });
    expect(twice.problems.find((candidate) => candidate.rule === 'profile.key-overridden')?.path).toBe("$['src.kafka.bootstrap.servers']");
  });

  it('points ferry.profile on a replicator to the keys it takes', () => {
    const result = parse({ ...BASE, 'ferry.profile': 'shop-db', 'src.kafka.bootstrap.servers': '127.0.0.1:19092', 'dest.kafka.bootstrap.servers': '127.0.0.1:29092' });
    expect(result.problems.find((problem) => problem.rule === 'profile.unsupported')?.hint).toContain('src.kafka.ferry.profile');
  });

  it('refuses replicator cluster keys on a connector that is not a replicator', () => {
    const result = parseConfigFiles(
      [{ text: JSON.stringify({ name: 's', 'connector.class': 'MySqlSource', 'ferry.profile': 'shop-db', 'src.kafka.ferry.profile': 'lab:kafka-a', 'table.whitelist': 'orders', mode: 'bulk', 'kafka.bootstrap.servers': 'x:1' }), fileName: 'c.json' }],
      { profiles: lookup },
    );
    expect(result.problems.find((problem) => problem.path === "$['src.kafka.ferry.profile']")?.message).toContain('names a replicator\'s cluster');
  });
});
