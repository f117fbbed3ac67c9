import { createHash } from 'node:crypto';
import type { FieldSchema, FieldValue } from '../../../model';
import type { CopyIn, StagedStatement } from '../../../db/session';
import type { DriverValue, SqlStatement, TableDescription, ValueOptions } from './dialect';
import { dayText, formatOffset, MS_PER_DAY, zoneOffsetMs } from './values';
import type { StatementContext } from './generic';

/**
 * Batches of at least this many rows load by COPY; smaller ones keep the unnest form, which takes one round trip
 * instead of two (COPY, then the INSERT reading the staging table). Measured on the lab (bench-shaped upserts, same
 * session, alternating, load 16-18): at 200-1000 rows neither the server's CPU nor the wall time per batch was better
 * staged; from 2,000 rows the server spent 6.1-6.3 µs a row instead of 8.1-8.2, in the same or less wall time.
 */
export const STAGED_MIN_ROWS = 1000;

/** What `render` decided for one statement, until `build` attaches it to the statement. */
interface Plan {
  /** The INSERT … SELECT the statement's text starts with (an upsert appends its ON CONFLICT clause). */
  insert: string;
  copyIn: CopyIn;
}

/**
 * Writes the COPY text of one field's values that are not null into the payload: `copyField` of the dialect's
 * conversion (GenericSqlDialect.convert), the same text and the same refusals, errors naming the field.
 */
export type CopyWrite = (value: FieldValue, out: CopyBytes) => void;
export type CopyText = (field: FieldSchema) => CopyWrite;

/**
 * PostgreSQL inserts and upserts of many rows through a staging table: the rows go by COPY (text format) into a
 * temporary table of the session made for the target and column set, and one `INSERT INTO t (…) SELECT … FROM
 * pg_temp.<staging> [ON CONFLICT …]` applies them. Measured on the lab (5,000-row batches of the bench's 15-column
 * orders, backend CPU from /proc): 4.6–4.8 µs per row into an empty table and 6.3–6.8 when every row updates, against
 * 8.5 and 10.4 for `unnest` of one array per column. In bench:pipeline (300,000 rows, log capture, A/B alternated at
 * load 20-28), the sink's backend spent 4.8-5.4 µs a row instead of 6.7-7.1, and Ferry's sink thread 16-18 instead
 * of 23.5-26.6.
 *
 * The staging table holds the target's column types with their modifiers (from the description the writer read), no
 * constraints and no defaults, so a refused value fails as it would in the INSERT (the same input function, the same
 * length and precision checks), NOT NULL and key conflicts are the target's own, and the name hashes the target and
 * its columns' names and types: another target, an added column or a re-created table with other types gets a table
 * of its own. ON COMMIT DELETE ROWS empties it at each commit; the session (db/postgres/staging.ts) creates it on
 * first use per connection, again after a rollback could have undone that, and empties it before a second COPY in
 * one transaction.
 */
export class PostgresStaging {
  private pending: Plan[] = [];
  private copyText: CopyText | undefined;
  private disabled = false;

  /** From now on every statement keeps the unnest form; true when staging was in use until now. */
  disable(): boolean {
    const was = !this.disabled;
    this.disabled = true;
    return was;
  }

  /**
   * The INSERT … SELECT reading the staging table, or undefined when this statement keeps the unnest form. The rows
   * become COPY text here, each value through the dialect's own conversion (the same values and refusals, errors
   * naming the field, as every other form); a missing key goes through `context.bind`, which refuses it as always.
   * Writing the text directly rather than binding every value first keeps Ferry's side of a row at about what the
   * unnest form costs it.
   */
  render(context: StatementContext, fields: readonly FieldSchema[], columnList: string, quoted: boolean): string | undefined {
    const copyText = this.copyText;
    if (!copyText || this.disabled || context.rows.length < STAGED_MIN_ROWS) return undefined;
    const types = columnTypes(context.existing, fields, quoted);
    if (!types) return undefined;
    const isKey = fields.map((field) => context.keyFields.includes(field));
    const writes = fields.map(copyText);
    const out = new CopyBytes(context.rows.length * fields.length * 12);
    for (const row of context.rows) {
      for (let index = 0; index < fields.length; index++) {
        const field = fields[index] as FieldSchema;
        const raw = row[field.name];
        if (index > 0) out.byte(TAB);
        if (raw === undefined || raw === null) {
          if (isKey[index]) context.bind(row, field);
          out.text('\\N');
        } else {
          (writes[index] as CopyWrite)(raw, out);
        }
      }
      out.byte(NEWLINE);
    }
    const data = out.bytes();
    const definitions = fields.map((field, index) => `${context.column(field)} ${types[index] as string}`);
    const name = `ferry_stage_${createHash('sha1').update([context.table, ...definitions].join('\n')).digest('hex').slice(0, 24)}`;
    const table = `pg_temp.${name}`;
    const insert = `INSERT INTO ${context.table} (${columnList}) SELECT ${columnList} FROM ${table}`;
    const create = `CREATE TEMP TABLE IF NOT EXISTS ${name} (${definitions.join(', ')}) ON COMMIT DELETE ROWS`;
    this.pending.push({ insert, copyIn: { table, create, copy: `COPY ${table} FROM STDIN`, data } });
    return insert;
  }

  /**
   * Runs a dialect's statement builder with `copyText` for `render`, and gives each statement `render` staged its COPY
   * rows: no parameters, a text the session prepares once per connection.
   */
  build(copyText: CopyText, build: () => SqlStatement[]): SqlStatement[] {
    this.pending = [];
    this.copyText = copyText;
    try {
      const statements = build();
      return this.pending.length === 0 ? statements : statements.map((statement) => this.attach(statement));
    } finally {
      this.pending = [];
      this.copyText = undefined;
    }
  }

  private attach(statement: SqlStatement): SqlStatement {
    const plan = this.pending[0];
    if (!plan || !statement.sql.startsWith(plan.insert)) return statement;
    this.pending.shift();
    const staged: StagedStatement = { sql: statement.sql, params: [], reusable: true, copyIn: plan.copyIn };
    return staged;
  }
}

/**
 * Each field's column type as the catalog prints it, modifiers included (`character varying(3)`, `numeric(10,2)`,
 * a schema-qualified enum); undefined when a column is unknown or an array, as for the unnest form.
 */
function columnTypes(existing: TableDescription | undefined, fields: readonly FieldSchema[], quoted: boolean): string[] | undefined {
  if (!existing) return undefined;
  const types: string[] = [];
  for (const field of fields) {
    const name = quoted ? field.name : field.name.toLowerCase();
    const column = existing.columns.find((candidate) => candidate.name === name) ?? existing.columns.find((candidate) => candidate.name.toLowerCase() === field.name.toLowerCase());
    if (!column || column.type === '' || column.baseType === '' || column.baseType.endsWith('[]')) return undefined;
    types.push(column.type);
  }
  return types;
}

const TAB = 0x09;
const NEWLINE = 0x0a;
const BACKSLASH = 0x5c;
const CARRIAGE_RETURN = 0x0d;
const ZERO = 0x30;

/**
 * COPY's payload, written field by field into the bytes that go to the server: digits, dates and clocks as bytes
 * computed in place, ASCII text copied a character at a time, and only other text (non-ASCII, or holding a character
 * COPY escapes) through a UTF-8 write of its escaped text. Appending every field to one string for the whole batch
 * left a rope of two nodes per field that survived young collections; a string per line (the next form) still cost a
 * `\t${text}` string per field, a rope per line and its flattening, and a text per number and timestamp, all garbage
 * the sink thread collected while its chunk's rows waited for the target. The bytes are the same UTF-8 the joined
 * text made (a surrogate pair never straddles a field; a lone one becomes U+FFFD either way).
 */
export class CopyBytes {
  private buffer: Buffer;
  private length = 0;

  constructor(estimate: number) {
    this.buffer = Buffer.allocUnsafe(Math.max(estimate, 4096));
  }

  private reserve(bytes: number): void {
    const needed = this.length + bytes;
    if (needed <= this.buffer.length) return;
    const grown = Buffer.allocUnsafe(Math.max(needed, this.buffer.length * 2));
    this.buffer.copy(grown, 0, 0, this.length);
    this.buffer = grown;
  }

  byte(code: number): void {
    this.reserve(1);
    this.buffer[this.length++] = code;
  }

  /** Text already in COPY form (escaped), written as UTF-8. */
  text(text: string): void {
    // UTF-8 takes at most 3 bytes per UTF-16 unit (a surrogate pair: 4 for 2).
    this.reserve(text.length * 3);
    const buffer = this.buffer;
    const start = this.length;
    let at = start;
    for (let index = 0; index < text.length; index++) {
      const code = text.charCodeAt(index);
      if (code >= 0x80) {
        this.length = start + buffer.write(text, start);
        return;
      }
      buffer[at++] = code;
    }
    this.length = at;
  }

  /** A string as a COPY field: COPY's escapes applied (copyField), written as UTF-8. */
  escaped(value: string): void {
    this.reserve(value.length * 3);
    const buffer = this.buffer;
    const start = this.length;
    let at = start;
    for (let index = 0; index < value.length; index++) {
      const code = value.charCodeAt(index);
      if (code >= 0x80 || code === BACKSLASH || code === TAB || code === NEWLINE || code === CARRIAGE_RETURN) {
        this.length = start;
        this.text(copyField(value));
        return;
      }
      buffer[at++] = code;
    }
    this.length = at;
  }

  /** A safe integer's decimal digits, as String(value) writes them. */
  integer(value: number): void {
    if (value < 0 || value > 0xffff_ffff || !Number.isInteger(value)) {
      this.text(String(value));
      return;
    }
    this.reserve(10);
    const buffer = this.buffer;
    let digits = 1;
    for (let rest = value; rest >= 10; rest = Math.floor(rest / 10)) digits++;
    let at = this.length + digits;
    this.length = at;
    let rest = value;
    do {
      const next = Math.floor(rest / 10);
      buffer[--at] = ZERO + rest - next * 10;
      rest = next;
    } while (rest > 0);
  }

  /**
   * A timestamp as PostgreSQL's `space-offset` text (epochMsTimestampString): `YYYY-MM-DD HH:MM:SS.mmm+HH:MM` of
   * the wall clock in db.timezone, the day's text from the same cache, years outside 1..9999 refused alike.
   */
  timestamp(epochMs: number, options: ValueOptions | undefined): void {
    const offsetMs = zoneOffsetMs(epochMs, options);
    const wallMs = epochMs + offsetMs;
    const days = Math.floor(wallMs / MS_PER_DAY);
    this.text(dayText(days));
    const msOfDay = wallMs - days * MS_PER_DAY;
    const seconds = Math.floor(msOfDay / 1000);
    const minutes = Math.floor(seconds / 60);
    const hours = Math.floor(minutes / 60);
    this.reserve(13);
    const buffer = this.buffer;
    let at = this.length;
    buffer[at++] = 0x20;
    at = twoDigits(buffer, at, hours);
    buffer[at++] = 0x3a;
    at = twoDigits(buffer, at, minutes - hours * 60);
    buffer[at++] = 0x3a;
    at = twoDigits(buffer, at, seconds - minutes * 60);
    buffer[at++] = 0x2e;
    const millis = msOfDay - seconds * 1000;
    const hundreds = Math.floor(millis / 100);
    buffer[at++] = ZERO + hundreds;
    this.length = twoDigits(buffer, at, millis - hundreds * 100);
    this.text(offsetMs === 0 ? '+00:00' : formatOffset(offsetMs / 60_000));
  }

  bytes(): Buffer {
    return this.buffer.subarray(0, this.length);
  }
}

function twoDigits(buffer: Buffer, at: number, value: number): number {
  const tens = Math.floor(value / 10);
  buffer[at] = ZERO + tens;
  buffer[at + 1] = ZERO + value - tens * 10;
  return at + 2;
}

const COPY_SPECIAL = /[\\\t\n\r]/;
const COPY_SPECIALS = /[\\\t\n\r]/g;
const COPY_ESCAPE: Readonly<Record<string, string>> = { '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r' };

/**
 * One value as a field of COPY's text format: NULL as `\N`; backslash, tab, newline and carriage return escaped (an
 * empty string stays empty, so it is not NULL, and a text `\N` arrives as the two characters); bytes as bytea's hex
 * text with its backslash escaped. Every value is the same text the unnest form's array elements carry, so each
 * column's input function reads exactly what it reads there.
 */
export function copyField(value: DriverValue): string {
  if (value === null) return '\\N';
  switch (typeof value) {
    case 'string':
      return COPY_SPECIAL.test(value) ? value.replace(COPY_SPECIALS, (special) => COPY_ESCAPE[special] as string) : value;
    case 'number':
    case 'bigint':
    case 'boolean':
      return String(value);
    default:
      return `\\\\x${value.toString('hex')}`;
  }
}
