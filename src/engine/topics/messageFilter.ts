import { topicsError } from './errors';

/** What a filter looks at: the decoded key and value (text and parsed) and the headers as text. */
export interface FilterableRecord {
  keyText: string;
  keyParsed?: unknown;
  valueText: string;
  valueParsed?: unknown;
  headers: readonly { name: string; value: string }[];
}

export type RecordPredicate = (record: FilterableRecord) => boolean;

type Comparison = '=' | '!=' | '>' | '<' | '>=' | '<=';

/**
 * The filter language, evaluated in the engine. Terms are separated by spaces and must all match:
 *   `shipped`                 key, value or any header contains "shipped" (case-insensitive)
 *   `"two words"`             a phrase
 *   `key:42` `value:alice` `headers:retry`   contains, in that part only
 *   `header.source:cdc`       the header named `source` contains "cdc"
 *   `value.status=SHIPPED`    a field of the decoded value (dotted path, array indexes as numbers) compared with
 *   `value.total>=100`        =, !=, >, <, >=, <= (numbers compare as numbers; `null`, `true`, `false` as such)
 *   `-heartbeat`              negation of any term
 */
export const FILTER_SYNTAX =
  'words: contains (key, value or headers) · "a phrase" · key:x value:x headers:x header.NAME:x · value.path=x (=, !=, >, <, >=, <=) · -term negates · all terms must match';

function tokenize(text: string): string[] {
  const tokens: string[] = [];
  let current = '';
  let quoted = false;
  for (let index = 0; index < text.length; index++) {
    const char = text[index] ?? '';
    if (char === '"') {
      quoted = !quoted;
      current += char;
    } else if (/\s/.test(char) && !quoted) {
      if (current) tokens.push(current);
      current = '';
    } else current += char;
  }
  if (quoted) throw topicsError('TOPICS_FILTER_INVALID', `Filter: a quote (") is not closed in ${JSON.stringify(text)}. Close the phrase with a second ".`);
  if (current) tokens.push(current);
  return tokens;
}

function unquote(text: string): string {
  return text.length >= 2 && text.startsWith('"') && text.endsWith('"') ? text.slice(1, -1) : text.replace(/"/g, '');
}

function contains(haystack: string, needle: string): boolean {
  return haystack.toLowerCase().includes(needle);
}

function valueAt(root: unknown, path: readonly string[]): unknown {
  let current = root;
  for (const segment of path) {
    if (current === null || current === undefined) return undefined;
    if (Array.isArray(current)) current = current[Number(segment)];
    else if (typeof current === 'object') current = (current as Record<string, unknown>)[segment];
    else return undefined;
  }
  return current;
}

function literal(text: string): unknown {
  const bare = unquote(text);
  if (text.startsWith('"')) return bare;
  if (bare === 'null') return null;
  if (bare === 'true') return true;
  if (bare === 'false') return false;
  if (bare !== '' && !Number.isNaN(Number(bare))) return Number(bare);
  return bare;
}

function compare(actual: unknown, op: Comparison, expected: unknown): boolean {
  if (actual === undefined) return op === '!=';
  // Exact int64 values arrive as strings; compare them as numbers when the filter gives a number.
  const left = typeof expected === 'number' && typeof actual === 'string' && actual.trim() !== '' && !Number.isNaN(Number(actual)) ? Number(actual) : actual;
  switch (op) {
    case '=':
      return typeof expected === 'string' && typeof left === 'string' ? left.toLowerCase() === expected.toLowerCase() : left === expected;
    case '!=':
      return typeof expected === 'string' && typeof left === 'string' ? left.toLowerCase() !== expected.toLowerCase() : left !== expected;
    default: {
      if (typeof left === 'number' && typeof expected === 'number') {
        return op === '>' ? left > expected : op === '<' ? left < expected : op === '>=' ? left >= expected : left <= expected;
      }
      if (typeof left === 'string' && typeof expected === 'string') {
        return op === '>' ? left > expected : op === '<' ? left < expected : op === '>=' ? left >= expected : left <= expected;
      }
      return false;
    }
  }
}

function headersText(record: FilterableRecord): string {
  return record.headers.map((header) => `${header.name}=${header.value}`).join('\n');
}

function parseTerm(token: string): RecordPredicate {
  const comparison = /^(key|value)((?:\.[^.=!<>]+)+)(=|!=|>=|<=|>|<)(.*)$/.exec(token);
  if (comparison) {
    const [, part, pathText = '', op = '=', right = ''] = comparison;
    if (right === '') throw topicsError('TOPICS_FILTER_INVALID', `Filter: "${token}" has nothing after ${op}. Write e.g. value.status=SHIPPED.`);
    const path = pathText.slice(1).split('.');
    const expected = literal(right);
    return (record) => compare(valueAt(part === 'key' ? record.keyParsed : record.valueParsed, path), op as Comparison, expected);
  }
  const scoped = /^(key|value|headers|header\.[^:]+):(.*)$/.exec(token);
  if (scoped) {
    const [, scope = '', rawNeedle = ''] = scoped;
    const needle = unquote(rawNeedle).toLowerCase();
    if (needle === '') throw topicsError('TOPICS_FILTER_INVALID', `Filter: "${token}" has nothing after the colon. Write e.g. ${scope}:something.`);
    if (scope === 'key') return (record) => contains(record.keyText, needle);
    if (scope === 'value') return (record) => contains(record.valueText, needle);
    if (scope === 'headers') return (record) => contains(headersText(record), needle);
    const name = scope.slice('header.'.length).toLowerCase();
    return (record) => record.headers.some((header) => header.name.toLowerCase() === name && contains(header.value, needle));
  }
  if (/^(key|value)\.[^\s]*$/.test(token)) {
    throw topicsError('TOPICS_FILTER_INVALID', `Filter: "${token}" names a field but no comparison. Write e.g. ${token}=42 or ${token}!=null.`);
  }
  const needle = unquote(token).toLowerCase();
  return (record) => contains(record.keyText, needle) || contains(record.valueText, needle) || contains(headersText(record), needle);
}

/** Compiles filter text once per read; throws TOPICS_FILTER_INVALID naming the bad term. Empty text matches all. */
export function compileFilter(text: string | undefined): RecordPredicate {
  const tokens = tokenize((text ?? '').trim());
  if (tokens.length === 0) return () => true;
  const predicates = tokens.map((token) => {
    if (token.startsWith('-') && token.length > 1) {
      const inner = parseTerm(token.slice(1));
      return (record: FilterableRecord) => !inner(record);
    }
    return parseTerm(token);
  });
  return (record) => predicates.every((predicate) => predicate(record));
}
