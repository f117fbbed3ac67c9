import type { VerifyKey, VerifyRowDifference } from '../../shared/api/verify';
import type { ValueKind } from './model';

/** One fetched row: the key columns' canonical texts, then the compared columns' (absent for key-only fetches). */
export type CanonicalRow = (string | null)[];

export interface KeyColumn {
  name: string;
  kind: ValueKind;
}

export interface RowDiff {
  onlyInSource: CanonicalRow[];
  onlyInTarget: CanonicalRow[];
  different: { source: CanonicalRow; target: CanonicalRow; columns: number[] }[];
  /** Keys seen twice on one side (the key is not unique there); the first row is compared. */
  duplicateKeys: { side: 'source' | 'target'; key: CanonicalRow }[];
  /** Rows whose only differences are float texts within rounding of each other: counted as equal. */
  roundingOnly: number;
}

/**
 * Relative difference below which two floats' canonical texts count as the same value. The engines print a double's
 * shortest text differently in rare ties (MariaDB `…485e16`, PostgreSQL `…4848e16`), so rounding both to 15
 * significant digits can differ by one unit in the last place.
 */
export const FLOAT_TOLERANCE = 2e-14;

function sameFloat(a: string | null | undefined, b: string | null | undefined): boolean {
  if (a === null || a === undefined || b === null || b === undefined) return false;
  const x = Number(a);
  const y = Number(b);
  if (!Number.isFinite(x) || !Number.isFinite(y)) return false;
  return Math.abs(x - y) <= FLOAT_TOLERANCE * Math.max(Math.abs(x), Math.abs(y));
}

function keyOf(row: CanonicalRow, keyCount: number): string {
  return JSON.stringify(row.slice(0, keyCount));
}

function index(rows: readonly CanonicalRow[], keyCount: number, side: 'source' | 'target', duplicates: RowDiff['duplicateKeys']): Map<string, CanonicalRow> {
  const map = new Map<string, CanonicalRow>();
  for (const row of rows) {
    const key = keyOf(row, keyCount);
    if (map.has(key)) duplicates.push({ side, key: row.slice(0, keyCount) });
    else map.set(key, row);
  }
  return map;
}

/**
 * Matches rows by key (canonical text, so collations play no part) and lists what differs. `floatColumns[i]` marks
 * compared column i as a float pair, whose texts are equal within FLOAT_TOLERANCE.
 */
export function diffRows(source: readonly CanonicalRow[], target: readonly CanonicalRow[], keyCount: number, floatColumns: readonly boolean[] = []): RowDiff {
  const duplicateKeys: RowDiff['duplicateKeys'] = [];
  const sourceByKey = index(source, keyCount, 'source', duplicateKeys);
  const targetByKey = index(target, keyCount, 'target', duplicateKeys);
  const result: RowDiff = { onlyInSource: [], onlyInTarget: [], different: [], duplicateKeys, roundingOnly: 0 };
  for (const [key, row] of sourceByKey) {
    const other = targetByKey.get(key);
    if (!other) {
      result.onlyInSource.push(row);
      continue;
    }
    const columns: number[] = [];
    let rounding = false;
    for (let column = keyCount; column < row.length; column += 1) {
      if (row[column] === other[column]) continue;
      if (floatColumns[column - keyCount] && sameFloat(row[column], other[column])) rounding = true;
      else columns.push(column - keyCount);
    }
    if (columns.length > 0) result.different.push({ source: row, target: other, columns });
    else if (rounding) result.roundingOnly += 1;
  }
  for (const [key, row] of targetByKey) if (!sourceByKey.has(key)) result.onlyInTarget.push(row);
  return result;
}

/** Integer keys as numbers (when exact), everything else as its canonical text. */
export function toKey(row: CanonicalRow, keys: readonly KeyColumn[]): VerifyKey {
  const key: VerifyKey = {};
  keys.forEach((column, position) => {
    const value = row[position] ?? null;
    if (value !== null && column.kind === 'integer' && /^-?\d+$/.test(value) && Number.isSafeInteger(Number(value))) key[column.name] = Number(value);
    else key[column.name] = value;
  });
  return key;
}

/** Stable report order: integer keys numerically, text by code point (the same order on every engine). */
export function compareKeys(a: CanonicalRow, b: CanonicalRow, keys: readonly KeyColumn[]): number {
  for (let position = 0; position < keys.length; position += 1) {
    const left = a[position] ?? null;
    const right = b[position] ?? null;
    if (left === right) continue;
    if (left === null) return -1;
    if (right === null) return 1;
    if (keys[position]?.kind === 'integer' && /^-?\d+$/.test(left) && /^-?\d+$/.test(right)) {
      const difference = BigInt(left) - BigInt(right);
      if (difference !== 0n) return difference < 0n ? -1 : 1;
      continue;
    }
    return left < right ? -1 : 1;
  }
  return 0;
}

export function toDifference(entry: RowDiff['different'][number], keys: readonly KeyColumn[], columnNames: readonly string[]): VerifyRowDifference {
  return {
    key: toKey(entry.source, keys),
    columns: entry.columns.map((column) => ({
      name: columnNames[column] ?? `#${column}`,
      source: entry.source[keys.length + column] ?? null,
      target: entry.target[keys.length + column] ?? null,
    })),
  };
}
