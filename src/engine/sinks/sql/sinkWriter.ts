import { type SinkRecord, type TableId, tableIdToString } from '../../model';
import { type EngineError, isEngineError } from '../../../shared/errors';
import { createLogger } from '../../base/logger';
import type { SqlDialect, TableDescription, ValueOptions, WriteBatch } from './dialects/dialect';
import { fieldsToAdd } from './dialects/evolution';
import { sinkError } from './errors';
import { type MappedRecord, mapRecord, type RecordMappingOptions } from './recordMapping';
import type { SqlSession } from './sessions';

export type InsertMode = 'insert' | 'upsert' | 'update';

export interface SinkWriterOptions extends RecordMappingOptions {
  connectorName: string;
  dialect: SqlDialect;
  /** Opens a session to the target; called again after a failure, as Connect reopens its connection. */
  openSession: () => Promise<SqlSession>;
  /** Where the target is, for messages. */
  target: string;
  insertMode: InsertMode;
  autoCreate: boolean;
  autoEvolve: boolean;
  deleteEnabled: boolean;
  tableNameFormat: string;
  values: ValueOptions;
  maxRetries: number;
  retryBackoffMs: number;
}

/** A record the writer could not apply, with the root cause, for the dead letter queue. */
export interface FailedRecord {
  record: SinkRecord;
  error: EngineError;
}

interface Segment {
  table: TableId;
  signature: string;
  isDelete: boolean;
  records: MappedRecord[];
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

function rootMessage(error: unknown): string {
  // Node reports a refused connection to a dual-stack host as an AggregateError with an empty message.
  if (error instanceof AggregateError && error.message === '') return error.errors.map(rootMessage).join('; ');
  return error instanceof Error ? error.message : String(error);
}

const CONNECTION_CODES = new Set([
  // Node sockets and DNS
  'ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN', 'EPIPE',
  // mysql2 / MariaDB
  'PROTOCOL_CONNECTION_LOST', 'PROTOCOL_SEQUENCE_TIMEOUT', 'ER_ACCESS_DENIED_ERROR', 'ER_CON_COUNT_ERROR', 'ER_SERVER_SHUTDOWN',
  // PostgreSQL: admin/crash shutdown, cannot connect now, authentication
  '57P01', '57P02', '57P03', '28P01', '28000',
  // mssql / tedious
  'ELOGIN', 'ESOCKET', 'ETIMEOUT', 'ECONNCLOSED', 'EINSTLOOKUP',
]);

/**
 * The target could not be reached, refused the login or dropped the connection: no record is at fault, so such a
 * failure must never send records to the dead letter queue (with errors.tolerance=all an unreachable target, e.g. a
 * wrong port, used to dead-letter the whole stream while the pipeline reported itself idle).
 */
export function isConnectionFailure(error: unknown): boolean {
  const seen = new Set<unknown>();
  const pending: unknown[] = [error];
  while (pending.length > 0) {
    const link = pending.pop();
    if (link === null || link === undefined || typeof link !== 'object' || seen.has(link)) continue;
    seen.add(link);
    const { code, detail, cause, message } = link as { code?: unknown; detail?: unknown; cause?: unknown; message?: unknown };
    if (typeof detail === 'object' && detail !== null && (detail as { connection?: unknown }).connection === true) return true;
    // SQLSTATE class 08: connection exception.
    if (typeof code === 'string' && (CONNECTION_CODES.has(code) || /^08[0-9A-Z]{3}$/.test(code))) return true;
    if (typeof message === 'string' && /Connection terminated|connection is closed|closed state|not queryable/i.test(message)) return true;
    pending.push(cause);
    if (link instanceof AggregateError) pending.push(...(link.errors as unknown[]));
  }
  return false;
}

/**
 * Applies sink records to one database with Kafka Connect JDBC sink semantics: rows buffered per table, a new
 * statement group whenever the schema changes or an upsert follows a delete (so delete-then-reinsert keeps its order),
 * upserts before deletes inside a group, tables created / evolved on demand, and the whole call in ONE transaction.
 * The caller commits consumer offsets only after `write` resolved, so a crash never skips a record.
 */
export class SqlSinkWriter {
  private session: SqlSession | undefined;
  private readonly tables = new Map<string, TableDescription>();
  private readonly log = createLogger('sink');

  constructor(private readonly options: SinkWriterOptions) {}

  /**
   * Writes the records in one transaction, retrying `max.retries` times with `retry.backoff.ms`. When retries are
   * used up and `onFailed` is given (errors.tolerance=all), the batch is unrolled and applied one record at a time;
   * only the records that still fail are handed to `onFailed`. Without `onFailed` the root cause is thrown.
   */
  async write(records: readonly SinkRecord[], onFailed?: (failures: FailedRecord[]) => Promise<void>): Promise<void> {
    if (records.length === 0) return;
    let lastError: unknown;
    for (let attempt = 0; attempt <= this.options.maxRetries; attempt++) {
      try {
        await this.applyInTransaction(records);
        return;
      } catch (error) {
        lastError = error;
        await this.resetSession();
        // A record the target can never accept (a bad key, a missing table without auto.create) will not succeed on retry.
        if (isEngineError(error) && !error.retriable) break;
        if (attempt < this.options.maxRetries) {
          this.log.warn('sink batch failed; retrying', { connector: this.options.connectorName, attempt: attempt + 1, error: rootMessage(error) });
          await sleep(this.options.retryBackoffMs);
        }
      }
    }
    // Dead-lettering is for records the target refuses, not for a target that cannot be reached.
    if (!onFailed || isConnectionFailure(lastError)) throw this.asSinkError(lastError, records);
    const failures: FailedRecord[] = [];
    for (const record of records) {
      try {
        await this.applyInTransaction([record]);
      } catch (error) {
        await this.resetSession();
        if (isConnectionFailure(error)) throw this.asSinkError(error, [record]);
        failures.push({ record, error: this.asSinkError(error, [record]) });
      }
    }
    if (failures.length > 0) await onFailed(failures);
  }

  async close(): Promise<void> {
    await this.resetSession();
  }

  private asSinkError(error: unknown, records: readonly SinkRecord[]): EngineError {
    if (isEngineError(error)) return error;
    const first = records[0];
    const where = first ? ` (records from ${first.topic}[${first.partition}]@${first.offset}${records.length > 1 ? ` and ${records.length - 1} more` : ''})` : '';
    return sinkError('SINK_WRITE_FAILED', `Writing to ${this.options.target} failed${where}: ${rootMessage(error)}`, { cause: error, retriable: true });
  }

  private async resetSession(): Promise<void> {
    const session = this.session;
    this.session = undefined;
    this.tables.clear();
    if (session) await session.close().catch(() => {});
  }

  private async openSession(): Promise<SqlSession> {
    if (!this.session) {
      try {
        this.session = await this.options.openSession();
      } catch (error) {
        throw sinkError('SINK_WRITE_FAILED', `Cannot connect to ${this.options.target}: ${rootMessage(error)}. Check that it runs and the connection settings.`, {
          cause: error,
          retriable: true,
          detail: { connection: true },
        });
      }
    }
    return this.session;
  }

  private segment(records: readonly SinkRecord[]): Segment[] {
    const segments: Segment[] = [];
    const lastByTable = new Map<string, Segment>();
    for (const record of records) {
      const mapped = mapRecord(record, this.options, this.options.deleteEnabled);
      const table = this.options.dialect.resolveTableId(this.options.tableNameFormat, record.topic);
      const tableKey = tableIdToString(table);
      const current = lastByTable.get(tableKey);
      if (current && current.signature === mapped.signature) {
        current.records.push(mapped);
        continue;
      }
      const segment: Segment = { table, signature: mapped.signature, isDelete: mapped.isDelete, records: [mapped] };
      segments.push(segment);
      lastByTable.set(tableKey, segment);
    }
    return segments;
  }

  private async applyInTransaction(records: readonly SinkRecord[]): Promise<void> {
    const segments = this.segment(records);
    if (segments.length === 0) return;
    const session = await this.openSession();
    // DDL first and outside the data transaction: MySQL commits implicitly around DDL anyway.
    for (const segment of segments) {
      const first = segment.records[0];
      if (first && !segment.isDelete) await this.ensureTable(session, segment.table, first);
    }
    await session.begin();
    try {
      for (const segment of segments) {
        for (const statement of this.statements(segment)) await session.execute(statement);
      }
      await session.commit();
    } catch (error) {
      await session.rollback().catch(() => {});
      throw error;
    }
  }

  private statements(segment: Segment): ReturnType<SqlDialect['buildInsert']> {
    const first = segment.records[0];
    if (!first) return [];
    const tableKey = tableIdToString(segment.table);
    const existing = this.tables.get(tableKey);
    const batch: WriteBatch = {
      table: segment.table,
      keyFields: first.keyFields,
      valueFields: first.valueFields,
      rows: segment.records.map((record) => record.row),
      ...(existing ? { existing } : {}),
    };
    const dialect = this.options.dialect;
    if (segment.isDelete) return dialect.buildDelete(batch, this.options.values);
    switch (this.options.insertMode) {
      case 'insert':
        return dialect.buildInsert(batch, this.options.values);
      case 'upsert':
        return dialect.buildUpsert(batch, this.options.values);
      case 'update':
        return dialect.buildUpdate(batch, this.options.values);
    }
  }

  private async describe(session: SqlSession, table: TableId): Promise<TableDescription | undefined> {
    const result = await session.execute(this.options.dialect.describeTableQuery(table));
    return this.options.dialect.describeTable(table, result.rows);
  }

  private async ensureTable(session: SqlSession, table: TableId, sample: MappedRecord): Promise<void> {
    const tableKey = tableIdToString(table);
    let description = this.tables.get(tableKey) ?? (await this.describe(session, table));
    if (!description) {
      if (!this.options.autoCreate) {
        throw sinkError(
          'SINK_TABLE_MISSING',
          `Table ${tableKey} does not exist in ${this.options.target}. Create it, or set auto.create=true to let the sink create it from the record schema.`,
        );
      }
      await session.execute({ sql: this.options.dialect.createTable(table, sample.keyFields, sample.valueFields, this.options.values), params: [] });
      this.log.info('created table', { table: tableKey });
      description = await this.describe(session, table);
      if (!description) throw sinkError('SINK_WRITE_FAILED', `Created table ${tableKey}, but ${this.options.target} does not show it.`, { retriable: true });
    }
    const missing = fieldsToAdd(description, [...sample.keyFields, ...sample.valueFields], { autoEvolve: this.options.autoEvolve });
    if (missing.length > 0) {
      await session.execute({ sql: this.options.dialect.addColumns(table, missing, this.options.values), params: [] });
      this.log.info('added columns', { table: tableKey, columns: missing.map((field) => field.name) });
      description = await this.describe(session, table);
      if (!description) throw sinkError('SINK_WRITE_FAILED', `Table ${tableKey} disappeared while evolving it.`, { retriable: true });
    }
    this.tables.set(tableKey, description);
  }
}
