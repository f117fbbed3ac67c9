import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { findRepoRoot } from '../base/repoRoot';
import { defaultCacheDir, defaultLabDir, defaultPomPath, labPaths, serviceDir, serviceLogFile } from './paths';

describe('defaultLabDir', () => {
  it('honours FERRY_LAB_DIR first', () => {
    expect(defaultLabDir({ FERRY_LAB_DIR: '/srv/lab' }, 0, '/home/u')).toBe('/srv/lab');
  });

  it('keeps root out of /root, which the postgres user cannot traverse', () => {
    expect(defaultLabDir({}, 0, '/root')).toBe('/var/lib/ferry/lab');
  });

  it('uses XDG_DATA_HOME or ~/.local/share for other users', () => {
    expect(defaultLabDir({ XDG_DATA_HOME: '/data' }, 1000, '/home/u')).toBe('/data/ferry/lab');
    expect(defaultLabDir({}, 1000, '/home/u')).toBe('/home/u/.local/share/ferry/lab');
  });
});

describe('defaultCacheDir', () => {
  it('honours FERRY_CACHE_DIR, then XDG_CACHE_HOME, then ~/.cache', () => {
    expect(defaultCacheDir({ FERRY_CACHE_DIR: '/c' }, '/home/u')).toBe('/c');
    expect(defaultCacheDir({ XDG_CACHE_HOME: '/x' }, '/home/u')).toBe('/x/ferry');
    expect(defaultCacheDir({}, '/home/u')).toBe('/home/u/.cache/ferry');
  });
});

describe('repo root and pom', () => {
  it('finds the ferry package from this module and the pinned Kafka pom in it', () => {
    const root = findRepoRoot();
    expect(root).toBeDefined();
    expect(existsSync(join(root ?? '', 'package.json'))).toBe(true);
    expect(defaultPomPath()).toBe(join(root ?? '', 'resources', 'kafka-runtime', 'pom.xml'));
    expect(existsSync(defaultPomPath() ?? '')).toBe(true);
  });

  it('gives up at the filesystem root outside the repo', () => {
    expect(findRepoRoot(pathToFileURL('/tmp/somewhere/x.js').href)).toBeUndefined();
  });
});

describe('labPaths', () => {
  it('puts each service in its own directory, which is also how its processes are recognised', () => {
    const paths = labPaths('/lab');
    expect(serviceDir(paths, 'kafka-a')).toBe('/lab/kafka-a');
    expect(serviceLogFile(paths, 'kafka-a')).toBe('/lab/kafka-a/logs/server.log');
    expect(serviceLogFile(paths, 'mariadb')).toBe('/lab/mariadb/error.log');
    expect(serviceLogFile(paths, 'postgres')).toBe('/lab/postgres/postgres.log');
    expect(paths.stateFile).toBe('/lab/lab.json');
  });
});
