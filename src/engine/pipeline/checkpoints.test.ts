import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parsePipelineFile } from '../config';
import { CheckpointStore } from '../store';
import type { SourcePositions } from '../connectors/port';
import { CheckpointFlusher } from './checkpoints';

const dirs: string[] = [];
function scratch(): string {
  const dir = mkdtempSync(join(tmpdir(), 'ferry-checkpoints-'));
  dirs.push(dir);
  return dir;
}
afterEach(() => dirs.splice(0).forEach((dir) => rmSync(dir, { recursive: true, force: true })));

function onDisk(store: CheckpointStore): unknown {
  try {
    return JSON.parse(readFileSync(store.file, 'utf8'));
  } catch {
    return undefined;
  }
}

describe('checkpoints recorded in memory, flushed periodically', () => {
  it('records without writing; a flush writes durably (0600, no temp file left) and a new store reads it', async () => {
    const dir = scratch();
    const store = new CheckpointStore('orders', dir);
    store.record('src', { 'table:orders': { incrementing: '5' } });
    expect(store.positions('src')).toEqual({ 'table:orders': { incrementing: '5' } });
    expect(onDisk(store)).toBeUndefined();
    expect(store.dirty).toBe(true);
    await store.flush();
    expect(store.dirty).toBe(false);
    expect(statSync(store.file).mode & 0o777).toBe(0o600);
    expect(readdirSync(join(store.file, '..')).filter((name) => name.endsWith('.tmp'))).toEqual([]);
    expect(new CheckpointStore('orders', dir).positions('src')).toEqual({ 'table:orders': { incrementing: '5' } });
  });

  it('overlapping flushes end with the newest positions on disk', async () => {
    const store = new CheckpointStore('orders', scratch());
    const flushes: Promise<void>[] = [];
    for (let id = 1; id <= 20; id++) {
      store.record('src', { log: { pos: id } });
      flushes.push(store.flush());
    }
    await Promise.all(flushes);
    expect(onDisk(store)).toMatchObject({ sources: { src: { log: { pos: 20 } } } });
  });

  it('a reset during a flush is not undone by the older flush', async () => {
    const store = new CheckpointStore('orders', scratch());
    store.record('src', { log: { pos: 1 } });
    const flushing = store.flush();
    store.reset('src');
    await flushing;
    expect(onDisk(store)).toEqual({ version: 1, sources: {} });
  });

  it('tells a connector its positions only once they are on disk, once per change', async () => {
    const store = new CheckpointStore('orders', scratch());
    const flusher = new CheckpointFlusher(store, 60_000);
    try {
      const committed: { positions: SourcePositions; onDisk: unknown }[] = [];
      const checkpoints = flusher.forConnector('src', (positions) => {
        committed.push({ positions, onDisk: onDisk(store) });
        return Promise.resolve();
      });
      await flusher.flush();
      expect(committed).toEqual([]);
      checkpoints.record({ log: { pos: 7 } });
      expect(committed).toEqual([]);
      await checkpoints.flush();
      expect(committed).toEqual([{ positions: { log: { pos: 7 } }, onDisk: { version: 1, sources: { src: { log: { pos: 7 } } } } }]);
      await flusher.flush();
      expect(committed).toHaveLength(1);
    } finally {
      flusher.dispose();
    }
  });

  it('flushes on its interval without being asked', async () => {
    const store = new CheckpointStore('orders', scratch());
    const flusher = new CheckpointFlusher(store, 20);
    try {
      flusher.forConnector('src', () => Promise.resolve()).record({ log: { pos: 3 } });
      for (let waited = 0; onDisk(store) === undefined && waited < 2000; waited += 10) await new Promise((resolve) => setTimeout(resolve, 10));
      expect(onDisk(store)).toMatchObject({ sources: { src: { log: { pos: 3 } } } });
    } finally {
      flusher.dispose();
    }
  });

  it('offset.flush.interval.ms is the pipeline file\'s (Connect\'s worker key), 1 s by default, bad values named', () => {
    const file = (extra: Record<string, unknown>): string =>
      JSON.stringify({
        name: 'flush',
        kafka: { 'bootstrap.servers': '127.0.0.1:9092' },
        ...extra,
        connectors: [{ name: 'src', 'connector.class': 'MySqlSource', 'connection.host': 'db', 'connection.port': '3306', 'connection.user': 'u', 'connection.password': 'p', 'db.name': 'shop', mode: 'bulk', 'table.whitelist': 'orders', 'output.data.format': 'JSON' }],
      });
    expect(parsePipelineFile(file({}), 'flush.json').config?.offsetFlushIntervalMs).toBe(1000);
    expect(parsePipelineFile(file({ 'offset.flush.interval.ms': '250' }), 'flush.json').config?.offsetFlushIntervalMs).toBe(250);
    const bad = parsePipelineFile(file({ 'offset.flush.interval.ms': 'soon' }), 'flush.json');
    expect(bad.config).toBeUndefined();
    expect(bad.problems.map((problem) => problem.message).join('\n')).toMatch(/offset\.flush\.interval\.ms/);
  });
});
