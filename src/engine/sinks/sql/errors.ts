import { EngineError } from '../../../shared/errors';

export type SinkErrorCode = 'SINK_TABLE_MISSING' | 'SINK_BAD_RECORD' | 'SINK_WRITE_FAILED' | 'SINK_CONFIG_INVALID' | 'SINK_STOPPED';

export function sinkError(code: SinkErrorCode, message: string, options: { retriable?: boolean; cause?: unknown; detail?: unknown } = {}): EngineError {
  return new EngineError(code, message, options);
}
