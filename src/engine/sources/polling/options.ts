import { stripStatementEnd } from './sqlText';
import { sourceError } from '../errors';
import { resolveZone, type Zone } from './zone';

/**
 * Options of a polling (query-based) source, in Ferry's own terms. They mirror the Kafka Connect JDBC source keys
 * one to one (connectors reference §1.1); the pipeline runner maps a pasted connector config onto this shape, so
 * this file never needs to know about JSON configs.
 */
export type PollingMode = 'bulk' | 'incrementing' | 'timestamp' | 'timestamp+incrementing';
export const POLLING_MODES: readonly PollingMode[] = ['bulk', 'incrementing', 'timestamp', 'timestamp+incrementing'];

/** `numeric.mapping`; upstream applies it only to columns the driver reports as NUMERIC (see the type maps). */
export type NumericMapping = 'none' | 'precision_only' | 'best_fit' | 'best_fit_eager_double';
export const NUMERIC_MAPPINGS: readonly NumericMapping[] = ['none', 'precision_only', 'best_fit', 'best_fit_eager_double'];

/** `table.types`: the kinds of relation the table discovery lists. */
export type TableType = 'TABLE' | 'VIEW';

/** `timestamp.initial = -1`: start from the database's current time instead of from the beginning. */
export const TIMESTAMP_INITIAL_CURRENT = -1;

export interface PollingSourceOptions {
  /** `mode` (required). */
  mode: PollingMode;
  /**
   * `incrementing.column.name`. Empty or absent: the table's auto-increment / identity / serial column, else its
   * single-column integer primary key (upstream stops at the auto-increment column; the PK fallback is Ferry's).
   */
  incrementingColumn?: string;
  /** `timestamp.column.name` as a list; the effective timestamp is COALESCE(c1, c2, …), the first non-null wins. */
  timestampColumns?: readonly string[];
  /** `validate.non.null` (default true): refuse nullable incrementing columns / all-nullable timestamp columns. */
  validateNonNull?: boolean;
  /** `timestamp.delay.interval.ms` (default 0): rows newer than database-now minus this are left for a later poll. */
  timestampDelayIntervalMs?: number;
  /**
   * `timestamp.initial`: epoch milliseconds to start from when no position is stored; -1 means "the database's
   * current time" (skip history). Absent means "from the beginning", as upstream (which starts at epoch 0; Ferry
   * starts with no lower bound at all, so rows stamped at or before 1970 are read too). Inclusive: a row stamped
   * exactly at the initial time is read (upstream reads it only in timestamp+incrementing mode).
   */
  timestampInitial?: number;
  /** `poll.interval.ms` (default 5000): pause between two polls of a table once it is caught up. */
  pollIntervalMs?: number;
  /** `batch.max.rows` (default 1000, as kafka-connect-jdbc ≥ 10.8): rows per query. */
  batchMaxRows?: number;
  /** `table.poll.interval.ms` (default 60000): how often the table list is read again for added or dropped tables. */
  tablePollIntervalMs?: number;
  /** `query.suffix`: text appended to every generated data query (after Ferry's own LIMIT/OFFSET), e.g. a lock hint. */
  querySuffix?: string;
  /** `table.whitelist`: exact names, each matched as upstream does against `db.table`, `"db"."table"` or `table`. */
  tableWhitelist?: readonly string[];
  /** `table.blacklist`: exact names, matched like the whitelist. */
  tableBlacklist?: readonly string[];
  /** `table.include.list`: regular expressions, each matched in full against the unquoted `catalog.schema.table`. */
  tableIncludeList?: readonly string[];
  /** `table.exclude.list`: regular expressions, matched like the include list. */
  tableExcludeList?: readonly string[];
  /** `table.types` (default TABLE). */
  tableTypes?: readonly TableType[];
  /** `query`: custom query mode; the table lists are ignored and the topic is exactly `topicPrefix`. */
  query?: string;
  /** `topic.prefix` (default ""). */
  topicPrefix?: string;
  /** `numeric.mapping` (default none). */
  numericMapping?: NumericMapping;
  /**
   * Ferry extension, default false (upstream behaviour): also apply `numericMapping` to DECIMAL columns. Upstream
   * applies it only to columns reported as NUMERIC, so MySQL DECIMAL and SQL Server decimal never change
   * (kafka-connect-jdbc #563); turning this on maps e.g. MySQL DECIMAL(10,0) with best_fit to int64.
   */
  numericMappingForDecimal?: boolean;
  /** `db.timezone` (default UTC): the zone zone-less DATETIME/timestamp columns are written in. */
  dbTimezone?: string;
  /** `connection.attempts` (default 3). */
  connectionAttempts?: number;
  /** `connection.backoff.ms` (default 10000): shortest pause between attempts; grows, jittered, up to 60 s. */
  connectionBackoffMs?: number;
}

export interface ResolvedPollingOptions {
  mode: PollingMode;
  incrementingColumn: string;
  timestampColumns: readonly string[];
  validateNonNull: boolean;
  timestampDelayIntervalMs: number;
  timestampInitial: number | undefined;
  pollIntervalMs: number;
  batchMaxRows: number;
  tablePollIntervalMs: number;
  querySuffix: string;
  tableWhitelist: readonly string[] | undefined;
  tableBlacklist: readonly string[] | undefined;
  tableIncludeList: readonly RegExp[] | undefined;
  tableExcludeList: readonly RegExp[] | undefined;
  tableTypes: readonly TableType[];
  query: string | undefined;
  topicPrefix: string;
  numericMapping: NumericMapping;
  numericMappingForDecimal: boolean;
  zone: Zone;
  connectionAttempts: number;
  connectionBackoffMs: number;
}

export const POLLING_DEFAULTS = {
  validateNonNull: true,
  timestampDelayIntervalMs: 0,
  pollIntervalMs: 5000,
  batchMaxRows: 1000,
  tablePollIntervalMs: 60_000,
  tableTypes: ['TABLE'] as readonly TableType[],
  topicPrefix: '',
  numericMapping: 'none' as NumericMapping,
  dbTimezone: 'UTC',
  connectionAttempts: 3,
  connectionBackoffMs: 10_000,
} as const;

export function usesIncrementing(mode: PollingMode): boolean {
  return mode === 'incrementing' || mode === 'timestamp+incrementing';
}

export function usesTimestamp(mode: PollingMode): boolean {
  return mode === 'timestamp' || mode === 'timestamp+incrementing';
}

function bad(key: string, message: string): never {
  throw sourceError('SOURCE_BAD_OPTIONS', `${key}: ${message}`, { detail: { key } });
}

function nonNegativeInteger(key: string, value: number | undefined, fallback: number, min = 0): number {
  if (value === undefined) return fallback;
  if (!Number.isSafeInteger(value) || value < min) bad(key, `expected an integer ≥ ${min}, got ${String(value)}.`);
  return value;
}

function compileRegexes(key: string, patterns: readonly string[] | undefined): RegExp[] | undefined {
  if (patterns === undefined) return undefined;
  return patterns
    .map((pattern) => pattern.trim())
    .filter((pattern) => pattern.length > 0)
    .map((pattern) => {
      try {
        // Java's Pattern.matches() matches the whole string; anchoring gives JS the same semantics.
        return new RegExp(`^(?:${pattern})$`, 'u');
      } catch (error) {
        return bad(key, `"${pattern}" is not a valid regular expression (${(error as Error).message}).`);
      }
    });
}

function cleanList(list: readonly string[] | undefined): readonly string[] | undefined {
  if (list === undefined) return undefined;
  const cleaned = list.map((item) => item.trim()).filter((item) => item.length > 0);
  return cleaned;
}

/**
 * Fills defaults and rejects combinations no poll could run with. Messages name the Connect key, since that is
 * what the user wrote.
 */
export function resolvePollingOptions(options: PollingSourceOptions): ResolvedPollingOptions {
  if (!POLLING_MODES.includes(options.mode)) {
    bad('mode', `"${String(options.mode)}" is not one of ${POLLING_MODES.join(', ')}.`);
  }
  const timestampColumns = cleanList(options.timestampColumns) ?? [];
  if (usesTimestamp(options.mode) && timestampColumns.length === 0) {
    bad('timestamp.column.name', `mode ${options.mode} needs at least one timestamp column.`);
  }
  const numericMapping = options.numericMapping ?? POLLING_DEFAULTS.numericMapping;
  if (!NUMERIC_MAPPINGS.includes(numericMapping)) {
    bad('numeric.mapping', `"${String(numericMapping)}" is not one of ${NUMERIC_MAPPINGS.join(', ')}.`);
  }
  const timestampInitial = options.timestampInitial;
  if (timestampInitial !== undefined && (!Number.isSafeInteger(timestampInitial) || timestampInitial < TIMESTAMP_INITIAL_CURRENT)) {
    bad('timestamp.initial', `expected epoch milliseconds or -1 (current time), got ${String(timestampInitial)}.`);
  }
  const query = options.query?.trim() ? options.query.trim() : undefined;
  const tableTypes = options.tableTypes && options.tableTypes.length > 0 ? options.tableTypes : POLLING_DEFAULTS.tableTypes;
  for (const type of tableTypes) {
    if (type !== 'TABLE' && type !== 'VIEW') bad('table.types', `"${String(type)}" is not supported; use TABLE and/or VIEW.`);
  }
  const whitelist = cleanList(options.tableWhitelist);
  const blacklist = cleanList(options.tableBlacklist);
  if (whitelist?.length && blacklist?.length) {
    bad('table.whitelist', 'table.whitelist and table.blacklist cannot be used together; keep one of them.');
  }
  const include = compileRegexes('table.include.list', options.tableIncludeList);
  const exclude = compileRegexes('table.exclude.list', options.tableExcludeList);
  if ((include?.length || exclude?.length) && (whitelist?.length || blacklist?.length)) {
    bad('table.include.list', 'the regex lists (table.include.list/table.exclude.list) cannot be combined with table.whitelist/table.blacklist.');
  }
  let zone: Zone;
  try {
    zone = resolveZone(options.dbTimezone ?? POLLING_DEFAULTS.dbTimezone);
  } catch (error) {
    return bad('db.timezone', (error as Error).message);
  }
  return {
    mode: options.mode,
    incrementingColumn: options.incrementingColumn?.trim() ?? '',
    timestampColumns,
    validateNonNull: options.validateNonNull ?? POLLING_DEFAULTS.validateNonNull,
    timestampDelayIntervalMs: nonNegativeInteger('timestamp.delay.interval.ms', options.timestampDelayIntervalMs, POLLING_DEFAULTS.timestampDelayIntervalMs),
    timestampInitial,
    pollIntervalMs: nonNegativeInteger('poll.interval.ms', options.pollIntervalMs, POLLING_DEFAULTS.pollIntervalMs),
    batchMaxRows: nonNegativeInteger('batch.max.rows', options.batchMaxRows, POLLING_DEFAULTS.batchMaxRows, 1),
    tablePollIntervalMs: nonNegativeInteger('table.poll.interval.ms', options.tablePollIntervalMs, POLLING_DEFAULTS.tablePollIntervalMs, 1),
    querySuffix: stripStatementEnd(options.querySuffix?.trim() ?? ''),
    tableWhitelist: whitelist?.length ? whitelist : undefined,
    tableBlacklist: blacklist?.length ? blacklist : undefined,
    tableIncludeList: include?.length ? include : undefined,
    tableExcludeList: exclude?.length ? exclude : undefined,
    tableTypes,
    query,
    topicPrefix: options.topicPrefix ?? POLLING_DEFAULTS.topicPrefix,
    numericMapping,
    numericMappingForDecimal: options.numericMappingForDecimal ?? false,
    zone,
    connectionAttempts: nonNegativeInteger('connection.attempts', options.connectionAttempts, POLLING_DEFAULTS.connectionAttempts, 1),
    connectionBackoffMs: nonNegativeInteger('connection.backoff.ms', options.connectionBackoffMs, POLLING_DEFAULTS.connectionBackoffMs),
  };
}
