import type { QueryColumn, QueryDatabase, QueryValue } from '../../../../shared/api';

/**
 * The statement Ctrl+Enter runs: the selection when there is one, else the statement the cursor is in (statements
 * end at top-level semicolons; quotes and comments are respected), as DB clients do.
 */
export function statementAt(text: string, cursor: number): string {
  const bounds: number[] = [];
  let quote: string | undefined;
  for (let index = 0; index < text.length; index++) {
    const char = text[index];
    if (quote) {
      if (char === quote) quote = undefined;
      continue;
    }
    if (char === "'" || char === '"' || char === '`') quote = char;
    else if (char === '-' && text[index + 1] === '-') {
      const end = text.indexOf('\n', index);
      index = end < 0 ? text.length : end;
    } else if (char === '/' && text[index + 1] === '*') {
      const end = text.indexOf('*/', index + 2);
      index = end < 0 ? text.length : end + 1;
    } else if (char === ';') bounds.push(index);
  }
  let start = 0;
  for (const bound of bounds) {
    if (bound >= cursor) {
      const piece = text.slice(start, bound).trim();
      // The cursor just after a semicolon on a blank tail belongs to the statement before it.
      if (piece !== '') return piece;
    }
    if (bound < cursor) start = bound + 1;
  }
  const tail = text.slice(start).trim();
  if (tail !== '') return tail;
  const previousEnd = bounds.filter((bound) => bound < cursor).pop();
  if (previousEnd === undefined) return '';
  const previousStart = bounds.filter((bound) => bound < previousEnd).pop();
  return text.slice(previousStart === undefined ? 0 : previousStart + 1, previousEnd).trim();
}

/** A cell as text for copying and CSV (null as empty in CSV, `NULL` when copied alone). */
export function cellText(value: QueryValue): string {
  return value === null ? '' : String(value);
}

/**
 * Spreadsheets run a cell that starts with = + - @ (or a tab or CR before one) as a formula, so a value stored in a
 * database (`=HYPERLINK(…)`, `=cmd|' /C calc'!A0`) would run on the machine of whoever opens the export. Such cells get
 * a leading ' (shown as text, not evaluated) and are quoted, as OWASP's CSV-injection advice says. A plain number
 * (`-5`, `-12.50`, `+1e3`, decimals arrive as text) is not a formula and stays as it is.
 */
const FORMULA_START = /^[=+\-@\t\r]/;
const PLAIN_NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i;

export function csvField(text: string): string {
  const safe = FORMULA_START.test(text) && !PLAIN_NUMBER.test(text) ? `'${text}` : text;
  return safe !== text || /[",\n\r]/.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
}

export function toCsv(columns: readonly QueryColumn[], rows: readonly QueryValue[][]): string {
  const lines = [columns.map((column) => csvField(column.name)).join(',')];
  for (const row of rows) lines.push(row.map((value) => csvField(cellText(value))).join(','));
  return `${lines.join('\r\n')}\r\n`;
}

/** Rows as objects; a repeated column name gets a suffix so nothing is lost (`id`, `id_2`). */
export function toJson(columns: readonly QueryColumn[], rows: readonly QueryValue[][]): string {
  const names = uniqueNames(columns.map((column) => column.name));
  return JSON.stringify(rows.map((row) => Object.fromEntries(names.map((name, index) => [name, row[index] ?? null]))), null, 2);
}

export function uniqueNames(names: readonly string[]): string[] {
  const seen = new Map<string, number>();
  return names.map((name) => {
    const count = (seen.get(name) ?? 0) + 1;
    seen.set(name, count);
    return count === 1 ? name : `${name}_${count}`;
  });
}

/** Tab-separated row, the format spreadsheets paste. */
export function rowAsTsv(row: readonly QueryValue[]): string {
  return row.map((value) => cellText(value).replace(/[\t\n]/g, ' ')).join('\t');
}

/** The first table after FROM in a statement (`orders`, `shop.orders`, quotes removed), for Trace and Compare. */
export function tableOfSql(sql: string): string | undefined {
  // A part is a bare name or a quoted one (which may hold anything but its quote: hyphens, spaces, dots).
  const part = '(?:"(?:[^"]|"")+"|`(?:[^`]|``)+`|\\[(?:[^\\]]|\\]\\])+\\]|[\\w$]+)';
  const match = new RegExp(`\\bfrom\\s+(${part}(?:\\s*\\.\\s*${part})?)`, 'i').exec(sql);
  if (!match?.[1]) return undefined;
  const parts = match[1].match(new RegExp(part, 'g')) ?? [];
  return parts.map((name) => (/^["`[]/.test(name) ? name.slice(1, -1).replace(/""/g, '"').replace(/``/g, '`').replace(/\]\]/g, ']') : name)).join('.');
}

/** A result row as column → value, for Trace (the engine picks the key columns out of it). */
export function rowObject(columns: readonly QueryColumn[], row: readonly QueryValue[]): Record<string, QueryValue> {
  const out: Record<string, QueryValue> = {};
  columns.forEach((column, index) => {
    if (!(column.name in out)) out[column.name] = row[index] ?? null;
  });
  return out;
}

/**
 * Which pipeline and source table a row of a result belongs to: a source connector's table directly, a sink's
 * table through its topic back to the source table that feeds it.
 */
export function traceTargetOf(database: QueryDatabase | undefined, databases: readonly QueryDatabase[], table: string | undefined): { pipeline: string; table: string } | undefined {
  if (!database?.pipeline || !table) return undefined;
  const bare = (name: string): string => name.split('.').pop()?.toLowerCase() ?? '';
  const same = (a: string, b: string): boolean => a.toLowerCase() === b.toLowerCase() || bare(a) === bare(b);
  if (database.role === 'source') {
    const entry = database.tables?.find((candidate) => same(candidate.table, table));
    return { pipeline: database.pipeline, table: entry?.table ?? table };
  }
  const topic = database.tables?.find((candidate) => same(candidate.table, table))?.topic;
  if (!topic) return undefined;
  const source = databases.find((candidate) => candidate.pipeline === database.pipeline && candidate.role === 'source' && candidate.tables?.some((entry) => entry.topic === topic));
  const entry = source?.tables?.find((candidate) => candidate.topic === topic);
  return entry ? { pipeline: database.pipeline, table: entry.table } : undefined;
}

/** The table a pipeline's sink writes for a source table (through the topic), for Compare's target. */
export function targetTableFor(source: QueryDatabase | undefined, target: QueryDatabase | undefined, table: string): string | undefined {
  const topic = source?.tables?.find((entry) => entry.table.toLowerCase() === table.toLowerCase() || entry.table.split('.').pop() === table)?.topic;
  return topic ? target?.tables?.find((entry) => entry.topic === topic)?.table : undefined;
}

export function downloadText(fileName: string, text: string, type: string): void {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const link = document.createElement('a');
  link.href = url;
  link.download = fileName;
  link.click();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}
