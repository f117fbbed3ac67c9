import type { ColumnInfo, ColumnRender, TableRef } from '../model';
import { type DescribedColumnRow, fractionLength, nearestToFourDecimals, normaliseOffset, optionalNumber, UTC_OFFSET, type VerifyDialect } from './dialect';
import { quotePostgresIdentifier } from '../../db/postgres/identifiers';

const INTEGER = new Set(['int2', 'int4', 'int8', 'oid']);
const STRING = new Set(['varchar', 'text', 'citext', 'name']);

function stringLiteral(text: string): string {
  return `'${text.replaceAll("'", "''")}'`;
}

/** A zone for AT TIME ZONE. Offsets go in as intervals: as text, PostgreSQL reads `+02:00` the POSIX way (west). */
function zoneSql(zone: string): string {
  return UTC_OFFSET.test(zone) ? `INTERVAL ${stringLiteral(normaliseOffset(zone))}` : stringLiteral(zone);
}

/** real is widened to double precision first, as MySQL's FLOAT to DOUBLE. */
function widenedDouble(column: string, info: ColumnInfo): string {
  return info.declared === 'real' ? `${column}::float8` : column;
}

/**
 * The CASE branches giving the canonical text of a double not nearest to a number of at most 4 decimals: the
 * shortest text (extra_float_digits = 1) when it has at most 14 characters and no exponent, else that text rounded
 * as a decimal to 15 significant digits, exactly as the MySQL dialect does.
 */
function generalFloatCases(double: string): string {
  return `WHEN length(${double}::text) <= 14 AND strpos(${double}::text, 'e') = 0 THEN ${double}::text ELSE trim_scale(round((${double}::text)::numeric, (14 - floor(log(abs(${double}))))::int))::text`;
}

/** A timestamp column as a zone-less timestamp in UTC (zone-less ones read in the side's zone). */
function utcTimestamp(column: string, info: ColumnInfo, render: ColumnRender): string {
  if (info.kind === 'timestamptz') return `${column} AT TIME ZONE 'UTC'`;
  return render.zone === 'UTC' ? column : `(${column} AT TIME ZONE ${zoneSql(render.zone)}) AT TIME ZONE 'UTC'`;
}

/** PostgreSQL and PGlite (PostgreSQL 13 or newer: `trim_scale`). */
export const postgresVerifyDialect: VerifyDialect = {
  name: 'postgres',
  quote: quotePostgresIdentifier,
  qualified(table) {
    return `${this.quote(table.schema)}.${this.quote(table.name)}`;
  },
  zoneProbe: (zone) => `SELECT now() AT TIME ZONE ${zoneSql(zone)} AS ok`,
  sessionSetup: () => [
    "SET TIME ZONE 'UTC'",
    "SET client_encoding = 'UTF8'",
    "SET DateStyle = 'ISO, YMD'",
    'SET extra_float_digits = 1',
    // The planner takes every row for its own group under GROUP BY position / width (it cannot know the division
    // merges them), and with parallel workers it sorted each worker's rows, whole and on disk, before aggregating:
    // a quarter of PostgreSQL's checksum CPU on the 10M-row bench. Verify already runs one scan per connection;
    // without workers the plan is one hash aggregate of a few thousand groups. (enable_sort = off would also do,
    // but it made the catalog queries of a small verify ten times slower.)
    'SET max_parallel_workers_per_gather = 0',
  ],
  checksumSettings: () => [
    // The planner takes every row for its own group under GROUP BY position / width (it cannot know the division
    // merges them into a few thousand segments), so above a few million rows it sorted the whole scan, on disk, to
    // aggregate it in order: on the 10M-row verify bench the connection given 8.4M rows sorted them all. Without
    // sorting it takes the hash aggregate, whose few thousand groups fit in work_mem; the session keeps sorting
    // for its other queries (a session-wide enable_sort = off made the catalog queries of a small verify ten times
    // slower). work_mem room for the largest level (65,536 segments of one scan) so the hash never spills.
    'SET LOCAL enable_sort = off',
    "SET LOCAL work_mem = '64MB'",
  ],
  defaultSchema: () => 'public',
  describeColumns: (table: TableRef) => ({
    sql:
      'SELECT column_name AS name, udt_name AS data_type, data_type AS column_type, numeric_scale AS scale, datetime_precision AS fraction, is_nullable AS nullable ' +
      'FROM information_schema.columns WHERE table_schema = $1 AND table_name = $2 ORDER BY ordinal_position',
    params: [table.schema, table.name],
  }),
  primaryKey: (table) => ({
    sql:
      'SELECT a.attname AS name FROM pg_index i JOIN pg_class c ON c.oid = i.indrelid JOIN pg_namespace n ON n.oid = c.relnamespace ' +
      'JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = ANY(i.indkey) ' +
      'WHERE i.indisprimary AND n.nspname = $1 AND c.relname = $2 ORDER BY array_position(i.indkey::int2[], a.attnum)',
    params: [table.schema, table.name],
  }),
  estimateRows: (table) => ({
    sql:
      'SELECT GREATEST(c.reltuples, 0)::bigint AS estimate FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace ' +
      'WHERE n.nspname = $1 AND c.relname = $2',
    params: [table.schema, table.name],
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
    const declared = row.columnType === 'user-defined' ? row.dataType : row.columnType;
    const base = { name: row.name, declared, scale: undefined, fraction: undefined, nullable: row.nullable };
    const type = row.dataType;
    if (INTEGER.has(type)) return { ...base, kind: 'integer' };
    if (type === 'bool') return { ...base, kind: 'boolean' };
    if (type === 'numeric') return { ...base, kind: 'decimal', scale: row.scale };
    if (type === 'float4' || type === 'float8') return { ...base, kind: 'float' };
    if (type === 'bpchar') return { ...base, kind: 'fixedString' };
    if (STRING.has(type)) return { ...base, kind: 'string' };
    if (type === 'uuid') return { ...base, kind: 'uuid' };
    if (type === 'bytea') return { ...base, kind: 'binary' };
    if (type === 'date') return { ...base, kind: 'date' };
    if (type === 'time') return { ...base, kind: 'time', fraction: row.fraction ?? 6 };
    if (type === 'timestamp') return { ...base, kind: 'timestamp', fraction: row.fraction ?? 6 };
    if (type === 'timestamptz') return { ...base, kind: 'timestamptz', fraction: row.fraction ?? 6 };
    return { ...base, kind: 'text' };
  },
  canonical(column: string, info: ColumnInfo, render: ColumnRender): string {
    const lower = (text: string): string => (render.lowercase ? `lower(${text})` : text);
    // ::text (ISO DateStyle, set per session) is several times cheaper than to_char; it drops trailing fractional
    // zeros, so the fraction is padded back before cutting to the common precision. Whether there is a fraction at
    // all is asked of the value (equal to itself rounded to whole seconds: integer arithmetic, and zone offsets are
    // whole seconds, so the raw column answers for the converted value) rather than of a second ::text, which made
    // the timestamp the costliest column of PostgreSQL's checksum.
    const stamp = (value: string): string => {
      if (render.fraction === 0) return info.fraction === 0 ? `(${value})::text` : `left((${value})::text, 19)`;
      const whole = `${column}::${info.kind === 'timestamptz' ? 'timestamptz' : 'timestamp'}(0) = ${column}`;
      return `CASE WHEN ${whole} THEN (${value})::text || '${'.'.padEnd(render.fraction + 1, '0')}' ELSE left((${value})::text || '00000', ${fractionLength(19, render.fraction)}) END`;
    };
    switch (info.kind) {
      case 'integer':
        return `${column}::text`;
      case 'boolean':
        return `CASE WHEN ${column} IS NULL THEN NULL WHEN ${column} THEN '1' ELSE '0' END`;
      case 'decimal':
        return info.scale === 0 || render.sameScale ? `${column}::text` : `trim_scale(${column})::text`;
      case 'float':
        // The shortest text that reads back as the same double (extra_float_digits = 1), rounded as a decimal to 15
        // significant digits, exactly as the MySQL dialect does; float4 is widened to float8 first.
        // As on MySQL/MariaDB, a shortest text of at most 14 characters without an exponent is its own rounding.
        {
          const double = widenedDouble(column, info);
          // A double nearest to a number of at most 4 decimals is printed once, not three times.
          return `CASE WHEN ${column} = 0 THEN '0' WHEN ${nearestToFourDecimals(double)} THEN ${double}::text ${generalFloatCases(double)} END`;
        }
      case 'string':
      case 'fixedString':
      case 'text':
        return lower(`${column}::text`);
      case 'uuid':
        return `${column}::text`;
      case 'binary':
        return `encode(${column}, 'hex')`;
      case 'date':
        return `to_char(${column}, 'YYYY-MM-DD')`;
      case 'time':
        return `left(to_char(${column}, 'HH24:MI:SS.US'), ${fractionLength(8, render.fraction)})`;
      case 'timestamp':
      case 'timestamptz':
        return stamp(utcTimestamp(column, info, render));
    }
  },
  rowPart(column: string, info: ColumnInfo, render: ColumnRender): string {
    if (info.kind === 'float' && render.floatUnits) {
      // The hashed float form (VerifyDialect.rowPart): ROUND(x * 10000) as an integer, or `~` and the canonical text.
      const double = widenedDouble(column, info);
      return `CASE WHEN ${nearestToFourDecimals(double)} THEN round(${double} * 10000)::bigint::text ELSE '~' || CASE ${generalFloatCases(double)} END END`;
    }
    // concat_ws prints a non-text argument with its type's output function, as ::text does; a nullable one keeps
    // its cast, since COALESCE(…, '~N') needs text.
    if (info.nullable) return this.canonical(column, info, render);
    if (info.kind === 'integer' || (info.kind === 'decimal' && (info.scale === 0 || render.sameScale))) return column;
    if (info.kind === 'boolean') return `${column}::int`;
    return this.canonical(column, info, render);
  },
  byteLength: (text, asText) => (asText ? `octet_length(${text})::text` : `octet_length(${text})`),
  keyPosition: (column, offset) => `(${column}::bigint - ${offset.toString()}::bigint)`,
  keyBounds: (column, from) => `SELECT MIN(${column})::text AS lo, MAX(${column})::text AS hi FROM ${from}`,
  join: (parts) => `concat_ws('|', ${parts.join(', ')})`,
  // 15 hex digits are exactly bit(60), whose cast to bigint fills the low 60 bits (no lpad to 64: ~10 % of the hash).
  hash60: (text) => `('x' || substr(md5(${text}), 2, 15))::bit(60)::bigint`,
  sumAsText: (integer) => `sum(${integer})::text`,
  groupByRef: (position) => String(position),
  divide: (integer, divisor) => `(${integer} / ${divisor.toString()}::bigint)`,
  stringLiteral,
  valueLiteral(text, column) {
    if (text === null) return 'NULL';
    switch (column.kind) {
      case 'integer':
      case 'decimal':
      case 'float':
        return text;
      case 'binary':
        return `decode('${text}', 'hex')`;
      case 'timestamptz':
        return stringLiteral(`${text}+00`);
      default:
        return stringLiteral(text);
    }
  },
  equalsLiteral: (column, _info, literal) => `${column} = ${literal}`,
};
