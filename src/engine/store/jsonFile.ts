import { closeSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { EngineError } from '../../shared/errors';

/**
 * Durable JSON: written to a temp file, fsynced, then renamed over the old one, so a crash leaves either the old
 * or the new content, never a torn file. Mode 0600: state may name databases and users.
 */
export function writeJsonFileDurably(path: string, value: unknown): void {
  writeTextFileDurably(path, `${JSON.stringify(value, null, 2)}\n`);
}

/** Same as writeJsonFileDurably for text written as it is (a pipeline file keeps the user's formatting). */
export function writeTextFileDurably(path: string, text: string): void {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  const temp = `${path}.${process.pid}.tmp`;
  const fd = openSync(temp, 'w', 0o600);
  try {
    writeSync(fd, text);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(temp, path);
  // The rename itself must reach the disk too, or a crash could bring back the old file.
  const dirFd = openSync(dirname(path), 'r');
  try {
    fsyncSync(dirFd);
  } finally {
    closeSync(dirFd);
  }
}

export function readJsonFile(path: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new EngineError('STORE_CORRUPT', `${path} is not valid JSON (${(error as Error).message}). Move it aside to start that state afresh.`, { cause: error });
  }
}
