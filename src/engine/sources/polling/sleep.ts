/** Resolves after `ms`, or early (without throwing) when `signal` aborts; callers check the signal themselves. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  if (ms <= 0 || signal?.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const done = (): void => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });
}

/** Exponential backoff: `first`, doubled per attempt, capped (attempt is 1-based). */
export function backoffDelay(first: number, attempt: number, cap = 60_000): number {
  return Math.min(cap, first * 2 ** Math.max(0, attempt - 1));
}
