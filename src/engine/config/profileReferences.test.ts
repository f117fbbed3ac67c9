import { describe, expect, it } from 'vitest';
import { parsePipelineFile } from './pipelineFile';
import type { ProfileLookup, ReferencedProfile } from './profileReferences';

const PROFILES: ReferencedProfile[] = [
  { kind: 'database', name: 'shop-db', product: 'mysql', host: 'db.example.com', port: 3307, database: 'shop', user: 'cdc', password: 'pw-shop-1', tls: 'require' },
  { kind: 'database', name: 'warehouse', product: 'postgres', host: 'pg.example.com', port: 5433, database: 'dw', user: 'loader', password: 'pw-dw-22', tls: 'disable' },
  { kind: 'database', name: 'forgotten', product: 'postgres', host: 'pg.example.com', port: 5433, database: 'dw', user: 'loader', password: undefined, tls: 'disable' },
  { kind: 'kafka', name: 'cloud', bootstrapServers: 'pkc-1.confluent.cloud:9092', securityProtocol: 'SASL_SSL', saslMechanism: 'PLAIN', saslUsername: 'KEY1', saslPassword: 'cloud-secret-333' },
  { kind: 'schemaRegistry', name: 'sr', url: 'https://psrc-1.confluent.cloud', basicAuthUser: 'SRKEY', basicAuthPassword: 'sr-secret-4444' },
];

const lookup: ProfileLookup = {
  find: (name) => {
    const profile = PROFILES.find((candidate) => candidate.name.toLowerCase() === name.toLowerCase());
    return profile ? { profile } : { problem: `No connection profile named "${name}"`, hint: 'Create it in Connections.' };
  },
  secretStorageHint: 'Tick "Keep secrets in a file readable only by me".',
};

function pipeline(source: Record<string, unknown>, sink: Record<string, unknown>, top: Record<string, unknown> = {}): string {
  return JSON.stringify({ name: 'p', kafka: { 'ferry.profile': 'cloud' }, 'schema.registry.profile': 'sr', connectors: [source, sink], ...top }, null, 2);
}

const SOURCE = { name: 'src', 'connector.class': 'MySqlSource', 'ferry.profile': 'shop-db', 'table.whitelist': 'orders', mode: 'incrementing', 'incrementing.column.name': 'id', 'topic.prefix': 'shop.', 'output.data.format': 'AVRO' };
const SINK = { name: 'dst', config: { 'connector.class': 'io.confluent.connect.jdbc.JdbcSinkConnector', 'ferry.profile': 'warehouse', topics: 'shop.orders', 'value.converter': 'io.confluent.connect.avro.AvroConverter' } };

describe('profile references in a pipeline file', () => {
  it('become the connection keys of each class, the Kafka block and the registry, and validate clean', () => {
    const result = parsePipelineFile(pipeline(SOURCE, SINK), 'p.json', { profiles: lookup });
    expect(result.problems.filter((p) => p.severity === 'error')).toEqual([]);
    const config = result.config;
    expect(config?.kafka.bootstrapServers).toEqual(['pkc-1.confluent.cloud:9092']);
    expect(config?.kafka.sasl?.username).toBe('KEY1');
    expect(config?.schemaRegistry?.urls ?? config?.schemaRegistry).toBeDefined();
    const [source, sink] = config?.connectors ?? [];
    expect(JSON.stringify(source)).toContain('db.example.com');
    expect(JSON.stringify(sink)).toContain('pg.example.com');
    // No problem text ever carries a resolved secret.
    expect(JSON.stringify(result.problems)).not.toMatch(/pw-shop-1|pw-dw-22|cloud-secret-333|sr-secret-4444/);
  });

  it('says "password not stored" for a profile whose secret this process does not have', () => {
    const result = parsePipelineFile(pipeline(SOURCE, { ...SINK, config: { ...SINK.config, 'ferry.profile': 'forgotten' } }), 'p.json', { profiles: lookup });
    const problem = result.problems.find((p) => p.rule === 'profile.secret-not-stored');
    expect(problem?.message).toContain('Profile "forgotten": password not stored');
    expect(problem?.path).toBe("$.connectors[1].config['ferry.profile']");
    expect(problem?.line).toBeGreaterThan(0);
    expect(result.config).toBeUndefined();
  });

  it('names an unknown profile, a profile of the wrong kind and a database of the wrong product', () => {
    const unknown = parsePipelineFile(pipeline({ ...SOURCE, 'ferry.profile': 'nope' }, SINK), 'p.json', { profiles: lookup });
    expect(unknown.problems.find((p) => p.rule === 'profile.unknown')?.message).toBe('No connection profile named "nope"');
    const wrongKind = parsePipelineFile(pipeline({ ...SOURCE, 'ferry.profile': 'cloud' }, SINK), 'p.json', { profiles: lookup });
    expect(wrongKind.problems.find((p) => p.rule === 'profile.wrong-kind')?.message).toContain('"cloud" is a Kafka profile');
    const wrongProduct = parsePipelineFile(pipeline({ ...SOURCE, 'ferry.profile': 'warehouse' }, SINK), 'p.json', { profiles: lookup });
    expect(wrongProduct.problems.find((p) => p.rule === 'profile.wrong-kind')?.message).toContain('PostgreSQL database, but MySqlSource connects to MySQL/MariaDB');
  });

  it('is an error saying who resolves it when no lookup is given', () => {
    const result = parsePipelineFile(pipeline(SOURCE, SINK), 'p.json');
    expect(result.problems.filter((p) => p.rule === 'profile.unresolved').length).toBe(4);
  });

  it('fills Debezium keys for a log source and warns about keys the profile replaces', () => {
    const debezium = { name: 'cdc', 'connector.class': 'io.debezium.connector.postgresql.PostgresConnector', 'ferry.profile': 'warehouse', 'database.hostname': 'old-host', 'topic.prefix': 'dw', 'table.include.list': 'public.orders' };
    const result = parsePipelineFile(pipeline(debezium, SINK), 'p.json', { profiles: lookup });
    expect(result.problems.find((p) => p.rule === 'profile.key-overridden')?.path).toBe("$.connectors[0]['database.hostname']");
    expect(JSON.stringify(result.config?.connectors[0])).toContain('pg.example.com');
  });
});
