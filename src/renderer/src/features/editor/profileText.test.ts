import { describe, expect, it } from 'vitest';
import { applyProfile, fillFromLab, profileSlots } from './profileText';

const TEXT = JSON.stringify({
  name: 'p',
  kafka: { 'bootstrap.servers': 'h:9092', 'sasl.password': 'x' },
  connectors: [
    { name: 'src', 'connector.class': 'MySqlSource', 'connection.host': 'db', 'connection.password': 'pw', mode: 'bulk' },
    { name: 'dst', config: { 'connector.class': 'io.confluent.connect.jdbc.JdbcSinkConnector', 'connection.url': 'jdbc:postgresql://h/db', topics: 't' } },
    { name: 'copy', 'connector.class': 'io.confluent.connect.replicator.ReplicatorSourceConnector' },
  ],
});

describe('the editor\'s profile slots', () => {
  it('lists the Kafka cluster, the registry, each connector with a database, with its product, and a replicator\'s two clusters', () => {
    expect(profileSlots(TEXT)?.map((slot) => [slot.id, slot.kind, slot.product])).toEqual([
      ['kafka', 'kafka', undefined],
      ['registry', 'schemaRegistry', undefined],
      ['connector:0', 'database', 'mysql'],
      ['connector:1', 'database', 'postgres'],
      ['replicator:2:src', 'kafka', undefined],
      ['replicator:2:dest', 'kafka', undefined],
    ]);
  });

  it('names a profile where the connection keys were, and removes them', () => {
    const next = JSON.parse(applyProfile(TEXT, 'connector:0', 'shop-db') ?? '{}') as { connectors: Record<string, unknown>[] };
    expect(Object.keys(next.connectors[0] ?? {})).toEqual(['name', 'connector.class', 'ferry.profile', 'mode']);
    const rest = JSON.parse(applyProfile(TEXT, 'connector:1', 'dw') ?? '{}') as { connectors: { config: Record<string, unknown> }[] };
    expect(rest.connectors[1]?.config).toEqual({ 'connector.class': 'io.confluent.connect.jdbc.JdbcSinkConnector', 'ferry.profile': 'dw', topics: 't' });
  });

  it('fills every slot the lab serves and an embedded registry URL', () => {
    const filled = fillFromLab(TEXT);
    const document = JSON.parse(filled?.text ?? '{}') as { kafka: unknown; 'schema.registry.url': string; connectors: Record<string, unknown>[] };
    expect(document.kafka).toEqual({ 'ferry.profile': 'lab:kafka-a' });
    expect(document['schema.registry.url']).toBe('http://127.0.0.1:18081');
    expect(document.connectors[0]?.['ferry.profile']).toBe('lab:mariadb');
    expect(filled?.skipped).toEqual([]);
  });
});
