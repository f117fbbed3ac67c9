import { EngineError, isEngineError } from '../../../shared/errors';

export type SinkErrorCode = 'SINK_TABLE_MISSING' | 'SINK_BAD_RECORD' | 'SINK_WRITE_FAILED' | 'SINK_CONFIG_INVALID' | 'SINK_STOPPED';

export function sinkError(code: SinkErrorCode, message: string, options: { retriable?: boolean; cause?: unknown; detail?: unknown } = {}): EngineError {
  return new EngineError(code, message, options);
}

/**
 * What a failed write says about the records, which decides what the sink does next:
 * - `connection`: the target could not be reached or dropped the session. No record is at fault: retry with backoff,
 *   never dead-letter.
 * - `transient`: the target refused for a moment (deadlock, serialization failure, lock or statement timeout, out of
 *   connections or resources): the same statement can succeed later, so retry with backoff.
 * - `record`: the target refused a value (a constraint, a value out of range, text that is not a number). Retrying
 *   the same rows cannot help; the failing records are isolated and the others applied.
 * - `configuration`: the statement itself is wrong for this target (a table or column that does not exist, a type
 *   the column can never take, no privilege, a table that cannot be created): every record would fail alike, so the
 *   connector fails with the cause instead of dead-lettering the whole stream.
 * - `unknown`: none of the above could be told; treated like `record` (isolated), as Connect unrolls a batch.
 */
export type SqlFailureKind = 'connection' | 'transient' | 'record' | 'configuration' | 'unknown';

const CONNECTION_CODES = new Set([
  // Node sockets and DNS
  'ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN', 'EPIPE',
  // mysql2 / MariaDB
  'PROTOCOL_CONNECTION_LOST', 'PROTOCOL_SEQUENCE_TIMEOUT', 'ER_ACCESS_DENIED_ERROR', 'ER_CON_COUNT_ERROR', 'ER_SERVER_SHUTDOWN',
  // PostgreSQL: admin/crash shutdown, cannot connect now, authentication
  '57P01', '57P02', '57P03', '28P01', '28000',
  // mssql / tedious
  'ELOGIN', 'ESOCKET', 'ETIMEOUT', 'ECONNCLOSED', 'EINSTLOOKUP',
]);

/** MySQL/MariaDB error numbers whose SQLSTATE (often the catch-all HY000) does not tell the kind. */
const MYSQL_ERRNO: ReadonlyMap<number, SqlFailureKind> = new Map<number, SqlFailureKind>([
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

/** SQL Server error numbers (tedious `RequestError.number`). */
const SQLSERVER_NUMBER: ReadonlyMap<number, SqlFailureKind> = new Map<number, SqlFailureKind>([
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

/** PostgreSQL and ANSI SQLSTATEs: the class (first two characters) says most. */
function kindOfSqlState(state: string): SqlFailureKind | undefined {
  if (!/^[0-9A-Z]{5}$/.test(state)) return undefined;
  if (state === '57P01' || state === '57P02' || state === '57P03') return 'connection';
  if (state === '57014') return 'transient'; // statement timeout / query canceled
  if (state === '55P03' || state === '55006') return 'transient'; // lock not available, object in use
  const cls = state.slice(0, 2);
  switch (cls) {
    case '08':
    case '28':
      return 'connection';
    case '40': // serialization failure, deadlock
    case '53': // insufficient resources: too many connections, disk full, out of memory
    case '58': // system error (I/O)
      return 'transient';
    case '22': // data exception: a value out of range, invalid text representation, too long
    case '23': // integrity constraint violation: CHECK, NOT NULL, UNIQUE, FOREIGN KEY
    case '44': // WITH CHECK OPTION violation of an updatable view
      return 'record';
    case '42': // syntax error or access rule violation: undefined table/column, datatype mismatch, privilege
    case '3F': // invalid schema name
    case '3D': // invalid catalog name
    case '0A': // feature not supported
      return 'configuration';
    default:
      return undefined;
  }
}

function kindOfLink(link: object): SqlFailureKind | undefined {
  const { code, errno, sqlState, number, detail, message } = link as { code?: unknown; errno?: unknown; sqlState?: unknown; number?: unknown; detail?: unknown; message?: unknown };
  if (typeof detail === 'object' && detail !== null && (detail as { connection?: unknown }).connection === true) return 'connection';
  if (typeof detail === 'object' && detail !== null && (detail as { everyRecord?: unknown }).everyRecord === true) return 'configuration';
  if (typeof code === 'string' && CONNECTION_CODES.has(code)) return 'connection';
  // mysql2: numeric errno plus a SQLSTATE; the errno is more precise (many errors share HY000).
  if (typeof errno === 'number' && typeof sqlState === 'string') return MYSQL_ERRNO.get(errno) ?? kindOfSqlState(sqlState);
  // mssql / tedious RequestError
  if (typeof number === 'number' && SQLSERVER_NUMBER.has(number)) return SQLSERVER_NUMBER.get(number);
  // pg: `code` is the SQLSTATE
  if (typeof code === 'string') {
    const kind = kindOfSqlState(code);
    if (kind) return kind;
  }
  if (typeof message === 'string' && /Connection terminated|connection is closed|closed state|not queryable/i.test(message)) return 'connection';
  return undefined;
}

/**
 * Classifies a failure of a write by the database's own error code (SQLSTATE, MySQL errno, SQL Server number),
 * looking through `cause` chains and AggregateErrors. An EngineError Ferry raised itself counts by its `retriable`
 * flag when nothing inside it tells more: not retriable = configuration.
 */
export function classifySqlFailure(error: unknown): SqlFailureKind {
  const seen = new Set<unknown>();
  const pending: unknown[] = [error];
  let engineFlag: SqlFailureKind | undefined;
  while (pending.length > 0) {
    const link = pending.shift();
    if (link === null || link === undefined || typeof link !== 'object' || seen.has(link)) continue;
    seen.add(link);
    const kind = kindOfLink(link);
    if (kind) return kind;
    if (engineFlag === undefined && isEngineError(link)) {
      // A value no statement can carry (SINK_SQL_BAD_VALUE: e.g. a NUL character for PostgreSQL) is the record's fault.
      if (link.code === 'SINK_BAD_RECORD' || link.code === 'SINK_SQL_BAD_VALUE') engineFlag = 'record';
      else if (!link.retriable) engineFlag = 'configuration';
    }
    pending.push((link as { cause?: unknown }).cause, (link as { originalError?: unknown }).originalError);
    if (link instanceof AggregateError) pending.push(...(link.errors as unknown[]));
  }
  return engineFlag ?? 'unknown';
}

const MYSQL_VALUE_ERRNO = new Set([1264, 1265, 1292, 1366, 1406, 1411]);
const SQLSERVER_VALUE_NUMBER = new Set([220, 232, 8115, 241, 242, 245, 8114, 8152, 2628]);

/**
 * Whether the failure is a value the column's type cannot hold (PostgreSQL SQLSTATE class 22, the matching MySQL
 * errnos and SQL Server numbers); constraint violations are not. When every record of a batch fails so, the column's
 * type refuses the field for all of them (the exact code varies with the value: an int into a DATE column gives
 * 22007 for "5" and 22008 for "40"): a configuration error, not a batch of bad rows.
 */
export function isValueError(error: unknown): boolean {
  const seen = new Set<unknown>();
  const pending: unknown[] = [error];
  while (pending.length > 0) {
    const link = pending.shift();
    if (link === null || link === undefined || typeof link !== 'object' || seen.has(link)) continue;
    seen.add(link);
    const { code, errno, sqlState, number } = link as { code?: unknown; errno?: unknown; sqlState?: unknown; number?: unknown };
    if (typeof errno === 'number' && typeof sqlState === 'string') return MYSQL_VALUE_ERRNO.has(errno) || sqlState.startsWith('22');
    if (typeof number === 'number') return SQLSERVER_VALUE_NUMBER.has(number);
    if (typeof code === 'string' && /^22[0-9A-Z]{3}$/.test(code)) return true;
    pending.push((link as { cause?: unknown }).cause, (link as { originalError?: unknown }).originalError);
  }
  return false;
}

/**
 * The target could not be reached, refused the login or dropped the connection: no record is at fault, so such a
 * failure must never send records to the dead letter queue (with errors.tolerance=all an unreachable target, e.g. a
 * wrong port, used to dead-letter the whole stream while the pipeline reported itself idle).
 */
export function isConnectionFailure(error: unknown): boolean {
  return classifySqlFailure(error) === 'connection';
}
