import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** Path of the downloaded Electron binary, or undefined when `electron`'s install step never fetched it. */
export function findElectronBinary(repoRoot: string): string | undefined {
  const packageDir = join(repoRoot, 'node_modules', 'electron');
  const pathFile = join(packageDir, 'path.txt');
  if (!existsSync(pathFile)) return undefined;
  const binary = join(packageDir, 'dist', readFileSync(pathFile, 'utf8').trim());
  return existsSync(binary) ? binary : undefined;
}

/** Runs the desktop app and resolves with its exit code. */
export function launchElectron(binary: string, repoRoot: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(binary, [repoRoot], { stdio: 'inherit', cwd: repoRoot });
    child.once('error', reject);
    child.once('exit', (code) => resolve(code ?? 1));
  });
}
