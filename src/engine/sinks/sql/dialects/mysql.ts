import type { FieldSchema, FieldType, TableId } from '../../../model';
import type { DialectLimits, DialectOptions, SqlStatement, TableKind } from './dialect';
import { sqlDialectError } from './errors';
import { GenericSqlDialect, type StatementContext, type ValueProfile } from './generic';
import { quoteMySqlIdentifier } from '../../../db/mysql/identifiers';

/** MySQL's DECIMAL limits: 65 digits, 30 of them after the point. */
const MAX_PRECISION = 65;
const MAX_SCALE = 30;

/**
 * MySQL and MariaDB (one dialect, as Connect's MySqlDatabaseDialect: the SQL used here is the subset both accept).
 *
 * Upsert uses `ON DUPLICATE KEY UPDATE c = VALUES(c)`, not MySQL 8.0.19+'s row-alias form (`… AS new ON DUPLICATE KEY
 * UPDATE c = new.c`): MariaDB has no row alias, and `VALUES()` still works on MySQL 8.x and 9.x, where it only raises
 * a deprecation warning. Like Connect, it fires on any unique index, not only the primary key, and with no non-key
 * columns it sets the key columns to themselves (a no-op that keeps the statement valid).
 *
 * The writer should run these statements with mysql2's `query()` (text protocol): it renders a bigint parameter as
 * an exact integer literal, whereas the binary protocol of `execute()` would send it as text, which MySQL compares
 * with a BIGINT column as a double (wrong beyond 2^53).
 */
export class MySqlDialect extends GenericSqlDialect {
  readonly name = 'mysql';
  readonly placeholderStyle = 'question';
  /**
   * 65535: the prepared-statement placeholder limit (a 16-bit count), kept with the text protocol too so a batch
   * means the same on either. 1000 rows: beyond that, a statement only grows its parse time, not its throughput.
   */
  readonly limits: DialectLimits = { maxParameters: 65_535, maxRows: 1000, maxIdentifierLength: 64, identifierLengthUnit: 'chars' };
  protected readonly nameQuotes = [['`', '`']] as const;
  protected readonly valueProfile: ValueProfile = { int64: 'bigint', nonFiniteFloats: false, timestamp: 'space', rejectNul: false };

  constructor(options: DialectOptions = {}) {
    super(options);
  }

  protected quoteAlways(name: string): string {
    return quoteMySqlIdentifier(name);
  }

  protected placeholder(): string {
    return '?';
  }

  /** MySQL has databases, not schemas: `db.table` names the database; a third part has no meaning. */
  protected override assignNameParts(parts: string[], original: string): TableId {
    const catalog = this.options.defaultCatalog;
    if (parts.length === 1) return catalog === undefined ? { table: parts[0] as string } : { catalog, table: parts[0] as string };
    if (parts.length === 2) return { catalog: parts[0] as string, table: parts[1] as string };
    throw this.tooManyParts(original, 'database.table');
  }

  /**
   * Connect's MySQL map (reference §2.4) with three deliberate differences, each where Connect's choice fails:
   * - string key → VARCHAR(256): Connect's TEXT key makes CREATE TABLE fail (kafka-connect-jdbc #996). 256 utf8mb4
   *   characters are 1024 bytes, so up to three string key columns fit InnoDB's 3072-byte index limit.
   * - string value → LONGTEXT and bytes value → LONGBLOB: Connect's TEXT (64 KB) and VARBINARY(1024) reject or
   *   truncate values Kafka carried fine; the LONG types cost only a wider length prefix.
   * - decimal keeps the schema's precision (bounded to 65) instead of always DECIMAL(65,s).
   * Booleans are TINYINT(1) (what BOOLEAN means in MySQL, and what tools show as a boolean); timestamps are
   * DATETIME(3), zone-less like Connect's, because TIMESTAMP would re-interpret values in the session time zone and
   * stops in 2038.
   */
  columnType(type: FieldType, isKey: boolean): string {
    switch (type.kind) {
      case 'int8':
        return 'TINYINT';
      case 'int16':
        return 'SMALLINT';
      case 'int32':
        return 'INT';
      case 'int64':
        return 'BIGINT';
      case 'float32':
        return 'FLOAT';
      case 'float64':
        return 'DOUBLE';
      case 'boolean':
        return 'TINYINT(1)';
      case 'string':
        return isKey ? 'VARCHAR(256)' : 'LONGTEXT';
      case 'bytes':
        return isKey ? 'VARBINARY(1024)' : 'LONGBLOB';
      case 'decimal':
        return decimalType(type.precision, type.scale);
      case 'date':
        return 'DATE';
      case 'time':
        return 'TIME(3)';
      case 'timestamp':
        return 'DATETIME(3)';
    }
  }

  protected stringLiteral(text: string): string {
    // Backslash is an escape character under the default sql_mode (no NO_BACKSLASH_ESCAPES).
    return `'${text.replaceAll('\\', '\\\\').replaceAll("'", "''")}'`;
  }

  protected bytesLiteral(bytes: Buffer): string {
    return `X'${bytes.toString('hex')}'`;
  }

  protected booleanLiteral(value: boolean): string {
    return value ? '1' : '0';
  }

  /** MySQL 8.0.13+ takes TEXT/BLOB defaults only as an expression in parentheses (MariaDB 10.2+ accepts both). */
  protected override defaultExpression(columnType: string, literal: string): string {
    return /TEXT|BLOB/.test(columnType) ? `(${literal})` : literal;
  }

  /**
   * Decimal parameters travel as text, and MySQL/MariaDB compare a DECIMAL with text as doubles — MariaDB is exact
   * only for a single `col = 'text'` or an index seek, not for an IN list or a join with a derived table (measured
   * against the lab; the integration suite covers it). The cast keeps every comparison exact.
   */
  protected override comparable(field: FieldSchema, placeholder: string): string {
    return field.type.kind === 'decimal' ? `CAST(${placeholder} AS ${decimalType(field.type.precision, field.type.scale)})` : placeholder;
  }

  protected renderInsert(context: StatementContext): string {
    const fields = [...context.keyFields, ...context.valueFields];
    return `INSERT INTO ${context.table} (${this.columnList(fields)}) VALUES ${this.valuesRows(context, fields)}`;
  }

  protected renderUpsert(context: StatementContext): string {
    const updated = context.valueFields.length > 0 ? context.valueFields : context.keyFields;
    const assignments = updated.map((field) => `${context.column(field)} = VALUES(${context.column(field)})`).join(', ');
    return `${this.renderInsert(context)} ON DUPLICATE KEY UPDATE ${assignments}`;
  }

  /**
   * Many rows: a join with a derived table of the incoming rows. Built from `SELECT … UNION ALL SELECT …` because
   * the table value constructors differ (MySQL 8.0.19+ `VALUES ROW(…)`, MariaDB 10.3+ `VALUES (…)`).
   */
  protected renderUpdate(context: StatementContext): string {
    if (context.rows.length === 1) return this.singleRowUpdate(context);
    const fields = [...context.keyFields, ...context.valueFields];
    const keyNames = new Set(context.keyFields.map((field) => field.name));
    const selects = context.rows.map((row, index) => {
      const items = fields.map((field) => {
        const value = keyNames.has(field.name) ? this.comparable(field, context.bind(row, field)) : context.bind(row, field);
        return index === 0 ? `${value} AS ${context.column(field)}` : value;
      });
      return `SELECT ${items.join(', ')}`;
    });
    const on = context.keyFields.map((field) => `target.${context.column(field)} = incoming.${context.column(field)}`).join(' AND ');
    const sets = context.valueFields.map((field) => `target.${context.column(field)} = incoming.${context.column(field)}`).join(', ');
    return `UPDATE ${context.table} AS target INNER JOIN (${selects.join(' UNION ALL ')}) AS incoming ON ${on} SET ${sets}`;
  }

  /** Composite keys as an OR of per-row matches: both servers turn it into index range lookups. */
  protected renderDelete(context: StatementContext): string {
    return this.deleteByKeys(context);
  }

  protected renderAddColumns(table: string, specs: readonly string[]): string {
    return `ALTER TABLE ${table} ${specs.map((spec) => `ADD ${spec}`).join(', ')}`;
  }

  /**
   * Key membership from KEY_COLUMN_USAGE's PRIMARY constraint rather than COLUMNS.COLUMN_KEY, which also says PRI
   * for a NOT NULL unique index of a table without a primary key.
   */
  describeTableQuery(table: TableId): SqlStatement {
    const sql = [
      'SELECT c.COLUMN_NAME AS column_name, c.COLUMN_TYPE AS data_type, c.DATA_TYPE AS base_type, c.IS_NULLABLE AS is_nullable,',
      '  EXISTS (SELECT 1 FROM information_schema.KEY_COLUMN_USAGE k WHERE k.CONSTRAINT_NAME = \'PRIMARY\' AND k.TABLE_SCHEMA = c.TABLE_SCHEMA',
      '    AND k.TABLE_NAME = c.TABLE_NAME AND k.COLUMN_NAME = c.COLUMN_NAME) AS is_key,',
      '  t.TABLE_TYPE AS table_type',
      'FROM information_schema.COLUMNS c',
      'JOIN information_schema.TABLES t ON t.TABLE_SCHEMA = c.TABLE_SCHEMA AND t.TABLE_NAME = c.TABLE_NAME',
      'WHERE c.TABLE_SCHEMA = COALESCE(?, DATABASE()) AND c.TABLE_NAME = ?',
      'ORDER BY c.ORDINAL_POSITION',
    ].join('\n');
    return { sql, params: [table.catalog ?? null, table.table] };
  }

  protected tableKind(raw: string): TableKind {
    // MariaDB reports system-versioned tables separately; they take DML like any table.
    if (raw === 'BASE TABLE' || raw === 'SYSTEM VERSIONED') return 'TABLE';
    if (raw === 'VIEW') return 'VIEW';
    return 'OTHER';
  }
}

function decimalType(precision: number, scale: number): string {
  if (!Number.isInteger(scale) || scale < 0 || scale > MAX_SCALE) {
    throw sqlDialectError(
      'SINK_SQL_UNSUPPORTED_TYPE',
      `MySQL decimals hold at most ${MAX_SCALE} digits after the point; a field with scale ${scale} would be rounded. Create the column yourself (e.g. as text) and turn auto.create off.`,
      { precision, scale },
    );
  }
  // An unknown (0) or too small precision falls back to the widest; a wider one is bounded, so only values that really
  // need more than 65 digits fail, loudly, at insert time.
  const bounded = Number.isInteger(precision) && precision >= 1 ? Math.min(Math.max(precision, scale), MAX_PRECISION) : MAX_PRECISION;
  return `DECIMAL(${bounded},${scale})`;
}
