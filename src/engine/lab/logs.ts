import { closeSync, fstatSync, openSync, readSync, statSync } from 'node:fs';
import { basename, dirname } from 'node:path';

const TAIL_BYTES = 256 * 1024;

/** Where each log ends now, so an error shows only what this start attempt wrote (logs are appended across runs). */
export type LogOffsets = ReadonlyMap<string, number>;

export function logOffsets(files: readonly string[]): LogOffsets {
  const offsets = new Map<string, number>();
  for (const file of files) {
    try {
      offsets.set(file, statSync(file).size);
    } catch {
      offsets.set(file, 0);
    }
  }
  return offsets;
}

/** The last `maxBytes` of a file (after `from`) as lines; a missing or unreadable file is simply empty. */
export function readTailLines(file: string, from = 0, maxBytes = TAIL_BYTES): string[] {
  let fd: number | undefined;
  try {
    fd = openSync(file, 'r');
    const size = fstatSync(fd).size;
    // A log that shrank was rotated or truncated: read it from the start.
    const start = Math.max(size - maxBytes, from <= size ? from : 0);
    const length = size - start;
    const buffer = Buffer.alloc(length);
    readSync(fd, buffer, 0, length, start);
    const lines = buffer.toString('utf8').split(/\r?\n/);
    // The first line is probably cut in half when we did not start at a line boundary we chose.
    if (start > 0 && start !== from) lines.shift();
    return lines.filter((line) => line.trim().length > 0);
  } catch {
    return [];
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/** Errors as the services write them: Log4j/MariaDB levels, PostgreSQL severities, Java exceptions, "tool: error:". */
const CLEARLY_ERROR = /\b(ERROR|FATAL|PANIC|SEVERE)\b|Exception|Caused by|\b[Ee]rror:/;
const MAYBE_ERROR = /error|fail|cannot|could not|denied/i;

// eslint-disable-next-line no-control-regex -- matching terminal colour codes is the point
const ANSI = /\u001b\[[0-9;]*[A-Za-z]/g;
/** Boilerplate that carries no information: bare level tags and Maven's generic "re-run with -e" advice. */
const NOISE = /^\s*\[(ERROR|WARNING|INFO)\]\s*$|re-run Maven|Re-run Maven|For more information about the errors|\[Help \d+\] http/;

function clip(line: string): string {
  return line.length > 400 ? `${line.slice(0, 400)}…` : line;
}

/**
 * The lines a user needs to see first, newest last: clear errors if there are any, else anything that looks like
 * trouble, else the plain tail (a JVM killed by the OOM killer leaves no error line). A secondary log (captured
 * stdout) only contributes clear errors: its warnings would drown the primary log's story.
 */
export function relevantLogLines(file: string, options: { max?: number; from?: number; primary?: boolean } = {}): string[] {
  const { max = 10, from = 0, primary = true } = options;
  const lines = readTailLines(file, from)
    .map((line) => line.replace(ANSI, ''))
    .filter((line) => line.trim().length > 0 && !NOISE.test(line));
  const clear = lines.filter((line) => CLEARLY_ERROR.test(line));
  if (!primary) return clear.slice(-max).map(clip);
  const maybe = clear.length > 0 ? clear : lines.filter((line) => MAYBE_ERROR.test(line));
  const chosen = maybe.length > 0 ? maybe : lines;
  return chosen.slice(-max).map(clip);
}

/**
 * Relevant lines across the logs of one service. The first file is the service's own log; the others (captured
 * stdout/stderr) only contribute when they contain something that looks like an error.
 */
export function relevantLinesFrom(files: readonly string[], offsets?: LogOffsets, max = 10): string[] {
  const sections: string[][] = files.map((file, index) =>
    relevantLogLines(file, { max, from: offsets?.get(file) ?? 0, primary: index === 0 }),
  );
  const nonEmpty = sections.filter((s) => s.length > 0).length;
  const out: string[] = [];
  sections.forEach((lines, index) => {
    if (lines.length === 0) return;
    const file = files[index] ?? '';
    if (nonEmpty > 1) out.push(`[${basename(dirname(file))}/${basename(file)}]`);
    out.push(...lines);
  });
  return out;
}
