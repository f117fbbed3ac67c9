import { join } from 'node:path';
import type { Position } from '../model';
import { readJsonFile, writeJsonFileDurably } from './jsonFile';
import { defaultDataDir, safeFileName } from './paths';

interface CheckpointFile {
  version: 1;
  /** connector name → source partition key (e.g. a table) → position. */
  sources: Record<string, Record<string, Position>>;
}

/**
 * Source positions of one pipeline, saved durably. Callers save a position only after Kafka acknowledged every
 * record up to it (architecture §5), so after a crash the source resumes at or before what Kafka holds.
 * Sinks keep their progress as committed consumer offsets in Kafka, not here.
 */
export class CheckpointStore {
  private readonly path: string;
  private state: CheckpointFile;

  constructor(pipelineName: string, dataDir: string = defaultDataDir()) {
    this.path = join(dataDir, 'pipelines', safeFileName(pipelineName), 'checkpoints.json');
    const loaded = readJsonFile(this.path) as CheckpointFile | undefined;
    this.state = loaded?.version === 1 ? loaded : { version: 1, sources: {} };
  }

  get file(): string {
    return this.path;
  }

  positions(connector: string): Readonly<Record<string, Position>> {
    return this.state.sources[connector] ?? {};
  }

  /** Saves several positions of one connector in one durable write. */
  save(connector: string, positions: Readonly<Record<string, Position>>): void {
    this.state = {
      ...this.state,
      sources: { ...this.state.sources, [connector]: { ...this.state.sources[connector], ...positions } },
    };
    writeJsonFileDurably(this.path, this.state);
  }

  /** Forgets a connector's positions: its next start reads from the beginning. */
  reset(connector?: string): void {
    if (connector === undefined) this.state = { version: 1, sources: {} };
    else {
      const { [connector]: _dropped, ...rest } = this.state.sources;
      this.state = { ...this.state, sources: rest };
    }
    writeJsonFileDurably(this.path, this.state);
  }
}
