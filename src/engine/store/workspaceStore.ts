import { readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { readJsonFile, writeJsonFileDurably } from './jsonFile';
import { defaultDataDir, safeFileName } from './paths';

/** One saved pipeline file as it lies on disk: the text with its secrets already masked by the caller. */
export interface StoredPipelineFile {
  version: 1;
  name: string;
  savedAt: string;
  text: string;
}

/**
 * The user's workspace: pipeline files saved from the editor, one JSON file each under
 * `<data dir>/workspace/pipelines/`. The store writes what it is given; callers mask secrets first (they are never
 * written to disk in clear).
 */
export class WorkspaceStore {
  private readonly dir: string;

  constructor(dataDir: string = defaultDataDir()) {
    this.dir = join(dataDir, 'workspace', 'pipelines');
  }

  private pathOf(name: string): string {
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
    const value = readJsonFile(path) as Partial<StoredPipelineFile> | undefined;
    if (value?.version !== 1 || typeof value.name !== 'string' || typeof value.text !== 'string') return undefined;
    return { version: 1, name: value.name, savedAt: typeof value.savedAt === 'string' ? value.savedAt : '', text: value.text };
  }

  save(name: string, maskedText: string, now = new Date()): StoredPipelineFile {
    const file: StoredPipelineFile = { version: 1, name, savedAt: now.toISOString(), text: maskedText };
    writeJsonFileDurably(this.pathOf(name), file);
    return file;
  }

  delete(name: string): boolean {
    const path = this.pathOf(name);
    const existed = this.read(name) !== undefined;
    rmSync(path, { force: true });
    return existed;
  }
}
