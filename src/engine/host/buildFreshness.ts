import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';

/** What the app's build is made from: every file here (tests excepted) and these files at the root. */
const SOURCE_DIRS = ['src'];
const ROOT_FILES = ['electron.vite.config.ts', 'package.json', 'package-lock.json', 'tsconfig.json', 'tsconfig.node.json', 'tsconfig.web.json'];
/** Outputs a build must have left behind for the app to start. */
const OUTPUTS = [join('out', 'renderer', 'index.html'), join('out', 'main', 'index.js')];
const STAMP = join('out', '.ferry-build.json');

function walk(dir: string, files: string[]): void {
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return;
  }
  for (const entry of entries) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) walk(path, files);
    // Tests never reach the bundle; editing one must not cost a minute-long build.
    else if (entry.isFile() && !/\.test\.tsx?$/.test(entry.name)) files.push(path);
  }
}

/**
 * A hash of the contents of everything the build reads. Contents, not times: a `git checkout` that rewrites a file
 * with the same bytes needs no build, and a file edited within a second of the last build is still noticed.
 */
export function sourceFingerprint(root: string): string {
  const files: string[] = [];
  for (const dir of SOURCE_DIRS) walk(join(root, dir), files);
  for (const file of ROOT_FILES) if (existsSync(join(root, file))) files.push(join(root, file));
  const hash = createHash('sha256');
  for (const file of files.sort()) {
    hash.update(relative(root, file));
    hash.update('\0');
    hash.update(readFileSync(file));
    hash.update('\0');
  }
  return hash.digest('hex');
}

export type BuildState = { current: true } | { current: false; reason: string };

/** Whether `out/` was built from the sources as they are now, and if not, why (for the one line `npm start` prints). */
export function buildState(root: string, fingerprint = sourceFingerprint(root)): BuildState {
  const missing = OUTPUTS.find((output) => !existsSync(join(root, output)));
  if (missing) return { current: false, reason: `${missing} is missing` };
  let stamp: { fingerprint?: unknown } | undefined;
  try {
    stamp = JSON.parse(readFileSync(join(root, STAMP), 'utf8')) as { fingerprint?: unknown };
  } catch {
    return { current: false, reason: 'no record of the last build' };
  }
  return stamp.fingerprint === fingerprint ? { current: true } : { current: false, reason: 'sources changed since the last build' };
}

/** Records that `out/` holds a build of the sources whose fingerprint was taken before the build started. */
export function recordBuild(root: string, fingerprint: string): void {
  writeFileSync(join(root, STAMP), `${JSON.stringify({ fingerprint, builtAt: new Date().toISOString() })}\n`);
}

/**
 * Builds the app (electron-vite: main, preload, renderer) unless `out/` already holds a build of the current sources.
 * The fingerprint is taken before building, so an edit made during the build triggers the next one.
 */
export async function buildIfStale(root: string, say: (line: string) => void): Promise<'built' | 'current'> {
  const fingerprint = sourceFingerprint(root);
  const state = buildState(root, fingerprint);
  if (state.current) {
    say('The app is built from the current sources; starting without a build.');
    return 'current';
  }
  say(`Building the app (${state.reason})…`);
  const started = Date.now();
  const code = await new Promise<number>((resolve, reject) => {
    const child = spawn(process.execPath, [join(root, 'node_modules', 'electron-vite', 'bin', 'electron-vite.js'), 'build'], { cwd: root, stdio: 'inherit' });
    child.once('error', reject);
    child.once('exit', (exit) => resolve(exit ?? 1));
  });
  if (code !== 0) throw new Error(`The app's build failed (electron-vite exited with ${code}); its output is above.`);
  recordBuild(root, fingerprint);
  say(`Built in ${((Date.now() - started) / 1000).toFixed(1)} s.`);
  return 'built';
}
