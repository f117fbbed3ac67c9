import type { FieldValue } from '../../model';
import { objectStoreError } from './errors';
import type { ObjectStoreRecord } from './records';
import type { PartitionerSettings } from './settings';

/**
 * Connect's storage partitioners: the directory (below `<topics.dir>/<topic>/`) a record's object goes to.
 * - default: `partition=<kafka partition>`
 * - field: `<field>=<value>` per listed value field, joined by the directory delimiter
 * - time: the record's time floored to `partition.duration.ms` in `timezone`, written with the Joda-Time `path.format`
 * The same record always lands in the same directory (wall-clock time aside), which is what makes a restart rewrite
 * the same object names.
 */
export type Partitioner = (record: ObjectStoreRecord) => string;

export function createPartitioner(settings: PartitionerSettings, directoryDelimiter: string): Partitioner {
  switch (settings.kind) {
    case 'default':
      return (record) => `partition=${record.partition}`;
    case 'field':
      return (record) =>
        settings.fields
          .map((field) => {
            if (!record.value || !(field in record.value)) {
              throw objectStoreError('OBJECT_STORE_BAD_RECORD', `partition.field.name "${field}" is not in the value of ${record.topic}[${record.partition}]@${record.offset}; name a field every record has.`);
            }
            return `${field}=${fieldText(record.value[field] ?? null)}`;
          })
          .join(directoryDelimiter);
    case 'time': {
      const format = compileJodaPattern(settings.pathFormat);
      const zone = zoneFormatter(settings.timezone);
      return (record) => {
        const time = recordTime(settings.extractor, record);
        const floored = floorInZone(time, settings.partitionDurationMs, zone);
        return format(zonedParts(floored, zone), settings.locale);
      };
    }
  }
}

function fieldText(value: FieldValue): string {
  if (value === null) return 'null';
  if (value instanceof Date) return String(value.getTime());
  if (value instanceof Uint8Array) return Buffer.from(value).toString('base64');
  return String(value);
}

function recordTime(extractor: Extract<PartitionerSettings, { kind: 'time' }>['extractor'], record: ObjectStoreRecord): number {
  switch (extractor.kind) {
    case 'wallclock':
      return Date.now();
    case 'record':
      if (record.timestampMs === null) throw objectStoreError('OBJECT_STORE_BAD_RECORD', `${record.topic}[${record.partition}]@${record.offset} has no timestamp; use timestamp.extractor=Wallclock or RecordField.`);
      return record.timestampMs;
    case 'field': {
      const value = record.value?.[extractor.field];
      if (value instanceof Date) return value.getTime();
      if (typeof value === 'number' || typeof value === 'bigint') return Number(value);
      if (typeof value === 'string' && !Number.isNaN(Date.parse(value))) return Date.parse(value);
      throw objectStoreError('OBJECT_STORE_BAD_RECORD', `timestamp.field "${extractor.field}" of ${record.topic}[${record.partition}]@${record.offset} is ${value === undefined ? 'missing' : `"${String(value)}"`}, not a time.`);
    }
  }
}

interface ZonedParts {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  millisecond: number;
  /** The instant, for names of months and days. */
  ms: number;
  zone: string;
}

type ZoneFormatter = { zone: string; format: Intl.DateTimeFormat };

function zoneFormatter(zone: string): ZoneFormatter {
  try {
    return {
      zone,
      format: new Intl.DateTimeFormat('en-US', { timeZone: zone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric' }),
    };
  } catch {
    throw objectStoreError('OBJECT_STORE_CONFIG_INVALID', `timezone "${zone}" is not a time zone; use an IANA name such as UTC or Europe/Paris.`);
  }
}

function zonedParts(ms: number, zone: ZoneFormatter): ZonedParts {
  const parts: Record<string, number> = {};
  for (const part of zone.format.formatToParts(new Date(ms))) if (part.type !== 'literal') parts[part.type] = Number(part.value);
  return {
    year: parts.year ?? 0,
    month: parts.month ?? 1,
    day: parts.day ?? 1,
    hour: parts.hour ?? 0,
    minute: parts.minute ?? 0,
    second: parts.second ?? 0,
    millisecond: ((ms % 1000) + 1000) % 1000,
    ms,
    zone: zone.zone,
  };
}

/** The zone's offset from UTC at an instant, in ms. */
function zoneOffset(ms: number, zone: ZoneFormatter): number {
  const p = zonedParts(ms, zone);
  return Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second, p.millisecond) - ms;
}

/** Connect's TimeBasedPartitioner.getPartition: floor in local time, so a daily partition starts at local midnight. */
export function floorInZone(ms: number, durationMs: number, zone: ZoneFormatter | string): number {
  const formatter = typeof zone === 'string' ? zoneFormatter(zone) : zone;
  const offset = zoneOffset(ms, formatter);
  const local = ms + offset;
  return Math.floor(local / durationMs) * durationMs - offset;
}

/** Joda-Time DateTimeFormat, the letters partition paths use: y Y M d H h m s S E a, quoted literals, '' for a quote. */
export function compileJodaPattern(pattern: string): (parts: ZonedParts, locale: string) => string {
  const pieces: ((parts: ZonedParts, locale: string) => string)[] = [];
  let i = 0;
  while (i < pattern.length) {
    const char = pattern.charAt(i);
    if (char === "'") {
      if (pattern.charAt(i + 1) === "'") {
        pieces.push(() => "'");
        i += 2;
        continue;
      }
      let end = i + 1;
      let text = '';
      for (;;) {
        if (end >= pattern.length) throw objectStoreError('OBJECT_STORE_CONFIG_INVALID', `path.format "${pattern}" has an unclosed quote.`);
        const inner = pattern.charAt(end);
        if (inner === "'") {
          if (pattern.charAt(end + 1) !== "'") break;
          text += "'";
          end += 2;
          continue;
        }
        text += inner;
        end += 1;
      }
      pieces.push(() => text);
      i = end + 1;
      continue;
    }
    if (!/[A-Za-z]/.test(char)) {
      pieces.push(() => char);
      i += 1;
      continue;
    }
    let count = 1;
    while (pattern.charAt(i + count) === char) count += 1;
    pieces.push(letter(char, count, pattern));
    i += count;
  }
  return (parts, locale) => pieces.map((piece) => piece(parts, locale)).join('');
}

function pad(value: number, width: number): string {
  return String(value).padStart(width, '0');
}

function letter(char: string, count: number, pattern: string): (parts: ZonedParts, locale: string) => string {
  switch (char) {
    case 'y':
    case 'Y':
      return (p) => (count === 2 ? pad(p.year % 100, 2) : pad(p.year, count));
    case 'M':
      if (count >= 3) return (p, locale) => new Intl.DateTimeFormat(locale, { timeZone: p.zone, month: count === 3 ? 'short' : 'long' }).format(new Date(p.ms));
      return (p) => pad(p.month, count);
    case 'd':
      return (p) => pad(p.day, count);
    case 'H':
      return (p) => pad(p.hour, count);
    case 'h':
      return (p) => pad(p.hour % 12 === 0 ? 12 : p.hour % 12, count);
    case 'm':
      return (p) => pad(p.minute, count);
    case 's':
      return (p) => pad(p.second, count);
    case 'S':
      return (p) => pad(p.millisecond, 3).slice(0, count).padEnd(count, '0');
    case 'E':
      return (p, locale) => new Intl.DateTimeFormat(locale, { timeZone: p.zone, weekday: count >= 4 ? 'long' : 'short' }).format(new Date(p.ms));
    case 'a':
      return (p) => (p.hour < 12 ? 'AM' : 'PM');
    default:
      throw objectStoreError('OBJECT_STORE_CONFIG_INVALID', `path.format "${pattern}" uses the letter "${char}", which Ferry does not format; use y M d H m s (quote literal text: 'year'=YYYY).`);
  }
}
