import mysql from 'mysql2/promise';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { ResolvedSerde, ResolvedTransform } from '../../src/engine/config';
import type { ResolvedSinkBase } from '../../src/engine/connectors/port';
import { openSqlSession } from '../../src/engine/db';
import type { FieldType, RecordSchema, Row, SinkRecord } from '../../src/engine/model';
import { SinkRecordDecoder } from '../../src/engine/pipeline/sinkDecoder';
import { AvroConverter, type ChangeEvent, DebeziumEnvelopeCodec, encodeFrame, type EmbeddedSchemaRegistry, SchemaRegistryClient, startEmbeddedSchemaRegistry } from '../../src/engine/schema';
import { createDialect } from '../../src/engine/sinks/sql/dialects';
import { SqlSinkWriter } from '../../src/engine/sinks/sql/sinkWriter';
import type { DatabaseEndpoint } from '../../src/shared/api/lab';
import { uniqueName } from '../helpers/names';

// The values a SQL sink writes, pinned as the text each target stores (issue 13 made the sink's value path cheaper:
// PostgreSQL array text built by Ferry, timestamps formatted from epoch ms, rows-only envelope reads, promise-free
// decoding). Every column kind goes the whole sink path except Kafka: a Debezium Avro change event decoded by the
// sink's decoder (ExtractNewRecordState), then SqlSinkWriter's upsert/delete with auto.create, into PostgreSQL
// (columnar unnest statements) and MariaDB (multi-row VALUES). A change in any written value fails this test.

const endpoints = inject('labEndpoints');

interface Target {
  label: string;
  dialect: 'postgres' | 'mysql';
  endpoint: DatabaseEndpoint;
  /** Reads every column as text, ordered by id. */
  readText(table: string, columns: readonly { name: string; type: FieldType }[]): Promise<Record<string, string | null>[]>;
  drop(table: string): Promise<void>;
}

function postgresTarget(endpoint: DatabaseEndpoint): Target {
  const text = (column: string, type: FieldType): string => {
    switch (type.kind) {
      case 'bytes':
        return `encode("${column}", 'hex')`;
      case 'boolean':
        return `"${column}"::int::text`;
      case 'timestamp':
        return `to_char("${column}", 'YYYY-MM-DD HH24:MI:SS.MS')`;
      case 'time':
        return `to_char("${column}", 'HH24:MI:SS.MS')`;
      default:
        return `"${column}"::text`;
    }
  };
  const query = async (sql: string) => {
    const client = new pg.Client({ ...endpoint });
    await client.connect();
    try {
      return (await client.query(sql)).rows as Record<string, string | null>[];
    } finally {
      await client.end();
    }
  };
  return {
    label: 'PostgreSQL',
    dialect: 'postgres',
    endpoint,
    readText: (table, columns) => query(`SELECT ${columns.map((column) => `${text(column.name, column.type)} AS "${column.name}"`).join(', ')} FROM "${table}" ORDER BY "id"`),
    drop: async (table) => void (await query(`DROP TABLE IF EXISTS "${table}"`)),
  };
}

function mariadbTarget(endpoint: DatabaseEndpoint): Target {
  const text = (column: string, type: FieldType): string => (type.kind === 'bytes' ? `LOWER(HEX(\`${column}\`))` : type.kind === 'string' ? `\`${column}\`` : `CAST(\`${column}\` AS CHAR)`);
  const query = async (sql: string) => {
    const connection = await mysql.createConnection({ ...endpoint });
    try {
      const [rows] = await connection.query(sql);
      return (Array.isArray(rows) ? rows : []) as Record<string, string | null>[];
    } finally {
      await connection.end();
    }
  };
  return {
    label: 'MariaDB',
    dialect: 'mysql',
    endpoint,
    readText: (table, columns) => query(`SELECT ${columns.map((column) => `${text(column.name, column.type)} AS \`${column.name}\``).join(', ')} FROM \`${table}\` ORDER BY \`id\``),
    drop: async (table) => void (await query(`DROP TABLE IF EXISTS \`${table}\``)),
  };
}

const column = (name: string, type: FieldType) => ({ name, type, optional: true });
const VALUE_COLUMNS = [
  column('tiny', { kind: 'int8' }),
  column('small', { kind: 'int16' }),
  column('qty', { kind: 'int32' }),
  column('big', { kind: 'int64' }),
  column('ratio', { kind: 'float32' }),
  column('price', { kind: 'float64' }),
  column('flag', { kind: 'boolean' }),
  column('note', { kind: 'string' }),
  column('blob', { kind: 'bytes' }),
  column('amount', { kind: 'decimal', precision: 30, scale: 10 }),
  column('day', { kind: 'date' }),
  column('clock', { kind: 'time' }),
  column('at', { kind: 'timestamp' }),
];
const ID = { name: 'id', type: { kind: 'int64' } as FieldType, optional: false };
const ALL_BYTES = Buffer.from(Array.from({ length: 256 }, (_, index) => index));
const NULLS: Row = Object.fromEntries(VALUE_COLUMNS.map((field) => [field.name, null]));

/** Rows as the source writes them, and the text each must be stored as (the same on both targets). */
const first: Row = {
  tiny: -128,
  small: 32767,
  qty: -2147483648,
  big: 9_223_372_036_854_775_807n,
  ratio: 0.5,
  price: 123456.789,
  flag: true,
  note: 'a "quoted", {braced} \\back\\slash\\ NULL',
  blob: ALL_BYTES,
  amount: '-12345678901234567890.0123456789',
  day: new Date('1000-01-01T00:00:00.000Z'),
  clock: 0,
  at: new Date('9999-12-31T23:59:59.999Z'),
};
const firstText = {
  tiny: '-128',
  small: '32767',
  qty: '-2147483648',
  big: '9223372036854775807',
  ratio: '0.5',
  price: '123456.789',
  flag: '1',
  note: 'a "quoted", {braced} \\back\\slash\\ NULL',
  blob: ALL_BYTES.toString('hex'),
  amount: '-12345678901234567890.0123456789',
  day: '1000-01-01',
  clock: '00:00:00.000',
  at: '9999-12-31 23:59:59.999',
};
const third: Row = {
  tiny: 127,
  small: -32768,
  qty: 2147483647,
  big: -9_223_372_036_854_775_808n,
  ratio: -1.25,
  price: -0.001,
  flag: false,
  note: '',
  blob: Buffer.alloc(0),
  amount: '0.0000000001',
  day: new Date('9999-12-31T00:00:00.000Z'),
  clock: 86_399_999,
  at: new Date('1970-01-01T00:00:00.000Z'),
};
const thirdText = {
  tiny: '127',
  small: '-32768',
  qty: '2147483647',
  big: '-9223372036854775808',
  ratio: '-1.25',
  price: '-0.001',
  flag: '0',
  note: '',
  blob: '',
  amount: '0.0000000001',
  day: '9999-12-31',
  clock: '23:59:59.999',
  at: '1970-01-01 00:00:00.000',
};
const nullText = Object.fromEntries(VALUE_COLUMNS.map((field) => [field.name, null]));

let registry: EmbeddedSchemaRegistry;

beforeAll(async () => {
  registry = await startEmbeddedSchemaRegistry();
});

afterAll(async () => {
  await registry?.close();
});

describe.each([postgresTarget(endpoints.postgres), mariadbTarget(endpoints.mariadb)])('values a SQL sink writes to $label', (target) => {
  const topics: string[] = [];

  afterAll(async () => {
    for (const topic of topics) await target.drop(topic);
  });

  // Both ways the decoder reads timestamps: Dates, and epoch milliseconds as it reads them for a SQL sink plug-in
  // (SqlSink.takesEpochMsTimestamps); the first record of a schema is read with Dates either way (the promise path).
  it.each([false, true])('stores every column kind as its exact text through decode, upsert (with a repeated key) and delete (timestamps as epoch ms: %s)', async (timestampsAsEpochMs) => {
    const topic = uniqueName('sink_values');
    topics.push(topic);
    const client = new SchemaRegistryClient({ url: registry.url });
    const valueSchema: RecordSchema = { name: `${topic}.Value`, fields: [ID, ...VALUE_COLUMNS] };
    const keySchema: RecordSchema = { name: `${topic}.Key`, fields: [ID] };
    const envelope = new DebeziumEnvelopeCodec(topic, valueSchema, 'mysql', 'test');
    const envelopeId = await client.register(`${topic}-value`, envelope.schemaText);
    const keys = new AvroConverter({ registry: client });
    const avro = { format: 'AVRO', schemaRegistry: { urls: [registry.url], basicAuth: undefined }, subjectNameStrategy: 'TopicNameStrategy', autoRegisterSchemas: true, useLatestVersion: false } as unknown as ResolvedSerde<'AVRO'>;
    const unwrap: ResolvedTransform = { alias: 'unwrap', type: 'io.debezium.transforms.ExtractNewRecordState', supported: true, config: { 'drop.tombstones': 'false', 'delete.handling.mode': 'none' }, predicate: undefined, negate: false };
    const decoder = new SinkRecordDecoder({ key: avro, value: avro, transforms: [unwrap], predicates: [] } as unknown as ResolvedSinkBase, { timestampsAsEpochMs });
    const source = { connector: 'mysql', name: 'srv', tsMs: 1_764_979_200_000, snapshot: 'false', db: 'shop', table: topic, serverId: 1, gtid: null, file: 'binlog.000001', pos: 4, row: 0 } as const;
    let offset = 0;
    const decode = async (id: bigint, op: 'c' | 'u' | 'd', row: Row | null): Promise<SinkRecord> => {
      const event: ChangeEvent = { op, before: op === 'd' ? { id, ...NULLS } : null, after: row ? { id, ...row } : null, source, transaction: null, tsMs: 1_764_979_200_500 };
      const message = { offset: String(offset++), key: await keys.fromRow(topic, true, keySchema, { id }), value: encodeFrame(envelopeId, envelope.encode(event)), headers: {}, timestamp: '1764979200999' };
      const record = await decoder.decode(topic, 0, message);
      if (!record) throw new Error('the decoder dropped a record');
      const placed = record.valueSchema?.fields.find((field) => field.type.kind === 'timestamp');
      if (offset > 1 && placed && record.value) expect(placed.type.kind === 'timestamp' && placed.type.epochMs === true).toBe(timestampsAsEpochMs);
      return record;
    };
    const writer = new SqlSinkWriter({
      connectorName: topic,
      dialect: createDialect(target.dialect),
      openSession: () => openSqlSession({ dialect: target.dialect === 'postgres' ? 'postgres' : 'mysql', ...target.endpoint, ssl: false }),
      target: target.label,
      insertMode: 'upsert',
      pkMode: 'record_key',
      pkFields: [],
      fieldsWhitelist: [],
      autoCreate: true,
      autoEvolve: false,
      deleteEnabled: true,
      tableNameFormat: '${topic}',
      values: { timezone: 'UTC' },
      maxRetries: 0,
      retryBackoffMs: 100,
    });
    try {
      // One write of several rows (PostgreSQL binds them as one array per column); key 1 twice, the last one wins.
      const batch = [
        await decode(1n, 'c', { ...third, note: 'replaced by the later record of key 1' }),
        await decode(2n, 'c', NULLS),
        await decode(3n, 'c', third),
        await decode(4n, 'c', { ...NULLS, note: 'NULL', amount: '1' }),
        await decode(5n, 'c', { ...NULLS, note: 'line\nbreak\ttab ✓ 日本 ' }),
        await decode(1n, 'u', first),
      ];
      expect(await writer.write(batch, { tolerateRecordErrors: false })).toEqual([]);
      const columns = [ID, ...VALUE_COLUMNS];
      expect(await target.readText(topic, columns)).toEqual([
        { id: '1', ...firstText },
        { id: '2', ...nullText },
        { id: '3', ...thirdText },
        { id: '4', ...nullText, note: 'NULL', amount: '1.0000000000' },
        { id: '5', ...nullText, note: 'line\nbreak\ttab ✓ 日本 ' },
      ]);
      // Then an update of key 3 to the first row's values, a delete of key 4 and a new key 6 with nulls.
      const second = [await decode(3n, 'u', first), await decode(4n, 'd', null), await decode(6n, 'c', { ...NULLS, flag: false, ratio: 3.75 })];
      expect(await writer.write(second, { tolerateRecordErrors: false })).toEqual([]);
      expect(await target.readText(topic, columns)).toEqual([
        { id: '1', ...firstText },
        { id: '2', ...nullText },
        { id: '3', ...firstText },
        { id: '5', ...nullText, note: 'line\nbreak\ttab ✓ 日本 ' },
        { id: '6', ...nullText, flag: '0', ratio: '3.75' },
      ]);
    } finally {
      await writer.close();
    }
  });
});
