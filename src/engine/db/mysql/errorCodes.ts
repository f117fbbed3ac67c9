import type { SqlFailureKind } from '../sqlFailureKind';

/** MySQL/MariaDB error numbers whose SQLSTATE (often the catch-all HY000) does not tell the kind. */
export const MYSQL_ERRNO: ReadonlyMap<number, SqlFailureKind> = new Map<number, SqlFailureKind>([
  [1205, 'transient'], // lock wait timeout exceeded
  [1213, 'transient'], // deadlock found
  [1040, 'connection'], // too many connections
  [2006, 'connection'], // server has gone away
  [2013, 'connection'], // lost connection during query
  [3024, 'transient'], // max_execution_time exceeded
  [1969, 'transient'], // MariaDB max_statement_time exceeded
  [3819, 'record'], // MySQL: check constraint violated
  [4025, 'record'], // MariaDB: CONSTRAINT failed
  [1048, 'record'], // column cannot be null
  [1062, 'record'], // duplicate entry
  [1216, 'record'], // foreign key: no parent row
  [1217, 'record'], // foreign key: row is referenced
  [1451, 'record'],
  [1452, 'record'],
  [1264, 'record'], // out of range value
  [1265, 'record'], // data truncated
  [1292, 'record'], // incorrect date/datetime value
  [1366, 'record'], // incorrect integer/string value
  [1406, 'record'], // data too long
  [1411, 'record'], // incorrect value for function
  [1054, 'configuration'], // unknown column
  [1146, 'configuration'], // table does not exist
  [1142, 'configuration'], // command denied on table
  [1044, 'configuration'], // access denied to database
  [1049, 'configuration'], // unknown database
  [1064, 'configuration'], // syntax error
  [1050, 'configuration'], // table already exists (a CREATE that raced or a view of that name)
  [1059, 'configuration'], // identifier too long
  [1074, 'configuration'], // column length too big
  [1118, 'configuration'], // row size too large
  [1170, 'configuration'], // BLOB/TEXT column used in key without length
]);

/** MySQL/MariaDB errnos for a value the column's type cannot hold. */
export const MYSQL_VALUE_ERRNO: ReadonlySet<number> = new Set([1264, 1265, 1292, 1366, 1406, 1411]);
