import { describe, expect, it } from 'vitest';
import { decodePosition, encodePosition, legacyTablePartition, partitionKey, QUERY_PARTITION, tablePartition } from './position';

describe('polling positions', () => {
  it('encode as Connect stores them, with the id as a decimal string', () => {
    expect(encodePosition({})).toEqual({});
    expect(encodePosition({ incrementing: 42n })).toEqual({ incrementing: '42' });
    expect(encodePosition({ timestamp: { epochSecond: 1_704_103_200, nano: 123_456_789 } })).toEqual({ timestamp: 1_704_103_200_123, timestamp_nanos: 123_456_789 });
    expect(encodePosition({ incrementing: 9_007_199_254_740_993n, timestamp: { epochSecond: -1, nano: 0 } })).toEqual({
      incrementing: '9007199254740993',
      timestamp: -1000,
      timestamp_nanos: 0,
    });
  });

  it('is JSON-safe and round-trips beyond 2^53', () => {
    const position = { incrementing: 18_446_744_073_709_551_615n, timestamp: { epochSecond: 1_700_000_000, nano: 1 } };
    expect(decodePosition(JSON.parse(JSON.stringify(encodePosition(position))))).toEqual(position);
  });

  it('decode offsets pasted from Connect (numbers, no nanos, only a timestamp)', () => {
    expect(decodePosition({ incrementing: 17 })).toEqual({ incrementing: 17n });
    expect(decodePosition({ timestamp: 1_704_103_200_123 })).toEqual({ timestamp: { epochSecond: 1_704_103_200, nano: 123_000_000 } });
    expect(decodePosition({ timestamp: '1704103200123', timestamp_nanos: '123456789' })).toEqual({ timestamp: { epochSecond: 1_704_103_200, nano: 123_456_789 } });
    expect(decodePosition(null)).toEqual({});
    expect(decodePosition({ incrementing: null })).toEqual({});
  });

  it('reject positions that are not integers, naming the key', () => {
    expect(() => decodePosition({ incrementing: 'abc' })).toThrow(/"incrementing": "abc"/);
    expect(() => decodePosition({ incrementing: 1.5 })).toThrow(/not an integer/);
    expect(() => decodePosition({ timestamp: 1, timestamp_nanos: 1_000_000_000 })).toThrow(/timestamp_nanos/);
  });

  it('use upstream partitions: protocol v1 FQN, legacy bare name, constant query partition', () => {
    expect(tablePartition({ catalog: 'shop', table: 'orders' })).toEqual({ protocol: '1', table: 'shop.orders' });
    expect(tablePartition({ schema: 'public', table: 'orders' })).toEqual({ protocol: '1', table: 'public.orders' });
    expect(tablePartition({ catalog: 'db', schema: 'dbo', table: 'orders' })).toEqual({ protocol: '1', table: 'db.dbo.orders' });
    expect(legacyTablePartition({ catalog: 'db', schema: 'dbo', table: 'orders' })).toEqual({ table: 'orders' });
    expect(QUERY_PARTITION).toEqual({ query: 'query' });
    expect(partitionKey({ table: 'x', protocol: '1' })).toBe('{"protocol":"1","table":"x"}');
    expect(partitionKey({ protocol: '1', table: 'x' })).toBe(partitionKey({ table: 'x', protocol: '1' }));
  });
});
