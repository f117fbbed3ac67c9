import type { TableId } from '../../model';
import type { ColumnInfo } from '../polling/columns';
import type { PollingDialect, SelectParts, SqlStatement } from '../polling/dialect';
import { rowCount, stripStatementEnd } from '../polling/sqlText';
import { formatWallClock, type PreciseInstant } from '../polling/instant';
import type { TableType } from '../polling/options';
import type { Zone } from '../polling/zone';
import { quoteSqlServerIdentifier } from '../../db/sqlserver/identifiers';

/** Result columns carrying a decimal's exact text are named with this prefix and folded back by the reader. */
export const EXACT_COLUMN_PREFIX = '__ferry_exact:';

/** Types the driver (tedious) hands over as JS numbers, losing digits; they are also selected as text. */
const EXACT_TEXT_TYPES = new Set(['decimal', 'numeric', 'money', 'smallmoney']);


/**
 * SQL Server / Azure SQL. `TOP (n)` limits the incremental queries (any version); OFFSET … FETCH pages a bulk
 * read that has no integer key (2012+). Times come from the server (SYSUTCDATETIME, datetime2 precision), never
 * from GETDATE()/CURRENT_TIMESTAMP, whose `datetime` result is rounded to 1/300 s and in the server's local zone.
 */
export class SqlServerDialect implements PollingDialect {
  readonly name = 'sqlserver';
  readonly timestampFractionDigits = 7;

  quoteIdentifier(name: string): string {
    return quoteSqlServerIdentifier(name);
  }

  quoteTable(table: TableId): string {
    return [table.catalog, table.schema ?? 'dbo', table.table]
      .filter((part): part is string => part !== undefined && part !== '')
      .map((part) => this.quoteIdentifier(part))
      .join('.');
  }

  placeholder(index: number): string {
    return `@p${index}`;
  }

  /** `*` plus, for each decimal/money column, its exact text: tedious returns those as doubles. */
  selectList(columns: readonly ColumnInfo[] | undefined): string {
    const extras = (columns ?? [])
      .filter((column) => EXACT_TEXT_TYPES.has(column.baseType))
      .map((column) => {
        const quoted = this.quoteIdentifier(column.name);
        // money's default conversion keeps 2 decimals; style 2 keeps all 4.
        const text = column.baseType === 'money' || column.baseType === 'smallmoney' ? `CONVERT(VARCHAR(64), ${quoted}, 2)` : `CAST(${quoted} AS VARCHAR(64))`;
        return `${text} AS ${this.quoteIdentifier(EXACT_COLUMN_PREFIX + column.name)}`;
      });
    return ['*', ...extras].join(', ');
  }

  select(parts: SelectParts): string {
    const where = parts.where ? ` WHERE ${parts.where}` : '';
    const order = parts.orderBy && parts.orderBy.length > 0 ? parts.orderBy.join(', ') : undefined;
    if (parts.offset !== undefined) {
      // OFFSET/FETCH requires an ORDER BY; without a key any order will do, hence (SELECT NULL).
      const fetch = parts.limit !== undefined ? ` FETCH NEXT ${rowCount(parts.limit)} ROWS ONLY` : '';
      return `SELECT ${parts.columns} FROM ${parts.from}${where} ORDER BY ${order ?? '(SELECT NULL)'} OFFSET ${rowCount(parts.offset)} ROWS${fetch}`;
    }
    const top = parts.limit !== undefined ? `TOP (${rowCount(parts.limit)}) ` : '';
    return `SELECT ${top}${parts.columns} FROM ${parts.from}${where}${order ? ` ORDER BY ${order}` : ''}`;
  }

  wrapQuery(query: string): string {
    return `(${stripStatementEnd(query)}) AS [ferry_query]`;
  }

  describeQuery(query: string): string {
    return `SELECT * FROM ${this.wrapQuery(query)} WHERE 1 = 0`;
  }

  currentTimeQuery(): string {
    return 'SELECT SYSUTCDATETIME() AS now_utc';
  }

  serverOffsetQuery(): string {
    return 'SELECT DATEPART(TZOFFSET, SYSDATETIMEOFFSET()) * 60 AS offset_seconds';
  }

  listTables(types: readonly TableType[]): SqlStatement {
    const kinds: string[] = [];
    if (types.includes('TABLE')) kinds.push("'BASE TABLE'");
    if (types.includes('VIEW')) kinds.push("'VIEW'");
    return {
      sql:
        'SELECT TABLE_CATALOG AS table_catalog, TABLE_SCHEMA AS table_schema, TABLE_NAME AS table_name, TABLE_TYPE AS table_type ' +
        `FROM INFORMATION_SCHEMA.TABLES WHERE TABLE_TYPE IN (${kinds.join(', ')}) AND TABLE_SCHEMA NOT IN ('sys', 'INFORMATION_SCHEMA') ` +
        'ORDER BY TABLE_SCHEMA, TABLE_NAME',
      params: [],
    };
  }

  describeColumns(table: TableId): SqlStatement {
    return {
      sql:
        'SELECT c.name AS column_name, TYPE_NAME(c.system_type_id) AS type_name, TYPE_NAME(c.user_type_id) AS declared_type, ' +
        'c.max_length AS max_length, c.precision AS numeric_precision, c.scale AS numeric_scale, c.is_nullable AS is_nullable, ' +
        'c.is_identity AS is_identity, ic.key_ordinal AS pk_ordinal ' +
        'FROM sys.columns c ' +
        'LEFT JOIN sys.indexes i ON i.object_id = c.object_id AND i.is_primary_key = 1 ' +
        'LEFT JOIN sys.index_columns ic ON ic.object_id = i.object_id AND ic.index_id = i.index_id AND ic.column_id = c.column_id ' +
        'WHERE c.object_id = OBJECT_ID(@p1) ORDER BY c.column_id',
      // Two-part name: OBJECT_ID resolves it in the connected database.
      params: [`${this.quoteIdentifier(table.schema ?? 'dbo')}.${this.quoteIdentifier(table.table)}`],
    };
  }

  /**
   * The bound value is cast to the columns' own type. For `datetime` that is the fix of upstream's pitfall: a
   * datetime2 parameter never equals a datetime column (1/300 s rounding), so the last row was re-read forever.
   */
  timestampParameter(placeholder: string, timestampColumns: readonly ColumnInfo[]): string {
    return `CAST(${placeholder} AS ${parameterType(timestampColumns)})`;
  }

  /** ISO 8601 with a `T`, the one literal form SET DATEFORMAT/LANGUAGE cannot reinterpret. */
  timestampValue(instant: PreciseInstant, timestampColumns: readonly ColumnInfo[], zone: Zone): string {
    const type = parameterType(timestampColumns);
    const digits = type === 'DATETIME' ? 3 : type === 'SMALLDATETIME' ? 0 : this.timestampFractionDigits;
    if (type.startsWith('DATETIMEOFFSET')) return `${formatWallClock(instant, 0, digits).replace(' ', 'T')}+00:00`;
    return formatWallClock(instant, zone.offsetSecondsAt(instant.epochSecond), digits).replace(' ', 'T');
  }

  incrementingParameter(placeholder: string, column: ColumnInfo): string {
    return column.type.kind === 'decimal' ? `CAST(${placeholder} AS DECIMAL(38,0))` : `CAST(${placeholder} AS BIGINT)`;
  }
}

function parameterType(columns: readonly ColumnInfo[]): string {
  if (columns.some((column) => column.temporal === 'instant')) return 'DATETIMEOFFSET(7)';
  const types = new Set(columns.map((column) => column.baseType));
  if (types.size === 1 && types.has('datetime')) return 'DATETIME';
  if (types.size === 1 && types.has('smalldatetime')) return 'SMALLDATETIME';
  // datetime2, date, or a mix: COALESCE resolves to the most precise type.
  return 'DATETIME2(7)';
}
