/**
 * Table ⇄ Avro mapping, Confluent wire format, Schema Registry client and Ferry's embedded registry
 * (architecture §3, connectors reference §2.4 and §6).
 */
export {
  avroToRecordSchema,
  type AvroReadOptions,
  type AvroFieldJson,
  type AvroRecordJson,
  recordSchemaToAvro,
  scrubAvroName,
} from './avroMapping';
export { type AvroSchemaJson, avroFullName, canonicalAvroString, type JsonObject, type JsonValue, parseAvroSchemaText } from './avroJson';
export { type AvroCodec, avroCodecFor, avroCodecForAvro } from './avroCodec';
export { AvroConverter, type AvroConverterOptions, type ChangeEventReadOptions, type DecodedChangeEvent, type DecodedRecord } from './avroConverter';
export type { EnvelopeFieldAccess } from './envelopeFields';
export {
  decodeFrame,
  type DecodedFrame,
  encodeFrame,
  encodeSchemaIdHeader,
  ID_PREFIX_LENGTH,
  KEY_SCHEMA_ID_HEADER,
  type RecordHeaders,
  type SchemaRef,
  VALUE_SCHEMA_ID_HEADER,
} from './wireFormat';
export {
  DEFAULT_SUBJECT_NAME_STRATEGY,
  parseSubjectNameStrategy,
  type SubjectContext,
  type SubjectNameStrategy,
  subjectName,
} from './subjectNaming';
export {
  COMPATIBILITY_LEVELS,
  type CompatibilityLevel,
  type CompatibilityResult,
  isCompatibilityLevel,
  type RegistrySchema,
  SchemaRegistryClient,
  type SchemaRegistryClientOptions,
  type SchemaType,
  type SubjectVersionSchema,
} from './registryClient';
export {
  type BinlogSourceInfo,
  type ChangeEvent,
  type DebeziumConnector,
  DebeziumEnvelopeCodec,
  type DeleteHandling,
  extractNewRecordState,
  type PostgresSourceInfo,
  type SnapshotMarker,
  type SourceInfo,
} from './debeziumEnvelope';
export { SchemaChangeCodec, type SchemaChangeEvent, type TableChange, type TableChangeColumn, type TableChangeTable } from './debeziumSchemaChange';
export { type EmbeddedRegistryOptions, type EmbeddedSchemaRegistry, startEmbeddedSchemaRegistry } from './embeddedRegistry';
export type { SchemaErrorCode } from './errors';
