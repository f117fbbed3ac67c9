import type { TableId } from '../../model';
import type { ColumnInfo } from './columns';
import type { PreciseInstant } from './instant';
import type { TableType } from './options';
import type { Zone } from './zone';

/** A statement and its bound parameters, in the driver's placeholder syntax. */
export interface SqlStatement {
  sql: string;
  params: SqlParam[];
}

/** Parameters travel as text (or plain numbers) and the SQL casts them, so no driver guesses a lossy type. */
export type SqlParam = string | number;

/** The pieces of a SELECT, assembled by each dialect (LIMIT vs TOP vs OFFSET/FETCH). */
export interface SelectParts {
  /** The select list, already rendered (`*`, or `*` plus dialect extras). */
  columns: string;
  /** A quoted table, or a wrapped custom query. */
  from: string;
  where?: string;
  orderBy?: readonly string[];
  limit?: number;
  offset?: number;
}

/** A table as the catalog lists it. */
export interface ListedTable {
  id: TableId;
  type: TableType;
}

/**
 * Pure SQL builders of one database. Nothing here touches a connection, so every statement has a golden-string unit
 * test; the readers only execute what these return.
 */
export interface PollingDialect {
  readonly name: 'mysql' | 'postgres' | 'sqlserver';
  /** Fraction digits the database keeps in its most precise date-time type (6, 6, 7). */
  readonly timestampFractionDigits: number;
  quoteIdentifier(name: string): string;
  quoteTable(table: TableId): string;
  /** The n-th (1-based) bind placeholder. */
  placeholder(index: number): string;
  /** `*`, plus any extra expressions the reader needs to read some types exactly (SQL Server decimals). */
  selectList(columns: readonly ColumnInfo[] | undefined): string;
  select(parts: SelectParts): string;
  /** A custom query as a FROM item, so appended criteria never collide with its own WHERE/GROUP BY. */
  wrapQuery(query: string): string;
  /** Returns no rows but the query's result columns, for query mode's metadata. */
  describeQuery(query: string): string;
  /** One row, one column `now_utc`: the database's current UTC time (never the host clock). */
  currentTimeQuery(): string;
  /** One row, one column `offset_seconds`: the server's local UTC offset now, for the db.timezone sanity check. */
  serverOffsetQuery(): string;
  listTables(types: readonly TableType[]): SqlStatement;
  describeColumns(table: TableId): SqlStatement;
  /** The bound form of a timestamp criterion, cast to the type of the timestamp columns. */
  timestampParameter(placeholder: string, timestampColumns: readonly ColumnInfo[]): string;
  /** The text bound for `instant` against those columns (`local` columns are compared in `zone`). */
  timestampValue(instant: PreciseInstant, timestampColumns: readonly ColumnInfo[], zone: Zone): string;
  /** The bound form of an incrementing criterion, cast to the column's integer type. */
  incrementingParameter(placeholder: string, column: ColumnInfo): string;
}
