import { dirname } from 'node:path';
import type { SourcePositions } from '../connectors/port';
import type { CheckpointStore } from '../store';
import type { IDisposable } from '../../shared/lifecycle';
import { createLogger } from '../base/logger';

/** Connect's `offset.flush.interval.ms` is 60 s; a desktop tool that may be closed any moment flushes every second (config/pipelineKeys.ts). */
export const DEFAULT_OFFSET_FLUSH_INTERVAL_MS = 1_000;

/** One source connector's view of the pipeline's checkpoints. */
export interface ConnectorCheckpoints {
  /** The latest acknowledged positions (in memory, possibly newer than the file). */
  positions(): SourcePositions;
  /** Positions Kafka acknowledged everything up to; durable with the next flush. */
  record(positions: SourcePositions): void;
  /** Forgets the connector's positions, durably at once. */
  reset(): void;
  /** Writes now (at stop) and tells the connector what is durable. */
  flush(): Promise<void>;
  /** The pipeline's state directory (beside the checkpoint file), for state a connector keeps itself (a schema history). */
  readonly stateDir: string;
}

/**
 * Flushes the pipeline's checkpoint file at most once per interval and on demand, off the event loop, and then
 * tells each source what is durable (a log source confirms it to the database only then, as Debezium does on
 * offset commit). A crash loses at most one interval of checkpoints: those records are read and produced again
 * (at-least-once, as Connect), never skipped, since only acknowledged positions are ever recorded.
 */
export class CheckpointFlusher implements IDisposable {
  private readonly committedListeners = new Map<string, (positions: SourcePositions) => Promise<void>>();
  private readonly lastCommitted = new Map<string, SourcePositions>();
  private readonly timer: NodeJS.Timeout;
  private readonly log = createLogger('checkpoints');

  constructor(
    private readonly store: CheckpointStore,
    readonly intervalMs: number = DEFAULT_OFFSET_FLUSH_INTERVAL_MS,
  ) {
    this.timer = setInterval(() => {
      this.flush().catch((error: unknown) => this.log.warn('checkpoint flush failed; retrying at the next interval', { file: store.file, error: String(error) }));
    }, intervalMs);
    this.timer.unref();
  }

  forConnector(name: string, onCommitted: (positions: SourcePositions) => Promise<void>): ConnectorCheckpoints {
    this.committedListeners.set(name, onCommitted);
    return {
      positions: () => this.store.positions(name),
      record: (positions) => this.store.record(name, positions),
      reset: () => {
        this.store.reset(name);
        this.lastCommitted.delete(name);
      },
      flush: () => this.flush(),
      stateDir: dirname(this.store.file),
    };
  }

  /** Writes what is recorded and hands each connector its durable positions when they moved. */
  async flush(): Promise<void> {
    // Taken before the write starts: the write holds these or newer ones, so they are durable once it resolves.
    const durable = [...this.committedListeners.keys()].map((name) => [name, this.store.positions(name)] as const);
    await this.store.flush();
    for (const [name, positions] of durable) {
      if (this.lastCommitted.get(name) === positions || Object.keys(positions).length === 0) continue;
      this.lastCommitted.set(name, positions);
      await this.committedListeners.get(name)?.(positions).catch((error: unknown) => this.log.warn('a source could not confirm its checkpoint', { connector: name, error: String(error) }));
    }
  }

  dispose(): void {
    clearInterval(this.timer);
  }
}
