import type { ResolvedJdbcSource } from '../config';
import { type ChangeRecord, tableIdToString } from '../model';
import { createPollingReader, partitionKey, type PollBatch, type PollingReader } from '../sources';
import { createLogger } from '../base/logger';
import type { ConnectorTableStatus } from '../../shared/api/pipelines';
import type { SourceBatch, SourceConnector, SourceContext, SourcePositions, SourceProgress, SourceRecord, SourceTopic } from './port';
import { connectorError } from './errors';
import { pollingOptions, sourceConnection } from './sourceOptions';

/**
 * `ferry.changelog.op.column`: a row of a trigger-written change log. `d` becomes a tombstone keyed by the primary
 * key (the sink deletes the row); anything else the row without the op column, keyed the same way.
 */
export function changelogRecord(record: ChangeRecord, opColumn: string): Pick<SourceRecord, 'key' | 'value'> {
  const table = tableIdToString(record.table);
  if (!record.keySchema || !record.key) {
    throw connectorError('SOURCE_CHANGELOG_NO_KEY', `Change log ${table} has no primary key, so a delete cannot say which row it removes (ferry.changelog.op.column). Give the table a primary key on the captured row's key columns.`);
  }
  const row = record.after ?? {};
  if (!(opColumn in row)) {
    throw connectorError('SOURCE_CHANGELOG_NO_OP', `Change log ${table} has no column "${opColumn}" (ferry.changelog.op.column). Its columns: ${Object.keys(row).join(', ')}.`);
  }
  const key = { schema: record.keySchema, row: record.key };
  const op = row[opColumn];
  if (op === 'd' || op === 'D') return { key, value: null };
  const { [opColumn]: _op, ...image } = row;
  return { key, value: { kind: 'row', schema: { ...record.valueSchema, fields: record.valueSchema.fields.filter((field) => field.name !== opColumn) }, row: image } };
}

/**
 * The JDBC source (Connect's JdbcSourceConnector and Confluent Cloud's managed *Source classes) as a plug-in:
 * a polling reader per database (sources/<db>), one batch per poll, a position per table.
 */
export class PollingSource implements SourceConnector {
  readonly capture = 'polling';
  private readonly reader: PollingReader;
  private started = false;
  /** Bulk mode: every table was read to its end at least once since start. */
  private passCompleted = false;
  /** Per stream key: rows produced, the table's row count at start and whether its snapshot is done. */
  private readonly tables = new Map<string, ConnectorTableStatus>();
  /**
   * What the progress counts need of the poll each handed-out batch came from, once it is delivered: not the poll
   * itself, whose rows would stay alive across the produce round trip after the runner let go of the batch's records.
   */
  private readonly polls = new WeakMap<SourceBatch, { stream: PollBatch['stream']; rows: number; more: boolean }>();
  private readonly log = createLogger('source.polling');

  constructor(
    private readonly config: ResolvedJdbcSource,
    private readonly context: SourceContext,
  ) {
    this.reader = createPollingReader(config.dialect, {
      connection: sourceConnection(config),
      options: pollingOptions(config),
      // Checkpoints are keyed by the stream key the reader reports, partitionKey(partition).
      loadPosition: (partition) => context.checkpoint()[partitionKey(partition)],
    });
    // A poll under way (a long query) ends when the connector stops, not when it finishes.
    context.signal.addEventListener('abort', () => void this.reader.close().catch(() => {}), { once: true });
  }

  async open(): Promise<SourceTopic[]> {
    if (!this.started) {
      await this.reader.start();
      this.started = true;
      this.countRows();
    }
    const creation = this.config.topicCreation;
    return this.reader.pollingStreams.map((stream) => {
      if (!this.tables.has(stream.key)) this.tables.set(stream.key, { table: tableIdToString(stream.table), topic: this.context.routedTopic(stream.topic), rows: 0, snapshotDone: false });
      return { name: stream.topic, ...(creation.partitions ? { partitions: creation.partitions } : {}), ...(creation.replicationFactor ? { replicationFactor: creation.replicationFactor } : {}) };
    });
  }

  /** Counting can take a while on big tables; progress shows without totals until it is done. */
  private countRows(): void {
    this.reader.countRows().then(
      (counts) => {
        for (const [key, total] of counts) {
          const entry = this.tables.get(key);
          if (entry) entry.totalRows = total;
        }
        this.context.changed();
      },
      (error: unknown) => this.log.debug('row counts unavailable', { connector: this.config.name, error: String(error) }),
    );
  }

  async read(): Promise<SourceBatch> {
    const poll = await this.reader.poll(this.context.signal);
    const opColumn = this.config.changelogOpColumn;
    const topic = poll.stream.topic;
    // One object per record (no spread copies): this runs for every row polled.
    const records: SourceRecord[] = new Array<SourceRecord>(poll.records.length);
    for (let index = 0; index < poll.records.length; index += 1) {
      const record = poll.records[index] as ChangeRecord;
      const { key, value } = opColumn === undefined ? { key: null, value: record.after === null ? null : ({ kind: 'row', schema: record.valueSchema, row: record.after } as const) } : changelogRecord(record, opColumn);
      records[index] = record.sourceTimestampMs === undefined ? { topic, key, value } : { topic, key, value, sourceTimestampMs: record.sourceTimestampMs };
    }
    const last = poll.records[poll.records.length - 1];
    const batch: SourceBatch = { records, changes: records.length, ...(last ? { positions: { [poll.stream.key]: last.position } } : {}) };
    this.polls.set(batch, { stream: poll.stream, rows: poll.records.length, more: poll.more });
    return batch;
  }

  delivered(batch: SourceBatch): void {
    const poll = this.polls.get(batch);
    if (!poll) return;
    let table = this.tables.get(poll.stream.key);
    if (!table) {
      // A table the reader found after start (table.poll.interval.ms) shows in the progress from its first records.
      table = { table: tableIdToString(poll.stream.table), topic: this.context.routedTopic(poll.stream.topic), rows: 0, snapshotDone: false };
      this.tables.set(poll.stream.key, table);
    }
    table.rows += poll.rows;
    if (!poll.more) {
      table.snapshotDone = true;
      // Everything before this page is acknowledged: a pass over every table ended.
      if (this.reader.caughtUp) this.passCompleted = true;
    }
  }

  async recover(checkpoint: SourcePositions): Promise<void> {
    for (const stream of this.reader.pollingStreams) await this.reader.seek(stream.key, checkpoint[stream.key] ?? null);
  }

  /**
   * Bulk mode re-reads whole tables every poll.interval.ms, so it is caught up once one complete pass is in Kafka;
   * later passes only repeat it (without this, a bulk pipeline with several pages per pass was never idle).
   */
  get caughtUp(): boolean {
    return this.config.mode === 'bulk' ? this.passCompleted : this.reader.caughtUp;
  }

  progress(): SourceProgress {
    return { tables: [...this.tables.values()], warnings: this.reader.warnings };
  }

  close(): Promise<void> {
    return this.reader.close();
  }
}
