import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { requireRepoRoot } from '../base/repoRoot';
import { CONNECTOR_CLASSES } from './connectors/index';
import { connectorDocs } from './docs';

const dir = join(requireRepoRoot(), 'docs', 'connectors');
const STALE = 'docs/connectors is out of date: run `npm run docs:connectors` and commit the result';

describe('generated connector docs', () => {
  const files = connectorDocs();

  it('has a README, a page per connector class and the editor schema', () => {
    expect([...files.keys()].sort()).toEqual(['README.md', 'pipeline.schema.json', ...CONNECTOR_CLASSES.map((c) => `${c.name}.md`)].sort());
  });

  it.each([...files.keys()])('%s matches what the generator produces', (name) => {
    const path = join(dir, name);
    expect(existsSync(path), `${STALE} (${name} is missing)`).toBe(true);
    expect(readFileSync(path, 'utf8'), STALE).toBe(files.get(name));
  });

  it('has no files the generator no longer produces', () => {
    expect(readdirSync(dir).filter((name) => !files.has(name)), STALE).toEqual([]);
  });

  it('documents keys, checks and pitfalls on each page', () => {
    const page = files.get('PostgresSink.md') ?? '';
    expect(page).toContain('| `batch.size` | int ≥ 1 | `3000` |');
    expect(page).toContain('Also accepted as `batch.sizes`.');
    expect(page).toContain('`sink.delete-needs-record-key`');
    expect(page).toContain('## Pitfalls');
    expect(files.get('README.md')).toContain('## Merge rules');
  });
});
