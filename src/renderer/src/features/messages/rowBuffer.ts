import type { BrowsedRecord } from '../../../../shared/api';

/** Rows the viewer keeps; older ones are dropped so a long live tail cannot grow the window's memory without bound. */
export const MAX_ROWS = 10_000;

/**
 * The rows of the current read, outside React state: a batch appends in place and drops the oldest beyond the cap,
 * so a live tail costs one array append per batch, not a copy of ten thousand rows.
 */
export class RowBuffer {
  private rows: BrowsedRecord[] = [];
  /** Rows dropped because of the cap, for the status line. */
  dropped = 0;

  constructor(private readonly cap = MAX_ROWS) {}

  get length(): number {
    return this.rows.length;
  }

  append(records: readonly BrowsedRecord[]): void {
    for (const record of records) this.rows.push(record);
    const over = this.rows.length - this.cap;
    if (over > 0) {
      this.rows.splice(0, over);
      this.dropped += over;
    }
  }

  /** Row `index` in display order: newest first when `newestFirst`. */
  at(index: number, newestFirst: boolean): BrowsedRecord | undefined {
    return newestFirst ? this.rows[this.rows.length - 1 - index] : this.rows[index];
  }

  clear(): void {
    this.rows = [];
    this.dropped = 0;
  }
}
