import { type SinkRecord, type TableId, tableIdToString } from '../../model';
import { type EngineError, isEngineError } from '../../../shared/errors';
import { Backoff, sleep } from '../../base/backoff';
import { createLogger } from '../../base/logger';
import type { SqlDialect, SqlStatement, TableDescription, ValueOptions, WriteBatch } from './dialects/dialect';
import { fieldsToAdd } from './dialects/evolution';
import { classifySqlFailure, isConnectionFailure, isValueError, type SqlSession, StagingUnavailableError } from '../../db';
import { sinkError } from './errors';
import { type MappedRecord, mapRecord, type RecordMappingOptions } from './recordMapping';

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
  /** `max.retries`: attempts after the first for a failure that may pass (connection, deadlock, timeout). */
  maxRetries: number;
  /** `retry.backoff.ms`: the shortest pause before such a retry (jittered upwards, see retryBackoff). */
  retryBackoffMs: number;
}

/** A record the writer could not apply, with the root cause, for the dead letter queue. */
export interface FailedRecord {
  record: SinkRecord;
  error: EngineError;
}

export interface WriteOptions {
  /**
   * errors.tolerance=all: records the target refuses on their own are isolated and returned, the others applied.
   * Without it the first such failure is thrown (the connector stops at it).
   */
  tolerateRecordErrors: boolean;
  /**
   * Called between attempts, between the sub-batches of an isolation and during retry pauses: a write may take far
   * longer than the consumer's session timeout, and the caller must stay a member of its group meanwhile (a lost
   * membership means the chunk is fetched and applied again).
   */
  keepAlive?: () => Promise<void>;
  /** Aborts retry pauses when the connector stops; the write then throws SINK_STOPPED. */
  signal?: AbortSignal;
}

/** One record with its rows and columns and its target table, mapped once and reused by every attempt. */
interface Prepared {
  record: SinkRecord;
  mapped: MappedRecord;
  table: TableId;
  /** tableIdToString(table), kept with it. */
  tableKey: string;
}

interface Segment {
  table: TableId;
  signature: string;
  isDelete: boolean;
  records: MappedRecord[];
}

/** While retrying or waiting, the keep-alive runs at least this often (well inside a 10 s session timeout). */
const KEEP_ALIVE_SLICE_MS = 1000;

/**
 * Pauses between retries of one batch: never shorter than the `retry.backoff.ms` the user configured, jittered
 * upwards (decorrelated) so the sinks of a pipeline that met the same deadlock or restart do not retry in step.
 */
function retryBackoff(retryBackoffMs: number): Backoff {
  return new Backoff({ initialMs: retryBackoffMs, maxMs: Math.max(retryBackoffMs, Math.min(30_000, retryBackoffMs * 4)), jitter: 'decorrelated' });
}

function stoppedError(): EngineError {
  return sinkError('SINK_STOPPED', 'The connector stopped while the write was retried; nothing past the last committed offset was applied.', { retriable: true });
}

function describeRecords(records: readonly SinkRecord[]): string {
  const first = records[0];
  return first ? ` (records from ${first.topic}[${first.partition}]@${first.offset}${records.length > 1 ? ` and ${records.length - 1} more` : ''})` : '';
}

function rootMessage(error: unknown): string {
  // Node reports a refused connection to a dual-stack host as an AggregateError with an empty message.
  if (error instanceof AggregateError && error.message === '') return error.errors.map(rootMessage).join('; ');
  return error instanceof Error ? error.message : String(error);
}

export { isConnectionFailure };

/**
 * Applies sink records to one database with Kafka Connect JDBC sink semantics: rows buffered per table, a new
 * statement group whenever the schema changes or an upsert follows a delete (so delete-then-reinsert keeps its order),
 * upserts before deletes inside a group, tables created / evolved on demand, and the whole call in ONE transaction
 * when the target accepts every record. The caller commits consumer offsets only after `write` resolved, so a crash
 * never skips a record.
 *
 * Failures are told apart by the database's error code (classifySqlFailure): a connection loss or a transient
 * refusal (deadlock, timeout) is retried with backoff up to `max.retries`; a record the target refuses (a CHECK
 * constraint, a value out of range) is isolated by bisection — under savepoints in one transaction on PostgreSQL and
 * MySQL, in a transaction per half on SQL Server — so the good records are applied once and each bad one is reported
 * once, after a logarithmic number of extra statements rather than `max.retries` pauses; an error every record would hit (a
 * missing table or column, pk.fields naming a field the records lack, a table that cannot be created) is thrown
 * as such, whatever the tolerance, instead of reporting every record as bad.
 */
export class SqlSinkWriter {
  private session: SqlSession | undefined;
  private readonly tables = new Map<string, TableDescription>();
  private readonly targetTables = new Map<string, { table: TableId; tableKey: string }>();
  private lastTarget: { topic: string; target: { table: TableId; tableKey: string } } | undefined;
  private readonly log = createLogger('sink');

  constructor(private readonly options: SinkWriterOptions) {}

  /**
   * Writes the records and returns those the target refused on their own (only with `tolerateRecordErrors`; they are
   * in the order of `records`). Every other record is applied exactly once by the time it resolves.
   */
  async write(records: readonly SinkRecord[], options: WriteOptions): Promise<FailedRecord[]> {
    const failures: FailedRecord[] = [];
    const prepared: Prepared[] = [];
    for (const record of records) {
      try {
        prepared.push(this.prepare(record));
      } catch (error) {
        const failure = this.asSinkError(error, [record]);
        if (!options.tolerateRecordErrors || classifySqlFailure(failure) === 'configuration') throw failure;
        failures.push({ record, error: failure });
      }
    }
    if (prepared.length > 0) await this.isolate(prepared, options, failures);
    this.refuseWhenEveryRecordFailedAlike(records, failures);
    return failures.sort((a, b) => records.indexOf(a.record) - records.indexOf(b.record));
  }

  /**
   * Two cases where records failing one by one still mean a configuration error, told by every record of the write
   * failing: with an error of unknown kind, or with "the value does not fit the column's type" (an int field into a
   * DATE column, say): the column, not the rows, is wrong, and dead-lettering the stream would hide that. Constraint violations (CHECK, NOT NULL, UNIQUE) stay per record however many there are.
   */
  private refuseWhenEveryRecordFailedAlike(records: readonly SinkRecord[], failures: readonly FailedRecord[]): void {
    const [first] = failures;
    if (!first || records.length < 2 || failures.length !== records.length) return;
    if (failures.every((failure) => classifySqlFailure(failure.error) === 'unknown')) throw this.everyRecordError(first.error, records);
    if (failures.every((failure) => isValueError(failure.error))) throw this.everyRecordError(first.error, records);
  }

  /**
   * Applies `batch` in one transaction or, when the target refuses a record in it, isolates the refused records:
   * on PostgreSQL and MySQL/MariaDB in ONE transaction, bisecting with savepoints (a half that fails is rolled back to
   * its savepoint and split again), so the good records commit together and a crash or a configuration error met
   * half-way leaves nothing applied that a restart would apply again; elsewhere (SQL Server) the halves are applied in
   * their own transactions.
   */
  private async isolate(batch: readonly Prepared[], options: WriteOptions, failures: FailedRecord[]): Promise<void> {
    const refused = await this.applyWithRetries(batch, options, (entries) => this.applyInTransaction(entries));
    if (refused === undefined) return;
    if (!options.tolerateRecordErrors) throw await this.nameRefusedRecord(batch, refused, options);
    if (this.options.dialect.name === 'postgres' || this.options.dialect.name === 'mysql') {
      const found: FailedRecord[] = [];
      const again = await this.applyWithRetries(batch, options, async (entries) => {
        found.length = 0;
        await this.applyIsolatingInOneTransaction(entries, found, options);
      });
      // Refused only at COMMIT (a deferred constraint): isolate transaction by transaction instead.
      if (again === undefined) {
        failures.push(...found);
        return;
      }
    }
    await this.isolateInOwnTransactions(batch, options, failures, refused);
  }

  /** Bisection where each half is applied in its own transaction, down to the single records that fail on their own. */
  private async isolateInOwnTransactions(batch: readonly Prepared[], options: WriteOptions, failures: FailedRecord[], refusedWhole?: unknown): Promise<void> {
    const refused = refusedWhole ?? (await this.applyWithRetries(batch, options, (entries) => this.applyInTransaction(entries)));
    if (refused === undefined) return;
    const records = batch.map((entry) => entry.record);
    const [only] = batch;
    if (batch.length === 1 && only) {
      failures.push({ record: only.record, error: this.asSinkError(refused, records) });
      return;
    }
    const middle = Math.ceil(batch.length / 2);
    await this.isolateInOwnTransactions(batch.slice(0, middle), options, failures);
    await this.isolateInOwnTransactions(batch.slice(middle), options, failures);
  }

  /**
   * The whole batch in one transaction, each refused record isolated by bisection under savepoints. Throws what is not
   * a refused record (connection, transient, configuration), after rolling the whole transaction back.
   */
  private async applyIsolatingInOneTransaction(batch: readonly Prepared[], found: FailedRecord[], options: WriteOptions): Promise<void> {
    const segments = this.segment(batch);
    if (segments.length === 0) return;
    const session = await this.openSession();
    await this.ensureTables(session, segments);
    await session.begin();
    try {
      await this.bisectUnderSavepoints(session, batch, found, options);
      await session.commit();
    } catch (error) {
      await session.rollback().catch(() => {});
      throw error;
    }
  }

  private async bisectUnderSavepoints(session: SqlSession, batch: readonly Prepared[], found: FailedRecord[], options: WriteOptions): Promise<void> {
    await options.keepAlive?.();
    if (options.signal?.aborted) throw stoppedError();
    // One name is enough: savepoints here never nest (each is released or rolled back and released before the next).
    await session.execute({ sql: 'SAVEPOINT ferry_isolate', params: [] });
    try {
      for (const segment of this.segment(batch)) {
        for (const statement of this.statements(segment)) await session.execute(statement);
      }
    } catch (error) {
      const kind = classifySqlFailure(error);
      if (kind !== 'record' && kind !== 'unknown') throw error;
      await session.execute({ sql: 'ROLLBACK TO SAVEPOINT ferry_isolate', params: [] });
      await session.execute({ sql: 'RELEASE SAVEPOINT ferry_isolate', params: [] });
      const [only] = batch;
      if (batch.length === 1 && only) {
        found.push({ record: only.record, error: this.asSinkError(error, [only.record]) });
        return;
      }
      const middle = Math.ceil(batch.length / 2);
      await this.bisectUnderSavepoints(session, batch.slice(0, middle), found, options);
      await this.bisectUnderSavepoints(session, batch.slice(middle), found, options);
      return;
    }
    await session.execute({ sql: 'RELEASE SAVEPOINT ferry_isolate', params: [] });
  }

  /**
   * One batch in one transaction. Resolves undefined when applied, or with the error when a record in it was refused
   * (`record`/`unknown`); retries connection and transient failures with backoff; throws when retries are used up,
   * for an error every record would hit, and when the connector stops.
   */
  private async applyWithRetries(batch: readonly Prepared[], options: WriteOptions, apply: (batch: readonly Prepared[]) => Promise<void>): Promise<unknown> {
    const backoff = retryBackoff(this.options.retryBackoffMs);
    const records = batch.map((entry) => entry.record);
    for (let attempt = 0; ; attempt++) {
      await options.keepAlive?.();
      if (options.signal?.aborted) throw stoppedError();
      try {
        await apply(batch);
        return undefined;
      } catch (error) {
        if (this.stopStaging(error)) {
          // Nothing was applied and the transaction was rolled back; the same batch goes again at once in the unnest
          // form, not counted as a retry, on a new session: the refusal may have ended this one (a real PostgreSQL
          // follows an 08P01 in the COPY stream with FATAL "protocol synchronization was lost" and closes), and
          // trying it first would spend a retry and a backoff pause on a dead connection (or fail the batch with
          // max.retries=0). Staging stops once per writer, so this costs one reconnect at most.
          await this.resetSession();
          attempt--;
          continue;
        }
        const kind = classifySqlFailure(error);
        if (kind === 'record') return error;
        // The session may be unusable (or in an unknown state) after anything but a refused record.
        await this.resetSession();
        if (kind === 'configuration') throw this.everyRecordError(error, records);
        if (kind === 'unknown') return error;
        if (attempt >= this.options.maxRetries) throw this.asSinkError(error, records);
        const delay = backoff.next();
        this.log.warn('sink batch failed; retrying', { connector: this.options.connectorName, kind, attempt: attempt + 1, delayMs: delay, error: rootMessage(error) });
        await this.pause(delay, options);
      }
    }
  }

  /**
   * Whether `error` says the target cannot take staged statements (COPY into a temporary table) and the dialect has
   * just stopped building them: the writer says so once, naming the reason, and keeps going in the unnest form.
   */
  private stopStaging(error: unknown): boolean {
    if (!(error instanceof StagingUnavailableError) || !this.options.dialect.disableStaging?.()) return false;
    this.log.warn('sink loads batches without COPY staging', { connector: this.options.connectorName, target: this.options.target, reason: error.reason });
    return true;
  }

  /**
   * errors.tolerance=none stops the connector at the record the target refused; "records from t[0]@0 and 999 more"
   * did not say which one. The shortest refused prefix of the batch is found by bisection in transactions that are
   * always rolled back (nothing is applied: the connector stops without committing past the batch), and its last
   * record is the one named. Falls back to the batch's error when the search meets anything but a refused record.
   */
  private async nameRefusedRecord(batch: readonly Prepared[], refused: unknown, options: WriteOptions): Promise<EngineError> {
    const records = batch.map((entry) => entry.record);
    if (batch.length === 1) return this.asSinkError(refused, records);
    let low = 1;
    let high = batch.length;
    let cause = refused;
    try {
      // Invariant: the prefix of length `high` is refused; every prefix shorter than `low` is accepted.
      while (low < high) {
        await options.keepAlive?.();
        const middle = Math.floor((low + high) / 2);
        const error = await this.tryRolledBack(batch.slice(0, middle));
        if (error === undefined) low = middle + 1;
        else if (classifySqlFailure(error) === 'record') {
          high = middle;
          cause = error;
        } else {
          await this.resetSession();
          return this.asSinkError(refused, records);
        }
      }
    } catch {
      await this.resetSession();
      return this.asSinkError(refused, records);
    }
    const culprit = batch[high - 1];
    return culprit ? this.asSinkError(cause, [culprit.record]) : this.asSinkError(refused, records);
  }

  /** Applies a batch in a transaction that is rolled back whatever happens: undefined if the target accepted it. */
  private async tryRolledBack(batch: readonly Prepared[]): Promise<unknown> {
    try {
      await this.applyInTransaction(batch, { rollback: true });
      return undefined;
    } catch (error) {
      return error;
    }
  }

  /** Waits before a retry in slices, keeping the caller's group membership alive. */
  private async pause(ms: number, options: WriteOptions): Promise<void> {
    for (let left = ms; left > 0; left -= KEEP_ALIVE_SLICE_MS) {
      if (!(await sleep(Math.min(left, KEEP_ALIVE_SLICE_MS), options.signal))) throw stoppedError();
      await options.keepAlive?.();
    }
  }

  async close(): Promise<void> {
    await this.resetSession();
  }

  private asSinkError(error: unknown, records: readonly SinkRecord[]): EngineError {
    if (isEngineError(error)) return error;
    return sinkError('SINK_WRITE_FAILED', `Writing to ${this.options.target} failed${describeRecords(records)}: ${rootMessage(error)}`, { cause: error, retriable: true });
  }

  /** An error every record would hit: not retriable, so the connector fails with it whatever errors.tolerance says. */
  private everyRecordError(error: unknown, records: readonly SinkRecord[]): EngineError {
    if (isEngineError(error) && !error.retriable) return error;
    return sinkError(
      'SINK_CONFIG_INVALID',
      `Writing to ${this.options.target} failed${describeRecords(records)}: ${rootMessage(error)}. Every record would fail the same way, so none is dead-lettered: ` +
        'fix the target table or the connector configuration, then restart the connector (it resumes at the first record not applied).',
      { cause: error, retriable: false, detail: { everyRecord: true } },
    );
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

  private prepare(record: SinkRecord): Prepared {
    const mapped = mapRecord(record, this.options, this.options.deleteEnabled);
    const target = this.targetTable(record.topic);
    return { record, mapped, table: target.table, tableKey: target.tableKey };
  }

  /** table.name.format applied once per topic, not per record (a format that fails still fails every record of it). */
  private targetTable(topic: string): { table: TableId; tableKey: string } {
    // A write's records nearly always share one topic: the last answer serves them without a map lookup.
    const last = this.lastTarget;
    if (last?.topic === topic) return last.target;
    let target = this.targetTables.get(topic);
    if (!target) {
      const table = this.options.dialect.resolveTableId(this.options.tableNameFormat, topic);
      target = { table, tableKey: tableIdToString(table) };
      this.targetTables.set(topic, target);
    }
    this.lastTarget = { topic, target };
    return target;
  }

  private segment(batch: readonly Prepared[]): Segment[] {
    const segments: Segment[] = [];
    const lastByTable = new Map<string, Segment>();
    for (const { mapped, table, tableKey } of batch) {
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

  private async applyInTransaction(batch: readonly Prepared[], options: { rollback?: boolean } = {}): Promise<void> {
    const segments = this.segment(batch);
    if (segments.length === 0) return;
    const session = await this.openSession();
    await this.ensureTables(session, segments);
    await session.begin();
    try {
      for (const segment of segments) {
        for (const statement of this.statements(segment)) await session.execute(statement);
      }
      if (options.rollback) await session.rollback();
      else await session.commit();
    } catch (error) {
      await session.rollback().catch(() => {});
      throw error;
    }
  }

  /** DDL first and outside the data transaction: MySQL commits implicitly around DDL anyway. */
  private async ensureTables(session: SqlSession, segments: readonly Segment[]): Promise<void> {
    for (const segment of segments) {
      const first = segment.records[0];
      if (first && !segment.isDelete) await this.ensureTable(session, segment.table, first);
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

  /**
   * DDL for auto.create / auto.evolve. Unless the connection failed or the target was busy, a table that cannot be
   * created or altered fails every record of its topic alike: a configuration error, never a dead letter per record.
   */
  private async ddl(session: SqlSession, statement: SqlStatement, what: string): Promise<void> {
    try {
      await session.execute(statement);
    } catch (error) {
      const kind = classifySqlFailure(error);
      if (kind === 'connection' || kind === 'transient') throw error;
      throw sinkError(
        'SINK_CONFIG_INVALID',
        `Cannot ${what} in ${this.options.target}: ${rootMessage(error)}. Every record for it would fail, so the connector stops: create the table yourself, or fix table.name.format or the privileges of the sink's user.`,
        { cause: error, retriable: false, detail: { everyRecord: true } },
      );
    }
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
      await this.ddl(session, { sql: this.options.dialect.createTable(table, sample.keyFields, sample.valueFields, this.options.values), params: [] }, `create table ${tableKey}`);
      this.log.info('created table', { table: tableKey });
      description = await this.describe(session, table);
      if (!description) throw sinkError('SINK_WRITE_FAILED', `Created table ${tableKey}, but ${this.options.target} does not show it.`, { retriable: true });
    }
    const missing = fieldsToAdd(description, [...sample.keyFields, ...sample.valueFields], { autoEvolve: this.options.autoEvolve });
    if (missing.length > 0) {
      await this.ddl(session, { sql: this.options.dialect.addColumns(table, missing, this.options.values), params: [] }, `add ${missing.map((field) => `"${field.name}"`).join(', ')} to ${tableKey}`);
      this.log.info('added columns', { table: tableKey, columns: missing.map((field) => field.name) });
      description = await this.describe(session, table);
      if (!description) throw sinkError('SINK_WRITE_FAILED', `Table ${tableKey} disappeared while evolving it.`, { retriable: true });
    }
    this.tables.set(tableKey, description);
  }
}
