import { homedir } from 'node:os';
import { join, resolve } from 'node:path';

/** Where Ferry keeps durable state (checkpoints, workspace): $FERRY_DATA_DIR, else $XDG_DATA_HOME/ferry. */
export function defaultDataDir(env: Readonly<Record<string, string | undefined>> = process.env): string {
  if (env.FERRY_DATA_DIR) return resolve(env.FERRY_DATA_DIR);
  return resolve(env.XDG_DATA_HOME ?? join(homedir(), '.local', 'share'), 'ferry');
}

/** A pipeline name as a directory name: anything but letters, digits, '.', '_' and '-' becomes '_'. */
export function safeFileName(name: string): string {
  const cleaned = name.replace(/[^A-Za-z0-9._-]/g, '_');
  return cleaned === '' || cleaned === '.' || cleaned === '..' ? '_' : cleaned;
}
