import pg from 'pg';
import type { ChangeRecord, Position, TableId } from '../../../model';
import type { LogCapture, LogCaptureInit, LogCaptureStart, LogSourceFields } from '../../logCapture';
import { revealPassword } from '../../polling/pollingReader';
import { logicalPositionFromCheckpoint, logicalPositionToCheckpoint, parseLsn } from './postgresLogicalPosition';
import { PostgresLogicalReader } from './postgresLogicalReader';
import { postgresSnapshot } from './postgresSnapshot';

/**
 * Log-based capture from PostgreSQL: the replication slot is made (or found) first and streaming starts from it,
 * then the snapshot reads the tables, so no change can fall between the two (see postgresSnapshot).
 */
export class PostgresLogCapture implements LogCapture {
  readonly connectorName = 'postgresql' as const;
  private reader: PostgresLogicalReader | undefined;

  constructor(private readonly init: LogCaptureInit) {}

  async begin(checkpoint: Position | undefined, snapshot: boolean): Promise<LogCaptureStart> {
    const tables = await this.listTables();
    const reader = new PostgresLogicalReader({
      connection: this.init.connection,
      slotName: this.init.slotName,
      publicationName: this.init.publicationName,
      publicationAutocreate: this.init.publicationAutocreate,
      tables,
      includeTable: this.init.includeTable,
      topicPrefix: this.init.topicPrefix,
      zone: this.init.zone,
      ...(this.init.numericMapping ? { numericMapping: this.init.numericMapping } : {}),
      ...(this.init.types ? { types: this.init.types } : {}),
      ...(this.init.logger ? { logger: this.init.logger } : {}),
    });
    this.reader = reader;
    const slot = await reader.start(checkpoint ? logicalPositionFromCheckpoint(checkpoint) : undefined);
    if (checkpoint || !snapshot) return { tables };
    const position = logicalPositionToCheckpoint({ lsn: slot.confirmedFlushLsn ?? '0/0', row: 0 });
    const pages = postgresSnapshot({
      connection: this.init.connection,
      topicPrefix: this.init.topicPrefix,
      tables,
      zone: this.init.zone,
      chunkRows: this.init.snapshotFetchSize,
      position,
      ...(this.init.numericMapping ? { numericMapping: this.init.numericMapping } : {}),
      ...(this.init.types ? { types: this.init.types } : {}),
    });
    return { tables, snapshot: { position, pages } };
  }

  read(maxRecords: number, maxWaitMs: number, signal?: AbortSignal): Promise<ChangeRecord[]> {
    if (!this.reader) return Promise.resolve([]);
    return this.reader.read(maxRecords, maxWaitMs, signal);
  }

  async acknowledge(position: Position): Promise<void> {
    await this.reader?.acknowledge(logicalPositionFromCheckpoint(position));
  }

  sourceFields(record: ChangeRecord): LogSourceFields {
    const position = logicalPositionFromCheckpoint(record.position);
    const lsn = parseLsn(position.lsnCommit ?? position.lsn);
    return {
      kind: 'postgres',
      db: this.init.connection.database,
      schema: record.table.schema ?? 'public',
      table: record.table.table,
      txId: position.txId ?? null,
      lsn: lsn === undefined ? null : Number(lsn),
      sequence: JSON.stringify([position.lsn, position.lsnCommit ?? position.lsn].map((text) => String(parseLsn(text) ?? 0))),
    };
  }

  describe(position: Position): string {
    const parsed = logicalPositionFromCheckpoint(position);
    return parsed.row > 0 ? `${parsed.lsn} (+${parsed.row} rows of ${parsed.lsnCommit ?? ''})` : parsed.lsn;
  }

  /** WAL written since the checkpoint, and what the slot keeps on the server (pg_current_wal_lsn() − restart_lsn). */
  async lag(position: Position): Promise<{ position: string; behindBytes?: number; slot: { name: string; retainedWalBytes?: number; walStatus?: string } }> {
    const { connection } = this.init;
    const client = new pg.Client({
      host: connection.host,
      port: connection.port,
      user: connection.user,
      password: revealPassword(connection.password),
      database: connection.database,
      connectionTimeoutMillis: connection.connectTimeoutMs ?? 15_000,
      application_name: 'ferry-lag',
    });
    client.on('error', () => undefined);
    await client.connect();
    try {
      const lsn = logicalPositionFromCheckpoint(position).lsn;
      const result = await client.query<{ behind: string | null; retained: string | null; wal_status: string | null }>(
        'SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), $1::pg_lsn)::text AS behind, ' +
          '(SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), restart_lsn)::text FROM pg_replication_slots WHERE slot_name = $2) AS retained, ' +
          '(SELECT wal_status FROM pg_replication_slots WHERE slot_name = $2) AS wal_status',
        [lsn, this.init.slotName],
      );
      const row = result.rows[0];
      const slot: { name: string; retainedWalBytes?: number; walStatus?: string } = { name: this.init.slotName };
      if (row?.retained) slot.retainedWalBytes = Number(row.retained);
      if (row?.wal_status) slot.walStatus = row.wal_status;
      return { position: this.describe(position), ...(row?.behind ? { behindBytes: Math.max(0, Number(row.behind)) } : {}), slot };
    } finally {
      await client.end().catch(() => undefined);
    }
  }

  async close(): Promise<void> {
    await this.reader?.close();
  }

  private async listTables(): Promise<TableId[]> {
    const { connection } = this.init;
    const client = new pg.Client({
      host: connection.host,
      port: connection.port,
      user: connection.user,
      password: revealPassword(connection.password),
      database: connection.database,
      connectionTimeoutMillis: connection.connectTimeoutMs ?? 15_000,
    });
    client.on('error', () => undefined);
    await client.connect();
    try {
      const result = await client.query<{ table_schema: string; table_name: string }>(
        "SELECT table_schema, table_name FROM information_schema.tables WHERE table_type = 'BASE TABLE' AND table_schema NOT IN ('pg_catalog', 'information_schema') ORDER BY table_schema, table_name",
      );
      return result.rows.map((row): TableId => ({ schema: row.table_schema, table: row.table_name })).filter((table) => this.init.includeTable(table));
    } finally {
      await client.end().catch(() => undefined);
    }
  }
}
