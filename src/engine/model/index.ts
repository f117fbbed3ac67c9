export type { ChangeOp, ChangeRecord, Position, SinkRecord } from './record';
export { emptyFieldValue, type FieldSchema, type FieldType, type FieldValue, type PrimitiveFieldType, type RecordSchema, type Row, type SemanticType } from './schema';
export { type TableId, tableIdToString } from './table';
