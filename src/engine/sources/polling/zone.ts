import { daysFromCivil } from '../../model/calendar';
/**
 * `db.timezone` support: the zone in which zone-less DATETIME / timestamp-without-time-zone values are written.
 * Java accepts IANA names, `UTC`/`GMT`/`Z` and fixed offsets (`+02:00`, `UTC+2`); so does this. Offsets come from
 * the runtime's ICU data (Node ships full ICU), computed per instant so daylight-saving changes are honoured.
 */
export interface Zone {
  /** As the user wrote it, for messages. */
  readonly id: string;
  /** Set when the zone never changes offset (UTC, `+02:00`): lets callers skip the ICU lookup. */
  readonly fixedOffsetSeconds: number | undefined;
  /** Seconds to add to UTC to get the wall clock at that instant. */
  offsetSecondsAt(epochSecond: number): number;
  /**
   * The instant whose wall clock in this zone is `wallSecond` (a wall clock counted as if it were UTC). Like
   * java.time's ZonedDateTime.ofLocal: in an overlap the earlier instant, in a gap the wall clock moved forward by
   * the gap's length.
   */
  wallToEpochSecond(wallSecond: number): number;
}

const FIXED = /^(?:UTC|GMT|UT)?\s*([+-])(\d{1,2})(?::?(\d{2}))?(?::?(\d{2}))?$/i;

function fixedZone(id: string, offsetSeconds: number): Zone {
  return {
    id,
    fixedOffsetSeconds: offsetSeconds,
    offsetSecondsAt: () => offsetSeconds,
    wallToEpochSecond: (wallSecond) => wallSecond - offsetSeconds,
  };
}

/** Number of 15-minute slots whose offsets one zone keeps; transitions happen on quarter hours. */
const CACHE_LIMIT = 20_000;
const SLOT_SECONDS = 900;

function regionZone(id: string, canonical: string): Zone {
  const format = new Intl.DateTimeFormat('en-US', {
    timeZone: canonical,
    hourCycle: 'h23',
    era: 'short',
    year: 'numeric',
    month: 'numeric',
    day: 'numeric',
    hour: 'numeric',
    minute: 'numeric',
    second: 'numeric',
  });
  const cache = new Map<number, number>();

  const compute = (epochSecond: number): number => {
    const parts = format.formatToParts(new Date(epochSecond * 1000));
    const get = (type: Intl.DateTimeFormatPartTypes): number => Number(parts.find((part) => part.type === type)?.value ?? '0');
    const era = parts.find((part) => part.type === 'era')?.value ?? 'AD';
    const year = era === 'BC' || era === 'B' ? 1 - get('year') : get('year');
    const wall = daysFromCivil(year, get('month'), get('day')) * 86_400 + get('hour') * 3600 + get('minute') * 60 + get('second');
    return wall - epochSecond;
  };

  const offsetSecondsAt = (epochSecond: number): number => {
    const whole = Math.floor(epochSecond);
    const slot = Math.floor(whole / SLOT_SECONDS);
    const cached = cache.get(slot);
    if (cached !== undefined) return cached;
    // The slot start is on a quarter hour, so every instant in the slot shares its offset.
    const offset = compute(slot * SLOT_SECONDS);
    if (cache.size >= CACHE_LIMIT) cache.clear();
    cache.set(slot, offset);
    return offset;
  };

  return {
    id,
    fixedOffsetSeconds: undefined,
    offsetSecondsAt,
    wallToEpochSecond(wallSecond) {
      // At most one transition lies within a day of any wall clock, so the offsets a day either side are the two
      // candidates.
      const before = offsetSecondsAt(wallSecond - 86_400);
      const after = offsetSecondsAt(wallSecond + 86_400);
      const early = wallSecond - before;
      if (offsetSecondsAt(early) === before) return early;
      const late = wallSecond - after;
      if (offsetSecondsAt(late) === after) return late;
      // In a gap: keep the offset from before the transition, which moves the wall clock forward by the gap.
      return early;
    },
  };
}

/** Throws a plain Error with a user-facing message; the caller wraps it with the config key. */
export function resolveZone(id: string): Zone {
  const trimmed = id.trim();
  if (trimmed === '' || /^(?:UTC|GMT|UT|Z|Etc\/UTC|Etc\/GMT|Zulu|Universal)$/i.test(trimmed)) return fixedZone(trimmed || 'UTC', 0);
  const fixed = FIXED.exec(trimmed);
  if (fixed) {
    const sign = fixed[1] === '-' ? -1 : 1;
    const hours = Number(fixed[2]);
    const minutes = Number(fixed[3] ?? '0');
    const seconds = Number(fixed[4] ?? '0');
    if (hours > 18 || minutes > 59 || seconds > 59) throw new Error(`"${id}" is not a valid UTC offset (at most ±18:00).`);
    return fixedZone(trimmed, sign * (hours * 3600 + minutes * 60 + seconds));
  }
  let canonical: string;
  try {
    canonical = new Intl.DateTimeFormat('en-US', { timeZone: trimmed }).resolvedOptions().timeZone;
  } catch {
    throw new Error(`"${id}" is not a time zone this runtime knows; use an IANA name such as Europe/Paris, or UTC, or an offset such as +02:00.`);
  }
  return regionZone(trimmed, canonical);
}
