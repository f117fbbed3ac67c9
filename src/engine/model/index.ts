export type { ChangeOp, ChangeRecord, Position, SinkRecord } from './record';
export type { FieldSchema, FieldType, FieldValue, PrimitiveFieldType, RecordSchema, Row } from './schema';
export { type TableId, tableIdToString } from './table';
