/**
 * Source positions the destination acknowledged that the source group has not committed yet. An entry leaves only
 * when a commit that carried it succeeded: a failed commit (a rebalance, a coordinator move, the broker away) keeps
 * it for the next attempt, so the copied tail is not read and copied again after a restart.
 */
export interface PartitionOffset {
  topic: string;
  partition: number;
  /** The next source offset to read: one past the last acknowledged record. */
  offset: number;
}

export type CommitOffsets = (offsets: { topic: string; partition: number; offset: string }[]) => Promise<void>;

export class PendingOffsets {
  private readonly pending = new Map<string, PartitionOffset>();
  private committing: Promise<void> | undefined;

  get size(): number {
    return this.pending.size;
  }

  /** Records that everything below `offset` is on the destination; a position never moves back. */
  acknowledge(topic: string, partition: number, offset: number): void {
    const key = `${topic}:${partition}`;
    const known = this.pending.get(key);
    if (known && known.offset >= offset) return;
    this.pending.set(key, { topic, partition, offset });
  }

  entries(): PartitionOffset[] {
    return [...this.pending.values()].map((entry) => ({ ...entry }));
  }

  /**
   * Commits every pending position with `send` (one commit at a time: a call made while one runs waits for it and
   * then commits what is still pending). Throws what `send` threw; the positions stay pending then.
   */
  async commit(send: CommitOffsets): Promise<void> {
    while (this.committing) await this.committing.catch(() => undefined);
    if (this.pending.size === 0) return;
    const sent = this.entries();
    this.committing = send(sent.map((entry) => ({ topic: entry.topic, partition: entry.partition, offset: String(entry.offset) })));
    try {
      await this.committing;
    } finally {
      this.committing = undefined;
    }
    for (const entry of sent) {
      const key = `${entry.topic}:${entry.partition}`;
      // A newer acknowledgement that arrived during the commit stays for the next one.
      if (this.pending.get(key)?.offset === entry.offset) this.pending.delete(key);
    }
  }
}
