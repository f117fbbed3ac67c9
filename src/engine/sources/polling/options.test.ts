import { describe, expect, it } from 'vitest';
import { resolvePollingOptions } from './options';

describe('resolvePollingOptions', () => {
  it('fills the upstream defaults (batch.max.rows 1000 as in 10.8+)', () => {
    const options = resolvePollingOptions({ mode: 'incrementing' });
    expect(options).toMatchObject({
      incrementingColumn: '',
      validateNonNull: true,
      timestampDelayIntervalMs: 0,
      timestampInitial: undefined,
      pollIntervalMs: 5000,
      batchMaxRows: 1000,
      tableTypes: ['TABLE'],
      topicPrefix: '',
      numericMapping: 'none',
      numericMappingForDecimal: false,
      connectionAttempts: 3,
      connectionBackoffMs: 10_000,
    });
    expect(options.zone.fixedOffsetSeconds).toBe(0);
  });

  it('names the Connect key in every refusal', () => {
    expect(() => resolvePollingOptions({ mode: 'nope' as 'bulk' })).toThrow(/^mode: "nope" is not one of/);
    expect(() => resolvePollingOptions({ mode: 'timestamp' })).toThrow(/^timestamp.column.name: /);
    expect(() => resolvePollingOptions({ mode: 'timestamp', timestampColumns: [' ', ''] })).toThrow(/timestamp.column.name/);
    expect(() => resolvePollingOptions({ mode: 'bulk', batchMaxRows: 0 })).toThrow(/^batch.max.rows: expected an integer ≥ 1/);
    expect(() => resolvePollingOptions({ mode: 'bulk', pollIntervalMs: -1 })).toThrow(/^poll.interval.ms/);
    expect(() => resolvePollingOptions({ mode: 'bulk', timestampInitial: -2 })).toThrow(/^timestamp.initial/);
    expect(() => resolvePollingOptions({ mode: 'bulk', dbTimezone: 'Nowhere/Land' })).toThrow(/^db.timezone: /);
    expect(() => resolvePollingOptions({ mode: 'bulk', numericMapping: 'best' as 'none' })).toThrow(/^numeric.mapping/);
    expect(() => resolvePollingOptions({ mode: 'bulk', tableIncludeList: ['(unclosed'] })).toThrow(/^table.include.list: "\(unclosed"/);
    expect(() => resolvePollingOptions({ mode: 'bulk', tableWhitelist: ['a'], tableBlacklist: ['b'] })).toThrow(/cannot be used together/);
    expect(() => resolvePollingOptions({ mode: 'bulk', tableWhitelist: ['a'], tableIncludeList: ['b'] })).toThrow(/cannot be combined/);
    expect(() => resolvePollingOptions({ mode: 'bulk', tableTypes: ['SYNONYM' as 'TABLE'] })).toThrow(/^table.types/);
  });

  it('accepts timestamp.initial -1 (current time) and anchors include regexes like Java matches()', () => {
    const options = resolvePollingOptions({ mode: 'timestamp', timestampColumns: ['updated_at'], timestampInitial: -1, tableIncludeList: ['shop\\.ord.*'] });
    expect(options.timestampInitial).toBe(-1);
    expect(options.tableIncludeList?.[0]?.test('shop.orders')).toBe(true);
    expect(options.tableIncludeList?.[0]?.test('other.shop.orders')).toBe(false);
  });

  it('treats an empty query as table mode and trims lists', () => {
    const options = resolvePollingOptions({ mode: 'bulk', query: '  ', tableWhitelist: [' orders ', ''] });
    expect(options.query).toBeUndefined();
    expect(options.tableWhitelist).toEqual(['orders']);
  });
});
