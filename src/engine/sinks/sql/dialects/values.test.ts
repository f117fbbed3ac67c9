import { describe, expect, it } from 'vitest';
import { EngineError } from '../../../../shared/errors';
import { checkTimezone, dateString, decimalString, epochMsTimestampString, formatOffset, int64Value, timestampEpochMs, timestampString, timeString, zonedParts } from './values';

function codeOf(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    if (error instanceof EngineError) return error.code;
    throw error;
  }
  throw new Error('expected an EngineError');
}

describe('zonedParts', () => {
  it('reads UTC fields for UTC and its aliases', () => {
    const instant = new Date('2024-03-01T23:59:59.999Z');
    for (const zone of ['UTC', 'utc', 'Z', 'GMT', 'Etc/UTC']) {
      expect(zonedParts(instant, zone)).toEqual({ year: 2024, month: 3, day: 1, hour: 23, minute: 59, second: 59, millisecond: 999, offsetMinutes: 0 });
    }
  });

  it('follows daylight saving time of an IANA zone', () => {
    // Europe/Paris: +01:00 in winter, +02:00 from the last Sunday of March 01:00 UTC.
    expect(zonedParts(new Date('2024-03-31T00:59:59.000Z'), 'Europe/Paris')).toMatchObject({ hour: 1, minute: 59, offsetMinutes: 60 });
    expect(zonedParts(new Date('2024-03-31T01:00:00.000Z'), 'Europe/Paris')).toMatchObject({ hour: 3, minute: 0, offsetMinutes: 120 });
    expect(zonedParts(new Date('2024-07-01T12:00:00.250Z'), 'America/New_York')).toMatchObject({ hour: 8, millisecond: 250, offsetMinutes: -240 });
    expect(zonedParts(new Date('2024-01-01T00:30:00.000Z'), 'Asia/Kolkata')).toMatchObject({ day: 1, hour: 6, minute: 0, offsetMinutes: 330 });
  });

  it('keeps milliseconds of instants before 1970 (negative epoch)', () => {
    expect(zonedParts(new Date('1969-12-31T23:59:59.875Z'), 'Europe/Berlin')).toMatchObject({ year: 1970, month: 1, day: 1, hour: 0, millisecond: 875 });
  });

  it('accepts fixed offsets as Java ZoneId does', () => {
    const instant = new Date('2024-03-01T10:00:00.000Z');
    expect(zonedParts(instant, '+02:00')).toMatchObject({ hour: 12, offsetMinutes: 120 });
    expect(zonedParts(instant, '-0530')).toMatchObject({ hour: 4, minute: 30, offsetMinutes: -330 });
    expect(zonedParts(instant, 'UTC+1')).toMatchObject({ hour: 11 });
    expect(zonedParts(instant, 'GMT-03:00')).toMatchObject({ hour: 7 });
  });

  it('rejects unknown zones and invalid dates with their own codes', () => {
    expect(codeOf(() => checkTimezone('Mars/Olympus'))).toBe('SINK_SQL_BAD_TIMEZONE');
    expect(codeOf(() => checkTimezone('+25:00'))).toBe('SINK_SQL_BAD_TIMEZONE');
    expect(() => checkTimezone('Australia/Sydney')).not.toThrow();
    expect(codeOf(() => zonedParts(new Date(Number.NaN)))).toBe('SINK_SQL_BAD_VALUE');
  });
});

describe('formatting', () => {
  it('formats offsets with sign and minutes', () => {
    expect(formatOffset(0)).toBe('+00:00');
    expect(formatOffset(330)).toBe('+05:30');
    expect(formatOffset(-240)).toBe('-04:00');
  });

  it('writes timestamps as wall-clock time of db.timezone in three styles', () => {
    const instant = new Date('2024-12-31T23:30:00.007Z');
    expect(timestampString(instant, undefined, 'space')).toBe('2024-12-31 23:30:00.007');
    expect(timestampString(instant, { timezone: 'Europe/Paris' }, 'space')).toBe('2025-01-01 00:30:00.007');
    expect(timestampString(instant, { timezone: 'Europe/Paris' }, 'iso')).toBe('2025-01-01T00:30:00.007');
    expect(timestampString(instant, { timezone: 'Europe/Paris' }, 'space-offset')).toBe('2025-01-01 00:30:00.007+01:00');
    expect(timestampString(instant, { timezone: 'America/Los_Angeles' }, 'space-offset')).toBe('2024-12-31 15:30:00.007-08:00');
  });

  it('pads years below 1000 and refuses years outside 1..9999', () => {
    expect(timestampString(new Date('0099-05-06T07:08:09.010Z'), undefined, 'space')).toBe('0099-05-06 07:08:09.010');
    expect(codeOf(() => timestampString(new Date('+010000-01-01T00:00:00Z'), undefined, 'space'))).toBe('SINK_SQL_BAD_VALUE');
  });

  it('writes dates per date.timezone, shifting west of UTC as Connect does by default', () => {
    const day = new Date('2024-02-29T00:00:00.000Z');
    expect(dateString(day, undefined)).toBe('2024-02-29');
    expect(dateString(day, { timezone: 'Asia/Tokyo' })).toBe('2024-02-29');
    // Connect's default DB_TIMEZONE binds through a New York calendar: 2024-02-28 19:00 there.
    expect(dateString(day, { timezone: 'America/New_York' })).toBe('2024-02-28');
    expect(dateString(day, { timezone: 'America/New_York', dateTimezone: 'UTC' })).toBe('2024-02-29');
  });

  it('writes times of day, shifted by the 1970 offset of db.timezone as Connect binds them', () => {
    expect(timeString(0, undefined)).toBe('00:00:00.000');
    expect(timeString(86_399_999, undefined)).toBe('23:59:59.999');
    expect(timeString(45_296_789, undefined)).toBe('12:34:56.789');
    expect(timeString(45_296_789, { timezone: 'Europe/Paris' })).toBe('13:34:56.789');
    expect(timeString(3_600_000, { timezone: 'America/New_York' })).toBe('20:00:00.000');
    expect(codeOf(() => timeString(86_400_000, undefined))).toBe('SINK_SQL_BAD_VALUE');
    expect(codeOf(() => timeString(1.5, undefined))).toBe('SINK_SQL_BAD_VALUE');
  });
});

describe('numbers', () => {
  const decimal = { kind: 'decimal', precision: 10, scale: 2 } as const;
  it('accepts canonical decimal text, bigints and plain numbers, nothing with an exponent', () => {
    expect(decimalString('-12.50', decimal, 'amount')).toBe('-12.50');
    expect(decimalString('123456789012345678901234567890.123', decimal, 'amount')).toBe('123456789012345678901234567890.123');
    expect(decimalString(12n, decimal, 'amount')).toBe('12');
    expect(decimalString(0.5, decimal, 'amount')).toBe('0.5');
    expect(codeOf(() => decimalString('1e5', decimal, 'amount'))).toBe('SINK_SQL_BAD_VALUE');
    expect(codeOf(() => decimalString(1e21, decimal, 'amount'))).toBe('SINK_SQL_BAD_VALUE');
    expect(codeOf(() => decimalString(' 1.0', decimal, 'amount'))).toBe('SINK_SQL_BAD_VALUE');
  });

  it('reads int64 from bigint, safe numbers and integer text within 64 bits', () => {
    const int64 = { kind: 'int64' } as const;
    expect(int64Value(9223372036854775807n, int64, 'id')).toBe(9223372036854775807n);
    expect(int64Value(42, int64, 'id')).toBe(42n);
    expect(int64Value('-9223372036854775808', int64, 'id')).toBe(-9223372036854775808n);
    expect(codeOf(() => int64Value(2 ** 60, int64, 'id'))).toBe('SINK_SQL_BAD_VALUE');
    expect(codeOf(() => int64Value(9223372036854775808n, int64, 'id'))).toBe('SINK_SQL_BAD_VALUE');
  });
});

describe('date and time text without Date objects', () => {
  /** The text as built from zonedParts (the reference the arithmetic must match byte for byte). */
  function reference(instant: Date, zone: string): { date: string; time: string; offset: string } {
    const parts = zonedParts(instant, zone);
    const pad = (value: number, width = 2) => String(value).padStart(width, '0');
    return {
      date: `${pad(parts.year, 4)}-${pad(parts.month)}-${pad(parts.day)}`,
      time: `${pad(parts.hour)}:${pad(parts.minute)}:${pad(parts.second)}.${pad(parts.millisecond, 3)}`,
      offset: formatOffset(parts.offsetMinutes),
    };
  }

  it('matches the calendar fields of Date for instants across years 1..9999, zones and styles', () => {
    let seed = 42;
    const random = () => ((seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31);
    // Date.UTC reads years 0..99 as 1900..1999; setUTCFullYear does not.
    const first = new Date(0).setUTCFullYear(1, 0, 2);
    const last = new Date(0).setUTCFullYear(9999, 11, 30);
    const instants = [0, -1, new Date(0).setUTCFullYear(1, 0, 1) + 43_200_000, new Date(0).setUTCFullYear(9999, 11, 31), 86_399_999, 86_400_000, Date.UTC(2000, 1, 29, 23, 59, 59, 999), Date.UTC(1900, 2, 1), Date.UTC(2024, 1, 29, 12), first, last];
    for (let index = 0; index < 3000; index++) instants.push(Math.floor(first + random() * (last - first)));
    for (const zone of ['UTC', '+05:30', '-08:00', 'Europe/Paris', 'America/New_York']) {
      for (const epochMs of instants) {
        const instant = new Date(epochMs);
        const expected = reference(instant, zone);
        const options = { timezone: zone };
        expect(timestampString(instant, options, 'space-offset')).toBe(`${expected.date} ${expected.time}${expected.offset}`);
        expect(timestampString(instant, options, 'space')).toBe(`${expected.date} ${expected.time}`);
        expect(timestampString(instant, options, 'iso')).toBe(`${expected.date}T${expected.time}`);
        expect(dateString(instant, options)).toBe(expected.date);
      }
    }
  });

  it('matches for times of day in zones east and west of UTC', () => {
    for (const zone of ['UTC', '+05:30', '-08:00', 'Europe/Paris', 'America/New_York']) {
      for (const ms of [0, 1, 999, 3_600_000, 43_200_123, 86_399_999, 12_345_678]) {
        expect(timeString(ms, { timezone: zone })).toBe(reference(new Date(ms), zone).time);
      }
    }
  });

  it('still refuses years outside 1..9999', () => {
    expect(codeOf(() => timestampString(new Date(Date.UTC(10_000, 0, 1)), undefined, 'space'))).toBe('SINK_SQL_BAD_VALUE');
    expect(codeOf(() => dateString(new Date(new Date(0).setUTCFullYear(0, 5, 1)), undefined))).toBe('SINK_SQL_BAD_VALUE');
    expect(codeOf(() => timestampString(new Date(Number.NaN), undefined, 'space'))).toBe('SINK_SQL_BAD_VALUE');
  });

  it('writes each timestamp’s own day when days sharing a slot of the remembered day texts alternate', () => {
    const day = 86_400_000;
    const starts = [Date.UTC(2026, 0, 1), Date.UTC(1999, 11, 31), Date.parse('0001-01-01T00:00:00Z') + 3 * day, Date.UTC(9999, 11, 31) - 600 * day, -day];
    for (const start of starts) {
      for (let step = 0; step < 400; step++) {
        // Days 64 apart share a slot; neighbouring days and a year boundary fall between them.
        const at = start + (step % 2 === 0 ? step : step + 64) * day + step * 997;
        const iso = new Date(at).toISOString();
        expect(timestampString(new Date(at), undefined, 'space-offset')).toBe(`${iso.slice(0, 10)} ${iso.slice(11, 23)}+00:00`);
        expect(timestampString(new Date(at), undefined, 'iso')).toBe(iso.slice(0, 23));
      }
    }
    // A refused year is refused whatever day text was remembered in its slot.
    const refused = Date.UTC(10_000, 0, 1);
    const sameSlot = refused - 64 * 1000 * day;
    expect(timestampString(new Date(sameSlot), undefined, 'space')).toMatch(/^\d{4}-/);
    expect(codeOf(() => timestampString(new Date(refused), undefined, 'space'))).toBe('SINK_SQL_BAD_VALUE');
    expect(codeOf(() => timestampString(new Date(refused), undefined, 'space'))).toBe('SINK_SQL_BAD_VALUE');
  });
});

describe('timestampEpochMs and epochMsTimestampString', () => {
  const epochType = { kind: 'timestamp', epochMs: true } as const;
  it('takes epoch milliseconds only where the type says so, and writes them as the Date of that instant in every style and zone', () => {
    const instants = [0, -1, Date.UTC(2026, 2, 29, 0, 59, 59, 999), Date.UTC(2026, 10, 1, 5, 30), Date.UTC(9999, 11, 31, 23, 59, 59, 999), new Date('0001-01-01T00:00:00Z').getTime()];
    for (const instant of instants) {
      expect(timestampEpochMs(instant, epochType, 'at')).toBe(instant);
      expect(timestampEpochMs(new Date(instant), epochType, 'at')).toBe(instant);
      expect(timestampEpochMs(new Date(instant), { kind: 'timestamp' }, 'at')).toBe(instant);
      for (const options of [undefined, { timezone: 'Europe/Paris' }, { timezone: 'America/New_York' }, { timezone: '+05:30' }]) {
        for (const style of ['space', 'iso', 'space-offset'] as const) {
          // The same text, or the same refusal (9999-12-31 23:59 UTC is in year 10000 east of it).
          const outcome = (write: () => string) => {
            try {
              return write();
            } catch (error) {
              return error instanceof EngineError ? `${error.code}: ${error.message}` : error;
            }
          };
          expect(outcome(() => epochMsTimestampString(instant, options, style))).toBe(outcome(() => timestampString(new Date(instant), options, style)));
        }
      }
    }
    expect(Object.is(timestampEpochMs(-0, epochType, 'at'), 0)).toBe(true);
  });

  it('refuses a number where the type does not say epochMs, and what no valid Date holds', () => {
    expect(codeOf(() => timestampEpochMs(1_700_000_000_000, { kind: 'timestamp' }, 'at'))).toBe('SINK_SQL_BAD_VALUE');
    for (const bad of [1.5, Number.NaN, Number.POSITIVE_INFINITY, 8.64e15 + 1, -8.64e15 - 1, '0']) {
      expect(codeOf(() => timestampEpochMs(bad, epochType, 'at'))).toBe('SINK_SQL_BAD_VALUE');
    }
  });
});
