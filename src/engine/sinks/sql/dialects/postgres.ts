import type { FieldSchema, FieldType, Row, TableId } from '../../../model';
import type { DialectLimits, DialectOptions, DriverParam, DriverValue, SqlStatement, TableDescription, TableKind, ValueOptions, WriteBatch } from './dialect';
import { GenericSqlDialect, type StatementContext, type StatementKind, type ValueProfile } from './generic';
import { quotePostgresIdentifier } from '../../../db/postgres/identifiers';
import { copyField, type CopyWrite, PostgresStaging } from './postgresStaging';
import { dateString, dateValue, decimalString, epochMsTimestampString, int64Value, smallIntegerValue, timestampEpochMs } from './values';

const MIN_SAFE_BIGINT = BigInt(Number.MIN_SAFE_INTEGER);
const MAX_SAFE_BIGINT = BigInt(Number.MAX_SAFE_INTEGER);

/** Beyond 1000 digits PostgreSQL only has the unconstrained NUMERIC. */
const MAX_PRECISION = 1000;

/** Rows per columnar INSERT: one statement per sink batch in practice, bounded so one statement's arrays stay small. */
const COLUMNAR_MAX_ROWS = 10_000;

/**
 * Base types whose name without modifiers means something narrower than the column: `character` alone is char(1)
 * and `bit` alone is bit(1), so an array cast to them would truncate. Their unbounded relatives let the assignment to
 * the column apply its own length check, as an INSERT … VALUES would.
 */
const UNBOUNDED_ELEMENT_TYPE: Readonly<Record<string, string>> = { character: 'bpchar', bit: 'varbit', '"char"': 'text' };

/**
 * PostgreSQL. Parameters (`$n`) reach the server untyped, so in INSERT, ON CONFLICT, UPDATE … WHERE and row-IN the
 * server infers each from the column it meets; only the VALUES list of a multi-row UPDATE has no column to infer from,
 * and gets explicit casts (see renderUpdate).
 */
export class PostgresDialect extends GenericSqlDialect {
  readonly name = 'postgres';
  readonly placeholderStyle = 'dollar';
  /** 65535: the Bind message counts parameters in 16 bits. Identifiers: NAMEDATALEN-1 bytes, silently cut beyond. */
  readonly limits: DialectLimits = { maxParameters: 65_535, maxRows: 1000, maxIdentifierLength: 63, identifierLengthUnit: 'bytes' };
  protected readonly nameQuotes = [['"', '"']] as const;
  protected readonly valueProfile: ValueProfile = { int64: 'string', nonFiniteFloats: true, timestamp: 'space-offset', rejectNul: true };

  private readonly staging = new PostgresStaging();

  constructor(options: DialectOptions = {}) {
    super({ ...options, defaultSchema: options.defaultSchema ?? 'public' });
  }

  /** Staged statements (postgresStaging.ts) write their COPY rows through this dialect's conversion. */
  override buildInsert(batch: WriteBatch, values?: ValueOptions): SqlStatement[] {
    return this.staging.build((field) => this.copyText(field, values), () => super.buildInsert(batch, values));
  }

  override buildUpsert(batch: WriteBatch, values?: ValueOptions): SqlStatement[] {
    return this.staging.build((field) => this.copyText(field, values), () => super.buildUpsert(batch, values));
  }

  /**
   * Writes the COPY text of a field's non-null values: `copyField(convert(…))`, with `convert`'s dispatch on the
   * field's kind made once per field rather than per value. Each kind calls the same check or format `convert` calls
   * (so the same values pass, and a refused one fails with the same error naming the field) and writes its text as
   * bytes where it cannot hold a character `copyField` escapes (integers, decimals, dates and timestamps). Text keeps
   * `convert`'s own path for anything but a string without NUL; every other kind goes through `convert` and
   * `copyField` as they are.
   */
  private copyText(field: FieldSchema, values: ValueOptions | undefined): CopyWrite {
    const { type, name } = field;
    const profile = this.valueProfile;
    const converted: CopyWrite = (value, out) => out.text(copyField(this.convert(value, type, name, values)));
    switch (type.kind) {
      case 'int8':
      case 'int16':
      case 'int32':
        return (value, out) => out.integer(smallIntegerValue(value, type, name));
      case 'int64':
        return (value, out) => {
          // A safe integer's digits straight into the bytes; beyond, bigint's own text (int64Value refuses the rest).
          if (typeof value === 'bigint' && value >= MIN_SAFE_BIGINT && value <= MAX_SAFE_BIGINT) out.integer(Number(value));
          else out.text(int64Value(value, type, name).toString());
        };
      case 'string':
        return profile.rejectNul ? (value, out) => (typeof value === 'string' && !value.includes('\u0000') ? out.escaped(value) : converted(value, out)) : converted;
      case 'decimal':
        return (value, out) => out.text(decimalString(value, type, name));
      case 'date':
        return (value, out) => out.text(dateString(dateValue(value, type, name), values));
      case 'timestamp':
        if (profile.timestamp === 'space-offset') return (value, out) => out.timestamp(timestampEpochMs(value, type, name), values);
        return (value, out) => out.text(epochMsTimestampString(timestampEpochMs(value, type, name), values, profile.timestamp));
      default:
        return converted;
    }
  }

  disableStaging(): boolean {
    return this.staging.disable();
  }

  protected quoteAlways(name: string): string {
    return quotePostgresIdentifier(name);
  }

  protected placeholder(index: number): string {
    return `$${index}`;
  }

  /**
   * Connect's PostgreSQL map (reference §2.4), except that decimals keep the schema's precision and scale
   * (`NUMERIC(p,s)`, unconstrained beyond 1000 digits) and time/timestamp say their millisecond precision.
   * Timestamps are `TIMESTAMP(3)` (without time zone), not `TIMESTAMPTZ`: Connect's contract is "the wall-clock time
   * in db.timezone, in a zone-less column", which is what the same pipeline writes on MySQL and SQL Server and what
   * Verify compares against zone-less sources. A user who wants instants can create a TIMESTAMPTZ column: the bound
   * text carries its offset, so such a column still receives the exact instant.
   */
  columnType(type: FieldType, _isKey: boolean): string {
    switch (type.kind) {
      case 'int8':
      case 'int16':
        return 'SMALLINT';
      case 'int32':
        return 'INT';
      case 'int64':
        return 'BIGINT';
      case 'float32':
        return 'REAL';
      case 'float64':
        return 'DOUBLE PRECISION';
      case 'boolean':
        return 'BOOLEAN';
      // TEXT and BYTEA index fine (btree, up to ~2.7 KB per entry), so keys need no special type.
      case 'string':
        return 'TEXT';
      case 'bytes':
        return 'BYTEA';
      case 'decimal':
        return Number.isInteger(type.precision) && Number.isInteger(type.scale) && type.precision >= 1 && type.precision <= MAX_PRECISION && type.scale >= 0 && type.scale <= type.precision
          ? `NUMERIC(${type.precision},${type.scale})`
          : 'NUMERIC';
      case 'date':
        return 'DATE';
      case 'time':
        return 'TIME(3)';
      case 'timestamp':
        return 'TIMESTAMP(3)';
    }
  }

  /** The type a VALUES-list parameter is cast to when the table's own column type is not known: no modifiers, so a cast never rounds or truncates. */
  castType(type: FieldType): string {
    switch (type.kind) {
      case 'decimal':
        return 'NUMERIC';
      case 'time':
        return 'TIME';
      case 'timestamp':
        return 'TIMESTAMP';
      default:
        return this.columnType(type, false);
    }
  }

  protected stringLiteral(text: string): string {
    // standard_conforming_strings is on by default since 9.1: only the quote needs doubling.
    return `'${text.replaceAll("'", "''")}'`;
  }

  protected bytesLiteral(bytes: Buffer): string {
    return `'\\x${bytes.toString('hex')}'`;
  }

  protected booleanLiteral(value: boolean): string {
    return value ? 'TRUE' : 'FALSE';
  }

  /**
   * Inserts and upserts of many rows bind one array per column and read them back with `unnest`: the statement text no
   * longer depends on the row count, so it is parsed and planned once per connection instead of once per batch, and
   * PostgreSQL reads 15 arrays instead of 75,000 parameters. Measured on the lab (5,000-row batches, 15 columns):
   * 8.5 µs per upserted row instead of 25. Batches of 1,000 rows and more go by COPY into a staging table
   * instead (postgresStaging.ts: 4.7 µs), where the same columns qualify.
   */
  protected renderInsert(context: StatementContext): string {
    const fields = [...context.keyFields, ...context.valueFields];
    const elementTypes = context.rows.length > 1 ? columnarElementTypes(context.existing, fields, this.quote) : undefined;
    if (elementTypes) {
      const staged = this.staging.render(context, fields, this.columnList(fields), this.quote);
      if (staged) return staged;
      const arrays = fields.map((field, index) => `${context.bindColumn(field)}::${elementTypes[index]}[]`);
      return `INSERT INTO ${context.table} (${this.columnList(fields)}) SELECT * FROM unnest(${arrays.join(', ')})`;
    }
    return `INSERT INTO ${context.table} (${this.columnList(fields)}) VALUES ${this.valuesRows(context, fields)}`;
  }

  protected override rowsPerStatement(kind: StatementKind, batch: WriteBatch, columnCount: number): number {
    const fields = [...batch.keyFields, ...batch.valueFields];
    if ((kind === 'insert' || kind === 'upsert') && columnarElementTypes(batch.existing, fields, this.quote)) return COLUMNAR_MAX_ROWS;
    return super.rowsPerStatement(kind, batch, columnCount);
  }

  /**
   * The column as PostgreSQL array text, built here rather than by pg (which escapes every element with two regular
   * expressions: a fifth of the sink thread's CPU in the pipeline bench). The text is what pg's arrayString writes for
   * the same driver values, byte for byte (postgres.test compares them), so the server reads exactly the same.
   */
  protected override columnParam(rows: readonly Row[], field: FieldSchema, driverValue: (row: Row, field: FieldSchema) => DriverValue): DriverParam {
    // Joined once rather than appended to: thousands of `+=` leave as many rope nodes for the collector, and pg
    // flattens the rope again to write it (micro-bench of the bench's 15-column rows: 2.4 → 2.0 µs a row).
    const elements = new Array<string>(rows.length);
    for (let index = 0; index < rows.length; index++) elements[index] = postgresArrayElement(driverValue(rows[index] as Row, field));
    return `{${elements.join(',')}}`;
  }

  /** ON CONFLICT needs a unique constraint exactly on the key columns (the primary key auto.create makes). */
  protected renderUpsert(context: StatementContext): string {
    const conflict = `ON CONFLICT (${this.columnList(context.keyFields)})`;
    const action =
      context.valueFields.length === 0
        ? 'DO NOTHING'
        : `DO UPDATE SET ${context.valueFields.map((field) => `${context.column(field)} = EXCLUDED.${context.column(field)}`).join(', ')}`;
    return `${this.renderInsert(context)} ${conflict} ${action}`;
  }

  /**
   * Many rows: `UPDATE … FROM (VALUES …) AS incoming(…)`. A VALUES list types its columns from its own contents, so
   * untyped parameters would all become text and `target.id = incoming.id` would fail (integer = text). The first
   * row's parameters are cast — to the column's real type when the batch carries the table's description (so a
   * TIMESTAMPTZ, uuid or enum column works), else to the type auto.create would have used — and the other rows follow.
   */
  protected renderUpdate(context: StatementContext): string {
    if (context.rows.length === 1) return this.singleRowUpdate(context);
    const fields = [...context.keyFields, ...context.valueFields];
    const casts = fields.map((field) => this.existingBaseType(context, field) ?? this.castType(field.type));
    const rows = context.rows.map(
      (row, index) => `(${fields.map((field, position) => (index === 0 ? `${context.bind(row, field)}::${casts[position]}` : context.bind(row, field))).join(', ')})`,
    );
    const sets = context.valueFields.map((field) => `${context.column(field)} = incoming.${context.column(field)}`).join(', ');
    const where = context.keyFields.map((field) => `target.${context.column(field)} = incoming.${context.column(field)}`).join(' AND ');
    return `UPDATE ${context.table} AS target SET ${sets} FROM (VALUES ${rows.join(', ')}) AS incoming (${this.columnList(fields)}) WHERE ${where}`;
  }

  private existingBaseType(context: StatementContext, field: FieldSchema): string | undefined {
    const columns = context.existing?.columns;
    if (!columns) return undefined;
    const exact = columns.find((column) => column.name === (this.quote ? field.name : field.name.toLowerCase()));
    return (exact ?? columns.find((column) => column.name.toLowerCase() === field.name.toLowerCase()))?.baseType;
  }

  /** Composite keys as a row-value IN, which the planner turns into index lookups like an OR of matches. */
  protected renderDelete(context: StatementContext): string {
    return this.deleteByKeys(context, (ctx) => {
      const tuples = ctx.rows.map((row) => `(${ctx.keyFields.map((field) => ctx.bind(row, field)).join(', ')})`);
      return `(${this.columnList(ctx.keyFields)}) IN (${tuples.join(', ')})`;
    });
  }

  protected renderAddColumns(table: string, specs: readonly string[]): string {
    return `ALTER TABLE ${table} ${specs.map((spec) => `ADD ${spec}`).join(', ')}`;
  }

  /**
   * From the catalogs rather than information_schema, which hides tables the user cannot write and has no single
   * place for "part of the primary key". Unquoted names are folded to lower case by PostgreSQL, so with
   * quote.sql.identifiers=never the lookup folds them too.
   */
  describeTableQuery(table: TableId): SqlStatement {
    const fold = (name: string | undefined) => (name === undefined || this.quote ? name : name.toLowerCase());
    const sql = [
      'SELECT a.attname AS column_name, pg_catalog.format_type(a.atttypid, a.atttypmod) AS data_type,',
      '  pg_catalog.format_type(a.atttypid, NULL) AS base_type, NOT a.attnotnull AS is_nullable,',
      '  COALESCE(a.attnum = ANY (i.indkey), false) AS is_key, c.relkind::text AS table_type',
      'FROM pg_catalog.pg_class c',
      'JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace',
      'JOIN pg_catalog.pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped',
      'LEFT JOIN pg_catalog.pg_index i ON i.indrelid = c.oid AND i.indisprimary',
      "WHERE n.nspname = COALESCE($1, current_schema()) AND c.relname = $2 AND c.relkind IN ('r', 'p', 'v', 'm', 'f')",
      'ORDER BY a.attnum',
    ].join('\n');
    return { sql, params: [fold(table.schema) ?? null, fold(table.table) as string] };
  }

  protected tableKind(raw: string): TableKind {
    if (raw === 'r') return 'TABLE';
    if (raw === 'p') return 'PARTITIONED TABLE';
    if (raw === 'v' || raw === 'm') return 'VIEW';
    return 'OTHER';
  }
}

/**
 * The array element type of each field for a columnar insert: the column's own base type (so a TIMESTAMPTZ, uuid, enum
 * or jsonb column receives its values exactly as the untyped parameters of VALUES would), without length or precision
 * modifiers (an explicit cast to `varchar(3)` would silently truncate where an INSERT reports the overflow). Undefined
 * when a column is unknown or is itself an array, which `unnest` would flatten: those batches keep the VALUES form.
 */
function columnarElementTypes(existing: TableDescription | undefined, fields: readonly FieldSchema[], quoted: boolean): string[] | undefined {
  if (!existing) return undefined;
  const types: string[] = [];
  for (const field of fields) {
    const name = quoted ? field.name : field.name.toLowerCase();
    const column = existing.columns.find((candidate) => candidate.name === name) ?? existing.columns.find((candidate) => candidate.name.toLowerCase() === field.name.toLowerCase());
    if (!column || column.baseType.endsWith('[]') || column.baseType === '') return undefined;
    types.push(UNBOUNDED_ELEMENT_TYPE[column.baseType] ?? column.baseType);
  }
  return types;
}

const NEEDS_ESCAPE = /["\\]/;

/**
 * One element of a PostgreSQL array literal, as pg's arrayString writes it: NULL bare, bytes as `\\x<hex>`, every
 * other value as its text in double quotes with `"` and `\` escaped (only strings can hold them).
 */
export function postgresArrayElement(value: DriverValue): string {
  if (value === null) return 'NULL';
  switch (typeof value) {
    case 'string':
      return NEEDS_ESCAPE.test(value) ? `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"` : `"${value}"`;
    case 'number':
    case 'bigint':
    case 'boolean':
      return `"${String(value)}"`;
    default:
      return `\\\\x${value.toString('hex')}`;
  }
}
