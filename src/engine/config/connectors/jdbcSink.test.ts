import { describe, expect, it } from 'vitest';
import { find, jdbcSink, managedSink, only, parse, rules } from '../testing';
import { isJdbcSink, type ResolvedJdbcSink } from '../types';

function sink(result: ReturnType<typeof parse>): ResolvedJdbcSink {
  const connector = result.config?.connectors[0];
  if (!connector || !isJdbcSink(connector)) throw new Error(`no sink resolved: ${JSON.stringify(result.problems, null, 2)}`);
  return connector;
}

describe('JDBC sink: valid configs', () => {
  it('resolves a managed PostgresSink: UPPER-case enums, batch.sizes, managed defaults', () => {
    const result = parse([managedSink()]);
    expect(result.problems).toEqual([]);
    expect(sink(result)).toMatchObject({
      role: 'sink',
      dialect: 'postgres',
      flavor: 'managed',
      topics: { kind: 'list', topics: ['shop-orders'] },
      groupId: 'connect-snk',
      insertMode: 'upsert',
      pkMode: 'record_value',
      pkFields: ['id'],
      autoCreate: true,
      autoEvolve: false,
      deleteEnabled: false,
      batchSize: 1000,
      tableNameFormat: '${topic}',
      maxRetries: 10,
      retryBackoffMs: 3000,
      maxPollRecords: 500,
      key: undefined,
      value: { format: 'AVRO' },
      // Confluent Cloud's managed defaults: tolerate errors and dead-letter them.
      errors: { tolerance: 'all', deadLetterQueue: { topic: 'dlq-snk', contextHeadersEnable: true } },
    });
  });

  it('resolves a self-managed JdbcSinkConnector with Kafka Connect defaults', () => {
    const result = parse([jdbcSink({ 'batch.size': 200, 'insert.mode': 'upsert', 'pk.mode': 'record_key' })]);
    expect(result.problems).toEqual([]);
    expect(sink(result)).toMatchObject({
      flavor: 'self-managed',
      batchSize: 200,
      key: { format: 'AVRO' },
      errors: { tolerance: 'none', deadLetterQueue: undefined },
      connection: { dialect: 'postgres', port: 15432, database: 'ferry' },
    });
  });
});

describe('JDBC sink: keys and write modes', () => {
  it('needs pk.mode=record_key for delete.enabled', () => {
    const p = only(parse([managedSink({ 'delete.enabled': true })]), 'sink.delete-needs-record-key');
    expect(p).toMatchObject({ severity: 'error', path: "$.connectors[0]['delete.enabled']" });
    expect(p.message).toContain('pk.mode is record_value');
    const ok = parse([managedSink({ 'delete.enabled': 'true', 'pk.mode': 'record_key', 'pk.fields': undefined, 'input.key.format': 'AVRO' })]);
    expect(ok.problems).toEqual([]);
    expect(sink(ok).deleteEnabled).toBe(true);
  });

  it('needs key columns for upsert and update', () => {
    const update = only(parse([managedSink({ 'insert.mode': 'UPDATE', 'pk.mode': 'none', 'pk.fields': undefined })]), 'sink.upsert-needs-key');
    expect(update).toMatchObject({ severity: 'error', path: "$.connectors[0]['insert.mode']" });
    expect(update.message).toMatch(/update every row/);
    expect(only(parse([managedSink({ 'pk.mode': 'none', 'pk.fields': undefined })]), 'sink.upsert-needs-key').message).toMatch(/upsert/);
    expect(find(parse([managedSink({ 'insert.mode': 'insert', 'pk.mode': 'none', 'pk.fields': undefined })]), 'sink.upsert-needs-key')).toEqual([]);
  });

  it('warns that record_value without pk.fields keys on every column', () => {
    expect(only(parse([managedSink({ 'pk.fields': undefined })]), 'sink.record-value-all-fields')).toMatchObject({ severity: 'warning', path: "$.connectors[0]['pk.mode']" });
  });

  it('takes 0 or 3 pk.fields in kafka mode, and ignores them with none', () => {
    expect(only(parse([managedSink({ 'pk.mode': 'kafka', 'pk.fields': 'a,b' })]), 'sink.kafka-pk-fields').severity).toBe('error');
    expect(find(parse([managedSink({ 'pk.mode': 'kafka', 'pk.fields': 'a,b,c' })]), 'sink.kafka-pk-fields')).toEqual([]);
    expect(only(parse([managedSink({ 'insert.mode': 'insert', 'pk.mode': 'none' })]), 'sink.pk-fields-ignored').severity).toBe('warning');
  });

  it('needs input.key.format for record_key on managed sinks, and one pk.fields name for STRING keys', () => {
    const base = { 'pk.mode': 'record_key', 'pk.fields': undefined };
    expect(only(parse([managedSink(base)]), 'sink.record-key-needs-key-format').path).toBe("$.connectors[0]['input.key.format']");
    expect(only(parse([managedSink({ ...base, 'input.key.format': 'STRING' })]), 'sink.primitive-key-pk-fields').severity).toBe('error');
    const ok = parse([managedSink({ ...base, 'input.key.format': 'string', 'pk.fields': 'order_id' })]);
    expect(ok.problems).toEqual([]);
    expect(sink(ok).key?.format).toBe('STRING');
  });

  it('accepts insert.mode in lower or upper case and warns about mixed case', () => {
    expect(sink(parse([managedSink({ 'insert.mode': 'upsert' })])).insertMode).toBe('upsert');
    expect(only(parse([managedSink({ 'insert.mode': 'Upsert' })]), 'key.case').message).toMatch(/Kafka Connect accepts only "upsert" or "UPSERT"/);
  });
});

describe('JDBC sink: topics and tables', () => {
  it('needs exactly one of topics and topics.regex', () => {
    expect(only(parse([managedSink({ topics: undefined })]), 'sink.topics-missing').path).toBe('$.connectors[0].topics');
    expect(only(parse([managedSink({ 'topics.regex': 'shop-.*' })]), 'sink.topics-exclusive').severity).toBe('error');
    const regex = parse([managedSink({ topics: undefined, 'topics.regex': 'shop-.*' })]);
    expect(sink(regex).topics).toEqual({ kind: 'regex', regex: 'shop-.*' });
    expect(only(parse([managedSink({ topics: undefined, 'topics.regex': 'shop-(' })]), 'sink.topics-regex-invalid').severity).toBe('error');
    expect(only(parse([managedSink({ topics: 'shop orders' })]), 'sink.topic-illegal').severity).toBe('error');
  });

  it('warns when dots in topic names turn into schema separators', () => {
    const p = only(parse([jdbcSink({ topics: 'srv.dbo.orders' })]), 'sink.table-name-dots');
    expect(p.message).toBe('Topic "srv.dbo.orders" makes table name "srv.dbo.orders", which is read as catalog "srv", schema "dbo", table "orders"');
    expect(find(parse([jdbcSink({ topics: 'srv.dbo.orders', 'table.name.format': 'orders' })]), 'sink.table-name-dots')).toEqual([]);
  });

  it('warns when several topics write to one fixed table', () => {
    expect(only(parse([jdbcSink({ topics: 'a,b', 'table.name.format': 'all_rows' })]), 'sink.table-name-shared').severity).toBe('warning');
  });
});

describe('JDBC sink: formats', () => {
  it('refuses PROTOBUF and JSON_SR, naming what is supported', () => {
    for (const format of ['PROTOBUF', 'JSON_SR']) {
      const p = only(parse([managedSink({ 'input.data.format': format })]), 'format.unsupported');
      expect(p).toMatchObject({ severity: 'error', path: "$.connectors[0]['input.data.format']" });
      expect(p.message).toContain('Ferry supports AVRO and JSON');
    }
  });

  it('accepts JSON, warning that Confluent Cloud sinks would not', () => {
    const result = parse([managedSink({ 'input.data.format': 'JSON' })]);
    expect(rules(result)).toEqual(['sink.json-input']);
    expect(sink(result).value).toMatchObject({ format: 'JSON', schemaRegistry: undefined });
  });

  it('accepts JsonConverter with schema envelopes (its default) and schemaless', () => {
    const json = 'org.apache.kafka.connect.json.JsonConverter';
    const enveloped = parse([jdbcSink({ 'value.converter': json })]);
    expect(enveloped.problems).toEqual([]);
    expect(sink(enveloped).value).toMatchObject({ format: 'JSON', jsonSchemas: true });
    const ok = parse([jdbcSink({ 'value.converter': json, 'value.converter.schemas.enable': 'false' })]);
    expect(ok.problems).toEqual([]);
    expect(sink(ok).value).toMatchObject({ format: 'JSON', jsonSchemas: false });
  });

  it('refuses a managed format and a converter that disagree', () => {
    const p = only(parse([managedSink({ 'value.converter': 'org.apache.kafka.connect.json.JsonConverter' })]), 'format.conflict');
    expect(p.path).toBe("$.connectors[0]['value.converter']");
  });
});

describe('JDBC sink: dead letter queue', () => {
  it('warns that a DLQ needs errors.tolerance=all', () => {
    expect(only(parse([jdbcSink({ 'errors.deadletterqueue.topic.name': 'dlq-x' })]), 'sink.dlq-needs-tolerance-all').severity).toBe('warning');
    const ok = parse([jdbcSink({ 'errors.deadletterqueue.topic.name': 'dlq-x', 'errors.tolerance': 'all' })]);
    expect(ok.problems).toEqual([]);
    expect(sink(ok).errors.deadLetterQueue).toEqual({ topic: 'dlq-x', replicationFactor: 3, contextHeadersEnable: false });
  });

  it('warns that errors.tolerance=all without a dead letter topic drops records (managed sinks always have one)', () => {
    const dropping = only(parse([jdbcSink({ 'errors.tolerance': 'all' })]), 'sink.tolerance-all-drops');
    expect(dropping.severity).toBe('warning');
    expect(dropping.path).toBe("$.connectors[0]['errors.tolerance']");
    expect(dropping.message).toMatch(/dropped/);
    expect(find(parse([jdbcSink({ 'errors.tolerance': 'all', 'errors.deadletterqueue.topic.name': 'dlq-x' })]), 'sink.tolerance-all-drops')).toEqual([]);
    expect(find(parse([managedSink()]), 'sink.tolerance-all-drops')).toEqual([]);
    expect(find(parse([jdbcSink()]), 'sink.tolerance-all-drops')).toEqual([]);
  });

  it('refuses an illegal DLQ topic and a sink reading its own DLQ', () => {
    expect(only(parse([jdbcSink({ 'errors.deadletterqueue.topic.name': 'dlq x', 'errors.tolerance': 'all' })]), 'sink.dlq-topic-illegal').severity).toBe('error');
    expect(only(parse([managedSink({ topics: 'shop-orders,dlq-snk' })]), 'sink.reads-own-dlq').severity).toBe('error');
    expect(only(parse([managedSink({ topics: undefined, 'topics.regex': '.*' })]), 'sink.reads-own-dlq').path).toBe("$.connectors[0]['topics.regex']");
  });

  it('has no DLQ for a managed sink with errors.tolerance=none', () => {
    expect(sink(parse([managedSink({ 'errors.tolerance': 'none' })])).errors.deadLetterQueue).toBeUndefined();
  });
});
