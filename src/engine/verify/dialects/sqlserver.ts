import type { ColumnInfo, ColumnRender, TableRef } from '../model';
import { type DescribedColumnRow, fractionLength, normaliseOffset, optionalNumber, UTC_OFFSET, type VerifyDialect } from './dialect';
import { quoteSqlServerIdentifier } from '../../db/sqlserver/identifiers';

const INTEGER = new Set(['tinyint', 'smallint', 'int', 'bigint']);
const DECIMAL = new Set(['decimal', 'numeric', 'money', 'smallmoney']);
const STRING = new Set(['varchar', 'nvarchar', 'text', 'ntext', 'sysname']);
const BINARY = new Set(['binary', 'varbinary', 'image', 'timestamp', 'rowversion']);
const TIMESTAMP = new Set(['datetime2', 'datetime', 'smalldatetime']);

function stringLiteral(text: string): string {
  return `N'${text.replaceAll("'", "''")}'`;
}

/** `1.500` → `1.5`, `2.000` → `2`, for text that always has a point (RTRIM with characters: SQL Server 2022). */
function trimDecimal(text: string): string {
  return `RTRIM(RTRIM(${text}, '0'), '.')`;
}

/** NVARCHAR as UTF-8 bytes (a VARCHAR in a UTF-8 collation), so digests and lengths match the other engines. */
function utf8(text: string): string {
  return `CAST(CAST(${text} AS NVARCHAR(MAX)) COLLATE Latin1_General_100_BIN2_UTF8 AS VARCHAR(MAX))`;
}

/**
 * SQL Server 2022 or newer (RTRIM with characters, CONCAT_WS, UTF-8 collations). Text is hashed as UTF-8, not as
 * the UTF-16 NVARCHAR holds, so the digest equals MySQL's and PostgreSQL's.
 */
export const sqlServerVerifyDialect: VerifyDialect = {
  name: 'sqlserver',
  quote: quoteSqlServerIdentifier,
  qualified(table) {
    return `${this.quote(table.schema)}.${this.quote(table.name)}`;
  },
  zoneProbe: (zone) => (UTC_OFFSET.test(zone) ? undefined : `SELECT SYSDATETIMEOFFSET() AT TIME ZONE ${stringLiteral(zone)} AS ok`),
  sessionSetup: () => ['SET ARITHABORT ON'],
  defaultSchema: () => 'dbo',
  describeColumns: (table: TableRef) => ({
    sql:
      'SELECT COLUMN_NAME AS name, DATA_TYPE AS data_type, DATA_TYPE AS column_type, NUMERIC_SCALE AS scale, DATETIME_PRECISION AS fraction, IS_NULLABLE AS nullable ' +
      'FROM INFORMATION_SCHEMA.COLUMNS WHERE TABLE_SCHEMA = @p1 AND TABLE_NAME = @p2 ORDER BY ORDINAL_POSITION',
    params: [table.schema, table.name],
  }),
  primaryKey: (table) => ({
    sql:
      'SELECT k.COLUMN_NAME AS name FROM INFORMATION_SCHEMA.TABLE_CONSTRAINTS c JOIN INFORMATION_SCHEMA.KEY_COLUMN_USAGE k ' +
      'ON k.CONSTRAINT_NAME = c.CONSTRAINT_NAME AND k.TABLE_SCHEMA = c.TABLE_SCHEMA AND k.TABLE_NAME = c.TABLE_NAME ' +
      "WHERE c.CONSTRAINT_TYPE = 'PRIMARY KEY' AND c.TABLE_SCHEMA = @p1 AND c.TABLE_NAME = @p2 ORDER BY k.ORDINAL_POSITION",
    params: [table.schema, table.name],
  }),
  estimateRows: (table) => ({
    sql: 'SELECT SUM(p.rows) AS estimate FROM sys.partitions p WHERE p.object_id = OBJECT_ID(@p1) AND p.index_id IN (0, 1)',
    params: [`[${table.schema.replaceAll(']', ']]')}].[${table.name.replaceAll(']', ']]')}]`],
  }),
  readDescribedColumn: (row) => ({
    name: String(row.name),
    dataType: String(row.data_type).toLowerCase(),
    columnType: String(row.column_type).toLowerCase(),
    scale: optionalNumber(row.scale),
    fraction: optionalNumber(row.fraction),
    nullable: String(row.nullable).toUpperCase() !== 'NO',
  }),
  classify(row: DescribedColumnRow): ColumnInfo {
    const base = { name: row.name, declared: row.columnType, scale: undefined, fraction: undefined, nullable: row.nullable };
    const type = row.dataType;
    if (INTEGER.has(type)) return { ...base, kind: 'integer' };
    if (type === 'bit') return { ...base, kind: 'boolean' };
    if (DECIMAL.has(type)) return { ...base, kind: 'decimal', scale: row.scale ?? 4 };
    if (type === 'float' || type === 'real') return { ...base, kind: 'float' };
    if (type === 'char' || type === 'nchar') return { ...base, kind: 'fixedString' };
    if (STRING.has(type)) return { ...base, kind: 'string' };
    if (type === 'uniqueidentifier') return { ...base, kind: 'uuid' };
    if (BINARY.has(type)) return { ...base, kind: 'binary' };
    if (type === 'date') return { ...base, kind: 'date' };
    if (type === 'time') return { ...base, kind: 'time', fraction: Math.min(row.fraction ?? 7, 6) };
    if (type === 'datetimeoffset') return { ...base, kind: 'timestamptz', fraction: Math.min(row.fraction ?? 7, 6) };
    // datetime keeps 1/300 s (shown as 3 digits); smalldatetime whole minutes.
    if (TIMESTAMP.has(type)) return { ...base, kind: 'timestamp', fraction: Math.min(row.fraction ?? 7, 6) };
    return { ...base, kind: 'text' };
  },
  canonical(column: string, info: ColumnInfo, render: ColumnRender): string {
    const lower = (text: string): string => (render.lowercase ? `LOWER(${text})` : text);
    const stamp = (value: string): string => `LEFT(CONVERT(VARCHAR(27), CAST(${value} AS DATETIME2(7)), 121), ${fractionLength(19, render.fraction)})`;
    switch (info.kind) {
      case 'integer':
        return `CAST(${column} AS VARCHAR(40))`;
      case 'boolean':
        return `CAST(${column} AS VARCHAR(1))`;
      case 'decimal': {
        const exact = info.declared.includes('money') ? `CAST(${column} AS DECIMAL(19,4))` : column;
        if (info.scale === 0 || render.sameScale) return `CAST(${exact} AS VARCHAR(60))`;
        return info.scale === undefined ? `CASE WHEN CHARINDEX('.', CAST(${exact} AS VARCHAR(60))) = 0 THEN CAST(${exact} AS VARCHAR(60)) ELSE ${trimDecimal(`CAST(${exact} AS VARCHAR(60))`)} END` : trimDecimal(`CAST(${exact} AS VARCHAR(60))`);
      }
      case 'float':
        return `CASE WHEN ${column} = 0 THEN '0' ELSE ${trimDecimal(`CAST(CAST(ROUND(${column}, 14 - FLOOR(LOG10(ABS(${column})))) AS DECIMAL(38,15)) AS VARCHAR(60))`)} END`;
      case 'string':
      case 'text':
        return lower(`CAST(${column} AS NVARCHAR(MAX))`);
      case 'fixedString':
        return lower(`RTRIM(CAST(${column} AS NVARCHAR(MAX)))`);
      case 'uuid':
        return `LOWER(CAST(${column} AS CHAR(36)))`;
      case 'binary':
        return `LOWER(CONVERT(VARCHAR(MAX), CAST(${column} AS VARBINARY(MAX)), 2))`;
      case 'date':
        return `CONVERT(CHAR(10), ${column}, 23)`;
      case 'time':
        return `LEFT(CONVERT(VARCHAR(16), CAST(${column} AS TIME(7))), ${fractionLength(8, render.fraction)})`;
      case 'timestamp':
        if (render.zone === 'UTC') return stamp(column);
        // AT TIME ZONE takes Windows zone names only; a fixed offset is attached with TODATETIMEOFFSET.
        if (UTC_OFFSET.test(render.zone)) return stamp(`SWITCHOFFSET(TODATETIMEOFFSET(${column}, '${normaliseOffset(render.zone)}'), '+00:00')`);
        return stamp(`(${column} AT TIME ZONE ${stringLiteral(render.zone)}) AT TIME ZONE 'UTC'`);
      case 'timestamptz':
        return stamp(`SWITCHOFFSET(${column}, '+00:00')`);
    }
  },
  rowPart(column: string, info: ColumnInfo, render: ColumnRender): string {
    if (info.kind === 'float' && render.floatUnits) {
      // The hashed float form (VerifyDialect.rowPart), as MySQL and PostgreSQL write it: ROUND(x * 10000) as an
      // integer for a double below 1e8 nearest to a number of at most 4 decimals, else `~` and the canonical text.
      // REAL is widened first (real * 10000 would be computed in single precision). `+` keeps NULL NULL.
      const double = info.declared === 'real' ? `CAST(${column} AS FLOAT)` : column;
      const fourDecimalUnits = `ROUND(${double} * 10000, 0)`;
      return `CASE WHEN ABS(${double}) < 1e8 AND ${double} = ${fourDecimalUnits} / 10000 THEN CAST(CAST(${fourDecimalUnits} AS BIGINT) AS VARCHAR(20)) ELSE '~' + ${this.canonical(column, info, render)} END`;
    }
    return this.canonical(column, info, render);
  },
  byteLength: (text, asText) => (asText ? `CAST(DATALENGTH(${utf8(text)}) AS VARCHAR(20))` : `DATALENGTH(${utf8(text)})`),
  keyPosition: (column, offset) => `(CAST(${column} AS BIGINT) - CAST(${offset.toString()} AS BIGINT))`,
  keyBounds: (column, from) => `SELECT CAST(MIN(${column}) AS VARCHAR(40)) AS lo, CAST(MAX(${column}) AS VARCHAR(40)) AS hi FROM ${from}`,
  join: (parts) => `CONCAT_WS(N'|', ${parts.join(', ')})`,
  hash60: (text) =>
    `(CAST(SUBSTRING(HASHBYTES('MD5', ${utf8(text)}), 1, 8) AS BIGINT) & CAST(0x0FFFFFFFFFFFFFFF AS BIGINT))`,
  sumAsText: (integer) => `CAST(SUM(CAST(${integer} AS DECIMAL(38,0))) AS VARCHAR(40))`,
  groupByRef: (_position, expression) => expression,
  divide: (integer, divisor) => `(${integer} / CAST(${divisor.toString()} AS BIGINT))`,
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
        return `0x${text}`;
      case 'timestamptz':
        return stringLiteral(`${text} +00:00`);
      default:
        return stringLiteral(text);
    }
  },
  equalsLiteral(column, info, literal) {
    if (info.kind === 'string' || info.kind === 'fixedString' || info.kind === 'text') return `${column} = ${literal} COLLATE Latin1_General_100_BIN2`;
    return `${column} = ${literal}`;
  },
};
