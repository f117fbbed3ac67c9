/** The sources layer's public surface; the pipeline runner imports from here. */
export { causeText, type SourceErrorCode, sourceError } from './errors';
export { type ColumnInfo, type TemporalKind } from './polling/columns';
export { type PreciseInstant } from './polling/instant';
export {
  type NumericMapping,
  NUMERIC_MAPPINGS,
  POLLING_DEFAULTS,
  POLLING_MODES,
  type PollingMode,
  type PollingSourceOptions,
  resolvePollingOptions,
  type ResolvedPollingOptions,
  TIMESTAMP_INITIAL_CURRENT,
  type TableType,
} from './polling/options';
export {
  type PollBatch,
  PollingReader,
  type PollingReaderInit,
  type PollingStream,
  QUERY_MODE_SCHEMA_NAME,
  type SourceConnectionOptions,
  type TlsMode,
} from './polling/pollingReader';
export {
  decodePosition,
  encodePosition,
  legacyTablePartition,
  partitionKey,
  type PollingPosition,
  QUERY_PARTITION,
  type SourcePartition,
  tablePartition,
} from './polling/position';
export { topicForQuery, topicForTable } from './polling/tables';
export { isSchemaChange, type LogCapture, type LogCaptureInit, type LogInspection, type LogRecord, type LogSourceFields, type SchemaChangeRecord } from './logCapture';
export { type DebeziumTypeOptions, type DecimalHandlingMode, type TimePrecisionMode } from './debeziumTypes';
export { createLogCapture, createPollingReader, POLLING_SOURCE_KINDS, type PollingReaderFactory, pollingReaderFactory, type PollingSourceKind } from './registry';
