import { describe, expect, it } from 'vitest';
import {
  compareInstants,
  formatInZone,
  formatWallClock,
  instantFromMillis,
  instantToMillis,
  minusMillis,
  parseTimeOfDayMillis,
  parseWallClock,
  plusNanos,
  wallClockToInstant,
} from './instant';
import { daysFromCivil } from '../../model/calendar';
import { resolveZone } from './zone';

describe('precise instants', () => {
  it('keep Connect millis + nanos-of-second, floored for instants before 1970', () => {
    expect(instantFromMillis(1_704_103_200_123)).toEqual({ epochSecond: 1_704_103_200, nano: 123_000_000 });
    expect(instantFromMillis(1_704_103_200_123, 123_456_789)).toEqual({ epochSecond: 1_704_103_200, nano: 123_456_789 });
    expect(instantFromMillis(-1)).toEqual({ epochSecond: -1, nano: 999_000_000 });
    expect(instantToMillis({ epochSecond: -1, nano: 999_999_999 })).toBe(-1);
    expect(instantToMillis({ epochSecond: 1, nano: 1_999_999 })).toBe(1001);
  });

  it('compare and shift', () => {
    expect(compareInstants({ epochSecond: 1, nano: 5 }, { epochSecond: 1, nano: 6 })).toBeLessThan(0);
    expect(compareInstants({ epochSecond: 2, nano: 0 }, { epochSecond: 1, nano: 999_999_999 })).toBeGreaterThan(0);
    expect(plusNanos({ epochSecond: 0, nano: 999_999_999 }, 1)).toEqual({ epochSecond: 1, nano: 0 });
    expect(plusNanos({ epochSecond: 0, nano: 0 }, -1)).toEqual({ epochSecond: -1, nano: 999_999_999 });
    expect(minusMillis({ epochSecond: 10, nano: 500 }, 1500)).toEqual({ epochSecond: 8, nano: 500_000_500 });
  });
});

describe('wall clocks', () => {
  it('parse what MySQL, PostgreSQL and SQL Server print', () => {
    expect(parseWallClock('2024-01-02 03:04:05.123456')).toEqual({ wallSecond: Date.UTC(2024, 0, 2, 3, 4, 5) / 1000, nano: 123_456_000, offsetSeconds: undefined });
    expect(parseWallClock('2024-01-02T03:04:05.1234567Z')?.nano).toBe(123_456_700);
    expect(parseWallClock('2024-01-02 03:04:05+05:30')?.offsetSeconds).toBe(19_800);
    expect(parseWallClock('2024-01-02 03:04:05-08')?.offsetSeconds).toBe(-28_800);
    expect(parseWallClock('2024-01-02')?.wallSecond).toBe(Date.UTC(2024, 0, 2) / 1000);
    expect(parseWallClock('0044-03-15 12:00:00 BC')?.wallSecond).toBe(Date.UTC(-43, 2, 15, 12) / 1000);
    expect(parseWallClock('infinity')).toBeUndefined();
    expect(parseWallClock('2024-13-01')).toBeUndefined();
  });

  it('read zone-less values in db.timezone and zoned values by their offset', () => {
    const paris = resolveZone('Europe/Paris');
    const local = parseWallClock('2024-07-01 12:00:00.5');
    const zoned = parseWallClock('2024-07-01 12:00:00.5+00');
    if (!local || !zoned) throw new Error('parse failed');
    expect(instantToMillis(wallClockToInstant(local, paris))).toBe(Date.parse('2024-07-01T10:00:00.500Z'));
    expect(instantToMillis(wallClockToInstant(zoned, paris))).toBe(Date.parse('2024-07-01T12:00:00.500Z'));
  });

  it('format by truncating the fraction, never rounding up', () => {
    const instant = { epochSecond: Date.UTC(2024, 0, 2, 3, 4, 5) / 1000, nano: 123_456_789 };
    expect(formatWallClock(instant, 0, 6)).toBe('2024-01-02 03:04:05.123456');
    expect(formatWallClock(instant, 0, 7)).toBe('2024-01-02 03:04:05.1234567');
    expect(formatWallClock(instant, 0, 3)).toBe('2024-01-02 03:04:05.123');
    expect(formatWallClock(instant, 0, 0)).toBe('2024-01-02 03:04:05');
    expect(formatWallClock({ epochSecond: -1, nano: 999_999_999 }, 0, 6)).toBe('1969-12-31 23:59:59.999999');
    expect(formatInZone(instant, resolveZone('Asia/Kolkata'), 3)).toBe('2024-01-02 08:34:05.123');
    expect(formatWallClock({ epochSecond: daysFromCivil(5, 1, 1) * 86_400, nano: 0 }, 0, 0)).toBe('0005-01-01 00:00:00');
  });

  it('parse times of day, including MySQL TIME outside one day', () => {
    expect(parseTimeOfDayMillis('12:34:56.789')).toBe(45_296_789);
    expect(parseTimeOfDayMillis('12:34:56.7891')).toBe(45_296_789);
    expect(parseTimeOfDayMillis('00:00')).toBe(0);
    expect(parseTimeOfDayMillis('-01:00:00')).toBe(-3_600_000);
    expect(parseTimeOfDayMillis('838:59:59')).toBe(838 * 3_600_000 + 59 * 60_000 + 59_000);
    expect(parseTimeOfDayMillis('noon')).toBeUndefined();
  });
});

describe('the character-by-character readers agree with the patterns', () => {
  // A leading space makes the fast readers decline, so the pattern (which trims) reads the same text.
  const wallClocks = [
    '2026-12-06',
    '1969-12-31 23:59:59.999',
    '2026-01-01T00:00:00',
    '2024-02-29 24:00:00',
    '2024-02-29 23:59:60.5',
    '0001-01-01 00:00:00.000000001',
    '9999-12-31 23:59:59.999999999',
    '2024-13-01 00:00:00',
    '2024-00-10',
    '2024-01-32',
    '2024-01-00 10:00:00',
    '2024-01-01 25:00:00',
    '2024-01-01 10:60:00',
    '2024-01-01 10:00:61',
    '2024-01-01 10:00:00.',
    '2024-01-01 10:00:00.1234567890',
    '2024-01-01 10:00:00.12a',
    '2024-01-01 10:00',
    '2024-01-01 10:00:00+02',
    '2024-01-01x10:00:00',
    '20a4-01-01',
    '2024/01/01',
    '12024-01-01',
    ...Array.from({ length: 9 }, (_, digits) => `2025-03-30 02:30:00.${'123456789'.slice(0, digits + 1)}`),
  ];
  it.each(wallClocks)('parseWallClock(%s)', (text) => {
    expect(parseWallClock(text)).toEqual(parseWallClock(` ${text}`));
  });

  const times = ['00:00:00', '23:59:59.999', '12:30:00.5', '12:30:00.05', '12:30:00.123456789', '99:99:99', '12:30:00.', '12:30:00.1234567890', '12:3a:00', '1:00:00', '12:30', '-12:30:00'];
  it.each(times)('parseTimeOfDayMillis(%s)', (text) => {
    expect(parseTimeOfDayMillis(text)).toBe(parseTimeOfDayMillis(` ${text}`));
  });
});
