import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { acquireLock, emptyState, parseState, processStartTicks, readState, writeFileAtomic, writeState } from './state';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'ferry-state-test-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** A pid that certainly belonged to a process that has exited. */
function deadPid(): number {
  const result = spawnSync(process.execPath, ['-e', '0']);
  return result.pid ?? 999_999;
}

describe('state file', () => {
  it('round-trips and is private (0600) because it holds passwords', () => {
    const file = join(dir, 'lab.json');
    const state = emptyState();
    state.passwords.mariadb = 'secret';
    state.clusterIds['kafka-a'] = 'abcdefghijklmnopqrstuv';
    state.services.mariadb = { pid: 42, ports: [13306], fingerprint: 'f', startedAt: 't', readyAt: 'r' };
    writeState(file, state);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readState(file)).toEqual(state);
  });

  it('replaces the file atomically and leaves no temp files behind', () => {
    const file = join(dir, 'lab.json');
    writeFileAtomic(file, 'one');
    writeFileAtomic(file, 'two');
    expect(readFileSync(file, 'utf8')).toBe('two');
    expect(readdirSync(dir)).toEqual(['lab.json']);
  });

  it('treats a missing file as a fresh lab', () => {
    expect(readState(join(dir, 'missing.json'))).toEqual(emptyState());
  });

  it('keeps the well-formed parts of a damaged file, so down can still find pids', () => {
    const state = parseState(
      JSON.stringify({
        passwords: { mariadb: 'pw', postgres: 7 },
        services: { mariadb: { pid: 12, ports: [1] }, postgres: { pid: 'x' }, 'kafka-z': { pid: 3, ports: [] } },
        ports: { mariadb: 1 },
      }),
    );
    expect(state.passwords).toEqual({ mariadb: 'pw' });
    expect(Object.keys(state.services)).toEqual(['mariadb']);
    expect(state.ports).toBeUndefined();
  });

  it('reports a file that is not JSON as LAB_STATE_CORRUPT and leaves it in place', () => {
    const file = join(dir, 'lab.json');
    writeFileSync(file, '{ not json');
    expect(() => readState(file)).toThrow(expect.objectContaining({ code: 'LAB_STATE_CORRUPT' }));
    expect(readFileSync(file, 'utf8')).toBe('{ not json');
  });
});

describe('lock file', () => {
  it('is exclusive until released', async () => {
    const lock = join(dir, 'lab.lock');
    const release = await acquireLock(lock);
    let second = false;
    const pending = acquireLock(lock, { pollMs: 20 }).then((r) => {
      second = true;
      return r;
    });
    await new Promise((r) => setTimeout(r, 150));
    expect(second).toBe(false);
    release();
    const releaseSecond = await pending;
    expect(second).toBe(true);
    releaseSecond();
    expect(readdirSync(dir)).toEqual([]);
  });

  it('takes over a lock whose holder has exited', async () => {
    const lock = join(dir, 'lab.lock');
    writeFileSync(lock, JSON.stringify({ pid: deadPid(), token: 'old', since: '' }));
    const release = await acquireLock(lock, { timeoutMs: 2_000 });
    expect(JSON.parse(readFileSync(lock, 'utf8'))).toMatchObject({ pid: process.pid });
    release();
  });

  it('takes over a lock whose pid was recycled by another process', async () => {
    const lock = join(dir, 'lab.lock');
    writeFileSync(lock, JSON.stringify({ pid: process.pid, startTicks: 'not-my-start-time', token: 'old', since: '' }));
    expect(processStartTicks(process.pid)).toMatch(/^\d+$/);
    const release = await acquireLock(lock, { timeoutMs: 2_000 });
    release();
  });

  it('takes over an empty lock only once it is old enough not to be mid-write', async () => {
    const lock = join(dir, 'lab.lock');
    writeFileSync(lock, '');
    const old = new Date(Date.now() - 10_000);
    utimesSync(lock, old, old);
    const release = await acquireLock(lock, { timeoutMs: 2_000 });
    release();
  });

  it('gives up with LAB_BUSY naming the holder when a live process keeps it', async () => {
    const lock = join(dir, 'lab.lock');
    const release = await acquireLock(lock);
    const waits: (number | undefined)[] = [];
    await expect(acquireLock(lock, { timeoutMs: 100, pollMs: 20, onWait: (pid) => waits.push(pid) })).rejects.toMatchObject({
      code: 'LAB_BUSY',
      message: expect.stringContaining(`pid ${process.pid}`),
    });
    expect(waits).toEqual([process.pid]);
    release();
  });
});
