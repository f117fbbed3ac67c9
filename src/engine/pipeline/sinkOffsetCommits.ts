import type { DurableOffset } from '../connectors/port';
import { Backoff, type BackoffPolicy } from '../base/backoff';

/** Retrying a commit Kafka did not take while no new chunk asks for one: 0.5 s growing to 10 s. */
const COMMIT_RETRY_BACKOFF: BackoffPolicy = { initialMs: 500, maxMs: 10_000, jitter: 'full' };

export interface OffsetCommitsInit {
  /** Sends one OffsetCommit for these offsets (the next offset to read per partition); throws when Kafka refuses. */
  commit: (offsets: readonly DurableOffset[]) => Promise<void>;
  /** A commit failed: the offsets stay pending and are tried again with the next chunk or after a pause. */
  failed: (error: unknown) => void;
  /** A commit went through after one had failed. */
  recovered: () => void;
  signal: AbortSignal;
}

/**
 * A sink's consumer offsets, committed off the sink's critical path: the next chunk is applied while the previous
 * chunk's offset commit travels to the broker. Offsets are only ever added after the target transaction holding the
 * records committed, and only grow per partition; one OffsetCommit is in flight at a time, carrying the newest offset
 * of every partition that waits (so commits never go backwards and a slow broker coalesces them instead of queueing
 * one request per chunk). A commit Kafka refuses is tried again with the next chunk, or after a pause when none comes:
 * the rows are in the target, and records fetched again are skipped by the task (appliedThrough).
 */
export class SinkOffsetCommits {
  private readonly pending = new Map<string, DurableOffset>();
  /** Per partition, the highest offset ever added: a chunk fetched again after a rejoin must not move a commit back. */
  private readonly highest = new Map<string, bigint>();
  private sending: Promise<void> | undefined;
  private retryTimer: NodeJS.Timeout | undefined;
  private readonly backoff = new Backoff(COMMIT_RETRY_BACKOFF);
  /** The last attempt's error while it is not followed by a success (or forgotten, see forgetFailure). */
  failure: unknown;
  /** A commit failed and none went through since: the next success calls `recovered`. */
  private degraded = false;
  /** Joins so far: a commit sent in an earlier generation that fails afterwards is no news. */
  private joins = 0;

  constructor(private readonly init: OffsetCommitsInit) {}

  /** Partitions whose applied offset is not committed yet (or being committed). */
  get waiting(): number {
    return this.pending.size;
  }

  /** `nextOffset` (the record after the last applied one) of a partition is due; sent now unless a commit is in flight. */
  add(topic: string, partition: number, nextOffset: bigint): void {
    const key = `${topic}:${partition}`;
    const highest = this.highest.get(key);
    if (highest === undefined || highest < nextOffset) {
      this.highest.set(key, nextOffset);
      this.pending.set(key, { topic, partition, offset: nextOffset.toString() });
    }
    this.send();
  }

  /** Sends what waits now (a rejoin, a stop): the retry pause is skipped. */
  retryNow(): void {
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    this.send();
  }

  /**
   * Resolves once nothing waits, or after one attempt failed (the error stays in `failure`): what stop, a rebalance
   * and a fatal error wait for before handing the consumer back.
   */
  async settle(): Promise<void> {
    this.retryNow();
    while (this.sending) {
      await this.sending;
      if (this.failure !== undefined) return;
      this.send();
    }
  }

  /** The failure was handed to kafkajs (which rejoins): it says nothing any more. */
  forgetFailure(): void {
    this.failure = undefined;
  }

  /**
   * The group was joined again: offsets waiting from the old generation are dropped, not sent (the partition may be
   * another member's now). What this member still owns is fetched again from the committed offset and added again.
   */
  rejoined(): void {
    this.stop();
    this.pending.clear();
    this.highest.clear();
    this.failure = undefined;
    this.joins++;
  }

  stop(): void {
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
  }

  private send(): void {
    if (this.sending || this.retryTimer || this.pending.size === 0) return;
    this.sending = this.sendPending().finally(() => (this.sending = undefined));
  }

  private async sendPending(): Promise<void> {
    while (this.pending.size > 0) {
      const offsets = [...this.pending.values()];
      const joins = this.joins;
      try {
        await this.init.commit(offsets);
      } catch (error) {
        if (joins !== this.joins) continue;
        this.failure = error;
        this.degraded = true;
        this.init.failed(error);
        if (!this.init.signal.aborted) this.retryTimer = setTimeout(() => ((this.retryTimer = undefined), this.send()), this.backoff.next());
        return;
      }
      // Offsets added while the request travelled are newer: they stay for the next round.
      for (const sent of offsets) {
        const key = `${sent.topic}:${sent.partition}`;
        if (this.pending.get(key) === sent) this.pending.delete(key);
      }
      this.failure = undefined;
      if (this.degraded) {
        this.degraded = false;
        this.backoff.reset();
        this.init.recovered();
      }
    }
  }
}
