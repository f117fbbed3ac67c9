import type { SqlStatement } from '../sinks/sql/dialects/dialect';
import type { VerifyDialect } from './dialects';
import type { ColumnInfo, SideColumn, SidePlan } from './model';

/** A verify query with the settings its own read-only transaction runs first (`VerifyDialect.checksumSettings`). */
export interface VerifyStatement extends SqlStatement {
  localSettings?: string[];
}

/** A range of the position space (key hash or integer key minus offset): start ≤ position < start + width. */
export interface Segment {
  start: bigint;
  width: bigint;
}

/** Never the text of a value: free text starts with its length, other kinds never start with `~`. */
const NULL_MARK = '~N';

/** Above this many key ranges a filter matches segment indexes instead (one scan rather than a long OR of ranges). */
const MAX_KEY_RANGES = 256;

/**
 * A value as it enters the hashed row text (the fields `join` puts between `|`): canonical, NULL as `~N`; free text
 * as two fields, its UTF-8 byte length and then the text (`5|hello`), or only `~N` when NULL (`join` leaves out the
 * NULL text). Lengths as fields of their own, rather than one `5:hello` field, save a concatenation per value: 10 %
 * of PostgreSQL's checksum CPU on the verify bench (issue 13).
 */
export function hashParts(dialect: VerifyDialect, side: SideColumn): string[] {
  const column = dialect.quote(side.column.name);
  if (side.render.lengthPrefix) {
    const canonical = dialect.canonical(column, side.column, side.render);
    // A uuid's canonical text is always 36 bytes (lower-case hex and dashes): no second conversion to measure it.
    const uuidLength = side.column.nullable ? `CASE WHEN ${column} IS NULL THEN '${NULL_MARK}' ELSE '36' END` : "'36'";
    if (side.column.kind === 'uuid' || textBesideUuid(side)) return [uuidLength, canonical];
    const length = side.column.nullable ? `COALESCE(${dialect.byteLength(canonical, true)}, '${NULL_MARK}')` : dialect.byteLength(canonical, false);
    return [length, canonical];
  }
  const canonical = (dialect.rowPart ?? dialect.canonical).call(dialect, column, side.column, side.render);
  return [side.column.nullable ? `COALESCE(${canonical}, '${NULL_MARK}')` : canonical];
}

/**
 * Text of at most 36 characters compared with a uuid (`render.lowercase`: a uuid on one side; a CHAR(36) holding
 * uuids replicated from PostgreSQL or SQL Server). Its length field may be the constant 36 like the uuid's, saving
 * MariaDB a second LOWER per row (~0.09 CPU s per 1M rows of the verify bench): where it holds a uuid's text it is 36
 * bytes; where it does not, the row texts differ whatever that field says, because the uuid side's text is `36|`
 * and 36 characters of hex digits and dashes followed by `|` or the end, and a value of at most 36 characters
 * cannot put the same 36 ASCII bytes there and then more of its own before that `|`.
 */
function textBesideUuid(side: SideColumn): boolean {
  if (!side.render.lowercase || (side.column.kind !== 'string' && side.column.kind !== 'fixedString')) return false;
  const declared = /^(?:var)?char\((\d+)\)/.exec(side.column.declared);
  return declared !== null && Number(declared[1]) <= 36;
}

/** The hashed text of a row (`columns`: keys, then compared columns). */
export function rowTextSql(dialect: VerifyDialect, columns: readonly SideColumn[]): string {
  return dialect.join(columns.flatMap((column) => hashParts(dialect, column)));
}

function keyColumnSql(dialect: VerifyDialect, plan: SidePlan): string {
  return dialect.quote(plan.keys[0]?.column.name ?? '');
}

/** The row's position: the key hash, or the integer key minus the offset. */
function positionSql(dialect: VerifyDialect, plan: SidePlan): string {
  if (plan.position.mode === 'integerKey') return dialect.keyPosition(keyColumnSql(dialect, plan), plan.position.offset);
  return dialect.hash60(rowTextSql(dialect, plan.keys));
}

function whereClause(conditions: readonly string[]): string {
  return conditions.length === 0 ? '' : ` WHERE ${conditions.map((condition) => `(${condition})`).join(' AND ')}`;
}

/** Keeps rows whose position is in a segment, matching segment indexes (`position DIV width IN (…)`). */
export function segmentIndexFilter(dialect: VerifyDialect, positionColumn: string, segments: readonly Segment[]): string {
  const byWidth = new Map<bigint, bigint[]>();
  for (const segment of segments) {
    const indexes = byWidth.get(segment.width) ?? [];
    indexes.push(segment.start / segment.width);
    byWidth.set(segment.width, indexes);
  }
  const parts = [...byWidth].map(([width, indexes]) => `${dialect.divide(positionColumn, width)} IN (${indexes.map(String).join(', ')})`);
  return parts.length === 1 ? (parts[0] ?? '') : `(${parts.join(' OR ')})`;
}

/** Integer-key segments as key ranges (adjacent ones merged), which the primary-key index serves directly. */
export function keyRangeFilter(keySql: string, offset: bigint, segments: readonly Segment[]): string | undefined {
  const sorted = [...segments].sort((a, b) => (a.start < b.start ? -1 : a.start > b.start ? 1 : 0));
  const ranges: { from: bigint; to: bigint }[] = [];
  for (const segment of sorted) {
    const last = ranges.at(-1);
    if (last && last.to === segment.start) last.to = segment.start + segment.width;
    else ranges.push({ from: segment.start, to: segment.start + segment.width });
  }
  if (ranges.length > MAX_KEY_RANGES) return undefined;
  const parts = ranges.map((range) => `(${keySql} >= ${(range.from + offset).toString()} AND ${keySql} < ${(range.to + offset).toString()})`);
  return parts.length === 1 ? parts[0] : `(${parts.join(' OR ')})`;
}

/**
 * The conditions selecting the rows of `segments`: key ranges when they apply (inner), else a filter on the
 * position (`outer`, over `positionColumn`: the alias `h` of a derived table, or the position expression itself).
 */
function segmentConditions(
  dialect: VerifyDialect,
  plan: SidePlan,
  segments: readonly Segment[] | undefined,
  positionColumn: string,
): { inner: string[]; outer: string | undefined } {
  // The first level asks for the whole space: no filter at all.
  if (segments === undefined || segments.length === 0 || (segments.length === 1 && segments[0]?.start === 0n && plan.position.mode === 'hash' && segments[0].width === 1n << 60n)) {
    return { inner: plan.conditions, outer: undefined };
  }
  if (plan.position.mode === 'integerKey') {
    const ranges = keyRangeFilter(keyColumnSql(dialect, plan), plan.position.offset, segments);
    if (ranges !== undefined) return { inner: [...plan.conditions, ranges], outer: undefined };
  }
  return { inner: plan.conditions, outer: segmentIndexFilter(dialect, positionColumn, segments) };
}

/**
 * Per child segment of width `childWidth`: the row count and the exact sum of the rows' 60-bit hashes. `within`
 * limits the scan to the differing segments of the previous level (undefined: the whole table). Columns b, n, s.
 */
export function checksumQuery(dialect: VerifyDialect, plan: SidePlan, within: readonly Segment[], childWidth: bigint): VerifyStatement {
  const rowText = rowTextSql(dialect, [...plan.keys, ...plan.columns]);
  const position = positionSql(dialect, plan);
  const { inner, outer } = segmentConditions(dialect, plan, within, position);
  const bucket = dialect.divide(position, childWidth);
  // One flat query: a derived table under GROUP BY would be materialised row by row in MySQL/MariaDB.
  const conditions = outer === undefined ? inner : [...inner, outer];
  return {
    sql: `SELECT ${bucket} AS b, COUNT(*) AS n, ${dialect.sumAsText(dialect.hash60(rowText))} AS s FROM ${dialect.qualified(plan.table)}${whereClause(conditions)} GROUP BY ${dialect.groupByRef(1, bucket)}`,
    params: [],
    ...(dialect.checksumSettings ? { localSettings: dialect.checksumSettings() } : {}),
  };
}

/**
 * The canonical text of every key column (k0…) and, unless `keysOnly`, every compared column (c0…) of the rows in
 * `segments` (undefined: all rows).
 */
export function fetchQuery(dialect: VerifyDialect, plan: SidePlan, segments: readonly Segment[] | undefined, keysOnly: boolean): SqlStatement {
  const canonical = (side: SideColumn): string => dialect.canonical(dialect.quote(side.column.name), side.column, side.render);
  const selected = [
    ...plan.keys.map((key, index) => `${canonical(key)} AS k${index}`),
    ...(keysOnly ? [] : plan.columns.map((column, index) => `${canonical(column)} AS c${index}`)),
  ];
  const outerColumns = [...plan.keys.map((_, index) => `k${index}`), ...(keysOnly ? [] : plan.columns.map((_, index) => `c${index}`))];
  const { inner: conditions, outer } = segmentConditions(dialect, plan, segments, 'h');
  const inner = `SELECT ${selected.join(', ')}, ${positionSql(dialect, plan)} AS h FROM ${dialect.qualified(plan.table)}${whereClause(conditions)}`;
  return { sql: `SELECT ${outerColumns.join(', ')} FROM (${inner}) x${outer === undefined ? '' : ` WHERE ${outer}`}`, params: [] };
}

/** MIN and MAX of the single integer key (columns lo, hi), under the side's conditions. */
export function keyBoundsQuery(dialect: VerifyDialect, plan: SidePlan): SqlStatement {
  return { sql: dialect.keyBounds(keyColumnSql(dialect, plan), `${dialect.qualified(plan.table)}${whereClause(plan.conditions)}`), params: [] };
}

/** Rows whose `column` (a timestamp) is older than `cutoffUtc` (`YYYY-MM-DD HH:MM:SS.ffffff`), or NULL. */
export function minAgeCondition(dialect: VerifyDialect, column: SideColumn, cutoffUtc: string): string {
  // Canonical timestamps are fixed-width digits, so text order is time order in every collation.
  const canonical = dialect.canonical(dialect.quote(column.column.name), column.column, { ...column.render, fraction: 6 });
  return `${canonical} IS NULL OR ${canonical} < ${dialect.stringLiteral(cutoffUtc)}`;
}

/** Canonical text is text whatever the column's type: compared as such. */
const CANONICAL_TEXT: ColumnInfo = { name: 'canonical', declared: 'text', kind: 'text', scale: undefined, fraction: undefined, nullable: true };

/** At most this many keys in a `keys` request: each becomes a literal in every query of the run. */
export const MAX_KEY_LIST = 10_000;

/**
 * Rows whose key is one of `keys` (canonical texts, in the order of `plan.keys`): a single integer key as `IN (…)`
 * on the column itself (the index serves it), anything else by comparing the key's canonical text, the same text
 * verify compared, so zones, collations and padding cannot make a listed key miss its row.
 */
export function keyListCondition(dialect: VerifyDialect, plan: SidePlan, keys: readonly (readonly (string | null)[])[]): string {
  if (keys.length === 0) return '1 = 0';
  const only = plan.keys.length === 1 ? plan.keys[0] : undefined;
  if (only?.column.kind === 'integer' && keys.every((key) => key[0] !== null && key[0] !== undefined && /^-?\d+$/.test(key[0]))) {
    return `${dialect.quote(only.column.name)} IN (${keys.map((key) => key[0]).join(', ')})`;
  }
  const canonical = plan.keys.map((key) => dialect.canonical(dialect.quote(key.column.name), key.column, key.render));
  // Canonical texts compared byte for byte: a case-insensitive collation must not pull in a neighbour's row.
  const one = (key: readonly (string | null)[]): string =>
    canonical
      .map((sql, position) => {
        const value = key[position];
        return value === null || value === undefined ? `${sql} IS NULL` : dialect.equalsLiteral(sql, CANONICAL_TEXT, dialect.stringLiteral(value));
      })
      .join(' AND ');
  return `(${keys.map((key) => `(${one(key)})`).join(' OR ')})`;
}
