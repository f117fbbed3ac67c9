import { EngineError } from '../../shared/errors';

export type TraceErrorCode =
  | 'TRACE_BAD_REQUEST'
  | 'TRACE_UNKNOWN_PIPELINE'
  | 'TRACE_UNKNOWN_TABLE'
  | 'TRACE_BAD_KEY'
  | 'TRACE_UNKNOWN_TOPIC'
  | 'TRACE_SOURCE_FAILED'
  | 'TRACE_KAFKA_FAILED';

const RETRIABLE: ReadonlySet<TraceErrorCode> = new Set(['TRACE_SOURCE_FAILED', 'TRACE_KAFKA_FAILED']);

export function traceError(code: TraceErrorCode, message: string, options: { cause?: unknown; detail?: unknown } = {}): EngineError {
  return new EngineError(code, message, { ...options, retriable: RETRIABLE.has(code) });
}
