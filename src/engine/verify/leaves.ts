import type { Leaf } from './bisection';
import type { SidePlan } from './model';
import { fetchQuery, type Segment } from './queries';
import { type CanonicalRow, diffRows, type RowDiff } from './rowDiff';
import type { Side } from './side';
import { appendAll } from '../base/arrays';

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

function readRows(rows: Record<string, unknown>[], keyCount: number, columnCount: number): CanonicalRow[] {
  const text = (value: unknown): string | null => (value === null || value === undefined ? null : Buffer.isBuffer(value) ? value.toString('utf8') : String(value));
  return rows.map((row) => {
    const values: CanonicalRow = [];
    for (let index = 0; index < keyCount; index += 1) values.push(text(row[`k${index}`]));
    for (let index = 0; index < columnCount; index += 1) values.push(text(row[`c${index}`]));
    return values;
  });
}

export interface LeafDiff extends RowDiff {
  /** Listing stopped at `maxDifferences`. */
  truncated: boolean;
  /** Leaves fetched. */
  fetched: number;
  /** Source rows fetched plus target rows only in the target. */
  rowsCompared: number;
}

export interface LeafSides {
  source: Side;
  target: Side;
  sourcePlan: SidePlan;
  targetPlan: SidePlan;
}

/**
 * Fetches the differing leaves from both sides at once and diffs them in memory: whole rows where both sides have
 * some, keys only where one side has none. Stops once `maxDifferences` are listed.
 */
export async function diffLeaves(sides: LeafSides, leaves: readonly Leaf[], maxDifferences: number, onBatch: () => void): Promise<LeafDiff> {
  const keyCount = sides.sourcePlan.keys.length;
  const columnCount = sides.sourcePlan.columns.length;
  const result: LeafDiff = { onlyInSource: [], onlyInTarget: [], different: [], duplicateKeys: [], roundingOnly: 0, truncated: false, fetched: 0, rowsCompared: 0 };
  const floatColumns = sides.sourcePlan.columns.map((column, index) => column.column.kind === 'float' || sides.targetPlan.columns[index]?.column.kind === 'float');
  const found = (): number => result.onlyInSource.length + result.onlyInTarget.length + result.different.length;
  const groups = [
    { leaves: leaves.filter((leaf) => leaf.sourceCount > 0n && leaf.targetCount > 0n), keysOnly: false },
    { leaves: leaves.filter((leaf) => leaf.sourceCount === 0n || leaf.targetCount === 0n), keysOnly: true },
  ];
  for (const group of groups) {
    let next = 0;
    while (next < group.leaves.length) {
      if (found() >= maxDifferences) {
        result.truncated = true;
        break;
      }
      // Key-only leaves are all differences: fetch no more of them than the listing can still take.
      const budget = group.keysOnly ? maxDifferences - found() : ROWS_PER_FETCH;
      const batch = nextBatch(group.leaves, next, Math.min(budget, ROWS_PER_FETCH));
      next += batch.length;
      onBatch();
      const fetchSide = async (side: Side, plan: SidePlan, count: (leaf: Leaf) => bigint): Promise<CanonicalRow[]> => {
        const wanted: Segment[] = batch.filter((leaf) => count(leaf) > 0n).map((leaf) => leaf.segment);
        if (wanted.length === 0) return [];
        return readRows(await side.query(fetchQuery(side.dialect, plan, wanted, group.keysOnly)), keyCount, group.keysOnly ? 0 : columnCount);
      };
      const [sourceRows, targetRows] = await Promise.all([
        fetchSide(sides.source, sides.sourcePlan, (leaf) => leaf.sourceCount),
        fetchSide(sides.target, sides.targetPlan, (leaf) => leaf.targetCount),
      ]);
      result.fetched += batch.length;
      const diff = diffRows(sourceRows, targetRows, keyCount, floatColumns);
      appendAll(result.onlyInSource, diff.onlyInSource);
      appendAll(result.onlyInTarget, diff.onlyInTarget);
      appendAll(result.different, diff.different);
      appendAll(result.duplicateKeys, diff.duplicateKeys);
      result.roundingOnly += diff.roundingOnly;
      result.rowsCompared += sourceRows.length + diff.onlyInTarget.length;
    }
  }
  if (found() > maxDifferences) result.truncated = true;
  return result;
}

/**
 * Whole rows (keys and compared columns) of one side for keys listed as only on that side: rows from one-sided
 * leaves were fetched as keys only, so those leaves are read again. Returned in the order of `wanted`.
 */
export async function wholeRowsFor(sides: LeafSides, leaves: readonly Leaf[], which: 'source' | 'target', wanted: readonly CanonicalRow[]): Promise<CanonicalRow[]> {
  const side = which === 'source' ? sides.source : sides.target;
  const plan = which === 'source' ? sides.sourcePlan : sides.targetPlan;
  const keyCount = plan.keys.length;
  const keyOf = (row: CanonicalRow): string => JSON.stringify(row.slice(0, keyCount));
  const missing = new Set(wanted.filter((row) => row.length === keyCount).map(keyOf));
  if (missing.size === 0) return [...wanted];
  const oneSided = leaves.filter((leaf) => (which === 'source' ? leaf.sourceCount > 0n && leaf.targetCount === 0n : leaf.targetCount > 0n && leaf.sourceCount === 0n));
  const found = new Map<string, CanonicalRow>();
  for (let next = 0; next < oneSided.length && found.size < missing.size; ) {
    const batch = nextBatch(oneSided, next, ROWS_PER_FETCH);
    next += batch.length;
    const statement = fetchQuery(side.dialect, plan, batch.map((leaf) => leaf.segment), false);
    for (const row of readRows(await side.query(statement), keyCount, plan.columns.length)) {
      const key = keyOf(row);
      if (missing.has(key) && !found.has(key)) found.set(key, row);
    }
  }
  // A row deleted since the checksums keeps its key alone: its values are gone.
  return wanted.map((row) => (row.length > keyCount ? row : (found.get(keyOf(row)) ?? row)));
}
