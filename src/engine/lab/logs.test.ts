import { appendFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { logOffsets, readTailLines, relevantLinesFrom, relevantLogLines } from './logs';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'ferry-logs-test-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('relevantLogLines', () => {
  it('prefers error and exception lines, newest last, at most `max`', () => {
    const file = join(dir, 'server.log');
    const lines = ['INFO starting', ...Array.from({ length: 15 }, (_, i) => `ERROR failure ${i}`), 'INFO still going', 'java.lang.IllegalStateException: boom'];
    writeFileSync(file, `${lines.join('\n')}\n`);
    const relevant = relevantLogLines(file, { max: 10 });
    expect(relevant).toHaveLength(10);
    expect(relevant.at(-1)).toBe('java.lang.IllegalStateException: boom');
    expect(relevant).not.toContain('INFO still going');
  });

  it('falls back to the plain tail when nothing looks like an error', () => {
    const file = join(dir, 'server.log');
    writeFileSync(file, 'one\ntwo\nthree\n');
    expect(relevantLogLines(file)).toEqual(['one', 'two', 'three']);
  });

  it('strips terminal colours and drops boilerplate', () => {
    const file = join(dir, 'maven.log');
    writeFileSync(file, '\u001b[0m[ERROR] Could not resolve dependencies\n[ERROR] \n[ERROR] Re-run Maven using the -X switch\n');
    expect(relevantLogLines(file)).toEqual(['[ERROR] Could not resolve dependencies']);
  });

  it('is empty for a missing file', () => {
    expect(relevantLogLines(join(dir, 'nope.log'))).toEqual([]);
  });
});

describe('log offsets', () => {
  it('limit the excerpt to what was written after the offset', () => {
    const file = join(dir, 'error.log');
    writeFileSync(file, '[ERROR] from yesterday\n');
    const offsets = logOffsets([file, join(dir, 'missing.log')]);
    appendFileSync(file, '[ERROR] from this start\n');
    expect(readTailLines(file, offsets.get(file))).toEqual(['[ERROR] from this start']);
    expect(relevantLinesFrom([file], offsets)).toEqual(['[ERROR] from this start']);
  });

  it('only take clear errors from secondary logs, labelled by file', () => {
    const primary = join(dir, 'error.log');
    const stdout = join(dir, 'stdout.log');
    writeFileSync(primary, '[ERROR] Aborting\n');
    writeFileSync(stdout, '[Warning] Could not increase number of max_open_files\n');
    expect(relevantLinesFrom([primary, stdout])).toEqual(['[ERROR] Aborting']);
    appendFileSync(stdout, 'Error: Could not find or load main class kafka.Kafka\n');
    expect(relevantLinesFrom([primary, stdout])).toEqual([
      expect.stringContaining('error.log]'),
      '[ERROR] Aborting',
      expect.stringContaining('stdout.log]'),
      'Error: Could not find or load main class kafka.Kafka',
    ]);
  });
});
