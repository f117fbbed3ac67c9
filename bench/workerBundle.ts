/**
 * The connector threads' entry as the desktop app ships it, built from the current sources: electron-vite builds the
 * main process with Vite (an SSR build: the project's code bundled, packages from node_modules left as imports) and
 * makes taskWorker.ts an entry of its own, pipelineTask.js (electron.vite.config.ts). bench:pipeline builds the same
 * entry the same way into a scratch folder (a few seconds), so its default figures are the app's configuration of
 * today's code, not a stale `out/` and not the TypeScript sources through tsx (~100 MB and ~2 s of CPU per thread more,
 * which only `FERRY_PIPELINE_THREADS=1` from the sources pays).
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

/**
 * Builds the connector thread's entry and the modules it imports into `outDir`, which must sit inside the project
 * (its imports of packages resolve from node_modules above it); returns the entry's file URL. The build runs in a
 * process of its own: Rollup's ~150 MB of heap would otherwise stay in the benchmark's RSS, which is what it measures.
 */
export function buildPipelineTaskBundle(outDir: string): string {
  execFileSync(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), outDir], { stdio: ['ignore', 'ignore', 'inherit'] });
  const file = join(outDir, ENTRY);
  if (!existsSync(file)) throw new Error(`Building the connector thread bundle left no ${file}; run with --tsx-threads to use the TypeScript sources instead.`);
  return pathToFileURL(file).href;
}

const ENTRY = 'src/engine/pipeline/taskWorker.js';

async function build(outDir: string): Promise<void> {
  const { build: viteBuild } = await import('vite');
  const entry = resolve('src/engine/pipeline/taskWorker.ts');
  await viteBuild({
    configFile: false,
    logLevel: 'warn',
    build: {
      ssr: entry,
      outDir,
      emptyOutDir: true,
      minify: false,
      sourcemap: false,
      target: 'node20',
      // One output file per source module (the same code the app's chunks hold), so that CPU profiles still name each
      // module by its path and bench/stageSplit.ts can charge it to its stage.
      rollupOptions: { output: { format: 'es', preserveModules: true, preserveModulesRoot: resolve('.'), entryFileNames: '[name].js' } },
    },
  });
}

// Run as a script (by buildPipelineTaskBundle): build into the folder given.
if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const outDir = process.argv[2];
  if (!outDir) throw new Error('workerBundle.ts needs the output folder as its argument');
  await build(outDir);
}
