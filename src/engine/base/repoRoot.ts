import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The Ferry checkout (or installed package) root: the nearest ancestor holding Ferry's package.json.
 * Walks up from a module URL, so it works from the sources (tsx, vitest) and from the bundles under out/ alike.
 */
export function findRepoRoot(fromUrl: string = import.meta.url): string | undefined {
  let dir = dirname(fileURLToPath(fromUrl));
  for (;;) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest)) {
      try {
        const parsed: unknown = JSON.parse(readFileSync(manifest, 'utf8'));
        if (typeof parsed === 'object' && parsed !== null && (parsed as { name?: unknown }).name === 'ferry') return dir;
      } catch {
        // An unreadable package.json belongs to something else; keep walking.
      }
    }
    const parent = dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

/** As findRepoRoot, for callers that cannot work without the checkout (the renderer files, the Electron binary). */
export function requireRepoRoot(): string {
  const root = findRepoRoot();
  if (root === undefined) throw new Error(`Cannot find Ferry's package.json above ${fileURLToPath(import.meta.url)}; run Ferry from its checkout.`);
  return root;
}
