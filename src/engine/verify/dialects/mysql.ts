import type { ColumnInfo, ColumnRender, TableRef } from '../model';
import { type DescribedColumnRow, fractionLength, nearestToFourDecimals, normaliseOffset, optionalNumber, UTC_OFFSET, type VerifyDialect } from './dialect';
import { quoteMySqlIdentifier } from '../../db/mysql/identifiers';

const INTEGER = new Set(['tinyint', 'smallint', 'mediumint', 'int', 'integer', 'bigint', 'year']);
const STRING = new Set(['varchar', 'tinytext', 'text', 'mediumtext', 'longtext']);
const BINARY = new Set(['binary', 'varbinary', 'tinyblob', 'blob', 'mediumblob', 'longblob']);

/** `1.500` → `1.5`, `2.000` → `2`. Only for text that always has a decimal point (a DECIMAL with scale > 0). */
function trimDecimal(text: string): string {
  return `TRIM(TRAILING '.' FROM TRIM(TRAILING '0' FROM ${text}))`;
}

/** CONVERT_TZ takes `+HH:MM` offsets, or names when the server has its zone tables loaded. */
function zoneText(zone: string): string {
  return UTC_OFFSET.test(zone) ? normaliseOffset(zone) : zone;
}

/**
 * The session variable holding a float's shortest text while its canonical text is built (set and read within one
 * IF, before the next value's, so several float columns in one row can share it).
 */
const FLOAT_TEXT_VARIABLE = '@ferry_verify_float';

/** Character sets whose bytes already are UTF-8. */
const UTF8_SETS = new Set(['utf8mb4', 'utf8mb3', 'utf8', 'ascii']);

function stringLiteral(text: string): string {
  return `'${text.replaceAll('\\', '\\\\').replaceAll("'", "''")}'`;
}

/** FLOAT is widened to DOUBLE first, as PostgreSQL's float4::float8. */
function widenedDouble(column: string, info: ColumnInfo): string {
  return info.declared.startsWith('float') ? `CAST(${column} AS DOUBLE)` : column;
}

/**
 * The canonical text of a double that is not nearest to a number of at most 4 decimals (see `canonical`): the
 * shortest text when it has at most 14 characters and no exponent, else that text rounded through DECIMAL(65,30).
 */
function generalFloatText(double: string): string {
  const shortest = FLOAT_TEXT_VARIABLE;
  const rounded = trimDecimal(`CAST(ROUND(CAST(${shortest} AS DECIMAL(65,30)), 14 - FLOOR(LOG10(ABS(${double})))) AS CHAR)`);
  return `IF(LENGTH(${shortest} := CONCAT(${double})) <= 14 AND LOCATE('e', ${shortest}) = 0, ${shortest}, ${rounded})`;
}

/** MySQL and MariaDB. Strings are hashed as utf8mb4 whatever the column's character set. */
export const mySqlVerifyDialect: VerifyDialect = {
  name: 'mysql',
  quote: quoteMySqlIdentifier,
  qualified(table) {
    return `${this.quote(table.schema)}.${this.quote(table.name)}`;
  },
  zoneProbe: (zone) => `SELECT CONVERT_TZ('2000-01-01 00:00:00', ${stringLiteral(zoneText(zone))}, '+00:00') AS ok`,
  sessionSetup: () => [
    'SET NAMES utf8mb4',
    // TIMESTAMP columns are stored in UTC and shown in the session zone: show them in UTC.
    "SET time_zone = '+00:00'",
    // Literals below escape backslashes; that only holds without NO_BACKSLASH_ESCAPES.
    "SET SESSION sql_mode = REPLACE(@@sql_mode, 'NO_BACKSLASH_ESCAPES', '')",
  ],
  defaultSchema: (database) => database,
  describeColumns: (table: TableRef) => ({
    sql:
      'SELECT COLUMN_NAME AS name, DATA_TYPE AS data_type, COLUMN_TYPE AS column_type, NUMERIC_SCALE AS scale, DATETIME_PRECISION AS fraction, CHARACTER_SET_NAME AS charset, IS_NULLABLE AS nullable ' +
      'FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ? ORDER BY ORDINAL_POSITION',
    params: [table.schema, table.name],
  }),
  primaryKey: (table) => ({
    sql:
      "SELECT COLUMN_NAME AS name FROM information_schema.KEY_COLUMN_USAGE WHERE CONSTRAINT_NAME = 'PRIMARY' AND TABLE_SCHEMA = ? AND TABLE_NAME = ? " +
      'ORDER BY ORDINAL_POSITION',
    params: [table.schema, table.name],
  }),
  estimateRows: (table) => ({
    sql: 'SELECT TABLE_ROWS AS estimate FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ?',
    params: [table.schema, table.name],
  }),
  readDescribedColumn: (row) => ({
    name: String(row.name),
    dataType: String(row.data_type).toLowerCase(),
    columnType: String(row.column_type).toLowerCase(),
    scale: optionalNumber(row.scale),
    fraction: optionalNumber(row.fraction),
    nullable: String(row.nullable).toUpperCase() !== 'NO',
    ...(row.charset ? { charset: String(row.charset).toLowerCase() } : {}),
  }),
  classify(row: DescribedColumnRow): ColumnInfo {
    const base = { name: row.name, declared: row.columnType, scale: undefined, fraction: undefined, nullable: row.nullable, charset: row.charset };
    const type = row.dataType;
    if (INTEGER.has(type)) return { ...base, kind: 'integer' };
    if (type === 'bit') return { ...base, kind: row.columnType === 'bit(1)' ? 'boolean' : 'integer' };
    if (type === 'decimal' || type === 'numeric') return { ...base, kind: 'decimal', scale: row.scale };
    if (type === 'float' || type === 'double' || type === 'real') return { ...base, kind: 'float' };
    if (type === 'char') return { ...base, kind: 'fixedString' };
    if (STRING.has(type)) return { ...base, kind: 'string' };
    if (type === 'uuid') return { ...base, kind: 'uuid' };
    if (BINARY.has(type)) return { ...base, kind: 'binary' };
    if (type === 'date') return { ...base, kind: 'date' };
    if (type === 'time') return { ...base, kind: 'time', fraction: row.fraction ?? 0 };
    if (type === 'datetime') return { ...base, kind: 'timestamp', fraction: row.fraction ?? 0 };
    if (type === 'timestamp') return { ...base, kind: 'timestamptz', fraction: row.fraction ?? 0 };
    return { ...base, kind: 'text' };
  },
  canonical(column: string, info: ColumnInfo, render: ColumnRender): string {
    const lower = (text: string): string => (render.lowercase ? `LOWER(${text})` : text);
    const utf8 = info.charset === undefined || UTF8_SETS.has(info.charset) ? column : `CONVERT(${column} USING utf8mb4)`;
    switch (info.kind) {
      case 'integer':
        return info.declared.startsWith('bit') ? `CAST(CAST(${column} AS UNSIGNED) AS CHAR)` : `CAST(${column} AS CHAR)`;
      case 'boolean':
        return `CAST(CAST(${column} AS UNSIGNED) AS CHAR)`;
      case 'decimal':
        if (info.scale === 0 || render.sameScale) return `CAST(${column} AS CHAR)`;
        return info.scale === undefined ? `IF(LOCATE('.', CAST(${column} AS CHAR)) = 0, CAST(${column} AS CHAR), ${trimDecimal(`CAST(${column} AS CHAR)`)})` : trimDecimal(`CAST(${column} AS CHAR)`);
      case 'float': {
        // The shortest text that reads back as the same double (as PostgreSQL prints it), rounded as a decimal to
        // 15 significant digits: both engines round the same digits, so ties cannot go different ways. FLOAT is
        // widened to DOUBLE first, as PostgreSQL's float4::float8. ROUND with a per-row digit count keeps the
        // argument's 30 decimals, so the text always has a point.
        const double = widenedDouble(column, info);
        // Most stored doubles print in at most 14 characters without an exponent (0.25, 1234.5, -17): such a
        // shortest text has at most 14 significant digits, so the rounding below would give it back unchanged, and
        // it is used as it is. The text is computed once per row into a session variable (an expression can only
        // name it again through one), which costs ~15 % of MariaDB's whole checksum CPU less than the DECIMAL path
        // on the verify bench; longer texts take the DECIMAL path as before. CONCAT prints a double exactly as
        // CAST(… AS CHAR) does, with less work (no conversion to the connection's character set).
        const general = generalFloatText(double);
        // FLOAT(M,D) / DOUBLE(M,D) carry fixed decimals, with which MySQL and MariaDB compare two doubles within a
        // tolerance: the exact test below needs a column without them.
        if (info.declared.includes('(')) return `IF(${column} = 0, '0', ${general})`;
        return `IF(${column} = 0, '0', IF(${nearestToFourDecimals(double)}, CONCAT(${double}), ${general}))`;
      }
      case 'string':
      case 'fixedString':
      case 'text':
        return lower(utf8);
      case 'uuid':
        return `LOWER(CAST(${column} AS CHAR))`;
      case 'binary':
        return `LOWER(HEX(${column}))`;
      case 'date':
        return `DATE_FORMAT(${column}, '%Y-%m-%d')`;
      case 'time': {
        if (render.fraction === 0) return `TIME_FORMAT(${column}, '%H:%i:%s')`;
        const full = `TIME_FORMAT(${column}, '%H:%i:%s.%f')`;
        return `LEFT(${full}, CHAR_LENGTH(${full}) - ${6 - render.fraction})`;
      }
      case 'timestamp':
      case 'timestamptz': {
        const utc =
          info.kind === 'timestamp' && render.zone !== 'UTC' ? `CONVERT_TZ(${column}, ${stringLiteral(zoneText(render.zone))}, '+00:00')` : column;
        // CAST prints exactly the column's fractional digits, and the common precision is never more than those.
        return info.fraction === render.fraction ? `CAST(${utc} AS CHAR)` : `LEFT(CAST(${utc} AS CHAR), ${fractionLength(19, render.fraction)})`;
      }
    }
  },
  rowPart(column: string, info: ColumnInfo, render: ColumnRender): string {
    // Inside CONCAT_WS (and COALESCE with '~N') MariaDB and MySQL print these kinds exactly as CAST(… AS CHAR) and
    // DATE_FORMAT do, without a conversion per value: a third less CPU for the row text of the verify bench's
    // numbers and timestamps (integers, decimals at their scale, timestamps at their own precision, in UTC).
    switch (info.kind) {
      case 'integer':
        return info.declared.startsWith('bit') ? `CAST(${column} AS UNSIGNED)` : column;
      case 'boolean':
        return `CAST(${column} AS UNSIGNED)`;
      case 'decimal':
        return info.scale === 0 || render.sameScale ? column : this.canonical(column, info, render);
      case 'date':
        return column;
      case 'float': {
        if (!render.floatUnits) return this.canonical(column, info, render);
        // The hashed float form (VerifyDialect.rowPart): ROUND(x * 10000) as an integer, or `~` and the canonical text.
        const double = widenedDouble(column, info);
        if (info.declared.includes('(')) return `CONCAT('~', ${this.canonical(column, info, render)})`;
        return `IF(${nearestToFourDecimals(double)}, CAST(ROUND(${double} * 10000) AS SIGNED), CONCAT('~', ${generalFloatText(double)}))`;
      }
      case 'timestamp':
      case 'timestamptz':
        return info.fraction === render.fraction && (info.kind === 'timestamptz' || render.zone === 'UTC') ? column : this.canonical(column, info, render);
      default:
        return this.canonical(column, info, render);
    }
  },
  byteLength: (text) => `LENGTH(${text})`,
  keyPosition: (column, offset) => `(${column} - ${offset.toString()})`,
  keyBounds: (column, from) => `SELECT CAST(MIN(${column}) AS CHAR) AS lo, CAST(MAX(${column}) AS CHAR) AS hi FROM ${from}`,
  join: (parts) => `CONCAT_WS('|', ${parts.join(', ')})`,
  hash60: (text) => `CAST(CONV(SUBSTRING(MD5(${text}), 2, 15), 16, 10) AS UNSIGNED)`,
  sumAsText: (integer) => `CAST(SUM(${integer}) AS CHAR)`,
  groupByRef: (position) => String(position),
  divide: (integer, divisor) => `(${integer} DIV ${divisor.toString()})`,
  stringLiteral,
  valueLiteral(text, column) {
    if (text === null) return 'NULL';
    switch (column.kind) {
      case 'integer':
      case 'boolean':
      case 'decimal':
      case 'float':
        return text;
      case 'binary':
        return `X'${text}'`;
      default:
        return stringLiteral(text);
    }
  },
  equalsLiteral(column, info, literal) {
    if (info.kind === 'string' || info.kind === 'fixedString' || info.kind === 'text') return `CAST(${column} AS BINARY) = CAST(${literal} AS BINARY)`;
    return `${column} = ${literal}`;
  },
};
