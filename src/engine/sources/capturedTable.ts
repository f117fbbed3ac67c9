import type { FieldValue, RecordSchema, Row, TableId } from '../model';
import { type DebeziumColumn, type DebeziumTypeOptions, debeziumColumn } from './debeziumTypes';
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
  /** The columns as the database's value reader reads them. */
  columns: ColumnInfo[];
  valueSchema: RecordSchema;
  keySchema: RecordSchema | null;
  keyColumns: ColumnInfo[];
  /** Columns whose type and value Debezium writes differently from Ferry's reader, by column name. */
  debezium: ReadonlyMap<string, DebeziumColumn>;
}

/** The table's schemas with Debezium's column types under `types` (time.precision.mode, decimal.handling.mode). */
export function capturedTable(id: TableId, topic: string, columns: ColumnInfo[], types?: DebeziumTypeOptions): CapturedTable {
  const debezium = new Map<string, DebeziumColumn>();
  if (types) {
    for (const column of columns) {
      const mapped = debeziumColumn(column, types);
      if (mapped) debezium.set(column.name, mapped);
    }
  }
  const written = columns.map((column) => {
    const mapped = debezium.get(column.name);
    return mapped ? { ...column, type: mapped.type } : column;
  });
  return {
    id,
    topic,
    columns,
    valueSchema: valueSchemaOf(`${topic}.Value`, written),
    keySchema: keySchemaOf(`${topic}.Key`, written),
    keyColumns: primaryKeyColumns(columns),
    debezium,
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
    const value = read(raw, column);
    const mapped = table.debezium.get(column.name);
    return mapped && value !== null ? mapped.value(value, raw) : value;
  } catch (error) {
    throw sourceError('SOURCE_BAD_VALUE', `Column ${column.name} of ${table.topic} holds a value the reader cannot read (${causeText(error)}).`, { cause: error });
  }
}
