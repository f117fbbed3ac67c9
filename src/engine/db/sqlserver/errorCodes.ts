import type { SqlFailureKind } from '../sqlFailureKind';

/** SQL Server error numbers (tedious `RequestError.number`). */
export const SQLSERVER_NUMBER: ReadonlyMap<number, SqlFailureKind> = new Map<number, SqlFailureKind>([
  [1205, 'transient'], // chosen as deadlock victim
  [1222, 'transient'], // lock request timeout
  [40501, 'transient'], // Azure SQL: service busy
  [40613, 'transient'], // Azure SQL: database unavailable
  [49918, 'transient'],
  [547, 'record'], // constraint conflict (CHECK, FOREIGN KEY)
  [2601, 'record'], // duplicate key (unique index)
  [2627, 'record'], // duplicate key (constraint)
  [515, 'record'], // cannot insert NULL
  [8152, 'record'], // string or binary data would be truncated
  [2628, 'record'],
  [220, 'record'], // arithmetic overflow
  [232, 'record'],
  [8115, 'record'],
  [241, 'record'], // conversion failed (date/time)
  [242, 'record'],
  [245, 'record'], // conversion failed (to int)
  [8114, 'record'], // error converting data type
  [207, 'configuration'], // invalid column name
  [208, 'configuration'], // invalid object name
  [102, 'configuration'], // syntax error
  [229, 'configuration'], // permission denied
  [262, 'configuration'], // CREATE permission denied
  [2714, 'configuration'], // object already exists
  [1919, 'configuration'], // column type invalid for a key
  [206, 'configuration'], // operand type clash (a type the column never takes)
  [257, 'configuration'], // implicit conversion not allowed
  [260, 'configuration'],
  [529, 'configuration'],
]);

/** SQL Server numbers for a value the column's type cannot hold. */
export const SQLSERVER_VALUE_NUMBER: ReadonlySet<number> = new Set([220, 232, 8115, 241, 242, 245, 8114, 8152, 2628]);
