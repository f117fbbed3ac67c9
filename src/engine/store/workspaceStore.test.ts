import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { WorkspaceStore } from './workspaceStore';

describe('WorkspaceStore', () => {
  const dirs: string[] = [];
  const fresh = (): string => {
    const dir = mkdtempSync(join(tmpdir(), 'ferry-workspace-'));
    dirs.push(dir);
    return dir;
  };
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  it('writes the pipeline text itself, so the file is a pipeline file ferry run takes', () => {
    const store = new WorkspaceStore(fresh());
    const text = '{\n  "name": "orders",\n  "connectors": []\n}';
    store.save('orders', text);
    expect(readFileSync(store.pathOf('orders'), 'utf8')).toBe(`${text}\n`);
    const [file] = store.list();
    expect(file?.name).toBe('orders');
    expect(file?.text).toBe(`${text}\n`);
    expect(Date.parse(file?.savedAt ?? '')).toBeGreaterThan(0);
  });

  it('still reads files saved in the old {version, name, savedAt, text} wrapper', () => {
    const dataDir = fresh();
    const store = new WorkspaceStore(dataDir);
    store.save('placeholder', '{}');
    writeFileSync(store.pathOf('legacy'), JSON.stringify({ version: 1, name: 'legacy', savedAt: '2026-01-02T03:04:05.000Z', text: '{"name":"legacy"}' }));
    expect(store.read('legacy')).toEqual({ version: 1, name: 'legacy', savedAt: '2026-01-02T03:04:05.000Z', text: '{"name":"legacy"}' });
  });
});
