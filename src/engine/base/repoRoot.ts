import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The Ferry checkout (or installed package) root: the nearest ancestor holding Ferry's package.json.
 * Works from sources run by tsx and from the bundles under out/, which sit at different depths.
 */
export function findRepoRoot(from: string = fileURLToPath(import.meta.url)): string {
  let dir = dirname(from);
  for (;;) {
    const candidate = join(dir, 'package.json');
    if (existsSync(candidate)) {
      try {
        const parsed = JSON.parse(readFileSync(candidate, 'utf8')) as { name?: unknown };
        if (parsed.name === 'ferry') return dir;
      } catch {
        // An unreadable package.json is not ours; keep walking up.
      }
    }
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`Cannot find Ferry's package.json above ${from}`);
    dir = parent;
  }
}
