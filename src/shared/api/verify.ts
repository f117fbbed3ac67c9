import type { Event } from '../event';

/** One side of a comparison: a database URL and a table (or view) in it. */
export interface VerifySide {
  /** `mysql://user:pass@host:port/db`, `mariadb://…`, `postgres://…` / `postgresql://…`, `mssql://…` / `sqlserver://…`. */
  url: string;
  /** `table` or `schema.table`; default schema: the URL's database (MySQL), `public` (PostgreSQL), `dbo` (SQL Server). */
  table: string;
  /** A SQL condition in this side's dialect, e.g. `region = 'EU'`; only matching rows are compared. */
  where?: string;
  /**
   * The zone in which this side's zone-less timestamps (DATETIME, timestamp without time zone, datetime2) were
   * written, like the connectors' `db.timezone`; default UTC. Zoned types (TIMESTAMP, timestamptz) need none.
   */
  timeZone?: string;
}

export interface VerifyRequest {
  source: VerifySide;
  target: VerifySide;
  /** Key columns (single or composite); default: the source's primary key. */
  key?: string[];
  /** Columns to compare besides the key; default: every column both sides have. */
  columns?: string[];
  /** Leave out rows whose `updateColumn` is newer than this many seconds (a pipeline still catching up). */
  minAgeSeconds?: number;
  /** The last-changed timestamp column `minAgeSeconds` applies to. */
  updateColumn?: string;
  /** Sub-segments per differing segment (default 32). */
  bisectionFactor?: number;
  /** A differing segment with at most this many rows on each side is fetched and diffed in memory (default 1024). */
  bisectionThreshold?: number;
  /** First-level segment count (a power of two); default from the table's estimated size. */
  segments?: number;
  /** Connections per side; a level's checksum scan is split between them (default 2). */
  parallel?: number;
  /** Stop listing differences after this many (default 10,000); totals then say `truncated`. */
  maxDifferences?: number;
  /** Also return the SQL that would make the target equal to the source (never executed). */
  fixSql?: boolean;
  /**
   * Also return the compared values of every listed row that is only on one side (`rows` in the report), not just
   * its key.
   */
  rows?: boolean;
  /**
   * Compare only the rows with these keys (each names every key column), e.g. the differences of an earlier report
   * to re-check once a pipeline caught up; at most 10,000 keys.
   */
  keys?: VerifyKey[];
  /** Caller-chosen id for `cancel` and progress events; default: generated. */
  runId?: string;
  /**
   * The tables belong to this Ferry pipeline (the source table is one it reads): classify each listed mismatch by
   * following its key through the pipeline's topic and sink (up to `maxRows` mismatches, default 20).
   */
  explain?: { pipeline: string; maxRows?: number };
}

/**
 * Why a row differs, for tables a Ferry pipeline replicates:
 *   not-yet-replicated    its change is newer than what the sink applied (in flight, or not polled yet)
 *   never-captured        no record for the key in the topic (e.g. a delete a polling source cannot see)
 *   captured-not-applied  in the topic or the dead letter topic, not in the target
 *   applied-but-different the sink applied the current change and the target still differs (a type mapping loss)
 *   unknown               the trace could not tell (scan capped, trace failed); `detail` says why
 */
export type VerifyMismatchClass = 'not-yet-replicated' | 'never-captured' | 'captured-not-applied' | 'applied-but-different' | 'unknown';

export interface VerifyExplanation {
  key: VerifyKey;
  mismatch: 'onlyInSource' | 'onlyInTarget' | 'different';
  class: VerifyMismatchClass;
  /** The evidence, written for the user. */
  detail: string;
  /** The latest record of the key, when there is one. */
  record?: { topic: string; partition: number; offset: string };
}

/** A row's key: column name → canonical value (numbers for integer keys, canonical text otherwise). */
export type VerifyKey = Record<string, string | number | null>;

/** A row's canonical values in the order of the report's `[...key, ...columns]`. */
export type VerifyRowValues = (string | null)[];

export interface VerifyColumnDifference {
  name: string;
  /** The canonical text compared (see `normalisation`); null for SQL NULL. */
  source: string | null;
  target: string | null;
}

export interface VerifyRowDifference {
  key: VerifyKey;
  columns: VerifyColumnDifference[];
}

export interface VerifyColumnRule {
  name: string;
  sourceType: string;
  targetType: string;
  /** How both sides' values become one canonical text, e.g. `timestamp → UTC, 3 fractional digits (truncated)`. */
  rule: string;
}

export interface VerifyReport {
  runId: string;
  equal: boolean;
  /** Distinct keys looked at: every source row plus the rows only in the target. */
  rowsCompared: number;
  sourceRows: number;
  targetRows: number;
  seconds: number;
  onlyInSource: VerifyKey[];
  onlyInTarget: VerifyKey[];
  different: VerifyRowDifference[];
  /** Listing stopped at `maxDifferences`; `equal` is still exact. */
  truncated: boolean;
  key: string[];
  columns: string[];
  normalisation: VerifyColumnRule[];
  /** Caveats: precision lost on one side, columns left out, types compared as text, and similar. */
  notes: string[];
  /** Segments whose checksums were compared, and how many were fetched row by row. */
  segmentsChecked: number;
  segmentsFetched: number;
  /** Present when `fixSql` was asked: statements in the target's dialect, never executed by Ferry. */
  fixSql?: string[];
  /**
   * Present when `rows` was asked: the canonical values of each row listed in `onlyInSource` / `onlyInTarget`, in
   * the same order, as `[...key, ...columns]` (null for SQL NULL); a row deleted while verify ran has its key only.
   */
  rows?: { onlyInSource: VerifyRowValues[]; onlyInTarget: VerifyRowValues[] };
  /** Present when `explain` was asked: one entry per classified mismatch. */
  explanations?: VerifyExplanation[];
}

export interface VerifyProgress {
  runId: string;
  phase: 'describing' | 'checksumming' | 'fetching' | 'done';
  segmentsDone: number;
  segmentsTotal: number;
  rowsCompared: number;
}

export interface IVerifyApi {
  /** Compares the two tables; rejects with VERIFY_* errors (bad input, unreachable database) and VERIFY_CANCELLED. */
  run(request: VerifyRequest): Promise<VerifyReport>;
  /** Cancels the run with this id; resolves false when no such run is in progress. */
  cancel(runId: string): Promise<boolean>;
  readonly onDidProgress: Event<VerifyProgress>;
}
