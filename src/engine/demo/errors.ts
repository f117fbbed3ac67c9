import { EngineError } from '../../shared/errors';

export type DemoErrorCode = 'DEMO_RUNNING' | 'DEMO_NOT_RUNNING' | 'DEMO_NO_LOCAL_KAFKA' | 'DEMO_BAD_BOOTSTRAP' | 'DEMO_START_FAILED';

export function demoError(code: DemoErrorCode, message: string, options: { retriable?: boolean; cause?: unknown } = {}): EngineError {
  return new EngineError(code, message, options);
}
