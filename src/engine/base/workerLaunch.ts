/**
 * How to start one of the engine's worker threads from wherever the engine's code runs: from the TypeScript sources
 * (CLI, tests, benchmarks) the worker's `.ts` entry is loaded through tsx, as bin/ferry.mjs does for the CLI; in the
 * desktop build electron-vite bundles each worker as an entry of its own beside the main bundle
 * (electron.vite.config.ts), which is started as it is.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker, type WorkerOptions } from 'node:worker_threads';

export interface WorkerLaunch {
  /** The worker's entry (file URL): the bundled `.js`, or the `.ts` source. */
  entry: string;
  /** Code that registers tsx in the worker and imports `workerData.entry` (only when running from the sources). */
  boot?: string;
}

function tsxBootCode(): string | undefined {
  try {
    // The package's `import` entry: require.resolve gives the CommonJS one, which cannot register ESM hooks.
    const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx/esm/api').replace(/\.cjs$/, '.mjs')).href;
    return `const { workerData } = require('node:worker_threads'); import(${JSON.stringify(tsx)}).then(({ register }) => { register(); return import(workerData.entry); });`;
  } catch {
    return undefined;
  }
}

/**
 * The entry of a worker for code running from `moduleUrl`: `sourceFile` (relative to that module) when it is a `.ts`
 * file, else `bundledFile` in the bundle's folder or the one above (when the calling code sits in a shared chunk).
 * Undefined when neither can be started.
 */
export function workerLaunch(moduleUrl: string, sourceFile: string, bundledFile: string): WorkerLaunch | undefined {
  const here = new URL(moduleUrl);
  if (here.protocol !== 'file:') return undefined;
  if (here.pathname.endsWith('.ts')) {
    const boot = tsxBootCode();
    return boot === undefined ? undefined : { entry: new URL(sourceFile, here).href, boot };
  }
  for (const candidate of [`./${bundledFile}`, `../${bundledFile}`]) {
    const entry = new URL(candidate, here);
    if (existsSync(fileURLToPath(entry))) return { entry: entry.href };
  }
  return undefined;
}

/** Starts the worker; its `workerData` carries `entry` beside what the caller passes. */
export function startWorker(launch: WorkerLaunch, workerData: Record<string, unknown>, options: Omit<WorkerOptions, 'workerData' | 'eval'> = {}): Worker {
  const data = { ...workerData, entry: launch.entry };
  return launch.boot === undefined ? new Worker(new URL(launch.entry), { ...options, workerData: data }) : new Worker(launch.boot, { ...options, eval: true, workerData: data });
}
