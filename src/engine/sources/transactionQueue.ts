import type { ChangeRecord } from '../model';

/**
 * Committed transactions on their way from a log reader's connection to the task that reads them. Bounded: the
 * reader pauses its connection while the queue is `full` and resumes once it is `drained`, so a slow Kafka bounds
 * memory instead of the server's send buffer growing without end. A transaction is handed out whole.
 */
export class TransactionQueue<T = ChangeRecord> {
  private readonly ready: T[][] = [];
  private buffered = 0;
  private wake: (() => void) | undefined;

  constructor(private readonly maxRecords: number) {}

  get full(): boolean {
    return this.buffered >= this.maxRecords;
  }

  /** Low enough again for a paused connection to resume. */
  get drained(): boolean {
    return this.buffered < this.maxRecords / 2;
  }

  push(transaction: T[]): void {
    if (transaction.length === 0) return;
    this.ready.push(transaction);
    this.buffered += transaction.length;
    this.wake?.();
  }

  /** Ends a wait in `take` early (the reader failed or closed). */
  interrupt(): void {
    this.wake?.();
  }

  /**
   * Up to about `maxRecords` records of whole transactions (a transaction larger than that comes alone), waiting at
   * most `maxWaitMs` for the first unless `stopped()` says there is no point.
   */
  async take(maxRecords: number, maxWaitMs: number, signal: AbortSignal | undefined, stopped: () => boolean): Promise<T[]> {
    if (this.ready.length === 0 && !stopped()) await this.waitForTransaction(maxWaitMs, signal);
    const records: T[] = [];
    while (this.ready.length > 0) {
      const next = this.ready[0];
      if (!next || (records.length > 0 && records.length + next.length > maxRecords)) break;
      this.ready.shift();
      for (const record of next) records.push(record);
      this.buffered -= next.length;
    }
    return records;
  }

  private waitForTransaction(maxWaitMs: number, signal?: AbortSignal): Promise<void> {
    return new Promise<void>((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', done);
        this.wake = undefined;
        resolve();
      };
      const timer = setTimeout(done, maxWaitMs);
      signal?.addEventListener('abort', done, { once: true });
      this.wake = done;
    });
  }
}
