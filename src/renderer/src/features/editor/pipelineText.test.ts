import { describe, expect, it } from 'vitest';
import { newPipelineText, pipelineNameOf, wrapPastedConnector } from './pipelineText';

const defaults = { bootstrap: '127.0.0.1:19092', registry: 'http://127.0.0.1:18081' };

describe('wrapPastedConnector', () => {
  it('wraps a bare Confluent Cloud connector config into a pipeline that keeps it unchanged', () => {
    const pasted = { name: 'pg-sink', 'connector.class': 'PostgresSink', topics: 'orders', 'connection.host': 'db' };
    const wrapped = JSON.parse(wrapPastedConnector(JSON.stringify(pasted), defaults) ?? '{}') as Record<string, unknown>;
    expect(wrapped).toEqual({ name: 'pg-sink', kafka: { 'bootstrap.servers': defaults.bootstrap }, 'schema.registry.url': defaults.registry, connectors: [pasted] });
  });

  it('wraps a Kafka Connect REST body ({ name, config }) as is', () => {
    const pasted = { name: 'jdbc-source', config: { 'connector.class': 'io.confluent.connect.jdbc.JdbcSourceConnector', 'connection.url': 'jdbc:mysql://h/db' } };
    const wrapped = JSON.parse(wrapPastedConnector(JSON.stringify(pasted), defaults) ?? '{}') as { name: string; connectors: unknown[] };
    expect(wrapped.name).toBe('jdbc-source');
    expect(wrapped.connectors).toEqual([pasted]);
  });

  it('leaves pipelines, other JSON and broken text alone', () => {
    expect(wrapPastedConnector(newPipelineText(defaults), defaults)).toBeUndefined();
    expect(wrapPastedConnector('{"a": 1}', defaults)).toBeUndefined();
    expect(wrapPastedConnector('{"connector.class": ', defaults)).toBeUndefined();
  });
});

describe('pipelineNameOf', () => {
  it('reads the name from valid and from half-typed text', () => {
    expect(pipelineNameOf(newPipelineText(defaults))).toBe('orders-to-postgres');
    expect(pipelineNameOf('{ "name": "half", "kafka": {')).toBe('half');
    expect(pipelineNameOf('{}')).toBeUndefined();
  });
});
