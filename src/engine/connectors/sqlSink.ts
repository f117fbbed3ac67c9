import type { ResolvedJdbcSink } from '../config';
import { type SinkRecord, tableIdToString } from '../model';
import { createDialect } from '../sinks/sql/dialects';
import { connectionSettingsOf, isConnectionFailure, openSqlSession, type SqlConnectionSettings, type SqlSession } from '../db';
import { SqlSinkWriter } from '../sinks/sql/sinkWriter';
import { createLogger } from '../base/logger';
import type { SinkConnector, SinkContext, SinkPutOptions, SinkPutResult } from './port';
import { SOURCE_CAPTURE_HEADER } from './headers';

/**
 * The JDBC sink (Connect's JdbcSinkConnector, Confluent Cloud's managed *Sink classes and Debezium's JDBC sink,
 * translated onto the same keys) as a plug-in: SqlSinkWriter applies each batch in one transaction per table
 * segment (sinks/sql), through sessions named for the connector.
 */
export class SqlSink implements SinkConnector {
  /**
   * Its dialects write a timestamp field marked `epochMs` from epoch milliseconds as from a Date (timestampEpochMs),
   * so the runner's decoder may spare a Date per timestamp (SinkDecoderOptions).
   */
  readonly takesEpochMsTimestamps = true;
  readonly target: string;
  readonly reach: { attempts: number; backoffMs: number };
  private readonly writer: SqlSinkWriter;
  private readonly settings: SqlConnectionSettings;
  private readonly targetTableOf: (topic: string) => string;
  private readonly log = createLogger('sink.sql');
  /** Facts that change the results while the sink runs on. */
  private readonly notices: string[] = [];
  private readonly pollingTopics = new Set<string>();

  constructor(
    private readonly config: ResolvedJdbcSink,
    private readonly context: SinkContext,
  ) {
    this.target = config.connection.display;
    this.reach = { attempts: config.connection.attempts, backoffMs: config.connection.backoffMs };
    this.settings = connectionSettingsOf(config.connection);
    const dialect = createDialect(config.dialect, { quoteIdentifiers: config.quoteSqlIdentifiers, useMergeHoldlock: config.mssqlUseMergeHoldlock });
    this.writer = new SqlSinkWriter({
      connectorName: config.name,
      dialect,
      openSession: () => this.openTargetSession(),
      target: config.connection.display,
      insertMode: config.insertMode,
      pkMode: config.pkMode,
      pkFields: config.pkFields,
      fieldsWhitelist: config.fieldsWhitelist,
      autoCreate: config.autoCreate,
      autoEvolve: config.autoEvolve,
      deleteEnabled: config.deleteEnabled,
      tableNameFormat: config.tableNameFormat,
      values: { timezone: config.dbTimezone, dateTimezone: config.dateTimezone },
      maxRetries: config.maxRetries,
      retryBackoffMs: config.retryBackoffMs,
    });
    this.targetTableOf = (topic) => {
      try {
        return tableIdToString(dialect.resolveTableId(config.tableNameFormat, topic));
      } catch {
        return config.tableNameFormat.replace('${topic}', topic);
      }
    };
  }

  async probe(): Promise<void> {
    const session = await openSqlSession(this.settings, { applicationName: `ferry sink ${this.config.name} (probe)` });
    await session.close().catch(() => {});
  }

  /**
   * The writer's sessions, named for the connector (pg_stat_activity shows `ferry sink <name>`), telling the runner
   * when the server drops one or refuses a new one: the status is DEGRADED with the cause from that moment, not only
   * once the writer's own retries are used up.
   */
  private async openTargetSession(): Promise<SqlSession> {
    try {
      return await openSqlSession(this.settings, { applicationName: `ferry sink ${this.config.name}`, onConnectionLost: (error) => this.context.targetUnavailable(error) });
    } catch (error) {
      if (isConnectionFailure(error)) this.context.targetUnavailable(error);
      throw error;
    }
  }

  async put(records: readonly SinkRecord[], options: SinkPutOptions): Promise<SinkPutResult> {
    if (this.config.deleteEnabled) for (const record of records) this.noticeDeletesNeverArrive(record);
    const refused = await this.writer.write([...records], { tolerateRecordErrors: options.tolerateRecordErrors, keepAlive: options.keepAlive, signal: options.signal });
    return { applied: records.length - refused.length, refused };
  }

  /**
   * delete.enabled on records a polling source wrote: deletes never arrive. Validation says so when the source is in
   * the same file; this catches a source in another file or behind a replicator, from the sampled record's capture header.
   */
  private noticeDeletesNeverArrive(record: SinkRecord): void {
    const capture = record.headers[SOURCE_CAPTURE_HEADER];
    if (capture === undefined || this.pollingTopics.has(record.topic) || Buffer.from(capture).toString() !== 'polling') return;
    this.pollingTopics.add(record.topic);
    this.notices.push(
      `Topic "${record.topic}" is written by a polling (JDBC) source, which never writes deletes (it cannot see removed rows), so delete.enabled has nothing to act on: rows deleted at the source stay in the target. Use soft deletes (a deleted flag column) at the source if the target must learn about deletions.`,
    );
    this.log.warn('delete.enabled on records of a polling source', { connector: this.config.name, topic: record.topic });
    this.context.changed();
  }

  isUnavailable(error: unknown): boolean {
    return isConnectionFailure(error);
  }

  destinationOf(topic: string): string {
    return this.targetTableOf(topic);
  }

  warnings(): readonly string[] {
    return this.notices;
  }

  close(): Promise<void> {
    return this.writer.close();
  }
}
