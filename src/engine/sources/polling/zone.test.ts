import { describe, expect, it } from 'vitest';
import { civilFromDays, daysFromCivil } from '../../model/calendar';
import { resolveZone } from './zone';

const at = (iso: string): number => Date.parse(iso) / 1000;
/** A wall clock written as ISO without zone, counted as if UTC. */
const wall = (text: string): number => Date.parse(`${text}Z`) / 1000;

describe('resolveZone', () => {
  it('accepts UTC spellings as a fixed zero offset', () => {
    for (const id of ['UTC', 'utc', 'GMT', 'Z', 'Etc/UTC', '']) expect(resolveZone(id).fixedOffsetSeconds).toBe(0);
  });

  it('accepts fixed offsets the way java.time.ZoneId does', () => {
    expect(resolveZone('+02:00').fixedOffsetSeconds).toBe(7200);
    expect(resolveZone('-0530').fixedOffsetSeconds).toBe(-19_800);
    expect(resolveZone('UTC+2').fixedOffsetSeconds).toBe(7200);
    expect(resolveZone('GMT-08:00').fixedOffsetSeconds).toBe(-28_800);
    expect(() => resolveZone('+19:00')).toThrow(/at most ±18:00/);
  });

  it('rejects an unknown zone with a hint', () => {
    expect(() => resolveZone('Mars/Olympus')).toThrow(/IANA name such as Europe\/Paris/);
  });

  it('follows daylight saving time in a region zone', () => {
    const paris = resolveZone('Europe/Paris');
    expect(paris.fixedOffsetSeconds).toBeUndefined();
    expect(paris.offsetSecondsAt(at('2024-01-15T12:00:00Z'))).toBe(3600);
    expect(paris.offsetSecondsAt(at('2024-07-15T12:00:00Z'))).toBe(7200);
    // The switch on 2024-03-31 happens at 01:00 UTC.
    expect(paris.offsetSecondsAt(at('2024-03-31T00:59:59Z'))).toBe(3600);
    expect(paris.offsetSecondsAt(at('2024-03-31T01:00:00Z'))).toBe(7200);
  });

  it('maps wall clocks to instants like ZonedDateTime.ofLocal (gap forward, overlap earlier)', () => {
    const paris = resolveZone('Europe/Paris');
    expect(paris.wallToEpochSecond(wall('2024-07-15T14:00:00'))).toBe(at('2024-07-15T12:00:00Z'));
    // 02:30 does not exist on 2024-03-31 in Paris: java moves it to 03:30 CEST = 01:30Z.
    expect(paris.wallToEpochSecond(wall('2024-03-31T02:30:00'))).toBe(at('2024-03-31T01:30:00Z'));
    // 02:30 happens twice on 2024-10-27: the earlier (CEST) instant wins.
    expect(paris.wallToEpochSecond(wall('2024-10-27T02:30:00'))).toBe(at('2024-10-27T00:30:00Z'));
    expect(paris.wallToEpochSecond(wall('2024-10-27T03:30:00'))).toBe(at('2024-10-27T02:30:00Z'));
  });

  it('maps wall clocks with fixed offsets', () => {
    expect(resolveZone('+05:30').wallToEpochSecond(wall('2024-01-01T05:30:00'))).toBe(at('2024-01-01T00:00:00Z'));
  });
});

describe('civil dates', () => {
  it('round-trips days, including years before 100 and before the era', () => {
    for (const [y, m, d] of [
      [1970, 1, 1],
      [2000, 2, 29],
      [1, 1, 1],
      [0, 12, 31],
      [-44, 3, 15],
      [9999, 12, 31],
    ] as const) {
      expect(civilFromDays(daysFromCivil(y, m, d))).toEqual({ year: y, month: m, day: d });
    }
    expect(daysFromCivil(1970, 1, 1)).toBe(0);
    expect(daysFromCivil(2024, 3, 1)).toBe(Date.UTC(2024, 2, 1) / 86_400_000);
  });
});
