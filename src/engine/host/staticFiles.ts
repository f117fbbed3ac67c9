import { readFile, stat } from 'node:fs/promises';
import { extname, join, normalize, resolve, sep } from 'node:path';

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.ttf': 'font/ttf',
  '.map': 'application/json; charset=utf-8',
};

export interface StaticFile {
  body: Buffer;
  contentType: string;
}

/**
 * Resolves a URL path inside `root`, refusing anything that escapes it. Unknown paths fall back to
 * index.html so the single-page app can own its routes.
 */
export async function readStaticFile(root: string, urlPath: string): Promise<StaticFile | undefined> {
  const absoluteRoot = resolve(root);
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath.split('?')[0] ?? '/');
  } catch {
    return undefined;
  }
  const candidate = resolve(join(absoluteRoot, normalize(decoded)));
  if (candidate !== absoluteRoot && !candidate.startsWith(absoluteRoot + sep)) return undefined;
  const file = (await isFile(candidate)) ? candidate : join(absoluteRoot, 'index.html');
  if (!(await isFile(file))) return undefined;
  return { body: await readFile(file), contentType: CONTENT_TYPES[extname(file)] ?? 'application/octet-stream' };
}

async function isFile(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}
