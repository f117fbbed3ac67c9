import type { pg } from '../drivers';

/**
 * The part of pg's Connection a COPY FROM STDIN uses. pg runs any object with `submit` as a query (its Submittable,
 * the interface pg-cursor and pg-query-stream use) and hands it the protocol messages through `handle…` methods; the
 * Connection writes CopyData/CopyDone itself. So COPY needs no extra package (pg-copy-streams wraps the same calls in
 * a Writable stream, which a payload already built as one string does not need).
 */
interface CopyConnection {
  query(text: string): void;
  sendCopyFromChunk(chunk: Buffer): void;
  endCopyFrom(): void;
}

const ROLLBACK_TO_SAVEPOINT = /^\s*ROLLBACK(\s+(WORK|TRANSACTION))?\s+TO\b/i;
const TRANSACTION_END = /^\s*(ROLLBACK|ABORT)\b/i;
const TRANSACTION_COMMIT = /^\s*(COMMIT|END)\b/i;
const TRANSACTION_BEGIN = /^\s*(BEGIN|START\s+TRANSACTION)\b/i;

/** CopyData messages are sent in slices of this size, so the server never needs one buffer for a whole batch. */
const COPY_CHUNK_BYTES = 1 << 20;

/**
 * One `COPY … FROM STDIN` with its whole payload. Resolves with the rows copied once the server is ready for the next
 * query; rejects with the server's error (a value it refuses: the caller's statement fails like any INSERT).
 */
class CopyInQuery {
  readonly done: Promise<number>;
  private resolve!: (rows: number) => void;
  private reject!: (error: unknown) => void;
  private rows = 0;

  constructor(
    private readonly text: string,
    private readonly data: Buffer,
  ) {
    this.done = new Promise<number>((resolve, reject) => {
      this.resolve = resolve;
      this.reject = reject;
    });
  }

  submit(connection: CopyConnection): void {
    connection.query(this.text);
  }

  handleCopyInResponse(connection: CopyConnection): void {
    for (let start = 0; start < this.data.length; start += COPY_CHUNK_BYTES) connection.sendCopyFromChunk(this.data.subarray(start, start + COPY_CHUNK_BYTES));
    connection.endCopyFrom();
  }

  handleCommandComplete(message: { text?: string }): void {
    const match = /^COPY (\d+)/.exec(message.text ?? '');
    if (match) this.rows = Number(match[1]);
  }

  handleReadyForQuery(): void {
    this.resolve(this.rows);
  }

  handleError(error: unknown): void {
    this.reject(error);
  }

  // A COPY FROM never returns rows; these only keep a misdirected message from throwing inside pg's reader.
  handleRowDescription(): void {}
  handleDataRow(): void {}
  handleEmptyQuery(): void {}
  handleCopyData(): void {}
}

/** Runs `COPY … FROM STDIN` with `data` (COPY text format) on the client; resolves with the row count. */
export function copyFrom(client: pg.Client, copy: string, data: Buffer): Promise<number> {
  const query = new CopyInQuery(copy, data);
  // pg's typings know only `submit`; the handlers above are what its client calls (see CopyConnection).
  void client.query(query as unknown as Parameters<pg.Client['query']>[0] & { submit: () => void });
  return query.done;
}

/**
 * What one connection knows of its staging tables. They are temporary tables, and their creation is transactional:
 * a ROLLBACK — even to a savepoint, as record isolation does — can undo a CREATE made in the transaction, so a
 * table made in the open transaction counts as existing only once it commits, and after any error or rollback the
 * next use creates it again (IF NOT EXISTS). ON COMMIT DELETE ROWS empties them at the end of every transaction; a
 * table filled earlier in the same transaction must be emptied before the next COPY, or the statement would read
 * the earlier rows again.
 */
export class StagingTables {
  private readonly committed = new Set<string>();
  private readonly createdInTransaction = new Set<string>();
  private readonly filledInTransaction = new Set<string>();
  inTransaction = false;

  exists(table: string): boolean {
    return this.committed.has(table) || this.createdInTransaction.has(table);
  }

  isFilled(table: string): boolean {
    return this.filledInTransaction.has(table);
  }

  created(table: string): void {
    if (this.inTransaction) this.createdInTransaction.add(table);
    else this.committed.add(table);
  }

  filled(table: string): void {
    if (this.inTransaction) this.filledInTransaction.add(table);
  }

  emptied(table: string): void {
    this.filledInTransaction.delete(table);
  }

  begun(): void {
    this.inTransaction = true;
  }

  committedTransaction(): void {
    for (const table of this.createdInTransaction) this.committed.add(table);
    this.endTransaction();
  }

  rolledBack(): void {
    this.endTransaction();
  }

  /** A statement failed or a savepoint was rolled back to: tables made in this transaction may be gone (rows may not). */
  uncertain(): void {
    this.createdInTransaction.clear();
  }

  /** Follows transaction control sent as plain statements (savepoints, a BEGIN through execute). */
  observe(sql: string): void {
    if (ROLLBACK_TO_SAVEPOINT.test(sql)) this.uncertain();
    else if (TRANSACTION_END.test(sql)) this.rolledBack();
    else if (TRANSACTION_COMMIT.test(sql)) this.committedTransaction();
    else if (TRANSACTION_BEGIN.test(sql)) this.begun();
  }

  private endTransaction(): void {
    this.inTransaction = false;
    this.createdInTransaction.clear();
    this.filledInTransaction.clear();
  }
}
