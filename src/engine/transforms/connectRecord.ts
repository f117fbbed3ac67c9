import { EngineError } from '../../shared/errors';
import type { ResolvedTransform } from '../config';
import type { FieldSchema, FieldType, FieldValue, RecordSchema, Row } from '../model';
import type { ConnectData } from './connectData';

/**
 * A record as single message transforms see it, on the source side (before the converter) and on the sink side
 * (after it): Kafka Connect's ConnectRecord, with Ferry's flat key and value structs.
 */
export interface ConnectRecord {
  topic: string;
  /** Known on the sink side; null on the source side unless a transform or the source set it. */
  partition?: number | null;
  /** Sink side only: the record's Kafka offset. */
  offset?: string;
  /** The record's timestamp in epoch milliseconds; null when unknown. */
  timestampMs?: number | null;
  keySchema: RecordSchema | null;
  key: Row | null;
  valueSchema: RecordSchema | null;
  /** null is a tombstone. */
  value: Row | null;
  headers: Record<string, string | Uint8Array>;
  /**
   * Inside a chain only: the key (or value) as Connect data once a transform made it something a flat struct cannot
   * hold (HoistField nests it, ExtractField makes it a bare value); `key`/`keySchema` are null meanwhile. The chain
   * returns flat records (connectData.ts, toRow).
   */
  keyData?: ConnectData;
  valueData?: ConnectData;
}

/** A transform step; null drops the record (Filter). */
export type RecordTransform = (record: ConnectRecord) => ConnectRecord | null;

/** `$Key` or `$Value`, from the class name (`…InsertField$Value`). */
export type RecordPart = 'key' | 'value';

export function partOf(type: string): RecordPart {
  return type.endsWith('$Key') ? 'key' : 'value';
}

export function transformError(transform: ResolvedTransform, message: string): EngineError {
  return new EngineError('TRANSFORM_FAILED', `transforms.${transform.alias} (${shortName(transform.type)}): ${message}`);
}

export function shortName(type: string): string {
  return type.replace(/^org\.apache\.kafka\.connect\.transforms\.(predicates\.)?/, '').replace(/^io\.debezium\.transforms\./, '');
}

export function requiredConfig(transform: ResolvedTransform, key: string): string {
  const value = transform.config[key];
  if (value === undefined || value.trim() === '') throw transformError(transform, `transforms.${transform.alias}.${key} is required.`);
  return value;
}

/** Connect's comma-separated list form (`a, b,c`), empty entries dropped. */
export function listConfig(transform: ResolvedTransform, key: string): string[] {
  return (transform.config[key] ?? '')
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part !== '');
}

/**
 * Applies `change` to the key or the value. Schemas are rebuilt once per input schema (cached), never per record,
 * so the Avro writer downstream is built once per shape.
 */
export function onPart(
  part: RecordPart,
  reshape: (schema: RecordSchema) => RecordSchema,
  rewrite: (row: Row, schema: RecordSchema, record: ConnectRecord) => Row,
): RecordTransform {
  const schemas = new WeakMap<RecordSchema, RecordSchema>();
  const schemaFor = (schema: RecordSchema): RecordSchema => {
    let out = schemas.get(schema);
    if (!out) {
      out = reshape(schema);
      schemas.set(schema, out);
    }
    return out;
  };
  return (record) => {
    const schema = part === 'key' ? record.keySchema : record.valueSchema;
    const row = part === 'key' ? record.key : record.value;
    if (!row) return record; // a tombstone or a null key passes unchanged, as in Connect
    if (!schema) {
      // Schemaless (a map): Connect's schemaless path works on the values alone; here the same step runs on the
      // shape the values show, and the record stays schemaless.
      const shown = reshape(schemaOfValues(row));
      const newRow = rewrite(row, shown, record);
      return part === 'key' ? { ...record, key: newRow } : { ...record, value: newRow };
    }
    const newSchema = schemaFor(schema);
    const newRow = rewrite(row, newSchema, record);
    return part === 'key' ? { ...record, keySchema: newSchema, key: newRow } : { ...record, valueSchema: newSchema, value: newRow };
  };
}

/** The type a schemaless value shows (as Connect's ConnectSchema.schemaType infers it from the value's class). */
export function typeOfValue(value: FieldValue): FieldType {
  if (typeof value === 'boolean') return { kind: 'boolean' };
  if (typeof value === 'bigint') return { kind: 'int64' };
  if (typeof value === 'number') return Number.isInteger(value) ? { kind: 'int32' } : { kind: 'float64' };
  if (value instanceof Date) return { kind: 'timestamp' };
  if (value instanceof Uint8Array) return { kind: 'bytes' };
  return { kind: 'string' };
}

function schemaOfValues(row: Row): RecordSchema {
  return { name: 'schemaless', fields: Object.entries(row).map(([name, value]) => ({ name, type: typeOfValue(value), optional: true })) };
}

export function findField(schema: RecordSchema, name: string): FieldSchema | undefined {
  return schema.fields.find((field) => field.name === name);
}
