import type { FieldSchema, FieldType, TableId } from '../../../model';
import type { DialectLimits, DialectOptions, SqlServerParamType, SqlStatement, TableKind, ValueOptions } from './dialect';
import { sqlDialectError } from './errors';
import { GenericSqlDialect, type StatementContext, type ValueProfile } from './generic';
import { quoteSqlServerIdentifier } from '../../../db/sqlserver/identifiers';

const MAX_PRECISION = 38;

/**
 * Microsoft SQL Server (2016+). It cannot run on our machines, so every statement shape here is pinned by golden
 * tests; keep the shapes in reference §2.3 unless a test against a real server says otherwise.
 *
 * Parameters are named `@p1..@pn` and every statement carries `types` for them: mssql would otherwise declare a null
 * as NVARCHAR, which SQL Server will not convert to VARBINARY implicitly. Decimals, dates, times and timestamps are
 * bound as NVARCHAR text that SQL Server converts exactly (tedious' Decimal goes through a JS double; its date types
 * re-interpret values in the driver's `useUTC` zone, which is `db.timezone`'s job).
 */
export class SqlServerDialect extends GenericSqlDialect {
  readonly name = 'sqlserver';
  readonly placeholderStyle = 'named';
  /**
   * 2100 parameters per request, of which sp_executesql's own @stmt and @params take two — 2098 is what is left for
   * ours. 1000 rows: the most an INSERT … VALUES list may hold (error 10738), used for MERGE and UPDATE sources too.
   */
  readonly limits: DialectLimits = { maxParameters: 2098, maxRows: 1000, maxIdentifierLength: 128, identifierLengthUnit: 'chars' };
  protected readonly nameQuotes = [
    ['[', ']'],
    ['"', '"'],
  ] as const;
  protected readonly valueProfile: ValueProfile = { int64: 'bigint', nonFiniteFloats: false, timestamp: 'iso', rejectNul: false };
  private readonly holdlock: boolean;

  constructor(options: DialectOptions = {}) {
    super({ ...options, defaultSchema: options.defaultSchema ?? 'dbo' });
    this.holdlock = options.useMergeHoldlock ?? true;
  }

  protected quoteAlways(name: string): string {
    return quoteSqlServerIdentifier(name);
  }

  protected placeholder(index: number): string {
    return `@p${index}`;
  }

  /**
   * Connect's SQL Server map (reference §2.4) with these differences:
   * - strings are NVARCHAR, not VARCHAR: Connect's varchar loses every character outside the database's code page,
   *   and mssql binds JS strings as NVARCHAR anyway, so an NVARCHAR key is also compared without a conversion
   *   (a VARCHAR key compared with an NVARCHAR parameter is converted row by row and stops being seekable).
   *   Key: nvarchar(450) = 900 bytes, the clustered index key limit Connect's varchar(900) was sized for.
   *   Value: nvarchar(max).
   * - bytes key: varbinary(900) (varbinary(max) cannot be indexed); value: varbinary(max) as Connect.
   * - int8 → smallint: SQL Server's tinyint is unsigned (0..255), so Connect's choice rejects negative values.
   * - decimal keeps the schema's precision (bounded to 38) instead of always decimal(38,s).
   * - datetime2(3) and time(3): Connect's datetime2/time default to 7 fractional digits; values carry milliseconds.
   */
  columnType(type: FieldType, isKey: boolean): string {
    switch (type.kind) {
      case 'int8':
      case 'int16':
        return 'smallint';
      case 'int32':
        return 'int';
      case 'int64':
        return 'bigint';
      case 'float32':
        return 'real';
      case 'float64':
        return 'float';
      case 'boolean':
        return 'bit';
      case 'string':
        return isKey ? 'nvarchar(450)' : 'nvarchar(max)';
      case 'bytes':
        return isKey ? 'varbinary(900)' : 'varbinary(max)';
      case 'decimal':
        return decimalType(type.precision, type.scale);
      case 'date':
        return 'date';
      case 'time':
        return 'time(3)';
      case 'timestamp':
        return 'datetime2(3)';
    }
  }

  protected override paramType(type: FieldType): SqlServerParamType {
    switch (type.kind) {
      case 'int8':
      case 'int16':
        return { type: 'SmallInt' };
      case 'int32':
        return { type: 'Int' };
      case 'int64':
        return { type: 'BigInt' };
      case 'float32':
        return { type: 'Real' };
      case 'float64':
        return { type: 'Float' };
      case 'boolean':
        return { type: 'Bit' };
      case 'bytes':
        return { type: 'VarBinary' };
      default:
        return { type: 'NVarChar' };
    }
  }

  /**
   * Adding a nullable column with a DEFAULT leaves existing rows NULL in SQL Server unless WITH VALUES is given
   * (MySQL and PostgreSQL back-fill the default); WITH VALUES makes the three behave alike.
   */
  protected override columnSpec(field: FieldSchema, isKey: boolean, values: ValueOptions | undefined, adding = false): string {
    const spec = super.columnSpec(field, isKey, values, adding);
    const nullableWithDefault = field.optional && !isKey && field.defaultValue !== undefined && field.defaultValue !== null;
    return adding && nullableWithDefault ? `${spec} WITH VALUES` : spec;
  }

  protected stringLiteral(text: string): string {
    return `N'${text.replaceAll("'", "''")}'`;
  }

  protected bytesLiteral(bytes: Buffer): string {
    return `0x${bytes.toString('hex')}`;
  }

  protected booleanLiteral(value: boolean): string {
    return value ? '1' : '0';
  }

  protected renderInsert(context: StatementContext): string {
    const fields = [...context.keyFields, ...context.valueFields];
    return `INSERT INTO ${context.table} (${this.columnList(fields)}) VALUES ${this.valuesRows(context, fields)}`;
  }

  /**
   * Reference §2.3's MERGE: `MERGE INTO t WITH (HOLDLOCK) AS target USING (…) AS incoming ON (…) WHEN MATCHED THEN
   * UPDATE SET … WHEN NOT MATCHED THEN INSERT (…) VALUES (…);` HOLDLOCK (`mssql.use.merge.holdlock`) makes the
   * match-then-insert atomic against concurrent writers; the trailing semicolon is mandatory for MERGE. One row uses
   * Connect's `SELECT @p AS col` source; many rows a VALUES table constructor. WHEN MATCHED is left out when every
   * column is a key column (there is nothing to update, and an empty SET is a syntax error).
   */
  protected renderUpsert(context: StatementContext): string {
    const fields = [...context.keyFields, ...context.valueFields];
    let source: string;
    const [first] = context.rows;
    if (context.rows.length === 1 && first) {
      source = `(SELECT ${fields.map((field) => `${context.bind(first, field)} AS ${context.column(field)}`).join(', ')}) AS incoming`;
    } else {
      source = `(VALUES ${this.valuesRows(context, fields)}) AS incoming (${this.columnList(fields)})`;
    }
    const on = context.keyFields.map((field) => `target.${context.column(field)}=incoming.${context.column(field)}`).join(' AND ');
    const matched =
      context.valueFields.length === 0
        ? ''
        : ` WHEN MATCHED THEN UPDATE SET ${context.valueFields.map((field) => `${context.column(field)}=incoming.${context.column(field)}`).join(', ')}`;
    // Connect lists the non-key columns first in the INSERT branch; kept so the statement reads the same as theirs.
    const inserted = [...context.valueFields, ...context.keyFields];
    const insert = ` WHEN NOT MATCHED THEN INSERT (${this.columnList(inserted)}) VALUES (${inserted.map((field) => `incoming.${context.column(field)}`).join(', ')})`;
    const hint = this.holdlock ? ' WITH (HOLDLOCK)' : '';
    return `MERGE INTO ${context.table}${hint} AS target USING ${source} ON (${on})${matched}${insert};`;
  }

  /** Many rows: T-SQL's `UPDATE alias SET … FROM t AS alias INNER JOIN (VALUES …) AS incoming (…) ON …`. */
  protected renderUpdate(context: StatementContext): string {
    if (context.rows.length === 1) return this.singleRowUpdate(context);
    const fields = [...context.keyFields, ...context.valueFields];
    const sets = context.valueFields.map((field) => `${context.column(field)} = incoming.${context.column(field)}`).join(', ');
    const on = context.keyFields.map((field) => `target.${context.column(field)} = incoming.${context.column(field)}`).join(' AND ');
    return (
      `UPDATE target SET ${sets} FROM ${context.table} AS target ` +
      `INNER JOIN (VALUES ${this.valuesRows(context, fields)}) AS incoming (${this.columnList(fields)}) ON ${on}`
    );
  }

  /** T-SQL has no row-value IN: composite keys become an OR of per-row matches. */
  protected renderDelete(context: StatementContext): string {
    return this.deleteByKeys(context);
  }

  /** T-SQL's ADD takes a comma-separated list without repeating ADD (reference §2.5). */
  protected renderAddColumns(table: string, specs: readonly string[]): string {
    return `ALTER TABLE ${table} ADD ${specs.join(', ')}`;
  }

  /**
   * From the sys catalog views of the table's database (a three-part name's catalog, else the current one); the type
   * is printed the way it is declared (nvarchar(450), decimal(10,2), datetime2(3)), with nchar/nvarchar lengths in
   * characters (sys.columns counts bytes).
   */
  describeTableQuery(table: TableId): SqlStatement {
    const db = table.catalog === undefined || table.catalog === '' ? '' : `${this.quoteAlways(table.catalog)}.`;
    const sql = [
      'SELECT c.name AS column_name,',
      '  CASE',
      "    WHEN ty.name IN ('varchar', 'char', 'varbinary', 'binary') THEN ty.name + '(' + CASE WHEN c.max_length = -1 THEN 'max' ELSE CAST(c.max_length AS varchar(10)) END + ')'",
      "    WHEN ty.name IN ('nvarchar', 'nchar') THEN ty.name + '(' + CASE WHEN c.max_length = -1 THEN 'max' ELSE CAST(c.max_length / 2 AS varchar(10)) END + ')'",
      "    WHEN ty.name IN ('decimal', 'numeric') THEN ty.name + '(' + CAST(c.precision AS varchar(10)) + ',' + CAST(c.scale AS varchar(10)) + ')'",
      "    WHEN ty.name IN ('datetime2', 'time', 'datetimeoffset') THEN ty.name + '(' + CAST(c.scale AS varchar(10)) + ')'",
      '    ELSE ty.name',
      '  END AS data_type,',
      '  ty.name AS base_type, c.is_nullable AS is_nullable,',
      '  CAST(CASE WHEN ic.column_id IS NULL THEN 0 ELSE 1 END AS bit) AS is_key, RTRIM(o.type) AS table_type',
      `FROM ${db}sys.objects o`,
      `JOIN ${db}sys.schemas s ON s.schema_id = o.schema_id`,
      `JOIN ${db}sys.columns c ON c.object_id = o.object_id`,
      `JOIN ${db}sys.types ty ON ty.user_type_id = c.user_type_id`,
      `LEFT JOIN ${db}sys.indexes i ON i.object_id = o.object_id AND i.is_primary_key = 1`,
      `LEFT JOIN ${db}sys.index_columns ic ON ic.object_id = i.object_id AND ic.index_id = i.index_id AND ic.column_id = c.column_id`,
      "WHERE s.name = COALESCE(@p1, SCHEMA_NAME()) AND o.name = @p2 AND o.type IN ('U', 'V')",
      'ORDER BY c.column_id',
    ].join('\n');
    return { sql, params: [table.schema ?? null, table.table], types: [{ type: 'NVarChar' }, { type: 'NVarChar' }] };
  }

  protected tableKind(raw: string): TableKind {
    if (raw === 'U') return 'TABLE';
    if (raw === 'V') return 'VIEW';
    return 'OTHER';
  }
}

function decimalType(precision: number, scale: number): string {
  if (!Number.isInteger(scale) || scale < 0 || scale > MAX_PRECISION) {
    throw sqlDialectError(
      'SINK_SQL_UNSUPPORTED_TYPE',
      `SQL Server decimals hold at most ${MAX_PRECISION} digits; a field with scale ${scale} cannot be stored without rounding. Create the column yourself (e.g. as nvarchar) and turn auto.create off.`,
      { precision, scale },
    );
  }
  const bounded = Number.isInteger(precision) && precision >= 1 ? Math.min(Math.max(precision, scale), MAX_PRECISION) : MAX_PRECISION;
  return `decimal(${bounded},${scale})`;
}
