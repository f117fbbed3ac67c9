import { randomUUID } from 'node:crypto';
import type { VerifyProgress, VerifyReport, VerifyRequest } from '../../shared/api/verify';
import type { EngineError } from '../../shared/errors';
import { bisect, defaultSegmentCount, isPowerOfTwo, type SegmentSums } from './bisection';
import { toBigInt } from './dialects';
import { verifyError } from './errors';
import { buildFixScript } from './fixScript';
import { diffLeaves, type LeafSides, wholeRowsFor } from './leaves';
import { HASH_SPACE, type SidePlan, type TableInfo } from './model';
import { type ComparisonPlan, planComparison } from './plan';
import { checksumQuery, fetchQuery, keyBoundsQuery, keyListCondition, MAX_KEY_LIST, minAgeCondition, type Segment } from './queries';
import { type CanonicalRow, compareKeys, type KeyColumn, type RowDiff, toDifference, toKey } from './rowDiff';
import { checkZone, describeTable, type OpenedSide, openSides, refuseUnsafeWhere, type Side, tableRef } from './side';

export const VERIFY_DEFAULTS = { bisectionFactor: 32, bisectionThreshold: 1024, maxDifferences: 10_000, parallel: 2 } as const;

export interface VerifyRunOptions {
  signal?: AbortSignal;
  onProgress?: (progress: VerifyProgress) => void;
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


function utcText(date: Date): string {
  return `${date.toISOString().replace('T', ' ').replace('Z', '')}000`;
}

/**
 * Splits a level's segments into `parts` groups carrying about the same number of rows, so each connection of a side
 * scans its own share and both of a side's connections stay busy to the end: a side whose share of the machine
 * frees up late then uses every core instead of one (issue 13: with positions up to 2^24 for 10M integer keys, the
 * even split of the position space gave one connection 8.4M rows and the other 1.6M). Rows are taken as spread
 * evenly over positions below `occupied` (the integer keys' range when verify began; undefined: the whole space,
 * as for key hashes), none above. Heavy segments are halved (never below `childWidth`) until none carries more than
 * a quarter of one group's share (while there are few segments); groups are runs of adjacent segments (adjacent key ranges merge into one).
 */
export function splitSegments(within: readonly Segment[], parts: number, childWidth: bigint, occupied?: bigint): Segment[][] {
  const rowsIn = (segment: Segment): bigint => {
    if (occupied === undefined) return segment.width;
    const end = segment.start + segment.width < occupied ? segment.start + segment.width : occupied;
    return end > segment.start ? end - segment.start : 0n;
  };
  const sorted = [...within].sort((a, b) => (a.start < b.start ? -1 : a.start > b.start ? 1 : 0));
  // Segments wholly above the occupied range (rows added since verify began) count by width, if that is all there is.
  const weight = sorted.some((segment) => rowsIn(segment) > 0n) ? rowsIn : (segment: Segment): bigint => segment.width;
  const halvable = (segment: Segment): boolean => segment.width / 2n >= childWidth && segment.width % 2n === 0n;
  const total = (list: readonly Segment[]): bigint => list.reduce((sum, segment) => sum + weight(segment), 0n);
  const share = total(sorted) / BigInt(parts * 4);
  let segments = sorted;
  // Many segments (a deep level's differing ones) are fine-grained enough already: halving them would only lengthen
  // the position filter.
  while (segments.length < parts * 8 && segments.some((segment) => weight(segment) > share && halvable(segment))) {
    segments = segments.flatMap((segment) =>
      weight(segment) > share && halvable(segment)
        ? [
            { start: segment.start, width: segment.width / 2n },
            { start: segment.start + segment.width / 2n, width: segment.width / 2n },
          ]
        : [segment],
    );
  }
  const all = total(segments);
  const groups: Segment[][] = Array.from({ length: Math.min(parts, segments.length) }, () => []);
  let before = 0n;
  segments.forEach((segment, index) => {
    // By the rows before the segment's middle; without any weight at all, by count.
    const at = all > 0n ? Number(((before + weight(segment) / 2n) * BigInt(groups.length)) / all) : Math.floor((index * groups.length) / segments.length);
    groups[Math.min(groups.length - 1, at)]?.push(segment);
    before += weight(segment);
  });
  return groups.filter((group) => group.length > 0);
}

function checksumFn(side: Side, plan: SidePlan, occupied: bigint | undefined) {
  return async (within: readonly Segment[], childWidth: bigint): Promise<Map<bigint, SegmentSums>> => {
    const groups = splitSegments(within, side.sessions.length, childWidth, occupied);
    const results = await side.queryEach(groups.map((group) => checksumQuery(side.dialect, plan, group, childWidth)));
    const sums = new Map<bigint, SegmentSums>();
    for (const rows of results) {
      for (const row of rows) sums.set(toBigInt(row.b) * childWidth, { count: toBigInt(row.n), sum: toBigInt(row.s) });
    }
    return sums;
  };
}


/** What `minAgeSeconds` needs after the diff: which source rows changed after the cut-off. */
interface MinAge {
  note: string;
  /** The source's own conditions (the user's where), without the cut-off. */
  sourceConditions: string[];
  /** True for a source row changed after the cut-off. */
  sourceChangedSince: string;
}

/**
 * `minAgeSeconds`: on both sides, leave out rows whose update column is newer than the cut-off (in UTC, zone-less
 * values read in the side's zone). An update in flight still leaves the target's earlier version, with its earlier
 * timestamp, in the comparison: `inFlightKeys` drops those afterwards.
 */
function applyMinAge(request: VerifyRequest, sides: readonly [OpenedSide, SidePlan, TableInfo][]): MinAge | undefined {
  if (request.minAgeSeconds === undefined || !request.updateColumn) return undefined;
  const cutoff = utcText(new Date(Date.now() - request.minAgeSeconds * 1000));
  let sourceConditions: string[] = [];
  let sourceChangedSince = '';
  for (const [opened, plan, info] of sides) {
    const column = info.columns.find((candidate) => candidate.name.toLowerCase() === request.updateColumn?.toLowerCase());
    if (!column || (column.kind !== 'timestamp' && column.kind !== 'timestamptz')) {
      throw verifyError(
        'VERIFY_COLUMN_MISSING',
        `The ${opened.side.label} table has no timestamp column "${request.updateColumn}" for minAgeSeconds; name the column that records when a row last changed.`,
      );
    }
    const render = { fraction: 6, lowercase: false, zone: opened.zone, lengthPrefix: false, sameScale: false };
    const condition = minAgeCondition(opened.side.dialect, { column, render }, cutoff);
    if (opened.side.label === 'source') {
      sourceConditions = [...plan.conditions];
      sourceChangedSince = `NOT (${condition})`;
    }
    plan.conditions.push(condition);
  }
  return {
    note: `Rows changed after ${cutoff} UTC (by "${request.updateColumn}", ${request.minAgeSeconds} s before the run) are left out on both sides.`,
    sourceConditions,
    sourceChangedSince,
  };
}

/** Keys per query when looking up rows in flight. */
const IN_FLIGHT_BATCH = 1000;

/**
 * Of `keys` (canonical key texts), those whose source row changed after the min-age cut-off, read now, after the
 * diff: a row updated at the source while the target still holds its earlier version (or updated while verify ran)
 * is in flight, not a difference.
 */
async function inFlightKeys(source: Side, plan: SidePlan, minAge: MinAge, keys: readonly CanonicalRow[]): Promise<Set<string>> {
  const found = new Set<string>();
  for (let start = 0; start < keys.length; start += IN_FLIGHT_BATCH) {
    const batch = keys.slice(start, start + IN_FLIGHT_BATCH);
    const lookup: SidePlan = { ...plan, conditions: [...minAge.sourceConditions, minAge.sourceChangedSince, keyListCondition(source.dialect, plan, batch)] };
    const rows = await source.query(fetchQuery(source.dialect, lookup, undefined, true));
    for (const row of rows) found.add(JSON.stringify(plan.keys.map((_, index) => (row[`k${index}`] === null || row[`k${index}`] === undefined ? null : String(row[`k${index}`])))));
  }
  return found;
}

/**
 * `keys`: on both sides, keep only the rows with these keys. Each key must name every key column (any case);
 * values are canonical texts (numbers for integer keys), as a report lists them. Returns the note for the report.
 */
function applyKeyList(request: VerifyRequest, plan: ComparisonPlan, sides: readonly [OpenedSide, SidePlan][]): string | undefined {
  if (request.keys === undefined) return undefined;
  if (!Array.isArray(request.keys)) throw verifyError('VERIFY_BAD_REQUEST', 'keys must be a list of key objects, e.g. [{"id": 42}].');
  if (request.keys.length > MAX_KEY_LIST) {
    throw verifyError('VERIFY_BAD_REQUEST', `keys lists ${request.keys.length} keys; at most ${MAX_KEY_LIST} can be re-checked at once: compare the whole table, or narrow it with where.`);
  }
  const rows = request.keys.map((key, index) => {
    if (key === null || typeof key !== 'object') throw verifyError('VERIFY_BAD_REQUEST', `keys[${index}] must be an object naming the key columns (${plan.keyNames.join(', ')}).`);
    const entries = Object.entries(key);
    return plan.keyNames.map((name) => {
      const entry = entries.find(([column]) => column === name) ?? entries.find(([column]) => column.toLowerCase() === name.toLowerCase());
      if (!entry) throw verifyError('VERIFY_BAD_REQUEST', `keys[${index}] has no value for the key column "${name}"; every key names ${plan.keyNames.map((n) => `"${n}"`).join(', ')}.`);
      const value = entry[1];
      if (value !== null && typeof value !== 'string' && typeof value !== 'number') throw verifyError('VERIFY_BAD_REQUEST', `keys[${index}].${name} must be a string, a number or null.`);
      return value === null ? null : String(value);
    });
  });
  for (const [opened, sidePlan] of sides) sidePlan.conditions.push(keyListCondition(opened.side.dialect, sidePlan, rows));
  return `Only the ${rows.length} listed key(s) were compared (a re-check), not the whole table.`;
}

function duplicateNotes(duplicates: RowDiff['duplicateKeys'], keyColumns: readonly KeyColumn[], keyNames: readonly string[]): string[] {
  const notes: string[] = [];
  for (const label of ['source', 'target'] as const) {
    const keys = duplicates.filter((entry) => entry.side === label).map((entry) => JSON.stringify(toKey(entry.key, keyColumns)));
    if (keys.length === 0) continue;
    const more = keys.length > 5 ? ` and ${keys.length - 5} more` : '';
    notes.push(`The key (${keyNames.join(', ')}) is not unique in the ${label}: ${keys.slice(0, 5).join(', ')}${more}; the first row of each is compared.`);
  }
  return notes;
}

/** The SQL that would make the target equal to the source, for the listed differences (`insert`: whole source rows). */
function fixScript(
  sides: LeafSides,
  insert: readonly CanonicalRow[],
  diff: { onlyInTarget: CanonicalRow[]; different: RowDiff['different'] },
): string[] {
  const keyCount = sides.sourcePlan.keys.length;
  return buildFixScript({
    dialect: sides.target.dialect,
    target: sides.targetPlan,
    // A row gone from the source since the checksums has only its key: nothing to insert.
    insert: insert.filter((row) => row.length > keyCount),
    remove: diff.onlyInTarget,
    update: diff.different.map((entry) => ({ source: entry.source, columns: entry.columns })),
  });
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

  progress({ phase: 'describing', segmentsDone: 0, segmentsTotal: 0, rowsCompared: 0 });
  const [sourceOpen, targetOpen] = await openSides(request.source, request.target, request.parallel ?? VERIFY_DEFAULTS.parallel, aborted);
  const source = sourceOpen.side;
  const target = targetOpen.side;
  try {
    refuseUnsafeWhere(source, request.source.where);
    refuseUnsafeWhere(target, request.target.where);
    await Promise.all([checkZone(source, sourceOpen.zone), checkZone(target, targetOpen.zone)]);
    const [sourceInfo, targetInfo] = await Promise.all([
      describeTable(source, tableRef(source.dialect, request.source.table, sourceOpen.database)),
      describeTable(target, tableRef(target.dialect, request.target.table, targetOpen.database)),
    ]);
    const plan: ComparisonPlan = planComparison({
      source: { dialect: source.dialect.name, info: sourceInfo, zone: sourceOpen.zone, where: request.source.where, label: 'source' },
      target: { dialect: target.dialect.name, info: targetInfo, zone: targetOpen.zone, where: request.target.where, label: 'target' },
      key: request.key,
      columns: request.columns,
    });
    const notes = [...plan.notes];
    const minAge = applyMinAge(request, [
      [sourceOpen, plan.source, sourceInfo],
      [targetOpen, plan.target, targetInfo],
    ]);
    if (minAge) notes.push(minAge.note);
    const keyListNote = applyKeyList(request, plan, [
      [sourceOpen, plan.source],
      [targetOpen, plan.target],
    ]);
    if (keyListNote) notes.push(keyListNote);

    const threshold = request.bisectionThreshold ?? VERIFY_DEFAULTS.bisectionThreshold;
    const maxDifferences = request.maxDifferences ?? VERIFY_DEFAULTS.maxDifferences;
    const estimate = Math.max(sourceInfo.estimatedRows, targetInfo.estimatedRows);
    const segments = request.segments ?? defaultSegmentCount(estimate, Math.max(1, Math.floor(threshold / 2)));
    const { space, occupied } = await choosePositions(source, target, plan.source, plan.target, segments);
    progress({ phase: 'checksumming', segmentsDone: 0, segmentsTotal: segments, rowsCompared: 0 });
    const bisection = await bisect(checksumFn(source, plan.source, occupied), checksumFn(target, plan.target, occupied), {
      space,
      segments,
      factor: request.bisectionFactor ?? VERIFY_DEFAULTS.bisectionFactor,
      threshold,
      onLevel: (checked, total, matched) => progress({ phase: 'checksumming', segmentsDone: checked, segmentsTotal: total, rowsCompared: Number(matched) }),
    });

    const sides: LeafSides = { source, target, sourcePlan: plan.source, targetPlan: plan.target };
    const fetching = (): void => progress({ phase: 'fetching', segmentsDone: bisection.segmentsChecked, segmentsTotal: bisection.segmentsChecked, rowsCompared: Number(bisection.rowsMatched) });
    const diff = await diffLeaves(sides, bisection.leaves, maxDifferences, fetching);
    const keyColumns: KeyColumn[] = plan.source.keys.map((key) => ({ name: key.column.name, kind: key.column.kind }));
    notes.push(...duplicateNotes(diff.duplicateKeys, keyColumns, plan.keyNames));
    if (diff.truncated) notes.push(`Listing stopped after ${maxDifferences} differences (maxDifferences); the tables differ in more rows.`);
    let inFlight = 0;
    if (minAge && diff.onlyInTarget.length + diff.different.length > 0) {
      const keyText = (row: CanonicalRow): string => JSON.stringify(row.slice(0, keyColumns.length));
      const changed = await inFlightKeys(source, plan.source, minAge, [...diff.onlyInTarget, ...diff.different.map((entry) => entry.source)].map((row) => row.slice(0, keyColumns.length)));
      if (changed.size > 0) {
        const before = diff.onlyInTarget.length + diff.different.length;
        diff.onlyInTarget = diff.onlyInTarget.filter((row) => !changed.has(keyText(row)));
        diff.different = diff.different.filter((entry) => !changed.has(keyText(entry.source)));
        inFlight = before - diff.onlyInTarget.length - diff.different.length;
        notes.push(`${inFlight} row(s) changed at the source after the cut-off while the target still held an earlier version (in flight); left out.`);
      }
    }
    // Equal when every segment's count and checksum matched, or when the rows of the segments that did not differ
    // only by float rounding between engines or by changes in flight; rows are listed to explain a difference.
    const listedNothing = diff.onlyInSource.length + diff.onlyInTarget.length + diff.different.length === 0 && !diff.truncated;
    const equal = bisection.leaves.length === 0 || (listedNothing && diff.duplicateKeys.length === 0 && (diff.roundingOnly > 0 || inFlight > 0));
    if (diff.roundingOnly > 0) {
      notes.push(`${diff.roundingOnly} row(s) differ only in the last of 15 significant digits of a float (the engines print some doubles differently); counted as equal.`);
    }
    if (!equal && listedNothing) {
      notes.push('Segment checksums differ but no row differs in its canonical values: a key is duplicated or rows changed while verify ran; run it again.');
    }
    const listed = {
      onlyInSource: diff.onlyInSource.sort((a, b) => compareKeys(a, b, keyColumns)).slice(0, maxDifferences),
      onlyInTarget: diff.onlyInTarget.sort((a, b) => compareKeys(a, b, keyColumns)).slice(0, maxDifferences),
      different: diff.different.sort((a, b) => compareKeys(a.source, b.source, keyColumns)).slice(0, maxDifferences),
    };
    const report: VerifyReport = {
      runId,
      equal,
      rowsCompared: Number(bisection.sourceRows) + diff.onlyInTarget.length,
      sourceRows: Number(bisection.sourceRows),
      targetRows: Number(bisection.targetRows),
      seconds: 0,
      onlyInSource: listed.onlyInSource.map((row) => toKey(row, keyColumns)),
      onlyInTarget: listed.onlyInTarget.map((row) => toKey(row, keyColumns)),
      different: listed.different.map((entry) => toDifference(entry, keyColumns, plan.columnNames)),
      truncated: diff.truncated,
      key: plan.keyNames,
      columns: plan.columnNames,
      normalisation: plan.rules,
      notes,
      segmentsChecked: bisection.segmentsChecked,
      segmentsFetched: diff.fetched,
    };
    const sourceRows = request.fixSql || request.rows ? await wholeRowsFor(sides, bisection.leaves, 'source', listed.onlyInSource) : [];
    if (request.rows) {
      const targetRows = await wholeRowsFor(sides, bisection.leaves, 'target', listed.onlyInTarget);
      report.rows = { onlyInSource: sourceRows, onlyInTarget: targetRows };
    }
    if (request.fixSql) report.fixSql = fixScript(sides, sourceRows, listed);
    report.seconds = Math.round(performance.now() - started) / 1000;
    progress({ phase: 'done', segmentsDone: bisection.segmentsChecked, segmentsTotal: bisection.segmentsChecked, rowsCompared: report.rowsCompared });
    return report;
  } finally {
    const closing = Promise.all([source.close(), target.close()]);
    // A cancelled run returns at once; its connections close when the statement in flight ends.
    if (!options.signal?.aborted) await closing;
  }
}

/**
 * A single integer key on both sides positions rows by the key itself (segments are key ranges the index serves);
 * anything else by the 60-bit key hash. Returns the size of the position space and, for integer keys, the end of
 * the positions the keys occupied (the space is that range rounded up to a power of two).
 */
async function choosePositions(
  source: Side,
  target: Side,
  sourcePlan: SidePlan,
  targetPlan: SidePlan,
  segments: number,
): Promise<{ space: bigint; occupied?: bigint }> {
  const integerKey = sourcePlan.keys.length === 1 && sourcePlan.keys[0]?.column.kind === 'integer' && targetPlan.keys[0]?.column.kind === 'integer';
  if (!integerKey) return { space: HASH_SPACE };
  const [a, b] = await Promise.all([source.query(keyBoundsQuery(source.dialect, sourcePlan)), target.query(keyBoundsQuery(target.dialect, targetPlan))]);
  const bounds = [a[0], b[0]].filter((row) => row?.lo !== null && row?.lo !== undefined).map((row) => ({ lo: toBigInt(row?.lo), hi: toBigInt(row?.hi) }));
  const offset = bounds.reduce((min, bound) => (bound.lo < min ? bound.lo : min), bounds[0]?.lo ?? 0n);
  const highest = bounds.reduce((max, bound) => (bound.hi > max ? bound.hi : max), bounds[0]?.hi ?? 0n);
  const range = highest - offset + 1n;
  if (range >= HASH_SPACE) return { space: HASH_SPACE };
  let space = BigInt(segments);
  while (space < range) space *= 2n;
  sourcePlan.position = { mode: 'integerKey', offset };
  targetPlan.position = { mode: 'integerKey', offset };
  return { space, occupied: range };
}

