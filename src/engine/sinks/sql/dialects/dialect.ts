import type { FieldSchema, FieldType, FieldValue, Row, TableId } from '../../../model';
import type { DatabaseKind, DriverValue, SqlStatement } from '../../../db/statement';

/** The statement types are the database layer's (db/statement.ts): sessions run what dialects write. */
export type { DriverParam, DriverValue, SqlServerParamType, SqlStatement } from '../../../db/statement';

/** The databases a JDBC-style sink can write to; the registry maps each to its dialect. */
export type DialectName = DatabaseKind;

/** `quote.sql.identifiers`. Connect spells the values in either case, so both are accepted. */
export type QuoteIdentifiers = 'always' | 'never' | 'ALWAYS' | 'NEVER';

/** `date.timezone`: DATE values follow `db.timezone` (Connect's default) or are always taken in UTC. */
export type DateTimezone = 'DB_TIMEZONE' | 'UTC';

/** mysql2 `?`, pg `$1..$n`, mssql named `@p1..@pn` (param i+1 is `params[i]`). */
export type PlaceholderStyle = 'question' | 'dollar' | 'named';


export interface DialectOptions {
  /** `quote.sql.identifiers`; default `always`. */
  quoteIdentifiers?: QuoteIdentifiers;
  /**
   * Schema used when a table name has none (PostgreSQL `public`, SQL Server `dbo` by default). Applied by
   * `resolveTableId`/`parseTableName`; MySQL has no schemas and ignores it.
   */
  defaultSchema?: string;
  /** MySQL database used when a table name has none; unset means the connection's current database. */
  defaultCatalog?: string;
  /** `mssql.use.merge.holdlock` (SQL Server only); default true. */
  useMergeHoldlock?: boolean;
  /**
   * Treat string keys that differ only in case or trailing spaces as the same key when collapsing a batch. Turn on
   * for a case-insensitive target collation (the SQL Server and MySQL defaults): there a MERGE whose source holds
   * 'A' and 'a' fails. Off by default because on a case-sensitive collation it would drop a real row.
   */
  caseInsensitiveKeys?: boolean;
}

/** Per-connector settings that change how values are bound (and how DEFAULT literals are written). */
export interface ValueOptions {
  /** `db.timezone`: the zone in which zone-less target columns (DATETIME, TIMESTAMP, datetime2, TIME) are written; default UTC. */
  timezone?: string;
  /** `date.timezone`; default DB_TIMEZONE, as Connect. */
  dateTimezone?: DateTimezone;
}

/**
 * The rows of one flush for one table, all sharing one key and one value schema (the writer flushes whenever a
 * schema changes, as Connect's BufferedRecords does).
 */
export interface WriteBatch {
  table: TableId;
  /** Primary-key fields, in key order. Required by upsert, update and delete. */
  keyFields: readonly FieldSchema[];
  /** The non-key fields written (after `fields.whitelist`); never repeats a key field. Ignored by delete. */
  valueFields: readonly FieldSchema[];
  /** Each row holds its key and value fields by field name (= column name). */
  rows: readonly Row[];
  /**
   * The table as read from the catalog, when the writer has it. PostgreSQL uses the real column types to type the
   * VALUES list of a multi-row UPDATE (its parameters have no other context to infer a type from).
   */
  existing?: TableDescription;
}

/** What kind of object a name resolves to; `table.types` decides which may be written, and views are never altered. */
export type TableKind = 'TABLE' | 'PARTITIONED TABLE' | 'VIEW' | 'OTHER';

export interface ColumnDescription {
  name: string;
  /** The declared type as the database prints it, e.g. `varchar(256)`, `numeric(10,2)`, `datetime2(3)`. */
  type: string;
  /** The type without length/precision modifiers, e.g. `character varying`, `numeric`. */
  baseType: string;
  nullable: boolean;
  /** Part of the primary key. */
  isKey: boolean;
}

export interface TableDescription {
  table: TableId;
  kind: TableKind;
  /** In the table's column order. */
  columns: ColumnDescription[];
}

export interface DialectLimits {
  /** Bind parameters one statement may carry. */
  maxParameters: number;
  /** Rows one multi-row statement may carry, whatever the column count. */
  maxRows: number;
  /** Longest identifier the database keeps as is. */
  maxIdentifierLength: number;
  /** Whether `maxIdentifierLength` counts UTF-8 bytes (PostgreSQL) or characters. */
  identifierLengthUnit: 'bytes' | 'chars';
}

/**
 * Everything a JDBC-sink-compatible writer needs to know about one database, as pure functions: no connection, no
 * I/O. Statement builders validate, bind (via `toDriverValue`), and split a batch into as many statements as the
 * database's parameter limit requires; executing them (in one transaction, upserts before deletes) is the writer's.
 */
export interface SqlDialect {
  readonly name: DialectName;
  readonly placeholderStyle: PlaceholderStyle;
  readonly limits: DialectLimits;

  // --- names ---------------------------------------------------------------------------------------------------
  /** One identifier, quoted and escaped per `quote.sql.identifiers`. */
  quoteIdentifier(name: string): string;
  /** A table's qualified name for SQL, with the parts the id has. */
  tableName(table: TableId): string;
  /** Parses `table`, `schema.table`, `catalog.schema.table` (MySQL: `database.table`); quoted parts may hold dots. */
  parseTableName(name: string): TableId;
  /** `table.name.format` with every `${topic}` replaced by the topic, then parsed as a table name. */
  resolveTableId(tableNameFormat: string, topic: string): TableId;

  // --- types and DDL -------------------------------------------------------------------------------------------
  /** The column type `auto.create` / `auto.evolve` give a field. Key columns may need an indexable type. */
  columnType(type: FieldType, isKey: boolean): string;
  /** CREATE TABLE with every key field NOT NULL and a PRIMARY KEY over them (none when there are no key fields). */
  createTable(table: TableId, keyFields: readonly FieldSchema[], valueFields: readonly FieldSchema[], values?: ValueOptions): string;
  /**
   * ALTER TABLE … ADD for columns `auto.evolve` found missing. It only ever adds: it never drops, retypes, widens,
   * narrows or changes nullability of a column, and never touches the primary key. A required field without a
   * default is refused, as Connect does, because existing rows would have no value for it.
   */
  addColumns(table: TableId, fields: readonly FieldSchema[], values?: ValueOptions): string;

  // --- statements ----------------------------------------------------------------------------------------------
  /** Rows one statement may carry when each row binds `columnCount` parameters. */
  maxRowsPerStatement(columnCount: number): number;
  /** Keeps the last row of each key, at the position of that last occurrence (see collapse.ts). */
  collapseByKey(rows: readonly Row[], keyFields: readonly FieldSchema[]): Row[];
  /** `insert.mode=insert`: plain INSERT; duplicate keys fail, as in Connect. */
  buildInsert(batch: WriteBatch, values?: ValueOptions): SqlStatement[];
  /** `insert.mode=upsert`: the dialect's upsert, after collapsing duplicate keys. */
  buildUpsert(batch: WriteBatch, values?: ValueOptions): SqlStatement[];
  /** `insert.mode=update`: UPDATE of the non-key columns of existing rows; missing rows are left alone. */
  buildUpdate(batch: WriteBatch, values?: ValueOptions): SqlStatement[];
  /** Tombstones with `delete.enabled=true`: DELETE by key (only `keyFields` of each row are read). */
  buildDelete(batch: WriteBatch, values?: ValueOptions): SqlStatement[];
  /**
   * Stops building staged statements (db/session.ts CopyIn) once the target has shown it cannot take them; true when
   * they were in use until now. Dialects that never stage have no such method.
   */
  disableStaging?(): boolean;

  // --- values --------------------------------------------------------------------------------------------------
  /** The value to bind for a field value of the given type. */
  toDriverValue(value: FieldValue, type: FieldType, values?: ValueOptions): DriverValue;

  // --- metadata ------------------------------------------------------------------------------------------------
  /**
   * Reads a table's columns with the columns `column_name`, `data_type`, `base_type`, `is_nullable`, `is_key`,
   * `table_type`, one row per column in column order; no rows when the table does not exist.
   */
  describeTableQuery(table: TableId): SqlStatement;
  /** Maps the rows of `describeTableQuery` (as the driver returns them); undefined when there were none. */
  describeTable(table: TableId, rows: readonly Record<string, unknown>[]): TableDescription | undefined;
}
