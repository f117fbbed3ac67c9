import { describe, expect, it } from 'vitest';
import { isoFromSqlText, mysqlColumn, mysqlValue, plainValue, postgresColumn, postgresValue } from './values';

describe('query values cross the API as plain, exact values', () => {
  it('PostgreSQL text by type oid', () => {
    expect(postgresValue('t', 16)).toBe(true);
    expect(postgresValue('42', 23)).toBe(42);
    expect(postgresValue('9007199254740993', 20)).toBe('9007199254740993');
    expect(postgresValue('12.50', 1700)).toBe('12.50');
    expect(postgresValue('NaN', 701)).toBe('NaN');
    expect(postgresValue('\\xdeadbeef', 17)).toBe('0xdeadbeef');
    expect(postgresValue('2024-01-02 03:04:05.123456', 1114)).toBe('2024-01-02T03:04:05.123456');
    expect(postgresValue('2024-01-02 03:04:05+00', 1184)).toBe('2024-01-02T03:04:05Z');
    expect(postgresValue(null, 23)).toBeNull();
    expect(postgresColumn('n', 1700)).toEqual({ name: 'n', type: 'numeric', kind: 'number' });
    expect(postgresColumn('x', 99999).kind).toBe('other');
  });

  it('MySQL values and binary columns', () => {
    expect(mysqlValue('2024-01-02 03:04:05.500', 12)).toBe('2024-01-02T03:04:05.500');
    expect(mysqlValue('2024-01-02 03:04:05', 7)).toBe('2024-01-02T03:04:05Z');
    expect(mysqlValue({ a: 1 }, 245)).toBe('{"a":1}');
    expect(mysqlValue(Buffer.from([1, 255]), 252)).toBe('0x01ff');
    expect(mysqlColumn('b', 253, 63)).toEqual({ name: 'b', type: 'VARBINARY', kind: 'binary' });
    expect(mysqlColumn('s', 253, 45)).toEqual({ name: 's', type: 'VARCHAR', kind: 'text' });
  });

  it('anything else', () => {
    expect(plainValue(2n ** 60n)).toBe('1152921504606846976');
    expect(plainValue(7n)).toBe(7);
    expect(plainValue(new Date(Date.UTC(2024, 0, 2)))).toBe('2024-01-02T00:00:00.000Z');
    expect(plainValue(Number.POSITIVE_INFINITY)).toBe('Infinity');
    expect(isoFromSqlText('not a date', false)).toBe('not a date');
    expect(isoFromSqlText('2024-01-02 03:04:05+02', true)).toBe('2024-01-02T03:04:05+02');
  });
});
