import { accessSync, constants, readdirSync, statSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { javaTooOldError, type MissingBinary, missingBinaryError } from './errors';
import type { Env } from './paths';
import { runCommand } from './processes';

export type LabBinary = 'java' | 'mvn' | 'mariadbd' | 'mariadb-install-db' | 'initdb' | 'postgres';

export const DEBIAN_PACKAGES: Readonly<Record<LabBinary, string>> = {
  java: 'openjdk-17-jre-headless',
  mvn: 'maven',
  mariadbd: 'mariadb-server',
  'mariadb-install-db': 'mariadb-server',
  initdb: 'postgresql',
  postgres: 'postgresql',
};

/**
 * Where distributions put server binaries that are not on a normal user's PATH: mariadbd lives in /usr/sbin and
 * Debian keeps PostgreSQL's server tools in /usr/lib/postgresql/<major>/bin (newest major first).
 * FERRY_LAB_BIN_DIRS (colon-separated, may be empty) replaces this list, e.g. to test a machine without MariaDB.
 */
export function defaultExtraBinDirs(env: Env, postgresRoot = '/usr/lib/postgresql'): string[] {
  if (env.FERRY_LAB_BIN_DIRS !== undefined) return env.FERRY_LAB_BIN_DIRS.split(delimiter).filter((d) => d.length > 0);
  const dirs = ['/usr/local/sbin', '/usr/sbin', '/sbin'];
  try {
    const majors = readdirSync(postgresRoot)
      .filter((entry) => /^\d+(\.\d+)?$/.test(entry))
      .sort((a, b) => Number(b) - Number(a));
    dirs.push(...majors.map((major) => join(postgresRoot, major, 'bin')));
  } catch {
    // No Debian-style PostgreSQL install; PATH may still have it.
  }
  return dirs;
}

function isExecutableFile(path: string): boolean {
  try {
    if (!statSync(path).isFile()) return false;
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** PATH first (so users and tests can steer it), then the distribution directories. */
export function searchDirs(name: LabBinary, env: Env, extraDirs: readonly string[]): string[] {
  const pathDirs = (env.PATH ?? '').split(delimiter).filter((d) => d.length > 0);
  const dirs = name === 'java' && env.JAVA_HOME ? [join(env.JAVA_HOME, 'bin'), ...pathDirs] : pathDirs;
  return [...dirs, ...extraDirs];
}

export function findBinary(name: LabBinary, env: Env, extraDirs: readonly string[]): string | undefined {
  for (const dir of searchDirs(name, env, extraDirs)) {
    const candidate = join(dir, name);
    if (isExecutableFile(candidate)) return candidate;
  }
  return undefined;
}

/** Finds every binary or reports all missing ones at once, so a user installs them in one go. */
export function requireBinaries<T extends LabBinary>(names: readonly T[], env: Env, extraDirs: readonly string[]): Record<T, string> {
  const found = {} as Record<T, string>;
  const missing: MissingBinary[] = [];
  for (const name of names) {
    const path = findBinary(name, env, extraDirs);
    if (path === undefined) missing.push({ binary: name, debianPackage: DEBIAN_PACKAGES[name] });
    else found[name] = path;
  }
  if (missing.length > 0) throw missingBinaryError(missing, extraDirs);
  return found;
}

/** "17.0.15" → 17, "1.8.0_392" → 8, "21-ea" → 21. */
export function parseJavaMajor(versionOutput: string): { major: number; version: string } | undefined {
  const match = /version "([^"]+)"/.exec(versionOutput);
  if (!match?.[1]) return undefined;
  const version = match[1];
  const parts = version.split(/[.\-_+]/).map((p) => Number(p));
  const first = parts[0];
  if (first === undefined || Number.isNaN(first)) return undefined;
  const major = first === 1 && parts[1] !== undefined && !Number.isNaN(parts[1]) ? parts[1] : first;
  return { major, version };
}

export async function assertJavaVersion(javaPath: string, minimum = 17): Promise<void> {
  const result = await runCommand(javaPath, ['-version'], { timeoutMs: 30_000 });
  const parsed = parseJavaMajor(result.output);
  if (!parsed) throw javaTooOldError(javaPath, `unknown (\`${javaPath} -version\` printed: ${result.output.trim().slice(0, 200)})`);
  if (parsed.major < minimum) throw javaTooOldError(javaPath, parsed.version);
}
