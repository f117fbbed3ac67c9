import { describe, expect, it } from 'vitest';
import { maskPipelineSecrets } from './secretMask';

describe('maskPipelineSecrets', () => {
  it('masks connection passwords, SASL secrets and passwords inside JDBC URLs, and nothing else', () => {
    const text = JSON.stringify(
      {
        name: 'p',
        kafka: { 'bootstrap.servers': 'b:9092', 'sasl.jaas.config': 'org.apache.kafka.common.security.plain.PlainLoginModule required username="u" password="kafka-pw";' },
        connectors: [
          { 'connector.class': 'MySqlSource', 'connection.host': 'db', 'connection.password': 's3cret!', 'connection.user': 'ferry' },
          { 'connector.class': 'io.confluent.connect.jdbc.JdbcSinkConnector', 'connection.url': 'jdbc:postgresql://h:5432/d?user=x&password=url-pw' },
        ],
      },
      null,
      2,
    );
    const result = maskPipelineSecrets(text);
    expect(result).toBeDefined();
    for (const secret of ['s3cret!', 'kafka-pw', 'url-pw']) expect(result?.masked).not.toContain(secret);
    expect(result?.masked).toContain('"connection.user": "ferry"');
    const masked = JSON.parse(result?.masked ?? '') as { connectors: Record<string, string>[] };
    expect(masked.connectors[0]?.['connection.password']).toBe('****');
  });

  it('refuses text that is not JSON', () => {
    expect(maskPipelineSecrets('{ "name": ')).toBeUndefined();
  });
});
