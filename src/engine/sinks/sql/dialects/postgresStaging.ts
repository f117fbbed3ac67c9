import { createHash } from 'node:crypto';
import type { FieldSchema, FieldValue } from '../../../model';
import type { CopyIn, StagedStatement } from '../../../db/session';
import type { DriverValue, SqlStatement, TableDescription } from './dialect';
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
 * The COPY text of one field's values that are not null: `copyField` of the dialect's conversion (GenericSqlDialect.convert),
 * the same text and the same refusals, errors naming the field.
 */
export type CopyText = (field: FieldSchema) => (value: FieldValue) => string;

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
    const texts = fields.map(copyText);
    const out = new CopyBytes(context.rows.length * fields.length * 12);
    for (const row of context.rows) {
      let line = '';
      for (let index = 0; index < fields.length; index++) {
        const field = fields[index] as FieldSchema;
        const raw = row[field.name];
        let text: string;
        if (raw === undefined || raw === null) {
          if (isKey[index]) context.bind(row, field);
          text = '\\N';
        } else {
          text = (texts[index] as (value: FieldValue) => string)(raw);
        }
        line += index === 0 ? text : `\t${text}`;
      }
      out.line(line);
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

/**
 * COPY's payload, written one line at a time into the bytes that go to the server. Appending every field to one string
 * for the whole batch left a rope of two nodes per field that lived until the batch was sent (so it survived young
 * collections and was copied out of them), and then had to be flattened and encoded as a whole: in the pipeline
 * bench's sink profile that was a twentieth of the thread's busy time plus a share of its GC. A line's string now dies
 * as soon as its bytes are written (micro-bench of 5,000 15-field rows: 2.7-3.7 → 0.9-1.1 µs a row). Each line is
 * encoded whole, as the batch's string was, so the bytes are the same UTF-8 (a surrogate pair never straddles a write).
 */
class CopyBytes {
  private buffer: Buffer;
  private length = 0;

  constructor(estimate: number) {
    this.buffer = Buffer.allocUnsafe(Math.max(estimate, 4096));
  }

  line(text: string): void {
    // UTF-8 takes at most 3 bytes per UTF-16 unit (a surrogate pair: 4 for 2), and one for the newline.
    const needed = this.length + text.length * 3 + 1;
    if (needed > this.buffer.length) {
      const grown = Buffer.allocUnsafe(Math.max(needed, this.buffer.length * 2));
      this.buffer.copy(grown, 0, 0, this.length);
      this.buffer = grown;
    }
    this.length += this.buffer.write(text, this.length);
    this.buffer[this.length++] = 0x0a;
  }

  bytes(): Buffer {
    return this.buffer.subarray(0, this.length);
  }
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
