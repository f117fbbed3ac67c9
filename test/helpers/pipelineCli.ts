import { type ChildProcess, spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { PipelineDocument } from './pipelineHarness';

// `ferry run` as a child process, the way scripts and users run it: a pipeline file on disk, FERRY_DATA_DIR for
// checkpoints, stdout/stderr captured, and an exit code (or the signal that ended it).

export interface FerryProcess {
  readonly child: ChildProcess;
  readonly stdout: () => string;
  readonly stderr: () => string;
  /** Resolves with the exit code, or the signal name when a signal ended it. */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Children still running, so a failed test never leaves a `ferry run` behind. */
const live = new Set<ChildProcess>();

/** SIGKILLs every child this helper started that is still running (afterAll). */
export function killLeftoverFerries(): void {
  for (const child of live) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  live.clear();
}

export function writePipelineFile(dir: string, document: PipelineDocument): string {
  const file = join(dir, `${document.name}.json`);
  writeFileSync(file, `${JSON.stringify(document, null, 2)}\n`);
  return file;
}

export function spawnFerry(args: readonly string[], env: Record<string, string>): FerryProcess {
  const root = fileURLToPath(new URL('../..', import.meta.url));
  const child = spawn(process.execPath, [join(root, 'bin', 'ferry.mjs'), ...args], {
    cwd: root,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  live.add(child);
  child.once('exit', () => live.delete(child));
  let out = '';
  let err = '';
  child.stdout?.on('data', (chunk: Buffer) => (out += chunk.toString('utf8')));
  child.stderr?.on('data', (chunk: Buffer) => (err += chunk.toString('utf8')));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  return { child, stdout: () => out, stderr: () => err, exited };
}

/** Waits for a child to exit, killing it (and failing with its output) after `deadlineMs`. */
export async function waitForExit(ferry: FerryProcess, deadlineMs: number): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      ferry.child.kill('SIGKILL');
      reject(new Error(`ferry did not exit within ${deadlineMs} ms.\nstderr:\n${ferry.stderr()}\nstdout:\n${ferry.stdout()}`));
    }, deadlineMs);
  });
  try {
    return await Promise.race([ferry.exited, deadline]);
  } finally {
    clearTimeout(timer);
  }
}
