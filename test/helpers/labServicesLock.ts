import { linkSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll } from 'vitest';

/**
 * Integration files run two at a time (vitest.config.ts). A few of them change which services the SHARED lab runs or
 * check exactly which it runs: connectDeploy starts the optional Connect worker (`lab up connect`, which holds the
 * lab's own lock for the JVM's whole start, a minute or more on a loaded machine), and labCli runs `ferry lab up`
 * and expects every default service reused and nothing started. Each of them holds this lock (a file claimed with
 * O_EXCL, one per machine, so another checkout's or another helper's run of the same files waits too) while it
 * does so; every other file leaves the lab's set of services alone and ignores it.
 */
const LOCK_FILE = join(tmpdir(), 'ferry-test-lab-services.lock');

function ownerAlive(): boolean {
  let owner: number;
  try {
    owner = Number(readFileSync(LOCK_FILE, 'utf8').trim());
  } catch {
    return false;
  }
  if (!Number.isInteger(owner) || owner <= 0) return false;
  try {
    process.kill(owner, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

let held = false;

/** Waits (polling every 250 ms, at most `deadlineMs`) until this process holds the lock; a dead owner's file is taken over. */
export async function acquireLabServicesLock(deadlineMs = 15 * 60_000): Promise<void> {
  if (held) return;
  const deadline = Date.now() + deadlineMs;
  // Written whole under a name of our own, then linked into place: link() fails when the lock exists, and a lock
  // file is never seen without its owner's pid.
  const mine = `${LOCK_FILE}.${process.pid}`;
  writeFileSync(mine, String(process.pid));
  try {
    for (;;) {
      try {
        linkSync(mine, LOCK_FILE);
        held = true;
        return;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
        if (!ownerAlive()) {
          // Left by a test process that ended without releasing it (killed).
          rmSync(LOCK_FILE, { force: true });
          continue;
        }
      }
      if (Date.now() > deadline) throw new Error(`another test process held ${LOCK_FILE} for ${deadlineMs} ms (pid ${readFileSync(LOCK_FILE, 'utf8').trim()})`);
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  } finally {
    rmSync(mine, { force: true });
  }
}

export function releaseLabServicesLock(): void {
  if (!held) return;
  held = false;
  rmSync(LOCK_FILE, { force: true });
}

process.once('exit', releaseLabServicesLock);

/** Holds the lock for the whole test file (from before its first hook to after its last). */
export function holdLabServicesLockForFile(): void {
  beforeAll(() => acquireLabServicesLock(), 16 * 60_000);
  afterAll(() => releaseLabServicesLock());
}
