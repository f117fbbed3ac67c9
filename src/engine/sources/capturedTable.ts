import type { FieldValue, RecordSchema, Row, TableId } from '../model';
import { causeText, sourceError } from './errors';
import { type ColumnInfo, keySchemaOf, primaryKeyColumns, valueSchemaOf } from './polling/columns';

/**
 * A table as log capture writes it: its topic (`<prefix>.<db or schema>.<table>`), and Debezium's record names
 * `<topic>.Value` and `<topic>.Key` (the primary key). One shape for the log readers and the snapshots alike, so a
 * snapshot row and a streamed change of the same table carry the same schemas.
 */
export interface CapturedTable {
  id: TableId;
  topic: string;
  columns: ColumnInfo[];
  valueSchema: RecordSchema;
  keySchema: RecordSchema | null;
  keyColumns: ColumnInfo[];
}

export function capturedTable(id: TableId, topic: string, columns: ColumnInfo[]): CapturedTable {
  return {
    id,
    topic,
    columns,
    valueSchema: valueSchemaOf(`${topic}.Value`, columns),
    keySchema: keySchemaOf(`${topic}.Key`, columns),
    keyColumns: primaryKeyColumns(columns),
  };
}

/** The record key: the primary key's columns of a row image; null for a table without a primary key. */
export function keyOf(table: CapturedTable, image: Row): Row | null {
  if (!table.keySchema) return null;
  const key: Row = {};
  for (const column of table.keyColumns) key[column.name] = image[column.name] ?? null;
  return key;
}

/** One column's value through the database's value reader, a failure naming the column and the topic. */
export function capturedValue(read: (raw: unknown, column: ColumnInfo) => FieldValue, raw: unknown, column: ColumnInfo, table: CapturedTable): FieldValue {
  try {
    return read(raw, column);
  } catch (error) {
    throw sourceError('SOURCE_BAD_VALUE', `Column ${column.name} of ${table.topic} holds a value the reader cannot read (${causeText(error)}).`, { cause: error });
  }
}
