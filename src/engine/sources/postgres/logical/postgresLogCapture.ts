import { pg } from '../../../db/drivers';
import type { ChangeRecord, Position, TableId } from '../../../model';
import type { LogCapture, LogCaptureInit, LogCaptureStart, LogInspection, LogSourceFields } from '../../logCapture';
import { capturedTable } from '../../capturedTable';
import { PostgresDialect } from '../postgresDialect';
import { describePostgresCatalogColumn, PostgresTypeMap } from '../postgresTypeMap';
import { dropReplication, quoteIdent, readSlot } from './replicationSetup';
import type { ReplicationSlotInfo } from '../../../../shared/api/pipelines';
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

  /**
   * An interrupted snapshot (`replayFrom`) is redone from the same slot: nothing confirmed it past where that snapshot
   * began, so streaming from it replays the log from there. The slot must still be there and not confirmed further
   * (dropped, invalidated or advanced meanwhile, a new slot would start later and silently keep rows the source deleted
   * in the target): that refuses with SOURCE_BAD_POSITION, as a resume from a checkpoint does.
   */
  async begin(checkpoint: Position | undefined, snapshot: boolean, replayFrom?: Position): Promise<LogCaptureStart> {
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
    const replay = !checkpoint && snapshot && replayFrom ? logicalPositionFromCheckpoint(replayFrom) : undefined;
    const slot = replay ? await reader.start({ lsn: replay.lsn, row: 0 }, { redoingSnapshot: true }) : await reader.start(checkpoint ? logicalPositionFromCheckpoint(checkpoint) : undefined);
    if (checkpoint || !snapshot) return { tables };
    const position = logicalPositionToCheckpoint({ lsn: replay?.lsn ?? slot.confirmedFlushLsn ?? '0/0', row: 0 });
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
    const client = await this.openClient('ferry-lag');
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

  /**
   * Preview: wal_level, the slot (exists, active, confirmed LSN, retained WAL, wal_status), the publication and its
   * tables, unmet prerequisites with their fixes, and the captured tables with estimated rows. Creates nothing.
   */
  async inspect(): Promise<LogInspection> {
    const all = await this.listAllTables();
    const tables = all.filter((table) => this.init.includeTable(table));
    const client = await this.openClient('ferry-preview');
    const { slotName, publicationName, publicationAutocreate } = this.init;
    try {
      const problems: string[] = [];
      const server = (await client.query<{ wal_level: string; lsn: string; version: string }>("SELECT current_setting('wal_level') AS wal_level, pg_current_wal_lsn()::text AS lsn, current_setting('server_version') AS version")).rows[0];
      const walLevel = server?.wal_level ?? 'unknown';
      if (walLevel !== 'logical') problems.push(`wal_level is ${walLevel}, not logical: ALTER SYSTEM SET wal_level = logical; then restart the server`);
      const role = (await client.query<{ rolname: string; can: boolean }>('SELECT rolname, (rolreplication OR rolsuper) AS can FROM pg_roles WHERE rolname = current_user')).rows[0];
      if (!role?.can) problems.push(`the user ${role?.rolname ?? '(unknown)'} may not replicate: ALTER ROLE ${quoteIdent(role?.rolname ?? 'user')} WITH REPLICATION`);
      const state = await readSlot(client, slotName);
      const slot: NonNullable<LogInspection['log']['slot']> = { name: slotName, exists: state.exists };
      if (state.plugin !== undefined) slot.plugin = state.plugin;
      if (state.active !== undefined) slot.active = state.active;
      if (state.confirmedFlushLsn !== undefined) slot.confirmedLsn = state.confirmedFlushLsn;
      if (state.retainedWalBytes !== undefined) slot.retainedWalBytes = state.retainedWalBytes;
      if (state.walStatus !== undefined) slot.walStatus = state.walStatus;
      if (state.exists && state.plugin !== 'pgoutput') problems.push(`the slot "${slotName}" uses the ${state.plugin ?? 'unknown'} plugin, not pgoutput: choose another slot.name, or drop it: SELECT pg_drop_replication_slot('${slotName}')`);
      if (state.walStatus === 'lost') problems.push(`the slot "${slotName}" was invalidated (wal_status lost): a pipeline with a checkpoint stops on it; snapshot.mode=when_needed makes it again and takes a new snapshot`);
      const publication = (await client.query<{ puballtables: boolean }>('SELECT puballtables FROM pg_publication WHERE pubname = $1', [publicationName])).rows[0];
      const published = publication
        ? (await client.query<{ schemaname: string; tablename: string }>('SELECT schemaname, tablename FROM pg_publication_tables WHERE pubname = $1 ORDER BY 1, 2', [publicationName])).rows.map((row) => `${row.schemaname}.${row.tablename}`)
        : [];
      const tableList = tables.map((table) => `${quoteIdent(table.schema ?? 'public')}.${quoteIdent(table.table)}`).join(', ');
      if (!publication && publicationAutocreate === 'disabled') {
        problems.push(`the publication "${publicationName}" does not exist and publication.autocreate.mode is disabled: CREATE PUBLICATION ${quoteIdent(publicationName)} FOR TABLE ${tableList || '…'}; or set publication.autocreate.mode to filtered`);
      }
      if (publication && !publication.puballtables) {
        const missing = tables.map((table) => `${table.schema ?? 'public'}.${table.table}`).filter((name) => !published.includes(name));
        if (missing.length > 0) problems.push(`the publication "${publicationName}" lacks ${missing.join(', ')} (their changes would not arrive): ALTER PUBLICATION ${quoteIdent(publicationName)} ADD TABLE ${missing.map((name) => name.split('.').map(quoteIdent).join('.')).join(', ')}`);
      }
      const typeMap = new PostgresTypeMap(this.init.numericMapping ?? 'none');
      const dialect = new PostgresDialect();
      const inspected: LogInspection['tables'] = [];
      for (const id of tables) {
        const statement = dialect.describeColumns(id);
        const described = await client.query<unknown[]>({ text: statement.sql, values: statement.params, rowMode: 'array' });
        const columns = described.rows.map((row) => typeMap.column(describePostgresCatalogColumn(row)));
        const estimate = (
          await client.query<{ n: string | null }>(
            'SELECT CASE WHEN c.reltuples >= 0 THEN c.reltuples::bigint ELSE s.n_live_tup END::text AS n FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace LEFT JOIN pg_stat_user_tables s ON s.relid = c.oid WHERE n.nspname = $1 AND c.relname = $2',
            [id.schema ?? 'public', id.table],
          )
        ).rows[0]?.n;
        inspected.push({ table: capturedTable(id, `${this.init.topicPrefix}.${id.schema ?? 'public'}.${id.table}`, columns, this.init.types), estimatedRows: estimate === null || estimate === undefined ? null : Number(estimate) });
      }
      return {
        log: {
          kind: 'pgoutput',
          wal: { currentLsn: server?.lsn ?? '', walLevel, version: server?.version ?? '' },
          slot,
          publication: { name: publicationName, exists: publication !== undefined, allTables: publication?.puballtables ?? false, tables: published, autocreate: publicationAutocreate },
          problems,
        },
        tables: inspected,
        excludedTables: all.filter((table) => !this.init.includeTable(table)).map((table) => `${table.schema ?? 'public'}.${table.table}`),
      };
    } finally {
      await client.end().catch(() => undefined);
    }
  }

  async replicationSlot(): Promise<Omit<ReplicationSlotInfo, 'connector' | 'database'>> {
    const client = await this.openClient('ferry-slots');
    try {
      const state = await readSlot(client, this.init.slotName);
      const publication = await client.query('SELECT 1 FROM pg_publication WHERE pubname = $1', [this.init.publicationName]);
      return {
        slot: this.init.slotName,
        exists: state.exists,
        ...(state.active !== undefined ? { active: state.active } : {}),
        ...(state.retainedWalBytes !== undefined ? { retainedWalBytes: state.retainedWalBytes } : {}),
        ...(state.walStatus !== undefined ? { walStatus: state.walStatus } : {}),
        publication: this.init.publicationName,
        publicationExists: (publication.rowCount ?? 0) > 0,
        dropsPublication: this.init.publicationAutocreate !== 'disabled',
      };
    } finally {
      await client.end().catch(() => undefined);
    }
  }

  async dropReplicationSlot(): Promise<{ slotDropped: boolean; publicationDropped: boolean }> {
    const client = await this.openClient('ferry-slots');
    try {
      return await dropReplication(
        client,
        { slotName: this.init.slotName, publicationName: this.init.publicationName, dropPublication: this.init.publicationAutocreate !== 'disabled' },
        `${this.init.connection.host}:${this.init.connection.port}`,
      );
    } finally {
      await client.end().catch(() => undefined);
    }
  }

  private async openClient(applicationName: string): Promise<pg.Client> {
    const { connection } = this.init;
    const client = new pg.Client({
      host: connection.host,
      port: connection.port,
      user: connection.user,
      password: revealPassword(connection.password),
      database: connection.database,
      connectionTimeoutMillis: connection.connectTimeoutMs ?? 15_000,
      application_name: applicationName,
    });
    client.on('error', () => undefined);
    await client.connect();
    return client;
  }

  async close(): Promise<void> {
    await this.reader?.close();
  }

  private async listTables(): Promise<TableId[]> {
    return (await this.listAllTables()).filter((table) => this.init.includeTable(table));
  }

  /** Every base table outside the system schemas, captured or not. */
  private async listAllTables(): Promise<TableId[]> {
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
      return result.rows.map((row): TableId => ({ schema: row.table_schema, table: row.table_name }));
    } finally {
      await client.end().catch(() => undefined);
    }
  }
}
