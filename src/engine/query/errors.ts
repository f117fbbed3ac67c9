import { EngineError } from '../../shared/errors';

export type QueryErrorCode =
  | 'QUERY_BAD_REQUEST'
  | 'QUERY_UNKNOWN_DATABASE'
  | 'QUERY_WRITE_REFUSED'
  | 'QUERY_MULTIPLE_STATEMENTS'
  | 'QUERY_CONNECT_FAILED'
  | 'QUERY_CANCELLED'
  | 'QUERY_TIMEOUT'
  | 'QUERY_FAILED';

const RETRIABLE: ReadonlySet<QueryErrorCode> = new Set(['QUERY_CONNECT_FAILED']);

export function queryError(code: QueryErrorCode, message: string, options: { cause?: unknown; detail?: unknown } = {}): EngineError {
  return new EngineError(code, message, { ...options, retriable: RETRIABLE.has(code) });
}
