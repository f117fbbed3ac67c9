import { EngineError } from '../../../shared/errors';

export type ObjectStoreErrorCode = 'OBJECT_STORE_BAD_RECORD' | 'OBJECT_STORE_WRITE_FAILED' | 'OBJECT_STORE_CONFIG_INVALID' | 'OBJECT_STORE_CONTAINER_MISSING';

export function objectStoreError(code: ObjectStoreErrorCode, message: string, options: { retriable?: boolean; cause?: unknown } = {}): EngineError {
  return new EngineError(code, message, options);
}
