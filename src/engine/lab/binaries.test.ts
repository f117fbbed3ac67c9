import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { assertJavaVersion, defaultExtraBinDirs, findBinary, parseJavaMajor, requireBinaries } from './binaries';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'ferry-bin-test-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function executable(sub: string, name: string, body = 'exit 0'): string {
  mkdirSync(join(dir, sub), { recursive: true });
  const path = join(dir, sub, name);
  writeFileSync(path, `#!/bin/sh\n${body}\n`);
  chmodSync(path, 0o755);
  return path;
}

describe('findBinary', () => {
  it('searches PATH first, in order, then the distribution directories', () => {
    const first = executable('a', 'mariadbd');
    executable('b', 'mariadbd');
    const sbin = executable('sbin', 'postgres');
    const env = { PATH: `${join(dir, 'a')}:${join(dir, 'b')}` };
    expect(findBinary('mariadbd', env, [join(dir, 'sbin')])).toBe(first);
    expect(findBinary('postgres', env, [join(dir, 'sbin')])).toBe(sbin);
  });

  it('honours a PATH without the binary, which is how a missing binary is tested', () => {
    executable('sbin', 'mariadbd');
    expect(findBinary('mariadbd', { PATH: join(dir, 'empty') }, [])).toBeUndefined();
  });

  it('ignores files that are not executable', () => {
    mkdirSync(join(dir, 'a'));
    writeFileSync(join(dir, 'a', 'initdb'), '');
    expect(findBinary('initdb', { PATH: join(dir, 'a') }, [])).toBeUndefined();
  });

  it('prefers JAVA_HOME for java', () => {
    const home = executable('jdk/bin', 'java');
    executable('a', 'java');
    expect(findBinary('java', { PATH: join(dir, 'a'), JAVA_HOME: join(dir, 'jdk') }, [])).toBe(home);
  });
});

describe('requireBinaries', () => {
  it('returns every path when all are present', () => {
    const mvn = executable('a', 'mvn');
    expect(requireBinaries(['mvn'], { PATH: join(dir, 'a') }, [])).toEqual({ mvn });
  });

  it('names all missing binaries and the Debian packages to install in one error', () => {
    executable('a', 'java');
    let error: (Error & { code?: string }) | undefined;
    try {
      requireBinaries(['java', 'mariadbd', 'mariadb-install-db', 'initdb'], { PATH: join(dir, 'a') }, ['/nowhere']);
    } catch (e) {
      error = e as Error & { code?: string };
    }
    expect(error?.code).toBe('LAB_MISSING_BINARY');
    expect(error?.message).toContain('mariadbd, mariadb-install-db, initdb');
    expect(error?.message).toContain('apt-get install mariadb-server postgresql');
    expect(error?.message).toContain('/nowhere');
    expect(error?.message).not.toContain('java,');
  });
});

describe('defaultExtraBinDirs', () => {
  it('lists sbin directories and PostgreSQL majors newest first', () => {
    mkdirSync(join(dir, 'pg', '13'), { recursive: true });
    mkdirSync(join(dir, 'pg', '15'), { recursive: true });
    mkdirSync(join(dir, 'pg', 'common'), { recursive: true });
    const dirs = defaultExtraBinDirs({}, join(dir, 'pg'));
    expect(dirs).toContain('/usr/sbin');
    expect(dirs.filter((d) => d.startsWith(dir))).toEqual([join(dir, 'pg', '15', 'bin'), join(dir, 'pg', '13', 'bin')]);
  });

  it('is replaced by FERRY_LAB_BIN_DIRS, which may be empty', () => {
    expect(defaultExtraBinDirs({ FERRY_LAB_BIN_DIRS: '/x:/y' })).toEqual(['/x', '/y']);
    expect(defaultExtraBinDirs({ FERRY_LAB_BIN_DIRS: '' })).toEqual([]);
  });
});

describe('Java version', () => {
  it('parses the formats java -version prints', () => {
    expect(parseJavaMajor('openjdk version "17.0.15" 2025-04-15')?.major).toBe(17);
    expect(parseJavaMajor('java version "1.8.0_392"')?.major).toBe(8);
    expect(parseJavaMajor('openjdk version "21" 2023-09-19')?.major).toBe(21);
    expect(parseJavaMajor('openjdk version "22-ea" 2024-03-19')?.major).toBe(22);
    expect(parseJavaMajor('no version here')).toBeUndefined();
  });

  it('rejects Java older than 17 with LAB_JAVA_TOO_OLD naming the binary', async () => {
    const java = executable('old', 'java', `echo 'openjdk version "11.0.2" 2019-01-15' >&2`);
    await expect(assertJavaVersion(java)).rejects.toMatchObject({ code: 'LAB_JAVA_TOO_OLD', message: expect.stringContaining(java) });
    const ok = executable('new', 'java', `echo 'openjdk version "17.0.1" 2021-10-19' >&2`);
    await expect(assertJavaVersion(ok)).resolves.toBeUndefined();
  });
});
