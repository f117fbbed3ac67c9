import type { TableId } from '../../../model';

/**
 * The statements SQL Server CDC capture runs, as pure functions so every one is unit-tested (no SQL Server runs on
 * our machines). SQL Server's capture job copies each committed change of a CDC-enabled table into its change table;
 * Ferry reads them through `cdc.fn_cdc_get_all_changes_<capture instance>` between two LSNs, as Debezium's
 * SqlServerConnector does, and checkpoints the LSN of the last whole transaction Kafka acknowledged.
 */

/** `[name]` with `]` doubled: T-SQL's delimited identifier. */
export function bracket(name: string): string {
  return `[${name.replace(/]/g, ']]')}]`;
}

/** `N'text'` with `'` doubled. */
export function nstring(text: string): string {
  return `N'${text.replace(/'/g, "''")}'`;
}

/** Whether CDC is on for the connection's database. */
export const CDC_DATABASE_STATE_SQL = 'SELECT CAST(is_cdc_enabled AS int) AS enabled, DB_NAME() AS db FROM sys.databases WHERE name = DB_NAME()';

/** Base tables of the database with whether a capture instance tracks them (`is_tracked_by_cdc`). */
export const TABLES_SQL =
  'SELECT s.name AS schema_name, t.name AS table_name, CAST(t.is_tracked_by_cdc AS int) AS tracked FROM sys.tables t JOIN sys.schemas s ON s.schema_id = t.schema_id ' +
  "WHERE t.is_ms_shipped = 0 AND s.name <> 'cdc' ORDER BY s.name, t.name";

/** Each tracked table's capture instances, newest first (a table has two while its instance is being replaced). */
export const CAPTURE_INSTANCES_SQL =
  'SELECT s.name AS schema_name, t.name AS table_name, ct.capture_instance, ct.create_date FROM cdc.change_tables ct ' +
  'JOIN sys.tables t ON t.object_id = ct.source_object_id JOIN sys.schemas s ON s.schema_id = t.schema_id ORDER BY ct.create_date DESC';

/** The highest LSN the capture job has written: streaming reads up to it. */
export const MAX_LSN_SQL = 'SELECT sys.fn_cdc_get_max_lsn() AS lsn';

/** The lowest LSN still in a capture instance's change table (older changes were cleaned up). */
export function minLsnSql(captureInstance: string): string {
  return `SELECT sys.fn_cdc_get_min_lsn(${nstring(captureInstance)}) AS lsn`;
}

/**
 * What resuming from a saved LSN needs to know of one capture instance: its low endpoint (`min_lsn`: cdc.change_tables'
 * start_lsn, which the cleanup job advances, so it alone cannot tell an instance created after the LSN from one
 * cleaned up past it), when it was created (`create_date`: when sp_cdc_enable_table ran; cleanup leaves it) and when
 * the LSN committed (`lsn_time`: from cdc.lsn_time_mapping, NULL once cleanup removed that entry). No row once the
 * instance is gone.
 */
export function resumeCheckSql(captureInstance: string, lsn: Uint8Array): string {
  return (
    `SELECT sys.fn_cdc_get_min_lsn(${nstring(captureInstance)}) AS min_lsn, ct.create_date, sys.fn_cdc_map_lsn_to_time(${lsnLiteral(lsn)}) AS lsn_time ` +
    `FROM cdc.change_tables ct WHERE ct.capture_instance = ${nstring(captureInstance)}`
  );
}

/** The first change in a capture instance's change table strictly between two LSNs, if there is one. */
export function changeBetweenSql(captureInstance: string, after: Uint8Array, before: Uint8Array): string {
  return `SELECT TOP (1) __$start_lsn AS lsn FROM cdc.${bracket(`${captureInstance}_CT`)} WHERE __$start_lsn > ${lsnLiteral(after)} AND __$start_lsn < ${lsnLiteral(before)} ORDER BY __$start_lsn`;
}

/**
 * Columns of one table in order, with type facts and the primary key ordinal, in the shape SqlServerTypeMap reads:
 * name, base type, declared type, max_length, precision, scale, nullable, identity, key ordinal.
 */
export function columnsSql(table: TableId): string {
  return (
    'SELECT c.name, TYPE_NAME(c.system_type_id) AS base_type, TYPE_NAME(c.user_type_id) AS declared_type, c.max_length, c.precision, c.scale, ' +
    'CAST(c.is_nullable AS int) AS nullable, CAST(c.is_identity AS int) AS is_identity, ic.key_ordinal ' +
    'FROM sys.columns c ' +
    'LEFT JOIN sys.indexes i ON i.object_id = c.object_id AND i.is_primary_key = 1 ' +
    'LEFT JOIN sys.index_columns ic ON ic.object_id = c.object_id AND ic.index_id = i.index_id AND ic.column_id = c.column_id ' +
    `WHERE c.object_id = OBJECT_ID(${nstring(`${bracket(table.schema ?? 'dbo')}.${bracket(table.table)}`)}) ORDER BY c.column_id`
  );
}

/**
 * A column's value as text the value reader parses exactly (tedious hands decimals over as doubles and date-times as
 * millisecond Dates): ISO 8601 for date-times (style 126/127), the exact digits for numbers; binary stays binary.
 */
export function columnText(expression: string, baseType: string): string {
  switch (baseType) {
    case 'binary':
    case 'varbinary':
    case 'image':
    case 'timestamp':
    case 'rowversion':
    case 'geometry':
    case 'geography':
    case 'hierarchyid':
      return expression;
    case 'datetime':
    case 'datetime2':
    case 'smalldatetime':
    case 'date':
    case 'time':
      return `CONVERT(varchar(40), ${expression}, 126)`;
    case 'datetimeoffset':
      return `CONVERT(varchar(40), ${expression}, 127)`;
    default:
      return `CONVERT(nvarchar(max), ${expression})`;
  }
}

export interface CapturedColumn {
  name: string;
  baseType: string;
}

/**
 * Every change of one capture instance in (from, to], both LSNs bound as binary(10): updates as their old and new
 * images (`all update old`: operation 3 then 4), in commit order. `@from` is the first LSN to read (the checkpoint's
 * successor via fn_cdc_increment_lsn, or the instance's minimum).
 */
export function changesSql(captureInstance: string, columns: readonly CapturedColumn[]): string {
  const values = columns.map((column) => `${columnText(bracket(column.name), column.baseType)} AS ${bracket(column.name)}`);
  return (
    `SELECT __$start_lsn AS start_lsn, __$seqval AS seqval, __$operation AS operation, sys.fn_cdc_map_lsn_to_time(__$start_lsn) AS commit_time, ${values.join(', ')} ` +
    `FROM cdc.${bracket(`fn_cdc_get_all_changes_${captureInstance}`)}(@from, @to, N'all update old') ORDER BY __$start_lsn, __$seqval, __$operation`
  );
}

/**
 * One page of a table's rows for the snapshot, in primary-key order after `afterKey` (keyset paging): the same
 * text conversions as the change query, so a snapshot row and a streamed change read alike.
 */
export function snapshotPageSql(table: TableId, columns: readonly CapturedColumn[], keyColumns: readonly string[], pageRows: number, afterKey: boolean): string {
  const values = columns.map((column) => `${columnText(bracket(column.name), column.baseType)} AS ${bracket(column.name)}`);
  const order = keyColumns.map(bracket).join(', ');
  // (a, b) > (@k0, @k1) spelled out, as T-SQL has no row-value comparison.
  const after = keyColumns.map((_, index) => {
    const equal = keyColumns.slice(0, index).map((name, at) => `${bracket(name)} = @k${at}`);
    return `(${[...equal, `${bracket(keyColumns[index] as string)} > @k${index}`].join(' AND ')})`;
  });
  const where = afterKey && keyColumns.length > 0 ? ` WHERE ${after.join(' OR ')}` : '';
  const top = keyColumns.length > 0 ? `TOP (${pageRows}) ` : '';
  return `SELECT ${top}${values.join(', ')} FROM ${bracket(table.schema ?? 'dbo')}.${bracket(table.table)}${where}${order ? ` ORDER BY ${order}` : ''}`;
}

/** The statements that turn CDC on, for an error message a DBA can run as it is. */
export function enableCdcStatements(database: string, tables: readonly TableId[], databaseEnabled: boolean): string[] {
  const statements: string[] = [];
  if (!databaseEnabled) statements.push(`USE ${bracket(database)}; EXEC sys.sp_cdc_enable_db;`);
  for (const table of tables) {
    statements.push(`EXEC sys.sp_cdc_enable_table @source_schema = ${nstring(table.schema ?? 'dbo')}, @source_name = ${nstring(table.table)}, @role_name = NULL, @supports_net_changes = 0;`);
  }
  return statements;
}

// ------------------------------------------------------------------------------------------------ LSNs

/** An LSN as Debezium prints it (`00000027:00000758:0005`): VLF sequence, log block offset, slot, in hex. */
export function lsnToString(lsn: Uint8Array): string {
  const hex = Buffer.from(lsn).toString('hex').padStart(20, '0');
  return `${hex.slice(0, 8)}:${hex.slice(8, 16)}:${hex.slice(16, 20)}`;
}

/** An LSN as a T-SQL binary(10) literal (`0x` and 20 hex digits): bytes, never text from outside, so safe to inline. */
export function lsnLiteral(lsn: Uint8Array): string {
  return `0x${Buffer.from(lsn).toString('hex').padStart(20, '0')}`;
}

/** The 10 bytes of an LSN printed by lsnToString (colons optional), or undefined when the text is not one. */
export function lsnFromString(text: string): Buffer | undefined {
  const hex = text.replace(/:/g, '');
  return /^[0-9a-fA-F]{20}$/.test(hex) ? Buffer.from(hex, 'hex') : undefined;
}

/** LSNs compare as unsigned big-endian bytes. */
export function compareLsn(a: Uint8Array, b: Uint8Array): number {
  return Buffer.compare(Buffer.from(a), Buffer.from(b));
}

/** The next LSN (what sys.fn_cdc_increment_lsn returns): read strictly after a checkpoint without a round trip. */
export function incrementLsn(lsn: Uint8Array): Buffer {
  const next = Buffer.from(lsn);
  for (let index = next.length - 1; index >= 0; index -= 1) {
    const byte = next[index] as number;
    if (byte < 0xff) {
      next[index] = byte + 1;
      return next;
    }
    next[index] = 0;
  }
  return next;
}

/** `__$operation`: 1 delete, 2 insert, 3 an update's old image, 4 its new image. */
export type CdcOperation = 1 | 2 | 3 | 4;
