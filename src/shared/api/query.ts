import type { VerifyReport, VerifyRequest, VerifySide } from './verify';

/**
 * The query pane's databases: every connection the engine can open for the user without asking for a password
 * again — a pipeline's source or sink (the demo's PGlite databases are its pipeline's), the lab's MariaDB and
 * PostgreSQL, and saved database profiles. Passwords never cross the API: a database is named by its `id`.
 */
export type QueryDatabaseKind = 'pipeline' | 'lab' | 'profile';

export interface QueryDatabase {
  /** `pipeline/<pipeline>/<connector>`, `lab/mariadb`, `lab/postgres` or `profile/<profile id>`. */
  id: string;
  kind: QueryDatabaseKind;
  /** For the picker, e.g. "orders-source (source of orders-pipeline)". */
  label: string;
  /** Groups in the picker: the pipeline's name, "Demo", "Local lab" or "Profiles". */
  group: string;
  dialect: 'mysql' | 'postgres' | 'sqlserver';
  /** `postgres://user@host:port/db`: where it connects, never with the password. */
  display: string;
  /** Pipeline databases: the pipeline, the connector and its role. */
  pipeline?: string;
  connector?: string;
  role?: 'source' | 'sink';
  /** Pipeline databases: tables the connector reads (source) or writes (sink), with their topics. */
  tables?: { table: string; topic: string }[];
  /** Profiles: the environment colour; writes to `prod` need `confirmed`. */
  environment?: 'dev' | 'test' | 'prod';
  /** Pipeline databases: false once the pipeline stopped (still queryable, remembered for this session). */
  running?: boolean;
}

export interface QueryRequest {
  /** A `QueryDatabase.id`. */
  database: string;
  /** One statement; a trailing semicolon is fine, two statements are refused (run them one at a time). */
  sql: string;
  /** Rows returned at most (default 1,000, at most 100,000); the rest is not read and `truncated` says so. */
  maxRows?: number;
  /** Statements that write (INSERT, UPDATE, DDL…) are refused unless this is set. */
  allowWrite?: boolean;
  /** A write to a prod-coloured profile also needs the user's confirmation. */
  confirmed?: boolean;
  /** Names the run so `cancel(runId)` can stop it; unique among the runs in progress. */
  runId?: string;
  /** The statement is stopped on the database after this many milliseconds (default 60,000, at most 3,600,000). */
  timeoutMs?: number;
}

/** A value as it crosses the API: decimals and 64-bit integers as text, dates ISO text, binary as `0x…` hex. */
export type QueryValue = string | number | boolean | null;

export interface QueryColumn {
  name: string;
  /** The type as the database names it (e.g. `varchar`, `numeric`, `DATETIME`). */
  type: string;
  /** How the grid aligns and formats it. */
  kind: 'number' | 'text' | 'boolean' | 'temporal' | 'binary' | 'json' | 'other';
}

export interface QueryResult {
  database: string;
  /** Where it ran, without the password. */
  display: string;
  columns: QueryColumn[];
  rows: QueryValue[][];
  /** More rows existed than `maxRows`; they were not read. */
  truncated: boolean;
  /** Rows changed by a write, when the database says. */
  affectedRows?: number;
  statementKind: 'read' | 'write';
  durationMs: number;
  /** Caveats, e.g. how values were rendered. */
  notes: string[];
}

/** A verify run between two of the pane's databases; the engine fills in the URLs (with passwords) and time zones. */
export interface QueryCompareRequest extends Omit<VerifyRequest, 'source' | 'target'> {
  source: Omit<VerifySide, 'url'> & { database: string };
  target: Omit<VerifySide, 'url'> & { database: string };
}

export interface IQueryApi {
  /** Databases the pane can query now (running and this session's stopped pipelines, the lab, profiles). */
  databases(): Promise<QueryDatabase[]>;
  /** Runs one statement, read-only unless `allowWrite`; errors name the database and say what to do. */
  run(request: QueryRequest): Promise<QueryResult>;
  /**
   * Stops the run named `runId` on its database (PostgreSQL pg_cancel_backend, MySQL/MariaDB KILL QUERY, SQL Server
   * the TDS attention): its `run` fails with QUERY_CANCELLED. False when no such run is in progress.
   */
  cancel(runId: string): Promise<boolean>;
  /** Runs `verify.run` between two of the pane's databases (progress and cancel through the `verify` namespace). */
  compare(request: QueryCompareRequest): Promise<VerifyReport>;
}
