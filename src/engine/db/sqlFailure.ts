import { isEngineError } from '../../shared/errors';
import { MYSQL_ERRNO, MYSQL_VALUE_ERRNO } from './mysql/errorCodes';
import { kindOfSqlState } from './postgres/errorCodes';
import { SQLSERVER_NUMBER, SQLSERVER_VALUE_NUMBER } from './sqlserver/errorCodes';
import type { SqlFailureKind } from './sqlFailureKind';
import { StagingUnavailableError } from './session';

export type { SqlFailureKind } from './sqlFailureKind';

/**
 * Classification of database failures by each driver's own error codes (the tables live in db/<db>/errorCodes.ts),
 * used by the sink writer, the query pane, Verify and Trace alike.
 */

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

function kindOfLink(link: object): SqlFailureKind | undefined {
  // Nothing was applied, and the same rows in the unnest form go through (the sink writer switches to it at once).
  if (link instanceof StagingUnavailableError) return 'transient';
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
