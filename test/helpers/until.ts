/**
 * Polls `check` until it holds, failing after `deadlineMs` with what was awaited (`what` may be computed at that
 * moment, e.g. the status that explains why). The one wait loop of the integration and end-to-end tests; `everyMs`
 * is shorter where the moment matters (a kill that must land mid-stream).
 */
export async function until(check: () => Promise<boolean>, what: string | (() => string | Promise<string>), deadlineMs = 45_000, everyMs = 200): Promise<void> {
  const deadline = Date.now() + deadlineMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`gave up waiting for ${typeof what === 'string' ? what : await what()}`);
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}
