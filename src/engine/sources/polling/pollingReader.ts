import { createLogger, type Logger } from '../../base/logger';
import type { ChangeRecord, FieldValue, Position, RecordSchema, Row, TableId } from '../../model';
import { tableIdToString } from '../../model';
import { EngineError, isEngineError } from '../../../shared/errors';
import type { IDisposable } from '../../../shared/lifecycle';
import { connectionFailureText } from '../../db/connectionFailure';
import { causeText, sourceError } from '../errors';
import {
  type ColumnInfo,
  findColumn,
  isIncrementingType,
  isIntegerType,
  isTimestampColumn,
  keySchemaOf,
  primaryKeyColumns,
  valueSchemaOf,
} from './columns';
import type { ListedTable, PollingDialect, SqlStatement } from './dialect';
import { compareInstants, instantFromMillis, instantToMillis, minusMillis, type PreciseInstant } from './instant';
import { type PollingSourceOptions, resolvePollingOptions, type ResolvedPollingOptions, TIMESTAMP_INITIAL_CURRENT, usesIncrementing, usesTimestamp } from './options';
import {
  decodePosition,
  encodePosition,
  legacyTablePartition,
  partitionKey,
  type PollingPosition,
  QUERY_PARTITION,
  type SourcePartition,
  tablePartition,
} from './position';
import { buildBulkPageQuery, buildIncrementalQuery, buildTimestampTieQuery } from './query';
import { Backoff, sleep } from '../../base/backoff';
import { appendAll } from '../../base/arrays';
import { selectTables, topicForQuery, topicForTable } from './tables';

/** `ssl.mode` of the managed connectors. */
export type TlsMode = 'disable' | 'prefer' | 'require' | 'verify-ca' | 'verify-full';

/** Where the source database is. The password may be a Secret-like wrapper so it is never printed by accident. */
export interface SourceConnectionOptions {
  host: string;
  port: number;
  user: string;
  password: string | { reveal(): string };
  database: string;
  /** Default `prefer` (the managed connectors' default): TLS when the server offers it, plain otherwise. */
  tls?: TlsMode;
  /** PEM CA bundle for verify-ca / verify-full. */
  tlsCa?: string;
  /** Per-attempt connect timeout (default 15 s). */
  connectTimeoutMs?: number;
}

export function revealPassword(password: SourceConnectionOptions['password']): string {
  return typeof password === 'string' ? password : password.reveal();
}

export interface PollingReaderInit {
  connection: SourceConnectionOptions;
  options: PollingSourceOptions;
  /**
   * Looks up a checkpointed position. Called once per table at start with the v1 partition and, when that has
   * none, the legacy v0 partition, as upstream does; query mode asks for `{"query":"query"}`.
   */
  loadPosition?: (partition: SourcePartition) => Position | undefined | null | Promise<Position | undefined | null>;
  logger?: Logger;
}

/** One table (or the custom query) a reader polls, as the runner sees it. */
export interface PollingStream {
  /** `partitionKey(partition)`: a stable id for maps and checkpoints. */
  readonly key: string;
  /** The table; `{ table: 'query' }` in query mode. */
  readonly table: TableId;
  readonly topic: string;
  /** Connect's source partition, for checkpoints: `{"protocol":"1","table":"db.table"}` or `{"query":"query"}`. */
  readonly partition: SourcePartition;
  readonly valueSchema: RecordSchema;
  /** The primary key; null without one. Connect's JDBC source sends a null Kafka key: see ChangeRecord.key. */
  readonly keySchema: RecordSchema | null;
}

export interface PollBatch {
  stream: PollingStream;
  /** In the order read. Each carries the position to checkpoint once Kafka acknowledged it (and all before it). */
  records: ChangeRecord[];
  /** True when the query filled batch.max.rows, so the table has more rows ready now. */
  more: boolean;
}

/** The value schema name in query mode: upstream leaves it unnamed, which the Avro converter names this. */
export const QUERY_MODE_SCHEMA_NAME = 'io.confluent.connect.avro.ConnectDefault';
const QUERY_TABLE: TableId = { table: 'query' };

/** A result as the readers hand it over: column names in order, rows as arrays, and a signature of the types. */
export interface RawResult {
  names: string[];
  rows: unknown[][];
  /** Driver type ids per column (`name:type:modifier`…); a change means the table was altered. */
  signature: string;
  /** Reader-specific column metadata, for `columnsFromResult` in query mode. */
  fields?: unknown;
}

/** How an error should be reported and whether trying again can help. */
export type ErrorClass = 'connection' | 'auth' | 'missing' | 'other';

interface StreamState {
  info: {
    key: string;
    table: TableId;
    topic: string;
    partition: SourcePartition;
    valueSchema: RecordSchema;
    keySchema: RecordSchema | null;
  };
  /** Undefined in query mode. */
  tableId: TableId | undefined;
  query: string | undefined;
  from: string;
  columns: ColumnInfo[];
  incrementing: ColumnInfo | undefined;
  timestamps: ColumnInfo[];
  position: PollingPosition;
  /** The position's timestamp came from timestamp.initial: compare inclusively, checkpoint nothing until past it. */
  inclusiveStart: boolean;
  signature: string | undefined;
  dueAt: number;
  caughtUp: boolean;
  bulk: { active: boolean; after: bigint | undefined; offset: number };
}

/**
 * The database-independent half of a JDBC-source-compatible polling reader: table discovery, positions, the
 * incremental queries, batching and scheduling. Subclasses (MySqlPollingReader, PostgresPollingReader,
 * SqlServerPollingReader) supply the connection, the catalog reads and the exact value conversion.
 *
 * Life cycle: `start()` (implicit in the first `poll()`), then `poll()` repeatedly, or `batches()`; `close()`.
 * Positions advance in memory as batches are returned; a runner that fails to deliver a batch calls `seek()` with
 * its last checkpoint before polling again (upstream resets to the committed offset the same way).
 *
 * Records: op `r` in bulk mode (a full re-read, like a snapshot) and `c` otherwise. Upstream records carry no
 * operation at all (an update arrives as a whole new row), so `c` means "a row to upsert", not "a new row".
 *
 * Schema changes: the query is `SELECT *`, so each poll compares the result's column names and driver types with
 * what the reader knows; on any difference it re-reads the catalog, rebuilds the schemas and runs the query again.
 * A column added at the source therefore appears in the very next poll's schema, at the cost of nothing when
 * nothing changed (no periodic catalog queries).
 */
export abstract class PollingReader implements IDisposable {
  protected readonly options: ResolvedPollingOptions;
  protected readonly connection: SourceConnectionOptions;
  protected readonly log: Logger;
  private readonly loadPosition: PollingReaderInit['loadPosition'];
  private readonly streams: StreamState[] = [];
  private readonly closeController = new AbortController();
  private connected = false;
  private starting: Promise<void> | undefined;
  private started = false;
  private closed = false;
  private pollTail: Promise<unknown> = Promise.resolve();
  private listedTables: string[] = [];
  /** When the table list is read again (`table.poll.interval.ms`); set once the first listing is done. */
  private nextTableListAt = Number.POSITIVE_INFINITY;

  protected abstract readonly dialect: PollingDialect;
  /** For messages: "MySQL", "PostgreSQL", "SQL Server". */
  protected abstract readonly productName: string;

  protected constructor(init: PollingReaderInit, loggerName: string) {
    this.options = resolvePollingOptions(init.options);
    this.connection = init.connection;
    this.loadPosition = init.loadPosition;
    this.log = init.logger ?? createLogger(loggerName);
  }

  // ---- what a database supplies ---------------------------------------------------------------------------------

  /** Opens the connection (one attempt); throws the driver's error. */
  protected abstract openConnection(): Promise<void>;
  /** Closes it; must not throw. */
  protected abstract closeConnection(): Promise<void>;
  protected abstract execute(statement: SqlStatement): Promise<RawResult>;
  /** Columns of a table from the rows of `dialect.describeColumns`; empty when the table does not exist. */
  protected abstract columnsFromCatalog(result: RawResult): ColumnInfo[] | Promise<ColumnInfo[]>;
  /** Columns of a query from its result metadata (query mode). */
  protected abstract columnsFromResult(result: RawResult): ColumnInfo[] | Promise<ColumnInfo[]>;
  protected abstract listedTable(row: unknown[]): ListedTable;
  /** A driver value → the model value the column's FieldType promises. */
  protected abstract toFieldValue(raw: unknown, column: ColumnInfo): FieldValue;
  /** A date/timestamp driver value at full precision, for positions. */
  protected abstract toInstant(raw: unknown, column: ColumnInfo): PreciseInstant | null;
  /** The value of `dialect.currentTimeQuery()`. */
  protected abstract parseNow(raw: unknown): PreciseInstant;
  protected abstract classifyError(error: unknown): ErrorClass;

  // ---- public API ----------------------------------------------------------------------------------------------

  /** Connects (with retry), discovers the tables or the query's columns, validates the columns, loads positions. */
  start(): Promise<void> {
    this.assertOpen();
    this.starting ??= this.doStart().then(
      () => {
        this.started = true;
      },
      (error: unknown) => {
        this.starting = undefined;
        throw error;
      },
    );
    return this.starting;
  }

  /** The tables (or the query) being polled, with their topics and current schemas. */
  get pollingStreams(): PollingStream[] {
    return this.streams.map((stream) => ({ ...stream.info }));
  }

  /**
   * Facts that change the results without stopping the reader (db.timezone disagreeing with the server's zone),
   * written for the user: the connector's status carries them and `ferry run` prints them without --verbose.
   */
  get warnings(): readonly string[] {
    return this.notices;
  }

  private readonly notices: string[] = [];

  /** True when every stream's last query returned fewer rows than batch.max.rows (for `--until-idle`). */
  get caughtUp(): boolean {
    return this.started && this.streams.every((stream) => stream.caughtUp);
  }

  /**
   * Waits until the next stream is due (at once while a table has more rows; poll.interval.ms after it caught up),
   * then reads one batch of it. Throws EngineError: retriable for connection failures (the next call reconnects),
   * otherwise a message naming the table/column. Aborting the signal or closing the reader makes it throw
   * SOURCE_CLOSED / an AbortError.
   */
  poll(signal?: AbortSignal): Promise<PollBatch> {
    // One poll at a time: the reader has one connection and moves positions as it reads.
    const next = this.pollTail.then(
      () => this.pollOnce(signal),
      () => this.pollOnce(signal),
    );
    this.pollTail = next.catch(() => undefined);
    return next;
  }

  private async pollOnce(signal: AbortSignal | undefined): Promise<PollBatch> {
    await this.start();
    if (this.options.query === undefined && Date.now() >= this.nextTableListAt) await this.refreshTables();
    const stream = this.nextDue();
    const wait = stream.dueAt - Date.now();
    if (wait > 0) await sleep(wait, anySignal(signal, this.closeController.signal));
    signal?.throwIfAborted();
    this.assertOpen();
    try {
      await this.ensureConnected();
      const batch = await this.pollStream(stream);
      return batch;
    } catch (error) {
      const failure = await this.wrapFailure(error, stream);
      // A table dropped since the last listing: with table discovery on, look again at once; if the table is gone
      // from the list its stream has been removed and the next poll goes on with the others.
      if (isEngineError(failure) && failure.code === 'SOURCE_TABLE_NOT_FOUND' && this.options.query === undefined && stream.tableId) {
        await this.refreshTables();
        if (!this.streams.includes(stream) && this.streams.length > 0) return this.pollOnce(signal);
      }
      throw failure;
    }
  }

  /** Polls until the signal aborts or the reader closes; stops by returning, errors propagate. */
  async *batches(signal?: AbortSignal): AsyncGenerator<PollBatch, void, undefined> {
    while (!this.closed && !signal?.aborted) {
      try {
        yield await this.poll(signal);
      } catch (error) {
        if (signal?.aborted || this.closed) return;
        throw error;
      }
    }
  }

  /**
   * Moves a stream back (or forward) to a checkpointed position, e.g. after Kafka refused a batch. `position`
   * null/undefined means "from the start" (timestamp.initial applies again).
   */
  async seek(streamKey: string, position: Position | null | undefined): Promise<void> {
    const stream = this.streams.find((candidate) => candidate.info.key === streamKey);
    if (!stream) throw sourceError('SOURCE_BAD_POSITION', `No stream ${streamKey} in this reader; known: ${this.streams.map((s) => s.info.key).join(', ')}.`);
    const decoded = decodePosition(position);
    // timestamp.initial = -1 asks the database for its time.
    if (decoded.timestamp === undefined) await this.ensureConnected();
    await this.applyPosition(stream, decoded);
    stream.bulk = { active: false, after: undefined, offset: 0 };
    stream.dueAt = 0;
    stream.caughtUp = false;
  }

  /**
   * Rows per table stream right now (`SELECT COUNT(*)`), keyed like `pollingStreams`, for snapshot progress. Runs
   * between polls (the reader has one connection); query mode and tables whose count fails are left out.
   */
  countRows(): Promise<Map<string, number>> {
    const next = this.pollTail.then(async () => {
      await this.start();
      await this.ensureConnected();
      const counts = new Map<string, number>();
      for (const stream of this.streams) {
        if (!stream.tableId || this.closed) continue;
        try {
          const result = await this.execute({ sql: `SELECT COUNT(*) FROM ${stream.from}`, params: [] });
          const value = Number(result.rows[0]?.[0]);
          if (Number.isFinite(value)) counts.set(stream.info.key, value);
        } catch (error) {
          this.log.debug('row count failed', { table: stream.from, error: String(error) });
        }
      }
      return counts;
    });
    this.pollTail = next.catch(() => undefined);
    return next;
  }

  /** Every table the database listed at start (qualified names), selected or not: for the config preview. */
  get discoveredTables(): string[] {
    return [...this.listedTables];
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.closeController.abort();
    try {
      await this.starting;
    } catch {
      // start failures were already reported to whoever awaited start()
    }
    if (this.connected) {
      this.connected = false;
      await this.closeConnection();
    }
  }

  dispose(): void {
    void this.close();
  }

  // ---- start-up ------------------------------------------------------------------------------------------------

  private async doStart(): Promise<void> {
    await this.ensureConnected();
    try {
      if (this.options.query !== undefined) {
        this.streams.push(await this.queryStream(this.options.query));
      } else {
        const listed = (await this.execute(this.dialect.listTables(this.options.tableTypes))).rows.map((row) => this.listedTable(row));
        this.listedTables = listed.map((entry) => tableIdToString(entry.id));
        const tables = selectTables(listed, this.options, this.dialect);
        for (const table of tables) this.streams.push(await this.tableStream(table));
        this.nextTableListAt = Date.now() + this.options.tablePollIntervalMs;
      }
      for (const stream of this.streams) {
        const stored = await this.storedPosition(stream);
        await this.applyPosition(stream, stored);
      }
      await this.checkServerZone();
      this.log.info('polling source started', {
        mode: this.options.mode,
        streams: this.streams.map((stream) => ({ table: tableIdToString(stream.info.table), topic: stream.info.topic, position: encodePosition(stream.position) })),
      });
    } catch (error) {
      throw await this.wrapFailure(error, undefined);
    }
  }

  /**
   * `table.poll.interval.ms`: reads the table list again. A table that now matches the include/exclude lists gets a
   * stream (from its checkpoint, if it had one, else from the start, as a new table's snapshot); a table that was
   * dropped or no longer matches stops being polled. A failure leaves the streams as they were until the next look.
   */
  private async refreshTables(): Promise<void> {
    this.nextTableListAt = Date.now() + this.options.tablePollIntervalMs;
    let selected: TableId[];
    try {
      await this.ensureConnected();
      const listed = (await this.execute(this.dialect.listTables(this.options.tableTypes))).rows.map((row) => this.listedTable(row));
      this.listedTables = listed.map((entry) => tableIdToString(entry.id));
      selected = selectTables(listed, this.options, this.dialect);
    } catch (error) {
      this.log.warn('could not re-read the table list; polling the known tables', { error: String(error) });
      return;
    }
    const wanted = new Set(selected.map((table) => tableIdToString(table)));
    const dropped = this.streams.filter((stream) => stream.tableId !== undefined && !wanted.has(tableIdToString(stream.tableId)));
    for (const stream of dropped) this.streams.splice(this.streams.indexOf(stream), 1);
    const known = new Set(this.streams.map((stream) => (stream.tableId ? tableIdToString(stream.tableId) : '')));
    const added: StreamState[] = [];
    for (const table of selected) {
      if (known.has(tableIdToString(table))) continue;
      const stream = await this.tableStream(table);
      await this.applyPosition(stream, await this.storedPosition(stream));
      this.streams.push(stream);
      added.push(stream);
    }
    if (added.length > 0 || dropped.length > 0) {
      this.log.info('table list changed', {
        added: added.map((stream) => tableIdToString(stream.info.table)),
        dropped: dropped.map((stream) => tableIdToString(stream.info.table)),
      });
    }
  }

  private async tableStream(table: TableId): Promise<StreamState> {
    const partition = tablePartition(table);
    return this.openStream(
      { key: partitionKey(partition), table, topic: topicForTable(this.options.topicPrefix, table), partition, valueSchema: { name: table.table, fields: [] }, keySchema: null },
      { tableId: table, query: undefined, from: this.dialect.quoteTable(table) },
    );
  }

  private async queryStream(query: string): Promise<StreamState> {
    return this.openStream(
      {
        key: partitionKey(QUERY_PARTITION),
        table: QUERY_TABLE,
        topic: topicForQuery(this.options.topicPrefix),
        partition: QUERY_PARTITION,
        valueSchema: { name: QUERY_MODE_SCHEMA_NAME, fields: [] },
        keySchema: null,
      },
      { tableId: undefined, query, from: this.dialect.wrapQuery(query) },
    );
  }

  /** A stream in its initial state (no position, not yet due), with its columns read from the database. */
  private async openStream(info: StreamState['info'], source: Pick<StreamState, 'tableId' | 'query' | 'from'>): Promise<StreamState> {
    const stream: StreamState = {
      info,
      ...source,
      columns: [],
      incrementing: undefined,
      timestamps: [],
      position: {},
      inclusiveStart: false,
      signature: undefined,
      dueAt: 0,
      caughtUp: false,
      bulk: { active: false, after: undefined, offset: 0 },
    };
    await this.refreshColumns(stream);
    return stream;
  }

  private async storedPosition(stream: StreamState): Promise<PollingPosition> {
    if (!this.loadPosition) return {};
    const candidates = stream.tableId ? [stream.info.partition, legacyTablePartition(stream.tableId)] : [stream.info.partition];
    for (const partition of candidates) {
      const found = await this.loadPosition(partition);
      if (found && Object.keys(found).length > 0) {
        this.log.info('resuming from a saved position', { partition, position: found });
        return decodePosition(found);
      }
    }
    return {};
  }

  /** A stored position wins; without one, timestamp.initial gives the start (upstream computeInitialOffset). */
  private async applyPosition(stream: StreamState, position: PollingPosition): Promise<void> {
    stream.position = position;
    stream.inclusiveStart = false;
    if (position.timestamp === undefined && usesTimestamp(this.options.mode) && this.options.timestampInitial !== undefined) {
      const initial =
        this.options.timestampInitial === TIMESTAMP_INITIAL_CURRENT
          ? await this.databaseNow()
          : instantFromMillis(this.options.timestampInitial);
      stream.position = { ...position, timestamp: initial };
      // A start, not a row already read: compare inclusively and checkpoint nothing until a row moves past it, so
      // a restart in between applies timestamp.initial again instead of skipping rows stamped exactly then.
      stream.inclusiveStart = true;
      delete stream.position.incrementing;
    }
  }

  /** (Re)reads the columns of a stream and resolves its incrementing/timestamp columns against them. */
  private async refreshColumns(stream: StreamState): Promise<void> {
    let columns: ColumnInfo[];
    if (stream.tableId) {
      const table = stream.tableId;
      columns = await this.columnsFromCatalog(await this.execute(this.dialect.describeColumns(table)));
      if (columns.length === 0) {
        throw sourceError('SOURCE_TABLE_NOT_FOUND', `Table ${tableIdToString(table)} does not exist in ${this.productName} (or this user cannot see its columns).`, {
          detail: { table },
        });
      }
    } else {
      columns = await this.columnsFromResult(await this.execute({ sql: this.dialect.describeQuery(stream.query as string), params: [] }));
    }
    const where = stream.tableId ? `table ${tableIdToString(stream.tableId)}` : 'the query';
    const available = columns.map((column) => column.name).join(', ');

    let incrementing: ColumnInfo | undefined;
    if (usesIncrementing(this.options.mode)) {
      const wanted = this.options.incrementingColumn;
      if (wanted) {
        incrementing = findColumn(columns, wanted);
        if (!incrementing) {
          throw sourceError('SOURCE_COLUMN_NOT_FOUND', `incrementing.column.name "${wanted}" is not a column of ${where}. Columns: ${available}.`, {
            detail: { column: wanted, table: stream.tableId },
          });
        }
      } else {
        incrementing = columns.find((column) => column.autoIncrement);
        if (!incrementing) {
          const key = primaryKeyColumns(columns);
          const single = key.length === 1 ? key[0] : undefined;
          if (single && isIntegerType(single.type)) incrementing = single;
        }
        if (!incrementing) {
          throw sourceError(
            'SOURCE_BAD_COLUMN',
            `${where[0]?.toUpperCase()}${where.slice(1)} has no auto-increment column and no single-column integer primary key to use as the incrementing column. Set incrementing.column.name.`,
            { detail: { table: stream.tableId } },
          );
        }
        this.log.info('auto-detected the incrementing column', { source: where, column: incrementing.name });
      }
      if (!isIncrementingType(incrementing.type)) {
        throw sourceError(
          'SOURCE_BAD_COLUMN',
          `The incrementing column ${incrementing.name} of ${where} is ${incrementing.sourceType}; it must be an integer (or a decimal with scale 0).`,
          { detail: { column: incrementing.name } },
        );
      }
    }

    const timestamps: ColumnInfo[] = [];
    if (usesTimestamp(this.options.mode)) {
      for (const wanted of this.options.timestampColumns) {
        const column = findColumn(columns, wanted);
        if (!column) {
          throw sourceError('SOURCE_COLUMN_NOT_FOUND', `timestamp.column.name "${wanted}" is not a column of ${where}. Columns: ${available}.`, {
            detail: { column: wanted, table: stream.tableId },
          });
        }
        if (!isTimestampColumn(column)) {
          throw sourceError('SOURCE_BAD_COLUMN', `The timestamp column ${column.name} of ${where} is ${column.sourceType}; it must be a date/time type.`, {
            detail: { column: column.name },
          });
        }
        timestamps.push(column);
      }
      const kinds = new Set(timestamps.map((column) => column.temporal));
      if (kinds.size > 1 && this.options.zone.fixedOffsetSeconds !== 0) {
        throw sourceError(
          'SOURCE_BAD_COLUMN',
          `The timestamp columns of ${where} mix zone-less (${timestamps.filter((c) => c.temporal === 'local').map((c) => c.name).join(', ')}) and zoned ` +
            `(${timestamps.filter((c) => c.temporal === 'instant').map((c) => c.name).join(', ')}) types, which COALESCE cannot compare while db.timezone is ${this.options.zone.id}. ` +
            'Use columns of one kind, or set db.timezone to UTC if the zone-less ones hold UTC.',
        );
      }
    }

    // Upstream validates only tables (a query's nullability is unknown); so does Ferry.
    if (this.options.validateNonNull && stream.tableId) {
      if (incrementing?.optional) {
        throw sourceError(
          'SOURCE_BAD_COLUMN',
          `Cannot make incremental queries using incrementing column ${incrementing.name} on ${tableIdToString(stream.tableId)} because this column is nullable. ` +
            'Declare it NOT NULL, or set validate.non.null=false (usual for views) if it never holds NULL.',
          { detail: { column: incrementing.name } },
        );
      }
      if (timestamps.length > 0 && timestamps.every((column) => column.optional)) {
        throw sourceError(
          'SOURCE_BAD_COLUMN',
          `Cannot make incremental queries using timestamp columns ${timestamps.map((c) => c.name).join(', ')} on ${tableIdToString(stream.tableId)} because all of them are nullable ` +
            '(rows where every one is NULL are never read). Make one NOT NULL, or set validate.non.null=false.',
          { detail: { columns: timestamps.map((c) => c.name) } },
        );
      }
    }

    const changed = stream.columns.length > 0;
    stream.columns = columns;
    stream.incrementing = incrementing;
    stream.timestamps = timestamps;
    stream.signature = undefined;
    const name = stream.tableId ? stream.tableId.table : QUERY_MODE_SCHEMA_NAME;
    stream.info.valueSchema = valueSchemaOf(name, columns);
    stream.info.keySchema = stream.tableId ? keySchemaOf(`${name}Key`, columns) : null;
    if (changed) this.log.info('source columns changed; schema rebuilt', { source: where, columns: columns.map((column) => column.name) });
  }

  /** Warns when db.timezone disagrees with the server's own zone and zone-less timestamp columns are in use. */
  private async checkServerZone(): Promise<void> {
    const usesLocal = this.streams.some((stream) => stream.timestamps.some((column) => column.temporal === 'local'));
    if (!usesLocal) return;
    try {
      const result = await this.execute({ sql: this.dialect.serverOffsetQuery(), params: [] });
      const raw = result.rows[0]?.[0];
      // NULL when MySQL cannot resolve its global zone name (no time zone tables): nothing to compare.
      if (raw === null || raw === undefined) return;
      const serverOffset = Number(raw);
      const zoneOffset = this.options.zone.offsetSecondsAt(Math.floor(Date.now() / 1000));
      if (Number.isFinite(serverOffset) && serverOffset !== zoneOffset) {
        const notice =
          `db.timezone is ${this.options.zone.id} (UTC${formatOffset(zoneOffset)}) but the ${this.productName} server's local time is UTC${formatOffset(serverOffset)}. ` +
          'Zone-less timestamp columns are read in db.timezone; if they are filled with the server clock (NOW(), GETDATE(), LOCALTIMESTAMP), set db.timezone to the server zone, ' +
          'or new rows will look early/late (and the latency figures off by the difference) and wait past timestamp.delay.interval.ms.';
        this.log.warn(notice, { serverOffsetSeconds: serverOffset, dbTimezoneOffsetSeconds: zoneOffset });
        if (!this.notices.includes(notice)) this.notices.push(notice);
      }
    } catch (error) {
      this.log.debug('could not read the server time zone', { error: causeText(error) });
    }
  }

  // ---- polling -------------------------------------------------------------------------------------------------

  private nextDue(): StreamState {
    let next = this.streams[0];
    if (!next) throw sourceError('SOURCE_TABLE_NOT_FOUND', 'This source has no table to poll.');
    for (const stream of this.streams) if (stream.dueAt < next.dueAt) next = stream;
    return next;
  }

  private async databaseNow(): Promise<PreciseInstant> {
    const result = await this.execute({ sql: this.dialect.currentTimeQuery(), params: [] });
    return this.parseNow(result.rows[0]?.[0]);
  }

  /**
   * Runs a statement built from the stream's current columns. When the result's columns differ from what the stream
   * knows, re-reads the catalog and runs the rebuilt statement once more.
   */
  private async executeChecked(stream: StreamState, buildQuery: () => SqlStatement, mayRefresh = true): Promise<RawResult> {
    const suffix = this.options.querySuffix;
    const build = suffix === '' ? buildQuery : (): SqlStatement => {
      const statement = buildQuery();
      return { ...statement, sql: `${statement.sql} ${suffix}` };
    };
    let result = await this.execute(build());
    if (this.sameColumns(stream, result)) {
      stream.signature ??= result.signature;
      return result;
    }
    if (!mayRefresh) {
      throw sourceError('SOURCE_QUERY_FAILED', `The columns of ${this.describe(stream)} changed while it was being read; the next poll retries.`, { retriable: true });
    }
    await this.refreshColumns(stream);
    result = await this.execute(build());
    if (!this.sameColumns(stream, result)) {
      throw sourceError('SOURCE_QUERY_FAILED', `The columns of ${this.describe(stream)} changed while it was being read; the next poll retries.`, { retriable: true });
    }
    stream.signature = result.signature;
    return result;
  }

  private sameColumns(stream: StreamState, result: RawResult): boolean {
    if (result.names.length !== stream.columns.length) return false;
    if (!result.names.every((name, index) => name === stream.columns[index]?.name)) return false;
    return stream.signature === undefined || stream.signature === result.signature;
  }

  private async pollStream(stream: StreamState): Promise<PollBatch> {
    const limit = this.options.batchMaxRows;
    const rows: unknown[][] = [];
    let full: boolean;
    if (this.options.mode === 'bulk') {
      full = await this.readBulkPage(stream, rows);
    } else {
      const mode = this.options.mode;
      const upperBound = usesTimestamp(mode) ? minusMillis(await this.databaseNow(), this.options.timestampDelayIntervalMs) : undefined;
      const result = await this.executeChecked(stream, () =>
        buildIncrementalQuery({
          dialect: this.dialect,
          from: stream.from,
          columns: stream.columns,
          mode,
          incrementing: stream.incrementing,
          timestamps: stream.timestamps,
          position: stream.position,
          lowerBoundInclusive: stream.inclusiveStart,
          upperBound,
          zone: this.options.zone,
          limit,
        }),
      );
      full = result.rows.length >= limit;
      appendAll(rows, result.rows);
      if (mode === 'timestamp' && full) await this.completeLastTimestamp(stream, rows);
    }
    const records = this.toRecords(stream, rows);
    stream.caughtUp = !full;
    stream.dueAt = full ? 0 : Date.now() + this.options.pollIntervalMs;
    return { stream: { ...stream.info }, records, more: full };
  }

  /**
   * Timestamp-only mode with a full batch: rows sharing the last timestamp may continue past the LIMIT. Replace the
   * batch's tail at that timestamp with all rows stamped then, so the batch ends on a complete timestamp and the
   * next `TS > last` loses nothing. The batch can exceed batch.max.rows by the size of that group.
   */
  private async completeLastTimestamp(stream: StreamState, rows: unknown[][]): Promise<void> {
    const last = rows[rows.length - 1];
    if (!last) return;
    const at = this.rowTimestamp(stream, last);
    if (!at) return;
    while (rows.length > 0) {
      const tail = rows[rows.length - 1] as unknown[];
      const ts = this.rowTimestamp(stream, tail);
      if (!ts || compareInstants(ts, at) !== 0) break;
      rows.pop();
    }
    const key = primaryKeyColumns(stream.columns);
    const tie = await this.executeChecked(stream, () =>
      buildTimestampTieQuery({
        dialect: this.dialect,
        from: stream.from,
        columns: stream.columns,
        timestamps: stream.timestamps,
        orderBy: key.length > 0 ? key : stream.columns.slice(0, 1),
        at,
        zone: this.options.zone,
      }),
      // The rows already in hand have the current column layout; a change now is picked up by the next poll.
      false,
    );
    appendAll(rows, tie.rows);
  }

  private async readBulkPage(stream: StreamState, rows: unknown[][]): Promise<boolean> {
    const limit = this.options.batchMaxRows;
    if (!stream.bulk.active) stream.bulk = { active: true, after: undefined, offset: 0 };
    const keysetColumn = (): ColumnInfo | undefined => {
      const key = stream.tableId ? primaryKeyColumns(stream.columns) : [];
      return key.length === 1 && key[0] !== undefined && isIntegerType(key[0].type) ? key[0] : undefined;
    };
    const result = await this.executeChecked(stream, () => {
      const keyset = keysetColumn();
      return buildBulkPageQuery({
        dialect: this.dialect,
        from: stream.from,
        columns: stream.columns,
        key: stream.tableId ? primaryKeyColumns(stream.columns) : [],
        after: keyset ? stream.bulk.after : undefined,
        offset: keyset ? undefined : stream.bulk.offset,
        limit,
      });
    });
    appendAll(rows, result.rows);
    const full = result.rows.length >= limit;
    const keyset = keysetColumn();
    if (keyset) {
      const index = stream.columns.indexOf(keyset);
      const lastRow = result.rows[result.rows.length - 1];
      if (lastRow) stream.bulk.after = this.integerValue(lastRow[index], keyset, stream);
    } else {
      stream.bulk.offset += result.rows.length;
    }
    if (!full) stream.bulk.active = false;
    return full;
  }

  private rowTimestamp(stream: StreamState, row: unknown[]): PreciseInstant | null {
    for (const column of stream.timestamps) {
      const raw = row[stream.columns.indexOf(column)];
      if (raw === null || raw === undefined) continue;
      const instant = this.toInstant(raw, column);
      if (instant) return instant;
    }
    return null;
  }

  private integerValue(raw: unknown, column: ColumnInfo, stream: StreamState): bigint {
    return this.integerOf(raw === null || raw === undefined ? null : this.toFieldValue(raw, column), column, stream);
  }

  /** The incrementing column's value as just converted for the row (converting it again cost as much). */
  private incrementingValue(after: Row, row: unknown[], incrementing: ColumnInfo | undefined, incIndex: number, stream: StreamState): bigint {
    if (incrementing) return this.integerOf(after[incrementing.name] ?? null, incrementing, stream);
    return this.integerValue(row[incIndex], stream.incrementing as ColumnInfo, stream);
  }

  /** The incrementing column's value (as the reader converted it) as the position's integer. */
  private integerOf(value: FieldValue, column: ColumnInfo, stream: StreamState): bigint {
    if (value === null) {
      throw sourceError('SOURCE_BAD_VALUE', `Null value for incrementing column ${column.name} of ${this.describe(stream)}; every row needs a value there.`, {
        detail: { column: column.name },
      });
    }
    if (typeof value === 'bigint') return value;
    if (typeof value === 'number' && Number.isSafeInteger(value)) return BigInt(value);
    if (typeof value === 'string' && /^-?\d+$/.test(value)) return BigInt(value);
    throw sourceError('SOURCE_BAD_VALUE', `Incrementing column ${column.name} of ${this.describe(stream)} holds ${String(value)}, which is not an integer.`, {
      detail: { column: column.name },
    });
  }

  private toRecords(stream: StreamState, rows: readonly unknown[][]): ChangeRecord[] {
    const mode = this.options.mode;
    const { columns } = stream;
    const keyColumns = stream.info.keySchema ? primaryKeyColumns(columns) : [];
    const incIndex = stream.incrementing ? columns.indexOf(stream.incrementing) : -1;
    const records: ChangeRecord[] = [];
    // Timestamp-only mode checkpoints a timestamp only once every row stamped then was emitted (upstream
    // TimestampTableQuerier); until then records carry the previous committable position.
    let committable: PollingPosition = stream.inclusiveStart ? {} : { ...stream.position };
    const instants = usesTimestamp(mode) ? rows.map((row) => this.rowTimestamp(stream, row)) : [];

    const incrementing = incIndex >= 0 ? (columns[incIndex] as ColumnInfo) : undefined;
    rows.forEach((row, index) => {
      const after: Row = {};
      for (let i = 0; i < columns.length; i += 1) {
        const column = columns[i] as ColumnInfo;
        const raw = row[i];
        after[column.name] = raw === null || raw === undefined ? null : this.convert(raw, column, stream);
      }

      let key: Row | null = null;
      if (keyColumns.length > 0) {
        key = {};
        for (const column of keyColumns) key[column.name] = after[column.name] ?? null;
      }
      const ts = instants[index] ?? undefined;
      let position: PollingPosition;
      if (mode === 'bulk') {
        position = {};
      } else if (mode === 'incrementing') {
        position = { incrementing: this.incrementingValue(after, row, incrementing, incIndex, stream) };
      } else if (mode === 'timestamp+incrementing') {
        position = { timestamp: ts, incrementing: this.incrementingValue(after, row, incrementing, incIndex, stream) };
      } else {
        const next = instants[index + 1];
        if (ts && (index === rows.length - 1 || !next || compareInstants(ts, next) < 0)) committable = { timestamp: ts };
        position = committable;
      }
      const record: ChangeRecord = {
        table: stream.info.table,
        op: mode === 'bulk' ? 'r' : 'c',
        keySchema: stream.info.keySchema,
        key,
        valueSchema: stream.info.valueSchema,
        after,
        position: encodePosition(position),
      };
      if (ts) record.sourceTimestampMs = instantToMillis(ts);
      records.push(record);
      if (mode !== 'bulk' && mode !== 'timestamp') {
        stream.position = position;
        stream.inclusiveStart = false;
      }
    });
    if (mode === 'timestamp' && rows.length > 0 && committable.timestamp) {
      stream.position = committable;
      stream.inclusiveStart = false;
    }
    return records;
  }

  private convert(raw: unknown, column: ColumnInfo, stream: StreamState): FieldValue {
    try {
      return this.toFieldValue(raw, column);
    } catch (error) {
      if (error instanceof EngineError) throw error;
      throw sourceError('SOURCE_BAD_VALUE', `Column ${column.name} (${column.sourceType}) of ${this.describe(stream)}: ${causeText(error)}`, {
        detail: { column: column.name },
        cause: error,
      });
    }
  }

  // ---- connection and errors -----------------------------------------------------------------------------------

  private async ensureConnected(): Promise<void> {
    if (this.connected) return;
    const attempts = this.options.connectionAttempts;
    // connection.backoff.ms is the shortest pause (as in Connect); it grows, jittered, up to a minute.
    const first = this.options.connectionBackoffMs;
    const backoff = new Backoff({ initialMs: first, maxMs: Math.max(first, 60_000), jitter: 'decorrelated' });
    for (let attempt = 1; ; attempt++) {
      this.assertOpen();
      try {
        await this.openConnection();
        this.connected = true;
        if (attempt > 1) this.log.info('connected', { attempt });
        return;
      } catch (error) {
        await this.closeConnection();
        const kind = this.classifyError(error);
        const where = `${this.productName} at ${this.connection.host}:${this.connection.port} (database ${this.connection.database}, user ${this.connection.user})`;
        if (kind === 'auth') {
          throw sourceError('SOURCE_AUTH_FAILED', `${where} refused the login: ${causeText(error)}. Check connection.user, connection.password and db.name.`, {
            cause: error,
          });
        }
        if (attempt >= attempts || kind !== 'connection') {
          throw sourceError(
            'SOURCE_CONNECTION_FAILED',
            `Could not connect to ${where} after ${attempt} attempt${attempt === 1 ? '' : 's'}: ${connectionFailureText(error, this.connection)}. ` +
              'Check that the server runs and that host, port and TLS settings are right; Ferry retries.',
            { retriable: true, cause: error },
          );
        }
        const delay = backoff.next();
        this.log.warn('connection failed; retrying', { attempt, attempts, delayMs: delay, error: connectionFailureText(error, this.connection) });
        await sleep(delay, this.closeController.signal);
      }
    }
  }

  /** Turns a failure into an EngineError users can act on; drops the connection when it is the culprit. */
  private async wrapFailure(error: unknown, stream: StreamState | undefined): Promise<unknown> {
    if (this.closed) return sourceError('SOURCE_CLOSED', 'The source reader was closed.', { cause: error });
    if (error instanceof EngineError) {
      if (error.retriable && error.code === 'SOURCE_CONNECTION_FAILED') await this.dropConnection();
      return error;
    }
    const kind = this.classifyError(error);
    const where = stream ? this.describe(stream) : `${this.productName} database ${this.connection.database}`;
    if (kind === 'connection') {
      await this.dropConnection();
      return sourceError('SOURCE_CONNECTION_FAILED', `Lost the connection to ${this.productName} while reading ${where}: ${causeText(error)}. The next poll reconnects.`, {
        retriable: true,
        cause: error,
      });
    }
    if (kind === 'missing' && stream) {
      return sourceError('SOURCE_TABLE_NOT_FOUND', `Reading ${where} failed: ${causeText(error)}. Was it dropped or renamed?`, { cause: error });
    }
    return sourceError('SOURCE_QUERY_FAILED', `Reading ${where} failed: ${causeText(error)}`, { cause: error });
  }

  private async dropConnection(): Promise<void> {
    if (!this.connected) return;
    this.connected = false;
    await this.closeConnection();
  }

  private describe(stream: StreamState): string {
    return stream.tableId ? `table ${tableIdToString(stream.tableId)}` : 'the custom query';
  }

  private assertOpen(): void {
    if (this.closed) throw sourceError('SOURCE_CLOSED', 'The source reader was closed.');
  }
}

function anySignal(...signals: (AbortSignal | undefined)[]): AbortSignal {
  const present = signals.filter((signal): signal is AbortSignal => signal !== undefined);
  return present.length === 1 ? (present[0] as AbortSignal) : AbortSignal.any(present);
}

function formatOffset(seconds: number): string {
  const sign = seconds < 0 ? '-' : '+';
  const abs = Math.abs(seconds);
  return `${sign}${String(Math.floor(abs / 3600)).padStart(2, '0')}:${String(Math.floor((abs % 3600) / 60)).padStart(2, '0')}`;
}
