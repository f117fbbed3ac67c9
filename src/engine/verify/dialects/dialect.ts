import type { DialectName, SqlStatement } from '../../sinks/sql/dialects/dialect';
import type { ColumnInfo, ColumnRender, TableRef } from '../model';

/** A row of the describe query, as every dialect returns it. */
export interface DescribedColumnRow {
  name: string;
  dataType: string;
  columnType: string;
  scale: number | undefined;
  fraction: number | undefined;
  nullable: boolean;
  /** MySQL: the column's character set. */
  charset?: string;
}

/**
 * The per-engine SQL verify needs: pure functions from names and types to SQL text, unit-tested on the text they
 * generate. The shared builders in `../queries.ts` compose them into the checksum and fetch queries.
 */
export interface VerifyDialect {
  readonly name: DialectName;
  quote(identifier: string): string;
  qualified(table: TableRef): string;
  /** A query whose single column `ok` is NULL when this server cannot convert from `zone` (MySQL without zone tables). */
  zoneProbe(zone: string): string | undefined;
  /** Session settings every verify connection runs first (UTF-8, UTC). */
  sessionSetup(): string[];
  /**
   * Settings for a checksum query's own read-only transaction only (`SET LOCAL`), run right after it begins: planner
   * choices that suit a scan aggregating millions of rows into a few thousand segments but not the small catalog and
   * fetch queries of the same session.
   */
  checksumSettings?(): string[];
  /** The default schema when a table name has none (`database` is the URL's). */
  defaultSchema(database: string): string;
  describeColumns(table: TableRef): SqlStatement;
  primaryKey(table: TableRef): SqlStatement;
  estimateRows(table: TableRef): SqlStatement;
  /** Reads one row of `describeColumns` (drivers spell the column names differently). */
  readDescribedColumn(row: Record<string, unknown>): DescribedColumnRow;
  /** The value kind of a declared type. */
  classify(row: DescribedColumnRow): ColumnInfo;
  /** SQL giving the column's canonical text, NULL for NULL. */
  canonical(columnSql: string, column: ColumnInfo, render: ColumnRender): string;
  /**
   * The value as it enters the hashed row text, where `join` and `COALESCE(…, '~N')` convert it: the canonical text,
   * or the column itself when the engine's own conversion there prints exactly that (cheaper than a cast per value).
   * Floats enter in a cheaper form than their canonical text when both sides of the pair are floats
   * (`ColumnRender.floatUnits`), which every dialect must write alike (the row diff still compares canonical texts): a
   * double below 1e8 nearest to a number of at most 4 decimals (`nearestToFourDecimals`) as the integer
   * `ROUND(x * 10000)` in decimal digits (-0 as 0); any other double (NaN, ±Infinity, longer ones) as `~` and its
   * canonical text, so neither can imitate the other. Printing the integer instead of the double saved MariaDB ~0.18
   * and PostgreSQL ~0.12 CPU s per 1M rows of the verify bench (issue 13). Equal doubles hash equally everywhere: the
   * test and the integer are IEEE arithmetic, and a product k + 0.5 never passes the test, so the engines' rounding
   * of ties never matters. Two different doubles with one canonical text, one nearest to 4 decimals and one not (0.1
   * and the next double up), hash differently: their segment is fetched and the row diff finds them equal.
   * (Timestamps keep their padded text: hashing PostgreSQL's own trimmed text saved it ~0.2 CPU s per column per 1M
   * rows, and trimming cost MariaDB more, 0.65 for the bench's two.)
   */
  rowPart?(columnSql: string, column: ColumnInfo, render: ColumnRender): string;
  /**
   * The UTF-8 byte length of free text, NULL for NULL. It enters the hashed row text as a field of its own just
   * before the text (`5|hello`), so joining values with `|` stays injective whatever the text contains. `asText`:
   * typed as text, for `COALESCE(…, '~N')` (otherwise whatever `join` prints as decimal digits).
   */
  byteLength(textSql: string, asText: boolean): string;
  /** A single integer key as a non-negative BIGINT position: `key - offset`. */
  keyPosition(columnSql: string, offset: bigint): string;
  /** `MIN` and `MAX` of an integer column as columns lo, hi. */
  keyBounds(columnSql: string, fromSql: string): string;
  /** `parts` joined with `|`; a NULL part is left out, separator and all (as CONCAT_WS / concat_ws do). */
  join(parts: string[]): string;
  /** A 60-bit unsigned integer from md5 of the UTF-8 text: hex digits 2–16 of the digest. */
  hash60(textSql: string): string;
  /** Exact sum of 60-bit integers as text (DECIMAL/NUMERIC arithmetic never overflows). */
  sumAsText(integerSql: string): string;
  /**
   * How GROUP BY names the select list's expression at `position`: by position where the engine allows it (an alias
   * could be taken for a table column of the same name), else the expression itself.
   */
  groupByRef(position: number, expression: string): string;
  /** Integer division of non-negative integers. */
  divide(integerSql: string, divisor: bigint): string;
  /** A string literal. */
  stringLiteral(text: string): string;
  /** A literal for a canonical text in a fix script, typed for the target column. */
  valueLiteral(canonicalText: string | null, column: ColumnInfo): string;
  /** A `WHERE` comparison that is exact on bytes whatever the column's collation (for fix scripts on string keys). */
  equalsLiteral(columnSql: string, column: ColumnInfo, literal: string): string;
}

/** `+02:00`, `-0530`, `+2`: a fixed UTC offset (east positive, ISO 8601), as opposed to a zone name. */
export const UTC_OFFSET = /^[+-]\d{1,2}(?::?\d{2})?$/;

/** A fixed offset as `+HH:MM`. */
export function normaliseOffset(zone: string): string {
  const match = /^([+-])(\d{1,2})(?::?(\d{2}))?$/.exec(zone);
  if (!match) return zone;
  return `${match[1]}${(match[2] ?? '0').padStart(2, '0')}:${match[3] ?? '00'}`;
}

/** Integer text of a driver value (counts, sums, estimates). */
export function toBigInt(value: unknown): bigint {
  if (value === null || value === undefined) return 0n;
  if (typeof value === 'bigint') return value;
  if (typeof value === 'number') return BigInt(Math.trunc(value));
  const text = String(value).trim();
  const integer = text.includes('.') ? text.slice(0, text.indexOf('.')) : text;
  return BigInt(integer === '' || integer === '-' ? '0' : integer);
}

export function optionalNumber(value: unknown): number | undefined {
  if (value === null || value === undefined || value === '') return undefined;
  const number = Number(value);
  return Number.isFinite(number) ? number : undefined;
}

/** Cuts `HH:MM:SS.ffffff`-shaped text (starting at `secondsEnd`, the index after the seconds) to `fraction` digits. */
export function fractionLength(secondsEnd: number, fraction: number): number {
  return fraction > 0 ? secondsEnd + 1 + fraction : secondsEnd;
}

/**
 * SQL true for a double below 1e8 in magnitude that is the double nearest to a number with at most 4 decimals: k / 10^4
 * (k an integer, exact below 2^53) is divided correctly rounded, so equality means the 4-decimal text reads back as
 * this double, and its shortest text has at most 8 + 1 + 4 characters and a sign, no exponent (|x| ≥ 1e-4 unless
 * 0). Such a double is its own canonical text, found with arithmetic instead of printing it to measure it first:
 * 11 % of MariaDB's checksum CPU and 5 % of PostgreSQL's on the verify bench (issue 13). Other doubles (and NaN,
 * ±Infinity, NULL: the condition is not true) take the general path. The same SQL on MySQL/MariaDB and PostgreSQL.
 */
export function nearestToFourDecimals(double: string): string {
  return `ABS(${double}) < 1e8 AND ${double} = ROUND(${double} * 10000) / 10000`;
}

