import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, openSync, readdirSync, readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { labError } from './errors';

export function isPidAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the pid exists but belongs to someone we may not signal; it is alive, just not necessarily ours.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** NUL-separated argv of a live process, or undefined when it is gone (zombies have an empty cmdline). */
export function readCmdline(pid: number, procRoot = '/proc'): string | undefined {
  try {
    const raw = readFileSync(`${procRoot}/${pid}/cmdline`, 'utf8');
    return raw.length === 0 ? undefined : raw;
  } catch {
    return undefined;
  }
}

/**
 * A pid is ours only if it is alive and its command line names this lab's service directory. Pids are recycled,
 * so a bare liveness check could make `status` report a stranger as our database and `down` kill it.
 */
export function ownsPid(pid: number | undefined, marker: string, procRoot = '/proc'): boolean {
  if (pid === undefined || !isPidAlive(pid)) return false;
  const cmdline = readCmdline(pid, procRoot);
  if (cmdline === undefined) return false;
  const withSlash = marker.endsWith('/') ? marker : `${marker}/`;
  // Per argument, so both "-D <dir>/data" and "--datadir=<dir>/data" match, and "<dir>-old/..." does not.
  return cmdline.split('\0').some((arg) => arg.includes(withSlash) || arg === marker);
}

export interface UserIds {
  uid: number;
  gid: number;
}

export interface DetachedOptions {
  cwd: string;
  logFile: string;
  env?: NodeJS.ProcessEnv;
  user?: UserIds;
}

/**
 * Starts a long-running service in its own process group (so signals from the launching terminal do not reach it)
 * with stdio appended to a log file, and unrefs it so a CLI can exit while the service keeps running. Resolves once
 * the process exists; the handle still reports an early exit while we wait for readiness.
 */
export function spawnDetached(command: string, args: readonly string[], options: DetachedOptions): Promise<ChildProcess & { pid: number }> {
  const fd = openSync(options.logFile, 'a', 0o640);
  let child: ChildProcess;
  try {
    child = spawn(command, args, {
      cwd: options.cwd,
      env: options.env ?? process.env,
      detached: true,
      stdio: ['ignore', fd, fd],
      ...(options.user ? { uid: options.user.uid, gid: options.user.gid } : {}),
    });
  } finally {
    // The child holds its own copy of the descriptor.
    closeSync(fd);
  }
  child.unref();
  return new Promise((resolvePromise, reject) => {
    child.once('error', reject);
    child.once('spawn', () => {
      child.removeListener('error', reject);
      // Later errors (a failed kill) must not crash the host; exit codes are what we act on.
      child.on('error', () => undefined);
      resolvePromise(child as ChildProcess & { pid: number });
    });
  });
}

export interface RunResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  output: string;
}

/** Runs a short command to completion, capturing stdout+stderr together (the order users see in a terminal). */
export function runCommand(
  command: string,
  args: readonly string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv; user?: UserIds; timeoutMs?: number; signal?: AbortSignal } = {},
): Promise<RunResult> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: options.env ?? process.env,
      stdio: ['ignore', 'pipe', 'pipe'],
      ...(options.user ? { uid: options.user.uid, gid: options.user.gid } : {}),
      ...(options.signal ? { signal: options.signal, killSignal: 'SIGKILL' as const } : {}),
    });
    const chunks: Buffer[] = [];
    child.stdout?.on('data', (chunk: Buffer) => chunks.push(chunk));
    child.stderr?.on('data', (chunk: Buffer) => chunks.push(chunk));
    const timer = options.timeoutMs === undefined ? undefined : setTimeout(() => child.kill('SIGKILL'), options.timeoutMs);
    child.once('error', (error) => {
      if (timer) clearTimeout(timer);
      reject(error);
    });
    child.once('close', (code, signal) => {
      if (timer) clearTimeout(timer);
      resolvePromise({ code, signal, output: Buffer.concat(chunks).toString('utf8') });
    });
  });
}

export function delay(ms: number): Promise<void> {
  return new Promise((resolvePromise) => setTimeout(resolvePromise, ms));
}

export interface StopOptions {
  /** Signal the whole process group (the pid must lead it, as detached children do). */
  group?: boolean;
  /** PostgreSQL treats SIGTERM as "smart" shutdown, which waits for every client; it needs SIGINT (fast). */
  signal?: NodeJS.Signals;
  timeoutMs?: number;
  pollMs?: number;
}

export type StopOutcome = 'not-running' | 'stopped' | 'killed';

/**
 * Stops a process we own: polite signal, poll until it is gone, SIGKILL after the timeout. Re-checks ownership on
 * every poll so a pid recycled during the wait is never signalled.
 */
export async function stopOwnedProcess(pid: number, marker: string, options: StopOptions = {}): Promise<StopOutcome> {
  const { group = false, signal = 'SIGTERM', timeoutMs = 20_000, pollMs = 100 } = options;
  if (!ownsPid(pid, marker)) return 'not-running';
  // Only a pid that leads its own group may be signalled as a group; otherwise -pid would miss it (ESRCH).
  const asGroup = group && processGroupOf(pid) === pid;
  const send = (sig: NodeJS.Signals): void => {
    try {
      process.kill(asGroup ? -pid : pid, sig);
    } catch (error) {
      // ESRCH: it exited between the check and the signal; a group that is gone also lands here.
      if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error;
    }
  };
  send(signal);
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!ownsPid(pid, marker)) return 'stopped';
    await delay(pollMs);
  }
  if (!ownsPid(pid, marker)) return 'stopped';
  send('SIGKILL');
  const killDeadline = Date.now() + 5_000;
  while (Date.now() < killDeadline) {
    if (!ownsPid(pid, marker)) return 'killed';
    await delay(pollMs);
  }
  if (ownsPid(pid, marker)) {
    throw labError(
      'LAB_STOP_FAILED',
      `Process ${pid} (${marker}) survived SIGKILL. It may be stuck in the kernel (e.g. on a hung disk); check it with \`ps -o pid,stat,cmd -p ${pid}\` and retry.`,
      { retriable: true },
    );
  }
  return 'killed';
}

/** Resolves an OS user by name through NSS (`id`), so LDAP/SSSD users work as well as /etc/passwd ones. */
export async function lookupUser(name: string): Promise<UserIds | undefined> {
  try {
    const [uid, gid] = await Promise.all([runCommand('id', ['-u', name]), runCommand('id', ['-g', name])]);
    if (uid.code !== 0 || gid.code !== 0) return undefined;
    const ids = { uid: Number(uid.output.trim()), gid: Number(gid.output.trim()) };
    return Number.isInteger(ids.uid) && Number.isInteger(ids.gid) ? ids : undefined;
  } catch {
    return undefined;
  }
}

/** Field 5 of /proc/<pid>/stat. */
export function processGroupOf(pid: number, procRoot = '/proc'): number | undefined {
  try {
    const stat = readFileSync(`${procRoot}/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const pgid = Number(fields[2]);
    return Number.isInteger(pgid) ? pgid : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Our service processes whose pid we lost (state file deleted, crash between spawn and saving the pid). Matches the
 * executable name too, so a `tail -f <lab>/kafka-a/logs/server.log` in someone's terminal is never taken for a broker.
 */
export function findOwnedProcesses(marker: string, executables: readonly string[], procRoot = '/proc'): number[] {
  let entries: string[];
  try {
    entries = readdirSync(procRoot);
  } catch {
    return [];
  }
  const found: number[] = [];
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    const pid = Number(entry);
    if (pid === process.pid) continue;
    const cmdline = readCmdline(pid, procRoot);
    if (cmdline === undefined) continue;
    const argv0 = cmdline.split('\0')[0] ?? '';
    if (!executables.includes(basename(argv0))) continue;
    if (ownsPid(pid, marker, procRoot)) found.push(pid);
  }
  return found;
}
