import { EngineError } from '../../shared/errors';

/** Stable codes scripts and the UI can branch on; never rename one, add new ones instead. */
export type DeployErrorCode =
  /** The Connect URL is not an http(s) URL. */
  | 'DEPLOY_BAD_URL'
  /** The Connect REST API could not be reached (refused, timed out, DNS). */
  | 'DEPLOY_CONNECT_UNREACHABLE'
  /** Connect answered 401/403: the credentials are missing or wrong. */
  | 'DEPLOY_CONNECT_UNAUTHORIZED'
  /** Connect refused a request; the message carries Connect's own words. */
  | 'DEPLOY_CONNECT_REJECTED'
  /** Connect's validation found errors in a connector's config; `detail.errors` lists them per key. */
  | 'DEPLOY_INVALID'
  /** The file has nothing to deploy or export (no connectors, no replicators). */
  | 'DEPLOY_NOTHING';

export function deployError(code: DeployErrorCode, message: string, options: { retriable?: boolean; detail?: unknown; cause?: unknown } = {}): EngineError {
  return new EngineError(code, message, options);
}
