import type { QueryColumn, QueryValue } from '../../shared/api/query';

/**
 * Driver values → values that cross the API unchanged: numbers only where a JS number is exact, decimals and 64-bit
 * integers as text, temporal values as ISO text (a `Z` only where the type has a zone; sessions run in UTC), binary
 * as `0x…` hex, JSON as its text.
 */

export function hexOf(bytes: Uint8Array): string {
  return `0x${Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex')}`;
}

/** `2024-01-02 03:04:05.123` → `2024-01-02T03:04:05.123`, with `Z` for a UTC zone suffix (`+00`, `+00:00`). */
export function isoFromSqlText(text: string, zoned: boolean): string {
  const match = /^(\d{4,}-\d{2}-\d{2})[ T](\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)(.*)$/.exec(text);
  if (!match) return text;
  const [, date, time, rest] = match;
  const suffix = (rest ?? '').trim();
  if (suffix === '' ) return `${date}T${time}${zoned ? 'Z' : ''}`;
  if (/^(\+00(:?00)?|Z)$/i.test(suffix)) return `${date}T${time}Z`;
  return `${date}T${time}${suffix}`;
}

/** A value of any driver that the specific converters did not handle. */
export function plainValue(value: unknown): QueryValue {
  if (value === null || value === undefined) return null;
  if (typeof value === 'boolean' || typeof value === 'string') return value;
  if (typeof value === 'number') return Number.isFinite(value) ? value : String(value);
  if (typeof value === 'bigint') return value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(value) : value.toString();
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? null : value.toISOString();
  if (value instanceof Uint8Array) return hexOf(value);
  try {
    return JSON.stringify(value);
  } catch {
    return String(value);
  }
}

// ---------------------------------------------------------------------------------------------------- PostgreSQL

const PG_TYPES: Readonly<Record<number, { name: string; kind: QueryColumn['kind'] }>> = {
  16: { name: 'bool', kind: 'boolean' },
  17: { name: 'bytea', kind: 'binary' },
  18: { name: 'char', kind: 'text' },
  19: { name: 'name', kind: 'text' },
  20: { name: 'int8', kind: 'number' },
  21: { name: 'int2', kind: 'number' },
  23: { name: 'int4', kind: 'number' },
  25: { name: 'text', kind: 'text' },
  26: { name: 'oid', kind: 'number' },
  114: { name: 'json', kind: 'json' },
  700: { name: 'float4', kind: 'number' },
  701: { name: 'float8', kind: 'number' },
  1042: { name: 'bpchar', kind: 'text' },
  1043: { name: 'varchar', kind: 'text' },
  1082: { name: 'date', kind: 'temporal' },
  1083: { name: 'time', kind: 'temporal' },
  1114: { name: 'timestamp', kind: 'temporal' },
  1184: { name: 'timestamptz', kind: 'temporal' },
  1186: { name: 'interval', kind: 'text' },
  1266: { name: 'timetz', kind: 'temporal' },
  1700: { name: 'numeric', kind: 'number' },
  2950: { name: 'uuid', kind: 'text' },
  3802: { name: 'jsonb', kind: 'json' },
};

export function postgresColumn(name: string, typeId: number): QueryColumn {
  const known = PG_TYPES[typeId];
  return { name, type: known?.name ?? `oid ${typeId}`, kind: known?.kind ?? 'other' };
}

/** A PostgreSQL value in text format (every type parser returns the server's text), by its type oid. */
export function postgresValue(text: string | null, typeId: number): QueryValue {
  if (text === null) return null;
  switch (typeId) {
    case 16:
      return text === 't';
    case 21:
    case 23:
    case 26:
      return Number(text);
    case 700:
    case 701: {
      const number = Number(text);
      return Number.isFinite(number) ? number : text;
    }
    case 17:
      return text.startsWith('\\x') ? `0x${text.slice(2)}` : text;
    case 1114:
      return isoFromSqlText(text, false);
    case 1184:
      return isoFromSqlText(text, true);
    default:
      return text;
  }
}

// ---------------------------------------------------------------------------------------------------- MySQL / MariaDB

/** mysql2 column type numbers (the protocol's MYSQL_TYPE_*). */
const MYSQL_TYPES: Readonly<Record<number, { name: string; kind: QueryColumn['kind'] }>> = {
  0: { name: 'DECIMAL', kind: 'number' },
  1: { name: 'TINYINT', kind: 'number' },
  2: { name: 'SMALLINT', kind: 'number' },
  3: { name: 'INT', kind: 'number' },
  4: { name: 'FLOAT', kind: 'number' },
  5: { name: 'DOUBLE', kind: 'number' },
  6: { name: 'NULL', kind: 'other' },
  7: { name: 'TIMESTAMP', kind: 'temporal' },
  8: { name: 'BIGINT', kind: 'number' },
  9: { name: 'MEDIUMINT', kind: 'number' },
  10: { name: 'DATE', kind: 'temporal' },
  11: { name: 'TIME', kind: 'temporal' },
  12: { name: 'DATETIME', kind: 'temporal' },
  13: { name: 'YEAR', kind: 'number' },
  15: { name: 'VARCHAR', kind: 'text' },
  16: { name: 'BIT', kind: 'binary' },
  245: { name: 'JSON', kind: 'json' },
  246: { name: 'DECIMAL', kind: 'number' },
  247: { name: 'ENUM', kind: 'text' },
  248: { name: 'SET', kind: 'text' },
  249: { name: 'TINYBLOB', kind: 'text' },
  250: { name: 'MEDIUMBLOB', kind: 'text' },
  251: { name: 'LONGBLOB', kind: 'text' },
  252: { name: 'BLOB', kind: 'text' },
  253: { name: 'VARCHAR', kind: 'text' },
  254: { name: 'CHAR', kind: 'text' },
  255: { name: 'GEOMETRY', kind: 'binary' },
};

/** Character set 63 is `binary`: a BLOB/VARBINARY rather than TEXT/VARCHAR. */
const MYSQL_BINARY_CHARSET = 63;

export function mysqlColumn(name: string, typeId: number, characterSet: number | undefined): QueryColumn {
  const known = MYSQL_TYPES[typeId];
  const binary = characterSet === MYSQL_BINARY_CHARSET && known?.kind === 'text';
  const type = binary ? (known?.name ?? 'BLOB').replace('VARCHAR', 'VARBINARY').replace('CHAR', 'BINARY').replace('TEXT', 'BLOB') : (known?.name ?? `type ${typeId}`);
  return { name, type, kind: binary ? 'binary' : (known?.kind ?? 'other') };
}

/** A mysql2 value (dateStrings, bigNumberStrings): temporal text made ISO, buffers hex, JSON objects as text. */
export function mysqlValue(value: unknown, typeId: number): QueryValue {
  if (value === null || value === undefined) return null;
  if (typeof value === 'string') {
    if (typeId === 12) return isoFromSqlText(value, false);
    if (typeId === 7) return isoFromSqlText(value, true);
    return value;
  }
  if (typeId === 245 && typeof value === 'object' && !(value instanceof Uint8Array)) return JSON.stringify(value);
  return plainValue(value);
}
