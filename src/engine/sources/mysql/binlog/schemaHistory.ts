import { appendFileSync, closeSync, fsyncSync, mkdirSync, openSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { ColumnInfo } from '../../polling/columns';
import type { TableChange } from '../../../schema';
import { sourceError } from '../../errors';
import { type BinlogPosition, compareBinlogPositions } from './binlogPosition';

/**
 * One table layout and where in the binlog it starts to hold: every row event of the table at or after `file`/`pos`
 * (until the next entry of the table) was written with these columns. `ddl` is the statement that made it (absent
 * for a layout first read from the catalog, at a snapshot or at the table's first row event).
 */
export interface SchemaHistoryEntry {
  file: string;
  pos: number;
  db: string;
  table: string;
  columns: ColumnInfo[];
  /** The same columns as ZongJi reads them from the catalog to decode row events (names, character sets). */
  zongjiColumns?: ZongJiColumn[];
  ddl?: string;
  /** The default database the DDL ran in (Debezium's `databaseName`). */
  databaseName?: string;
  /** The change as written to the schema change topic (`include.schema.changes`), written again by a restart passing the DDL. */
  tableChange?: TableChange;
  tsMs: number;
}

export interface ZongJiColumn {
  COLUMN_NAME: string;
  COLLATION_NAME: string | null;
  CHARACTER_SET_NAME: string | null;
  COLUMN_COMMENT: string;
  COLUMN_TYPE: string;
}

/** Where a history is kept: a file in the connector's data dir, or a Kafka topic (Debezium's two stores). */
export interface SchemaHistoryStore {
  /** Every entry recorded so far, oldest first. */
  load(): Promise<SchemaHistoryEntry[]>;
  /** Durably appends entries: resolved only once a restart would read them back. */
  append(entries: readonly SchemaHistoryEntry[]): Promise<void>;
  close(): Promise<void>;
  /** For messages: the file or topic. */
  readonly where: string;
}

/**
 * Debezium's `FileSchemaHistory`, as JSON lines: each append is written and fsynced before the reader goes on, so a
 * checkpoint taken after a DDL never outlives the layout it needs.
 */
export class FileSchemaHistoryStore implements SchemaHistoryStore {
  constructor(private readonly path: string) {}

  get where(): string {
    return this.path;
  }

  load(): Promise<SchemaHistoryEntry[]> {
    let text: string;
    try {
      text = readFileSync(this.path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return Promise.resolve([]);
      throw error;
    }
    const entries: SchemaHistoryEntry[] = [];
    text.split('\n').forEach((line, index) => {
      if (line.trim() === '') return;
      try {
        entries.push(JSON.parse(line) as SchemaHistoryEntry);
      } catch {
        // A torn last line is what a crash mid-append leaves; anything else is damage the user must know about.
        if (index < text.split('\n').length - 2) {
          throw sourceError('SOURCE_BAD_POSITION', `The schema history file ${this.path} is damaged at line ${index + 1}. Delete it and the pipeline's checkpoint to start with a new snapshot.`);
        }
      }
    });
    return Promise.resolve(entries);
  }

  append(entries: readonly SchemaHistoryEntry[]): Promise<void> {
    if (entries.length === 0) return Promise.resolve();
    mkdirSync(dirname(this.path), { recursive: true, mode: 0o700 });
    appendFileSync(this.path, entries.map((entry) => `${JSON.stringify(entry)}\n`).join(''), { mode: 0o600 });
    const fd = openSync(this.path, 'r');
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    return Promise.resolve();
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}

/** A history kept in memory only (a reader nobody restarts: tests, previews). */
export class MemorySchemaHistoryStore implements SchemaHistoryStore {
  readonly where = 'memory';
  private readonly entries: SchemaHistoryEntry[] = [];

  load(): Promise<SchemaHistoryEntry[]> {
    return Promise.resolve([...this.entries]);
  }

  append(entries: readonly SchemaHistoryEntry[]): Promise<void> {
    this.entries.push(...entries);
    return Promise.resolve();
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}

/**
 * The layouts of the captured tables over the binlog, so that a reader restarted at a checkpoint taken before an
 * ALTER TABLE reads the older rows with the columns they were written with, not with today's catalog (Debezium's
 * schema history). Debezium replays the DDL through its parser; Ferry records the catalog's layout right after each
 * DDL as the reader passes it, which holds as long as the reader is not behind a later DDL of the same table when
 * it first reads one (a live pipeline is not; a reader catching up over several ALTERs of one table is).
 */
export class BinlogSchemaHistory {
  private entries: SchemaHistoryEntry[] = [];
  private opened: Promise<void> | undefined;

  constructor(readonly store: SchemaHistoryStore) {}

  /** Reads the store once; later calls wait for that read. */
  open(): Promise<void> {
    this.opened ??= this.store.load().then(
      (entries) => {
        this.entries = entries;
      },
      (error: unknown) => {
        this.opened = undefined; // the next start reads again
        throw error;
      },
    );
    return this.opened;
  }

  /** The layout of `db.table` for a row event at `at`: the latest entry at or before it. */
  layoutAt(db: string, table: string, at: BinlogPosition): SchemaHistoryEntry | undefined {
    let found: SchemaHistoryEntry | undefined;
    for (const entry of this.entries) {
      if (entry.db !== db || entry.table !== table) continue;
      if (compareBinlogPositions({ file: entry.file, pos: entry.pos, row: 0 }, { ...at, row: 0 }) > 0) continue;
      if (!found || compareBinlogPositions({ file: entry.file, pos: entry.pos, row: 0 }, { file: found.file, pos: found.pos, row: 0 }) >= 0) found = entry;
    }
    return found;
  }

  /** True when a DDL at this position was recorded before (a restart passing it again must not record today's catalog). */
  hasDdlAt(db: string, table: string, at: { file: string; pos: number }): boolean {
    return this.ddlAt(db, table, at) !== undefined;
  }

  /** The entry a DDL at this position recorded before, if any. */
  ddlAt(db: string, table: string, at: { file: string; pos: number }): SchemaHistoryEntry | undefined {
    return this.entries.find((entry) => entry.db === db && entry.table === table && entry.file === at.file && entry.pos === at.pos && entry.ddl !== undefined);
  }

  /** Tables the history knows, as `db.table`. */
  tables(): Array<{ db: string; table: string }> {
    const seen = new Map<string, { db: string; table: string }>();
    for (const entry of this.entries) seen.set(`${entry.db}.${entry.table}`, { db: entry.db, table: entry.table });
    return [...seen.values()];
  }

  async record(entries: readonly SchemaHistoryEntry[]): Promise<void> {
    if (entries.length === 0) return;
    await this.store.append(entries);
    this.entries.push(...entries);
  }

  close(): Promise<void> {
    return this.store.close();
  }
}
