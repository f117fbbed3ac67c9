/** One chunk a sink applied: one target transaction holding a run of offsets of one partition. */
export interface AppliedChunk {
  topic: string;
  partition: number;
  /** Offsets as kafkajs gives them (decimal text). */
  firstOffset: string;
  lastOffset: string;
  /** Epoch ms when the target transaction committed. */
  committedAtMs: number;
  targetTable: string;
  records: number;
  /** Offsets inside the range that went to the dead letter topic instead (errors.tolerance=all). */
  deadLettered: string[];
}

/** Chunks kept per sink: ~100 bytes each, so at most a few hundred kilobytes however long the sink runs. */
export const APPLIED_LOG_CAPACITY = 4096;
/** Dead-lettered offsets kept per chunk (a chunk where everything failed is summarised by its first few). */
const MAX_DEAD_LETTERED_PER_CHUNK = 64;

/**
 * A bounded, in-memory log of what a sink applied, for tracing a row to the write that applied it. A ring buffer:
 * the oldest chunk goes when a new one arrives at capacity, so a long-running sink costs constant memory.
 */
export class AppliedLog {
  private readonly chunks: (AppliedChunk | undefined)[];
  private next = 0;
  private size = 0;

  constructor(private readonly capacity = APPLIED_LOG_CAPACITY) {
    this.chunks = new Array<AppliedChunk | undefined>(capacity);
  }

  add(chunk: AppliedChunk): void {
    const deadLettered = chunk.deadLettered.length > MAX_DEAD_LETTERED_PER_CHUNK ? chunk.deadLettered.slice(0, MAX_DEAD_LETTERED_PER_CHUNK) : chunk.deadLettered;
    this.chunks[this.next] = { ...chunk, deadLettered };
    this.next = (this.next + 1) % this.capacity;
    this.size = Math.min(this.size + 1, this.capacity);
  }

  /** The chunk that holds `offset` of `topic[partition]`, newest first (a re-applied chunk after a failed commit wins). */
  find(topic: string, partition: number, offset: string): AppliedChunk | undefined {
    const wanted = BigInt(offset);
    for (let index = 0; index < this.size; index++) {
      const chunk = this.chunks[(this.next - 1 - index + this.capacity) % this.capacity];
      if (!chunk || chunk.topic !== topic || chunk.partition !== partition) continue;
      if (BigInt(chunk.firstOffset) <= wanted && wanted <= BigInt(chunk.lastOffset)) return chunk;
    }
    return undefined;
  }

  /** Oldest first. */
  entries(): AppliedChunk[] {
    const out: AppliedChunk[] = [];
    for (let index = this.size - 1; index >= 0; index--) {
      const chunk = this.chunks[(this.next - 1 - index + this.capacity) % this.capacity];
      if (chunk) out.push(chunk);
    }
    return out;
  }

  get length(): number {
    return this.size;
  }
}
