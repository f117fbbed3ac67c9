import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { findOwnedProcesses, isPidAlive, ownsPid, processGroupOf, runCommand, spawnDetached, stopOwnedProcess } from './processes';

let dir: string;
const children: ChildProcess[] = [];

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'ferry-proc-test-'));
});
afterEach(() => {
  for (const child of children.splice(0)) {
    if (child.pid !== undefined && isPidAlive(child.pid)) child.kill('SIGKILL');
  }
  rmSync(dir, { recursive: true, force: true });
});

/** A long-running node process whose command line carries `marker`, like a service started for the lab. */
function fakeService(marker: string, script = 'setInterval(() => {}, 1000)'): ChildProcess {
  const child = spawn(process.execPath, ['-e', script, `${marker}/data`], { stdio: 'ignore' });
  children.push(child);
  return child;
}

async function started(child: ChildProcess, marker = join(dir, 'svc')): Promise<number> {
  const pid = child.pid ?? -1;
  // /proc/<pid>/cmdline shows the new argv only once exec has happened.
  for (let i = 0; i < 100; i++) {
    if (ownsPid(pid, marker)) return pid;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`test process ${pid} never showed ${marker} in its command line`);
}

describe('ownsPid', () => {
  it('recognises a live process whose command line names the service directory', async () => {
    const pid = await started(fakeService(join(dir, 'svc')));
    expect(ownsPid(pid, join(dir, 'svc'))).toBe(true);
  });

  it('does not take a stranger for ours, even one whose path merely starts the same', async () => {
    const pid = await started(fakeService(join(dir, 'svc')));
    expect(ownsPid(pid, join(dir, 'sv'))).toBe(false);
    expect(ownsPid(pid, join(dir, 'other'))).toBe(false);
    expect(ownsPid(process.pid, join(dir, 'svc'))).toBe(false);
  });

  it('is false for a pid that has exited and for nonsense', async () => {
    const result = await runCommand(process.execPath, ['-e', '0']);
    expect(result.code).toBe(0);
    expect(ownsPid(undefined, dir)).toBe(false);
    expect(ownsPid(-1, dir)).toBe(false);
    expect(ownsPid(2 ** 22 + 12345, dir)).toBe(false);
  });
});

describe('stopOwnedProcess', () => {
  it('stops our process with the polite signal', async () => {
    const pid = await started(fakeService(join(dir, 'svc')));
    expect(await stopOwnedProcess(pid, join(dir, 'svc'), { timeoutMs: 5_000, pollMs: 20 })).toBe('stopped');
    expect(ownsPid(pid, join(dir, 'svc'))).toBe(false);
  });

  it('escalates to SIGKILL when the process ignores SIGTERM', async () => {
    // The child says when its SIGTERM handler is in place (a fixed wait lost that race on a loaded machine).
    const ready = join(dir, 'handler-installed');
    const pid = await started(fakeService(join(dir, 'svc'), `process.on('SIGTERM', () => {}); require('node:fs').writeFileSync(${JSON.stringify(ready)}, ''); setInterval(() => {}, 1000)`));
    for (let i = 0; i < 500 && !existsSync(ready); i++) await new Promise((r) => setTimeout(r, 20));
    expect(await stopOwnedProcess(pid, join(dir, 'svc'), { timeoutMs: 300, pollMs: 20 })).toBe('killed');
  });

  it('never signals a process that is not ours', async () => {
    const child = fakeService(join(dir, 'svc'));
    const pid = await started(child);
    expect(await stopOwnedProcess(pid, join(dir, 'someone-else'), { timeoutMs: 200 })).toBe('not-running');
    expect(isPidAlive(pid)).toBe(true);
    expect(child.exitCode).toBeNull();
  });

  it('signals the whole group of a detached service', async () => {
    const svc = join(dir, 'svc');
    mkdirSync(svc);
    // Detached children lead their own process group, which is what `down` signals for Kafka.
    const child = await spawnDetached(process.execPath, ['-e', 'setInterval(() => {}, 1000)', `${svc}/data`], {
      cwd: dir,
      logFile: join(svc, 'out.log'),
    });
    children.push(child);
    await started(child);
    expect(processGroupOf(child.pid)).toBe(child.pid);
    expect(await stopOwnedProcess(child.pid, svc, { group: true, timeoutMs: 5_000, pollMs: 20 })).toBe('stopped');
  });
});

describe('findOwnedProcesses', () => {
  it('finds our untracked service by command line and executable name only', async () => {
    const pid = await started(fakeService(join(dir, 'svc')));
    expect(findOwnedProcesses(join(dir, 'svc'), ['node'])).toEqual([pid]);
    // A `tail -f <lab>/svc/...` is not a service: wrong executable.
    expect(findOwnedProcesses(join(dir, 'svc'), ['java'])).toEqual([]);
  });
});

describe('runCommand', () => {
  it('captures stdout and stderr together with the exit code', async () => {
    const result = await runCommand(process.execPath, ['-e', "console.log('out'); console.error('err'); process.exit(3)"]);
    expect(result.code).toBe(3);
    expect(result.output).toContain('out');
    expect(result.output).toContain('err');
  });
});
