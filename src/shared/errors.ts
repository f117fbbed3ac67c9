/**
 * The one error shape that crosses the API. `code` is stable and machine-readable, `message` is written for the
 * user (what failed and what to do), `retriable` tells callers whether trying again can help.
 */
export interface WireError {
  name: string;
  code: string;
  message: string;
  retriable: boolean;
  detail?: unknown;
}

export class EngineError extends Error {
  readonly code: string;
  readonly retriable: boolean;
  readonly detail?: unknown;

  constructor(code: string, message: string, options: { retriable?: boolean; detail?: unknown; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'EngineError';
    this.code = code;
    this.retriable = options.retriable ?? false;
    this.detail = options.detail;
  }
}

export function isEngineError(value: unknown): value is EngineError {
  return value instanceof EngineError;
}

export function toWireError(error: unknown): WireError {
  if (error instanceof EngineError) {
    return { name: error.name, code: error.code, message: error.message, retriable: error.retriable, detail: error.detail };
  }
  if (error instanceof Error) {
    return { name: error.name, code: 'INTERNAL', message: error.message, retriable: false };
  }
  return { name: 'Error', code: 'INTERNAL', message: String(error), retriable: false };
}

export function fromWireError(wire: WireError): EngineError {
  const error = new EngineError(wire.code, wire.message, { retriable: wire.retriable, detail: wire.detail });
  error.name = wire.name;
  return error;
}

export function isWireError(value: unknown): value is WireError {
  if (typeof value !== 'object' || value === null) return false;
  const candidate = value as Record<string, unknown>;
  return typeof candidate.code === 'string' && typeof candidate.message === 'string';
}
