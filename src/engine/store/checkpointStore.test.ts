import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { CheckpointStore } from './checkpointStore';

describe('CheckpointStore', () => {
  const dirs: string[] = [];
  const scratch = (): string => {
    const dir = mkdtempSync(join(tmpdir(), 'ferry-store-'));
    dirs.push(dir);
    return dir;
  };
  afterEach(() => dirs.splice(0).forEach((dir) => rmSync(dir, { recursive: true, force: true })));

  it('keeps positions across instances (a restart of Ferry)', () => {
    const dir = scratch();
    const first = new CheckpointStore('orders pipeline', dir);
    first.save('mysql-source', { 'shop.orders': { incrementing: '9007199254740993', timestamp: 1700000000000 } });
    first.save('mysql-source', { 'shop.customers': { incrementing: '12' } });
    const second = new CheckpointStore('orders pipeline', dir);
    expect(second.positions('mysql-source')).toEqual({
      'shop.orders': { incrementing: '9007199254740993', timestamp: 1700000000000 },
      'shop.customers': { incrementing: '12' },
    });
    expect(second.positions('other')).toEqual({});
  });

  it('writes atomically, readable only by the user, with a safe directory name', () => {
    const dir = scratch();
    const store = new CheckpointStore('../../etc/passwd', dir);
    store.save('s', { t: { incrementing: '1' } });
    expect(store.file.startsWith(join(dir, 'pipelines'))).toBe(true);
    expect(statSync(store.file).mode & 0o777).toBe(0o600);
    expect(readdirSync(join(store.file, '..')).filter((name) => name.endsWith('.tmp'))).toEqual([]);
    expect(JSON.parse(readFileSync(store.file, 'utf8'))).toMatchObject({ version: 1 });
  });

  it('reset forgets one connector or all', () => {
    const store = new CheckpointStore('p', scratch());
    store.save('a', { t: { incrementing: '1' } });
    store.save('b', { t: { incrementing: '2' } });
    store.reset('a');
    expect(store.positions('a')).toEqual({});
    expect(store.positions('b')).toEqual({ t: { incrementing: '2' } });
    store.reset();
    expect(store.positions('b')).toEqual({});
  });

  it('names a corrupt file and says what to do', () => {
    const dir = scratch();
    const store = new CheckpointStore('p', dir);
    store.save('a', {});
    writeFileSync(store.file, '{ torn');
    expect(() => new CheckpointStore('p', dir)).toThrow(/checkpoints\.json is not valid JSON.*Move it aside/);
  });
});
