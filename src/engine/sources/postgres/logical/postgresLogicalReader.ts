import type { LogicalReplicationService, Pgoutput, PgoutputPlugin } from 'pg-logical-replication';
import { pg, pgLogicalReplication } from '../../../db/drivers';
import type { IDisposable } from '../../../../shared/lifecycle';
import { createLogger, type Logger } from '../../../base/logger';
import { type ChangeRecord, emptyFieldValue, type FieldValue, type Row, type TableId } from '../../../model';
import type { DebeziumTypeOptions } from '../../debeziumTypes';
import { type CapturedTable, capturedTable, capturedValue, keyOf } from '../../capturedTable';
import { causeText, sourceError } from '../../errors';
import type { ColumnInfo } from '../../polling/columns';
import type { NumericMapping } from '../../polling/options';
import { revealPassword, type SourceConnectionOptions } from '../../polling/pollingReader';
import type { Zone } from '../../polling/zone';
import { PostgresDialect } from '../postgresDialect';
import { describePostgresCatalogColumn, PostgresTypeMap } from '../postgresTypeMap';
import { PostgresValueReader } from '../postgresValues';
import { TransactionQueue } from '../../transactionQueue';
import { compareLsn, formatLsn, type LogicalPosition, logicalPositionToCheckpoint, parseLsn } from './postgresLogicalPosition';
import { prepareReplication, type PublicationAutocreateMode, readSlot, type SlotState } from './replicationSetup';

/** Debezium's default `unavailable.value.placeholder`: an unchanged TOASTed value the update did not carry. */
export const UNAVAILABLE_VALUE_PLACEHOLDER = '__debezium_unavailable_value';

export interface PostgresLogicalReaderInit {
  connection: SourceConnectionOptions;
  /** `slot.name` (Debezium's default `debezium`). */
  slotName: string;
  /** `publication.name` (Debezium's default `dbz_publication`). */
  publicationName: string;
  publicationAutocreate: PublicationAutocreateMode;
  /** The captured tables: what a `filtered` publication holds. */
  tables: readonly TableId[];
  includeTable: (table: TableId) => boolean;
  /** `topic.prefix`: topics and Avro record names are `<prefix>.<schema>.<table>` as Debezium writes them. */
  topicPrefix: string;
  zone: Zone;
  numericMapping?: NumericMapping;
  /** Debezium's column types (time.precision.mode, decimal.handling.mode); Ferry's reader types when absent. */
  types?: DebeziumTypeOptions;
  /** Sent as the standby status while idle, so the server neither times the reader out nor waits on it. */
  keepaliveMs?: number;
  maxBufferedRecords?: number;
  logger?: Logger;
}

interface OpenTransaction {
  commitLsn: string;
  xid: number;
  commitTimeMs: number;
  records: ChangeRecord[];
  skip: number;
}

const BYTEA_OID = 17;
// pg's parser, looked up when the first bytea is read (pg loads on first use: db/drivers.ts).
let pgByteaParser: ((text: string) => Buffer) | undefined;
const byteaParser = (text: string): Buffer => (pgByteaParser ??= pg.types.getTypeParser(BYTEA_OID, 'text') as (text: string) => Buffer)(text);

/**
 * pgoutput with every value kept as the server's text (bytea as bytes): the library parses tuples with pg's
 * global type parsers, which turn timestamps into Dates (losing microseconds) and would differ from what the
 * polling reader reads. Its relation columns carry the parser, so each column gets a text-preserving one.
 */
function textPgoutputPlugin(publicationName: string): PgoutputPlugin {
  const plugin = new pgLogicalReplication.PgoutputPlugin({ protoVersion: 1, publicationNames: [publicationName] });
  const parser = (plugin as unknown as { parser: unknown }).parser as { readRelationColumn: (reader: unknown) => { typeOid: number; parser: (raw: string) => unknown } };
  const readColumn = parser.readRelationColumn.bind(parser);
  parser.readRelationColumn = (reader) => {
    const column = readColumn(reader);
    return { ...column, parser: column.typeOid === BYTEA_OID ? byteaParser : (raw: string) => raw };
  };
  return plugin;
}

/**
 * Reads a PostgreSQL database's changes through a logical replication slot with the built-in pgoutput plugin and
 * hands out whole committed transactions as records. The slot's confirmed position advances only through
 * `acknowledge`, which the runner calls once Kafka acknowledged the records up to a position: a crash before that
 * makes the server send those transactions again, and `row` in the checkpoint skips what was already emitted.
 */
export class PostgresLogicalReader implements IDisposable {
  private readonly log: Logger;
  private readonly typeMap: PostgresTypeMap;
  /** The database's value conversion, shared with its polling reader. */
  private readonly readValue: (raw: unknown, column: ColumnInfo) => FieldValue;
  private readonly endpoint: string;
  private control: pg.Client | undefined;
  private service: LogicalReplicationService | undefined;
  private readonly tables = new Map<string, CapturedTable | null>();
  private readonly queue: TransactionQueue;
  private transaction: OpenTransaction | undefined;
  private resume: LogicalPosition | undefined;
  private lastEmitted: LogicalPosition | undefined;
  private acknowledgedLsn: string | undefined;
  private keepalive: NodeJS.Timeout | undefined;
  private failure: Error | undefined;
  private closed = false;

  constructor(private readonly init: PostgresLogicalReaderInit) {
    this.log = init.logger ?? createLogger('sources.postgres.logical');
    this.typeMap = new PostgresTypeMap(init.numericMapping ?? 'none');
    const values = new PostgresValueReader(init.zone);
    this.readValue = (raw, column) => values.fieldValue(raw, column);
    this.endpoint = `${init.connection.host}:${init.connection.port}`;
    this.queue = new TransactionQueue(init.maxBufferedRecords ?? 20_000);
  }

  /** The position after the last record handed out by `read`, or where reading started. */
  get position(): LogicalPosition | undefined {
    return this.lastEmitted;
  }

  /**
   * Checks prerequisites, creates the publication and the slot when they are missing (as Debezium does), and
   * starts streaming from the slot's confirmed position; `from` (a checkpoint) says which changes of a partly
   * emitted transaction to skip. Resolves with the slot as it was before streaming began.
   *
   * `redoingSnapshot`: `from` is where an interrupted snapshot began (no checkpoint). The slot must still hold the log
   * from there, as for a checkpoint: a missing, invalidated or further confirmed slot refuses (SOURCE_BAD_POSITION).
   */
  async start(from?: LogicalPosition, options: { redoingSnapshot?: boolean } = {}): Promise<SlotState> {
    if (this.closed) throw sourceError('SOURCE_CLOSED', 'The logical decoding reader was closed.');
    const control = await this.openControl();
    const redoing = options.redoingSnapshot === true && from !== undefined;
    const slot = await prepareReplication(
      control,
      {
        slotName: this.init.slotName,
        publicationName: this.init.publicationName,
        autocreate: this.init.publicationAutocreate,
        tables: this.init.tables,
        resuming: from !== undefined && !redoing,
        ...(redoing ? { interruptedSnapshotLsn: from.lsn } : {}),
      },
      this.endpoint,
    );
    this.resume = from;
    this.acknowledgedLsn = from?.lsn ?? slot.confirmedFlushLsn;
    this.lastEmitted = from ?? (slot.confirmedFlushLsn ? { lsn: slot.confirmedFlushLsn, row: 0 } : undefined);
    await this.startStreaming();
    return slot;
  }

  /** Up to about `maxRecords` records of committed transactions, waiting at most `maxWaitMs` for the first. */
  async read(maxRecords: number, maxWaitMs: number, signal?: AbortSignal): Promise<ChangeRecord[]> {
    const records = await this.queue.take(maxRecords, maxWaitMs, signal, () => this.failure !== undefined || this.closed);
    if (this.failure) throw this.failure;
    const last = records[records.length - 1];
    if (last) this.lastEmitted = positionOf(last);
    if (this.queue.drained) this.streamPaused(false);
    return records;
  }

  /**
   * Confirms to the slot that everything up to `position` is safely in Kafka, so the server may recycle that WAL.
   * Only whole transactions are confirmed: a position inside one confirms up to the transaction before it.
   */
  async acknowledge(position: LogicalPosition): Promise<void> {
    if (this.acknowledgedLsn !== undefined && compareLsn(position.lsn, this.acknowledgedLsn) <= 0) return;
    this.acknowledgedLsn = position.lsn;
    await this.service?.acknowledge(position.lsn);
  }

  /** The slot as the server reports it now: retained WAL for status, wal_status for a warning before it is lost. */
  async slotState(): Promise<SlotState> {
    return readSlot(await this.openControl(), this.init.slotName);
  }

  private async startStreaming(): Promise<void> {
    const { connection } = this.init;
    // The library's own keepalive would confirm the last LSN *received*; only acknowledged positions may be confirmed.
    const service = new pgLogicalReplication.LogicalReplicationService(
      {
        host: connection.host,
        port: connection.port,
        user: connection.user,
        password: revealPassword(connection.password),
        database: connection.database,
        connectionTimeoutMillis: connection.connectTimeoutMs ?? 15_000,
        application_name: 'ferry-log-reader',
      },
      { acknowledge: { auto: false, timeoutSeconds: 0 }, flowControl: { enabled: true } },
    );
    this.service = service;
    service.on('error', (error: Error) => this.fail(error));
    service.on('data', (_lsn: string, message: Pgoutput.Message) => this.onMessage(message));
    service.on('heartbeat', (_lsn: string, _timestamp: number, shouldRespond: boolean) => {
      if (shouldRespond) this.sendStatus();
    });
    const started = new Promise<void>((resolve) => service.once('start', () => resolve()));
    const plugin = textPgoutputPlugin(this.init.publicationName);
    const subscribed = this.acknowledgedLsn === undefined ? service.subscribe(plugin, this.init.slotName) : service.subscribe(plugin, this.init.slotName, this.acknowledgedLsn);
    subscribed.then(
      () => {
        if (!this.closed && !this.failure) this.fail(new Error('the server ended the replication stream'));
      },
      (error: unknown) => this.fail(error instanceof Error ? error : new Error(String(error))),
    );
    await Promise.race([
      started,
      new Promise<void>((_resolve, reject) => {
        const check = setInterval(() => {
          if (this.failure) {
            clearInterval(check);
            reject(this.failure);
          }
        }, 50);
        void started.then(() => clearInterval(check));
      }),
    ]);
    this.keepalive = setInterval(() => this.sendStatus(), this.init.keepaliveMs ?? 10_000);
    this.keepalive.unref();
  }

  private sendStatus(): void {
    if (this.acknowledgedLsn) void this.service?.acknowledge(this.acknowledgedLsn).catch(() => {});
  }

  private async onMessage(message: Pgoutput.Message): Promise<void> {
    try {
      switch (message.tag) {
        case 'begin':
          this.beginTransaction(message);
          return;
        case 'insert':
          await this.onChange('c', message.relation, null, message.new);
          return;
        case 'update':
          await this.onChange('u', message.relation, message.old ?? null, message.new, message.key);
          return;
        case 'delete':
          await this.onChange('d', message.relation, message.old ?? null, null, message.key);
          return;
        case 'relation':
          // A new relation message follows DDL: the catalog is read again at the table's next change.
          this.tables.delete(relationKey(message));
          return;
        case 'commit':
          this.commitTransaction(normalLsn(message.commitEndLsn ?? message.commitLsn ?? ''));
          return;
        default:
          return; // truncate, origin, type, message: Debezium's defaults skip them
      }
    } catch (error) {
      this.fail(error instanceof Error ? error : new Error(String(error)));
    }
  }

  private beginTransaction(message: Pgoutput.MessageBegin): void {
    const commitLsn = normalLsn(message.commitLsn ?? '');
    const skip = this.resume?.lsnCommit === commitLsn ? this.resume.row : 0;
    this.transaction = { commitLsn, xid: message.xid, commitTimeMs: Math.floor(Number(message.commitTime) / 1000), records: [], skip };
    this.resume = undefined;
  }

  private async onChange(
    op: 'c' | 'u' | 'd',
    relation: Pgoutput.MessageRelation,
    old: Record<string, unknown> | null,
    fresh: Record<string, unknown> | null,
    key?: Record<string, unknown> | null,
  ): Promise<void> {
    const id: TableId = { schema: relation.schema, table: relation.name };
    if (!this.init.includeTable(id) || !this.transaction) return;
    const table = await this.capturedTable(id, relation);
    if (!table) return;
    const transaction = this.transaction;
    if (transaction.skip > 0) {
      transaction.skip -= 1;
      return;
    }
    // Without REPLICA IDENTITY FULL the server sends only the key of the old row: Debezium's before is then the
    // key with every other column null for a delete, and absent (null) for an update.
    // A key change without REPLICA IDENTITY FULL still carries the old key: before is then the key alone, which is
    // what tells the task to write Debezium's delete + create pair instead of an update.
    const before = old ? this.toRow(table, old) : key && (op === 'd' || op === 'u') ? this.toRow(table, key) : null;
    const after = fresh ? this.toRow(table, fresh, before) : null;
    const recordKey = keyOf(table, after ?? before ?? {});
    transaction.records.push({
      table: id,
      op,
      keySchema: table.keySchema,
      key: recordKey,
      valueSchema: table.valueSchema,
      before,
      after,
      position: {},
      sourceTimestampMs: transaction.commitTimeMs,
    });
  }

  private toRow(table: CapturedTable, raw: Record<string, unknown>, before?: Row | null): Row {
    const row: Row = {};
    for (const column of table.columns) {
      if (!(column.name in raw)) {
        // A key-only image (delete or key change without REPLICA IDENTITY FULL): other columns are unknown; a
        // required one takes its type's empty value so the image still fits the schema, as in Debezium.
        row[column.name] = column.optional ? null : emptyFieldValue(table.debezium.get(column.name)?.type ?? column.type);
        continue;
      }
      const value = raw[column.name];
      if (value === undefined) {
        // Unchanged TOASTed value: the old one when the before image has it, else Debezium's placeholder.
        row[column.name] = before?.[column.name] ?? unavailableValue(column);
        continue;
      }
      row[column.name] = capturedValue(this.readValue, value, column, table);
    }
    return row;
  }

  private commitTransaction(endLsn: string): void {
    const transaction = this.transaction;
    this.transaction = undefined;
    if (!transaction || transaction.records.length === 0) return;
    const previous = this.lastQueuedLsn ?? this.lastEmitted?.lsn ?? endLsn;
    transaction.records.forEach((record, index) => {
      const last = index === transaction.records.length - 1;
      const position: LogicalPosition = last ? { lsn: endLsn, row: 0, txId: transaction.xid } : { lsn: previous, lsnCommit: transaction.commitLsn, row: index + 1, txId: transaction.xid };
      record.position = logicalPositionToCheckpoint(position);
    });
    this.lastQueuedLsn = endLsn;
    this.queue.push(transaction.records);
    if (this.queue.full) this.streamPaused(true);
  }

  private lastQueuedLsn: string | undefined;

  private async capturedTable(id: TableId, relation: Pgoutput.MessageRelation): Promise<CapturedTable | null> {
    const key = relationKey(relation);
    const known = this.tables.get(key);
    if (known !== undefined) return known;
    const control = await this.openControl();
    const statement = new PostgresDialect().describeColumns(id);
    const result = await control.query<unknown[]>({ text: statement.sql, values: statement.params, rowMode: 'array' });
    const catalog = result.rows.map((row) => this.typeMap.column(describePostgresCatalogColumn(row)));
    // The relation message lists the columns the changes carry, in order; the catalog adds types and the key.
    const columns = relation.columns.map((column) => catalog.find((candidate) => candidate.name === column.name)).filter((column): column is ColumnInfo => column !== undefined);
    if (columns.length === 0 || columns.length < relation.columns.length) {
      this.log.warn('skipping changes of a table whose columns are gone from the catalog', { table: `${id.schema ?? ''}.${id.table}` });
      this.tables.set(key, null);
      return null;
    }
    const topic = `${this.init.topicPrefix}.${id.schema ?? 'public'}.${id.table}`;
    const table = capturedTable(id, topic, columns, this.init.types);
    this.tables.set(key, table);
    return table;
  }

  private streamPaused(paused: boolean): void {
    const stream = (this.service as unknown as { _connection?: { stream?: { pause?: () => void; resume?: () => void } } } | undefined)?._connection?.stream;
    if (paused) stream?.pause?.();
    else stream?.resume?.();
  }

  private async openControl(): Promise<pg.Client> {
    if (this.control) return this.control;
    const { connection } = this.init;
    const client = new pg.Client({
      host: connection.host,
      port: connection.port,
      user: connection.user,
      password: revealPassword(connection.password),
      database: connection.database,
      connectionTimeoutMillis: connection.connectTimeoutMs ?? 15_000,
      application_name: 'ferry-log-reader-control',
    });
    client.on('error', (error) => {
      this.control = undefined;
      this.log.warn('control connection error', { error: error.message });
    });
    try {
      await client.connect();
    } catch (error) {
      await client.end().catch(() => {});
      throw this.describeFailure(error);
    }
    this.control = client;
    return client;
  }

  private fail(error: Error): void {
    if (this.closed || this.failure) return;
    this.failure = this.describeFailure(error);
    this.log.warn('logical decoding reader failed', { error: this.failure.message });
    this.queue.interrupt();
  }

  private describeFailure(error: unknown): Error {
    const code = (error as { code?: unknown }).code;
    if (typeof code === 'string' && code.startsWith('SOURCE_')) return error as Error;
    if (code === '28P01' || code === '28000') {
      return sourceError('SOURCE_AUTH_FAILED', `${this.endpoint} refused the user or password of ${this.init.connection.user} (${causeText(error)}).`, { cause: error });
    }
    if (code === '55006') {
      return sourceError('SOURCE_CONNECTION_FAILED', `The replication slot "${this.init.slotName}" on ${this.endpoint} is in use by another process (${causeText(error)}). Stop the other reader, or give this pipeline its own slot.name.`, {
        retriable: true,
        cause: error,
      });
    }
    return sourceError('SOURCE_CONNECTION_FAILED', `Reading the replication slot "${this.init.slotName}" on ${this.endpoint} failed: ${causeText(error)}. Ferry reconnects from the last checkpoint.`, {
      retriable: true,
      cause: error,
    });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.queue.interrupt();
    if (this.keepalive) clearInterval(this.keepalive);
    const service = this.service;
    this.service = undefined;
    await service?.destroy().catch(() => undefined);
    const control = this.control;
    this.control = undefined;
    await control?.end().catch(() => undefined);
  }

  dispose(): void {
    void this.close();
  }
}

/** The library prints LSNs zero-padded (`00000000/05770AB8`); checkpoints and messages use PostgreSQL's `0/5770AB8`. */
function normalLsn(text: string): string {
  const value = parseLsn(text);
  return value === undefined ? text : formatLsn(value);
}

function relationKey(relation: Pgoutput.MessageRelation): string {
  return `${relation.relationOid}|${relation.columns.map((column) => column.name).join(',')}`;
}

function unavailableValue(column: ColumnInfo): FieldValue {
  if (column.type.kind === 'string') return UNAVAILABLE_VALUE_PLACEHOLDER;
  if (column.type.kind === 'bytes') return new TextEncoder().encode(UNAVAILABLE_VALUE_PLACEHOLDER);
  return null;
}

function positionOf(record: ChangeRecord): LogicalPosition {
  const { lsn, lsn_commit: lsnCommit, row, txId } = record.position;
  const position: LogicalPosition = { lsn: String(lsn), row: Number(row ?? 0) };
  if (typeof lsnCommit === 'string') position.lsnCommit = lsnCommit;
  if (typeof txId === 'number') position.txId = txId;
  return position;
}
