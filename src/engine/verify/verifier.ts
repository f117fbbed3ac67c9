import { randomUUID } from 'node:crypto';
import type { VerifyProgress, VerifyReport, VerifyRequest, VerifySide } from '../../shared/api/verify';
import { EngineError } from '../../shared/errors';
import { createLogger } from '../base/logger';
import { describeTarget, openSqlSession, type SqlSession } from '../sinks/sql/sessions';
import type { SqlStatement } from '../sinks/sql/dialects/dialect';
import { bisect, defaultSegmentCount, isPowerOfTwo, type Leaf, type SegmentSums } from './bisection';
import { parseDatabaseUrl } from './connectionUrl';
import { toBigInt, verifyDialect, type VerifyDialect } from './dialects';
import { verifyError } from './errors';
import { buildFixScript } from './fixScript';
import { HASH_SPACE, type SidePlan, type TableInfo, type TableRef } from './model';
import { planComparison } from './plan';
import { checksumQuery, fetchQuery, keyBoundsQuery, minAgeCondition, type Segment } from './queries';
import { type CanonicalRow, compareKeys, diffRows, type KeyColumn, toDifference, toKey } from './rowDiff';

export const VERIFY_DEFAULTS = { bisectionFactor: 32, bisectionThreshold: 1024, maxDifferences: 10_000, parallel: 2 } as const;

const log = createLogger('verify');

/** Segments per fetch query: each fetch scans the table once, so leaves are fetched in few, large batches. */
const LEAVES_PER_FETCH = 4096;
/** Rows per fetch query (the larger side of each leaf), which bounds the memory a fetch takes. */
const ROWS_PER_FETCH = 200_000;

/** Leaves from `start` holding about `rows` rows (at least one leaf, at most LEAVES_PER_FETCH). */
export function nextBatch(leaves: readonly Leaf[], start: number, rows: number): Leaf[] {
  const batch: Leaf[] = [];
  let total = 0n;
  for (let index = start; index < leaves.length && batch.length < LEAVES_PER_FETCH; index += 1) {
    const leaf = leaves[index];
    if (!leaf) break;
    const size = leaf.sourceCount > leaf.targetCount ? leaf.sourceCount : leaf.targetCount;
    if (batch.length > 0 && total + size > BigInt(rows)) break;
    batch.push(leaf);
    total += size;
  }
  return batch;
}

export interface VerifyRunOptions {
  signal?: AbortSignal;
  onProgress?: (progress: VerifyProgress) => void;
}

type SideLabel = 'source' | 'target';

/** One side's connection; every query goes through `query` so errors name the side and cancellation is prompt. */
class Side {
  constructor(
    readonly label: SideLabel,
    readonly dialect: VerifyDialect,
    /** The first runs every query; the others only share checksum scans (`parallel`). */
    readonly sessions: SqlSession[],
    readonly where: string,
    private readonly aborted: Promise<never>,
  ) {}

  /** Runs the statements at once, one per session (more statements than sessions queue on the last ones). */
  async queryEach(statements: readonly SqlStatement[]): Promise<Record<string, unknown>[][]> {
    return Promise.all(statements.map((statement, index) => this.query(statement, index % this.sessions.length)));
  }

  async query(statement: SqlStatement, sessionIndex = 0): Promise<Record<string, unknown>[]> {
    const started = performance.now();
    const session = this.sessions[sessionIndex] ?? this.sessions[0];
    if (!session) throw verifyError('VERIFY_CONNECT_FAILED', `The ${this.label} database has no open connection.`);
    try {
      const result = await Promise.race([session.execute(statement), this.aborted]);
      log.debug(`${this.label} query`, { ms: Math.round(performance.now() - started), rows: result.rows.length, sql: statement.sql.slice(0, 160) });
      return result.rows;
    } catch (error) {
      if (error instanceof EngineError) throw error;
      const message = error instanceof Error ? error.message : String(error);
      throw verifyError('VERIFY_QUERY_FAILED', `The ${this.label} database (${this.where}) refused a verify query: ${message}`, {
        cause: error,
        detail: { sql: statement.sql },
      });
    }
  }
}

function validateRequest(request: VerifyRequest): void {
  const positive = (value: number | undefined, name: string, minimum: number): void => {
    if (value !== undefined && (!Number.isInteger(value) || value < minimum)) {
      throw verifyError('VERIFY_BAD_REQUEST', `${name} must be a whole number of at least ${minimum}, got ${String(value)}.`);
    }
  };
  positive(request.bisectionThreshold, 'bisectionThreshold', 1);
  positive(request.maxDifferences, 'maxDifferences', 1);
  positive(request.parallel, 'parallel', 1);
  if (request.parallel !== undefined && request.parallel > 16) throw verifyError('VERIFY_BAD_REQUEST', `parallel must be at most 16 connections per side, got ${request.parallel}.`);
  if (request.bisectionFactor !== undefined && (!isPowerOfTwo(request.bisectionFactor) || request.bisectionFactor < 2)) {
    throw verifyError('VERIFY_BAD_REQUEST', `bisectionFactor must be a power of two of at least 2 (e.g. 32), got ${String(request.bisectionFactor)}.`);
  }
  if (request.segments !== undefined && (!isPowerOfTwo(request.segments) || request.segments > 1 << 20)) {
    throw verifyError('VERIFY_BAD_REQUEST', `segments must be a power of two up to 1048576 (e.g. 1024), got ${String(request.segments)}.`);
  }
  if (request.minAgeSeconds !== undefined) {
    if (!Number.isFinite(request.minAgeSeconds) || request.minAgeSeconds < 0) {
      throw verifyError('VERIFY_BAD_REQUEST', `minAgeSeconds must be a number of seconds of at least 0, got ${String(request.minAgeSeconds)}.`);
    }
    if (!request.updateColumn) {
      throw verifyError('VERIFY_BAD_REQUEST', 'minAgeSeconds needs updateColumn: the timestamp column that says when a row last changed (e.g. --update-column updated_at).');
    }
  }
  for (const [label, side] of [['source', request.source], ['target', request.target]] as const) {
    if (!side || typeof side.url !== 'string' || side.url.trim() === '') throw verifyError('VERIFY_BAD_REQUEST', `The ${label} needs a database URL, e.g. postgres://user:password@host:5432/db.`);
    if (typeof side.table !== 'string' || side.table.trim() === '') throw verifyError('VERIFY_BAD_REQUEST', `The ${label} needs a table name (--table, or --target-table for the target).`);
  }
}

function tableRef(dialect: VerifyDialect, table: string, database: string): TableRef {
  const parts = table.trim().split('.');
  if (parts.length === 2 && parts[0] && parts[1]) return { schema: parts[0], name: parts[1] };
  if (parts.length === 1) return { schema: dialect.defaultSchema(database), name: table.trim() };
  throw verifyError('VERIFY_BAD_REQUEST', `The table name "${table}" is not "table" or "schema.table".`);
}

async function describe(side: Side, ref: TableRef): Promise<TableInfo> {
  const { dialect } = side;
  let resolved = ref;
  let rows = await side.query(dialect.describeColumns(resolved));
  if (rows.length === 0 && dialect.name === 'postgres' && ref.name !== ref.name.toLowerCase()) {
    // An unquoted name in PostgreSQL is folded to lower case; accept it as users type it.
    resolved = { schema: ref.schema, name: ref.name.toLowerCase() };
    rows = await side.query(dialect.describeColumns(resolved));
  }
  if (rows.length === 0) {
    throw verifyError('VERIFY_TABLE_MISSING', `The ${side.label} table ${resolved.schema}.${resolved.name} does not exist in ${side.where} (or this user cannot see it). Check --table / --target-table and the database in the URL.`);
  }
  const columns = rows.map((row) => dialect.classify(dialect.readDescribedColumn(row)));
  const primaryKey = (await side.query(dialect.primaryKey(resolved))).map((row) => String(row.name));
  const estimate = await side.query(dialect.estimateRows(resolved));
  return { ref: resolved, columns, primaryKey, estimatedRows: Number(toBigInt(estimate[0]?.estimate)) };
}

function utcText(date: Date): string {
  return `${date.toISOString().replace('T', ' ').replace('Z', '')}000`;
}

/**
 * Splits a level's segments into `parts` groups of about equal width, halving segments while there are fewer
 * than `parts` (never below `childWidth`), so each connection of a side scans its own share.
 */
export function splitSegments(within: readonly Segment[], parts: number, childWidth: bigint): Segment[][] {
  let segments = [...within];
  while (segments.length < parts && segments.every((segment) => segment.width / 2n >= childWidth && segment.width % 2n === 0n)) {
    segments = segments.flatMap((segment) => [
      { start: segment.start, width: segment.width / 2n },
      { start: segment.start + segment.width / 2n, width: segment.width / 2n },
    ]);
  }
  const groups: Segment[][] = Array.from({ length: Math.min(parts, segments.length) }, () => []);
  segments.forEach((segment, index) => groups[Math.floor((index * groups.length) / segments.length)]?.push(segment));
  return groups.filter((group) => group.length > 0);
}

function checksumFn(side: Side, plan: SidePlan) {
  return async (within: readonly Segment[], childWidth: bigint): Promise<Map<bigint, SegmentSums>> => {
    const groups = splitSegments(within, side.sessions.length, childWidth);
    const results = await side.queryEach(groups.map((group) => checksumQuery(side.dialect, plan, group, childWidth)));
    const sums = new Map<bigint, SegmentSums>();
    for (const rows of results) {
      for (const row of rows) sums.set(toBigInt(row.b) * childWidth, { count: toBigInt(row.n), sum: toBigInt(row.s) });
    }
    return sums;
  };
}

function readRows(rows: Record<string, unknown>[], keyCount: number, columnCount: number): CanonicalRow[] {
  const text = (value: unknown): string | null => (value === null || value === undefined ? null : Buffer.isBuffer(value) ? value.toString('utf8') : String(value));
  return rows.map((row) => {
    const values: CanonicalRow = [];
    for (let index = 0; index < keyCount; index += 1) values.push(text(row[`k${index}`]));
    for (let index = 0; index < columnCount; index += 1) values.push(text(row[`c${index}`]));
    return values;
  });
}

function chunks<T>(items: readonly T[], size: number): T[][] {
  const result: T[][] = [];
  for (let index = 0; index < items.length; index += size) result.push(items.slice(index, index + size));
  return result;
}

async function openSide(label: SideLabel, spec: VerifySide, parallel: number, aborted: Promise<never>): Promise<{ side: Side; database: string; zone: string }> {
  const connection = parseDatabaseUrl(spec.url, `The ${label} URL`);
  const where = describeTarget(connection.settings);
  const opened = await Promise.allSettled(Array.from({ length: parallel }, () => openSqlSession(connection.settings)));
  const sessions = opened.flatMap((outcome) => (outcome.status === 'fulfilled' ? [outcome.value] : []));
  const failure = opened.find((outcome): outcome is PromiseRejectedResult => outcome.status === 'rejected');
  if (failure) {
    await Promise.allSettled(sessions.map((session) => session.close()));
    const message = failure.reason instanceof Error ? failure.reason.message : String(failure.reason);
    throw verifyError('VERIFY_CONNECT_FAILED', `Cannot connect to the ${label} database ${where}: ${message}. Check the host, port, user and password in the URL.`, { cause: failure.reason });
  }
  const side = new Side(label, verifyDialect(connection.settings.dialect), sessions, where, aborted);
  return { side, database: connection.settings.database, zone: spec.timeZone ?? connection.timeZone ?? 'UTC' };
}

/** Compares one table in two databases: checksum bisection in both databases at once, then a row diff of the leaves. */
export async function runVerify(request: VerifyRequest, options: VerifyRunOptions = {}): Promise<VerifyReport> {
  validateRequest(request);
  const started = performance.now();
  const runId = request.runId ?? randomUUID();
  const progress = (update: Omit<VerifyProgress, 'runId'>): void => options.onProgress?.({ runId, ...update });
  const cancelled = (): EngineError => verifyError('VERIFY_CANCELLED', 'The verify run was cancelled.');
  const aborted = new Promise<never>((_, reject) => {
    if (options.signal?.aborted) reject(cancelled());
    options.signal?.addEventListener('abort', () => reject(cancelled()), { once: true });
  });
  aborted.catch(() => undefined);
  const sides: Side[] = [];
  try {
    progress({ phase: 'describing', segmentsDone: 0, segmentsTotal: 0, rowsCompared: 0 });
    const parallel = request.parallel ?? VERIFY_DEFAULTS.parallel;
    const opened = await Promise.allSettled([openSide('source', request.source, parallel, aborted), openSide('target', request.target, parallel, aborted)]);
    for (const outcome of opened) if (outcome.status === 'fulfilled') sides.push(outcome.value.side);
    for (const outcome of opened) if (outcome.status === 'rejected') throw outcome.reason;
    const [sourceOpen, targetOpen] = opened.map((outcome) => (outcome as PromiseFulfilledResult<Awaited<ReturnType<typeof openSide>>>).value);
    if (!sourceOpen || !targetOpen) throw verifyError('VERIFY_CONNECT_FAILED', 'A database connection could not be opened.');
    const source = sourceOpen.side;
    const target = targetOpen.side;
    await Promise.all(
      sides.flatMap((side) =>
        side.sessions.map(async (_, index) => {
          for (const sql of side.dialect.sessionSetup()) await side.query({ sql, params: [] }, index);
        }),
      ),
    );
    await Promise.all([checkZone(source, sourceOpen.zone), checkZone(target, targetOpen.zone)]);
    const [sourceInfo, targetInfo] = await Promise.all([
      describe(source, tableRef(source.dialect, request.source.table, sourceOpen.database)),
      describe(target, tableRef(target.dialect, request.target.table, targetOpen.database)),
    ]);
    const plan = planComparison({
      source: { dialect: source.dialect.name, info: sourceInfo, zone: sourceOpen.zone, where: request.source.where, label: 'source' },
      target: { dialect: target.dialect.name, info: targetInfo, zone: targetOpen.zone, where: request.target.where, label: 'target' },
      key: request.key,
      columns: request.columns,
    });
    const notes = [...plan.notes];
    if (request.minAgeSeconds !== undefined && request.updateColumn) {
      const cutoff = utcText(new Date(Date.now() - request.minAgeSeconds * 1000));
      for (const [side, sidePlan, info] of [[source, plan.source, sourceInfo], [target, plan.target, targetInfo]] as const) {
        const column = info.columns.find((c) => c.name.toLowerCase() === request.updateColumn?.toLowerCase());
        if (!column || (column.kind !== 'timestamp' && column.kind !== 'timestamptz')) {
          throw verifyError('VERIFY_COLUMN_MISSING', `The ${side.label} table has no timestamp column "${request.updateColumn}" for minAgeSeconds; name the column that records when a row last changed.`);
        }
        const zone = side === source ? sourceOpen.zone : targetOpen.zone;
        sidePlan.conditions.push(minAgeCondition(side.dialect, { column, render: { fraction: 6, lowercase: false, zone, lengthPrefix: false, sameScale: false } }, cutoff));
      }
      notes.push(`Rows changed after ${cutoff} UTC (by "${request.updateColumn}", ${request.minAgeSeconds} s before the run) are left out on both sides.`);
    }

    const factor = request.bisectionFactor ?? VERIFY_DEFAULTS.bisectionFactor;
    const threshold = request.bisectionThreshold ?? VERIFY_DEFAULTS.bisectionThreshold;
    const maxDifferences = request.maxDifferences ?? VERIFY_DEFAULTS.maxDifferences;
    const segments = request.segments ?? defaultSegmentCount(Math.max(sourceInfo.estimatedRows, targetInfo.estimatedRows), Math.max(1, Math.floor(threshold / 2)));
    const space = await choosePositions(source, target, plan.source, plan.target, segments);
    progress({ phase: 'checksumming', segmentsDone: 0, segmentsTotal: segments, rowsCompared: 0 });
    const bisection = await bisect(checksumFn(source, plan.source), checksumFn(target, plan.target), {
      space,
      segments,
      factor,
      threshold,
      onLevel: (checked, total, matched) => progress({ phase: 'checksumming', segmentsDone: checked, segmentsTotal: total, rowsCompared: Number(matched) }),
    });

    // Leaves: fetch whole rows where both sides have some, keys only where one side has none.
    const keyColumns: KeyColumn[] = plan.source.keys.map((key) => ({ name: key.column.name, kind: key.column.kind }));
    const keyCount = keyColumns.length;
    const columnCount = plan.columnNames.length;
    const onlyInSource: CanonicalRow[] = [];
    const onlyInTarget: CanonicalRow[] = [];
    const different: ReturnType<typeof diffRows>['different'] = [];
    const duplicates: ReturnType<typeof diffRows>['duplicateKeys'] = [];
    let rowsCompared = bisection.rowsMatched;
    let truncated = false;
    const found = (): number => onlyInSource.length + onlyInTarget.length + different.length;
    const groups: { leaves: Leaf[]; keysOnly: boolean }[] = [
      { leaves: bisection.leaves.filter((leaf) => leaf.sourceCount > 0n && leaf.targetCount > 0n), keysOnly: false },
      { leaves: bisection.leaves.filter((leaf) => leaf.sourceCount === 0n || leaf.targetCount === 0n), keysOnly: true },
    ];
    let fetched = 0;
    for (const group of groups) {
      let next = 0;
      while (next < group.leaves.length) {
        if (found() >= maxDifferences) {
          truncated = true;
          break;
        }
        // Key-only leaves are all differences: fetch no more of them than the listing can still take.
        const budget = group.keysOnly ? maxDifferences - found() : ROWS_PER_FETCH;
        const batch = nextBatch(group.leaves, next, Math.min(budget, ROWS_PER_FETCH));
        next += batch.length;
        const segmentsOf = (which: 'source' | 'target'): Segment[] =>
          batch.filter((leaf) => (which === 'source' ? leaf.sourceCount : leaf.targetCount) > 0n).map((leaf) => leaf.segment);
        progress({ phase: 'fetching', segmentsDone: bisection.segmentsChecked, segmentsTotal: bisection.segmentsChecked, rowsCompared: Number(rowsCompared) });
        const fetchSide = async (side: Side, sidePlan: SidePlan, which: 'source' | 'target'): Promise<CanonicalRow[]> => {
          const wanted = segmentsOf(which);
          if (wanted.length === 0) return [];
          const rows = await side.query(fetchQuery(side.dialect, sidePlan, wanted, group.keysOnly));
          return readRows(rows, keyCount, group.keysOnly ? 0 : columnCount);
        };
        const [sourceRows, targetRows] = await Promise.all([fetchSide(source, plan.source, 'source'), fetchSide(target, plan.target, 'target')]);
        fetched += batch.length;
        const diff = diffRows(sourceRows, targetRows, keyCount);
        onlyInSource.push(...diff.onlyInSource);
        onlyInTarget.push(...diff.onlyInTarget);
        different.push(...diff.different);
        duplicates.push(...diff.duplicateKeys);
        rowsCompared += BigInt(sourceRows.length + diff.onlyInTarget.length);
      }
    }
    if (duplicates.length > 0) {
      for (const label of ['source', 'target'] as const) {
        const keys = duplicates.filter((entry) => entry.side === label).map((entry) => JSON.stringify(toKey(entry.key, keyColumns)));
        if (keys.length > 0) notes.push(`The key (${plan.keyNames.join(', ')}) is not unique in the ${label}: ${keys.slice(0, 5).join(', ')}${keys.length > 5 ? ` and ${keys.length - 5} more` : ''}; the first row of each is compared.`);
      }
    }
    const sortRows = (rows: CanonicalRow[]): CanonicalRow[] => rows.sort((a, b) => compareKeys(a, b, keyColumns));
    sortRows(onlyInSource);
    sortRows(onlyInTarget);
    different.sort((a, b) => compareKeys(a.source, b.source, keyColumns));
    if (found() > maxDifferences) truncated = true;
    if (truncated) notes.push(`Listing stopped after ${maxDifferences} differences (maxDifferences); the tables differ in more rows.`);
    const limit = <T>(rows: T[]): T[] => rows.slice(0, maxDifferences);
    // Equal only when every segment's count and checksum matched; rows are listed to explain a difference.
    const equal = bisection.leaves.length === 0;
    const report: VerifyReport = {
      runId,
      equal,
      rowsCompared: Number(bisection.sourceRows + BigInt(onlyInTarget.length)),
      sourceRows: Number(bisection.sourceRows),
      targetRows: Number(bisection.targetRows),
      seconds: Math.round(performance.now() - started) / 1000,
      onlyInSource: limit(onlyInSource).map((row) => toKey(row, keyColumns)),
      onlyInTarget: limit(onlyInTarget).map((row) => toKey(row, keyColumns)),
      different: limit(different).map((entry) => toDifference(entry, keyColumns, plan.columnNames)),
      truncated,
      key: plan.keyNames,
      columns: plan.columnNames,
      normalisation: plan.rules,
      notes,
      segmentsChecked: bisection.segmentsChecked,
      segmentsFetched: fetched,
    };
    if (!equal && found() === 0) {
      notes.push('Segment checksums differ but no row differs in its canonical values: a key is duplicated or rows changed while verify ran; run it again.');
    }
    if (request.fixSql) {
      report.fixSql = buildFixScript({
        dialect: target.dialect,
        target: plan.target,
        insert: [],
        remove: limit(onlyInTarget),
        update: limit(different).map((entry) => ({ source: entry.source, columns: entry.columns })),
      });
      if (onlyInSource.length > 0) {
        // Rows missing from the target need their values: fetch them by the leaves they are in.
        const missing = await fetchMissingRows(source, plan.source, bisection.leaves, limit(onlyInSource), keyCount, columnCount);
        report.fixSql.push(...buildFixScript({ dialect: target.dialect, target: plan.target, insert: missing, remove: [], update: [] }).filter((s) => s.startsWith('INSERT')));
      }
    }
    progress({ phase: 'done', segmentsDone: bisection.segmentsChecked, segmentsTotal: bisection.segmentsChecked, rowsCompared: report.rowsCompared });
    return report;
  } finally {
    const closing = Promise.allSettled(sides.flatMap((side) => side.sessions.map((session) => session.close())));
    // A cancelled run returns at once; its connections close when the statement in flight ends.
    if (!options.signal?.aborted) await closing;
  }
}

/** A zone the database cannot apply would turn every zone-less timestamp into NULL (MySQL) or fail later: say so now. */
async function checkZone(side: Side, zone: string): Promise<void> {
  if (zone === 'UTC') return;
  const probe = side.dialect.zoneProbe(zone);
  if (!probe) return;
  let rows: Record<string, unknown>[];
  try {
    rows = await side.query({ sql: probe, params: [] });
  } catch {
    rows = [{ ok: null }];
  }
  if (rows[0]?.ok === null || rows[0]?.ok === undefined) {
    const hint = side.dialect.name === 'mysql' ? ' Load the zone tables (mariadb-tzinfo-to-sql) or give an offset such as +02:00.' : ' Use a zone name this server knows, or an offset such as +02:00.';
    throw verifyError('VERIFY_BAD_REQUEST', `The ${side.label} database does not know the time zone "${zone}" given for its zone-less timestamps.${hint}`);
  }
}

/**
 * A single integer key on both sides positions rows by the key itself (segments are key ranges the index serves);
 * anything else by the 60-bit key hash. Returns the size of the position space.
 */
async function choosePositions(source: Side, target: Side, sourcePlan: SidePlan, targetPlan: SidePlan, segments: number): Promise<bigint> {
  const integerKey = sourcePlan.keys.length === 1 && sourcePlan.keys[0]?.column.kind === 'integer' && targetPlan.keys[0]?.column.kind === 'integer';
  if (!integerKey) return HASH_SPACE;
  const [a, b] = await Promise.all([source.query(keyBoundsQuery(source.dialect, sourcePlan)), target.query(keyBoundsQuery(target.dialect, targetPlan))]);
  const bounds = [a[0], b[0]].filter((row) => row?.lo !== null && row?.lo !== undefined).map((row) => ({ lo: toBigInt(row?.lo), hi: toBigInt(row?.hi) }));
  const offset = bounds.reduce((min, bound) => (bound.lo < min ? bound.lo : min), bounds[0]?.lo ?? 0n);
  const highest = bounds.reduce((max, bound) => (bound.hi > max ? bound.hi : max), bounds[0]?.hi ?? 0n);
  const range = highest - offset + 1n;
  if (range >= HASH_SPACE) return HASH_SPACE;
  let space = BigInt(segments);
  while (space < range) space *= 2n;
  sourcePlan.position = { mode: 'integerKey', offset };
  targetPlan.position = { mode: 'integerKey', offset };
  return space;
}

async function fetchMissingRows(
  side: Side,
  plan: SidePlan,
  leaves: readonly Leaf[],
  wanted: readonly CanonicalRow[],
  keyCount: number,
  columnCount: number,
): Promise<CanonicalRow[]> {
  const keys = new Set(wanted.map((row) => JSON.stringify(row.slice(0, keyCount))));
  const segments = leaves.filter((leaf) => leaf.sourceCount > 0n && leaf.targetCount === 0n).map((leaf) => leaf.segment);
  const rows: CanonicalRow[] = [];
  for (const batch of chunks(segments, LEAVES_PER_FETCH)) {
    const fetched = readRows(await side.query(fetchQuery(side.dialect, plan, batch, false)), keyCount, columnCount);
    for (const row of fetched) if (keys.has(JSON.stringify(row.slice(0, keyCount)))) rows.push(row);
  }
  const found = new Set(rows.map((row) => JSON.stringify(row.slice(0, keyCount))));
  // Rows missing from target in segments both sides have were fetched whole already; keep their values too.
  return [...rows, ...wanted.filter((row) => row.length > keyCount && !found.has(JSON.stringify(row.slice(0, keyCount))))];
}
