import { readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { writeTextFileDurably } from './jsonFile';
import { defaultDataDir, safeFileName } from './paths';

/** One saved pipeline file: its text (secrets already masked by the caller), name and time of the last save. */
export interface StoredPipelineFile {
  version: 1;
  name: string;
  savedAt: string;
  text: string;
}

/**
 * The user's workspace: pipeline files saved from the editor, one file each under `<data dir>/workspace/pipelines/`,
 * written as the pipeline text itself so `ferry run <that file>` runs it as it is. The store writes what it is given;
 * callers mask secrets first (they are never written to disk in clear). Files saved before this format wrapped the
 * text as `{ version, name, savedAt, text }`; they are still read.
 */
export class WorkspaceStore {
  private readonly dir: string;

  constructor(dataDir: string = defaultDataDir()) {
    this.dir = join(dataDir, 'workspace', 'pipelines');
  }

  /** Where the file of pipeline `name` lies (for "ferry run <path>" hints). */
  pathOf(name: string): string {
    return join(this.dir, `${safeFileName(name)}.json`);
  }

  list(): StoredPipelineFile[] {
    let entries: string[];
    try {
      entries = readdirSync(this.dir).filter((entry) => entry.endsWith('.json'));
    } catch {
      return [];
    }
    const files: StoredPipelineFile[] = [];
    for (const entry of entries) {
      const file = this.readPath(join(this.dir, entry));
      if (file) files.push(file);
    }
    return files.sort((a, b) => a.name.localeCompare(b.name));
  }

  read(name: string): StoredPipelineFile | undefined {
    return this.readPath(this.pathOf(name));
  }

  private readPath(path: string): StoredPipelineFile | undefined {
    let text: string;
    let savedAt: string;
    try {
      text = readFileSync(path, 'utf8');
      savedAt = statSync(path).mtime.toISOString();
    } catch {
      return undefined;
    }
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      // A file the user broke by hand still opens in the editor, named after the file.
      return { version: 1, name: basename(path).replace(/\.json$/i, ''), savedAt, text };
    }
    const legacy = value as Partial<StoredPipelineFile> | null;
    if (legacy !== null && typeof legacy === 'object' && legacy.version === 1 && typeof legacy.name === 'string' && typeof legacy.text === 'string' && !('connectors' in legacy)) {
      return { version: 1, name: legacy.name, savedAt: typeof legacy.savedAt === 'string' ? legacy.savedAt : savedAt, text: legacy.text };
    }
    const named = (value as { name?: unknown } | null)?.name;
    return { version: 1, name: typeof named === 'string' && named.trim() !== '' ? named.trim() : basename(path).replace(/\.json$/i, ''), savedAt, text };
  }

  save(name: string, maskedText: string, now = new Date()): StoredPipelineFile {
    writeTextFileDurably(this.pathOf(name), maskedText.endsWith('\n') ? maskedText : `${maskedText}\n`);
    return { version: 1, name, savedAt: now.toISOString(), text: maskedText };
  }

  delete(name: string): boolean {
    const path = this.pathOf(name);
    const existed = this.read(name) !== undefined;
    rmSync(path, { force: true });
    return existed;
  }
}
