import { EngineError } from '../../shared/errors';

/** Stable codes scripts and the UI can branch on; never rename one, add new ones instead. */
export type SourceErrorCode =
  /** The options handed to a reader are inconsistent (unknown mode, missing timestamp column, bad zone, …). */
  | 'SOURCE_BAD_OPTIONS'
  /** The database could not be reached (refused, DNS, timeout, lost connection). Retriable. */
  | 'SOURCE_CONNECTION_FAILED'
  /** The database refused the credentials or the database name. Not retriable: the user must fix them. */
  | 'SOURCE_AUTH_FAILED'
  /** A configured table does not exist, or the include/exclude lists select nothing. */
  | 'SOURCE_TABLE_NOT_FOUND'
  /** Two selected tables share a bare name, so they would write to one topic. */
  | 'SOURCE_DUPLICATE_TABLE_NAME'
  /** A configured incrementing or timestamp column does not exist in the table or query. */
  | 'SOURCE_COLUMN_NOT_FOUND'
  /** The incrementing/timestamp columns are unsuitable (nullable, wrong type, no auto-increment column). */
  | 'SOURCE_BAD_COLUMN'
  /** A row cannot be read as the schema says (NULL incrementing value, unparsable value). */
  | 'SOURCE_BAD_VALUE'
  /** The source query failed for a reason other than the connection. */
  | 'SOURCE_QUERY_FAILED'
  /** A saved position cannot be used (wrong shape). */
  | 'SOURCE_BAD_POSITION'
  /** The reader was used after close(). */
  | 'SOURCE_CLOSED';

export function sourceError(
  code: SourceErrorCode,
  message: string,
  options: { retriable?: boolean; detail?: unknown; cause?: unknown } = {},
): EngineError {
  return new EngineError(code, message, options);
}

/** The driver's own message, for appending to ours; never contains the password (drivers do not echo it). */
export function causeText(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}
