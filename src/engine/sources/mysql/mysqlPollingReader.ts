import mysql from 'mysql2/promise';
import type { FieldValue } from '../../model';
import type { ColumnInfo } from '../polling/columns';
import type { ListedTable } from '../polling/dialect';
import type { PreciseInstant } from '../polling/instant';
import { type ErrorClass, PollingReader, type PollingReaderInit, type RawResult, revealPassword } from '../polling/pollingReader';
import type { SqlStatement } from '../polling/dialect';
import { MySqlDialect } from './mysqlDialect';
import { describeMySqlCatalogRow, describeMySqlField, type MySqlFieldPacket, MySqlTypeMap } from './mysqlTypeMap';
import { MySqlValueReader, parseUtcNow } from './mysqlValues';
import { SOURCE_PREPARED_STATEMENTS } from './statementCache';

/** Flag names mysql2 may report instead of the bit mask. */
const FLAG_BITS: Record<string, number> = { NOT_NULL: 1, PRI_KEY: 2, UNSIGNED: 32, BINARY: 128, AUTO_INCREMENT: 512 };

const CONNECTION_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EPIPE',
  'PROTOCOL_CONNECTION_LOST',
  'PROTOCOL_SEQUENCE_TIMEOUT',
  'ER_CON_COUNT_ERROR',
  'ER_SERVER_SHUTDOWN',
  'ER_SERVER_GONE_ERROR',
  'HANDSHAKE_NO_SSL_SUPPORT',
]);
const AUTH_CODES = new Set(['ER_ACCESS_DENIED_ERROR', 'ER_DBACCESS_DENIED_ERROR', 'ER_BAD_DB_ERROR', 'ER_NOT_SUPPORTED_AUTH_MODE', 'ER_ACCESS_DENIED_NO_PASSWORD_ERROR']);
const MISSING_CODES = new Set(['ER_NO_SUCH_TABLE', 'ER_BAD_FIELD_ERROR', 'ER_BAD_TABLE_ERROR']);

/**
 * Polling reader for MySQL and MariaDB over mysql2. The driver is asked for text wherever a JS number would lose
 * digits (BIGINT and DECIMAL as strings, dates as strings, JSON unparsed) and the session runs in UTC so TIMESTAMP
 * columns are exact instants; DATETIME wall clocks are read in db.timezone.
 */
export class MySqlPollingReader extends PollingReader {
  protected readonly dialect = new MySqlDialect();
  protected readonly productName = 'MySQL';
  private readonly typeMap: MySqlTypeMap;
  private readonly values: MySqlValueReader;
  private connectionHandle: mysql.Connection | undefined;
  private broken = false;

  constructor(init: PollingReaderInit) {
    super(init, 'sources.mysql');
    this.typeMap = new MySqlTypeMap({ numericMapping: this.options.numericMapping, numericMappingForDecimal: this.options.numericMappingForDecimal });
    this.values = new MySqlValueReader(this.options.zone);
  }

  protected async openConnection(): Promise<void> {
    const tls = this.connection.tls ?? 'prefer';
    try {
      this.connectionHandle = await this.connect(tls);
    } catch (error) {
      // `prefer`: TLS when the server offers it, plain otherwise (Connector/J's sslMode=PREFERRED).
      if (tls !== 'prefer' || (error as { code?: string }).code !== 'HANDSHAKE_NO_SSL_SUPPORT') throw error;
      this.connectionHandle = await this.connect('disable');
    }
    await this.connectionHandle.query("SET time_zone = '+00:00'");
  }

  private async connect(tls: string): Promise<mysql.Connection> {
    const options: mysql.ConnectionOptions = {
      maxPreparedStatements: SOURCE_PREPARED_STATEMENTS,
      host: this.connection.host,
      port: this.connection.port,
      user: this.connection.user,
      password: revealPassword(this.connection.password),
      database: this.connection.database,
      connectTimeout: this.connection.connectTimeoutMs ?? 15_000,
      supportBigNumbers: true,
      bigNumberStrings: true,
      decimalNumbers: false,
      dateStrings: true,
      jsonStrings: true,
      timezone: 'Z',
    };
    if (tls !== 'disable') {
      options.ssl =
        tls === 'verify-ca' || tls === 'verify-full'
          ? { ca: this.connection.tlsCa, rejectUnauthorized: true, ...(tls === 'verify-ca' ? { checkServerIdentity: () => undefined } : {}) }
          : { rejectUnauthorized: false };
    }
    const connection = await mysql.createConnection(options);
    // A server that drops an idle connection makes it emit 'error'; without a listener that would crash the process.
    this.broken = false;
    connection.on('error', (error: Error) => {
      this.broken = true;
      this.log.warn('connection error', { error: error.message });
    });
    return connection;
  }

  protected async closeConnection(): Promise<void> {
    const handle = this.connectionHandle;
    this.connectionHandle = undefined;
    if (!handle) return;
    try {
      await handle.end();
    } catch {
      handle.destroy();
    }
  }

  protected async execute(statement: SqlStatement): Promise<RawResult> {
    if (!this.connectionHandle || this.broken) throw Object.assign(new Error('Connection lost: the server closed the connection.'), { code: 'PROTOCOL_CONNECTION_LOST' });
    const [rows, fields] = await this.connectionHandle.query({ sql: statement.sql, values: statement.params, rowsAsArray: true });
    const packets = (fields ?? []) as unknown as MySqlFieldPacket[];
    return {
      names: packets.map((field) => field.name),
      rows: Array.isArray(rows) ? (rows as unknown[][]) : [],
      signature: packets.map((field) => `${field.name}:${field.columnType ?? field.type}:${flagsOf(field)}:${field.decimals ?? ''}:${field.columnLength ?? ''}`).join('|'),
      fields: packets,
    };
  }

  protected columnsFromCatalog(result: RawResult): ColumnInfo[] {
    return result.rows.map((row) => this.typeMap.column(describeMySqlCatalogRow(row)));
  }

  protected columnsFromResult(result: RawResult): ColumnInfo[] {
    const packets = (result.fields ?? []) as MySqlFieldPacket[];
    return packets.map((field) => this.typeMap.column(describeMySqlField({ ...field, flags: flagsOf(field) })));
  }

  protected listedTable(row: unknown[]): ListedTable {
    return { id: { catalog: String(row[0]), table: String(row[1]) }, type: String(row[2]).toUpperCase() === 'VIEW' ? 'VIEW' : 'TABLE' };
  }

  protected toFieldValue(raw: unknown, column: ColumnInfo): FieldValue {
    return this.values.fieldValue(raw, column);
  }

  protected toInstant(raw: unknown, column: ColumnInfo): PreciseInstant | null {
    return this.values.instant(raw, column);
  }

  protected parseNow(raw: unknown): PreciseInstant {
    return parseUtcNow(raw);
  }

  protected classifyError(error: unknown): ErrorClass {
    const code = (error as { code?: unknown }).code;
    if (typeof code === 'string') {
      if (AUTH_CODES.has(code)) return 'auth';
      if (CONNECTION_CODES.has(code)) return 'connection';
      if (MISSING_CODES.has(code)) return 'missing';
    }
    if ((error as { fatal?: unknown }).fatal === true) return 'connection';
    return 'other';
  }
}

function flagsOf(field: MySqlFieldPacket | { flags?: number | string[] }): number {
  const flags = (field as { flags?: number | string[] }).flags;
  if (typeof flags === 'number') return flags;
  if (Array.isArray(flags)) return flags.reduce((mask, name) => mask | (FLAG_BITS[name] ?? 0), 0);
  return 0;
}
