import { EngineError } from '../../../../shared/errors';

/**
 * Stable codes the sink writer and the UI branch on; never rename one, add new ones instead. None is retriable:
 * every one of them comes from the config, the schema or a record, and trying the same thing again gives the same
 * answer. (Database errors raised while executing the SQL are the writer's, not the dialect's.)
 */
export type SqlDialectErrorCode =
  | 'SINK_SQL_UNKNOWN_DIALECT'
  | 'SINK_SQL_BAD_TABLE_NAME'
  | 'SINK_SQL_BAD_IDENTIFIER'
  | 'SINK_SQL_NO_COLUMNS'
  | 'SINK_SQL_DUPLICATE_COLUMN'
  | 'SINK_SQL_NO_KEY_FIELDS'
  | 'SINK_SQL_TOO_MANY_COLUMNS'
  | 'SINK_SQL_UNSUPPORTED_TYPE'
  | 'SINK_SQL_BAD_VALUE'
  | 'SINK_SQL_BAD_TIMEZONE'
  | 'SINK_SQL_MISSING_COLUMNS'
  | 'SINK_SQL_REQUIRED_COLUMN_WITHOUT_DEFAULT'
  | 'SINK_SQL_NOT_ALTERABLE';

export function sqlDialectError(code: SqlDialectErrorCode, message: string, detail?: unknown, cause?: unknown): EngineError {
  return new EngineError(code, message, { retriable: false, detail, cause });
}
