import ZongJi from '@vlasky/zongji';
import mysql from 'mysql2/promise';
import type { IDisposable } from '../../../../shared/lifecycle';
import { createLogger, type Logger } from '../../../base/logger';
import type { ChangeRecord, FieldValue, Row, TableId } from '../../../model';
import { connectionFailureText } from '../../../db/connectionFailure';
import type { DebeziumTypeOptions } from '../../debeziumTypes';
import { type CapturedTable, capturedTable, capturedValue, keyOf } from '../../capturedTable';
import { causeText, sourceError } from '../../errors';
import type { ColumnInfo } from '../../polling/columns';
import type { NumericMapping } from '../../polling/options';
import { revealPassword, type SourceConnectionOptions } from '../../polling/pollingReader';
import type { Zone } from '../../polling/zone';
import { MySqlDialect } from '../mysqlDialect';
import { describeMySqlCatalogRow, MySqlTypeMap } from '../mysqlTypeMap';
import { MySqlValueReader } from '../mysqlValues';
import { TransactionQueue } from '../../transactionQueue';
import type { LogRecord, SchemaChangeRecord } from '../../logCapture';
import { describeTableChange, tableChangeOf } from './tableChanges';
import { advanceMariaDbGtidPosition, type BinlogPosition, binlogPositionToCheckpoint, describeBinlogPosition } from './binlogPosition';
import { type BinlogServerFacts, binlogPrerequisitesError, binlogProblems, isPurgedBinlogError, purgedPositionError, readBinlogServerFacts } from './binlogPreflight';
import { BinlogSchemaHistory, MemorySchemaHistoryStore, type SchemaHistoryEntry, type ZongJiColumn } from './schemaHistory';
import { SOURCE_PREPARED_STATEMENTS } from '../statementCache';

export interface MySqlBinlogReaderInit {
  connection: SourceConnectionOptions;
  /** `database.server.id`: the replica id this reader registers with; unique in the replication topology. */
  replicaId: number;
  /** `topic.prefix`: names the topics and the Avro record names as Debezium does (`<prefix>.<db>.<table>`). */
  topicPrefix: string;
  /** Which tables to capture (`database.include.list`, `table.include.list`/`exclude`, already resolved). */
  includeTable: (table: TableId) => boolean;
  /** `db.timezone`-like zone for DATETIME wall clocks; TIMESTAMP columns are instants whatever the zone. */
  zone: Zone;
  numericMapping?: NumericMapping;
  /** Debezium's column types (time.precision.mode, decimal.handling.mode); Ferry's reader types when absent. */
  types?: DebeziumTypeOptions;
  /** Records buffered before the reader pauses the binlog connection, so a slow Kafka bounds memory. */
  maxBufferedRecords?: number;
  /**
   * The tables' layouts over the binlog (`schema.history.internal.*`): kept across restarts, so a restart from a
   * checkpoint before an ALTER reads the older rows with the columns they had. In memory when absent.
   */
  schemaHistory?: BinlogSchemaHistory;
  /** Called with each DDL of a captured table once its layout is in the history. */
  onSchemaChange?: (change: SchemaHistoryEntry) => void;
  /** Hand out a schema change record for each captured table a DDL changes (`include.schema.changes`). */
  includeSchemaChanges?: boolean;
  /** The databases whose database-level DDL (CREATE/ALTER/DROP DATABASE) becomes a schema change record. */
  includeDatabase?: (database: string) => boolean;
  logger?: Logger;
}

/** Row changes of the transaction being read, released together when its commit arrives. */
interface OpenTransaction {
  start: BinlogPosition;
  records: LogRecord[];
  /** Rows of this transaction to skip: already emitted before a restart that resumed mid-transaction. */
  skip: number;
}

type ZongJiEvent = {
  getEventName(): string;
  nextPosition: number;
  size: number;
  timestamp: number;
  binlogName?: string;
  position?: number;
  query?: string;
  /** MariaDB GTID events. */
  domainId?: number;
  serverId?: number;
  seqNo?: number | bigint;
  /** MySQL GTID events ('uuid:gno'). */
  gtid?: string;
  schema?: string;
  tableId?: number;
  tableMap?: Record<number, { parentSchema: string; tableName: string; columnSchemas?: Array<{ COLUMN_NAME: string; COLUMN_TYPE: string }> }>;
  rows?: Array<Record<string, unknown>>;
};

/** The ZongJi internals `decodeWithHistory` replaces (ZongJi 0.9: index.js `_fetchTableInfo`, `tableMap`, `options`). */
interface ZongJiInternals {
  _fetchTableInfo?: (event: { schemaName: string; tableName: string; tableId: number; columnCount: number }, next: () => void) => void;
  tableMap: Record<number, { columnSchemas: ZongJiColumn[]; parentSchema: string; tableName: string }>;
  options?: { filename?: string; position?: number };
  /** Asked at each table map event; true drops the table map and so every rows event of that table undecoded. */
  _skipSchema?: (database: string, table: string) => boolean;
}

const EVENT_HEADER_BYTES = 19;
const CHECKSUM_BYTES = 4;
const ROW_EVENTS = new Set(['writerows', 'updaterows', 'deleterows']);
const DDL = /^\s*(ALTER|CREATE|DROP|RENAME|TRUNCATE)\s/i;

/**
 * Reads a MySQL or MariaDB server's row-based binlog as a replica (through ZongJi over mysql2) and hands out whole
 * committed transactions as records: inserts (`c`), updates with before and after images (`u`) and deletes (`d`).
 * Each record carries the position to checkpoint once Kafka acknowledged it; a restart from that position neither
 * skips nor repeats a row, even in the middle of a transaction (Debezium's `row` offset).
 */
export class MySqlBinlogReader implements IDisposable {
  private readonly log: Logger;
  private readonly typeMap: MySqlTypeMap;
  /** The database's value conversion, shared with its polling reader. */
  private readonly readValue: (raw: unknown, column: ColumnInfo) => FieldValue;
  private readonly endpoint: string;
  private control: mysql.Connection | undefined;
  private zongji: ZongJi | undefined;
  /** Captured shapes by table and column list; null for a table whose rows cannot be typed. */
  private readonly tables = new Map<string, CapturedTable | null>();
  /** The catalog's columns per table, read at the first row event and again after DDL naming the table. */
  private readonly catalog = new Map<string, ColumnInfo[]>();
  private readonly events: ZongJiEvent[] = [];
  private draining = false;
  /** GTID position after the last committed transaction seen, and the GTID of the one being read (MariaDB). */
  private gtids: string | undefined;
  private pendingGtid: string | undefined;
  private readonly queue: TransactionQueue<LogRecord>;
  private paused = false;
  private failure: Error | undefined;
  private file = '';
  private transaction: OpenTransaction | undefined;
  private resumeSkip = 0;
  private lastPosition: BinlogPosition | undefined;
  private closed = false;
  private readonly history: BinlogSchemaHistory;

  constructor(private readonly init: MySqlBinlogReaderInit) {
    this.history = init.schemaHistory ?? new BinlogSchemaHistory(new MemorySchemaHistoryStore());
    this.log = init.logger ?? createLogger('sources.mysql.binlog');
    this.typeMap = new MySqlTypeMap({ numericMapping: init.numericMapping ?? 'none', numericMappingForDecimal: false });
    const values = new MySqlValueReader(init.zone);
    this.readValue = (raw, column) => values.fieldValue(raw, column);
    this.endpoint = `${init.connection.host}:${init.connection.port}`;
    this.queue = new TransactionQueue<LogRecord>(init.maxBufferedRecords ?? 20_000);
  }

  /** The position after the last record handed out by `read`, or where reading started. */
  get position(): BinlogPosition | undefined {
    return this.lastPosition;
  }

  /**
   * Checks the server's prerequisites, then starts reading at `from` (a checkpoint) or, without one, at the end of
   * the binlog. Resolves with the position reading starts at. Every unmet prerequisite is named in one error.
   */
  async start(from?: BinlogPosition): Promise<BinlogPosition> {
    if (this.closed) throw sourceError('SOURCE_CLOSED', 'The binlog reader was closed.');
    const facts = await this.checkStartable(from);
    const start: BinlogPosition = from ?? facts.current;
    await this.history.open();
    this.file = start.file;
    this.gtids = start.gtids;
    this.resumeSkip = start.row;
    this.lastPosition = start;
    await this.startDump(start);
    return start;
  }

  /**
   * Refuses as `start(from)` would (an unmet prerequisite, a purged position) without starting: a snapshot that will
   * stream from `from` checks it before it locks tables and opens its read view.
   */
  async checkStartable(from?: BinlogPosition): Promise<BinlogServerFacts> {
    if (this.closed) throw sourceError('SOURCE_CLOSED', 'The binlog reader was closed.');
    const facts = await readBinlogServerFacts(await this.openControlConnection());
    const problems = binlogProblems(facts, `'${this.init.connection.user}'`, this.init.replicaId);
    if (problems.length > 0) throw binlogPrerequisitesError(problems, this.endpoint);
    const purged = from ? purgedPositionError(from, facts, this.endpoint) : undefined;
    if (purged) throw purged;
    return facts;
  }

  /**
   * Up to about `maxRecords` records of committed transactions (a transaction is never split across two calls
   * unless it alone is larger), waiting at most `maxWaitMs` for the first. Rejects with the cause when the binlog
   * connection failed: connection losses are retriable, a purged position or a missing privilege is not.
   */
  async read(maxRecords: number, maxWaitMs: number, signal?: AbortSignal): Promise<LogRecord[]> {
    const records = await this.queue.take(maxRecords, maxWaitMs, signal, () => this.failure !== undefined || this.closed);
    if (this.failure) throw this.failure;
    const last = records[records.length - 1];
    if (last) this.lastPosition = positionOf(last);
    if (this.paused && this.queue.drained && this.events.length === 0) this.resumeDump();
    return records;
  }

  /** After DDL, the catalog of the tables it names is read again at their next row event. */
  private forgetTables(statement: string): void {
    for (const key of this.catalog.keys()) {
      const name = key.slice(key.indexOf('.') + 1);
      if (statement.includes(name)) this.catalog.delete(key);
    }
  }

  private async startDump(start: BinlogPosition): Promise<void> {
    const { connection } = this.init;
    const zongji = new ZongJi({
      // ZongJi opens two mysql2 connections (control and dump) with these options.
      maxPreparedStatements: SOURCE_PREPARED_STATEMENTS,
      host: connection.host,
      port: connection.port,
      user: connection.user,
      password: revealPassword(connection.password),
      connectTimeout: connection.connectTimeoutMs ?? 15_000,
      // The same text forms the polling reader asks for, so MySqlValueReader converts both alike.
      dateStrings: true,
      supportBigNumbers: true,
      bigNumberStrings: true,
      decimalNumbers: false,
      jsonStrings: true,
      timezone: 'Z',
    } as ConstructorParameters<typeof ZongJi>[0]);
    this.zongji = zongji;
    // Rows of tables this source does not capture are never decoded: ZongJi would otherwise parse every row of every
    // table on the server (and look up each new table's columns in INFORMATION_SCHEMA, pausing the dump) for the
    // reader to drop them. ZongJi's own includeSchema is fixed at start; the filter here is the source's own, so a
    // table created later that the include list matches is captured.
    (zongji as unknown as ZongJiInternals)._skipSchema = (database, table) => !this.init.includeTable({ catalog: database, table });
    this.decodeWithHistory(zongji);
    // Every failure of the dump connection lands here, never as an uncaught 'error' event.
    zongji.on('error', (error: Error) => this.fail(error));
    zongji.on('binlog', (event: unknown) => this.enqueue(event as ZongJiEvent));
    await new Promise<void>((resolve, reject) => {
      const onReady = (): void => {
        zongji.off('error', onError);
        resolve();
      };
      const onError = (error: Error): void => {
        zongji.off('ready', onReady);
        reject(this.describeFailure(error));
      };
      zongji.once('ready', onReady);
      zongji.once('error', onError);
      zongji.start({
        serverId: this.init.replicaId,
        filename: start.file,
        position: start.pos,
        includeEvents: ['rotate', 'tablemap', 'writerows', 'updaterows', 'deleterows', 'query', 'xid', 'gtid', 'mariadbgtid'],
      });
    });
  }

  /**
   * Without column metadata in the binlog (binlog_row_metadata=MINIMAL, or MariaDB tables with temporal columns),
   * ZongJi names a row's columns from today's catalog, by position: a row written before an ADD/DROP COLUMN would be
   * decoded with the wrong names. Where the history knows the layout at the event's place in the binlog and its
   * column count matches the event, ZongJi decodes with that layout instead. ZongJi's position at parse time is the
   * end of the last whole transaction or DDL before this table map, which orders it against the history's DDLs.
   */
  private decodeWithHistory(zongji: ZongJi): void {
    const internals = zongji as unknown as ZongJiInternals;
    const fetchTableInfo = internals._fetchTableInfo;
    if (typeof fetchTableInfo !== 'function') return;
    internals._fetchTableInfo = (event, next) => {
      const at: BinlogPosition = { file: internals.options?.filename ?? this.file, pos: internals.options?.position ?? 0, row: 0 };
      const layout = this.history.layoutAt(event.schemaName, event.tableName, at);
      if (layout?.zongjiColumns && layout.zongjiColumns.length === event.columnCount) {
        internals.tableMap[event.tableId] = { columnSchemas: layout.zongjiColumns.map((column) => ({ ...column })), parentSchema: event.schemaName, tableName: event.tableName };
        next();
        return;
      }
      fetchTableInfo.call(zongji, event, next);
    };
  }

  /**
   * Events are handled strictly in binlog order, one at a time: a row event of a table not yet described waits for
   * the catalog, and the commit behind it must not overtake it. The dump connection pauses while events queue up.
   */
  private enqueue(event: ZongJiEvent): void {
    this.events.push(event);
    if (this.events.length > 1_000) this.pauseDump();
    if (!this.draining) void this.drain();
  }

  private async drain(): Promise<void> {
    this.draining = true;
    try {
      for (let event = this.events.shift(); event && !this.failure && !this.closed; event = this.events.shift()) {
        await this.onEvent(event);
      }
    } catch (error) {
      this.fail(error instanceof Error ? error : new Error(String(error)));
    } finally {
      this.draining = false;
    }
    if (this.events.length === 0 && !this.queue.full) this.resumeDump();
  }

  private async onEvent(event: ZongJiEvent): Promise<void> {
    const name = event.getEventName();
    // `size` is the event body: the 19-byte common header and the CRC-32 checksum (when on) come on top of it.
    const eventStart = event.nextPosition - event.size - EVENT_HEADER_BYTES - (this.zongji?.useChecksum ? CHECKSUM_BYTES : 0);
    switch (name) {
      case 'rotate':
        if (event.binlogName) this.file = event.binlogName;
        return;
      case 'gtid':
        this.beginTransaction(eventStart);
        return;
      case 'mariadbgtid':
        this.beginTransaction(eventStart);
        this.pendingGtid = `${String(event.domainId)}-${String(event.serverId)}-${String(event.seqNo)}`;
        return;
      case 'query': {
        const statement = (event.query ?? '').trim();
        const upper = statement.toUpperCase();
        if (upper === 'BEGIN') {
          if (!this.transaction) this.beginTransaction(eventStart);
        } else if (upper === 'COMMIT') {
          this.commitTransaction(event.nextPosition);
        } else if (upper === 'ROLLBACK') {
          this.transaction = undefined;
          this.pendingGtid = undefined;
        } else if (DDL.test(statement)) {
          this.forgetTables(statement);
          const changes = await this.recordDdl(statement, event.schema ?? '', { file: this.file, pos: eventStart }, event.timestamp);
          if (changes.length > 0) {
            // The DDL is a transaction of its own: its schema change records are checkpointed like rows (a restart in
            // the middle of a multi-table DDL skips those already written).
            const transaction = this.transaction ?? (this.transaction = { start: { file: this.file, pos: eventStart, row: 0 }, records: [], skip: this.resumeSkip });
            this.resumeSkip = 0;
            for (const change of changes) {
              if (transaction.skip > 0) {
                transaction.skip -= 1;
                transaction.start = { ...transaction.start, row: transaction.start.row + 1 };
              } else {
                transaction.records.push(change);
              }
            }
          }
          this.commitTransaction(event.nextPosition);
        }
        return;
      }
      case 'xid':
        this.commitTransaction(event.nextPosition);
        return;
      default:
        if (ROW_EVENTS.has(name)) await this.onRows(name, event, eventStart);
    }
  }

  private beginTransaction(pos: number): void {
    this.transaction = { start: { file: this.file, pos, row: 0 }, records: [], skip: this.resumeSkip };
    this.resumeSkip = 0;
  }

  private async onRows(name: string, event: ZongJiEvent, eventStart: number): Promise<void> {
    const map = event.tableId === undefined ? undefined : event.tableMap?.[event.tableId];
    if (!map || !event.rows) return;
    const id: TableId = { catalog: map.parentSchema, table: map.tableName };
    if (!this.init.includeTable(id)) return;
    const transaction = this.transaction ?? (this.transaction = { start: { file: this.file, pos: eventStart, row: 0 }, records: [], skip: 0 });
    const names = (map.columnSchemas ?? []).map((column) => column.COLUMN_NAME);
    // MariaDB writes end_log_pos 0 on row events: the transaction's start is the position the layout is looked up at.
    const table = await this.capturedTable(id, names, transaction.start);
    if (table) this.emitRows(name, table, event.rows, transaction, event.timestamp);
  }

  /**
   * The table as this row event describes it. The event's own column list (binlog_row_metadata=FULL) says which
   * columns the row had when it was written; the catalog adds types, precision and the key, and is read again when
   * the two disagree (DDL since), so rows written before an ALTER keep the schema they were written with.
   */
  private async capturedTable(id: TableId, names: string[], at: BinlogPosition): Promise<CapturedTable | null> {
    const layout = this.history.layoutAt(id.catalog ?? '', id.table, at);
    const key = `${tableKey(id)}|${layout ? `${layout.file}:${layout.pos}` : ''}|${names.join(',')}`;
    const known = this.tables.get(key);
    if (known !== undefined) return known;
    if (layout && layout.columns.length > 0 && names.every((name) => layout.columns.some((column) => column.name === name))) {
      const columns = names.length === 0 ? layout.columns : names.map((name) => layout.columns.find((column) => column.name === name)).filter((column): column is ColumnInfo => column !== undefined);
      const table = capturedTable(id, `${this.init.topicPrefix}.${id.catalog}.${id.table}`, columns, this.init.types);
      this.tables.set(key, table);
      return table;
    }
    let catalog = this.catalog.get(tableKey(id));
    if (!catalog || names.some((name) => !catalog?.some((column) => column.name === name))) {
      catalog = await this.describeColumns(id);
      this.catalog.set(tableKey(id), catalog);
    }
    if (!layout && catalog.length > 0) {
      // First sight of the table: the catalog is its layout from here on until a DDL says otherwise.
      await this.history.record([{ file: at.file, pos: at.pos, db: id.catalog ?? '', table: id.table, columns: catalog, zongjiColumns: await this.zongjiColumns(id), tsMs: Date.now() }]);
    }
    const columns = names.length === 0 ? catalog : names.map((name) => catalog?.find((column) => column.name === name)).filter((column): column is ColumnInfo => column !== undefined);
    if (columns.length === 0 || columns.length < names.length) {
      // Dropped (or altered past recognition) since the event was written: its rows cannot be typed.
      this.log.warn('skipping rows of a table whose columns are gone from the catalog', { table: tableKey(id) });
      this.tables.set(key, null);
      return null;
    }
    const topic = `${this.init.topicPrefix}.${id.catalog}.${id.table}`;
    const table = capturedTable(id, topic, columns, this.init.types);
    this.tables.set(key, table);
    return table;
  }

  private emitRows(name: string, table: CapturedTable, rows: Array<Record<string, unknown>>, transaction: OpenTransaction, timestampMs: number): void {
    for (const row of rows) {
      if (transaction.skip > 0) {
        transaction.skip -= 1;
        transaction.start = { ...transaction.start, row: transaction.start.row + 1 };
        continue;
      }
      if (name === 'updaterows') {
        const before = this.toRow(table, row.before as Record<string, unknown>);
        const after = this.toRow(table, row.after as Record<string, unknown>);
        transaction.records.push(this.record(table, 'u', before, after, timestampMs));
      } else if (name === 'writerows') {
        transaction.records.push(this.record(table, 'c', null, this.toRow(table, row), timestampMs));
      } else {
        transaction.records.push(this.record(table, 'd', this.toRow(table, row), null, timestampMs));
      }
    }
  }

  private record(table: CapturedTable, op: 'c' | 'u' | 'd', before: Row | null, after: Row | null, timestampMs: number): ChangeRecord {
    return {
      table: table.id,
      op,
      keySchema: table.keySchema,
      key: keyOf(table, after ?? before ?? {}),
      valueSchema: table.valueSchema,
      before,
      after,
      // Filled in when the transaction commits.
      position: {},
      sourceTimestampMs: timestampMs,
      latencyTimestampMs: changeTimeWithinSecond(timestampMs, Date.now()),
    };
  }

  private toRow(table: CapturedTable, raw: Record<string, unknown>): Row {
    const row: Row = {};
    for (const column of table.columns) {
      const value = raw[column.name];
      row[column.name] = value === undefined ? null : capturedValue(this.readValue, value, column, table);
    }
    return row;
  }

  /**
   * Releases the open transaction's records with their checkpoint positions: every record but the last points at
   * the transaction's start plus the rows emitted so far; the last points after the commit.
   */
  private commitTransaction(nextPosition: number): void {
    const transaction = this.transaction;
    this.transaction = undefined;
    const previousGtids = this.gtids;
    if (this.pendingGtid !== undefined) this.gtids = advanceMariaDbGtidPosition(this.gtids, this.pendingGtid);
    else if (this.zongji?.gtidSet !== undefined) this.gtids = this.zongji.gtidSet; // MySQL: ZongJi tracks the GTID set
    this.pendingGtid = undefined;
    if (!transaction || transaction.records.length === 0) return;
    const gtids = this.gtids;
    const serverId = this.lastPosition?.serverId;
    transaction.records.forEach((record, index) => {
      const last = index === transaction.records.length - 1;
      const position: BinlogPosition = last
        ? { file: this.file, pos: nextPosition, row: 0 }
        : { file: transaction.start.file, pos: transaction.start.pos, row: transaction.start.row + index + 1 };
      const positionGtids = last ? gtids : previousGtids;
      if (positionGtids !== undefined) position.gtids = positionGtids;
      if (serverId !== undefined) position.serverId = serverId;
      record.position = binlogPositionToCheckpoint(position);
    });
    this.queue.push(transaction.records);
    if (this.queue.full) this.pauseDump();
  }

  /**
   * Records the catalog's layout of `tables` as holding from `at` on: where a snapshot read them, or where streaming
   * without a snapshot starts. A history kept from an earlier run may hold layouts the tables no longer have.
   */
  async recordLayouts(at: BinlogPosition, tables: readonly TableId[]): Promise<void> {
    await this.history.open();
    const entries: SchemaHistoryEntry[] = [];
    for (const id of tables) {
      const columns = await this.describeColumns(id);
      if (columns.length > 0) entries.push({ file: at.file, pos: at.pos, db: id.catalog ?? '', table: id.table, columns, zongjiColumns: await this.zongjiColumns(id), tsMs: Date.now() });
    }
    await this.history.record(entries);
  }

  /**
   * Records the layout each captured table named by a DDL has after it, at the DDL's position, unless a run before
   * this one already did (a restart passing the DDL again must keep the layout of then, not today's catalog).
   */
  private async recordDdl(statement: string, databaseName: string, at: { file: string; pos: number }, timestampMs: number): Promise<SchemaChangeRecord[]> {
    const named = ddlTables(statement, databaseName, [...this.history.tables(), ...[...this.catalog.keys()].map((key) => ({ db: key.slice(0, key.indexOf('.')), table: key.slice(key.indexOf('.') + 1) }))]);
    // TRUNCATE changes rows, not structure: Debezium writes no schema change for it.
    const writeChanges = this.init.includeSchemaChanges === true && !/^\s*TRUNCATE\s/i.test(statement);
    const entries: SchemaHistoryEntry[] = [];
    const changes: SchemaChangeRecord[] = [];
    const changeRecord = (entry: SchemaHistoryEntry): void => {
      if (!writeChanges || !entry.tableChange) return;
      // A rename is one ALTER of the new name in Debezium (its old name is not written as a DROP).
      if (entry.tableChange.type === 'DROP' && /\bRENAME\b/i.test(statement)) return;
      changes.push({
        kind: 'schemaChange',
        table: { catalog: entry.db, table: entry.table },
        databaseName: entry.db,
        ddl: statement,
        tableChange: entry.tableChange,
        position: {},
        sourceTimestampMs: timestampMs,
      });
    };
    for (const { db, table } of named) {
      const id: TableId = { catalog: db, table };
      if (!this.init.includeTable(id)) continue;
      const known = this.history.ddlAt(db, table, at);
      if (known) {
        // A restart passing the DDL again: the change as it was recorded then, not today's catalog.
        changeRecord(known);
        continue;
      }
      for (const cached of [...this.tables.keys()]) if (cached.startsWith(`${tableKey(id)}|`)) this.tables.delete(cached);
      const columns = await this.describeColumns(id);
      this.catalog.set(tableKey(id), columns);
      const entry: SchemaHistoryEntry = { file: at.file, pos: at.pos, db, table, columns, zongjiColumns: await this.zongjiColumns(id), ddl: statement, databaseName, tsMs: timestampMs };
      if (writeChanges) entry.tableChange = tableChangeOf(statement, db, table, await describeTableChange(await this.openControlConnection(), db, table));
      entries.push(entry);
      changeRecord(entry);
    }
    await this.history.record(entries);
    for (const entry of entries) this.init.onSchemaChange?.(entry);
    const database = writeChanges && named.length === 0 ? DATABASE_DDL.exec(statement) : null;
    // `ALTER DATABASE CHARACTER SET …` names no database: the statement's default one.
    const databaseName_ = database?.[1] ? (/^(?:CHARACTER|CHARSET|COLLATE|DEFAULT|COMMENT)$/i.test(database[1]) ? databaseName : unquoteName(database[1])) : undefined;
    if (databaseName_ !== undefined && this.init.includeDatabase?.(databaseName_)) {
      // Database-level DDL: Debezium writes it with no table changes (not kept in the history, so a restart passing it
      // does not write it again).
      changes.push({ kind: 'schemaChange', table: { catalog: databaseName_, table: '' }, databaseName: databaseName_, ddl: statement, tableChange: null, position: {}, sourceTimestampMs: timestampMs });
    }
    return changes;
  }

  /** The catalog rows ZongJi decodes a table's row events with (names and character sets), kept with each layout. */
  private async zongjiColumns(id: TableId): Promise<ZongJiColumn[]> {
    const control = await this.openControlConnection();
    const [rows] = await control.query<mysql.RowDataPacket[]>(
      'SELECT COLUMN_NAME, COLLATION_NAME, CHARACTER_SET_NAME, COLUMN_COMMENT, COLUMN_TYPE FROM INFORMATION_SCHEMA.COLUMNS WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ? ORDER BY ORDINAL_POSITION',
      [id.catalog ?? this.init.connection.database, id.table],
    );
    return rows.map((row) => ({
      COLUMN_NAME: String(row.COLUMN_NAME),
      COLLATION_NAME: row.COLLATION_NAME === null ? null : String(row.COLLATION_NAME),
      CHARACTER_SET_NAME: row.CHARACTER_SET_NAME === null ? null : String(row.CHARACTER_SET_NAME),
      COLUMN_COMMENT: String(row.COLUMN_COMMENT ?? ''),
      COLUMN_TYPE: String(row.COLUMN_TYPE),
    }));
  }

  private async describeColumns(id: TableId): Promise<ColumnInfo[]> {
    const control = await this.openControlConnection();
    const statement = new MySqlDialect().describeColumns(id);
    const [rows] = await control.query<mysql.RowDataPacket[]>({ sql: statement.sql, values: statement.params, rowsAsArray: true });
    return (rows as unknown as unknown[][]).map((row) => this.typeMap.column(describeMySqlCatalogRow(row)));
  }

  private async openControlConnection(): Promise<mysql.Connection> {
    if (this.control) return this.control;
    const { connection } = this.init;
    try {
      const control = await mysql.createConnection({
        maxPreparedStatements: SOURCE_PREPARED_STATEMENTS,
        host: connection.host,
        port: connection.port,
        user: connection.user,
        password: revealPassword(connection.password),
        database: connection.database,
        connectTimeout: connection.connectTimeoutMs ?? 15_000,
      });
      control.on('error', (error: Error) => {
        this.control = undefined;
        this.log.warn('control connection error', { error: error.message });
      });
      this.control = control;
      return control;
    } catch (error) {
      throw this.describeFailure(error);
    }
  }

  private pauseDump(): void {
    const connection = this.zongji?.connection;
    if (!connection || this.paused) return;
    connection.pause();
    this.paused = true;
  }

  private resumeDump(): void {
    const connection = this.zongji?.connection;
    if (!connection || !this.paused) return;
    connection.resume();
    this.paused = false;
  }

  private fail(error: Error): void {
    if (this.closed || this.failure) return;
    this.failure = this.describeFailure(error);
    this.log.warn('binlog reader failed', { error: this.failure.message });
    this.queue.interrupt();
  }

  private describeFailure(error: unknown): Error {
    if (error instanceof Error && 'code' in error && typeof (error as { code: unknown }).code === 'string' && (error as { code: string }).code.startsWith('SOURCE_')) return error;
    const at = this.lastPosition ? describeBinlogPosition(this.lastPosition) : 'the requested position';
    if (isPurgedBinlogError(error)) {
      return sourceError(
        'SOURCE_BAD_POSITION',
        `${this.endpoint} no longer has the binlog at ${at} (${causeText(error)}). Set snapshot.mode=when_needed to take a new snapshot and stream from there, or delete the pipeline's checkpoint.`,
        { cause: error },
      );
    }
    const code = (error as { code?: unknown }).code;
    if (code === 'ER_ACCESS_DENIED_ERROR' || code === 'ER_DBACCESS_DENIED_ERROR') {
      return sourceError('SOURCE_AUTH_FAILED', `${this.endpoint} refused the user or password of ${this.init.connection.user} (${causeText(error)}).`, { cause: error });
    }
    return sourceError('SOURCE_CONNECTION_FAILED', `Reading the binlog of ${this.endpoint} at ${at} failed: ${connectionFailureText(error, this.init.connection)}. Ferry reconnects from the last checkpoint.`, {
      retriable: true,
      cause: error,
    });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.queue.interrupt();
    const zongji = this.zongji;
    this.zongji = undefined;
    if (zongji) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 2_000);
        zongji.once('stopped', () => {
          clearTimeout(timer);
          resolve();
        });
        zongji.stop();
      });
    }
    const control = this.control;
    this.control = undefined;
    await control?.end().catch(() => control.destroy());
  }

  dispose(): void {
    void this.close();
  }
}

const IDENTIFIER = String.raw`(?:\x60[^\x60]+\x60|[\w$]+)`;
const DATABASE_DDL = new RegExp(String.raw`^\s*(?:CREATE|ALTER|DROP)\s+(?:DATABASE|SCHEMA)\s+(?:IF\s+(?:NOT\s+)?EXISTS\s+)?(${IDENTIFIER})`, 'i');

function unquoteName(name: string): string {
  return name.startsWith('`') ? name.slice(1, -1).replace(/``/g, '`') : name;
}
const QUALIFIED = new RegExp(String.raw`(${IDENTIFIER})(?:\.(${IDENTIFIER}))?`, 'y');

/**
 * The tables a DDL statement names: the target of ALTER/CREATE/DROP/TRUNCATE TABLE, both sides of RENAME TABLE, and
 * any known table whose name occurs in it (ALTER … RENAME TO, several tables in one DROP).
 */
export function ddlTables(statement: string, defaultDb: string, known: ReadonlyArray<{ db: string; table: string }>): Array<{ db: string; table: string }> {
  const found = new Map<string, { db: string; table: string }>();
  const add = (db: string, table: string): void => {
    found.set(`${db}.${table}`, { db, table });
  };
  const unquote = (name: string): string => (name.startsWith('`') ? name.slice(1, -1) : name);
  const targets = /\b(?:TABLE(?:\s+IF\s+(?:NOT\s+)?EXISTS)?|TO)\s+/gi;
  for (let match = targets.exec(statement); match; match = targets.exec(statement)) {
    QUALIFIED.lastIndex = targets.lastIndex;
    const name = QUALIFIED.exec(statement);
    if (!name?.[1]) continue;
    if (name[2]) add(unquote(name[1]), unquote(name[2]));
    else if (defaultDb !== '') add(defaultDb, unquote(name[1]));
  }
  for (const table of known) if (statement.includes(table.table)) add(table.db, table.table);
  return [...found.values()];
}

function tableKey(id: TableId): string {
  return `${id.catalog ?? ''}.${id.table}`;
}

function positionOf(record: LogRecord): BinlogPosition {
  const { file, pos, row, gtids, server_id: serverId } = record.position;
  const position: BinlogPosition = { file: String(file), pos: Number(pos), row: Number(row ?? 0) };
  if (typeof gtids === 'string') position.gtids = gtids;
  if (typeof serverId === 'number') position.serverId = serverId;
  return position;
}

/**
 * A binlog event's time is whole seconds. For latency, the change is taken to have happened when Ferry read it if
 * that falls within the event's second (streaming reads come milliseconds after the commit), otherwise at the end of
 * that second: an estimate that never exceeds the true latency by the binlog's own rounding, where the event's
 * second alone overstated every sample by up to a second (half on average).
 */
export function changeTimeWithinSecond(eventSecondMs: number, readAtMs: number): number {
  return Math.min(Math.max(readAtMs, eventSecondMs), eventSecondMs + 999);
}
