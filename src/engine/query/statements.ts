import { queryError } from './errors';

/**
 * Reading SQL text just enough to keep the query pane read-only by default and to say why a statement was refused:
 * comments and quoted text are skipped, statements are split on top-level semicolons, and a statement is a read
 * when its leading keyword only reads. It is a guard against mistakes, not the safety of read-only mode: the runner
 * makes the database enforce that (one statement through a protocol that refuses a second, inside a read-only
 * transaction; see sqlRunner), because no lexer matches every database's in every mode.
 */

/** Whose rules decide where comments and quoted text end. */
export type SqlTextDialect = 'mysql' | 'postgres' | 'sqlserver';

/** Where a block comment that starts at `start` (at its slash) ends; PostgreSQL and SQL Server nest them, MySQL does not. */
function blockCommentEnd(sql: string, start: number, nested: boolean): number {
  let depth = 0;
  let index = start;
  while (index < sql.length) {
    if (sql.startsWith('/*', index)) {
      depth = nested ? depth + 1 : 1;
      index += 2;
    } else if (sql.startsWith('*/', index)) {
      depth -= 1;
      index += 2;
      if (depth === 0) return index;
    } else index += 1;
  }
  return sql.length;
}

/** Where a quoted text that starts at `start` ends (after its closing quote); doubled quotes never end it. */
function quotedEnd(sql: string, start: number, quote: string, backslashEscapes: boolean): number {
  let end = start + 1;
  while (end < sql.length) {
    if (backslashEscapes && sql[end] === '\\') end += 2;
    else if (sql[end] === quote && sql[end + 1] === quote) end += 2;
    else if (sql[end] === quote) return end + 1;
    else end += 1;
  }
  return sql.length;
}

/**
 * The text with comments removed and every quoted literal/identifier replaced by a placeholder, by the rules of the
 * dialect's own lexer: `#` and `-- ` (with its space) start comments in MySQL/MariaDB, where backslashes escape in
 * both quote kinds; PostgreSQL nests block comments, and escapes with backslashes only in E'…' strings (standard
 * strings keep a backslash as it is); in PostgreSQL `#` is an operator, as in jsonb's `#>`.
 * This is for classifying and splitting, never the safety of read-only mode: the runner makes the database enforce
 * that (one statement, a read-only transaction, see sqlRunner).
 */
export function maskSql(sql: string, dialect: SqlTextDialect = 'postgres'): string {
  const mysql = dialect === 'mysql';
  let out = '';
  let index = 0;
  while (index < sql.length) {
    const char = sql[index] ?? '';
    const next = sql[index + 1] ?? '';
    const lineComment = (char === '-' && next === '-' && (!mysql || index + 2 >= sql.length || (sql.charCodeAt(index + 2) <= 0x20))) || (char === '#' && mysql);
    if (lineComment) {
      const end = sql.indexOf('\n', index);
      index = end < 0 ? sql.length : end;
      out += ' ';
    } else if (char === '/' && next === '*') {
      index = blockCommentEnd(sql, index, !mysql);
      out += ' ';
    } else if (char === "'" || char === '"' || char === '`') {
      const escapes = mysql ? char !== '`' : char === "'" && /[eE]$/.test(sql.slice(0, index)) && !/[\w$][eE]$/.test(sql.slice(Math.max(0, index - 2), index));
      index = quotedEnd(sql, index, char, escapes);
      out += char === "'" ? "''" : '""';
    } else if (char === '$' && !mysql && !/[\w$]/.test(sql[index - 1] ?? '')) {
      // PostgreSQL dollar quoting: $$…$$ or $tag$…$tag$ (a $ inside an identifier or after a digit is not one).
      const tag = /^\$[A-Za-z_]*\$/.exec(sql.slice(index))?.[0];
      if (tag) {
        const end = sql.indexOf(tag, index + tag.length);
        index = end < 0 ? sql.length : end + tag.length;
        out += "''";
      } else {
        out += char;
        index += 1;
      }
    } else {
      out += char;
      index += 1;
    }
  }
  return out;
}

/** Top-level statements of the (masked) text, trimmed, empty ones dropped. */
export function splitStatements(sql: string, dialect: SqlTextDialect = 'postgres'): string[] {
  return maskSql(sql, dialect)
    .split(';')
    .map((part) => part.trim())
    .filter((part) => part !== '');
}

const READ_KEYWORDS = new Set(['SELECT', 'WITH', 'SHOW', 'DESCRIBE', 'DESC', 'EXPLAIN', 'VALUES', 'TABLE', 'HELP']);
/**
 * Words that make a SELECT or WITH write: a data-modifying WITH (PostgreSQL), SELECT … INTO (creates a table or
 * writes a file), row locks, and sequence functions.
 */
const WRITE_WORDS = /\b(INSERT|UPDATE|DELETE|MERGE|INTO|FOR\s+(?:NO\s+KEY\s+)?UPDATE|FOR\s+(?:KEY\s+)?SHARE|LOCK\s+IN\s+SHARE\s+MODE|NEXTVAL|SETVAL)\b/i;

export interface StatementKind {
  kind: 'read' | 'write';
  /** Why a statement counts as a write, for the refusal message. */
  reason?: string;
}

function firstKeyword(masked: string): string | undefined {
  return /^\(*\s*([A-Za-z]+)/.exec(masked)?.[1]?.toUpperCase();
}

/** Classifies one statement (already checked to be one). */
export function classifyStatement(sql: string, dialect: SqlTextDialect = 'postgres'): StatementKind {
  const masked = maskSql(sql, dialect).trim().replace(/;+\s*$/, '');
  const first = firstKeyword(masked);
  if (!first) return { kind: 'read' };
  if (first === 'EXPLAIN') {
    // A plain EXPLAIN never runs its statement; EXPLAIN ANALYZE does.
    const analyze = /^EXPLAIN\s+(?:ANALY[SZ]E\b|\([^)]*\banaly[sz]e\b[^)]*\))/i.exec(masked);
    if (!analyze) return { kind: 'read' };
    const inner = classifyStatement(masked.slice(analyze[0].length), dialect);
    return inner.kind === 'write' ? { kind: 'write', reason: `EXPLAIN ANALYZE runs the statement and ${inner.reason ?? 'it writes'}` } : { kind: 'read' };
  }
  if (!READ_KEYWORDS.has(first)) return { kind: 'write', reason: `it starts with ${first}` };
  if (first === 'SHOW' || first === 'DESCRIBE' || first === 'DESC' || first === 'HELP') return { kind: 'read' };
  const write = WRITE_WORDS.exec(masked.slice(first.length));
  if (write?.[1]) return { kind: 'write', reason: `it contains ${write[1].toUpperCase().replace(/\s+/g, ' ')}` };
  return { kind: 'read' };
}

/** The one statement of `sql`, or a clear refusal when there are none or several. */
export function requireOneStatement(sql: string, dialect: SqlTextDialect = 'postgres'): string {
  const statements = splitStatements(sql, dialect);
  if (statements.length === 0) throw queryError('QUERY_BAD_REQUEST', 'There is no SQL statement to run: type one (e.g. SELECT * FROM orders) and run it.');
  if (statements.length > 1) {
    throw queryError(
      'QUERY_MULTIPLE_STATEMENTS',
      `The text holds ${statements.length} statements; run them one at a time (select the statement, or put the cursor in it, and press Ctrl+Enter).`,
    );
  }
  return sql.trim().replace(/;+\s*$/, '');
}

/**
 * How PostgreSQL runs a statement in read-only mode, decided so that the server, not this file, enforces it:
 * a query goes through `DECLARE … CURSOR FOR`, whose grammar takes one query and nothing else (no COPY, no second
 * statement, no SELECT INTO); SHOW and EXPLAIN run as they are, but only when the raw text starts with the keyword,
 * so no comment or quote the server reads differently can put another command (COPY … TO PROGRAM) in its place.
 */
export function postgresReadOnlyForm(sql: string): 'cursor' | 'direct' | undefined {
  if (isCursorable(sql)) return 'cursor';
  return /^[ \t\r\n\f]*(?:SHOW|EXPLAIN)[ \t\r\n\f(]/i.test(sql) ? 'direct' : undefined;
}

/** PostgreSQL can read these through a cursor, which stops after the row cap instead of reading everything. */
export function isCursorable(sql: string): boolean {
  const first = firstKeyword(maskSql(sql).trim());
  return first === 'SELECT' || first === 'WITH' || first === 'VALUES' || first === 'TABLE';
}
