/**
 * The part of java.text.SimpleDateFormat that Connect's TimestampConverter and TimestampRouter users write
 * (`yyyy-MM-dd HH:mm:ss.SSS`, `yyyyMMdd`, `dd/MM/yy`, quoted text), always in UTC as Connect's transforms are.
 * No library here speaks Java's pattern letters, and the transforms need both directions with Java's rules:
 * a letter's count is its minimum width when formatting, `yy` is the two-digit year, and quoted text is literal.
 */

type Token = { kind: 'literal'; text: string } | { kind: 'field'; letter: string; count: number };

const SUPPORTED = new Set(['y', 'M', 'd', 'H', 'h', 'm', 's', 'S', 'a', 'E', 'Z', 'X']);
const cache = new Map<string, Token[]>();
const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
const DAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];

export class DateFormatError extends Error {}

function tokenize(pattern: string): Token[] {
  const known = cache.get(pattern);
  if (known) return known;
  const tokens: Token[] = [];
  let i = 0;
  while (i < pattern.length) {
    const char = pattern.charAt(i);
    if (char === "'") {
      const end = pattern.indexOf("'", i + 1);
      if (end === i + 1) {
        tokens.push({ kind: 'literal', text: "'" });
        i += 2;
        continue;
      }
      if (end < 0) throw new DateFormatError(`the pattern "${pattern}" opens a quote it never closes`);
      tokens.push({ kind: 'literal', text: pattern.slice(i + 1, end).replace(/''/g, "'") });
      i = end + 1;
      continue;
    }
    if (/[A-Za-z]/.test(char)) {
      if (!SUPPORTED.has(char)) throw new DateFormatError(`the pattern letter "${char}" of "${pattern}" is not supported (use y M d H h m s S a E Z X and quoted text)`);
      let count = 1;
      while (pattern.charAt(i + count) === char) count += 1;
      tokens.push({ kind: 'field', letter: char, count });
      i += count;
      continue;
    }
    tokens.push({ kind: 'literal', text: char });
    i += 1;
  }
  cache.set(pattern, tokens);
  return tokens;
}

/** Checks a pattern once, at configuration time. */
export function validateDatePattern(pattern: string): void {
  tokenize(pattern);
}

export function formatDate(epochMs: number, pattern: string): string {
  const date = new Date(epochMs);
  let out = '';
  for (const token of tokenize(pattern)) {
    if (token.kind === 'literal') {
      out += token.text;
      continue;
    }
    const { letter, count } = token;
    switch (letter) {
      case 'y': {
        const year = date.getUTCFullYear();
        out += count === 2 ? pad(year % 100, 2) : pad(year, count);
        break;
      }
      case 'M': {
        const month = date.getUTCMonth();
        out += count >= 4 ? (MONTHS[month] ?? '') : count === 3 ? (MONTHS[month] ?? '').slice(0, 3) : pad(month + 1, count);
        break;
      }
      case 'd':
        out += pad(date.getUTCDate(), count);
        break;
      case 'H':
        out += pad(date.getUTCHours(), count);
        break;
      case 'h':
        out += pad(date.getUTCHours() % 12 || 12, count);
        break;
      case 'm':
        out += pad(date.getUTCMinutes(), count);
        break;
      case 's':
        out += pad(date.getUTCSeconds(), count);
        break;
      case 'S':
        // Java's S is a count of milliseconds, not a fraction: SSS prints 007 for 7 ms.
        out += pad(date.getUTCMilliseconds(), count);
        break;
      case 'a':
        out += date.getUTCHours() < 12 ? 'AM' : 'PM';
        break;
      case 'E': {
        const day = DAYS[date.getUTCDay()] ?? '';
        out += count >= 4 ? day : day.slice(0, 3);
        break;
      }
      case 'Z':
        out += '+0000';
        break;
      case 'X':
        out += 'Z';
        break;
    }
  }
  return out;
}

/** Parses `text` with `pattern` in UTC; throws a DateFormatError naming both when they do not match. */
export function parseDate(text: string, pattern: string): number {
  const tokens = tokenize(pattern);
  let at = 0;
  let year = 1970;
  let month = 0;
  let day = 1;
  let hour = 0;
  let minute = 0;
  let second = 0;
  let millis = 0;
  let pm: boolean | undefined;
  let offsetMinutes = 0;
  const fail = (): never => {
    throw new DateFormatError(`"${text}" does not match the date pattern "${pattern}"`);
  };
  tokens.forEach((token, index) => {
    if (token.kind === 'literal') {
      if (text.slice(at, at + token.text.length) !== token.text) fail();
      at += token.text.length;
      return;
    }
    const next = tokens[index + 1];
    // Adjacent numeric fields (yyyyMMdd) take exactly their width; otherwise as many digits as there are.
    const fixed = next?.kind === 'field' ? token.count : undefined;
    const readNumber = (): number => {
      const match = (fixed === undefined ? /^[+-]?\d+/ : new RegExp(`^\\d{${fixed}}`)).exec(text.slice(at));
      if (!match) return fail();
      at += match[0].length;
      return Number(match[0]);
    };
    switch (token.letter) {
      case 'y': {
        const value = readNumber();
        year = token.count === 2 && value < 100 ? 2000 + value - (2000 + value > new Date().getUTCFullYear() + 20 ? 100 : 0) : value;
        break;
      }
      case 'M': {
        if (token.count >= 3) {
          const index = MONTHS.findIndex((name) => text.slice(at).toLowerCase().startsWith((token.count === 3 ? name.slice(0, 3) : name).toLowerCase()));
          if (index < 0) fail();
          at += token.count === 3 ? 3 : (MONTHS[index] ?? '').length;
          month = index;
        } else month = readNumber() - 1;
        break;
      }
      case 'd':
        day = readNumber();
        break;
      case 'H':
      case 'h':
        hour = readNumber();
        break;
      case 'm':
        minute = readNumber();
        break;
      case 's':
        second = readNumber();
        break;
      case 'S':
        millis = readNumber();
        break;
      case 'a': {
        const marker = text.slice(at, at + 2).toUpperCase();
        if (marker !== 'AM' && marker !== 'PM') fail();
        pm = marker === 'PM';
        at += 2;
        break;
      }
      case 'E': {
        const match = /^[A-Za-z]+/.exec(text.slice(at));
        if (!match) fail();
        at += match?.[0].length ?? 0;
        break;
      }
      case 'Z':
      case 'X': {
        const rest = text.slice(at);
        if (rest.startsWith('Z')) {
          at += 1;
          break;
        }
        const match = /^([+-])(\d{2}):?(\d{2})?/.exec(rest);
        if (!match) fail();
        at += match?.[0].length ?? 0;
        offsetMinutes = (match?.[1] === '-' ? -1 : 1) * (Number(match?.[2]) * 60 + Number(match?.[3] ?? 0));
        break;
      }
    }
  });
  if (at !== text.length) fail();
  if (pm !== undefined) hour = (hour % 12) + (pm ? 12 : 0);
  if (month < 0 || month > 11 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 60) fail();
  return Date.UTC(year, month, day, hour, minute, second, millis) - offsetMinutes * 60_000;
}

function pad(value: number, width: number): string {
  const text = String(Math.abs(value));
  return (value < 0 ? '-' : '') + (text.length >= width ? text : '0'.repeat(width - text.length) + text);
}
