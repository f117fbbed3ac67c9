import { sql } from '../../db/drivers';
import type { FieldValue } from '../../model';
import type { ColumnInfo } from '../polling/columns';
import type { ListedTable, SqlStatement } from '../polling/dialect';
import { type PreciseInstant, wallClockToInstant } from '../polling/instant';
import { type ErrorClass, PollingReader, type PollingReaderInit, type RawResult, revealPassword } from '../polling/pollingReader';
import { bytesOf, canonicalDecimal, toBigInt, toNumber } from '../polling/values';
import { EXACT_COLUMN_PREFIX, SqlServerDialect } from './sqlServerDialect';
import { type SqlServerColumnDescription, SqlServerTypeMap } from './sqlServerTypeMap';

const CONNECTION_CODES = new Set(['ESOCKET', 'ETIMEOUT', 'ECONNCLOSED', 'ENOTOPEN', 'EINSTLOOKUP', 'ECONNRESET', 'ECONNREFUSED', 'ENOTFOUND', 'EALREADYCONNECTING']);
/** Login failed; cannot open database. */
const AUTH_NUMBERS = new Set([18456, 4060, 18452, 18488]);
/** Invalid object name; invalid column name. */
const MISSING_NUMBERS = new Set([208, 207]);

interface MssqlColumn {
  name: string;
  length?: number;
  type?: { declaration?: string };
  precision?: number;
  scale?: number;
  nullable?: boolean;
  identity?: boolean;
}

/**
 * Polling reader for SQL Server / Azure SQL over mssql (tedious). tedious returns decimals and money as doubles, so
 * the dialect also selects their exact text and this reader folds it back; bigint comes as text; date-times come
 * as Dates with the sub-millisecond remainder in `nanosecondsDelta`, which positions keep.
 */
export class SqlServerPollingReader extends PollingReader {
  protected readonly dialect = new SqlServerDialect();
  protected readonly productName = 'SQL Server';
  private readonly typeMap: SqlServerTypeMap;
  private pool: sql.ConnectionPool | undefined;

  constructor(init: PollingReaderInit) {
    super(init, 'sources.sqlserver');
    this.typeMap = new SqlServerTypeMap({ numericMapping: this.options.numericMapping, numericMappingForDecimal: this.options.numericMappingForDecimal });
  }

  protected async openConnection(): Promise<void> {
    const tls = this.connection.tls ?? 'prefer';
    const [server = this.connection.host, instanceName] = this.connection.host.split('\\');
    const pool = new sql.ConnectionPool({
      server,
      port: instanceName ? undefined : this.connection.port,
      user: this.connection.user,
      password: revealPassword(this.connection.password),
      database: this.connection.database,
      connectionTimeout: this.connection.connectTimeoutMs ?? 15_000,
      // Polls of a big table may run long; upstream has no query timeout either.
      requestTimeout: 0,
      pool: { min: 0, max: 1 },
      options: {
        // SQL Server always offers TLS (self-signed if nothing else), so prefer/require encrypt without verifying.
        encrypt: tls !== 'disable',
        trustServerCertificate: tls === 'prefer' || tls === 'require' || tls === 'disable',
        ...(instanceName ? { instanceName } : {}),
        ...(this.connection.tlsCa ? { cryptoCredentialsDetails: { ca: this.connection.tlsCa } } : {}),
        // Zone-less date-times as UTC fields, so the wall clock is read without the host's zone.
        useUTC: true,
        enableArithAbort: true,
        appName: 'ferry-source',
      },
    });
    pool.on('error', (error: Error) => this.log.warn('connection error', { error: error.message }));
    this.pool = pool;
    await pool.connect();
  }

  protected async closeConnection(): Promise<void> {
    const pool = this.pool;
    this.pool = undefined;
    if (pool) await pool.close().catch(() => {});
  }

  protected async execute(statement: SqlStatement): Promise<RawResult> {
    if (!this.pool) throw Object.assign(new Error('not connected'), { code: 'ENOTOPEN' });
    const request = this.pool.request();
    request.arrayRowMode = true;
    statement.params.forEach((value, index) => {
      if (typeof value === 'number') request.input(`p${index + 1}`, Number.isInteger(value) ? sql.BigInt : sql.Float, value);
      else request.input(`p${index + 1}`, sql.NVarChar(4000), value);
    });
    const result = await request.query(statement.sql);
    const columns = ((result as unknown as { columns?: MssqlColumn[][] }).columns?.[0] ?? []) as MssqlColumn[];
    const rows = (result.recordset ?? []) as unknown as unknown[][];
    return foldExactColumns(columns, rows);
  }

  protected columnsFromCatalog(result: RawResult): ColumnInfo[] {
    return result.rows.map((row) => {
      const typeName = String(row[1] ?? row[2] ?? 'sql_variant').toLowerCase();
      const description: SqlServerColumnDescription = {
        name: String(row[0]),
        typeName,
        declaredType: row[2] === null || row[2] === undefined ? undefined : String(row[2]),
        maxLength: optionalNumber(row[3]),
        precision: optionalNumber(row[4]),
        scale: optionalNumber(row[5]),
        nullable: row[6] === true || row[6] === 1,
        identity: row[7] === true || row[7] === 1,
      };
      const pk = optionalNumber(row[8]);
      if (pk !== undefined) description.primaryKeyOrdinal = pk;
      return this.typeMap.column(description);
    });
  }

  protected columnsFromResult(result: RawResult): ColumnInfo[] {
    const columns = (result.fields ?? []) as MssqlColumn[];
    return columns.map((column) => {
      const description: SqlServerColumnDescription = {
        name: column.name,
        typeName: column.type?.declaration ?? 'nvarchar',
        nullable: column.nullable ?? true,
        identity: column.identity ?? false,
      };
      if (column.length !== undefined) description.maxLength = column.length;
      if (column.precision !== undefined) description.precision = column.precision;
      if (column.scale !== undefined) description.scale = column.scale;
      return this.typeMap.column(description);
    });
  }

  protected listedTable(row: unknown[]): ListedTable {
    return { id: { catalog: String(row[0]), schema: String(row[1]), table: String(row[2]) }, type: row[3] === 'VIEW' ? 'VIEW' : 'TABLE' };
  }

  protected toFieldValue(raw: unknown, column: ColumnInfo): FieldValue {
    const type = column.type;
    switch (type.kind) {
      case 'int8':
      case 'int16':
      case 'int32':
        return typeof raw === 'boolean' ? (raw ? 1 : 0) : toNumber(raw);
      case 'int64':
        return toBigInt(raw);
      case 'float32':
      case 'float64':
        return toNumber(raw);
      case 'decimal':
        return canonicalDecimal(String(raw), type.scale);
      case 'boolean':
        return raw === true || raw === 1;
      case 'string':
        return raw instanceof Date ? raw.toISOString() : String(raw);
      case 'bytes':
        return raw instanceof Uint8Array ? bytesOf(raw) : bytesOf(Buffer.from(String(raw), 'utf8'));
      case 'date':
        return new Date((raw as Date).getTime());
      case 'time':
        // useUTC: a time is a Date on 1970-01-01 UTC.
        return (raw as Date).getTime();
      case 'timestamp': {
        const instant = this.toInstant(raw, column);
        return instant === null ? null : new Date(instant.epochSecond * 1000 + Math.floor(instant.nano / 1_000_000));
      }
    }
  }

  protected toInstant(raw: unknown, column: ColumnInfo): PreciseInstant | null {
    if (!(raw instanceof Date)) throw new Error(`${String(raw)} is not a date-time`);
    const wall = preciseWallClock(raw);
    if (column.temporal === 'instant') return wall;
    return wallClockToInstant({ wallSecond: wall.epochSecond, nano: wall.nano, offsetSeconds: undefined }, this.options.zone);
  }

  protected parseNow(raw: unknown): PreciseInstant {
    if (!(raw instanceof Date)) throw new Error(`SYSUTCDATETIME() returned ${String(raw)}`);
    return preciseWallClock(raw);
  }

  protected classifyError(error: unknown): ErrorClass {
    const number = (error as { number?: unknown }).number ?? (error as { originalError?: { number?: unknown } }).originalError?.number;
    if (typeof number === 'number') {
      if (AUTH_NUMBERS.has(number)) return 'auth';
      if (MISSING_NUMBERS.has(number)) return 'missing';
    }
    const code = (error as { code?: unknown }).code;
    if (code === 'ELOGIN') return 'auth';
    if (typeof code === 'string' && CONNECTION_CODES.has(code)) return 'connection';
    return 'other';
  }
}

/** A tedious Date (UTC fields) plus its `nanosecondsDelta` (the sub-millisecond rest, in seconds). */
export function preciseWallClock(date: Date): PreciseInstant {
  const millis = date.getTime();
  const epochSecond = Math.floor(millis / 1000);
  const delta = (date as Date & { nanosecondsDelta?: number }).nanosecondsDelta ?? 0;
  return { epochSecond, nano: (millis - epochSecond * 1000) * 1_000_000 + Math.round(delta * 1e9) };
}

/**
 * Replaces each decimal/money column's double with the exact text the dialect selected next to it, and drops the
 * helper columns, so the generic reader sees the table's own columns.
 */
export function foldExactColumns(columns: readonly MssqlColumn[], rows: readonly unknown[][]): RawResult {
  const keep: number[] = [];
  const exactFor = new Map<number, number>();
  columns.forEach((column, index) => {
    if (column.name.startsWith(EXACT_COLUMN_PREFIX)) {
      const target = columns.findIndex((candidate) => candidate.name === column.name.slice(EXACT_COLUMN_PREFIX.length));
      if (target >= 0) exactFor.set(target, index);
    } else {
      keep.push(index);
    }
  });
  const kept = keep.map((index) => columns[index] as MssqlColumn);
  return {
    names: kept.map((column) => column.name),
    rows: rows.map((row) => keep.map((index) => row[exactFor.get(index) ?? index])),
    signature: kept.map((column) => `${column.name}:${column.type?.declaration ?? ''}:${column.precision ?? ''}:${column.scale ?? ''}:${column.length ?? ''}`).join('|'),
    fields: kept,
  };
}

function optionalNumber(value: unknown): number | undefined {
  if (value === null || value === undefined) return undefined;
  const number = Number(value);
  return Number.isFinite(number) ? number : undefined;
}
