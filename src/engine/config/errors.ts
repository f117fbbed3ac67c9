import { EngineError } from '../../shared/errors';

/** Stable codes scripts and the UI can branch on; never rename one, add new ones instead. */
export type ConfigErrorCode =
  /** The pipeline file could not be read (missing, a directory, no permission). */
  | 'CONFIG_FILE_UNREADABLE'
  /** The file is not UTF-8 text; the message names the first byte that is not (offset, line, column). */
  | 'CONFIG_FILE_NOT_UTF8'
  /** The pipeline has errors; `detail.problems` lists them. */
  | 'CONFIG_INVALID';

export function configError(
  code: ConfigErrorCode,
  message: string,
  options: { retriable?: boolean; detail?: unknown; cause?: unknown } = {},
): EngineError {
  return new EngineError(code, message, options);
}
