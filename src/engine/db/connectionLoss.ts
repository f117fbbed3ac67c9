import { describeTarget, type SqlConnectionSettings } from './session';

/** How a long-lived session is opened beyond its connection settings, and what it tells its owner. */
export interface SqlSessionOptions {
  /**
   * How the session names itself to the server where the protocol allows it (PostgreSQL's application_name, SQL
   * Server's app name), so a DBA sees which connector a backend belongs to (pg_stat_activity).
   */
  applicationName?: string;
  /**
   * The server dropped the connection (restart, pg_terminate_backend, KILL CONNECTION, a network cut) while the
   * session was open. The session is unusable from then on: every call fails with a connection error; reopen.
   */
  onConnectionLost?: (error: Error) => void;
}

/**
 * The error every call of a session whose connection was dropped fails with: a connection failure by its code (the
 * driver's, e.g. 57P01 or PROTOCOL_CONNECTION_LOST, kept from the cause, and `detail.connection`), so callers retry
 * rather than blame a record.
 */
export function connectionLostError(settings: SqlConnectionSettings, cause: Error): Error {
  const code = (cause as { code?: unknown }).code;
  return Object.assign(new Error(`The connection to ${describeTarget(settings)} was closed by the server: ${cause.message || 'no reason given'}.`, { cause }), {
    code: typeof code === 'string' && code !== '' ? code : 'ECONNRESET',
    detail: { connection: true },
  });
}

/**
 * Keeps the first connection error of a driver client. Drivers emit it as an 'error' event when the server drops a
 * connection (an idle one in particular), and an 'error' event nobody listens to ends the whole process.
 */
export class ConnectionLoss {
  private lost: Error | undefined;

  constructor(
    private readonly settings: SqlConnectionSettings,
    private readonly options: SqlSessionOptions,
  ) {}

  /** The 'error' listener to give the driver's client. */
  readonly listener = (error: unknown): void => {
    if (this.lost) return;
    this.lost = connectionLostError(this.settings, error instanceof Error ? error : new Error(String(error)));
    this.options.onConnectionLost?.(this.lost);
  };

  /** Throws the connection error once the connection is lost: a call on it would fail with a vaguer one. */
  check(): void {
    if (this.lost) throw this.lost;
  }
}
