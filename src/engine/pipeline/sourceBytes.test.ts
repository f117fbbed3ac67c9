import { EventEmitter } from 'node:events';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { parsePipelineFile, requireValidPipeline, type ResolvedLogSource } from '../config';
import { LogSource } from '../connectors/logSource';
import { logCaptureInit } from '../connectors/sourceOptions';
import type { SourceContext } from '../connectors/port';
import type { ChangeRecord, Row, TableId } from '../model';
import { SchemaRegistryClient } from '../schema';
import type { LogCapture, LogCaptureStart } from '../sources/logCapture';
import { capturedTable, capturedValue, keyOf } from '../sources/capturedTable';
import { binlogPositionToCheckpoint } from '../sources/mysql/binlog/binlogPosition';
import { takeBinlogSnapshot } from '../sources/mysql/binlog/binlogSnapshot';
import { MySqlValueReader } from '../sources/mysql/mysqlValues';
import { describeMySqlCatalogRow, MySqlTypeMap } from '../sources/mysql/mysqlTypeMap';
import { SourceEncoder } from './sourceEncoder';

/**
 * Golden bytes of the MySQL/MariaDB log source: snapshot pages (through takeBinlogSnapshot with the driver faked at
 * its query boundary) and streamed changes, through LogSource and SourceEncoder, to the exact Kafka topic, key, value
 * and headers, plus every schema registered. Written once from the code before the per-row speed work (issue 13);
 * any byte that changes fails here. `FERRY_UPDATE_GOLDEN=1` rewrites the file (only when a change is intended).
 */

const GOLDEN = join(__dirname, 'sourceBytes.golden.json');
const NOW = Date.UTC(2026, 11, 6, 1, 30, 0, 123);

// information_schema rows as describeColumns reads them: name, data_type, column_type, is_nullable, precision, scale, datetime_precision, extra, pk_ordinal.
const CATALOG: unknown[][] = [
  ['id', 'bigint', 'bigint(20)', 'NO', 19, 0, null, 'auto_increment', 1],
  ['customer_id', 'int', 'int(11)', 'NO', 10, 0, null, '', null],
  ['status', 'varchar', 'varchar(20)', 'NO', null, null, null, '', null],
  ['amount', 'decimal', 'decimal(12,2)', 'NO', 12, 2, null, '', null],
  ['discount', 'decimal', 'decimal(5,4)', 'YES', 5, 4, null, '', null],
  ['big', 'decimal', 'decimal(30,6)', 'YES', 30, 6, null, '', null],
  ['whole', 'decimal', 'decimal(18,0)', 'YES', 18, 0, null, '', null],
  ['created_at', 'datetime', 'datetime(3)', 'NO', null, null, 3, '', null],
  ['updated_at', 'timestamp', 'timestamp(6)', 'YES', null, null, 6, '', null],
  ['plain_dt', 'datetime', 'datetime', 'YES', null, null, 0, '', null],
  ['ship_date', 'date', 'date', 'YES', null, null, null, '', null],
  ['ship_time', 'time', 'time(3)', 'YES', null, null, 3, '', null],
  ['note', 'text', 'text', 'YES', null, null, null, '', null],
  ['flag', 'tinyint', 'tinyint(1)', 'NO', 3, 0, null, '', null],
  ['small', 'smallint', 'smallint(6)', 'YES', 5, 0, null, '', null],
  ['ratio', 'double', 'double', 'YES', 22, null, null, '', null],
  ['f', 'float', 'float', 'YES', 12, null, null, '', null],
  ['bits', 'bit', 'bit(3)', 'YES', 3, null, null, '', null],
  ['payload', 'varbinary', 'varbinary(16)', 'YES', null, null, null, '', null],
  ['doc', 'longtext', 'longtext', 'YES', null, null, null, '', null],
  ['kind', 'enum', "enum('a','b')", 'YES', null, null, null, '', null],
  ['ubig', 'bigint', 'bigint(20) unsigned', 'YES', 20, 0, null, '', null],
  ['yr', 'year', 'year(4)', 'YES', null, null, null, '', null],
];

// Rows as mysql2 hands them over with the snapshot's options (dateStrings, bigNumberStrings, jsonStrings).
function snapshotRows(): Row[] {
  const rows: Row[] = [];
  const texts = ['shipped', 'pending', 'café ☕ ünïcode', '', 'x'.repeat(20)];
  const amounts = ['0.00', '12.50', '-12.50', '9999999999.99', '-0.01', '1.00', '123456.78', '-9999999999.99'];
  const bigs = ['123456789012345678901234.123456', '-0.000001', '0.000000', '999999999999999999999999.999999', '42.100000'];
  for (let i = 0; i < 23; i += 1) {
    const nulls = i % 5 === 4;
    rows.push({
      id: String(1000 + i),
      customer_id: i * 7 - 30,
      status: texts[i % texts.length] ?? '',
      amount: amounts[i % amounts.length] ?? '0.00',
      discount: nulls ? null : `0.${String(i * 137).padStart(4, '0').slice(0, 4)}`,
      big: nulls ? null : (bigs[i % bigs.length] ?? null),
      whole: nulls ? null : String((i % 2 === 0 ? 1 : -1) * (123_456_789_012_345 + i)),
      created_at: i === 3 ? '1969-12-31 23:59:59.999' : `2026-${String((i % 12) + 1).padStart(2, '0')}-${String((i % 28) + 1).padStart(2, '0')} ${String(i % 24).padStart(2, '0')}:0${i % 10}:59.${String(i * 3).padStart(3, '0')}`,
      updated_at: nulls ? null : i === 2 ? '0000-00-00 00:00:00.000000' : `2025-03-30 0${i % 4}:30:00.${String(i * 12345).padStart(6, '0').slice(0, 6)}`,
      plain_dt: nulls ? null : i === 1 ? '0000-00-00 00:00:00' : `1999-10-31 01:59:${String(i).padStart(2, '0')}`,
      ship_date: nulls ? null : i === 6 ? '0000-00-00' : `20${String(i).padStart(2, '0')}-02-${String((i % 28) + 1).padStart(2, '0')}`,
      ship_time: nulls ? null : i === 7 ? '23:59:59.999' : `${String(i).padStart(2, '0')}:15:07.${String(i * 41).padStart(3, '0').slice(0, 3)}`,
      note: nulls ? null : `note ${i} ${'ß'.repeat(i)}`,
      flag: i % 2,
      small: nulls ? null : -32768 + i * 1000,
      ratio: nulls ? null : i * 1.25 - 3.3,
      f: nulls ? null : i / 3,
      bits: nulls ? null : Buffer.from([i % 8]),
      payload: nulls ? null : Buffer.from(Array.from({ length: i % 16 }, (_, b) => (b * 31 + i) % 256)),
      doc: nulls ? null : JSON.stringify({ i, tags: ['a', i] }),
      kind: nulls ? null : i % 2 === 0 ? 'a' : 'b',
      ubig: nulls ? null : i === 8 ? '18446744073709551615' : String(i * 1_000_003),
      yr: nulls ? null : 1990 + i,
    });
  }
  return rows;
}

interface FakeQuery {
  sql: string;
  values?: unknown[];
  rowsAsArray?: boolean;
}

const queries = vi.hoisted(() => ({ pages: [] as Row[][], catalog: [] as unknown[][] }));

vi.mock('mysql2/promise', () => {
  const createConnection = (): Promise<unknown> => {
    let page = 0;
    const socket: { paused: boolean; pump?: () => void } = { paused: false };
    const connection = {
      on: () => connection,
      end: () => Promise.resolve(),
      destroy: () => undefined,
      query: (query: string | FakeQuery): Promise<unknown[]> => {
        const sql = typeof query === 'string' ? query : query.sql;
        if (sql.startsWith('SELECT VERSION()')) return Promise.resolve([[{ version: '11.4.2-MariaDB-log', server_id: 7 }]]);
        if (sql.startsWith("SHOW STATUS LIKE 'binlog_snapshot_%'")) {
          return Promise.resolve([[{ Variable_name: 'binlog_snapshot_file', Value: 'mariadb-bin.000042' }, { Variable_name: 'binlog_snapshot_position', Value: '98765' }]]);
        }
        if (sql.startsWith('SELECT BINLOG_GTID_POS')) return Promise.resolve([[{ gtids: '0-7-1234,1-7-5' }]]);
        if (sql.includes('information_schema.COLUMNS')) return Promise.resolve([queries.catalog]);
        if (sql.startsWith('SELECT ')) {
          const rows = queries.pages[page] ?? [];
          page += 1;
          return Promise.resolve([rows]);
        }
        return Promise.resolve([[]]);
      },
      // The callback connection underneath, whose queries' 'result' events the snapshot reads its pages from: rows as
      // objects, or as arrays in the SELECT's column order when the query asks for rowsAsArray (as mysql2 gives them),
      // emitted in a later turn and held while the connection is paused.
      connection: {
        query: (query: string | FakeQuery) => {
          const sql = typeof query === 'string' ? query : query.sql;
          if (!sql.startsWith('SELECT ')) throw new Error(`unexpected streamed query ${sql}`);
          const rows = queries.pages[page] ?? [];
          page += 1;
          const selected = [...(/^SELECT (.*?) FROM /.exec(sql)?.[1] ?? '').matchAll(/`((?:[^`]|``)*)`/g)].map((match) => (match[1] ?? '').replace(/``/g, '`'));
          const emitted = typeof query === 'string' || query.rowsAsArray !== true ? rows : rows.map((row) => selected.map((name) => row[name]));
          const events = new EventEmitter();
          let next = 0;
          let done = false;
          socket.pump = () => {
            while (!done && !socket.paused) {
              if (next === emitted.length) {
                done = true;
                events.emit('end');
              } else events.emit('result', emitted[next++]);
            }
          };
          setImmediate(socket.pump);
          return events;
        },
        pause: () => {
          socket.paused = true;
        },
        resume: () => {
          socket.paused = false;
          socket.pump?.();
        },
      },
    };
    return Promise.resolve(connection);
  };
  return { default: { createConnection }, createConnection };
});

function logSourceConfig(extra: Record<string, string>): ResolvedLogSource {
  const document = {
    name: 'golden',
    kafka: { 'bootstrap.servers': '127.0.0.1:9092' },
    connectors: [
      {
        name: 'cdc',
        'connector.class': 'io.debezium.connector.mariadb.MariaDbConnector',
        'database.hostname': 'db',
        'database.port': '3306',
        'database.user': 'u',
        'database.password': 'p',
        'database.server.id': '5401',
        'topic.prefix': 'lab',
        'table.include.list': 'shop\\.orders',
        'snapshot.fetch.size': '10',
        'database.connectionTimeZone': 'Europe/Berlin',
        ...extra,
      },
    ],
  };
  const source = requireValidPipeline(parsePipelineFile(JSON.stringify(document), 'golden.json'), 'golden.json').connectors.find((connector): connector is ResolvedLogSource => connector.role === 'source');
  if (!source) throw new Error('no source');
  return source;
}

const AVRO: Record<string, string> = {
  'key.converter': 'io.confluent.connect.avro.AvroConverter',
  'key.converter.schema.registry.url': 'http://127.0.0.1:1',
  'value.converter': 'io.confluent.connect.avro.AvroConverter',
  'value.converter.schema.registry.url': 'http://127.0.0.1:1',
};

const VARIANTS: Record<string, Record<string, string>> = {
  avro: AVRO,
  avroConnectPrecise: { ...AVRO, 'time.precision.mode': 'connect', 'decimal.handling.mode': 'precise' },
  avroStringDecimals: { ...AVRO, 'decimal.handling.mode': 'string', 'time.precision.mode': 'adaptive' },
  avroDoubleDecimalsRouted: {
    ...AVRO,
    'decimal.handling.mode': 'double',
    transforms: 'route',
    'transforms.route.type': 'org.apache.kafka.connect.transforms.RegexRouter',
    'transforms.route.regex': 'lab\\.(.*)',
    'transforms.route.replacement': 'copy.$1',
  },
  jsonSchemas: {
    'key.converter': 'org.apache.kafka.connect.json.JsonConverter',
    'value.converter': 'org.apache.kafka.connect.json.JsonConverter',
    'value.converter.schemas.enable': 'true',
  },
};

interface GoldenMessage {
  topic: string;
  key: string | null;
  value: string | null;
  headers?: Record<string, string>;
}

interface GoldenVariant {
  registered: string[];
  batches: { changes: number; positions: unknown; messages: GoldenMessage[] }[];
}

const TABLE: TableId = { catalog: 'shop', table: 'orders' };

/** Streamed changes as MySqlBinlogReader builds them: values through the same reader, positions per row of a transaction. */
function streamedChanges(config: ResolvedLogSource): ChangeRecord[] {
  const init = logCaptureInit(config);
  const typeMap = new MySqlTypeMap({ numericMapping: 'none', numericMappingForDecimal: false });
  const columns = CATALOG.map((row) => typeMap.column(describeMySqlCatalogRow(row)));
  const shape = capturedTable(TABLE, 'lab.shop.orders', columns, init.types);
  const values = new MySqlValueReader(init.zone);
  const read = (raw: unknown, column: (typeof columns)[number]): ReturnType<MySqlValueReader['fieldValue']> => values.fieldValue(raw, column);
  const image = (raw: Row): Row => {
    const row: Row = {};
    for (const column of shape.columns) row[column.name] = capturedValue(read, raw[column.name], column, shape);
    return row;
  };
  const rows = snapshotRows();
  const at = (pos: number, row: number, gtids?: string): ChangeRecord['position'] =>
    binlogPositionToCheckpoint({ file: 'mariadb-bin.000042', pos, row, serverId: 7, ...(gtids ? { gtids } : {}) });
  const records: ChangeRecord[] = [];
  const change = (op: ChangeRecord['op'], before: Row | null, after: Row | null, position: ChangeRecord['position'], second: number): void => {
    const image_ = after ?? before;
    records.push({
      table: shape.id,
      op,
      keySchema: shape.keySchema,
      key: image_ ? keyOf(shape, image_) : null,
      valueSchema: shape.valueSchema,
      before,
      after,
      position,
      sourceTimestampMs: Date.UTC(2026, 11, 6, 1, 29, second),
      latencyTimestampMs: Date.UTC(2026, 11, 6, 1, 29, second, 250),
    });
  };
  const [r0, r1, r2, r3] = rows.map(image);
  const [raw1, raw2] = [rows[1], rows[2]];
  if (!r0 || !r1 || !r2 || !r3 || !raw1 || !raw2) throw new Error('rows');
  change('c', null, r0, at(100_000, 1), 1);
  change('c', null, r1, at(100_000, 2), 1);
  change('u', r1, image({ ...raw1, status: 'changed', amount: '77.70' }), at(100_000, 0, '0-7-1235,1-7-5'), 1);
  change('u', r2, image({ ...raw2, id: '999999' }), at(100_900, 0, '0-7-1236,1-7-5'), 2);
  change('d', r3, null, at(101_500, 0, '0-7-1237,1-7-5'), 3);
  return records;
}

async function runVariant(name: string, extra: Record<string, string>): Promise<GoldenVariant> {
  const config = logSourceConfig(extra);
  const registered: string[] = [];
  const ids = new Map<string, number>();
  vi.spyOn(SchemaRegistryClient.prototype, 'register').mockImplementation((subject: string, schema: string) => {
    const text = `${subject}\n${schema}`;
    let id = ids.get(text);
    if (id === undefined) {
      id = 100 + ids.size;
      ids.set(text, id);
      registered.push(`${id} ${text}`);
    }
    return Promise.resolve(id);
  });
  const encoder = new SourceEncoder(config, 'log', NOW - 60_000);
  const context: SourceContext = {
    connector: config.name,
    checkpoint: () => ({}),
    resetCheckpoint: () => undefined,
    saveStartingPositions: () => Promise.resolve(),
    changed: () => undefined,
    routedTopic: (topic) => encoder.routedTopic(topic),
    signal: new AbortController().signal,
  };
  const source = new LogSource(config, context);
  const capture = (source as unknown as { logCapture: LogCapture }).logCapture;
  const init = logCaptureInit(config);
  vi.spyOn(capture, 'begin').mockImplementation(async (): Promise<LogCaptureStart> => {
    const taken = await takeBinlogSnapshot({ connection: init.connection, topicPrefix: init.topicPrefix, tables: [TABLE], zone: init.zone, chunkRows: 10, ...(init.types ? { types: init.types } : {}) });
    return { tables: [TABLE], snapshot: { position: binlogPositionToCheckpoint(taken.position), pages: taken.records() } };
  });
  const streamed = streamedChanges(config);
  let streamedOnce = false;
  vi.spyOn(capture, 'read').mockImplementation(() => {
    const out = streamedOnce ? [] : streamed;
    streamedOnce = true;
    return Promise.resolve(out);
  });
  const all = snapshotRows();
  queries.catalog = CATALOG;
  queries.pages = [all.slice(0, 10), all.slice(10, 20), all.slice(20)];
  await source.open();
  const batches: GoldenVariant['batches'] = [];
  // 3 snapshot pages, the snapshot's end, the streamed changes.
  for (let i = 0; i < 5; i += 1) {
    const batch = await source.read();
    const byTopic = await encoder.encode(batch.records, NOW + 5);
    const messages: GoldenMessage[] = [];
    for (const [topic, list] of byTopic) {
      for (const message of list) {
        const headers = message.headers ? Object.fromEntries(Object.entries(message.headers).map(([header, value]) => [header, typeof value === 'string' ? value : value.toString('hex')])) : undefined;
        messages.push({ topic, key: message.key?.toString('hex') ?? null, value: message.value?.toString('hex') ?? null, ...(headers ? { headers } : {}) });
      }
    }
    batches.push({ changes: batch.changes, positions: batch.positions ?? null, messages });
  }
  expect(batches.map((batch) => batch.changes), name).toEqual([10, 10, 3, 0, 5]);
  return { registered, batches };
}

describe('log source bytes (MariaDB snapshot and binlog rows → Kafka messages)', () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: NOW, toFake: ['Date'] });
  });
  afterEach(() => {
    vi.useRealTimers();
    vi.restoreAllMocks();
  });

  it('writes exactly the golden topics, keys, values, headers and registered schemas', async () => {
    const actual: Record<string, GoldenVariant> = {};
    for (const [name, extra] of Object.entries(VARIANTS)) {
      actual[name] = await runVariant(name, extra);
      vi.restoreAllMocks();
    }
    if (process.env.FERRY_UPDATE_GOLDEN === '1') writeFileSync(GOLDEN, `${JSON.stringify(actual, null, 1)}\n`);
    const golden = JSON.parse(readFileSync(GOLDEN, 'utf8')) as Record<string, GoldenVariant>;
    for (const name of Object.keys(VARIANTS)) {
      const want = golden[name];
      const got = actual[name];
      expect(got?.registered, `${name}: registered schemas`).toEqual(want?.registered);
      expect(got?.batches.length, name).toBe(want?.batches.length);
      for (const [index, batch] of (want?.batches ?? []).entries()) {
        const gotBatch = got?.batches[index];
        expect(gotBatch?.positions, `${name} batch ${index} positions`).toEqual(batch.positions);
        expect(gotBatch?.messages.length, `${name} batch ${index} messages`).toBe(batch.messages.length);
        for (const [at, message] of batch.messages.entries()) expect(gotBatch?.messages[at], `${name} batch ${index} message ${at}`).toEqual(message);
      }
    }
  });
});
