import { EngineError } from '../../shared/errors';

export type VerifyErrorCode =
  | 'VERIFY_BAD_REQUEST'
  | 'VERIFY_BAD_URL'
  | 'VERIFY_TABLE_MISSING'
  | 'VERIFY_COLUMN_MISSING'
  | 'VERIFY_NO_KEY'
  | 'VERIFY_CONNECT_FAILED'
  | 'VERIFY_QUERY_FAILED'
  | 'VERIFY_CANCELLED';

const RETRIABLE: ReadonlySet<VerifyErrorCode> = new Set(['VERIFY_CONNECT_FAILED', 'VERIFY_QUERY_FAILED']);

export function verifyError(code: VerifyErrorCode, message: string, options: { cause?: unknown; detail?: unknown } = {}): EngineError {
  return new EngineError(code, message, { ...options, retriable: RETRIABLE.has(code) });
}
