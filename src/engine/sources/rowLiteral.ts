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
 * `places` picks each name's value by its position among the values (a key's columns out of a whole row); by default
 * the names' own order. Only the column names become code, as JSON string literals (and the places, as integers). A name the literal would not take as an own property
 * of that name (`__proto__` sets the prototype in a literal) falls back to defining each property in turn.
 */
export function rowFromValues(names: readonly string[], places: readonly number[] = names.map((_name, index) => index)): RowFromValues {
  if (places.length !== names.length || !places.every((place) => Number.isInteger(place) && place >= 0)) throw new Error('rowFromValues needs one whole, non-negative place per name');
  if (names.includes('__proto__')) return definedRow(names, places);
  const entries = names.map((name, index) => `${JSON.stringify(name)}: v[${places[index] as number}]`);
  return new Function('v', `return { ${entries.join(', ')} };`) as RowFromValues;
}

function definedRow(names: readonly string[], places: readonly number[]): RowFromValues {
  return (values) => {
    const row: Row = {};
    for (let index = 0; index < names.length; index += 1) {
      Object.defineProperty(row, names[index] as string, { value: values[places[index] as number], enumerable: true, writable: true, configurable: true });
    }
    return row;
  };
}
