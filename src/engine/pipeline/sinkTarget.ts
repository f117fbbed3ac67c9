import type { SinkConnector } from '../connectors/port';
import { EngineError } from '../../shared/errors';
import { Backoff, type BackoffPolicy, sleep } from '../base/backoff';
import type { Logger } from '../base/logger';
import type { ConnectorLifecycle } from './connectorState';
import type { ConnectorMetrics } from './metrics';

/** Looking whether a target that dropped the connection takes new ones: not sooner than 0.5 s, up to 30 s apart. */
const TARGET_PROBE_BACKOFF: BackoffPolicy = { initialMs: 500, maxMs: 30_000, jitter: 'decorrelated' };

/**
 * Whether a sink's target answers, for every plug-in alike: the login before consuming (Connect's connection
 * attempts), DEGRADED with the cause the moment the plug-in loses its target, and a probe with backoff that says
 * RUNNING again once it answers, even while no record arrives.
 */
export class SinkTargetWatch {
  /** The target answered a login at least once: a sink with nothing to apply is not "caught up" before. */
  reached = false;
  /** The target dropped or refused the connection and no write has succeeded since. */
  private lost = false;
  private probing: Promise<void> | undefined;

  constructor(
    private readonly name: string,
    private readonly sink: SinkConnector,
    private readonly lifecycle: ConnectorLifecycle,
    private readonly metrics: ConnectorMetrics,
    private readonly log: Logger,
    private readonly stopping: AbortSignal,
  ) {}

  /**
   * Logs in to the target before consuming, as Connect's JDBC sink does: up to `reach.attempts` tries, `reach.backoffMs`
   * apart, then the connector fails with the cause. Without this, a sink on an empty topic reported "caught up" (and
   * `ferry run --until-idle` exited 0) without ever connecting, so a wrong host, port or password went unnoticed.
   */
  async reach(): Promise<boolean> {
    const { attempts, backoffMs } = this.sink.reach;
    for (let attempt = 1; !this.stopping.aborted; attempt++) {
      try {
        await this.sink.probe();
        this.reached = true;
        return true;
      } catch (error) {
        if (this.stopping.aborted) return false;
        const cause = error instanceof Error ? error.message : String(error);
        if (attempt >= attempts) {
          this.lifecycle.set(
            'FAILED',
            new EngineError(
              'SINK_TARGET_UNREACHABLE',
              `Cannot connect to the target ${this.sink.target} (${attempt} attempt${attempt === 1 ? '' : 's'}, connection.attempts=${attempts}): ${cause}. Check that the database runs and the connection settings, then restart the connector.`,
              { retriable: false, cause: error },
            ),
          );
          return false;
        }
        this.metrics.errors++;
        this.lifecycle.set('DEGRADED', new EngineError('SINK_TARGET_UNAVAILABLE', `Cannot connect to the target ${this.sink.target} (attempt ${attempt} of ${attempts}): ${cause}. Trying again in ${backoffMs} ms.`, { retriable: true, cause: error }));
        if (!(await sleep(backoffMs, this.stopping))) return false;
      }
    }
    return false;
  }

  /** The target went away (a dropped session, a refused login, a failed write): DEGRADED now, and a probe looks for its return. */
  unavailable(error: unknown): void {
    if (this.stopping.aborted || this.lifecycle.state === 'FAILED') return;
    const cause = error instanceof Error ? error.message : String(error);
    const failure = new EngineError('SINK_TARGET_UNAVAILABLE', `Lost the connection to the target ${this.sink.target}: ${cause} Ferry reconnects with backoff and applies the records then; nothing is skipped.`, { retriable: true, cause: error });
    // Every failed attempt counts (as a source's do); the log says it once per outage.
    this.metrics.errors++;
    if (!this.lost) this.log.warn('sink target connection lost', { connector: this.name, error: cause });
    this.lost = true;
    this.lifecycle.set('DEGRADED', failure);
    this.probing ??= this.probe().finally(() => (this.probing = undefined));
  }

  /** A write or a probe reached the target: a DEGRADED that only the target caused is over. */
  available(): void {
    if (!this.lost) return;
    this.lost = false;
    if (this.lifecycle.state === 'DEGRADED' && this.lifecycle.error?.code === 'SINK_TARGET_UNAVAILABLE' && !this.stopping.aborted) this.lifecycle.set('RUNNING');
  }

  /**
   * An idle sink learns of a dropped connection from the driver's 'error' event and would report DEGRADED until its
   * next record: look with backoff whether the target takes connections again, and say RUNNING once it does.
   */
  private async probe(): Promise<void> {
    const backoff = new Backoff(TARGET_PROBE_BACKOFF);
    while (this.lost && !this.stopping.aborted) {
      if (!(await backoff.wait(this.stopping)) || !this.lost) return;
      try {
        await this.sink.probe();
        this.available();
      } catch (error) {
        if (this.stopping.aborted || !this.lost) return;
        const cause = error instanceof Error ? error.message : String(error);
        this.lifecycle.set('DEGRADED', new EngineError('SINK_TARGET_UNAVAILABLE', `Cannot reach the target ${this.sink.target}: ${cause} Ferry retries with backoff; nothing is skipped.`, { retriable: true, cause: error }));
      }
    }
  }
}
