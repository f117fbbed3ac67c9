import type { TableId } from '../../model';
import type { ColumnInfo } from '../polling/columns';
import type { PollingDialect, SelectParts, SqlStatement } from '../polling/dialect';
import { limitOffsetSelect, stripStatementEnd } from '../polling/sqlText';
import { formatInZone, formatWallClock, type PreciseInstant } from '../polling/instant';
import type { TableType } from '../polling/options';
import type { Zone } from '../polling/zone';
import { quoteMySqlIdentifier } from '../../db/mysql/identifiers';

/** Removes trailing semicolons and whitespace, which are legal at the end of a statement but not in a subquery. */
/**
 * MySQL and MariaDB. The reader's session runs with time_zone '+00:00', so TIMESTAMP columns print (and compare)
 * in UTC while DATETIME columns are wall clocks in db.timezone.
 */
export class MySqlDialect implements PollingDialect {
  readonly name = 'mysql';
  readonly timestampFractionDigits = 6;

  quoteIdentifier(name: string): string {
    return quoteMySqlIdentifier(name);
  }

  quoteTable(table: TableId): string {
    return [table.catalog, table.schema, table.table]
      .filter((part): part is string => part !== undefined && part !== '')
      .map((part) => this.quoteIdentifier(part))
      .join('.');
  }

  placeholder(): string {
    return '?';
  }

  selectList(): string {
    return '*';
  }

  select(parts: SelectParts): string {
    return limitOffsetSelect(parts);
  }

  wrapQuery(query: string): string {
    return `(${stripStatementEnd(query)}) AS ferry_query`;
  }

  describeQuery(query: string): string {
    return `SELECT * FROM ${this.wrapQuery(query)} WHERE 1 = 0`;
  }

  currentTimeQuery(): string {
    return 'SELECT UTC_TIMESTAMP(6) AS now_utc';
  }

  serverOffsetQuery(): string {
    // The session zone is UTC, so NOW() cannot tell; the server's default zone is @@global.time_zone ('SYSTEM' works).
    return "SELECT TIMESTAMPDIFF(SECOND, UTC_TIMESTAMP(), CONVERT_TZ(UTC_TIMESTAMP(), '+00:00', @@global.time_zone)) AS offset_seconds";
  }

  listTables(types: readonly TableType[]): SqlStatement {
    const kinds: string[] = [];
    // MariaDB reports system-versioned tables with their own TABLE_TYPE; they are ordinary tables to read.
    if (types.includes('TABLE')) kinds.push("'BASE TABLE'", "'SYSTEM VERSIONED'");
    if (types.includes('VIEW')) kinds.push("'VIEW'");
    return {
      sql:
        'SELECT TABLE_SCHEMA AS table_catalog, TABLE_NAME AS table_name, TABLE_TYPE AS table_type FROM information_schema.TABLES ' +
        `WHERE TABLE_SCHEMA = DATABASE() AND TABLE_TYPE IN (${kinds.join(', ')}) ORDER BY TABLE_NAME`,
      params: [],
    };
  }

  describeColumns(table: TableId): SqlStatement {
    const database = table.catalog ?? table.schema;
    return {
      sql:
        'SELECT c.COLUMN_NAME AS column_name, c.DATA_TYPE AS data_type, c.COLUMN_TYPE AS column_type, c.IS_NULLABLE AS is_nullable, ' +
        'c.NUMERIC_PRECISION AS numeric_precision, c.NUMERIC_SCALE AS numeric_scale, c.DATETIME_PRECISION AS datetime_precision, ' +
        'c.EXTRA AS extra, k.ORDINAL_POSITION AS pk_ordinal ' +
        'FROM information_schema.COLUMNS c ' +
        'LEFT JOIN information_schema.KEY_COLUMN_USAGE k ON k.CONSTRAINT_NAME = \'PRIMARY\' AND k.TABLE_SCHEMA = c.TABLE_SCHEMA ' +
        'AND k.TABLE_NAME = c.TABLE_NAME AND k.COLUMN_NAME = c.COLUMN_NAME ' +
        `WHERE c.TABLE_SCHEMA = ${database === undefined ? 'DATABASE()' : '?'} AND c.TABLE_NAME = ? ORDER BY c.ORDINAL_POSITION`,
      params: database === undefined ? [table.table] : [database, table.table],
    };
  }

  timestampParameter(placeholder: string): string {
    // DATETIME(6) keeps microseconds; comparing a TIMESTAMP column with it converts the column in the UTC session.
    return `CAST(${placeholder} AS DATETIME(6))`;
  }

  timestampValue(instant: PreciseInstant, timestampColumns: readonly ColumnInfo[], zone: Zone): string {
    const local = timestampColumns.some((column) => column.temporal === 'local');
    return local ? formatInZone(instant, zone, this.timestampFractionDigits) : formatWallClock(instant, 0, this.timestampFractionDigits);
  }

  incrementingParameter(placeholder: string, column: ColumnInfo): string {
    // A string compared with an integer column is compared as a double in MySQL, which is wrong past 2^53.
    if (column.type.kind === 'decimal') return `CAST(${placeholder} AS DECIMAL(65,0))`;
    return column.unsigned ? `CAST(${placeholder} AS UNSIGNED)` : `CAST(${placeholder} AS SIGNED)`;
  }
}

