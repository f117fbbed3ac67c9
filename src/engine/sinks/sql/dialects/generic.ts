import { type FieldSchema, type FieldType, type FieldValue, type Row, type TableId, tableIdToString } from '../../../model';
import { collapseByKey } from './collapse';
import type {
  ColumnDescription,
  DialectLimits,
  DialectName,
  DialectOptions,
  DriverParam,
  DriverValue,
  PlaceholderStyle,
  SqlDialect,
  SqlServerParamType,
  SqlStatement,
  TableDescription,
  TableKind,
  ValueOptions,
  WriteBatch,
} from './dialect';
import { sqlDialectError } from './errors';
import { assertAddable } from './evolution';
import {
  badValue,
  bytesValue,
  dateString,
  dateValue,
  decimalString,
  epochMsTimestampString,
  int64Value,
  numberValue,
  smallIntegerValue,
  timeString,
  timestampEpochMs,
  type TimestampStyle,
} from './values';

/** How a dialect's driver wants the values whose JS form is a choice. */
export interface ValueProfile {
  /** int64 as a JS bigint (the driver writes it exactly) or as decimal text (the database converts it exactly). */
  int64: 'bigint' | 'string';
  /** Whether float NaN/±Infinity exist in the database (PostgreSQL only). */
  nonFiniteFloats: boolean;
  timestamp: TimestampStyle;
  /** PostgreSQL text cannot hold U+0000; failing here names the field instead of a driver's encoding error. */
  rejectNul: boolean;
}

export type StatementKind = 'insert' | 'upsert' | 'update' | 'delete';

/**
 * What a dialect's renderer gets for one statement. `bind` converts a row's field value, records it as the next
 * parameter and returns its placeholder, so a renderer that calls `bind` in the order it writes placeholders can
 * never get the parameter order wrong.
 */
export interface StatementContext {
  /** The quoted, qualified table name. */
  table: string;
  keyFields: readonly FieldSchema[];
  valueFields: readonly FieldSchema[];
  rows: readonly Row[];
  bind(row: Row, field: FieldSchema): string;
  /** Binds one field of every row as a single array parameter (PostgreSQL's `unnest`) and returns its placeholder. */
  bindColumn(field: FieldSchema): string;
  /** The quoted column name of a field. */
  column(field: FieldSchema): string;
  /** The batch's `existing` description, for renderers that must name real column types. */
  existing?: TableDescription;
}

/**
 * The parts every dialect shares: quoting switch, name parsing, validation, collapsing, chunking under the parameter
 * limit, and DDL scaffolding. Each database fills in what differs (quote characters, placeholders, type map, literal
 * syntax and the shape of each statement), the way Connect's GenericDatabaseDialect is specialised.
 */
/** What every dialect accepts unquoted: a letter or _ first, then letters, digits, _ or $ (Unicode letters included). */
const UNQUOTED_IDENTIFIER = /^[\p{L}_][\p{L}\p{N}_$]*$/u;

export abstract class GenericSqlDialect implements SqlDialect {
  abstract readonly name: DialectName;
  abstract readonly placeholderStyle: PlaceholderStyle;
  abstract readonly limits: DialectLimits;

  protected readonly quote: boolean;
  protected readonly options: DialectOptions;

  protected constructor(options: DialectOptions) {
    this.options = options;
    const mode = (options.quoteIdentifiers ?? 'always').toLowerCase();
    if (mode !== 'always' && mode !== 'never') {
      throw sqlDialectError('SINK_SQL_BAD_IDENTIFIER', `quote.sql.identifiers must be ALWAYS or NEVER, got "${options.quoteIdentifiers}".`);
    }
    this.quote = mode === 'always';
  }

  // --- hooks ---------------------------------------------------------------------------------------------------
  /** The identifier inside the dialect's quotes, with the closing quote character escaped. */
  protected abstract quoteAlways(name: string): string;
  /** The placeholder of the parameter at 1-based position `index`. */
  protected abstract placeholder(index: number): string;
  /** Quote pairs recognised when parsing a qualified name. */
  protected abstract readonly nameQuotes: readonly (readonly [open: string, close: string])[];
  abstract columnType(type: FieldType, isKey: boolean): string;
  protected abstract readonly valueProfile: ValueProfile;
  protected abstract stringLiteral(text: string): string;
  protected abstract bytesLiteral(bytes: Buffer): string;
  protected abstract booleanLiteral(value: boolean): string;
  protected abstract renderInsert(context: StatementContext): string;
  protected abstract renderUpsert(context: StatementContext): string;
  protected abstract renderUpdate(context: StatementContext): string;
  protected abstract renderDelete(context: StatementContext): string;
  /** The ALTER TABLE statement adding already rendered column specs. */
  protected abstract renderAddColumns(table: string, specs: readonly string[]): string;
  abstract describeTableQuery(table: TableId): SqlStatement;
  protected abstract tableKind(raw: string): TableKind;
  /** The text a key placeholder is compared through; MySQL casts decimals so they are not compared as doubles. */
  protected comparable(_field: FieldSchema, placeholder: string): string {
    return placeholder;
  }
  /**
   * Rows per statement for a batch. By default as many as the parameter limit allows; a dialect that binds a whole
   * column as one parameter (PostgreSQL's columnar insert) can carry far more.
   */
  protected rowsPerStatement(_kind: StatementKind, batch: WriteBatch, columnCount: number): number {
    void batch;
    return this.maxRowsPerStatement(columnCount);
  }
  /**
   * One field of every row as the single parameter `bindColumn` binds: the driver values as an array, which the
   * driver turns into the database's array form. A dialect may build that form itself (PostgreSQL's array text).
   */
  protected columnParam(rows: readonly Row[], field: FieldSchema, driverValue: (row: Row, field: FieldSchema) => DriverValue): DriverParam {
    return rows.map((row) => driverValue(row, field));
  }
  /** SQL Server declares parameter types; the other drivers infer them. */
  protected paramType(_type: FieldType): SqlServerParamType | undefined {
    return undefined;
  }

  // --- names ---------------------------------------------------------------------------------------------------
  quoteIdentifier(name: string): string {
    this.checkIdentifier(name);
    if (this.quote) return this.quoteAlways(name);
    // Unquoted, a name goes into the statement verbatim, and names come from data (schemaless JSON field names, topic
    // names): anything but a plain identifier would change the statement itself (`a"; DROP TABLE x; --`).
    if (!UNQUOTED_IDENTIFIER.test(name)) {
      throw sqlDialectError(
        'SINK_SQL_BAD_IDENTIFIER',
        `The field or table name ${JSON.stringify(name)} cannot be written with quote.sql.identifiers=never: unquoted, a ${this.name} name may hold only ` +
          'letters, digits, _ and $, and must not start with a digit or $. Remove quote.sql.identifiers (the default, always, quotes every name) ' +
          'or rename the field (ReplaceField transform) or the table (table.name.format, RegexRouter).',
        { name },
      );
    }
    return name;
  }

  protected checkIdentifier(name: string): void {
    if (name.length === 0 || name.includes('\u0000')) {
      throw sqlDialectError('SINK_SQL_BAD_IDENTIFIER', `${JSON.stringify(name)} cannot be a ${this.name} identifier: it is empty or holds a NUL character.`);
    }
    const length = this.limits.identifierLengthUnit === 'bytes' ? Buffer.byteLength(name, 'utf8') : [...name].length;
    if (length > this.limits.maxIdentifierLength) {
      // PostgreSQL would silently truncate it, so the table would later be looked up under another name.
      throw sqlDialectError(
        'SINK_SQL_BAD_IDENTIFIER',
        `The identifier "${name}" is ${length} ${this.limits.identifierLengthUnit} long; ${this.name} allows ${this.limits.maxIdentifierLength}. ` +
          'Shorten it with table.name.format or a RegexRouter transform (for tables) or rename the field (for columns).',
        { name },
      );
    }
  }

  tableName(table: TableId): string {
    return [table.catalog, table.schema, table.table]
      .filter((part): part is string => part !== undefined && part !== '')
      .map((part) => this.quoteIdentifier(part))
      .join('.');
  }

  parseTableName(name: string): TableId {
    const parts = this.splitQualifiedName(name);
    return this.assignNameParts(parts, name);
  }

  resolveTableId(tableNameFormat: string, topic: string): TableId {
    // Connect replaces the placeholder literally (every occurrence) and then parses the result as an identifier, which
    // is why dots in a topic name become catalog/schema separators (reference §2.6 / §8 #7).
    return this.parseTableName(tableNameFormat.split('${topic}').join(topic));
  }

  /** 1 part: table; 2: schema.table; 3: catalog.schema.table (MySQL overrides: it has databases, not schemas). */
  protected assignNameParts(parts: string[], original: string): TableId {
    const schema = this.options.defaultSchema;
    if (parts.length === 1) return withoutUndefined({ schema, table: parts[0] as string });
    if (parts.length === 2) return { schema: parts[0] as string, table: parts[1] as string };
    if (parts.length === 3) return { catalog: parts[0] as string, schema: parts[1] as string, table: parts[2] as string };
    throw this.tooManyParts(original, 'catalog.schema.table');
  }

  protected tooManyParts(original: string, shape: string) {
    return sqlDialectError(
      'SINK_SQL_BAD_TABLE_NAME',
      `"${original}" has more name parts than ${this.name} understands (${shape}). Dots in a topic name become name separators; ` +
        'set table.name.format to a name without them, or rename topics with a RegexRouter transform (e.g. Debezium\'s server.db.schema.table).',
      { name: original },
    );
  }

  /** Splits on dots outside quotes, as Connect's IdentifierRules.parseQualifiedIdentifier, unescaping quoted parts. */
  private splitQualifiedName(text: string): string[] {
    const bad = (why: string) => sqlDialectError('SINK_SQL_BAD_TABLE_NAME', `"${text}" is not a table name: ${why}. Check table.name.format.`, { name: text });
    const parts: string[] = [];
    let rest = text.trim();
    if (rest === '') throw bad('it is empty');
    for (;;) {
      const pair = this.nameQuotes.find(([open]) => rest.startsWith(open));
      let part: string;
      if (pair) {
        const [open, close] = pair;
        let index = open.length;
        part = '';
        for (;;) {
          const end = rest.indexOf(close, index);
          if (end < 0) throw bad(`a ${open}quoted${close} part has no closing ${close}`);
          part += rest.slice(index, end);
          // A doubled closing quote is an escaped quote character, as the quoting side writes it.
          if (rest.startsWith(close + close, end)) {
            part += close;
            index = end + 2 * close.length;
            continue;
          }
          rest = rest.slice(end + close.length);
          break;
        }
        if (rest !== '' && !rest.startsWith('.')) throw bad(`unexpected text after a quoted part: "${rest}"`);
        rest = rest.slice(1);
      } else {
        const dot = rest.indexOf('.');
        part = dot < 0 ? rest : rest.slice(0, dot);
        rest = dot < 0 ? '' : rest.slice(dot + 1);
      }
      if (part === '') throw bad('a name part is empty');
      parts.push(part);
      if (rest === '') {
        if (text.trim().endsWith('.')) throw bad('it ends with a dot');
        return parts;
      }
    }
  }

  // --- DDL -----------------------------------------------------------------------------------------------------
  createTable(table: TableId, keyFields: readonly FieldSchema[], valueFields: readonly FieldSchema[], values?: ValueOptions): string {
    this.checkColumns(table, keyFields, valueFields);
    const lines = [
      ...keyFields.map((field) => this.columnSpec(field, true, values)),
      ...valueFields.map((field) => this.columnSpec(field, false, values)),
    ];
    if (keyFields.length > 0) lines.push(`PRIMARY KEY (${keyFields.map((field) => this.quoteIdentifier(field.name)).join(', ')})`);
    return `CREATE TABLE ${this.tableName(table)} (\n  ${lines.join(',\n  ')}\n)`;
  }

  addColumns(table: TableId, fields: readonly FieldSchema[], values?: ValueOptions): string {
    if (fields.length === 0) {
      throw sqlDialectError('SINK_SQL_NO_COLUMNS', `Nothing to add to ${tableIdToString(table)}: no fields were given.`);
    }
    this.checkColumns(table, [], fields);
    for (const field of fields) assertAddable(tableIdToString(table), field);
    return this.renderAddColumns(
      this.tableName(table),
      fields.map((field) => this.columnSpec(field, false, values, true)),
    );
  }

  /** `name TYPE NULL|NOT NULL [DEFAULT literal]`; key columns are always NOT NULL (every database requires it of a PK). */
  protected columnSpec(field: FieldSchema, isKey: boolean, values: ValueOptions | undefined, _adding = false): string {
    // `_adding` lets SQL Server back-fill defaults of nullable added columns (see SqlServerDialect.columnSpec).
    const type = this.columnType(field.type, isKey);
    const nullability = isKey || !field.optional ? 'NOT NULL' : 'NULL';
    const hasDefault = field.defaultValue !== undefined && field.defaultValue !== null;
    const defaultClause = hasDefault ? ` DEFAULT ${this.defaultExpression(type, this.literal(field.defaultValue ?? null, field.type, field.name, values))}` : '';
    return `${this.quoteIdentifier(field.name)} ${type} ${nullability}${defaultClause}`;
  }

  /** MySQL needs TEXT/BLOB defaults in parentheses; elsewhere the literal stands as is. */
  protected defaultExpression(_columnType: string, literal: string): string {
    return literal;
  }

  /** A SQL literal for a value, through the same conversion binding uses (so defaults honour db.timezone too). */
  protected literal(value: FieldValue, type: FieldType, field: string, values: ValueOptions | undefined): string {
    const converted = this.convert(value, type, field, values);
    if (converted === null) return 'NULL';
    if (typeof converted === 'boolean') return this.booleanLiteral(converted);
    if (typeof converted === 'bigint') return converted.toString();
    if (typeof converted === 'number') return Number.isFinite(converted) ? String(converted) : this.stringLiteral(String(converted));
    if (Buffer.isBuffer(converted)) return this.bytesLiteral(converted);
    // Canonical decimal and integer text is a valid numeric literal as it stands; everything else is quoted.
    if (type.kind === 'decimal' || type.kind === 'int64') return converted;
    return this.stringLiteral(converted);
  }

  private checkColumns(table: TableId, keyFields: readonly FieldSchema[], valueFields: readonly FieldSchema[]): void {
    if (keyFields.length + valueFields.length === 0) {
      throw sqlDialectError('SINK_SQL_NO_COLUMNS', `Table ${tableIdToString(table)} would have no columns: the record has no key or value fields to write.`);
    }
    const seen = new Set<string>();
    for (const field of [...keyFields, ...valueFields]) {
      if (seen.has(field.name)) {
        throw sqlDialectError(
          'SINK_SQL_DUPLICATE_COLUMN',
          `Field "${field.name}" appears twice among the key and value fields for ${tableIdToString(table)}. A key field (pk.fields) must not be repeated among the value fields.`,
          { field: field.name },
        );
      }
      seen.add(field.name);
    }
  }

  // --- statements ----------------------------------------------------------------------------------------------
  maxRowsPerStatement(columnCount: number): number {
    if (!Number.isInteger(columnCount) || columnCount < 1) {
      throw sqlDialectError('SINK_SQL_NO_COLUMNS', `A statement needs at least one column per row, got ${columnCount}.`);
    }
    if (columnCount > this.limits.maxParameters) {
      throw sqlDialectError(
        'SINK_SQL_TOO_MANY_COLUMNS',
        `A row with ${columnCount} columns needs more than the ${this.limits.maxParameters} parameters ${this.name} allows in one statement. Reduce the fields written (fields.whitelist).`,
        { columnCount },
      );
    }
    return Math.min(this.limits.maxRows, Math.floor(this.limits.maxParameters / columnCount));
  }

  collapseByKey(rows: readonly Row[], keyFields: readonly FieldSchema[]): Row[] {
    return collapseByKey(rows, keyFields, { caseInsensitive: this.options.caseInsensitiveKeys === true });
  }

  buildInsert(batch: WriteBatch, values?: ValueOptions): SqlStatement[] {
    return this.build('insert', batch, values);
  }

  buildUpsert(batch: WriteBatch, values?: ValueOptions): SqlStatement[] {
    return this.build('upsert', batch, values);
  }

  buildUpdate(batch: WriteBatch, values?: ValueOptions): SqlStatement[] {
    return this.build('update', batch, values);
  }

  buildDelete(batch: WriteBatch, values?: ValueOptions): SqlStatement[] {
    return this.build('delete', batch, values);
  }

  private build(kind: StatementKind, batch: WriteBatch, values: ValueOptions | undefined): SqlStatement[] {
    const { keyFields } = batch;
    const valueFields = kind === 'delete' ? [] : batch.valueFields;
    if (kind !== 'insert' && keyFields.length === 0) {
      // Connect would emit an UPDATE without WHERE (rewriting every row) or fail later; neither is worth reproducing.
      throw sqlDialectError(
        'SINK_SQL_NO_KEY_FIELDS',
        `insert.mode=${kind === 'delete' ? 'upsert with delete.enabled' : kind} needs key fields to find rows in ${tableIdToString(batch.table)}, but there are none. ` +
          'Set pk.mode (record_key or record_value) and pk.fields.',
        { table: tableIdToString(batch.table), kind },
      );
    }
    this.checkColumns(batch.table, keyFields, valueFields);
    // An UPDATE with nothing to set changes nothing; skipping it beats sending invalid SQL.
    if (kind === 'update' && valueFields.length === 0) return [];
    const rows = kind === 'insert' ? batch.rows : this.collapseByKey(batch.rows, keyFields);
    if (rows.length === 0) return [];
    const render = {
      insert: this.renderInsert,
      upsert: this.renderUpsert,
      update: this.renderUpdate,
      delete: this.renderDelete,
    }[kind];
    const table = this.tableName(batch.table);
    const keyNames = new Set(keyFields.map((field) => field.name));
    const perStatement = this.rowsPerStatement(kind, batch, keyFields.length + valueFields.length);
    const statements: SqlStatement[] = [];
    for (let start = 0; start < rows.length; start += perStatement) {
      const params: DriverParam[] = [];
      const types: SqlServerParamType[] = [];
      const statementRows = rows.slice(start, start + perStatement);
      const nullKey = (field: FieldSchema, raw: null | undefined) =>
        sqlDialectError(
          'SINK_SQL_BAD_VALUE',
          `Key field "${field.name}" is ${raw === null ? 'null' : 'missing'} in a record for ${tableIdToString(batch.table)}; a primary key column cannot be null. ` +
            'Check pk.mode/pk.fields against the record, or route such records to the dead letter queue (errors.tolerance=all).',
          { field: field.name },
        );
      const driverValue = (row: Row, field: FieldSchema): DriverValue => {
        const raw = row[field.name];
        if ((raw === undefined || raw === null) && keyNames.has(field.name)) throw nullKey(field, raw);
        return this.convert(raw ?? null, field.type, field.name, values);
      };
      let columnParams = 0;
      const context: StatementContext = {
        table,
        keyFields,
        valueFields,
        rows: statementRows,
        existing: batch.existing,
        column: (field) => this.quoteIdentifier(field.name),
        bind: (row, field) => {
          params.push(driverValue(row, field));
          const type = this.paramType(field.type);
          if (type) types.push(type);
          return this.placeholder(params.length);
        },
        bindColumn: (field) => {
          columnParams++;
          params.push(this.columnParam(statementRows, field, driverValue));
          return this.placeholder(params.length);
        },
      };
      const sql = render.call(this, context);
      const reusable = columnParams > 0 && columnParams === params.length;
      statements.push({ sql, params, ...(types.length > 0 ? { types } : {}), ...(reusable ? { reusable } : {}) });
    }
    return statements;
  }

  // --- helpers for renderers -----------------------------------------------------------------------------------
  protected columnList(fields: readonly FieldSchema[]): string {
    return fields.map((field) => this.quoteIdentifier(field.name)).join(', ');
  }

  /** `(p, p), (p, p)` for the given fields of every row, binding row by row. */
  protected valuesRows(context: StatementContext, fields: readonly FieldSchema[]): string {
    return context.rows.map((row) => `(${fields.map((field) => context.bind(row, field)).join(', ')})`).join(', ');
  }

  /** `k1 = p AND k2 = p` for one row. */
  protected keyEquals(context: StatementContext, row: Row): string {
    return context.keyFields.map((field) => `${context.column(field)} = ${this.comparable(field, context.bind(row, field))}`).join(' AND ');
  }

  /** The single-row UPDATE every dialect shares (reference §2.3): SET values, then WHERE keys. */
  protected singleRowUpdate(context: StatementContext): string {
    const row = context.rows[0] as Row;
    const sets = context.valueFields.map((field) => `${context.column(field)} = ${context.bind(row, field)}`).join(', ');
    return `UPDATE ${context.table} SET ${sets} WHERE ${this.keyEquals(context, row)}`;
  }

  /** DELETE for one row, for many rows of a one-column key (IN), or — composite keys — an OR of per-row key matches. */
  protected deleteByKeys(context: StatementContext, compositeMatch?: (context: StatementContext) => string): string {
    const [first] = context.rows;
    if (context.rows.length === 1 && first) return `DELETE FROM ${context.table} WHERE ${this.keyEquals(context, first)}`;
    const [only] = context.keyFields;
    if (context.keyFields.length === 1 && only) {
      const list = context.rows.map((row) => this.comparable(only, context.bind(row, only))).join(', ');
      return `DELETE FROM ${context.table} WHERE ${context.column(only)} IN (${list})`;
    }
    const where = compositeMatch ? compositeMatch(context) : context.rows.map((row) => `(${this.keyEquals(context, row)})`).join(' OR ');
    return `DELETE FROM ${context.table} WHERE ${where}`;
  }

  // --- values --------------------------------------------------------------------------------------------------
  toDriverValue(value: FieldValue, type: FieldType, values?: ValueOptions): DriverValue {
    return this.convert(value, type, 'value', values);
  }

  /** Converts one value to what the driver binds exactly; `field` names it in errors. */
  protected convert(value: FieldValue, type: FieldType, field: string, values: ValueOptions | undefined): DriverValue {
    if (value === null) return null;
    const profile = this.valueProfile;
    switch (type.kind) {
      case 'int8':
      case 'int16':
      case 'int32':
        return smallIntegerValue(value, type, field);
      case 'int64': {
        const integer = int64Value(value, type, field);
        return profile.int64 === 'bigint' ? integer : integer.toString();
      }
      case 'float32':
      case 'float64':
        return numberValue(value, type, field, profile.nonFiniteFloats);
      case 'boolean':
        if (typeof value === 'boolean') return value;
        throw badValue(field, type, value, 'expected true or false');
      case 'string':
        if (typeof value !== 'string') throw badValue(field, type, value, 'expected text');
        if (profile.rejectNul && value.includes('\u0000')) {
          throw badValue(field, type, value, `${this.name} text cannot contain the NUL character (U+0000); strip it in the source or with a transform`);
        }
        return value;
      case 'bytes':
        return bytesValue(value, type, field);
      case 'decimal':
        return decimalString(value, type, field);
      case 'date':
        return dateString(dateValue(value, type, field), values);
      case 'time':
        if (typeof value !== 'number') throw badValue(field, type, value, 'expected milliseconds since midnight');
        return timeString(value, values);
      case 'timestamp':
        return epochMsTimestampString(timestampEpochMs(value, type, field), values, profile.timestamp);
    }
  }

  // --- metadata ------------------------------------------------------------------------------------------------
  describeTable(table: TableId, rows: readonly Record<string, unknown>[]): TableDescription | undefined {
    const first = rows[0];
    if (!first) return undefined;
    const columns: ColumnDescription[] = rows.map((row) => {
      const type = text(row.data_type);
      return {
        name: text(row.column_name),
        type,
        baseType: row.base_type === undefined || row.base_type === null ? type : text(row.base_type),
        nullable: truthy(row.is_nullable),
        isKey: truthy(row.is_key),
      };
    });
    return { table, kind: this.tableKind(text(first.table_type).trim()), columns };
  }
}

function text(value: unknown): string {
  if (typeof value === 'string') return value;
  if (Buffer.isBuffer(value)) return value.toString('utf8');
  if (value === null || value === undefined) return '';
  return String(value);
}

/** Catalog flags arrive as booleans (pg, mssql bit), numbers (MySQL), or 'YES'/'NO' text (information_schema). */
function truthy(value: unknown): boolean {
  if (typeof value === 'boolean') return value;
  if (typeof value === 'number' || typeof value === 'bigint') return value !== 0 && value !== 0n;
  const word = text(value).trim().toLowerCase();
  return word === 'yes' || word === 'true' || word === 't' || word === '1' || word === 'y';
}

function withoutUndefined(id: TableId): TableId {
  return id.schema === undefined ? { table: id.table } : id;
}
