import { pg } from '../../db/drivers';
import type { FieldValue } from '../../model';
import type { ColumnInfo } from '../polling/columns';
import type { ListedTable, SqlStatement } from '../polling/dialect';
import type { PreciseInstant } from '../polling/instant';
import { type ErrorClass, PollingReader, type PollingReaderInit, type RawResult, revealPassword } from '../polling/pollingReader';
import { PostgresDialect } from './postgresDialect';
import { describePostgresCatalogColumn, PostgresTypeMap } from './postgresTypeMap';
import { PostgresValueReader } from './postgresValues';

const BYTEA_OID = 17;
// pg's parser, looked up when the first bytea is read (pg loads on first use: db/drivers.ts).
let pgByteaParser: ((text: string) => Buffer) | undefined;
const byteaParser = (text: string): Buffer => (pgByteaParser ??= pg.types.getTypeParser(BYTEA_OID, 'text') as (text: string) => Buffer)(text);

/**
 * Every value arrives as PostgreSQL's own text (bytea excepted), so int8, numeric and timestamps keep all their
 * digits and the conversion to model values happens in one place. Set per client, never globally, so other pg
 * users in the process keep their parsers.
 */
export const RAW_TEXT_TYPES: pg.CustomTypesConfig = {
  getTypeParser: ((oid: number) => (oid === BYTEA_OID ? byteaParser : (text: string) => text)) as pg.CustomTypesConfig['getTypeParser'],
};

const CONNECTION_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'EPIPE', '53300', '57P01', '57P02', '57P03']);
const AUTH_CODES = new Set(['28P01', '28000', '3D000']);
const MISSING_CODES = new Set(['42P01', '42703', '3F000']);

/** Polling reader for PostgreSQL over node-postgres. */
export class PostgresPollingReader extends PollingReader {
  protected readonly dialect = new PostgresDialect();
  protected readonly productName = 'PostgreSQL';
  private readonly typeMap: PostgresTypeMap;
  private readonly values: PostgresValueReader;
  private client: pg.Client | undefined;
  private broken = false;

  constructor(init: PollingReaderInit) {
    super(init, 'sources.postgres');
    this.typeMap = new PostgresTypeMap(this.options.numericMapping);
    this.values = new PostgresValueReader(this.options.zone);
  }

  protected async openConnection(): Promise<void> {
    const tls = this.connection.tls ?? 'prefer';
    try {
      this.client = await this.connect(tls);
    } catch (error) {
      // `prefer`: TLS when the server offers it, plain otherwise (libpq's sslmode=prefer).
      if (tls !== 'prefer' || !/does not support SSL/i.test((error as Error).message ?? '')) throw error;
      this.client = await this.connect('disable');
    }
  }

  private async connect(tls: string): Promise<pg.Client> {
    let ssl: pg.ClientConfig['ssl'] = false;
    if (tls === 'verify-ca') ssl = { ca: this.connection.tlsCa, rejectUnauthorized: true, checkServerIdentity: () => undefined };
    else if (tls === 'verify-full') ssl = { ca: this.connection.tlsCa, rejectUnauthorized: true };
    else if (tls !== 'disable') ssl = { rejectUnauthorized: false };
    const client = new pg.Client({
      host: this.connection.host,
      port: this.connection.port,
      user: this.connection.user,
      password: revealPassword(this.connection.password),
      database: this.connection.database,
      ssl,
      connectionTimeoutMillis: this.connection.connectTimeoutMs ?? 15_000,
      application_name: 'ferry-source',
      types: RAW_TEXT_TYPES,
    });
    // An idle client that loses its server emits 'error'; unhandled, that would crash the process.
    client.on('error', (error) => {
      this.broken = true;
      this.log.warn('connection error', { error: error.message });
    });
    this.broken = false;
    try {
      await client.connect();
    } catch (error) {
      await client.end().catch(() => {});
      throw error;
    }
    return client;
  }

  protected async closeConnection(): Promise<void> {
    const client = this.client;
    this.client = undefined;
    if (client) await client.end().catch(() => {});
  }

  protected async execute(statement: SqlStatement): Promise<RawResult> {
    if (!this.client || this.broken) throw Object.assign(new Error('Connection terminated'), { code: 'ECONNRESET' });
    const result = await this.client.query<unknown[]>({ text: statement.sql, values: statement.params, rowMode: 'array' });
    const fields = result.fields ?? [];
    return {
      names: fields.map((field) => field.name),
      rows: result.rows,
      signature: fields.map((field) => `${field.name}:${field.dataTypeID}:${field.dataTypeModifier}`).join('|'),
      fields,
    };
  }

  protected columnsFromCatalog(result: RawResult): ColumnInfo[] {
    return result.rows.map((row) => this.typeMap.column(describePostgresCatalogColumn(row)));
  }

  protected async columnsFromResult(result: RawResult): Promise<ColumnInfo[]> {
    const fields = (result.fields ?? []) as pg.FieldDef[];
    const oids = [...new Set(fields.map((field) => field.dataTypeID))];
    const types = new Map<number, { name: string; category: string }>();
    if (oids.length > 0) {
      const lookup = await this.execute(this.dialect.typesByOid(oids));
      for (const row of lookup.rows) types.set(Number(row[0]), { name: String(row[1]), category: String(row[2]) });
    }
    return fields.map((field) => {
      const type = types.get(field.dataTypeID) ?? { name: 'text', category: 'S' };
      return this.typeMap.column({
        name: field.name,
        typeName: type.name,
        columnType: type.name,
        typeModifier: field.dataTypeModifier,
        category: type.category,
        // A query's result carries no nullability; like upstream, query mode does not validate it.
        nullable: true,
        autoIncrement: false,
      });
    });
  }

  protected listedTable(row: unknown[]): ListedTable {
    return { id: { schema: String(row[0]), table: String(row[1]) }, type: row[2] === 'VIEW' ? 'VIEW' : 'TABLE' };
  }

  protected toFieldValue(raw: unknown, column: ColumnInfo): FieldValue {
    return this.values.fieldValue(raw, column);
  }

  protected toInstant(raw: unknown, column: ColumnInfo): PreciseInstant | null {
    return this.values.instant(raw, column);
  }

  protected parseNow(raw: unknown): PreciseInstant {
    return this.values.now(raw);
  }

  protected classifyError(error: unknown): ErrorClass {
    const code = (error as { code?: unknown }).code;
    if (typeof code === 'string') {
      if (AUTH_CODES.has(code)) return 'auth';
      if (CONNECTION_CODES.has(code) || code.startsWith('08')) return 'connection';
      if (MISSING_CODES.has(code)) return 'missing';
    }
    const message = error instanceof Error ? error.message : String(error);
    if (/Connection terminated|connection error|not queryable|timeout expired|Connection refused/i.test(message)) return 'connection';
    return 'other';
  }
}
