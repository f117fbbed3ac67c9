/**
 * The one backoff every retry in the engine uses (connections, produce, batches, replicator starts).
 *
 * Exponential with jitter: without jitter, every client that lost the same server (all sinks of a pipeline, every
 * pipeline of the app) retries at the same instants and hits it together when it comes back. Two kinds:
 * - `full`: a uniform delay in [0, min(max, initial · 2^attempt)] (AWS's "full jitter").
 * - `decorrelated`: a uniform delay in [initial, min(max, 3 · previous delay)], never below `initial` (AWS's
 *   "decorrelated jitter"): for retries where a minimum pause matters (a server that is restarting).
 * `none` keeps the plain exponential sequence, for callers whose users configured an exact pause.
 *
 * Waits are abortable: a stopping task must not sit in a 30 s pause, and the abort listener added for a wait is
 * removed when the wait ends, so a loop retrying many times on one long-lived signal does not pile up listeners
 * (Node warns `MaxListenersExceededWarning` after 10).
 */

export type Jitter = 'full' | 'decorrelated' | 'none';

export interface BackoffPolicy {
  /** First delay (`none`, `decorrelated`: the floor) in milliseconds. */
  initialMs: number;
  /** No delay is longer than this. */
  maxMs: number;
  /** Growth per attempt for `full` and `none`; default 2. */
  multiplier?: number;
  /** Default `full`. */
  jitter?: Jitter;
}

/** A random number in [0, 1), as Math.random; injectable so tests can check the bounds of each kind. */
export type RandomSource = () => number;

function checkPolicy(policy: BackoffPolicy): void {
  if (!Number.isFinite(policy.initialMs) || policy.initialMs < 0) throw new RangeError(`Backoff initialMs must be a finite number ≥ 0 (got ${policy.initialMs}).`);
  if (!Number.isFinite(policy.maxMs) || policy.maxMs < policy.initialMs) throw new RangeError(`Backoff maxMs must be a finite number ≥ initialMs ${policy.initialMs} (got ${policy.maxMs}).`);
  if (policy.multiplier !== undefined && !(policy.multiplier >= 1)) throw new RangeError(`Backoff multiplier must be ≥ 1 (got ${policy.multiplier}).`);
}

/**
 * The delays of one retry loop: `next()` for each failure in a row, `reset()` after a success. Holds the previous
 * delay, which decorrelated jitter needs.
 */
export class Backoff {
  private attempts = 0;
  private previousMs: number;

  constructor(
    readonly policy: BackoffPolicy,
    private readonly random: RandomSource = Math.random,
  ) {
    checkPolicy(policy);
    this.previousMs = policy.initialMs;
  }

  /** Failures since the last reset (the number of `next()` calls). */
  get attempt(): number {
    return this.attempts;
  }

  /** The delay before the next retry. */
  next(): number {
    const { initialMs, maxMs } = this.policy;
    const multiplier = this.policy.multiplier ?? 2;
    const jitter = this.policy.jitter ?? 'full';
    // The exponent is capped so a loop retrying for days never overflows to Infinity · 0 = NaN.
    const ceiling = Math.min(maxMs, initialMs * multiplier ** Math.min(this.attempts, 64));
    this.attempts++;
    let delay: number;
    if (jitter === 'none') delay = ceiling;
    else if (jitter === 'full') delay = this.random() * ceiling;
    else {
      const upper = Math.min(maxMs, Math.max(initialMs, this.previousMs * 3));
      delay = initialMs + this.random() * (upper - initialMs);
    }
    this.previousMs = Math.round(delay);
    return this.previousMs;
  }

  reset(): void {
    this.attempts = 0;
    this.previousMs = this.policy.initialMs;
  }

  /** Waits `next()` ms; resolves false at once (without throwing) when `signal` aborts, true after a full wait. */
  wait(signal?: AbortSignal): Promise<boolean> {
    return sleep(this.next(), signal);
  }
}

/**
 * Resolves true after `ms`, or false as soon as `signal` aborts (callers decide what an abort means). The abort
 * listener lives only as long as the wait.
 */
export function sleep(ms: number, signal?: AbortSignal): Promise<boolean> {
  if (signal?.aborted) return Promise.resolve(false);
  if (ms <= 0) return Promise.resolve(true);
  return new Promise((resolve) => {
    const onAbort = (): void => {
      clearTimeout(timer);
      resolve(false);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve(true);
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
