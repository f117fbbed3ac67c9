import { describe, expect, it } from 'vitest';
import type { FieldValue } from '../../model';
import type { ColumnInfo } from '../polling/columns';
import type { ErrorClass, PollingReaderInit } from '../polling/pollingReader';
import { foldExactColumns, preciseWallClock, SqlServerPollingReader } from './sqlServerPollingReader';

/** Exposes the conversion hooks; nothing here connects. */
class Probe extends SqlServerPollingReader {
  value(raw: unknown, column: ColumnInfo): FieldValue {
    return this.toFieldValue(raw, column);
  }
  instant(raw: unknown, column: ColumnInfo) {
    return this.toInstant(raw, column);
  }
  classify(error: unknown): ErrorClass {
    return this.classifyError(error);
  }
}

const init = (dbTimezone = 'UTC'): PollingReaderInit => ({
  connection: { host: 'sql.example', port: 1433, user: 'u', password: 'p', database: 'Shop' },
  options: { mode: 'timestamp+incrementing', timestampColumns: ['ModifiedAt'], dbTimezone },
});
const col = (kind: ColumnInfo['type'], baseType: string, extra: Partial<ColumnInfo> = {}): ColumnInfo => ({
  name: 'c',
  sourceType: baseType,
  baseType,
  type: kind,
  optional: true,
  autoIncrement: false,
  ...extra,
});

/** A Date as tedious builds it for datetime2(7): UTC fields plus the sub-millisecond rest in seconds. */
function tediousDate(iso: string, nanosecondsDelta = 0): Date {
  const date = new Date(iso);
  Object.defineProperty(date, 'nanosecondsDelta', { value: nanosecondsDelta, enumerable: false });
  return date;
}

describe('SqlServerPollingReader values', () => {
  const probe = new Probe(init());

  it('converts integers, bit, bigint text and exact decimal text', () => {
    expect(probe.value(true, col({ kind: 'int8' }, 'bit'))).toBe(1);
    expect(probe.value(false, col({ kind: 'int8' }, 'bit'))).toBe(0);
    expect(probe.value(255, col({ kind: 'int16' }, 'tinyint'))).toBe(255);
    expect(probe.value('9223372036854775807', col({ kind: 'int64' }, 'bigint'))).toBe(9_223_372_036_854_775_807n);
    expect(probe.value('12345678901234567.89', col({ kind: 'decimal', precision: 19, scale: 2 }, 'decimal'))).toBe('12345678901234567.89');
    expect(probe.value('922337203685477.5807', col({ kind: 'decimal', precision: 19, scale: 4 }, 'money'))).toBe('922337203685477.5807');
    expect(probe.value('42', col({ kind: 'int64' }, 'numeric'))).toBe(42n);
    expect(probe.value('1.25', col({ kind: 'float64' }, 'numeric'))).toBe(1.25);
  });

  it('converts dates, times and zone-less timestamps read in db.timezone', () => {
    expect(probe.value(new Date('2024-02-29T00:00:00Z'), col({ kind: 'date' }, 'date'))).toEqual(new Date('2024-02-29T00:00:00Z'));
    expect(probe.value(new Date('1970-01-01T12:34:56.789Z'), col({ kind: 'time' }, 'time'))).toBe(45_296_789);
    const datetime2 = col({ kind: 'timestamp' }, 'datetime2', { temporal: 'local' });
    expect(probe.value(tediousDate('2024-05-06T07:08:09.123Z', 0.0000004), datetime2)).toEqual(new Date('2024-05-06T07:08:09.123Z'));
    expect(probe.instant(tediousDate('2024-05-06T07:08:09.123Z', 0.0000004), datetime2)).toEqual({ epochSecond: Date.UTC(2024, 4, 6, 7, 8, 9) / 1000, nano: 123_000_400 });
    const paris = new Probe(init('Europe/Paris'));
    expect(paris.value(tediousDate('2024-05-06T09:00:00Z'), datetime2)).toEqual(new Date('2024-05-06T07:00:00Z'));
    const offset = col({ kind: 'timestamp' }, 'datetimeoffset', { temporal: 'instant' });
    expect(paris.value(tediousDate('2024-05-06T09:00:00Z'), offset)).toEqual(new Date('2024-05-06T09:00:00Z'));
  });

  it('converts text and binary', () => {
    expect(probe.value('héllo', col({ kind: 'string' }, 'nvarchar'))).toBe('héllo');
    expect(probe.value(Buffer.from([1, 2, 3]), col({ kind: 'bytes' }, 'varbinary'))).toEqual(new Uint8Array([1, 2, 3]));
  });

  it('classifies driver errors: login, missing objects, lost connections', () => {
    expect(probe.classify(Object.assign(new Error('Login failed for user'), { code: 'ELOGIN' }))).toBe('auth');
    expect(probe.classify(Object.assign(new Error('Cannot open database'), { number: 4060 }))).toBe('auth');
    expect(probe.classify(Object.assign(new Error("Invalid object name 'x'"), { number: 208 }))).toBe('missing');
    expect(probe.classify(Object.assign(new Error('Invalid column name'), { originalError: { number: 207 } }))).toBe('missing');
    expect(probe.classify(Object.assign(new Error('socket hang up'), { code: 'ESOCKET' }))).toBe('connection');
    expect(probe.classify(Object.assign(new Error('Connection is closed'), { code: 'ECONNCLOSED' }))).toBe('connection');
    expect(probe.classify(new Error('Divide by zero'))).toBe('other');
  });
});

describe('SQL Server result folding', () => {
  it('replaces doubles with the exact text columns and drops the helpers', () => {
    const columns = [
      { name: 'Id', type: { declaration: 'int' } },
      { name: 'Amount', type: { declaration: 'decimal' }, precision: 38, scale: 2 },
      { name: '__ferry_exact:Amount', type: { declaration: 'varchar' }, length: 64 },
    ];
    const folded = foldExactColumns(columns, [
      [1, 1.2345678901234567e34, '12345678901234567890123456789012.34'],
      [2, null, null],
    ]);
    expect(folded.names).toEqual(['Id', 'Amount']);
    expect(folded.rows).toEqual([
      [1, '12345678901234567890123456789012.34'],
      [2, null],
    ]);
    expect(folded.signature).toBe('Id:int:::|Amount:decimal:38:2:');
  });

  it('keeps tedious sub-millisecond precision', () => {
    expect(preciseWallClock(tediousDate('2024-01-01T00:00:00.999Z', 0.0009999))).toEqual({ epochSecond: Date.UTC(2024, 0, 1) / 1000, nano: 999_999_900 });
    expect(preciseWallClock(new Date('1969-12-31T23:59:59.5Z'))).toEqual({ epochSecond: -1, nano: 500_000_000 });
  });
});
