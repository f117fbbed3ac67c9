/**
 * Ferry's type system for rows, modelled on Kafka Connect's schemas so that configs, Avro schemas and SQL type
 * maps translate one to one with what Connect users know (see connectors reference §2.4).
 */
export type PrimitiveFieldType = 'int8' | 'int16' | 'int32' | 'int64' | 'float32' | 'float64' | 'boolean' | 'string' | 'bytes';

/**
 * A named Connect schema over a primitive type, as Debezium writes its semantic types: `io.debezium.time.MicroTimestamp`
 * over int64 (microseconds since the epoch), `io.debezium.data.Json` over string, `io.debezium.data.Bits` over bytes
 * with its `length` parameter. Values are the primitive's; the name tells a reader what they mean.
 */
export interface SemanticType {
  name: string;
  version?: number;
  parameters?: Readonly<Record<string, string>>;
}

export type FieldType =
  | { kind: PrimitiveFieldType; semantic?: SemanticType }
  /** Exact decimal; values travel as canonical decimal strings (e.g. "-12.50") so no precision is lost. */
  | { kind: 'decimal'; precision: number; scale: number }
  /** Calendar date (Connect `Date`); values are JS Dates at 00:00 UTC of that day. */
  | { kind: 'date' }
  /** Time of day (Connect `Time`, millisecond precision); values are milliseconds since midnight. */
  | { kind: 'time' }
  /**
   * Instant (Connect `Timestamp`, millisecond precision); values are JS Dates. With `epochMs`, a value may also be the
   * epoch milliseconds a valid Date holds (a whole number within ±8.64e15): what a sink's decoder reads when nothing
   * between it and the sink needs a Date (see SinkRecordDecoder), sparing a Date object per value.
   */
  | { kind: 'timestamp'; epochMs?: true };

export interface FieldSchema {
  name: string;
  type: FieldType;
  optional: boolean;
  /** Default for the column when the source declares one; absent when none. */
  defaultValue?: FieldValue;
  /** The source database's own declaration (e.g. `varchar(64)`), kept for previews and precision warnings. */
  sourceType?: string;
}

/** The shape of a key or a value: an ordered list of fields with a name (the Avro record name). */
export interface RecordSchema {
  name: string;
  fields: FieldSchema[];
  /** Schema version as registered, once known. */
  version?: number;
}

/**
 * A field's value. int64 is a bigint so ids beyond 2^53 survive; decimals are strings; bytes are Uint8Arrays;
 * date/timestamp are Dates; time is a number of milliseconds since midnight.
 */
export type FieldValue = null | boolean | number | bigint | string | Uint8Array | Date;

export type Row = Record<string, FieldValue>;

/**
 * The "empty" value of a type (0, '', false, the epoch, no bytes): what Connect's MaskField writes, and what a row
 * image carries for a required column whose value the log did not send (a PostgreSQL delete's key-only before).
 */
export function emptyFieldValue(type: FieldType): FieldValue {
  switch (type.kind) {
    case 'int8':
    case 'int16':
    case 'int32':
    case 'float32':
    case 'float64':
    case 'time':
      return 0;
    case 'int64':
      return 0n;
    case 'decimal':
      return type.scale > 0 ? `0.${'0'.repeat(type.scale)}` : '0';
    case 'boolean':
      return false;
    case 'string':
      return '';
    case 'bytes':
      return new Uint8Array(0);
    case 'date':
    case 'timestamp':
      return new Date(0);
  }
}
