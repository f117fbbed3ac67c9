import type { BrowseBatch, BrowsedRecord, BrowseProgress } from '../../../../shared/api';
import { MAX_ROWS } from './rowBuffer';

interface HeldSession {
  /** In arrival order; only the newest `maxRecords`, as the row buffer would keep them. */
  records: BrowsedRecord[];
  /** Records dropped from the front because of that cap. */
  dropped: number;
  /** The latest progress: a batch's counts replace the previous ones. */
  progress: BrowseProgress;
}

/** What a claimed session's held batches amount to: applying `batch` equals applying them one by one. */
export interface ClaimedBatches {
  batch: BrowseBatch;
  /** Records that were held past the cap and dropped, for the row buffer's count of dropped rows. */
  droppedRecords: number;
}

/**
 * Batches of reads whose session the pane does not know yet. The engine may send a short read's records (all of them,
 * and its final counts) before the answer to `browse()` naming the session reaches the pane, so while a read is being
 * started the batches of unknown sessions are held, and the session the answer names claims its own.
 *
 * The rest are never claimed: they are dropped when no start is pending any more, a retired session's (a read the pane
 * stopped or left) on arrival, and the memory is bounded meanwhile (an answer may never come if the engine goes away,
 * while another read of the engine keeps sending).
 */
export class EarlyBatches {
  private readonly sessions = new Map<string, HeldSession>();
  private readonly retired: string[] = [];
  private pendingStarts = 0;

  constructor(
    private readonly maxRecordsPerSession = MAX_ROWS,
    private readonly maxSessions = 4,
    private readonly maxRetired = 16,
  ) {}

  /** A read is being started: from now until its answer, unknown sessions' batches are held. */
  beginStart(): void {
    this.pendingStarts++;
  }

  /** A start ended (answered, failed or superseded): once none is pending, nothing is left to claim what is held. */
  endStart(): void {
    this.pendingStarts = Math.max(0, this.pendingStarts - 1);
    if (this.pendingStarts === 0) this.sessions.clear();
  }

  /** The pane is done with this session (stopped, replaced, or an answer that came too late): drop its batches. */
  retire(sessionId: string): void {
    this.sessions.delete(sessionId);
    if (this.retired.includes(sessionId)) return;
    this.retired.push(sessionId);
    if (this.retired.length > this.maxRetired) this.retired.shift();
  }

  /** A batch of a session the pane does not show. */
  hold(batch: BrowseBatch): void {
    if (this.pendingStarts === 0 || this.retired.includes(batch.sessionId)) return;
    const { records, ...progress } = batch;
    let session = this.sessions.get(batch.sessionId);
    if (!session) {
      // A new session beyond the bound evicts the one held longest: the read being started sends as soon as it starts,
      // so the oldest unknown sessions are the least likely to be it.
      if (this.sessions.size >= this.maxSessions) {
        const oldest = this.sessions.keys().next();
        if (!oldest.done) this.sessions.delete(oldest.value);
      }
      session = { records: [], dropped: 0, progress };
      this.sessions.set(batch.sessionId, session);
    }
    for (const record of records) session.records.push(record);
    const over = session.records.length - this.maxRecordsPerSession;
    if (over > 0) {
      session.records.splice(0, over);
      session.dropped += over;
    }
    session.progress = progress;
  }

  /** Takes what is held for the session the answer named; the other sessions stay held for the starts still pending. */
  claim(sessionId: string): ClaimedBatches | undefined {
    const session = this.sessions.get(sessionId);
    if (!session) return undefined;
    this.sessions.delete(sessionId);
    return { batch: { ...session.progress, records: session.records }, droppedRecords: session.dropped };
  }

  /** Forgets everything held (the pane closed: nothing will be shown of it). */
  clear(): void {
    this.sessions.clear();
  }

  get heldSessions(): number {
    return this.sessions.size;
  }

  get heldRecords(): number {
    let count = 0;
    for (const session of this.sessions.values()) count += session.records.length;
    return count;
  }
}
