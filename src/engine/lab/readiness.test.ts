import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EngineError } from '../../shared/errors';
import { isCancellation, waitUntilReady } from './readiness';

/** The EngineError a promise rejects with; fails the test if it resolves or rejects with something else. */
async function failure(promise: Promise<unknown>): Promise<EngineError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof EngineError) return error;
    throw error;
  }
  throw new Error('expected the call to fail');
}


let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'ferry-ready-test-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('waitUntilReady', () => {
  it('polls until the probe answers', async () => {
    let calls = 0;
    await waitUntilReady({
      service: 'svc',
      timeoutMs: 5_000,
      logFiles: [],
      probe: async () => {
        calls++;
        if (calls < 4) throw new Error('not yet');
      },
    });
    expect(calls).toBe(4);
  });

  it('times out with LAB_START_FAILED naming the log, the last probe error and the log excerpt', async () => {
    const log = join(dir, 'server.log');
    writeFileSync(log, 'INFO fine\nERROR Disk full\n');
    const error = await failure(
      waitUntilReady({
        service: 'kafka-a',
        timeoutMs: 200,
        logFiles: [log],
        probe: () => Promise.reject(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:19092'), { code: 'ECONNREFUSED' })),
      }),
    );
    expect(error.code).toBe('LAB_START_FAILED');
    expect(error.message).toContain(log);
    expect(error.message).toContain('ECONNREFUSED');
    expect(error.message).toContain('ERROR Disk full');
  });

  it('reports an early exit at once instead of waiting for the timeout', async () => {
    const log = join(dir, 'server.log');
    writeFileSync(log, 'ERROR Exiting Kafka due to fatal exception\n');
    const child = spawn(process.execPath, ['-e', 'process.exit(3)'], { stdio: 'ignore' });
    const started = Date.now();
    const error = await failure(
      waitUntilReady({ service: 'kafka-a', child, timeoutMs: 30_000, logFiles: [log], probe: () => Promise.reject(new Error('no')) }),
    );
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(error.message).toContain('exit code 3');
    expect(error.message).toContain('Exiting Kafka due to fatal exception');
  });

  it('stops waiting when a sibling failed and says it was cancelled', async () => {
    const abort = new AbortController();
    setTimeout(() => abort.abort(), 50);
    const error = await waitUntilReady({ service: 'svc', timeoutMs: 30_000, logFiles: [], signal: abort.signal, probe: () => Promise.reject(new Error('no')) }).catch(
      (e: unknown) => e,
    );
    expect(isCancellation(error)).toBe(true);
  });
});
