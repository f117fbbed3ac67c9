import type { ResolvedLogSource } from '../config';
import { type ChangeRecord, type FieldValue, type Position, type RecordSchema, type Row, type TableId, tableIdToString } from '../model';
import type { SourceInfo } from '../schema';
import { causeText, createLogCapture, isSchemaChange, sourceError, type LogCapture, type LogCaptureInit, type LogRecord, type SchemaChangeRecord } from '../sources';
import { safeFileName } from '../store';
import { join } from 'node:path';
import { sleep } from '../base/backoff';
import { createLogger } from '../base/logger';
import type { EngineError } from '../../shared/errors';
import type { ConnectorTableStatus, LogLag } from '../../shared/api/pipelines';
import type { SourceBatch, SourceConnector, SourceContext, SourcePositions, SourceProgress, SourceRecord, SourceTopic } from './port';
import { logCaptureInit } from './sourceOptions';

/** The checkpoint key of a log source: one position for the whole log. */
export const LOG_POSITION_KEY = 'log';
/**
 * The checkpoint key of the log position a snapshot began at, written before its first row is produced. Once the
 * snapshot ends, `log` is checkpointed and this one no longer counts; until then, a restart snapshots again and
 * replays the log from here (see LogCapture.begin), so the deletes of rows the interrupted snapshot delivered arrive.
 */
export const SNAPSHOT_STARTED_KEY = 'snapshot_started';
const READ_BATCH = 2_500;
const READ_WAIT_MS = 200;
/** How often the lag behind the database's log is measured (one short query on its own connection). */
const LAG_INTERVAL_MS = 5_000;

/**
 * Log-based capture (Debezium's MySqlConnector / MariaDbConnector / PostgresConnector and Confluent Cloud's CDC
 * classes) as a plug-in: a consistent snapshot when there is no checkpoint and `snapshot.mode` asks for one, then every
 * committed change, as Debezium change events (a key change as delete + tombstone + create, a tombstone after each
 * delete). The database's log is released (slot confirmed) only once the runner's checkpoint is durable.
 */
export class LogSource implements SourceConnector {
  readonly capture = 'log';
  private readonly logCapture: LogCapture;
  private readonly log = createLogger('source.log');
  private readonly tables = new Map<string, ConnectorTableStatus>();
  /** Per batch handed out: rows per table key, counted once Kafka acknowledged them. */
  private readonly counts = new WeakMap<SourceBatch, Map<string, number>>();
  private begun = false;
  private snapshot: { position: Position; pages: AsyncGenerator<LogRecord[], void, undefined> } | undefined;
  /** The batch that ends the snapshot: once delivered, every table's snapshot is done. */
  private snapshotEnd: SourceBatch | undefined;
  private snapshotDone = false;
  private streamIdle = false;
  private position: Position | undefined;
  private closed = false;
  private lag: LogLag | undefined;
  /** What the status says for good: a start that may have left rows behind. */
  private readonly warnings: string[] = [];
  private lagAt = 0;
  private lagRunning = false;
  /** Each table's topic and status key, by the table object its records share (built once, not per record). */
  private readonly tableNames = new WeakMap<TableId, { topic: string; key: string }>();
  /**
   * The last source block built: a snapshot's rows share their position, table and (within a millisecond) time, so
   * they share one block instead of decoding the checkpoint and spreading its fields again for every row.
   */
  private lastSource: { position: Position; table: TableId; snapshot: boolean; tsMs: number; info: SourceInfo } | undefined;

  constructor(
    private readonly config: ResolvedLogSource,
    private readonly context: SourceContext,
  ) {
    this.logCapture = createLogCapture({ ...logCaptureInit(config), ...schemaHistoryOf(config, context) });
  }

  async open(): Promise<SourceTopic[]> {
    if (!this.begun) await this.begin();
    const topics: SourceTopic[] = [...this.tables.values()].map((table) => ({ name: table.topic }));
    // Debezium's schema change topic: one partition, so the DDL stays in order.
    if (this.config.includeSchemaChanges) topics.push({ name: this.context.routedTopic(this.config.topicPrefix), partitions: 1 });
    return topics;
  }

  /** Starts the capture from the checkpoint, or snapshots first; `when_needed` snapshots again when the log position is gone. */
  private async begin(): Promise<void> {
    const saved = this.context.checkpoint()[LOG_POSITION_KEY];
    const interrupted = saved === undefined ? this.context.checkpoint()[SNAPSHOT_STARTED_KEY] : undefined;
    const wantSnapshot = this.config.snapshotMode !== 'no_data';
    let start;
    try {
      if (interrupted && this.config.snapshotMode === 'initial_only') {
        // initial_only never reads the log, so nothing can delete what the interrupted snapshot delivered: say so.
        this.warnOnce(
          `The last snapshot was interrupted (it began at ${this.describePosition(interrupted)}); snapshot.mode=initial_only snapshots again but reads no log, so rows that snapshot delivered and that were deleted at the source since may remain in the target. ` +
            'Use snapshot.mode=initial, which replays the log from where the interrupted snapshot began, or truncate the target tables and run again.',
        );
        this.log.warn('the last snapshot did not finish; snapshotting again without the log (snapshot.mode=initial_only)', { connector: this.config.name, from: this.describePosition(interrupted) });
      } else if (interrupted) {
        this.log.info('the last snapshot did not finish; snapshotting again, then replaying the log from where it began', { connector: this.config.name, from: this.describePosition(interrupted) });
      }
      // initial_only reads no log after its snapshot: there is nothing to replay, and a purged start must not stop it.
      start = await this.logCapture.begin(saved, saved === undefined && wantSnapshot, this.config.snapshotMode === 'initial_only' ? undefined : interrupted);
    } catch (error) {
      if ((saved === undefined && interrupted === undefined) || (error as { code?: string }).code !== 'SOURCE_BAD_POSITION') throw error;
      if (this.config.snapshotMode !== 'when_needed') throw interrupted ? this.replayGoneError(interrupted, error) : error;
      if (interrupted) {
        // Starting over is what when_needed asks for, but this one can leave rows behind: say so where the user looks.
        this.warnOnce(
          `The last snapshot was interrupted and the log from where it began (${this.describePosition(interrupted)}) can no longer be read, so snapshot.mode=when_needed took a new snapshot: ` +
            'rows that snapshot delivered and that were deleted at the source since may remain in the target. Compare the tables (verify), or truncate the target tables and run again for an exact copy.',
        );
        this.log.warn('the log from where the interrupted snapshot began is gone; taking a new snapshot (snapshot.mode=when_needed)', { connector: this.config.name, error: (error as Error).message });
      } else {
        this.log.warn('saved log position is gone; taking a new snapshot (snapshot.mode=when_needed)', { connector: this.config.name, error: (error as Error).message });
      }
      this.context.resetCheckpoint();
      await this.logCapture.close().catch(() => undefined);
      start = await this.logCapture.begin(undefined, true);
    }
    for (const table of start.tables) {
      const key = tableIdToString(table);
      if (!this.tables.has(key)) this.tables.set(key, { table: key, topic: this.context.routedTopic(this.topicOf(table)), rows: 0, snapshotDone: start.snapshot === undefined });
    }
    // Durable before the first snapshot row is produced: rows of a snapshot killed after that reach Kafka, and only
    // the log from its start can delete those that are deleted before the next one.
    if (start.snapshot) await this.context.saveStartingPositions({ [SNAPSHOT_STARTED_KEY]: start.snapshot.position });
    this.snapshot = start.snapshot;
    if (!start.snapshot) {
      if (saved) this.position = saved;
      this.snapshotDone = true;
    }
    this.begun = true;
    this.context.changed();
  }

  /** The capture's "position gone" error, for a replay that redoes an interrupted snapshot rather than resumes a stream. */
  private replayGoneError(interrupted: Position, cause: unknown): EngineError {
    return sourceError(
      'SOURCE_BAD_POSITION',
      `The last snapshot of ${this.config.name} was interrupted, and the log from where it began (${this.describePosition(interrupted)}) can no longer be read: ${causeText(cause)} ` +
        'Rows that snapshot delivered and that were deleted at the source since may remain in the target: their deletes are only in that log. ' +
        'For an exact copy, truncate the target tables, then set snapshot.mode=when_needed (or delete the pipeline\'s checkpoint) and run again.',
      { detail: { position: interrupted }, cause },
    );
  }

  /** A start after a retriable failure begins again: its warning is said once. */
  private warnOnce(warning: string): void {
    if (!this.warnings.includes(warning)) this.warnings.push(warning);
  }

  private describePosition(position: Position): string {
    try {
      return this.logCapture.describe(position);
    } catch {
      return JSON.stringify(position);
    }
  }

  /** The topic as Debezium names it: `<topic.prefix>.<database or schema>.<table>`. */
  private topicOf(table: { catalog?: string; schema?: string; table: string }): string {
    // SQL Server tables name their database and schema (Debezium 2+: <prefix>.<database>.<schema>.<table>).
    if (table.catalog && table.schema) return `${this.config.topicPrefix}.${table.catalog}.${table.schema}.${table.table}`;
    return `${this.config.topicPrefix}.${table.schema ?? table.catalog ?? ''}.${table.table}`;
  }

  async read(): Promise<SourceBatch> {
    this.refreshLag();
    if (this.snapshot) {
      const page = await this.snapshot.pages.next();
      if (!page.done) return this.batchOf(page.value, true, undefined);
      // Every page read: the snapshot's position is checkpointed once all of them are acknowledged.
      const end: SourceBatch = { records: [], changes: 0, positions: { [LOG_POSITION_KEY]: this.snapshot.position } };
      this.snapshot = undefined;
      this.snapshotEnd = end;
      return end;
    }
    if (this.config.snapshotMode === 'initial_only') {
      // The snapshot is all this connector does.
      this.streamIdle = true;
      await sleep(1_000, this.context.signal);
      return { records: [], changes: 0 };
    }
    const records = await this.logCapture.read(READ_BATCH, READ_WAIT_MS, this.context.signal);
    this.streamIdle = records.length === 0;
    const last = records[records.length - 1];
    return this.batchOf(records, false, last?.position);
  }

  private batchOf(records: readonly LogRecord[], snapshot: boolean, position: Position | undefined): SourceBatch {
    const out: SourceRecord[] = [];
    const counts = new Map<string, number>();
    let names: { topic: string; key: string } | undefined;
    let namesOf: TableId | undefined;
    let count = 0;
    for (const record of records) {
      if (isSchemaChange(record)) {
        out.push(this.schemaChangeOf(record, snapshot));
        continue;
      }
      if (record.table !== namesOf || names === undefined) {
        if (names !== undefined) counts.set(names.key, (counts.get(names.key) ?? 0) + count);
        names = this.namesOf(record.table);
        namesOf = record.table;
        count = 0;
      }
      if (isKeyChange(record)) for (const change of splitKeyChange(record)) this.recordsOf(names.topic, change, snapshot, out);
      else this.recordsOf(names.topic, record, snapshot, out);
      count += 1;
    }
    if (names !== undefined) counts.set(names.key, (counts.get(names.key) ?? 0) + count);
    const batch: SourceBatch = { records: out, changes: records.length, ...(position ? { positions: { [LOG_POSITION_KEY]: position } } : {}) };
    this.counts.set(batch, counts);
    return batch;
  }

  /** The table's topic and status key, built once per table object (a string built per record cost its hashing in every map it met). */
  private namesOf(table: TableId): { topic: string; key: string } {
    let names = this.tableNames.get(table);
    if (names === undefined) {
      names = { topic: this.topicOf(table), key: tableIdToString(table) };
      this.tableNames.set(table, names);
    }
    return names;
  }

  /** One change: its event, and a tombstone after a delete (`tombstones.on.delete`). */
  private recordsOf(topic: string, record: ChangeRecord, snapshot: boolean, out: SourceRecord[]): void {
    const key = record.keySchema && record.key ? { schema: record.keySchema, row: record.key } : null;
    const now = Date.now();
    const sourceTimestampMs = record.sourceTimestampMs ?? now;
    const event = { op: record.op, before: record.before ?? null, after: record.after, source: this.sourceInfo(record, snapshot, sourceTimestampMs), tsMs: now };
    // The latency sample's time: finer than source.ts_ms where the log's time is coarse (the binlog's whole seconds).
    const latencyTimestampMs = record.latencyTimestampMs ?? sourceTimestampMs;
    out.push({ topic, key, value: { kind: 'change', schema: record.valueSchema, event, connector: this.logCapture.connectorName }, sourceTimestampMs: latencyTimestampMs });
    if (record.op === 'd' && this.config.tombstonesOnDelete) out.push({ topic, key, value: null, sourceTimestampMs: latencyTimestampMs });
  }

  /** A DDL on the `<topic.prefix>` topic: key `{databaseName}`, value Debezium's SchemaChangeValue. */
  private schemaChangeOf(record: SchemaChangeRecord, snapshot: boolean): SourceRecord {
    const source = this.sourceInfo(record, snapshot, record.sourceTimestampMs);
    const connector = this.logCapture.connectorName === 'mariadb' ? 'mariadb' : 'mysql';
    if (source.connector !== 'mysql' && source.connector !== 'mariadb') throw new Error(`Schema change records come from MySQL or MariaDB, not ${source.connector}.`);
    const keySchema: RecordSchema = { name: `io.debezium.connector.${connector}.SchemaChangeKey`, fields: [{ name: 'databaseName', type: { kind: 'string' }, optional: false }] };
    return {
      topic: this.config.topicPrefix,
      key: { schema: keySchema, row: { databaseName: record.databaseName } },
      value: {
        kind: 'schemaChange',
        connector,
        event: { source, tsMs: Date.now(), databaseName: record.databaseName, schemaName: null, ddl: record.ddl, tableChanges: record.tableChange ? [record.tableChange] : [] },
      },
      sourceTimestampMs: record.sourceTimestampMs,
    };
  }

  /** Debezium's `source` block. */
  private sourceInfo(record: Pick<ChangeRecord, 'table' | 'position'>, snapshot: boolean, tsMs: number): SourceInfo {
    const last = this.lastSource;
    if (last !== undefined && last.position === record.position && last.table === record.table && last.snapshot === snapshot && last.tsMs === tsMs) return last.info;
    const info = this.buildSourceInfo(record, snapshot, tsMs);
    this.lastSource = { position: record.position, table: record.table, snapshot, tsMs, info };
    return info;
  }

  private buildSourceInfo(record: Pick<ChangeRecord, 'table' | 'position'>, snapshot: boolean, tsMs: number): SourceInfo {
    const fields = this.logCapture.sourceFields(record);
    const marker = snapshot ? 'true' : 'false';
    const name = this.config.topicPrefix;
    if (fields.kind === 'binlog') {
      const connector = this.logCapture.connectorName === 'mariadb' ? 'mariadb' : 'mysql';
      return { connector, name, tsMs, snapshot: marker, db: fields.db, table: fields.table, serverId: fields.serverId, gtid: fields.gtid, file: fields.file, pos: fields.pos, row: fields.row };
    }
    if (fields.kind === 'sqlserver') return { connector: 'sqlserver', name, tsMs, snapshot: marker, ...withoutKind(fields) };
    return { connector: 'postgresql', name, tsMs, snapshot: marker, ...withoutKind(fields) };
  }

  delivered(batch: SourceBatch): void {
    for (const [key, rows] of this.counts.get(batch) ?? []) {
      const table = this.tables.get(key);
      if (table) table.rows += rows;
    }
    const position = batch.positions?.[LOG_POSITION_KEY];
    if (position) this.position = position;
    if (batch === this.snapshotEnd) {
      for (const table of this.tables.values()) table.snapshotDone = true;
      this.snapshotDone = true;
      this.snapshotEnd = undefined;
    }
  }

  /** The checkpoint is on disk: a PostgreSQL slot may release the WAL before it. */
  async committed(positions: SourcePositions): Promise<void> {
    const position = positions[LOG_POSITION_KEY];
    if (position && this.begun && !this.closed) await this.logCapture.acknowledge(position);
  }

  /** Resume from the checkpoint: records read but not acknowledged are read again from the log (or the snapshot again). */
  async recover(): Promise<void> {
    this.begun = false;
    this.snapshot = undefined;
    this.snapshotEnd = undefined;
    await this.logCapture.close().catch(() => undefined);
  }

  /** Snapshot finished and the last read found no change waiting. */
  get caughtUp(): boolean {
    return this.snapshotDone && this.streamIdle;
  }

  progress(): SourceProgress {
    this.refreshLag();
    return {
      tables: [...this.tables.values()],
      ...(this.position ? { logPosition: this.logCapture.describe(this.position) } : {}),
      ...(this.lag ? { logLag: this.lag } : {}),
      ...(this.warnings.length > 0 ? { warnings: this.warnings } : {}),
    };
  }

  /** Measures the lag behind the database's log at most every LAG_INTERVAL_MS, in the background (status stays synchronous). */
  private refreshLag(): void {
    const position = this.position;
    const now = Date.now();
    if (!position || !this.logCapture.lag || this.lagRunning || this.closed || now - this.lagAt < LAG_INTERVAL_MS) return;
    this.lagRunning = true;
    this.lagAt = now;
    this.logCapture
      .lag(position)
      .then((lag) => {
        if (lag) this.lag = { ...lag, measuredAtMs: Date.now() };
        this.context.changed();
      })
      .catch((error: unknown) => this.log.debug('could not measure the log lag', { connector: this.config.name, error: error instanceof Error ? error.message : String(error) }))
      .finally(() => {
        this.lagRunning = false;
      });
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.logCapture.close();
  }
}

/** The MySQL/MariaDB schema history: the topic named, the file named, or a file beside the pipeline's checkpoint. */
function schemaHistoryOf(config: ResolvedLogSource, context: SourceContext): Pick<LogCaptureInit, 'schemaHistory'> {
  if (config.dialect !== 'mysql') return {};
  const history = config.schemaHistory;
  if (history.kind === 'kafka') return context.kafka ? { schemaHistory: { kind: 'kafka', topic: history.topic, kafka: context.kafka } } : {};
  if (history.path !== undefined) return { schemaHistory: { kind: 'file', path: history.path } };
  return context.stateDir === undefined ? {} : { schemaHistory: { kind: 'file', path: join(context.stateDir, `${safeFileName(config.name)}.schema-history.jsonl`) } };
}

function withoutKind<T extends { kind: string }>(fields: T): Omit<T, 'kind'> {
  const { kind: _kind, ...rest } = fields;
  return rest;
}

/**
 * An update that changes the primary key is, as Debezium writes it, a delete of the old key (with its tombstone)
 * and a create of the new one: a consumer keyed by the primary key must drop the old row.
 */
function isKeyChange(record: ChangeRecord): boolean {
  return record.op === 'u' && Boolean(record.before) && Boolean(record.after) && Boolean(record.keySchema);
}

function splitKeyChange(record: ChangeRecord): ChangeRecord[] {
  if (record.op !== 'u' || !record.before || !record.after || !record.keySchema) return [record];
  const fields = record.keySchema.fields.map((field) => field.name);
  const oldKey: Row = {};
  for (const name of fields) oldKey[name] = record.before[name] ?? null;
  if (fields.every((name) => sameValue(oldKey[name] ?? null, record.after?.[name] ?? null))) return [record];
  return [
    { ...record, op: 'd', key: oldKey, after: null },
    { ...record, op: 'c', before: null },
  ];
}

function sameValue(a: FieldValue, b: FieldValue): boolean {
  if (a instanceof Date && b instanceof Date) return a.getTime() === b.getTime();
  if (a instanceof Uint8Array && b instanceof Uint8Array) return Buffer.from(a).equals(Buffer.from(b));
  return a === b || String(a) === String(b);
}
