import type { FieldSchema, FieldValue, Row } from '../../../model';

export interface CollapseOptions {
  /** Strings equal after lower-casing and dropping trailing spaces are one key (case-insensitive, PAD SPACE collations). */
  caseInsensitive?: boolean;
}

/**
 * Keeps, for every key, only the last row of that key, at the position of its last occurrence; rows of different
 * keys keep their relative order.
 *
 * Why: a multi-row upsert must not name one key twice. PostgreSQL's ON CONFLICT refuses to "affect a row a second
 * time" and SQL Server's MERGE refuses a source with two rows matching one target row, while applying the records one
 * by one would simply let the last one win. Keeping the survivor at its last position (not its first) means the
 * collapsed rows apply the final values in the order those final values were produced, which is the closest a single
 * statement gets to sequential application when a table has unique indexes besides the key.
 *
 * Only rows of one kind may be collapsed together: the writer flushes before a row that follows a tombstone of the
 * same table (as Connect's BufferedRecords does), so a delete and a later re-insert of a key are never merged here.
 * Rows whose key has a missing or null part are kept as they are; the statement builders reject them with a message.
 */
export function collapseByKey(rows: readonly Row[], keyFields: readonly FieldSchema[], options: CollapseOptions = {}): Row[] {
  if (keyFields.length === 0 || rows.length < 2) return [...rows];
  const lastIndex = new Map<string | number, number>();
  const caseInsensitive = options.caseInsensitive === true;
  const [only] = keyFields;
  const keys: (string | number | undefined)[] = rows.map((row, index) => {
    const key = keyFields.length === 1 && only ? singleKeyOf(row[only.name], caseInsensitive) : keyOf(row, keyFields, caseInsensitive);
    if (key !== undefined) lastIndex.set(key, index);
    return key;
  });
  if (lastIndex.size === rows.length) return [...rows];
  return rows.filter((_, index) => {
    const key = keys[index];
    return key === undefined || lastIndex.get(key) === index;
  });
}

/**
 * A one-column key without building its text when it is a whole number (the usual id): the number itself, which no
 * encoded text equals. Numbers and bigints of one value stay one key, as in `encode`.
 */
function singleKeyOf(value: FieldValue | undefined, caseInsensitive: boolean): string | number | undefined {
  if (typeof value === 'number' && Number.isSafeInteger(value)) return value;
  if (typeof value === 'bigint') {
    // Exact within the safe range; any bigint beyond converts to a number of magnitude 2^53 or more, never safe.
    const number = Number(value);
    if (Number.isSafeInteger(number)) return number;
  }
  return encode(value, caseInsensitive);
}

/** An unambiguous text for a row's key, or undefined when a key part is missing. */
function keyOf(row: Row, keyFields: readonly FieldSchema[], caseInsensitive: boolean): string | undefined {
  let key = '';
  for (const field of keyFields) {
    const part = encode(row[field.name], caseInsensitive);
    if (part === undefined) return undefined;
    key += part;
  }
  return key;
}

function encode(value: FieldValue | undefined, caseInsensitive: boolean): string | undefined {
  if (value === undefined || value === null) return undefined;
  // Each part is tagged and strings are length-prefixed so that no two different keys encode alike.
  if (typeof value === 'string') {
    const text = caseInsensitive ? value.toLowerCase().replace(/ +$/, '') : value;
    return `s${text.length}:${text}`;
  }
  // Integers are one tag whether they arrive as number or bigint: the database sees the same number.
  if (typeof value === 'bigint') return `i${value};`;
  if (typeof value === 'number') return Number.isInteger(value) ? `i${value};` : `f${value};`;
  if (typeof value === 'boolean') return value ? 'T' : 'F';
  if (value instanceof Date) return `d${value.getTime()};`;
  return `x${Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('hex')};`;
}
