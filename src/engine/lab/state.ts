import { randomBytes } from 'node:crypto';
import { closeSync, fsyncSync, linkSync, openSync, readFileSync, renameSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { LAB_SERVICE_NAMES, type LabServiceName } from '../../shared/api/lab';
import { labError } from './errors';
import type { LabPorts } from './ports';
import { delay, isPidAlive } from './processes';

export interface ServiceRecord {
  pid: number;
  /** Ports the process was started with; endpoints of a running service come from here, not from today's config. */
  ports: number[];
  /** Hash of the start command (without secrets); a change means the running process no longer matches the config. */
  fingerprint: string;
  startedAt: string;
  readyAt?: string;
}

export interface LabState {
  version: 1;
  ports?: LabPorts;
  clusterIds: { 'kafka-a'?: string; 'kafka-b'?: string };
  passwords: { mariadb?: string; postgres?: string };
  services: Partial<Record<LabServiceName, ServiceRecord>>;
}

export function emptyState(): LabState {
  return { version: 1, clusterIds: {}, passwords: {}, services: {} };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function optionalString(value: unknown): string | undefined {
  return typeof value === 'string' && value.length > 0 ? value : undefined;
}

function parseServiceRecord(value: unknown): ServiceRecord | undefined {
  if (!isRecord(value)) return undefined;
  const { pid, ports, fingerprint, startedAt, readyAt } = value;
  if (typeof pid !== 'number' || !Number.isInteger(pid) || pid <= 0) return undefined;
  if (!Array.isArray(ports) || !ports.every((p) => typeof p === 'number')) return undefined;
  const record: ServiceRecord = {
    pid,
    ports: ports as number[],
    fingerprint: typeof fingerprint === 'string' ? fingerprint : '',
    startedAt: typeof startedAt === 'string' ? startedAt : '',
  };
  const ready = optionalString(readyAt);
  if (ready) record.readyAt = ready;
  return record;
}

/**
 * Takes whatever is well-formed and drops the rest: a hand-edited or half-understood file must never stop
 * `down` from finding the pids that are still readable.
 */
export function parseState(text: string): LabState {
  const state = emptyState();
  const raw: unknown = JSON.parse(text);
  if (!isRecord(raw)) return state;
  if (isRecord(raw.ports)) {
    const ports = raw.ports as Record<string, unknown>;
    const keys: (keyof LabPorts)[] = ['kafkaA', 'kafkaAController', 'kafkaB', 'kafkaBController', 'mariadb', 'postgres'];
    if (keys.every((k) => typeof ports[k] === 'number')) state.ports = ports as unknown as LabPorts;
  }
  if (isRecord(raw.clusterIds)) {
    const a = optionalString(raw.clusterIds['kafka-a']);
    const b = optionalString(raw.clusterIds['kafka-b']);
    if (a) state.clusterIds['kafka-a'] = a;
    if (b) state.clusterIds['kafka-b'] = b;
  }
  if (isRecord(raw.passwords)) {
    const m = optionalString(raw.passwords.mariadb);
    const p = optionalString(raw.passwords.postgres);
    if (m) state.passwords.mariadb = m;
    if (p) state.passwords.postgres = p;
  }
  if (isRecord(raw.services)) {
    for (const name of LAB_SERVICE_NAMES) {
      const record = parseServiceRecord(raw.services[name]);
      if (record) state.services[name] = record;
    }
  }
  return state;
}

/** Missing file → empty state. */
export function readState(file: string): LabState {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return emptyState();
    throw labError('LAB_STATE_CORRUPT', `Cannot read the lab state file ${file}: ${(error as Error).message}. Check its permissions.`, {
      cause: error,
    });
  }
  try {
    return parseState(text);
  } catch (error) {
    // Left in place: it may hold the only copy of the database passwords, and `down`/`reset` cope without it.
    throw labError(
      'LAB_STATE_CORRUPT',
      `The lab state file ${file} is not valid JSON. Repair or delete it, or run \`ferry lab reset\` ` +
        '(stops the lab processes, found by their command line, and wipes the lab).',
      { cause: error },
    );
  }
}

/**
 * Temp file in the same directory + fsync + rename: a reader (or a crash) sees the old file or the new one, never a
 * torn one. Mode 0600 because the file holds database passwords.
 */
export function writeFileAtomic(file: string, contents: string, mode = 0o600): void {
  const temp = join(dirname(file), `.${basename(file)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  const fd = openSync(temp, 'wx', mode);
  try {
    writeSync(fd, contents);
    fsyncSync(fd);
  } catch (error) {
    closeSync(fd);
    unlinkSync(temp);
    throw error;
  }
  closeSync(fd);
  try {
    renameSync(temp, file);
  } catch (error) {
    unlinkSync(temp);
    throw error;
  }
}

export function writeState(file: string, state: LabState): void {
  writeFileAtomic(file, `${JSON.stringify(state, null, 2)}\n`);
}

/** Kernel start time of a pid (field 22 of /proc/<pid>/stat), which tells a recycled pid from the original. */
export function processStartTicks(pid: number, procRoot = '/proc'): string | undefined {
  try {
    const stat = readFileSync(`${procRoot}/${pid}/stat`, 'utf8');
    // The command name (field 2) may contain spaces and parentheses; everything after the last ')' is fixed.
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return rest[19];
  } catch {
    return undefined;
  }
}

interface LockContent {
  pid: number;
  startTicks?: string;
  token: string;
  since: string;
}

function parseLock(text: string): LockContent | undefined {
  try {
    const raw: unknown = JSON.parse(text);
    if (!isRecord(raw) || typeof raw.pid !== 'number' || typeof raw.token !== 'string') return undefined;
    const lock: LockContent = { pid: raw.pid, token: raw.token, since: typeof raw.since === 'string' ? raw.since : '' };
    if (typeof raw.startTicks === 'string') lock.startTicks = raw.startTicks;
    return lock;
  } catch {
    return undefined;
  }
}

export function isLockStale(lock: LockContent | undefined): boolean {
  // An empty/garbled lock is a writer that died between create and write.
  if (!lock) return true;
  if (!isPidAlive(lock.pid)) return true;
  const ticks = processStartTicks(lock.pid);
  return lock.startTicks !== undefined && ticks !== undefined && ticks !== lock.startTicks;
}

export interface LockOptions {
  timeoutMs?: number;
  pollMs?: number;
  onWait?: (holderPid: number | undefined) => void;
}

/**
 * Cross-process mutex: O_EXCL create, holder pid inside. A lock whose holder died is taken over; the takeover goes
 * through a rename to a private name so two waiters cannot both delete it and then each other's fresh lock.
 */
export async function acquireLock(lockFile: string, options: LockOptions = {}): Promise<() => void> {
  const { timeoutMs = 10 * 60_000, pollMs = 200 } = options;
  const deadline = Date.now() + timeoutMs;
  const token = randomBytes(8).toString('hex');
  const content: LockContent = { pid: process.pid, token, since: new Date().toISOString() };
  const ticks = processStartTicks(process.pid);
  if (ticks !== undefined) content.startTicks = ticks;
  let warned = false;
  for (;;) {
    try {
      const fd = openSync(lockFile, 'wx', 0o600);
      try {
        writeSync(fd, JSON.stringify(content));
      } finally {
        closeSync(fd);
      }
      return () => {
        try {
          const current = parseLock(readFileSync(lockFile, 'utf8'));
          if (current?.token === token) unlinkSync(lockFile);
        } catch {
          // Already gone (e.g. `reset` removed the directory); nothing to release.
        }
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    let text = '';
    try {
      text = readFileSync(lockFile, 'utf8');
    } catch {
      continue; // Released between our open and read: try again at once.
    }
    const holder = parseLock(text);
    // A lock created a moment ago may not be written yet; only treat an empty one as stale after a grace period.
    if (isLockStale(holder) && (holder !== undefined || lockAgeMs(lockFile) > 2_000)) {
      const aside = `${lockFile}.stale-${token}`;
      try {
        renameSync(lockFile, aside);
        const moved = readFileSync(aside, 'utf8');
        if (moved !== text) {
          // Someone replaced the stale lock between our read and rename: put theirs back.
          try {
            linkSync(aside, lockFile);
          } catch {
            // A third party already holds a new lock; theirs wins and we keep waiting.
          }
        }
        unlinkSync(aside);
      } catch {
        // Someone else took it over first.
      }
      continue;
    }
    if (Date.now() >= deadline) {
      throw labError(
        'LAB_BUSY',
        `Another Ferry process (pid ${holder?.pid ?? 'unknown'}) has been changing the lab for too long (lock ${lockFile}). ` +
          'Wait for it to finish, or stop that process; a lock whose process has exited is taken over automatically.',
        { retriable: true, detail: { lockFile, holderPid: holder?.pid } },
      );
    }
    if (!warned) {
      warned = true;
      options.onWait?.(holder?.pid);
    }
    await delay(pollMs);
  }
}

function lockAgeMs(lockFile: string): number {
  try {
    return Date.now() - statSync(lockFile).mtimeMs;
  } catch {
    return Number.POSITIVE_INFINITY;
  }
}
