import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { buildState, recordBuild, sourceFingerprint } from './buildFreshness';

describe('build freshness for npm start', () => {
  const roots: string[] = [];
  afterEach(() => {
    for (const root of roots.splice(0)) rmSync(root, { recursive: true, force: true });
  });

  function project(): string {
    const root = mkdtempSync(join(tmpdir(), 'ferry-build-'));
    roots.push(root);
    mkdirSync(join(root, 'src', 'engine'), { recursive: true });
    writeFileSync(join(root, 'src', 'engine', 'a.ts'), 'export const a = 1;\n');
    writeFileSync(join(root, 'package.json'), '{}\n');
    return root;
  }

  function built(root: string): void {
    for (const dir of ['renderer', 'main']) mkdirSync(join(root, 'out', dir), { recursive: true });
    writeFileSync(join(root, 'out', 'renderer', 'index.html'), '');
    writeFileSync(join(root, 'out', 'main', 'index.js'), '');
    recordBuild(root, sourceFingerprint(root));
  }

  it('needs a build without outputs or a record of the last one, and none after it', () => {
    const root = project();
    expect(buildState(root)).toEqual({ current: false, reason: `${join('out', 'renderer', 'index.html')} is missing` });
    built(root);
    expect(buildState(root)).toEqual({ current: true });
  });

  it('needs one again when a source changes, not when only a test does', () => {
    const root = project();
    built(root);
    writeFileSync(join(root, 'src', 'engine', 'a.test.ts'), 'test\n');
    expect(buildState(root)).toEqual({ current: true });
    writeFileSync(join(root, 'src', 'engine', 'a.ts'), 'export const a = 2;\n');
    expect(buildState(root)).toEqual({ current: false, reason: 'sources changed since the last build' });
  });
});
