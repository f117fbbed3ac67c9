import { EngineError } from '../../shared/errors';

export type PipelineErrorCode = 'PIPELINE_INVALID' | 'PIPELINE_CONVERTER' | 'PIPELINE_CONNECTOR_FAILED' | 'PIPELINE_UNSUPPORTED' | 'PIPELINE_UNKNOWN_CONNECTOR' | 'PIPELINE_FILE_UNKNOWN';

export function pipelineError(code: PipelineErrorCode, message: string, options: { retriable?: boolean; cause?: unknown; detail?: unknown } = {}): EngineError {
  return new EngineError(code, message, options);
}
