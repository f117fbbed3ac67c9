import type { ChildProcess } from 'node:child_process';
import { type EngineError, isEngineError } from '../../shared/errors';
import { labError, startFailedError } from './errors';
import { type LogOffsets, relevantLinesFrom } from './logs';

export interface WaitOptions {
  service: string;
  /** Resolves when the service answers; throws (any error) while it does not yet. */
  probe: () => Promise<void>;
  /** The process we just spawned: its exit ends the wait at once instead of after the timeout. */
  child?: ChildProcess;
  timeoutMs: number;
  /** First entry is the log named in the error; all are searched for the lines shown. */
  logFiles: readonly string[];
  /** Log sizes before the process started; errors quote only what this attempt wrote. */
  logOffsets?: LogOffsets;
  signal?: AbortSignal;
}

export function abortedError(service: string): EngineError {
  return labError('LAB_START_FAILED', `${service}: start cancelled because another lab service failed.`, {
    retriable: true,
    detail: { service, cancelled: true },
  });
}

/** A service we gave up on because a sibling failed; it is not itself a failure to report. */
export function isCancellation(error: unknown): boolean {
  // Node's own AbortError: a child process (Maven) killed through its abort signal.
  if (error instanceof Error && error.name === 'AbortError') return true;
  if (!isEngineError(error) || typeof error.detail !== 'object' || error.detail === null) return false;
  return (error.detail as { cancelled?: unknown }).cancelled === true;
}

function describeProbeError(error: unknown): string {
  if (error instanceof Error) {
    const code = (error as NodeJS.ErrnoException).code;
    return code && !error.message.includes(code) ? `${code}: ${error.message}` : error.message;
  }
  return String(error);
}

/**
 * Polls the service with a short, growing backoff until it answers. Never a fixed sleep: on a fast machine the lab
 * is ready as soon as the services are, on a loaded one it waits as long as needed up to the timeout.
 */
export async function waitUntilReady(options: WaitOptions): Promise<void> {
  const { service, probe, child, timeoutMs, logFiles, logOffsets, signal } = options;
  const logFile = logFiles[0] ?? '';
  let exited: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  const exitFailure = (): EngineError | undefined => {
    if (!exited) return undefined;
    const how = exited.signal ? `signal ${exited.signal}` : `exit code ${exited.code ?? 'unknown'}`;
    return startFailedError(service, `the process exited during start-up (${how})`, logFile, relevantLinesFrom(logFiles, logOffsets));
  };
  let wake: (() => void) | undefined;
  const onExit = (code: number | null, sig: NodeJS.Signals | null): void => {
    exited = { code, signal: sig };
    wake?.();
  };
  const onAbort = (): void => wake?.();
  if (child) {
    if (child.exitCode !== null || child.signalCode !== null) exited = { code: child.exitCode, signal: child.signalCode };
    else child.once('exit', onExit);
  }
  signal?.addEventListener('abort', onAbort);
  const deadline = Date.now() + timeoutMs;
  let backoff = 50;
  let lastError: unknown;
  try {
    for (;;) {
      if (signal?.aborted) throw abortedError(service);
      const early = exitFailure();
      if (early) throw early;
      try {
        await probe();
        return;
      } catch (error) {
        lastError = error;
      }
      if (Date.now() >= deadline) break;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.min(backoff, Math.max(0, deadline - Date.now())));
        wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      wake = undefined;
      // Capped low: a refused connection costs microseconds, and every 100 ms of lag is start-up time users wait.
      backoff = Math.min(backoff * 1.5, 250);
    }
    const early = exitFailure();
    if (early) throw early;
    throw startFailedError(
      service,
      `it was not ready after ${Math.round(timeoutMs / 1000)} s (last check: ${describeProbeError(lastError)})`,
      logFile,
      relevantLinesFrom(logFiles, logOffsets),
    );
  } finally {
    child?.removeListener('exit', onExit);
    signal?.removeEventListener('abort', onAbort);
  }
}
