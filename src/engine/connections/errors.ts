import { EngineError } from '../../shared/errors';

/** Stable codes of a connection test's failed step; the UI and scripts branch on them. Never rename one. */
export type ConnectionErrorCode =
  /** The profile itself is incomplete (no secret stored, malformed field). */
  | 'CONNECTION_SETTINGS'
  /** The host name does not resolve. */
  | 'CONNECTION_DNS'
  /** The host answered that nothing listens on the port. */
  | 'CONNECTION_TCP_REFUSED'
  /** No answer at all before the timeout (firewall dropping packets, wrong address). */
  | 'CONNECTION_TCP_TIMEOUT'
  /** No route to the host or network. */
  | 'CONNECTION_TCP_UNREACHABLE'
  /** The TLS handshake failed: certificate not trusted or expired, name mismatch, or no TLS on that port. */
  | 'CONNECTION_TLS'
  /** The server refused the credentials. */
  | 'CONNECTION_AUTH'
  /** The login needs the profile's password, which this process does not hold (not kept across a restart). */
  | 'CONNECTION_SECRET_MISSING'
  /** Logged in, but a permission the workload needs is missing. */
  | 'CONNECTION_PRIVILEGE'
  /** The named database or table does not exist. */
  | 'CONNECTION_NOT_FOUND'
  /** The server answered in an unexpected way (not Kafka, not a registry, another protocol on that port). */
  | 'CONNECTION_PROTOCOL'
  | 'CONNECTION_FAILED';

export function connectionError(code: ConnectionErrorCode, message: string, options: { hint?: string; retriable?: boolean; cause?: unknown } = {}): EngineError {
  return new EngineError(code, message, { retriable: options.retriable ?? false, cause: options.cause, ...(options.hint ? { detail: { hint: options.hint } } : {}) });
}

/** The hint an error from `connectionError` carries, if any. */
export function hintOf(error: EngineError): string | undefined {
  const detail = error.detail as { hint?: unknown } | undefined;
  return typeof detail?.hint === 'string' ? detail.hint : undefined;
}
