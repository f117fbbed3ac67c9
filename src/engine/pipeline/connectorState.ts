import type { EngineError } from '../../shared/errors';
import type { ConnectorState, ConnectorStatus } from './status';

/**
 * A connector task's state, error and pause gate, the same for every source and sink: while paused, progress
 * notices (RUNNING, STARTING) do not show; failures still do. Every change is published through `onChange`.
 */
export class ConnectorLifecycle {
  private current: ConnectorState = 'STARTING';
  private failure: EngineError | undefined;
  private gate: { promise: Promise<void>; release: () => void } | undefined;

  constructor(private readonly onChange: () => void) {}

  get state(): ConnectorState {
    return this.current;
  }

  get error(): EngineError | undefined {
    return this.failure;
  }

  get paused(): boolean {
    return this.gate !== undefined;
  }

  /** FAILED or STOPPED: nothing more will run. */
  get ended(): boolean {
    return this.current === 'FAILED' || this.current === 'STOPPED';
  }

  set(state: ConnectorState, error?: EngineError): void {
    this.current = this.gate && (state === 'RUNNING' || state === 'STARTING') ? 'PAUSED' : state;
    this.failure = error;
    this.onChange();
  }

  /** Closes the gate; false when already paused or ended (nothing to do). */
  pause(): boolean {
    if (this.gate || this.ended) return false;
    let release = (): void => {};
    const promise = new Promise<void>((resolve) => (release = resolve));
    this.gate = { promise, release };
    this.set('PAUSED');
    return true;
  }

  /** Opens the gate; false when not paused. */
  resume(): boolean {
    const gate = this.gate;
    if (!gate) return false;
    this.gate = undefined;
    gate.release();
    this.set('RUNNING');
    return true;
  }

  /** Resolves at once when running, else on `resume` or `release`. */
  whilePaused(): Promise<void> {
    return this.gate?.promise ?? Promise.resolve();
  }

  /** Lets anything waiting at the gate go on (the task is stopping); the gate stays, so the task reads nothing more. */
  release(): void {
    this.gate?.release();
  }

  /** The status fields every task reports alike. */
  statusFields(): Pick<ConnectorStatus, 'state' | 'error'> {
    const error = this.failure;
    return { state: this.current, ...(error ? { error: { code: error.code, message: error.message, retriable: error.retriable } } : {}) };
  }
}
