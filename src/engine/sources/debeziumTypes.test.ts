import { describe, expect, it } from 'vitest';
import { capturedTable, capturedValue } from './capturedTable';
import { type DebeziumTypeOptions, enumLabels, isoInstant, subMillisMicros } from './debeziumTypes';
import { MySqlTypeMap } from './mysql/mysqlTypeMap';
import { MySqlValueReader } from './mysql/mysqlValues';
import type { ColumnInfo } from './polling/columns';
import { resolveZone } from './polling/zone';
import { PostgresTypeMap } from './postgres/postgresTypeMap';
import { PostgresValueReader } from './postgres/postgresValues';

// Expected types and values are what Debezium 3.5.0.Final's MariaDbConnector wrote for the same columns and rows in the
// interop test (test/integration/connectInterop.int.test.ts), with JsonConverter: its schema and its payload.

const MYSQL: DebeziumTypeOptions = { dialect: 'mysql', timePrecisionMode: 'adaptive_time_microseconds', decimalHandlingMode: 'precise' };
const mysqlTypes = new MySqlTypeMap({ numericMapping: 'none', numericMappingForDecimal: false });
const mysqlValues = new MySqlValueReader(resolveZone('UTC'));

function mysqlColumn(name: string, dataType: string, columnType: string, extra: { unsigned?: boolean; precision?: number; scale?: number; length?: number } = {}): ColumnInfo {
  return mysqlTypes.column({ name, dataType, columnType, unsigned: extra.unsigned ?? false, nullable: true, autoIncrement: false, ...extra });
}

/** Debezium's type (as Connect JSON names it) and value for one MySQL column and the text mysql2 hands over. */
function mysqlCase(column: ColumnInfo, raw: unknown, options: DebeziumTypeOptions = MYSQL): { type: unknown; value: unknown } {
  const table = capturedTable({ catalog: 'db', table: 't' }, 'p.db.t', [column], options);
  const field = table.valueSchema.fields[0];
  return { type: field?.type, value: capturedValue((text, info) => mysqlValues.fieldValue(text, info), raw, column, table) };
}

describe("Debezium's column types for MySQL/MariaDB (time.precision.mode=adaptive_time_microseconds)", () => {
  it('maps integers as Debezium does: TINYINT int16, MEDIUMINT UNSIGNED int32, BIGINT UNSIGNED as a signed long', () => {
    expect(mysqlCase(mysqlColumn('tiny', 'tinyint', 'tinyint(4)'), '-7')).toEqual({ type: { kind: 'int16' }, value: -7 });
    expect(mysqlCase(mysqlColumn('small_u', 'smallint', 'smallint(5) unsigned', { unsigned: true }), '65000')).toEqual({ type: { kind: 'int32' }, value: 65000 });
    expect(mysqlCase(mysqlColumn('int_u', 'int', 'int(10) unsigned', { unsigned: true }), '4000000000')).toEqual({ type: { kind: 'int64' }, value: 4000000000n });
    expect(mysqlCase(mysqlColumn('big_u', 'bigint', 'bigint(20) unsigned', { unsigned: true }), '18446744073709551615')).toEqual({ type: { kind: 'int64' }, value: -1n });
  });

  it('writes BIT(1) as boolean and BIT(12) as io.debezium.data.Bits, least significant byte first', () => {
    expect(mysqlCase(mysqlColumn('flag', 'bit', 'bit(1)', { precision: 1 }), Buffer.from([1]))).toEqual({ type: { kind: 'boolean' }, value: true });
    const bits = mysqlCase(mysqlColumn('bits', 'bit', 'bit(12)', { precision: 12 }), Buffer.from([0b1010, 0b00000011]));
    expect(bits.type).toEqual({ kind: 'bytes', semantic: { name: 'io.debezium.data.Bits', version: 1, parameters: { length: '12' } } });
    // Debezium wrote "Awo=" for b'101000000011'.
    expect(Buffer.from(bits.value as Uint8Array).toString('base64')).toBe('Awo=');
  });

  it('writes dates as days, TIME as MicroTime, DATETIME(0-3) as Timestamp and DATETIME(6) as MicroTimestamp', () => {
    const semantic = (name: string): { name: string; version: number } => ({ name, version: 1 });
    expect(mysqlCase(mysqlColumn('day', 'date', 'date'), '2026-01-31')).toEqual({ type: { kind: 'int32', semantic: semantic('io.debezium.time.Date') }, value: 20484 });
    expect(mysqlCase(mysqlColumn('clock', 'time', 'time(6)'), '23:59:58.123456')).toEqual({ type: { kind: 'int64', semantic: semantic('io.debezium.time.MicroTime') }, value: 86398123456n });
    expect(mysqlCase(mysqlColumn('clock0', 'time', 'time'), '-01:02:03').value).toBe(-3723000000n);
    expect(mysqlCase(mysqlColumn('dt', 'datetime', 'datetime'), '2026-12-05 10:00:01')).toEqual({ type: { kind: 'int64', semantic: semantic('io.debezium.time.Timestamp') }, value: 1796464801000n });
    expect(mysqlCase(mysqlColumn('dt3', 'datetime', 'datetime(3)'), '2026-12-05 10:00:00.125').value).toBe(1796464800125n);
    expect(mysqlCase(mysqlColumn('dt6', 'datetime', 'datetime(6)'), '1969-12-31 23:59:59.999501')).toEqual({ type: { kind: 'int64', semantic: semantic('io.debezium.time.MicroTimestamp') }, value: -499n });
    expect(mysqlCase(mysqlColumn('yr', 'year', 'year(4)'), '2026')).toEqual({ type: { kind: 'int32', semantic: semantic('io.debezium.time.Year') }, value: 2026 });
  });

  it('writes TIMESTAMP as ZonedTimestamp text in UTC, with the column precision as the fraction width', () => {
    const zoned = { kind: 'string', semantic: { name: 'io.debezium.time.ZonedTimestamp', version: 1 } };
    expect(mysqlCase(mysqlColumn('ts', 'timestamp', 'timestamp(6)'), '2026-12-05 10:00:00.123456')).toEqual({ type: zoned, value: '2026-12-05T10:00:00.123456Z' });
    expect(mysqlCase(mysqlColumn('ts0', 'timestamp', 'timestamp'), '2026-12-05 10:00:00')).toEqual({ type: zoned, value: '2026-12-05T10:00:00Z' });
    expect(mysqlCase(mysqlColumn('ts3', 'timestamp', 'timestamp(3)'), '2026-12-05 10:00:00.100').value).toBe('2026-12-05T10:00:00.100Z');
  });

  it('writes ENUM and SET as Enum/EnumSet with the allowed labels', () => {
    expect(mysqlCase(mysqlColumn('mood', 'enum', "enum('sad','ok','happy')"), 'happy')).toEqual({
      type: { kind: 'string', semantic: { name: 'io.debezium.data.Enum', version: 1, parameters: { allowed: 'sad,ok,happy' } } },
      value: 'happy',
    });
    expect(mysqlCase(mysqlColumn('tags', 'set', "set('a','b','c')"), 'a,c').type).toEqual({ kind: 'string', semantic: { name: 'io.debezium.data.EnumSet', version: 1, parameters: { allowed: 'a,b,c' } } });
    expect(enumLabels("enum('it''s','a,b')")).toEqual(["it's", 'a,b']);
  });

  it('follows time.precision.mode=connect and adaptive, and decimal.handling.mode double and string', () => {
    const connect: DebeziumTypeOptions = { ...MYSQL, timePrecisionMode: 'connect' };
    expect(mysqlCase(mysqlColumn('dt6', 'datetime', 'datetime(6)'), '2026-12-05 10:00:00.123456', connect)).toEqual({ type: { kind: 'timestamp' }, value: new Date(Date.UTC(2026, 11, 5, 10, 0, 0, 123)) });
    expect(mysqlCase(mysqlColumn('day', 'date', 'date'), '2026-01-31', connect).type).toEqual({ kind: 'date' });
    expect(mysqlCase(mysqlColumn('ts', 'timestamp', 'timestamp'), '2026-12-05 10:00:00', connect).value).toBe('2026-12-05T10:00:00Z');
    const adaptive: DebeziumTypeOptions = { ...MYSQL, timePrecisionMode: 'adaptive' };
    expect(mysqlCase(mysqlColumn('clock', 'time', 'time(3)'), '10:00:00.250', adaptive)).toEqual({ type: { kind: 'int32', semantic: { name: 'io.debezium.time.Time', version: 1 } }, value: 36000250 });
    const price = mysqlColumn('price', 'decimal', 'decimal(10,2)', { precision: 10, scale: 2 });
    expect(mysqlCase(price, '12345678.91')).toEqual({ type: { kind: 'decimal', precision: 10, scale: 2 }, value: '12345678.91' });
    expect(mysqlCase(price, '12345678.91', { ...MYSQL, decimalHandlingMode: 'double' })).toEqual({ type: { kind: 'float64' }, value: 12345678.91 });
    expect(mysqlCase(price, '12345678.91', { ...MYSQL, decimalHandlingMode: 'string' })).toEqual({ type: { kind: 'string' }, value: '12345678.91' });
  });
});

describe("Debezium's column types for PostgreSQL (time.precision.mode=adaptive)", () => {
  const options: DebeziumTypeOptions = { dialect: 'postgres', timePrecisionMode: 'adaptive', decimalHandlingMode: 'precise' };
  const types = new PostgresTypeMap('none');
  const values = new PostgresValueReader(resolveZone('UTC'));
  const pgCase = (typeName: string, columnType: string, raw: string): { type: unknown; value: unknown } => {
    const column = types.column({ name: 'c', typeName, columnType, typeModifier: -1, nullable: true, autoIncrement: false });
    const table = capturedTable({ schema: 'public', table: 't' }, 'p.public.t', [column], options);
    return { type: table.valueSchema.fields[0]?.type, value: capturedValue((text, info) => values.fieldValue(text, info), raw, column, table) };
  };

  it('writes timestamp (precision 6 by default) as MicroTimestamp, timestamp(3) as Timestamp, timestamptz as ZonedTimestamp', () => {
    expect(pgCase('timestamp', 'timestamp without time zone', '2026-12-05 10:00:00.123456')).toEqual({
      type: { kind: 'int64', semantic: { name: 'io.debezium.time.MicroTimestamp', version: 1 } },
      value: 1796464800123456n,
    });
    expect(pgCase('timestamp', 'timestamp(3) without time zone', '2026-12-05 10:00:00.123').value).toBe(1796464800123n);
    expect(pgCase('timestamptz', 'timestamp with time zone', '2026-12-05 11:00:00.5+01')).toEqual({
      type: { kind: 'string', semantic: { name: 'io.debezium.time.ZonedTimestamp', version: 1 } },
      value: '2026-12-05T10:00:00.5Z',
    });
    expect(pgCase('time', 'time without time zone', '10:00:00.000001')).toEqual({ type: { kind: 'int64', semantic: { name: 'io.debezium.time.MicroTime', version: 1 } }, value: 36000000001n });
  });

  it('writes uuid, json and jsonb with their semantic names', () => {
    expect(pgCase('uuid', 'uuid', '0e3b1a2c-0000-4000-8000-000000000001').type).toEqual({ kind: 'string', semantic: { name: 'io.debezium.data.Uuid', version: 1 } });
    expect(pgCase('jsonb', 'jsonb', '{"a": 1}')).toEqual({ type: { kind: 'string', semantic: { name: 'io.debezium.data.Json', version: 1 } }, value: '{"a": 1}' });
  });
});

describe('ISO instants and sub-millisecond digits', () => {
  it('prints as ISO_OFFSET_DATE_TIME without a width, and exactly `width` digits with one', () => {
    expect(isoInstant(Date.UTC(2026, 0, 1, 0, 0, 0, 120), 0, -1)).toBe('2026-01-01T00:00:00.12Z');
    expect(isoInstant(Date.UTC(2026, 0, 1), 0, -1)).toBe('2026-01-01T00:00:00Z');
    expect(isoInstant(Date.UTC(2026, 0, 1, 0, 0, 0, 120), 5, 6)).toBe('2026-01-01T00:00:00.120005Z');
    expect(subMillisMicros('2026-01-01 00:00:00.1234567')).toBe(456);
    expect(subMillisMicros('2026-01-01 00:00:00')).toBe(0);
  });
});
