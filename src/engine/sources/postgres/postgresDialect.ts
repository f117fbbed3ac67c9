import type { TableId } from '../../model';
import type { ColumnInfo } from '../polling/columns';
import type { PollingDialect, SelectParts, SqlStatement } from '../polling/dialect';
import { limitOffsetSelect, stripStatementEnd } from '../polling/sqlText';
import { formatInZone, formatWallClock, type PreciseInstant } from '../polling/instant';
import type { TableType } from '../polling/options';
import type { Zone } from '../polling/zone';
import { quotePostgresIdentifier } from '../../db/postgres/identifiers';

/**
 * PostgreSQL. Table ids are `schema.table` (upstream drops the catalog a PostgreSQL connection cannot leave).
 * Timestamps are compared as `timestamp` for zone-less columns (wall clock in db.timezone) and as `timestamptz`
 * with an explicit +00:00 for zoned ones, so the session's TimeZone never matters.
 */
export class PostgresDialect implements PollingDialect {
  readonly name = 'postgres';
  readonly timestampFractionDigits = 6;

  quoteIdentifier(name: string): string {
    return quotePostgresIdentifier(name);
  }

  quoteTable(table: TableId): string {
    return [table.schema, table.table]
      .filter((part): part is string => part !== undefined && part !== '')
      .map((part) => this.quoteIdentifier(part))
      .join('.');
  }

  placeholder(index: number): string {
    return `$${index}`;
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
    // timestamptz: printed with its offset, so it is an exact instant whatever the session zone.
    return 'SELECT CURRENT_TIMESTAMP AS now_utc';
  }

  serverOffsetQuery(): string {
    return 'SELECT EXTRACT(TIMEZONE FROM CURRENT_TIMESTAMP)::integer AS offset_seconds';
  }

  listTables(types: readonly TableType[]): SqlStatement {
    const kinds: string[] = [];
    if (types.includes('TABLE')) kinds.push("'r'", "'p'");
    if (types.includes('VIEW')) kinds.push("'v'");
    return {
      sql:
        "SELECT n.nspname AS table_schema, c.relname AS table_name, CASE WHEN c.relkind = 'v' THEN 'VIEW' ELSE 'TABLE' END AS table_type " +
        'FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace ' +
        // Partitions are read through their partitioned parent; listing both would copy every row twice.
        `WHERE c.relkind IN (${kinds.join(', ')}) AND NOT c.relispartition ` +
        "AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname !~ '^pg_(toast|temp_)' " +
        'ORDER BY n.nspname, c.relname',
      params: [],
    };
  }

  describeColumns(table: TableId): SqlStatement {
    const schemaCondition = table.schema === undefined ? 'n.nspname = current_schema()' : 'n.nspname = $2';
    return {
      sql:
        'SELECT a.attname AS column_name, COALESCE(bt.typname, t.typname) AS type_name, format_type(a.atttypid, a.atttypmod) AS column_type, ' +
        "CASE WHEN t.typtype = 'd' THEN t.typtypmod ELSE a.atttypmod END AS type_modifier, " +
        'NOT (a.attnotnull OR t.typnotnull) AS is_nullable, ' +
        "(a.attidentity <> '' OR COALESCE(pg_get_expr(d.adbin, d.adrelid), '') LIKE 'nextval(%') AS auto_increment, " +
        'array_position(i.indkey::int2[], a.attnum) AS pk_ordinal, COALESCE(bt.typcategory, t.typcategory) AS type_category ' +
        'FROM pg_catalog.pg_attribute a ' +
        'JOIN pg_catalog.pg_class c ON c.oid = a.attrelid ' +
        'JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace ' +
        'JOIN pg_catalog.pg_type t ON t.oid = a.atttypid ' +
        "LEFT JOIN pg_catalog.pg_type bt ON t.typtype = 'd' AND bt.oid = t.typbasetype " +
        'LEFT JOIN pg_catalog.pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum ' +
        'LEFT JOIN pg_catalog.pg_index i ON i.indrelid = c.oid AND i.indisprimary ' +
        `WHERE c.relname = $1 AND ${schemaCondition} AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum`,
      params: table.schema === undefined ? [table.table] : [table.table, table.schema],
    };
  }

  /** OIDs of a query's result columns → type names, for query mode. */
  typesByOid(oids: readonly number[]): SqlStatement {
    return {
      sql: 'SELECT t.oid::int8 AS oid, COALESCE(bt.typname, t.typname) AS type_name, COALESCE(bt.typcategory, t.typcategory) AS type_category ' +
        "FROM pg_catalog.pg_type t LEFT JOIN pg_catalog.pg_type bt ON t.typtype = 'd' AND bt.oid = t.typbasetype WHERE t.oid = ANY($1::oid[])",
      params: [`{${oids.join(',')}}`],
    };
  }

  timestampParameter(placeholder: string, timestampColumns: readonly ColumnInfo[]): string {
    return zoned(timestampColumns) ? `CAST(${placeholder} AS TIMESTAMPTZ)` : `CAST(${placeholder} AS TIMESTAMP)`;
  }

  timestampValue(instant: PreciseInstant, timestampColumns: readonly ColumnInfo[], zone: Zone): string {
    if (zoned(timestampColumns)) return `${formatWallClock(instant, 0, this.timestampFractionDigits)}+00:00`;
    return formatInZone(instant, zone, this.timestampFractionDigits);
  }

  incrementingParameter(placeholder: string, column: ColumnInfo): string {
    // BIGINT (not NUMERIC) for integer columns, so the comparison stays indexable.
    return column.type.kind === 'decimal' ? `CAST(${placeholder} AS NUMERIC)` : `CAST(${placeholder} AS BIGINT)`;
  }
}

/** COALESCE over timestamp and timestamptz resolves to timestamptz, so any zoned column makes the bound zoned. */
function zoned(columns: readonly ColumnInfo[]): boolean {
  return columns.some((column) => column.temporal === 'instant');
}

