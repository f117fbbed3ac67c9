import { describe, expect, it } from 'vitest';
import type { RecordSchema } from '../model';
import { type AvroSchemaJson, canonicalAvroString, parseAvroSchemaText } from './avroJson';
import { avroToRecordSchema, recordSchemaToAvro, scrubAvroName } from './avroMapping';
import { allTypes } from './testFixtures';

/**
 * Verbatim schema text that Confluent's AvroConverter produced for a Kafka Connect JDBC source table (quoted in
 * an AWS Glue registry error log, see find_string "scale":"2","connect.decimal.precision"): a DECIMAL(5,2) NULL,
 * two TINYINT NULL, a TIMESTAMP NOT NULL and two VARCHAR NOT NULL.
 */
const CONNECT_JDBC_GOLDEN =
  '{"type":"record","name":"gn_news_company_table","fields":[{"name":"news_url_md5","type":"string"},{"name":"company_code","type":"string"},' +
  '{"name":"relevance","type":["null",{"type":"bytes","scale":2,"precision":5,"connect.version":1,"connect.parameters":{"scale":"2","connect.decimal.precision":"5"},' +
  '"connect.name":"org.apache.kafka.connect.data.Decimal","logicalType":"decimal"}],"default":null},{"name":"ncc_flag","type":["null",{"type":"int","connect.type":"int8"}],"default":null},' +
  '{"name":"published_at","type":{"type":"long","connect.version":1,"connect.name":"org.apache.kafka.connect.data.Timestamp","logicalType":"timestamp-millis"}},' +
  '{"name":"use_flag","type":["null",{"type":"int","connect.type":"int8"}],"default":null}],"connect.name":"gn_news_company_table"}';

const goldenTable: RecordSchema = {
  name: 'gn_news_company_table',
  fields: [
    { name: 'news_url_md5', type: { kind: 'string' }, optional: false },
    { name: 'company_code', type: { kind: 'string' }, optional: false },
    { name: 'relevance', type: { kind: 'decimal', precision: 5, scale: 2 }, optional: true },
    { name: 'ncc_flag', type: { kind: 'int8' }, optional: true },
    { name: 'published_at', type: { kind: 'timestamp' }, optional: false },
    { name: 'use_flag', type: { kind: 'int8' }, optional: true },
  ],
};

describe('RecordSchema → Avro (Connect AvroData shape)', () => {
  it('writes byte for byte what Connect registered for a JDBC source table', () => {
    expect(canonicalAvroString(recordSchemaToAvro(goldenTable))).toBe(CONNECT_JDBC_GOLDEN);
  });

  it('maps every column type with the connect.* annotations Connect writes', () => {
    const avro = recordSchemaToAvro(allTypes);
    expect(avro.fields.map((f) => [f.name, f.type, f.default])).toEqual([
      ['id', 'long', undefined],
      ['tiny', { type: 'int', 'connect.type': 'int8' }, undefined],
      ['small', ['null', { type: 'int', 'connect.type': 'int16' }], null],
      ['qty', 'int', undefined],
      ['ratio', ['null', 'float'], null],
      ['price', 'double', undefined],
      ['active', 'boolean', undefined],
      ['note', ['null', 'string'], null],
      ['blob', ['null', 'bytes'], null],
      [
        'amount',
        {
          type: 'bytes',
          scale: 2,
          precision: 10,
          'connect.version': 1,
          'connect.parameters': { scale: '2', 'connect.decimal.precision': '10' },
          'connect.name': 'org.apache.kafka.connect.data.Decimal',
          logicalType: 'decimal',
        },
        undefined,
      ],
      [
        'discount',
        [
          'null',
          {
            type: 'bytes',
            scale: 10,
            precision: 38,
            'connect.version': 1,
            'connect.parameters': { scale: '10', 'connect.decimal.precision': '38' },
            'connect.name': 'org.apache.kafka.connect.data.Decimal',
            logicalType: 'decimal',
          },
        ],
        null,
      ],
      ['day', { type: 'int', 'connect.version': 1, 'connect.name': 'org.apache.kafka.connect.data.Date', logicalType: 'date' }, undefined],
      ['at', ['null', { type: 'int', 'connect.version': 1, 'connect.name': 'org.apache.kafka.connect.data.Time', logicalType: 'time-millis' }], null],
      ['updated_at', { type: 'long', 'connect.version': 1, 'connect.name': 'org.apache.kafka.connect.data.Timestamp', logicalType: 'timestamp-millis' }, undefined],
      [
        'seen_at',
        ['null', { type: 'long', 'connect.version': 1, 'connect.name': 'org.apache.kafka.connect.data.Timestamp', logicalType: 'timestamp-millis' }],
        null,
      ],
    ]);
    expect(avro['connect.name']).toBe('orders');
  });

  it('names an unnamed schema ConnectDefault (query mode) and splits dotted names into a namespace', () => {
    expect(canonicalAvroString(recordSchemaToAvro({ name: '', fields: [{ name: 'x', type: { kind: 'int32' }, optional: false }] }))).toBe(
      '{"type":"record","name":"ConnectDefault","namespace":"io.confluent.connect.avro","fields":[{"name":"x","type":"int"}]}',
    );
    const dotted = recordSchemaToAvro({ name: 'shop.dbo.orders', fields: [] });
    expect([dotted.name, dotted.namespace, dotted['connect.name']]).toEqual(['orders', 'shop.dbo', 'shop.dbo.orders']);
  });

  it('writes defaults as Connect does: [T, "null"] with the value, and connect.default on the type', () => {
    const avro = recordSchemaToAvro({
      name: 't',
      fields: [
        { name: 'status', type: { kind: 'string' }, optional: true, defaultValue: 'NEW' },
        { name: 'amount', type: { kind: 'decimal', precision: 5, scale: 2 }, optional: false, defaultValue: '1.00' },
        { name: 'big', type: { kind: 'int64' }, optional: false, defaultValue: 9007199254740993n },
      ],
    });
    expect(canonicalAvroString(avro)).toBe(
      '{"type":"record","name":"t","fields":[' +
        '{"name":"status","type":[{"type":"string","connect.default":"NEW"},"null"],"default":"NEW"},' +
        '{"name":"amount","type":{"type":"bytes","scale":2,"precision":5,"connect.version":1,"connect.parameters":{"scale":"2","connect.decimal.precision":"5"},' +
        '"connect.default":"d","connect.name":"org.apache.kafka.connect.data.Decimal","logicalType":"decimal"},"default":"d"},' +
        '{"name":"big","type":{"type":"long","connect.default":9007199254740993},"default":9007199254740993}],"connect.name":"t"}',
    );
  });

  it('scrubs invalid names the way AvroData.doScrubName does', () => {
    expect(scrubAvroName('orders')).toBe('orders');
    expect(scrubAvroName('order-lines')).toBe('order_lines');
    expect(scrubAvroName('2024 sales')).toBe('x2024_sales');
    expect(scrubAvroName('prix€')).toBe('prix_E2_82_AC');
    const avro = recordSchemaToAvro({ name: 'order-lines', fields: [{ name: 'unit price', type: { kind: 'int32' }, optional: false }] });
    expect([avro.name, avro['connect.name'], avro.fields[0]?.name]).toEqual(['order_lines', 'order-lines', 'unit_price']);
  });

  it('refuses two columns that scrub to the same Avro name, naming both', () => {
    expect(() =>
      recordSchemaToAvro({
        name: 't',
        fields: [
          { name: 'a-b', type: { kind: 'int32' }, optional: false },
          { name: 'a_b', type: { kind: 'int32' }, optional: false },
        ],
      }),
    ).toThrow(/'a-b' and 'a_b'.*'a_b'/);
  });
});

describe('Avro → RecordSchema (Connect AvroData.toConnectSchema)', () => {
  it('reads Connect golden text back into the same RecordSchema', () => {
    expect(avroToRecordSchema(parseAvroSchemaText(CONNECT_JDBC_GOLDEN))).toEqual(goldenTable);
  });

  it('round-trips every type through Avro', () => {
    expect(avroToRecordSchema(recordSchemaToAvro(allTypes))).toEqual(allTypes);
    const withDefaults: RecordSchema = {
      name: 'd',
      fields: [
        { name: 's', type: { kind: 'string' }, optional: true, defaultValue: 'NEW' },
        { name: 'n', type: { kind: 'decimal', precision: 9, scale: 3 }, optional: false, defaultValue: '-1.250' },
        { name: 'day', type: { kind: 'date' }, optional: false, defaultValue: new Date('2024-02-29T00:00:00Z') },
        { name: 'big', type: { kind: 'int64' }, optional: false, defaultValue: 42n },
      ],
    };
    expect(avroToRecordSchema(recordSchemaToAvro(withDefaults))).toEqual(withDefaults);
  });

  it('recognises only the millis logical types, as Connect does, unless micros are honoured', () => {
    const plain = {
      type: 'record',
      name: 'ev',
      namespace: 'com.acme',
      fields: [
        { name: 'ts_us', type: { type: 'long', logicalType: 'timestamp-micros' } },
        { name: 't_us', type: { type: 'long', logicalType: 'time-micros' } },
        { name: 'local', type: { type: 'long', logicalType: 'local-timestamp-millis' } },
        { name: 'ts_ms', type: { type: 'long', logicalType: 'timestamp-millis' } },
        { name: 'd', type: { type: 'int', logicalType: 'date' } },
        { name: 'kind', type: { type: 'enum', name: 'Kind', symbols: ['A', 'B'] } },
        { name: 'kind2', type: ['null', 'Kind'], default: null },
        { name: 'money', type: { type: 'fixed', name: 'Money', size: 8, logicalType: 'decimal', precision: 18, scale: 4 } },
        { name: 'raw', type: 'bytes' },
        { name: 'dec0', type: { type: 'bytes', logicalType: 'decimal' } },
      ],
    };
    const asConnect = avroToRecordSchema(plain as AvroSchemaJson);
    expect(asConnect.name).toBe('com.acme.ev');
    expect(asConnect.fields.map((f) => [f.name, f.type, f.optional])).toEqual([
      ['ts_us', { kind: 'int64' }, false],
      ['t_us', { kind: 'int64' }, false],
      ['local', { kind: 'int64' }, false],
      ['ts_ms', { kind: 'timestamp' }, false],
      ['d', { kind: 'date' }, false],
      ['kind', { kind: 'string' }, false],
      ['kind2', { kind: 'string' }, true],
      ['money', { kind: 'decimal', precision: 18, scale: 4 }, false],
      ['raw', { kind: 'bytes' }, false],
      ['dec0', { kind: 'decimal', precision: 64, scale: 0 }, false],
    ]);
    const honoured = avroToRecordSchema(plain as AvroSchemaJson, { honourMicros: true });
    expect(honoured.fields.slice(0, 3).map((f) => f.type.kind)).toEqual(['timestamp', 'time', 'timestamp']);
  });

  it('treats Connect logical names without logicalType as the logical type, and [T, "null"] as optional', () => {
    const schema = avroToRecordSchema({
      type: 'record',
      name: 'x',
      fields: [
        { name: 'd', type: [{ type: 'int', 'connect.name': 'org.apache.kafka.connect.data.Date' }, 'null'], default: 0 },
        {
          name: 'm',
          type: { type: 'bytes', 'connect.name': 'org.apache.kafka.connect.data.Decimal', 'connect.parameters': { scale: '3' } },
        },
      ],
    });
    expect(schema.fields).toEqual([
      { name: 'd', type: { kind: 'date' }, optional: true, defaultValue: new Date(0) },
      { name: 'm', type: { kind: 'decimal', precision: 64, scale: 3 }, optional: false },
    ]);
  });

  it('keeps the source column type Debezium propagates', () => {
    const schema = avroToRecordSchema({
      type: 'record',
      name: 'Value',
      namespace: 'srv.inventory.customers',
      fields: [
        {
          name: 'email',
          type: {
            type: 'string',
            'connect.parameters': { '__debezium.source.column.type': 'VARCHAR', '__debezium.source.column.length': '255' },
          },
        },
      ],
      'connect.name': 'srv.inventory.customers.Value',
    });
    expect(schema.name).toBe('srv.inventory.customers.Value');
    expect(schema.fields[0]?.sourceType).toBe('VARCHAR(255)');
  });

  it('rejects shapes a row cannot hold with an error naming the field', () => {
    const record = (type: unknown) => ({ type: 'record', name: 'orders', fields: [{ name: 'id', type: 'long' }, { name: 'bad', type }] });
    expect(() => avroToRecordSchema(record({ type: 'array', items: 'string' }) as never)).toThrow(/Field 'bad' of 'orders' is an Avro array/);
    expect(() => avroToRecordSchema(record({ type: 'map', values: 'long' }) as never)).toThrow(/Field 'bad' of 'orders' is an Avro map/);
    expect(() => avroToRecordSchema(record({ type: 'record', name: 'Addr', fields: [] }) as never)).toThrow(
      /Field 'bad' of 'orders' is a nested Avro record/,
    );
    expect(() => avroToRecordSchema(record(['null', 'string', 'long']) as never)).toThrow(/Field 'bad' of 'orders' is the Avro union/);
    try {
      avroToRecordSchema(record({ type: 'array', items: 'string' }) as never);
    } catch (error) {
      expect((error as { code: string }).code).toBe('SCHEMA_UNSUPPORTED_TYPE');
    }
    expect(() => avroToRecordSchema('"string"')).toThrow(/Ferry maps Avro records to rows/);
  });

  it('maps an unnamed Connect record (ConnectDefault) back to an unnamed schema', () => {
    expect(avroToRecordSchema({ type: 'record', name: 'ConnectDefault', namespace: 'io.confluent.connect.avro', fields: [] }).name).toBe('');
  });
});

describe("Debezium's semantic types (io.debezium.time.*, io.debezium.data.*)", () => {
  const schema: RecordSchema = {
    name: 'p.db.t.Value',
    fields: [
      { name: 'dt6', type: { kind: 'int64', semantic: { name: 'io.debezium.time.MicroTimestamp', version: 1 } }, optional: true },
      { name: 'bits', type: { kind: 'bytes', semantic: { name: 'io.debezium.data.Bits', version: 1, parameters: { length: '12' } } }, optional: false },
      { name: 'ts', type: { kind: 'string', semantic: { name: 'io.debezium.time.ZonedTimestamp', version: 1 } }, optional: true },
    ],
  };

  it('are written as AvroData writes a named primitive: connect.version, connect.parameters, then connect.name', () => {
    expect(canonicalAvroString(recordSchemaToAvro(schema))).toBe(
      '{"type":"record","name":"Value","namespace":"p.db.t","fields":[' +
        '{"name":"dt6","type":["null",{"type":"long","connect.version":1,"connect.name":"io.debezium.time.MicroTimestamp"}],"default":null},' +
        '{"name":"bits","type":{"type":"bytes","connect.version":1,"connect.parameters":{"length":"12"},"connect.name":"io.debezium.data.Bits"}},' +
        '{"name":"ts","type":["null",{"type":"string","connect.version":1,"connect.name":"io.debezium.time.ZonedTimestamp"}],"default":null}],' +
        '"connect.name":"p.db.t.Value"}',
    );
  });

  it('are read back as the dates and instants they stand for (a sink creates timestamp columns), other names kept', () => {
    expect(avroToRecordSchema(recordSchemaToAvro(schema)).fields.map((field) => field.type)).toEqual([
      { kind: 'timestamp' },
      { kind: 'bytes', semantic: { name: 'io.debezium.data.Bits', version: 1, parameters: { length: '12' } } },
      { kind: 'timestamp' },
    ]);
  });
});
