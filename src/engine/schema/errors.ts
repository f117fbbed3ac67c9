import { EngineError } from '../../shared/errors';

/** Stable codes scripts and the UI can branch on; never rename one, add new ones instead. */
export type SchemaErrorCode =
  /** An Avro shape Ferry's flat rows cannot hold (nested record, array, map, non-optional union). */
  | 'SCHEMA_UNSUPPORTED_TYPE'
  /** Text that is not a parseable Avro schema. */
  | 'SCHEMA_INVALID_AVRO'
  /** A row value that does not fit its column's type (wrong JS type, too many decimal digits, …). */
  | 'SCHEMA_VALUE_INVALID'
  /** Bytes that do not decode with the schema they claim to be written with. */
  | 'SCHEMA_DECODE_FAILED'
  /** A reader schema that cannot read data written with a writer schema (Avro resolution failed). */
  | 'SCHEMA_NOT_READABLE'
  /** Bytes that are not in Confluent's framing (magic byte + schema id). */
  | 'SCHEMA_WIRE_FORMAT'
  /** A `*.subject.name.strategy` value Ferry does not know. */
  | 'SCHEMA_BAD_STRATEGY'
  | 'SCHEMA_REGISTRY_CONFIG'
  | 'SCHEMA_REGISTRY_UNREACHABLE'
  | 'SCHEMA_REGISTRY_UNAVAILABLE'
  | 'SCHEMA_REGISTRY_AUTH'
  | 'SCHEMA_REGISTRY_SUBJECT_NOT_FOUND'
  | 'SCHEMA_REGISTRY_VERSION_NOT_FOUND'
  | 'SCHEMA_REGISTRY_SCHEMA_NOT_FOUND'
  | 'SCHEMA_REGISTRY_INCOMPATIBLE'
  | 'SCHEMA_REGISTRY_INVALID_SCHEMA'
  /** Any other refusal (invalid version or level, READONLY mode, unsupported schema type, …). */
  | 'SCHEMA_REGISTRY_REJECTED'
  | 'SCHEMA_REGISTRY_BAD_RESPONSE'
  /** The embedded registry could not read or write its store file. */
  | 'SCHEMA_REGISTRY_STORE';

export function schemaError(
  code: SchemaErrorCode,
  message: string,
  options: { retriable?: boolean; detail?: unknown; cause?: unknown } = {},
): EngineError {
  return new EngineError(code, message, options);
}

/**
 * Quotes a row value for an error message. Values are user data, so long ones are cut: the message must stay
 * readable in a status line, and the full row is available to whoever holds it.
 */
export function describeValue(value: unknown): string {
  let text: string;
  if (value === undefined) return 'undefined (the row has no such key)';
  if (value === null) return 'null';
  if (typeof value === 'bigint') text = `${value}n`;
  else if (typeof value === 'string') text = JSON.stringify(value);
  else if (value instanceof Date) text = Number.isNaN(value.getTime()) ? 'Invalid Date' : `Date(${value.toISOString()})`;
  else if (value instanceof Uint8Array) text = `<${value.byteLength} bytes>`;
  else if (typeof value === 'object') text = `${Object.prototype.toString.call(value)}`;
  else text = String(value);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}
