import { sql } from '../../../db/drivers';
import type { ChangeRecord, FieldValue, Position, Row, TableId } from '../../../model';
import { type CapturedTable, capturedTable, capturedValue, keyOf } from '../../capturedTable';
import { sourceError } from '../../errors';
import type { LogCapture, LogCaptureInit, LogCaptureStart, LogSourceFields } from '../../logCapture';
import type { ColumnInfo } from '../../polling/columns';
import { parseTimeOfDayMillis, parseWallClock, wallClockToInstant } from '../../polling/instant';
import { revealPassword } from '../../polling/pollingReader';
import { bytesOf, canonicalDecimal, parseCalendarDate, toBigInt, toNumber } from '../../polling/values';
import { resolveZone } from '../../polling/zone';
import { SqlServerTypeMap } from '../sqlServerTypeMap';
import {
  CAPTURE_INSTANCES_SQL,
  CDC_DATABASE_STATE_SQL,
  type CapturedColumn,
  changeBetweenSql,
  changesSql,
  columnsSql,
  compareLsn,
  enableCdcStatements,
  incrementLsn,
  lsnFromString,
  lsnToString,
  MAX_LSN_SQL,
  minLsnSql,
  resumeCheckSql,
  snapshotPageSql,
  TABLES_SQL,
} from './cdcStatements';

const POLL_MS = 500;
const UTC = resolveZone('UTC');

interface TrackedTable {
  shape: CapturedTable;
  captureInstance: string;
  /** The table's older capture instances (a table has two while its instance is being replaced): never read. */
  olderInstances: string[];
  captured: CapturedColumn[];
}

/**
 * Log-based capture from SQL Server's CDC change tables, as Debezium's SqlServerConnector reads them: a snapshot of
 * each table (taken after the current max LSN is noted, so every later change is streamed: a row changed while the
 * snapshot runs arrives twice and the later change wins at an upserting target), then every change from
 * `cdc.fn_cdc_get_all_changes_<capture instance>` in LSN order, one transaction (one commit LSN) at a time. The
 * position is the commit LSN of the last whole transaction handed out.
 */
export class SqlServerLogCapture implements LogCapture {
  readonly connectorName = 'sqlserver' as const;
  private pool: sql.ConnectionPool | undefined;
  private readonly tables = new Map<string, TrackedTable>();
  private lastLsn: Buffer | undefined;
  private pending: ChangeRecord[] = [];
  private readonly typeMap = new SqlServerTypeMap({ numericMapping: 'none', numericMappingForDecimal: false });

  constructor(private readonly init: LogCaptureInit) {}

  private get database(): string {
    return this.init.connection.database;
  }

  async begin(checkpoint: Position | undefined, snapshot: boolean, replayFrom?: Position): Promise<LogCaptureStart> {
    await this.close();
    const pool = await this.connect();
    const ids = await this.trackedTables(pool);
    const maxLsn = await this.maxLsn(pool);
    if (checkpoint) {
      const lsn = typeof checkpoint.lsn === 'string' ? lsnFromString(checkpoint.lsn) : undefined;
      if (!lsn) throw sourceError('SOURCE_BAD_POSITION', `The checkpoint ${JSON.stringify(checkpoint)} holds no SQL Server LSN; delete the pipeline's checkpoint to snapshot again.`);
      await checkResumable(pool, this.resumeTables(), lsn);
      this.lastLsn = lsn;
      return { tables: ids };
    }
    this.lastLsn = maxLsn;
    if (!snapshot) return { tables: ids };
    const position = this.positionOf(maxLsn);
    const pages = this.snapshotPages(pool, position);
    const replayLsn = replayFrom && typeof replayFrom.lsn === 'string' ? lsnFromString(replayFrom.lsn) : undefined;
    if (replayLsn) {
      // An interrupted snapshot began there (LogCapture.begin): the change tables are read again from it.
      await checkResumable(pool, this.resumeTables(), replayLsn);
      this.lastLsn = replayLsn;
      return { tables: ids, snapshot: { position: this.positionOf(replayLsn), pages } };
    }
    return { tables: ids, snapshot: { position, pages } };
  }

  async read(maxRecords: number, maxWaitMs: number, signal?: AbortSignal): Promise<ChangeRecord[]> {
    const pool = this.pool;
    if (!pool) return [];
    if (this.pending.length === 0) await this.fetch(pool);
    if (this.pending.length === 0) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.min(maxWaitMs, POLL_MS));
        signal?.addEventListener('abort', () => {
          clearTimeout(timer);
          resolve();
        });
      });
      return [];
    }
    // Whole transactions only: stop at a commit LSN boundary once maxRecords is reached.
    let end = Math.min(maxRecords, this.pending.length);
    const lsnAt = (index: number): unknown => this.pending[index]?.position.lsn;
    while (end < this.pending.length && lsnAt(end) === lsnAt(end - 1)) end += 1;
    return this.pending.splice(0, end);
  }

  /** Change tables are read by LSN; nothing on the server holds back for Ferry (the cleanup job runs regardless). */
  acknowledge(): Promise<void> {
    return Promise.resolve();
  }

  sourceFields(record: ChangeRecord): LogSourceFields {
    const lsn = typeof record.position.lsn === 'string' ? record.position.lsn : null;
    return {
      kind: 'sqlserver',
      db: record.table.catalog ?? this.database,
      schema: record.table.schema ?? 'dbo',
      table: record.table.table,
      changeLsn: typeof record.position.change === 'string' ? record.position.change : lsn,
      commitLsn: lsn,
      eventSerialNo: typeof record.position.serial === 'number' ? record.position.serial : null,
    };
  }

  describe(position: Position): string {
    return typeof position.lsn === 'string' ? `LSN ${position.lsn}` : 'no LSN';
  }

  async close(): Promise<void> {
    const pool = this.pool;
    this.pool = undefined;
    this.pending = [];
    if (pool) await pool.close().catch(() => undefined);
  }

  private positionOf(lsn: Uint8Array, change?: Uint8Array, serial?: number): Position {
    return { lsn: lsnToString(lsn), ...(change ? { change: lsnToString(change) } : {}), ...(serial !== undefined ? { serial } : {}) };
  }

  private async connect(): Promise<sql.ConnectionPool> {
    const connection = this.init.connection;
    const tls = connection.tls ?? 'prefer';
    const [server = connection.host, instanceName] = connection.host.split('\\');
    const pool = new sql.ConnectionPool({
      server,
      port: instanceName ? undefined : connection.port,
      user: connection.user,
      password: revealPassword(connection.password),
      database: connection.database,
      connectionTimeout: connection.connectTimeoutMs ?? 15_000,
      requestTimeout: 0,
      pool: { min: 0, max: 2 },
      options: {
        encrypt: tls !== 'disable',
        trustServerCertificate: tls === 'prefer' || tls === 'require' || tls === 'disable',
        ...(instanceName ? { instanceName } : {}),
        useUTC: true,
        enableArithAbort: true,
        appName: 'ferry-cdc',
      },
    });
    pool.on('error', () => undefined);
    await pool.connect();
    this.pool = pool;
    return pool;
  }

  /**
   * The captured tables with their newest capture instance; CDC off on the database or on an included table is one
   * error listing the statements that turn it on.
   */
  private async trackedTables(pool: sql.ConnectionPool): Promise<TableId[]> {
    const state = (await pool.request().query<{ enabled: number }>(CDC_DATABASE_STATE_SQL)).recordset[0];
    const candidates = (await pool.request().query<{ schema_name: string; table_name: string; tracked: number }>(TABLES_SQL)).recordset
      .map((row) => ({ id: { catalog: this.database, schema: row.schema_name, table: row.table_name } as TableId, tracked: row.tracked === 1 }))
      .filter((row) => this.init.includeTable(row.id));
    const untracked = candidates.filter((row) => !row.tracked).map((row) => row.id);
    const databaseEnabled = state?.enabled === 1;
    if (!databaseEnabled || untracked.length > 0) {
      const endpoint = `${this.init.connection.host}:${this.init.connection.port}`;
      const what = !databaseEnabled ? `CDC is not enabled on database ${this.database}` : `CDC is not enabled on ${untracked.map((id) => `${id.schema}.${id.table}`).join(', ')}`;
      throw sourceError(
        'SOURCE_BAD_OPTIONS',
        `Log-based capture cannot read ${endpoint}: ${what}. Run (as a member of sysadmin / db_owner, with SQL Server Agent running): ${enableCdcStatements(this.database, !databaseEnabled ? candidates.map((row) => row.id) : untracked, databaseEnabled).join(' ')}`,
      );
    }
    const instances = (await pool.request().query<{ schema_name: string; table_name: string; capture_instance: string }>(CAPTURE_INSTANCES_SQL)).recordset;
    this.tables.clear();
    for (const { id } of candidates) {
      const [instance, ...older] = instances.filter((row) => row.schema_name === id.schema && row.table_name === id.table);
      if (!instance) continue;
      const columns = await this.describeColumns(pool, id);
      const topic = `${this.init.topicPrefix}.${this.database}.${id.schema}.${id.table}`;
      this.tables.set(instance.capture_instance, {
        shape: capturedTable(id, topic, columns, this.init.types),
        captureInstance: instance.capture_instance,
        olderInstances: older.map((row) => row.capture_instance),
        captured: columns.map((column) => ({ name: column.name, baseType: column.baseType })),
      });
    }
    return candidates.map((row) => row.id);
  }

  private async describeColumns(pool: sql.ConnectionPool, id: TableId): Promise<ColumnInfo[]> {
    const request = pool.request();
    request.arrayRowMode = true;
    const rows = (await request.query(columnsSql(id))).recordset as unknown as unknown[][];
    return rows.map((row) =>
      this.typeMap.column({
        name: String(row[0]),
        typeName: String(row[1] ?? 'sql_variant').toLowerCase(),
        ...(row[2] !== null && row[2] !== undefined ? { declaredType: String(row[2]) } : {}),
        ...(typeof row[3] === 'number' ? { maxLength: row[3] } : {}),
        ...(typeof row[4] === 'number' ? { precision: row[4] } : {}),
        ...(typeof row[5] === 'number' ? { scale: row[5] } : {}),
        nullable: row[6] === 1,
        identity: row[7] === 1,
        ...(typeof row[8] === 'number' ? { primaryKeyOrdinal: row[8] } : {}),
      }),
    );
  }

  private async maxLsn(pool: sql.ConnectionPool): Promise<Buffer> {
    const lsn = (await pool.request().query<{ lsn: Buffer | null }>(MAX_LSN_SQL)).recordset[0]?.lsn;
    if (!lsn) {
      throw sourceError('SOURCE_BAD_OPTIONS', `SQL Server reports no CDC LSN yet on ${this.database}: the capture job has not run. Start SQL Server Agent (the cdc.${this.database}_capture job) and try again.`, { retriable: true });
    }
    return lsn;
  }

  private resumeTables(): ResumeTable[] {
    return [...this.tables.values()].map((table) => ({ id: table.shape.id, captureInstance: table.captureInstance, olderInstances: table.olderInstances }));
  }

  private async *snapshotPages(pool: sql.ConnectionPool, position: Position): AsyncGenerator<ChangeRecord[], void, undefined> {
    const pageRows = Math.max(1, this.init.snapshotFetchSize);
    for (const table of this.tables.values()) {
      const keyNames = table.shape.keyColumns.map((column) => column.name);
      let last: Row | undefined;
      for (;;) {
        const request = pool.request();
        keyNames.forEach((name, index) => request.input(`k${index}`, last?.[name] ?? null));
        const rows = (await request.query<Record<string, unknown>>(snapshotPageSql(table.shape.id, table.captured, keyNames, pageRows, last !== undefined))).recordset;
        if (rows.length === 0) break;
        yield rows.map((raw) => {
          const after = this.row(table, raw);
          return { table: table.shape.id, op: 'r', keySchema: table.shape.keySchema, key: keyOf(table.shape, after), valueSchema: table.shape.valueSchema, after, position } satisfies ChangeRecord;
        });
        if (keyNames.length === 0 || rows.length < pageRows) break;
        // Keyset paging binds the raw key values of the last row, as the database printed them.
        const lastRaw = rows[rows.length - 1] as Record<string, unknown>;
        last = Object.fromEntries(keyNames.map((name) => [name, lastRaw[name] as FieldValue]));
      }
    }
  }

  /** Reads every capture instance's changes after the last position up to the current max LSN, in commit order. */
  private async fetch(pool: sql.ConnectionPool): Promise<void> {
    const from = this.lastLsn ? incrementLsn(this.lastLsn) : undefined;
    const to = await this.maxLsn(pool);
    if (from && compareLsn(from, to) > 0) return;
    const changes: { lsn: Buffer; seqval: Buffer; operation: number; time: Date | null; table: TrackedTable; raw: Record<string, unknown> }[] = [];
    for (const table of this.tables.values()) {
      const min = (await pool.request().query<{ lsn: Buffer | null }>(minLsnSql(table.captureInstance))).recordset[0]?.lsn;
      const start = from && min && compareLsn(from, min) < 0 ? min : (from ?? min);
      if (!start || compareLsn(start, to) > 0) continue;
      const request = pool.request();
      request.input('from', sql.VarBinary(10), start);
      request.input('to', sql.VarBinary(10), to);
      const rows = (await request.query<Record<string, unknown>>(changesSql(table.captureInstance, table.captured))).recordset;
      for (const raw of rows) changes.push({ lsn: raw.start_lsn as Buffer, seqval: raw.seqval as Buffer, operation: Number(raw.operation), time: (raw.commit_time as Date | null) ?? null, table, raw });
    }
    changes.sort((a, b) => compareLsn(a.lsn, b.lsn) || compareLsn(a.seqval, b.seqval) || a.operation - b.operation);
    let serial = 0;
    let current = '';
    for (let index = 0; index < changes.length; index += 1) {
      const change = changes[index];
      if (!change) continue;
      const lsnText = lsnToString(change.lsn);
      serial = lsnText === current ? serial + 1 : 1;
      current = lsnText;
      const shape = change.table.shape;
      const position = this.positionOf(change.lsn, change.seqval, serial);
      const base = { table: shape.id, keySchema: shape.keySchema, valueSchema: shape.valueSchema, position, ...(change.time ? { sourceTimestampMs: change.time.getTime() } : {}) };
      if (change.operation === 3) {
        // The old image; the new one (operation 4, same seqval) follows.
        const next = changes[index + 1];
        const before = this.row(change.table, change.raw);
        const after = next && next.operation === 4 && compareLsn(next.seqval, change.seqval) === 0 ? this.row(change.table, next.raw) : before;
        if (next && next.operation === 4) index += 1;
        this.pending.push({ ...base, op: 'u', before, after, key: keyOf(shape, after) });
      } else if (change.operation === 4) {
        const after = this.row(change.table, change.raw);
        this.pending.push({ ...base, op: 'u', before: null, after, key: keyOf(shape, after) });
      } else if (change.operation === 2) {
        const after = this.row(change.table, change.raw);
        this.pending.push({ ...base, op: 'c', before: null, after, key: keyOf(shape, after) });
      } else {
        const before = this.row(change.table, change.raw);
        this.pending.push({ ...base, op: 'd', before, after: null, key: keyOf(shape, before) });
      }
    }
    this.lastLsn = to;
  }

  private row(table: TrackedTable, raw: Record<string, unknown>): Row {
    const row: Row = {};
    for (const column of table.shape.columns) row[column.name] = capturedValue(cdcValue, raw[column.name] ?? null, column, table.shape);
    return row;
  }
}

/** What the resume check sends its statements through: an mssql ConnectionPool, or a fake in unit tests. */
export interface CdcQueryRunner {
  request(): { query<T>(command: string): Promise<{ recordset: T[] }> };
}

/** A tracked table as the resume check sees it: the capture instance Ferry reads, and the table's older ones. */
export interface ResumeTable {
  id: TableId;
  captureInstance: string;
  olderInstances: string[];
}

interface InstanceAtLsn {
  min: Buffer | null;
  /** Created after the LSN committed: it holds no change at or before it, so cleanup cannot have taken any. */
  createdAfter: boolean;
}

async function instanceAt(runner: CdcQueryRunner, captureInstance: string, lsn: Buffer): Promise<InstanceAtLsn | undefined> {
  const row = (await runner.request().query<{ min_lsn: Buffer | null; create_date: Date | null; lsn_time: Date | null }>(resumeCheckSql(captureInstance, lsn))).recordset[0];
  if (!row) return undefined;
  // start_lsn (the min LSN) cannot tell a later instance from a cleaned-up one: cleanup advances it. create_date is
  // when CDC was enabled and stays; when the LSN's commit time is unknown (cleanup removed it from
  // cdc.lsn_time_mapping), or the two times are equal, the instance is taken to have existed.
  const createdAfter = row.create_date !== null && row.lsn_time !== null && row.create_date.getTime() > row.lsn_time.getTime();
  return { min: row.min_lsn, createdAfter };
}

const keepChangesLonger = "keep changes longer (sys.sp_cdc_change_job @job_type = N'cleanup', @retention = <minutes>).";

/**
 * Whether streaming can resume at `lsn` (a checkpoint, or where an interrupted snapshot began) without skipping
 * changes. An instance that existed then and whose oldest change is past the LSN's successor lost changes Ferry never
 * read to the cleanup job. An instance created after the LSN (a table added to the include list, or an instance
 * re-created after DDL) is read from its own minimum, as fetch does; an older instance of the same table that existed
 * at the LSN holds the changes up to the new instance's start, which Ferry does not read, so any there stop it too.
 */
export async function checkResumable(runner: CdcQueryRunner, tables: readonly ResumeTable[], lsn: Buffer): Promise<void> {
  const next = incrementLsn(lsn);
  const at = lsnToString(lsn);
  const cleanedUp = (table: ResumeTable, instance: string, min: Buffer) =>
    sourceError(
      'SOURCE_BAD_POSITION',
      `The checkpoint's LSN ${at} is older than the oldest change of ${qualified(table.id)} in capture instance ${instance} (${lsnToString(min)}): the CDC cleanup job removed changes Ferry never read. ` +
        `Set snapshot.mode=when_needed to take a new snapshot, or delete the pipeline's checkpoint; ${keepChangesLonger}`,
    );
  for (const table of tables) {
    const current = await instanceAt(runner, table.captureInstance, lsn);
    if (!current) continue;
    if (!current.createdAfter) {
      if (current.min && compareLsn(next, current.min) < 0) throw cleanedUp(table, table.captureInstance, current.min);
      continue;
    }
    const currentMin = current.min;
    if (!currentMin) continue;
    for (const older of table.olderInstances) {
      const state = await instanceAt(runner, older, lsn);
      if (!state || state.createdAfter) continue;
      if (state.min && compareLsn(next, state.min) < 0) throw cleanedUp(table, older, state.min);
      const skipped = (await runner.request().query<{ lsn: Buffer }>(changeBetweenSql(older, lsn, currentMin))).recordset[0]?.lsn;
      if (skipped) {
        throw sourceError(
          'SOURCE_BAD_POSITION',
          `${qualified(table.id)} got capture instance ${table.captureInstance} after the checkpoint's LSN ${at}; its changes from ${at} to ${lsnToString(currentMin)} (the first at ${lsnToString(skipped)}) are only in the older instance ${older}, which Ferry does not read. ` +
            "Set snapshot.mode=when_needed to take a new snapshot, or delete the pipeline's checkpoint.",
        );
      }
    }
  }
}

function qualified(id: TableId): string {
  return `${id.schema ?? 'dbo'}.${id.table}`;
}

/** A value of the change or snapshot query (text for everything but binary, see columnText) → Ferry's value. */
export function cdcValue(raw: unknown, column: ColumnInfo): FieldValue {
  if (raw === null || raw === undefined) return null;
  const text = typeof raw === 'string' ? raw : String(raw);
  const type = column.type;
  switch (type.kind) {
    case 'int8':
    case 'int16':
    case 'int32':
    case 'float32':
    case 'float64':
      return toNumber(text);
    case 'int64':
      return toBigInt(text);
    case 'boolean':
      return text === '1' || text.toLowerCase() === 'true';
    case 'decimal':
      return canonicalDecimal(text, type.scale);
    case 'string':
      return text;
    case 'bytes':
      return raw instanceof Uint8Array ? bytesOf(raw) : bytesOf(Buffer.from(text, 'utf8'));
    case 'date': {
      const date = parseCalendarDate(text.slice(0, 10));
      if (!date) throw new Error(`"${text}" is not a date`);
      return date;
    }
    case 'time': {
      const millis = parseTimeOfDayMillis(text);
      if (millis === undefined) throw new Error(`"${text}" is not a time`);
      return millis;
    }
    case 'timestamp': {
      const wall = parseWallClock(text);
      if (!wall) throw new Error(`"${text}" is not a date-time`);
      const instant = wallClockToInstant(wall, UTC);
      return new Date(instant.epochSecond * 1000 + Math.floor(instant.nano / 1_000_000));
    }
  }
}
