import type { DialectName } from '../sinks/sql/dialects/dialect';

/**
 * How a value becomes canonical text. Every dialect renders each kind to the same text for the same value, so
 * equal data hashes equally on every engine:
 *   integer     decimal digits                          boolean  1 / 0
 *   decimal     exact value, trailing fractional zeros dropped (1.50 and 1.5000 are both 1.5)
 *   float       15 significant digits, plain notation, trailing zeros dropped
 *   string      the characters as UTF-8 (fixedString: trailing pad spaces dropped); uuid lower-case
 *   binary      lower-case hex
 *   date        YYYY-MM-DD        time  HH:MM:SS[.f…]
 *   timestamp   YYYY-MM-DD HH:MM:SS[.f…] in UTC (zone-less values taken in the side's zone), fraction truncated
 *   text        whatever the engine prints (JSON, enums, intervals…), flagged in the notes
 */
export type ValueKind =
  | 'integer'
  | 'boolean'
  | 'decimal'
  | 'float'
  | 'string'
  | 'fixedString'
  | 'uuid'
  | 'binary'
  | 'date'
  | 'time'
  | 'timestamp'
  | 'timestamptz'
  | 'text';

export interface ColumnInfo {
  name: string;
  /** The declared type as the database prints it, for the report. */
  declared: string;
  kind: ValueKind;
  /** Decimal scale when declared. */
  scale: number | undefined;
  /** Fractional-second digits of temporal types. */
  fraction: number | undefined;
  /** False for NOT NULL columns (their hashed text needs no NULL mark). */
  nullable: boolean;
  /** MySQL character set of a text column (text in another set is converted to utf8mb4 before hashing). */
  charset?: string | undefined;
}

export interface TableRef {
  /** MySQL database, PostgreSQL / SQL Server schema. */
  schema: string;
  name: string;
}

export interface TableInfo {
  ref: TableRef;
  columns: ColumnInfo[];
  primaryKey: string[];
  estimatedRows: number;
}

/** How one compared column is rendered on both sides. */
export interface ColumnRender {
  /** Fractional-second digits both sides are cut to (temporal kinds). */
  fraction: number;
  /** Lower-case the text (a uuid on either side). */
  lowercase: boolean;
  /**
   * Length-prefix the value in the hashed row text: free text on either side. Decided per pair, because the hashed
   * text must be built the same way on both sides (a uuid column compared with a CHAR(36) one).
   */
  lengthPrefix: boolean;
  /** Both sides declare this decimal scale: print at it. Otherwise decimals drop trailing fractional zeros. */
  sameScale: boolean;
  /**
   * Both sides are floats: the hashed row text may take a double as the integer ROUND(x * 10000)
   * (`VerifyDialect.rowPart`). A float compared with a decimal or an integer keeps its canonical text, which is what
   * the other side's value prints as.
   */
  floatUnits?: boolean;
  /** The zone of zone-less timestamps on this side; `UTC` means no conversion. */
  zone: string;
}

export interface SideColumn {
  column: ColumnInfo;
  render: ColumnRender;
}

/**
 * Where a row sits in the space segments are cut from. `hash`: a 60-bit slice of md5 of the key's canonical text,
 * for any key (strings under any collation, composite keys, uuids, timestamps). `integerKey`: a single integer key
 * minus `offset`, so segments are key ranges the primary-key index can serve (integers order the same everywhere).
 */
export type PositionMode = { mode: 'hash' } | { mode: 'integerKey'; offset: bigint };

/** One side of a comparison as the query builders see it. */
export interface SidePlan {
  dialect: DialectName;
  table: TableRef;
  keys: SideColumn[];
  columns: SideColumn[];
  /** Conditions ANDed into every query (the user's where, the min-age cut-off). */
  conditions: string[];
  position: PositionMode;
}

/** Kinds whose text may contain the separator and so are length-prefixed before hashing. */
export function isFreeText(kind: ValueKind): boolean {
  return kind === 'string' || kind === 'fixedString' || kind === 'text';
}

/** The hash space segments are cut from: a 60-bit slice of md5, the same on every engine. */
export const HASH_SPACE = 1n << 60n;
