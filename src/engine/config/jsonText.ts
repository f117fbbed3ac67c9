/**
 * A small JSON parser that remembers where every key is. JSON.parse only reports a character offset for
 * syntax errors and nothing for valid files, but users need "line 12, column 5" for a missing comma and an
 * editor needs the position of `insert.mode` to underline it. It also notices duplicate keys, which JSON.parse
 * silently resolves to the last one: pasted Confluent Cloud configs often contain blanked `"": ""` pairs.
 *
 * Error messages never quote the text of a string, because the string may be a password.
 */
import { formatPath, type PathSegment } from './problems';

export type JsonValue = null | boolean | number | string | JsonValue[] | JsonObject;
export interface JsonObject {
  [key: string]: JsonValue;
}

export interface SourcePosition {
  /** 1-based. */
  line: number;
  /** 1-based, in UTF-16 code units like editors count. */
  column: number;
}

export interface DuplicateKey {
  path: string;
  segments: PathSegment[];
  key: string;
  position: SourcePosition;
}

export type LocatedJsonResult =
  | { ok: true; value: JsonValue; locations: ReadonlyMap<string, SourcePosition>; duplicates: readonly DuplicateKey[] }
  | { ok: false; message: string; hint: string; position: SourcePosition };

/** Deeper nesting than any config needs; the limit keeps a hostile file from overflowing the stack. */
const MAX_DEPTH = 128;

class SyntaxFailure extends Error {
  constructor(
    message: string,
    readonly offset: number,
    readonly hint: string,
  ) {
    super(message);
  }
}

export function isJsonObject(value: JsonValue | undefined): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A fresh object without a prototype, so a `"__proto__"` key is just a key. */
export function emptyJsonObject(): JsonObject {
  return Object.create(null) as JsonObject;
}

export function parseLocatedJson(text: string): LocatedJsonResult {
  const parser = new Parser(text);
  try {
    const value = parser.parseDocument();
    return { ok: true, value, locations: parser.locations, duplicates: parser.duplicates };
  } catch (error) {
    if (error instanceof SyntaxFailure) {
      return { ok: false, message: error.message, hint: error.hint, position: positionAt(text, error.offset) };
    }
    throw error;
  }
}

export function positionAt(text: string, offset: number): SourcePosition {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset && i < text.length; i += 1) {
    if (text.charCodeAt(i) === 10) {
      line += 1;
      lineStart = i + 1;
    }
  }
  return { line, column: offset - lineStart + 1 };
}

const GENERIC_HINT = 'JSON needs double-quoted keys and strings, commas between items, and allows no comments or trailing commas.';

class Parser {
  readonly locations = new Map<string, SourcePosition>();
  readonly duplicates: DuplicateKey[] = [];
  private pos = 0;
  // Offsets are turned into positions lazily in bulk; tracking lines while scanning keeps this linear.
  private line = 1;
  private lineStart = 0;

  constructor(private readonly text: string) {
    if (text.charCodeAt(0) === 0xfeff) this.pos = 1;
  }

  parseDocument(): JsonValue {
    this.skipWhitespace();
    if (this.pos >= this.text.length) throw new SyntaxFailure('The file is empty', this.pos, 'A pipeline file is one JSON object: { "name": …, "connectors": [ … ] }.');
    this.locations.set('$', this.here());
    const value = this.parseValue([], 0);
    this.skipWhitespace();
    if (this.pos < this.text.length) {
      throw new SyntaxFailure('Unexpected text after the end of the JSON value', this.pos, 'A file holds exactly one JSON object; remove what follows its closing brace.');
    }
    return value;
  }

  private here(): SourcePosition {
    return { line: this.line, column: this.pos - this.lineStart + 1 };
  }

  private skipWhitespace(): void {
    for (;;) {
      const c = this.text.charCodeAt(this.pos);
      if (c === 10) {
        this.pos += 1;
        this.line += 1;
        this.lineStart = this.pos;
      } else if (c === 32 || c === 9 || c === 13) {
        this.pos += 1;
      } else if (c === 47 && (this.text[this.pos + 1] === '/' || this.text[this.pos + 1] === '*')) {
        throw new SyntaxFailure('Comments are not allowed in JSON', this.pos, 'Remove the comment; put notes in a "description" key if you need them.');
      } else {
        return;
      }
    }
  }

  private parseValue(path: PathSegment[], depth: number): JsonValue {
    if (depth > MAX_DEPTH) throw new SyntaxFailure(`Nested deeper than ${MAX_DEPTH} levels`, this.pos, 'A pipeline file is only a few levels deep; check for a runaway paste.');
    const c = this.text[this.pos];
    switch (c) {
      case '{':
        return this.parseObject(path, depth);
      case '[':
        return this.parseArray(path, depth);
      case '"':
        return this.parseString();
      case 't':
        return this.parseLiteral('true', true);
      case 'f':
        return this.parseLiteral('false', false);
      case 'n':
        return this.parseLiteral('null', null);
      case undefined:
        throw new SyntaxFailure('Unexpected end of file: a value is missing', this.pos, GENERIC_HINT);
      case "'":
        throw new SyntaxFailure('Strings must use double quotes', this.pos, 'Replace the single quotes with double quotes.');
      default:
        if (c === '-' || (c >= '0' && c <= '9')) return this.parseNumber();
        throw new SyntaxFailure(`Unexpected character ${describeChar(c)} where a value should start`, this.pos, GENERIC_HINT);
    }
  }

  private parseLiteral<T extends JsonValue>(word: string, value: T): T {
    if (this.text.startsWith(word, this.pos)) {
      this.pos += word.length;
      return value;
    }
    throw new SyntaxFailure(`Unexpected word where a value should start (expected ${word}, a number, a "string", an object or an array)`, this.pos, GENERIC_HINT);
  }

  private parseNumber(): number {
    const match = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/.exec(this.text.slice(this.pos, this.pos + 64));
    if (!match) throw new SyntaxFailure('Invalid number', this.pos, 'Numbers look like 42, -1 or 3.5; quote anything else as a string.');
    this.pos += match[0].length;
    return Number(match[0]);
  }

  private parseString(): string {
    const start = this.pos;
    this.pos += 1;
    let out = '';
    let chunkStart = this.pos;
    for (;;) {
      const c = this.text.charCodeAt(this.pos);
      if (Number.isNaN(c)) throw new SyntaxFailure('Unterminated string: the closing double quote is missing', start, 'Close the string with a double quote.');
      if (c === 34) {
        out += this.text.slice(chunkStart, this.pos);
        this.pos += 1;
        return out;
      }
      if (c === 10 || c === 13) throw new SyntaxFailure('Line break inside a string (or a missing closing quote)', start, 'Close the string on the same line, or write the line break as \\n.');
      if (c < 32) throw new SyntaxFailure('Control character inside a string', this.pos, 'Write tabs as \\t and other control characters as \\u00XX.');
      if (c === 92) {
        out += this.text.slice(chunkStart, this.pos);
        out += this.parseEscape();
        chunkStart = this.pos;
        continue;
      }
      this.pos += 1;
    }
  }

  private parseEscape(): string {
    const escapeStart = this.pos;
    const c = this.text[this.pos + 1];
    this.pos += 2;
    switch (c) {
      case '"':
        return '"';
      case '\\':
        return '\\';
      case '/':
        return '/';
      case 'b':
        return '\b';
      case 'f':
        return '\f';
      case 'n':
        return '\n';
      case 'r':
        return '\r';
      case 't':
        return '\t';
      case 'u': {
        const hex = this.text.slice(this.pos, this.pos + 4);
        if (!/^[0-9a-fA-F]{4}$/.test(hex)) throw new SyntaxFailure('Invalid \\u escape inside a string', escapeStart, 'A \\u escape needs four hex digits, e.g. \\u00e9.');
        this.pos += 4;
        return String.fromCharCode(parseInt(hex, 16));
      }
      default:
        // A backslash that is not an escape is the classic Windows-path / password mistake.
        throw new SyntaxFailure('Invalid escape sequence inside a string', escapeStart, 'Write a literal backslash as \\\\ (two backslashes).');
    }
  }

  private parseArray(path: PathSegment[], depth: number): JsonValue[] {
    this.pos += 1;
    const items: JsonValue[] = [];
    this.skipWhitespace();
    if (this.text[this.pos] === ']') {
      this.pos += 1;
      return items;
    }
    for (;;) {
      this.skipWhitespace();
      const itemPath = [...path, items.length];
      this.locations.set(formatPath(itemPath), this.here());
      items.push(this.parseValue(itemPath, depth + 1));
      this.skipWhitespace();
      const c = this.text[this.pos];
      if (c === ',') {
        this.pos += 1;
        this.skipWhitespace();
        if (this.text[this.pos] === ']') throw new SyntaxFailure('Trailing comma before ]', this.pos - 1, 'Remove the comma after the last item.');
        continue;
      }
      if (c === ']') {
        this.pos += 1;
        return items;
      }
      throw new SyntaxFailure(c === undefined ? 'Unexpected end of file inside an array' : "Expected ',' or ']' after an array item", this.pos, GENERIC_HINT);
    }
  }

  private parseObject(path: PathSegment[], depth: number): JsonObject {
    this.pos += 1;
    const object = emptyJsonObject();
    this.skipWhitespace();
    if (this.text[this.pos] === '}') {
      this.pos += 1;
      return object;
    }
    for (;;) {
      this.skipWhitespace();
      const c = this.text[this.pos];
      if (c !== '"') {
        if (c === '}') throw new SyntaxFailure('Trailing comma before }', this.pos, 'Remove the comma after the last property.');
        if (c === undefined) throw new SyntaxFailure('Unexpected end of file inside an object', this.pos, GENERIC_HINT);
        throw new SyntaxFailure('Expected a property name in double quotes', this.pos, GENERIC_HINT);
      }
      const keyPosition = this.here();
      const key = this.parseString();
      const keyPath = [...path, key];
      const formatted = formatPath(keyPath);
      if (Object.prototype.hasOwnProperty.call(object, key)) this.duplicates.push({ path: formatted, segments: keyPath, key, position: keyPosition });
      this.locations.set(formatted, keyPosition);
      this.skipWhitespace();
      if (this.text[this.pos] !== ':') throw new SyntaxFailure("Expected ':' after the property name", this.pos, GENERIC_HINT);
      this.pos += 1;
      this.skipWhitespace();
      object[key] = this.parseValue(keyPath, depth + 1);
      this.skipWhitespace();
      const next = this.text[this.pos];
      if (next === ',') {
        this.pos += 1;
        continue;
      }
      if (next === '}') {
        this.pos += 1;
        return object;
      }
      if (next === '"') throw new SyntaxFailure("Missing ',' between properties", this.pos, 'Add a comma after the previous value.');
      throw new SyntaxFailure(next === undefined ? 'Unexpected end of file inside an object' : "Expected ',' or '}' after a property", this.pos, GENERIC_HINT);
    }
  }
}

function describeChar(c: string): string {
  const code = c.charCodeAt(0);
  return code < 32 || code > 126 ? `U+${code.toString(16).toUpperCase().padStart(4, '0')}` : `'${c}'`;
}
