import mysql from 'mysql2/promise';
import { createLogger, type Logger } from '../../../base/logger';
import type { ChangeRecord, FieldValue, Position, TableId } from '../../../model';
import type { DebeziumTypeOptions } from '../../debeziumTypes';
import { type CapturedTable, capturedTable, capturedValue } from '../../capturedTable';
import { rowFromValues } from '../../rowLiteral';
import { causeText, sourceError } from '../../errors';
import type { ColumnInfo } from '../../polling/columns';
import type { NumericMapping } from '../../polling/options';
import { revealPassword, type SourceConnectionOptions } from '../../polling/pollingReader';
import type { Zone } from '../../polling/zone';
import { MySqlDialect } from '../mysqlDialect';
import { describeMySqlCatalogRow, MySqlTypeMap } from '../mysqlTypeMap';
import { MySqlValueReader } from '../mysqlValues';
import { type BinlogPosition, binlogPositionToCheckpoint } from './binlogPosition';
import { SOURCE_PREPARED_STATEMENTS } from '../statementCache';

export interface BinlogSnapshotInit {
  connection: SourceConnectionOptions;
  topicPrefix: string;
  tables: readonly TableId[];
  zone: Zone;
  numericMapping?: NumericMapping;
  /** Debezium's column types (time.precision.mode, decimal.handling.mode); Ferry's reader types when absent. */
  types?: DebeziumTypeOptions;
  /** Rows read per query (keyset pages by primary key); the open transaction keeps every page consistent. */
  chunkRows?: number;
  /** Records handed on at a time (a page is handed on in slices of this many); 2,500 when absent. */
  recordsPerSlice?: number;
  logger?: Logger;
}

/** A consistent snapshot: where streaming must start, and the tables' rows as of that point. */
export interface BinlogSnapshot {
  /** The binlog position the snapshot corresponds to: stream from here and no change is missed or repeated. */
  position: BinlogPosition;
  /** Snapshot records (`op` r), table by table; each carries `position` so a checkpoint after it resumes streaming. */
  records(): AsyncGenerator<ChangeRecord[], void, undefined>;
  close(): Promise<void>;
}

/** Rows per slice of a page handed to the source (see pages()). */
const RECORDS_PER_SLICE = 2_500;
/** A row of the driver's, in column order (the page queries ask mysql2 for arrays: rowsAsArray). */
type DriverRow = unknown[];
const RELEASED: DriverRow = [];

/**
 * Takes a consistent snapshot of MySQL/MariaDB tables without stopping writers: MariaDB reports the binlog position
 * of a `START TRANSACTION WITH CONSISTENT SNAPSHOT` itself (binlog_snapshot_file / _position), so no lock is
 * taken; on MySQL a global read lock is held only while the transaction starts and the position is read
 * (Debezium's `snapshot.locking.mode=minimal`). Rows are read in keyset pages inside that one transaction.
 */
export async function takeBinlogSnapshot(init: BinlogSnapshotInit): Promise<BinlogSnapshot> {
  const log = init.logger ?? createLogger('sources.mysql.snapshot');
  const endpoint = `${init.connection.host}:${init.connection.port}`;
  const connection = await mysql.createConnection({
    maxPreparedStatements: SOURCE_PREPARED_STATEMENTS,
    host: init.connection.host,
    port: init.connection.port,
    user: init.connection.user,
    password: revealPassword(init.connection.password),
    database: init.connection.database,
    connectTimeout: init.connection.connectTimeoutMs ?? 15_000,
    supportBigNumbers: true,
    bigNumberStrings: true,
    decimalNumbers: false,
    dateStrings: true,
    jsonStrings: true,
    timezone: 'Z',
  });
  connection.on('error', (error: Error) => log.warn('snapshot connection error', { error: error.message }));
  try {
    await connection.query("SET time_zone = '+00:00'");
    await connection.query('SET SESSION TRANSACTION ISOLATION LEVEL REPEATABLE READ');
    const position = await startConsistentSnapshot(connection, endpoint);
    const typeMap = new MySqlTypeMap({ numericMapping: init.numericMapping ?? 'none', numericMappingForDecimal: false });
    const values = new MySqlValueReader(init.zone);
    const chunkRows = init.chunkRows ?? 10_000;
    const slice = Math.max(1, init.recordsPerSlice ?? RECORDS_PER_SLICE);
    // Every snapshot record carries the same checkpoint: one object shared, not a copy per row.
    const checkpoint: Position = { ...binlogPositionToCheckpoint(position), snapshot: true };
    const records = async function* (): AsyncGenerator<ChangeRecord[], void, undefined> {
      for (const table of init.tables) {
        const columns = await describe(connection, table, typeMap);
        const topic = `${init.topicPrefix}.${table.catalog ?? init.connection.database}.${table.table}`;
        const shape = capturedTable(table, topic, columns, init.types);
        const toRecord = snapshotRecords(shape, values, checkpoint);
        for await (const rows of pages(connection, table, columns, shape.keyColumns, chunkRows, slice)) {
          const records: ChangeRecord[] = new Array<ChangeRecord>(rows.length);
          for (let index = 0; index < rows.length; index += 1) {
            records[index] = toRecord(rows[index] as DriverRow);
            // Released as read: the slice's raw rows need not outlive their records' encoding.
            rows[index] = RELEASED;
          }
          yield records;
        }
      }
    };
    return {
      position,
      records,
      close: async () => {
        await connection.query('COMMIT').catch(() => undefined);
        await connection.end().catch(() => connection.destroy());
      },
    };
  } catch (error) {
    connection.destroy();
    if ((error as { code?: string }).code?.startsWith('SOURCE_')) throw error;
    throw sourceError('SOURCE_QUERY_FAILED', `Taking a consistent snapshot of ${endpoint} failed: ${causeText(error)}.`, { cause: error });
  }
}

async function startConsistentSnapshot(connection: mysql.Connection, endpoint: string): Promise<BinlogPosition> {
  const [version] = await connection.query<mysql.RowDataPacket[]>('SELECT VERSION() AS version, @@server_id AS server_id');
  const mariadb = /mariadb/i.test(String(version[0]?.version ?? ''));
  const serverId = Number(version[0]?.server_id);
  if (mariadb) {
    await connection.query('START TRANSACTION WITH CONSISTENT SNAPSHOT');
    const [status] = await connection.query<mysql.RowDataPacket[]>("SHOW STATUS LIKE 'binlog_snapshot_%'");
    const byName = new Map(status.map((row) => [String(row.Variable_name).toLowerCase(), String(row.Value)]));
    const file = byName.get('binlog_snapshot_file');
    const pos = Number(byName.get('binlog_snapshot_position'));
    if (!file || !Number.isFinite(pos)) throw sourceError('SOURCE_BAD_OPTIONS', `${endpoint} did not report the binlog position of the snapshot (binary logging off?).`);
    const [gtid] = await connection.query<mysql.RowDataPacket[]>('SELECT BINLOG_GTID_POS(?, ?) AS gtids', [file, pos]);
    const position: BinlogPosition = { file, pos, row: 0, serverId };
    const gtids = gtid[0]?.gtids;
    if (gtids !== null && gtids !== undefined) position.gtids = String(gtids);
    return position;
  }
  // MySQL: the read lock makes the position and the transaction's view the same point; held only this long.
  try {
    await connection.query('FLUSH TABLES WITH READ LOCK');
  } catch (error) {
    throw sourceError('SOURCE_BAD_OPTIONS', `${endpoint} refused FLUSH TABLES WITH READ LOCK (${causeText(error)}); the snapshot needs the RELOAD privilege: GRANT RELOAD ON *.* TO the user.`, { cause: error });
  }
  try {
    await connection.query('START TRANSACTION WITH CONSISTENT SNAPSHOT');
    const [status] = await connection.query<mysql.RowDataPacket[]>('SHOW MASTER STATUS');
    const row = status[0];
    if (!row) throw sourceError('SOURCE_BAD_OPTIONS', `${endpoint} has binary logging off (SHOW MASTER STATUS is empty).`);
    const position: BinlogPosition = { file: String(row.File), pos: Number(row.Position), row: 0, serverId };
    if (row.Executed_Gtid_Set) position.gtids = String(row.Executed_Gtid_Set).replace(/\s+/g, '');
    return position;
  } finally {
    await connection.query('UNLOCK TABLES');
  }
}

async function describe(connection: mysql.Connection, table: TableId, typeMap: MySqlTypeMap): Promise<ColumnInfo[]> {
  const statement = new MySqlDialect().describeColumns(table);
  const [rows] = await connection.query<mysql.RowDataPacket[]>({ sql: statement.sql, values: statement.params, rowsAsArray: true });
  if (rows.length === 0) throw sourceError('SOURCE_TABLE_NOT_FOUND', `The table ${table.catalog ? `${table.catalog}.` : ''}${table.table} does not exist.`);
  return (rows as unknown as unknown[][]).map((row) => typeMap.column(describeMySqlCatalogRow(row)));
}

function quote(name: string): string {
  return `\`${name.replace(/`/g, '``')}\``;
}

/**
 * Keyset pages in primary-key order (one query for a table without a key: it cannot be paged safely), each query's
 * rows handed on in slices of at most `slice` rows as the driver parses them: a page is never held whole, so its rows
 * die young (as Debezium streams its snapshot query with a fetch size instead of buffering it).
 */
async function* pages(connection: mysql.Connection, table: TableId, columns: ColumnInfo[], keyColumns: ColumnInfo[], chunkRows: number, slice: number): AsyncGenerator<DriverRow[], void, undefined> {
  const from = table.catalog ? `${quote(table.catalog)}.${quote(table.table)}` : quote(table.table);
  const list = columns.map((column) => quote(column.name)).join(', ');
  if (keyColumns.length === 0) {
    yield* streamedRows(connection, `SELECT ${list} FROM ${from}`, [], slice);
    return;
  }
  const keys = keyColumns.map((column) => quote(column.name));
  const keyPlaces = keyColumns.map((key) => columns.findIndex((column) => column.name === key.name));
  const order = keys.join(', ');
  let last: unknown[] | undefined;
  for (;;) {
    const where = last ? `WHERE (${order}) > (${keys.map(() => '?').join(', ')})` : '';
    let count = 0;
    for await (const rows of streamedRows(connection, `SELECT ${list} FROM ${from} ${where} ORDER BY ${order} LIMIT ${chunkRows}`, last ?? [], slice)) {
      count += rows.length;
      // The next page's start is taken before the rows are handed on: the reader releases them as it goes.
      const tail = rows[rows.length - 1];
      last = keyPlaces.map((place) => tail?.[place]);
      yield rows;
    }
    if (count < chunkRows) return;
  }
}

/** What streamedRows uses of a mysql2 query (an EventEmitter of 'result', 'end' and 'error'). */
interface RowQuery {
  on(event: 'result', listener: (row: DriverRow) => void): RowQuery;
  on(event: 'end', listener: () => void): RowQuery;
  on(event: 'error', listener: (error: unknown) => void): RowQuery;
  removeAllListeners(event: 'result' | 'end'): RowQuery;
}

/** What streamedRows uses of mysql2's callback connection: text queries, and pausing its socket. */
interface RowConnection {
  query(options: { sql: string; values: unknown[]; rowsAsArray: true }): RowQuery;
  pause(): void;
  resume(): void;
}

/**
 * One query's rows in arrays of up to `slice`, as the driver parses them: collected from the query's 'result' events,
 * the connection paused while a full slice waits for the reader (an async iterator over a stream cost a promise per
 * row). The events are the query's own, not those of mysql2's row stream (query().stream()), which handed each row on
 * through a Readable: a push, a 'data' and a second 'result' event per row on top of the query's (issue 13).
 */
async function* streamedRows(connection: mysql.Connection, sql: string, values: unknown[], slice: number): AsyncGenerator<DriverRow[], void, undefined> {
  // mysql2's promise connection wraps the callback one (untyped there), whose queries emit their rows. Rows as arrays:
  // mysql2 builds an object row from {} property by property (see rowFromValues), an array row in one piece.
  const core = (connection as unknown as { connection: RowConnection }).connection;
  const query = core.query({ sql, values, rowsAsArray: true });
  const ready: DriverRow[][] = [];
  let current: DriverRow[] = [];
  let ended = false;
  let paused = false;
  let failure: { error: unknown } | undefined;
  let wake: (() => void) | undefined;
  const notify = (): void => {
    const resolve = wake;
    wake = undefined;
    resolve?.();
  };
  const resume = (): void => {
    if (!paused) return;
    paused = false;
    // Rows the driver held while paused are handed on now, synchronously; a slice they fill pauses it again.
    core.resume();
  };
  query.on('result', (row) => {
    current.push(row);
    if (current.length >= slice) {
      ready.push(current);
      current = [];
      if (!paused) {
        paused = true;
        core.pause();
      }
      notify();
    }
  });
  query.on('end', () => {
    if (current.length > 0) ready.push(current);
    current = [];
    ended = true;
    notify();
  });
  query.on('error', (error) => {
    failure = { error };
    ended = true;
    notify();
  });
  try {
    for (;;) {
      if (failure) throw failure.error;
      const rows = ready.shift();
      if (rows) {
        yield rows;
        if (ready.length === 0 && !ended) resume();
        continue;
      }
      if (ended) return;
      resume();
      await new Promise<void>((resolve) => {
        wake = resolve;
      });
    }
  } finally {
    // A reader that stops early (an error downstream): the driver reads the rest of the result and drops it (the
    // 'error' listener stays, so a later failure of this query is not an unhandled error event).
    if (!ended) {
      query.removeAllListeners('result');
      query.removeAllListeners('end');
      resume();
    }
  }
}

/**
 * The records of one table's rows: the columns' reader, Debezium mapping and key place looked up once per table, and
 * the shared checkpoint. A failing value names its column and topic, as capturedValue does.
 *
 * The driver's row is an array in the table's column order (the query selects exactly the table's columns in order):
 * each value is converted in place, by position, and the record's `after` is then built in one object literal with the
 * columns as its properties in that order (rowFromValues), the properties a row object of the driver's had (issue 13:
 * mysql2's object rows, grown from {} property by property, were the largest allocation per row); the key likewise,
 * from the key columns' places (what keyOf gives for that row). Nothing else holds the driver's row: the page's next
 * start is read before its rows are handed on.
 */
function snapshotRecords(table: CapturedTable, values: MySqlValueReader, checkpoint: Position): (raw: DriverRow) => ChangeRecord {
  const columns = table.columns.map((column) => {
    const debezium = table.debezium.get(column.name);
    // A date-time column whose written value follows from its epoch milliseconds: read without a Date in between.
    const fromMillis = column.type.kind !== 'timestamp' ? undefined : debezium === undefined ? (epochMs: number): FieldValue => new Date(epochMs) : debezium.fromMillis;
    return { column, debezium, fromMillis };
  });
  const rowOf = rowFromValues(table.columns.map((column) => column.name));
  // The record key (keyOf's): the key columns' converted values, picked by their places in the row, in one literal.
  const keyOfRow = table.keySchema
    ? rowFromValues(
        table.keyColumns.map((key) => key.name),
        table.keyColumns.map((key) => table.columns.findIndex((column) => column.name === key.name)),
      )
    : undefined;
  const read = (raw: unknown, column: ColumnInfo): FieldValue => values.fieldValue(raw, column);
  return (raw) => {
    let at = 0;
    try {
      for (; at < columns.length; at += 1) {
        const plan = columns[at] as (typeof columns)[number];
        const rawValue = raw[at];
        if (plan.fromMillis !== undefined) {
          const epochMs = values.timestampMillis(rawValue, plan.column);
          if (epochMs !== undefined) {
            raw[at] = plan.fromMillis(epochMs, rawValue);
            continue;
          }
        }
        const value = values.fieldValue(rawValue, plan.column);
        raw[at] = plan.debezium !== undefined && value !== null ? plan.debezium.value(value, rawValue) : value;
      }
    } catch (error) {
      // The column again through capturedValue, for its error naming the column and the topic.
      const plan = columns[at];
      if (plan) capturedValue(read, raw[at], plan.column, table);
      throw error;
    }
    const converted = raw as FieldValue[];
    return {
      table: table.id,
      op: 'r',
      keySchema: table.keySchema,
      key: keyOfRow === undefined ? null : keyOfRow(converted),
      valueSchema: table.valueSchema,
      before: null,
      after: rowOf(converted),
      position: checkpoint,
    };
  };
}
