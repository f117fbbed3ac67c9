import type { FieldValue, Row } from '../model';

/** Builds a row from its values in column order. */
export type RowFromValues = (values: readonly FieldValue[]) => Row;

/**
 * A table's row builder: the values of one row, in column order, become a Row with the columns as its properties in
 * that order. Compiled once per table into a single object literal (`{ "id": v[0], "sku": v[1], … }`), so V8 gives
 * every row all its properties inside the object, in one allocation: a row grown from `{}` property by property (as
 * mysql2 builds its row objects) starts with room for four and copies its growing out-of-object property store
 * several times on the way to fifteen (issue 13: the driver's row objects were the largest allocation per snapshot
 * row on the source thread).
 *
 * Only the column names become code, as JSON string literals. A name the literal would not take as an own property
 * of that name (`__proto__` sets the prototype in a literal) falls back to defining each property in turn.
 */
export function rowFromValues(names: readonly string[]): RowFromValues {
  if (names.includes('__proto__')) return definedRow(names);
  const entries = names.map((name, index) => `${JSON.stringify(name)}: v[${index}]`);
  return new Function('v', `return { ${entries.join(', ')} };`) as RowFromValues;
}

function definedRow(names: readonly string[]): RowFromValues {
  return (values) => {
    const row: Row = {};
    for (let index = 0; index < names.length; index += 1) {
      Object.defineProperty(row, names[index] as string, { value: values[index], enumerable: true, writable: true, configurable: true });
    }
    return row;
  };
}
