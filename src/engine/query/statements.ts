import { queryError } from './errors';

/**
 * Reading SQL text just enough to keep the query pane read-only by default: comments and quoted text are skipped,
 * statements are split on top-level semicolons, and a statement is a read when its leading keyword only reads.
 * It is a guard against mistakes, not a sandbox; the runner also opens read-only transactions where the database
 * has them (MySQL/MariaDB and PostgreSQL), so a function with side effects is refused there too.
 */

/**
 * The text with comments removed and every quoted literal/identifier replaced by a placeholder. `#` starts a
 * comment only in MySQL/MariaDB (in PostgreSQL it is an operator, as in jsonb's `#>`).
 */
export function maskSql(sql: string, hashComments = false): string {
  let out = '';
  let index = 0;
  while (index < sql.length) {
    const char = sql[index] ?? '';
    const next = sql[index + 1] ?? '';
    if (char === '-' && next === '-') {
      const end = sql.indexOf('\n', index);
      index = end < 0 ? sql.length : end;
      out += ' ';
    } else if (char === '#' && hashComments) {
      const end = sql.indexOf('\n', index);
      index = end < 0 ? sql.length : end;
      out += ' ';
    } else if (char === '/' && next === '*') {
      const end = sql.indexOf('*/', index + 2);
      index = end < 0 ? sql.length : end + 2;
      out += ' ';
    } else if (char === "'" || char === '"' || char === '`') {
      let end = index + 1;
      while (end < sql.length) {
        if (sql[end] === '\\' && char === "'") end += 2;
        else if (sql[end] === char && sql[end + 1] === char) end += 2;
        else if (sql[end] === char) break;
        else end += 1;
      }
      out += char === "'" ? "''" : '""';
      index = end + 1;
    } else if (char === '$') {
      // PostgreSQL dollar quoting: $$…$$ or $tag$…$tag$.
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
export function splitStatements(sql: string, hashComments = false): string[] {
  return maskSql(sql, hashComments)
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
export function classifyStatement(sql: string, hashComments = false): StatementKind {
  const masked = maskSql(sql, hashComments).trim().replace(/;+\s*$/, '');
  const first = firstKeyword(masked);
  if (!first) return { kind: 'read' };
  if (first === 'EXPLAIN') {
    // A plain EXPLAIN never runs its statement; EXPLAIN ANALYZE does.
    const analyze = /^EXPLAIN\s+(?:ANALY[SZ]E\b|\([^)]*\banaly[sz]e\b[^)]*\))/i.exec(masked);
    if (!analyze) return { kind: 'read' };
    const inner = classifyStatement(masked.slice(analyze[0].length), hashComments);
    return inner.kind === 'write' ? { kind: 'write', reason: `EXPLAIN ANALYZE runs the statement and ${inner.reason ?? 'it writes'}` } : { kind: 'read' };
  }
  if (!READ_KEYWORDS.has(first)) return { kind: 'write', reason: `it starts with ${first}` };
  if (first === 'SHOW' || first === 'DESCRIBE' || first === 'DESC' || first === 'HELP') return { kind: 'read' };
  const write = WRITE_WORDS.exec(masked.slice(first.length));
  if (write?.[1]) return { kind: 'write', reason: `it contains ${write[1].toUpperCase().replace(/\s+/g, ' ')}` };
  return { kind: 'read' };
}

/** The one statement of `sql`, or a clear refusal when there are none or several. */
export function requireOneStatement(sql: string, hashComments = false): string {
  const statements = splitStatements(sql, hashComments);
  if (statements.length === 0) throw queryError('QUERY_BAD_REQUEST', 'There is no SQL statement to run: type one (e.g. SELECT * FROM orders) and run it.');
  if (statements.length > 1) {
    throw queryError(
      'QUERY_MULTIPLE_STATEMENTS',
      `The text holds ${statements.length} statements; run them one at a time (select the statement, or put the cursor in it, and press Ctrl+Enter).`,
    );
  }
  return sql.trim().replace(/;+\s*$/, '');
}

/** PostgreSQL can read these through a cursor, which stops after the row cap instead of reading everything. */
export function isCursorable(sql: string): boolean {
  const first = firstKeyword(maskSql(sql).trim());
  return first === 'SELECT' || first === 'WITH' || first === 'VALUES' || first === 'TABLE';
}
