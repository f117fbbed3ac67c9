/**
 * Ports for a test's private lab. A fixed FERRY_LAB_PORT_OFFSET breaks as soon as anything else on the machine
 * (another checkout's lab, another test file, another helper's run) uses the same one, so a test asks for an
 * offset here: every port of the lab layout is probed by binding it, and the offset is claimed with a lock
 * file so two test processes choosing at the same moment cannot both get it.
 */
import { closeSync, mkdirSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_LAB_PORTS, isPortFree } from '../../src/engine/lab/ports';

/**
 * Offsets keep every port below Linux's ephemeral range (32768+), where outgoing connections could take a
 * port between the probe and the lab binding it. They are STEP apart: the layout's ports differ from each other
 * by 1, 2, 1009–1012, 2126, 2649, 2651, 3206, 3660 …, and the first of those differences that is a multiple of 8
 * is 8992, more than the offsets here span, so labs at two different claimed offsets never want the same port,
 * even before either has bound them (with a step of 10, a lab's Kafka controller met the Connect port of a lab
 * 1,010 above it; labPorts.test checks every pair).
 */
const MAX_PORT = 32_000;
const STEP = 8;
const MIN_OFFSET = 20;
const CLAIM_DIR = join(tmpdir(), 'ferry-lab-port-offsets');
const claimed = new Set<number>();

function claimPath(offset: number): string {
  return join(CLAIM_DIR, `${offset}.pid`);
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Takes the offset's lock file; a file left by a process that no longer runs is taken over. */
function claim(offset: number): boolean {
  mkdirSync(CLAIM_DIR, { recursive: true });
  const path = claimPath(offset);
  for (let attempt = 0; attempt < 2; attempt += 1) {
    try {
      const fd = openSync(path, 'wx');
      writeSync(fd, String(process.pid));
      closeSync(fd);
      claimed.add(offset);
      return true;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const owner = Number(readFileSync(path, 'utf8').trim());
      if (Number.isInteger(owner) && owner > 0 && processAlive(owner)) return false;
      rmSync(path, { force: true });
    }
  }
  return false;
}

/** Gives the offset back (also done for every claimed offset when the process exits). */
export function releaseLabPortOffset(offset: number): void {
  if (!claimed.delete(offset)) return;
  rmSync(claimPath(offset), { force: true });
}

process.once('exit', () => {
  for (const offset of [...claimed]) releaseLabPortOffset(offset);
});

/** Every port a lab started with FERRY_LAB_PORT_OFFSET=offset listens on. */
export function labPortsAt(offset: number): number[] {
  return Object.values(DEFAULT_LAB_PORTS).map((port) => port + offset);
}

/** Every offset freeLabPortOffset may return, in ascending order. */
export function labPortOffsetCandidates(): number[] {
  const maxOffset = MAX_PORT - Math.max(...Object.values(DEFAULT_LAB_PORTS));
  return Array.from({ length: Math.floor((maxOffset - MIN_OFFSET) / STEP) + 1 }, (_, i) => MIN_OFFSET + i * STEP);
}

/**
 * A FERRY_LAB_PORT_OFFSET whose ports are all free now and that no other test process holds. Pass it as a
 * string in the lab's env: `createLab({ dir, env: { ...process.env, FERRY_LAB_PORT_OFFSET: String(offset) } })`.
 */
export async function freeLabPortOffset(): Promise<number> {
  const candidates = labPortOffsetCandidates();
  // Random order, so parallel callers rarely contend for the same lock file.
  for (let i = candidates.length - 1; i > 0; i -= 1) {
    const j = Math.floor(Math.random() * (i + 1));
    [candidates[i], candidates[j]] = [candidates[j] as number, candidates[i] as number];
  }
  for (const offset of candidates) {
    if (!claim(offset)) continue;
    const free = await Promise.all(labPortsAt(offset).map((port) => isPortFree(port)));
    if (free.every(Boolean)) return offset;
    releaseLabPortOffset(offset);
  }
  throw new Error(`No FERRY_LAB_PORT_OFFSET between ${MIN_OFFSET} and ${candidates.length === 0 ? MIN_OFFSET : Math.max(...candidates)} has all of its lab ports free; stop stray labs (ferry lab status).`);
}
