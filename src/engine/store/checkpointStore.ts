import { mkdir, open, rename } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { Position } from '../model';
import { readJsonFile, writeJsonFileDurably } from './jsonFile';
import { defaultDataDir, safeFileName } from './paths';

interface CheckpointFile {
  version: 1;
  /** connector name → source partition key (e.g. a table) → position. */
  sources: Record<string, Record<string, Position>>;
}

/**
 * Source positions of one pipeline. Callers record a position only after Kafka acknowledged every record up to it
 * (architecture §5), so after a crash the source resumes at or before what Kafka holds. Recording is in memory;
 * `flush` writes the file durably off the event loop, as Connect's offset writer does every
 * `offset.flush.interval.ms` (two fsyncs per acknowledged batch cost 5–13 ms each on the thread the sinks share).
 * Sinks keep their progress as committed consumer offsets in Kafka, not here.
 */
export class CheckpointStore {
  private readonly path: string;
  private state: CheckpointFile;
  /** Bumped by every change; a flush writes the state of one version and the store is clean once that one is on disk. */
  private version = 0;
  private flushedVersion = 0;
  private flushing: Promise<void> | undefined;

  constructor(pipelineName: string, dataDir: string = defaultDataDir()) {
    this.path = join(dataDir, 'pipelines', safeFileName(pipelineName), 'checkpoints.json');
    const loaded = readJsonFile(this.path) as CheckpointFile | undefined;
    this.state = loaded?.version === 1 ? loaded : { version: 1, sources: {} };
  }

  get file(): string {
    return this.path;
  }

  /** The latest recorded positions (possibly not yet flushed). */
  positions(connector: string): Readonly<Record<string, Position>> {
    return this.state.sources[connector] ?? {};
  }

  /** Records positions of one connector in memory; the next `flush` makes them durable. */
  record(connector: string, positions: Readonly<Record<string, Position>>): void {
    this.state = {
      ...this.state,
      sources: { ...this.state.sources, [connector]: { ...this.state.sources[connector], ...positions } },
    };
    this.version++;
  }

  /** Records and writes at once, synchronously (tools and tests; the runner records and flushes periodically). */
  save(connector: string, positions: Readonly<Record<string, Position>>): void {
    this.record(connector, positions);
    this.writeNow();
  }

  /** Recorded changes not yet on disk. */
  get dirty(): boolean {
    return this.version !== this.flushedVersion;
  }

  /**
   * Writes what is recorded now, durably (temp file, fsync, rename, fsync of the folder), without blocking the event
   * loop; resolves when it is on disk. Flushes never overlap: one asked for during another runs after it.
   */
  flush(): Promise<void> {
    const next = (this.flushing ?? Promise.resolve()).then(() => this.writeDurably());
    const tracked = next.catch(() => undefined);
    this.flushing = tracked;
    void tracked.then(() => {
      if (this.flushing === tracked) this.flushing = undefined;
    });
    return next;
  }

  private async writeDurably(): Promise<void> {
    if (!this.dirty) return;
    const version = this.version;
    const text = `${JSON.stringify(this.state, null, 2)}\n`;
    await mkdir(dirname(this.path), { recursive: true, mode: 0o700 });
    // Not the synchronous writer's temp name: a `reset` may write while this runs.
    const temp = `${this.path}.${process.pid}.flush.tmp`;
    const file = await open(temp, 'w', 0o600);
    try {
      await file.writeFile(text);
      await file.sync();
    } finally {
      await file.close();
    }
    await rename(temp, this.path);
    // A synchronous write (reset) of a newer state ran meanwhile: this older one must not stay on disk.
    if (this.flushedVersion > version) {
      this.writeNow();
      return;
    }
    const folder = await open(dirname(this.path), 'r');
    try {
      await folder.sync();
    } finally {
      await folder.close();
    }
    if (version > this.flushedVersion) this.flushedVersion = version;
  }

  private writeNow(): void {
    writeJsonFileDurably(this.path, this.state);
    this.flushedVersion = this.version;
  }

  /** Forgets a connector's positions, durably at once: its next start reads from the beginning. */
  reset(connector?: string): void {
    if (connector === undefined) this.state = { version: 1, sources: {} };
    else {
      const { [connector]: _dropped, ...rest } = this.state.sources;
      this.state = { ...this.state, sources: rest };
    }
    this.version++;
    this.writeNow();
  }
}
