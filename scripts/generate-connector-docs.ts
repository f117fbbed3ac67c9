/**
 * Writes docs/connectors/ from the connector definitions in src/engine/config (run: npm run docs:connectors).
 * Files the generator no longer produces are removed, so a renamed class leaves no stale page behind.
 */
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { requireRepoRoot } from '../src/engine/base/repoRoot';
import { connectorDocs } from '../src/engine/config/docs';

const dir = join(requireRepoRoot(), 'docs', 'connectors');
mkdirSync(dir, { recursive: true });
const files = connectorDocs();
for (const name of readdirSync(dir)) {
  if (!files.has(name)) {
    rmSync(join(dir, name));
    process.stdout.write(`removed docs/connectors/${name}\n`);
  }
}
for (const [name, content] of files) writeFileSync(join(dir, name), content);
process.stdout.write(`wrote ${files.size} files to docs/connectors/\n`);
