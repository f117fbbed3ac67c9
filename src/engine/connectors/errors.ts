import { EngineError } from '../../shared/errors';

export type ConnectorErrorCode = 'CONNECTOR_NO_PLUGIN' | 'SOURCE_CHANGELOG_NO_KEY' | 'SOURCE_CHANGELOG_NO_OP';

export function connectorError(code: ConnectorErrorCode, message: string, options: { retriable?: boolean; cause?: unknown; detail?: unknown } = {}): EngineError {
  return new EngineError(code, message, options);
}
