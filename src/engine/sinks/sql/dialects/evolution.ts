import { type FieldSchema, tableIdToString } from '../../../model';
import type { TableDescription } from './dialect';
import { sqlDialectError } from './errors';

/**
 * The fields that have no column in the table, as Connect's DbStructure finds them: an exact name match first; for
 * the fields still missing, a case-insensitive match, unless the table has columns that differ only by case (then the
 * case-insensitive pass would be ambiguous and the exact result stands).
 */
export function findMissingFields(description: TableDescription, fields: readonly FieldSchema[]): FieldSchema[] {
  const names = new Set(description.columns.map((column) => column.name));
  const missing = fields.filter((field) => !names.has(field.name));
  if (missing.length === 0) return missing;
  const lowerCase = new Set([...names].map((name) => name.toLowerCase()));
  if (lowerCase.size !== names.size) return missing;
  return missing.filter((field) => !lowerCase.has(field.name.toLowerCase()));
}

/** Whether `auto.evolve` could add this field: Connect refuses required fields without a default. */
export function canAddColumn(field: FieldSchema): boolean {
  return field.optional || (field.defaultValue !== undefined && field.defaultValue !== null);
}

/**
 * What `auto.evolve` must add before a batch can be written, or the error that stops the connector, as Connect's
 * `DbStructure.amendIfNecessary`: with auto.evolve off any missing column is fatal; with it on, a view is never
 * altered and a required field without a default is refused. What evolution never does — drop, retype, widen, narrow
 * or change the nullability of a column, touch the primary key — is not expressible here at all: the result is only
 * a list of columns to add. Extra table columns the record does not have are ignored (they must be nullable or have
 * a default, or the insert will fail in the database).
 */
export function fieldsToAdd(description: TableDescription, fields: readonly FieldSchema[], options: { autoEvolve: boolean }): FieldSchema[] {
  const missing = findMissingFields(description, fields);
  if (missing.length === 0) return missing;
  const table = tableIdToString(description.table);
  const names = missing.map((field) => `"${field.name}"`).join(', ');
  if (!options.autoEvolve) {
    throw sqlDialectError(
      'SINK_SQL_MISSING_COLUMNS',
      `Table ${table} is missing fields ${names} and auto-evolution is disabled. Add the columns, or set auto.evolve=true to let the sink add them.`,
      { table, missing: missing.map((field) => field.name) },
    );
  }
  if (description.kind === 'VIEW' || description.kind === 'OTHER') {
    throw sqlDialectError(
      'SINK_SQL_NOT_ALTERABLE',
      `${table} is a ${description.kind === 'VIEW' ? 'view' : 'non-table object'} that lacks fields ${names}; auto.evolve only alters tables. Add the columns to the underlying table yourself.`,
      { table, missing: missing.map((field) => field.name) },
    );
  }
  for (const field of missing) assertAddable(table, field);
  return missing;
}

export function assertAddable(table: string, field: FieldSchema): void {
  if (canAddColumn(field)) return;
  throw sqlDialectError(
    'SINK_SQL_REQUIRED_COLUMN_WITHOUT_DEFAULT',
    `Cannot add field "${field.name}" to ${table}: it is required (not optional) and has no default, so the rows already in the table would have no ` +
      'value for it. Make the field optional or give it a default in the schema, or add the column to the table yourself.',
    { table, field: field.name },
  );
}
