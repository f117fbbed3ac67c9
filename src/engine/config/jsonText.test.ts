import { describe, expect, it } from 'vitest';
import { parseLocatedJson } from './jsonText';

function failure(text: string): { message: string; line: number; column: number } {
  const result = parseLocatedJson(text);
  if (result.ok) throw new Error('expected a syntax error');
  return { message: result.message, line: result.position.line, column: result.position.column };
}

describe('parseLocatedJson', () => {
  it('parses JSON and remembers where each key is', () => {
    const text = '{\n  "name": "p",\n  "connectors": [\n    { "insert.mode": "upsert" }\n  ]\n}';
    const result = parseLocatedJson(text);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.value).toEqual({ name: 'p', connectors: [{ 'insert.mode': 'upsert' }] });
    expect(result.locations.get('$.name')).toEqual({ line: 2, column: 3 });
    expect(result.locations.get("$.connectors[0]['insert.mode']")).toEqual({ line: 4, column: 7 });
    expect(result.locations.get('$.connectors[0]')).toEqual({ line: 4, column: 5 });
  });

  it('reports syntax errors with line and column', () => {
    expect(failure('{\n  "a": 1,\n}')).toMatchObject({ line: 3, column: 1, message: 'Trailing comma before }' });
    expect(failure('{\n  "a": 1\n  "b": 2\n}')).toMatchObject({ line: 3, column: 3, message: "Missing ',' between properties" });
    expect(failure('{ "a": [1, 2,] }')).toMatchObject({ line: 1, column: 13 });
    expect(failure("{ 'a': 1 }")).toMatchObject({ line: 1, column: 3, message: 'Expected a property name in double quotes' });
    expect(failure('{\n  // note\n  "a": 1 }')).toMatchObject({ line: 2, column: 3, message: 'Comments are not allowed in JSON' });
    expect(failure('')).toMatchObject({ line: 1, column: 1, message: 'The file is empty' });
    expect(failure('{ "a": 1 } x')).toMatchObject({ message: 'Unexpected text after the end of the JSON value' });
    expect(failure('{ "a": tru }').message).toMatch(/expected true/);
    expect(failure('{ "a": 01 }').message).toMatch(/Expected ',' or '}'/);
  });

  it('never quotes the text of a string in an error (it may be a password)', () => {
    const unterminated = failure('{\n  "connection.password": "hunter2-SECRET\n}');
    expect(unterminated).toMatchObject({ line: 2, column: 26 });
    expect(unterminated.message).not.toContain('hunter2');
    const badEscape = failure('{ "connection.password": "C:\\path-SECRET" }');
    expect(badEscape.message).toBe('Invalid escape sequence inside a string');
  });

  it('decodes escapes', () => {
    const result = parseLocatedJson('{ "a": "x\\ty\\u00e9\\"\\\\" }');
    expect(result.ok && result.value).toEqual({ a: 'x\ty\u00e9"\\' });
  });

  it('reports duplicate keys with their path, the last value winning like JSON.parse', () => {
    const result = parseLocatedJson('{ "c": [ { "": "", "x": 1, "": "db" } ] }');
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.value).toEqual({ c: [{ '': 'db', x: 1 }] });
    expect(result.duplicates).toEqual([{ path: "$.c[0]['']", segments: ['c', 0, ''], key: '', position: { line: 1, column: 28 } }]);
  });

  it('treats "__proto__" as an ordinary key', () => {
    const result = parseLocatedJson('{ "__proto__": { "polluted": true } }');
    expect(result.ok).toBe(true);
    if (!result.ok || typeof result.value !== 'object' || result.value === null || Array.isArray(result.value)) return;
    expect(Object.keys(result.value)).toEqual(['__proto__']);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('skips a byte order mark', () => {
    const result = parseLocatedJson('\ufeff{"a":1}');
    expect(result.ok && result.value).toEqual({ a: 1 });
  });
});
