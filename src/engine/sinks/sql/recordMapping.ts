import type { FieldSchema, Row, SinkRecord } from '../../model';
import { sinkError } from './errors';

export type PkMode = 'none' | 'kafka' | 'record_key' | 'record_value';

export interface RecordMappingOptions {
  pkMode: PkMode;
  /** `pk.fields`: for record_key / record_value, the key columns (empty = every field of the key). */
  pkFields: readonly string[];
  /** `fields.whitelist`: value fields to write (empty = all). Key fields are always written. */
  fieldsWhitelist: readonly string[];
}

/** One record as rows and columns: what the dialect's WriteBatch holds. */
export interface MappedRecord {
  keyFields: FieldSchema[];
  valueFields: FieldSchema[];
  /**
   * The key and value fields by name (a field absent means null); it may hold other fields, which nothing reads, and may
   * be the record's value object itself: never change it.
   */
  row: Row;
  /** A tombstone: delete the row with this key. */
  isDelete: boolean;
  /** Records with equal signatures share key and value schemas and may go in one statement. */
  signature: string;
}

const KAFKA_KEY_FIELDS: FieldSchema[] = [
  { name: '__connect_topic', type: { kind: 'string' }, optional: false },
  { name: '__connect_partition', type: { kind: 'int32' }, optional: false },
  { name: '__connect_offset', type: { kind: 'int64' }, optional: false },
];

function signatureOf(keyFields: readonly FieldSchema[], valueFields: readonly FieldSchema[], isDelete: boolean): string {
  const describe = (fields: readonly FieldSchema[]): string => fields.map((field) => `${field.name}:${JSON.stringify(field.type)}:${field.optional ? '?' : ''}`).join(',');
  return `${isDelete ? 'D' : 'U'}|${describe(keyFields)}|${describe(valueFields)}`;
}

function where(record: SinkRecord): string {
  return `${record.topic}[${record.partition}]@${record.offset}`;
}

interface Layout {
  keyFields: FieldSchema[];
  valueFields: FieldSchema[];
  signature: string;
}

/**
 * Layouts per (options, value schema, key schema, tombstone?). Decoded records share schema objects (the converter
 * caches them per schema id), so after the first record of a schema the layout is a lookup, not a rebuild: this
 * runs once per record on the sink's hot path.
 */
const layoutCache = new WeakMap<RecordMappingOptions, WeakMap<object, WeakMap<object, [Layout?, Layout?]>>>();
const NO_SCHEMA = {};

/** The last layout looked up: a batch's records nearly always share it, which spares three WeakMap lookups each. */
let last: { options: RecordMappingOptions; valueSchema: object | null; keySchema: object | null; isDelete: boolean; layout: Layout } | undefined;

function layoutFor(record: SinkRecord, options: RecordMappingOptions, isDelete: boolean): Layout {
  if (last && last.options === options && last.valueSchema === record.valueSchema && last.keySchema === record.keySchema && last.isDelete === isDelete) return last.layout;
  const layout = lookUpLayout(record, options, isDelete);
  last = { options, valueSchema: record.valueSchema, keySchema: record.keySchema, isDelete, layout };
  return layout;
}

function lookUpLayout(record: SinkRecord, options: RecordMappingOptions, isDelete: boolean): Layout {
  let byValue = layoutCache.get(options);
  if (!byValue) layoutCache.set(options, (byValue = new WeakMap()));
  const valueKey = record.valueSchema ?? NO_SCHEMA;
  let byKey = byValue.get(valueKey);
  if (!byKey) byValue.set(valueKey, (byKey = new WeakMap()));
  const keyKey = record.keySchema ?? NO_SCHEMA;
  let pair = byKey.get(keyKey);
  if (!pair) byKey.set(keyKey, (pair = [undefined, undefined]));
  const slot = isDelete ? 1 : 0;
  const cached = pair[slot];
  if (cached) return cached;
  const layout = computeLayout(record, options, isDelete);
  pair[slot] = layout;
  return layout;
}

function computeLayout(record: SinkRecord, options: RecordMappingOptions, isDelete: boolean): Layout {
  const valueSchema = record.valueSchema;
  const whitelist = new Set(options.fieldsWhitelist);
  const allowed = (field: FieldSchema): boolean => whitelist.size === 0 || whitelist.has(field.name);
  let keyFields: FieldSchema[] = [];
  switch (options.pkMode) {
    case 'none':
      break;
    case 'kafka':
      keyFields = KAFKA_KEY_FIELDS;
      break;
    case 'record_key': {
      if (!record.key || !record.keySchema) {
        throw sinkError('SINK_BAD_RECORD', `Record ${where(record)} has no key, but pk.mode=record_key takes the primary key from the record key. Produce keyed records or choose another pk.mode.`);
      }
      const keySchema = record.keySchema;
      const wanted = options.pkFields.length > 0 ? options.pkFields : keySchema.fields.map((field) => field.name);
      keyFields = wanted.map((name) => {
        const field = keySchema.fields.find((candidate) => candidate.name === name);
        // The key schema, not one record, lacks the field: every record of this schema would fail, so fail the connector.
        if (!field) throw sinkError('SINK_CONFIG_INVALID', `pk.fields names "${name}", which the key of ${where(record)} does not have (it has ${keySchema.fields.map((f) => f.name).join(', ')}). Fix pk.fields.`, { detail: { everyRecord: true } });
        return { ...field, optional: false };
      });
      break;
    }
    case 'record_value': {
      if (!valueSchema || !record.value) {
        throw sinkError('SINK_BAD_RECORD', `Record ${where(record)} is a tombstone, but pk.mode=record_value needs the key inside the value. Use pk.mode=record_key for deletes.`);
      }
      keyFields = options.pkFields.map((name) => {
        const field = valueSchema.fields.find((candidate) => candidate.name === name);
        if (!field) throw sinkError('SINK_CONFIG_INVALID', `pk.fields names "${name}", which the value of ${where(record)} does not have (it has ${valueSchema.fields.map((f) => f.name).join(', ')}). Fix pk.fields.`, { detail: { everyRecord: true } });
        return { ...field, optional: false };
      });
      break;
    }
  }
  const keyNames = new Set(keyFields.map((field) => field.name));
  const valueFields = isDelete || !valueSchema ? [] : valueSchema.fields.filter((field) => !keyNames.has(field.name) && allowed(field));
  return { keyFields, valueFields, signature: signatureOf(keyFields, valueFields, isDelete) };
}

/**
 * Splits a record into key and value columns the way Connect's JDBC sink does for each `pk.mode`
 * (FieldsMetadata.extract): kafka = topic/partition/offset, record_key = fields of the key, record_value =
 * `pk.fields` of the value. A tombstone is a delete when `delete.enabled`, else an error, as upstream.
 */
export function mapRecord(record: SinkRecord, options: RecordMappingOptions, deleteEnabled: boolean): MappedRecord {
  const isDelete = record.value === null;
  if (isDelete && !deleteEnabled) {
    // As upstream (RecordValidator, kafka-connect-jdbc #888): a tombstone fails the record unless deletes are on,
    // so a delete is never lost silently; with errors.tolerance=all it goes to the dead letter queue.
    throw sinkError(
      'SINK_BAD_RECORD',
      `Record ${where(record)} is a tombstone (null value) but delete.enabled=false. Set delete.enabled=true with pk.mode=record_key to apply deletes, or filter tombstones out before the sink.`,
    );
  }
  const { keyFields, valueFields, signature } = layoutFor(record, options, isDelete);
  const value = isDelete ? null : record.value;
  if (options.pkMode === 'kafka') {
    // A copy of the whole value (one object clone: decoded values of a schema share their shape) rather than field by
    // field: statements read only the layout's fields, and one missing from the value is null to them either way.
    const row: Row = value ? { ...value } : {};
    row.__connect_topic = record.topic;
    row.__connect_partition = record.partition;
    row.__connect_offset = BigInt(record.offset);
    return { keyFields, valueFields, row, isDelete, signature };
  }
  const keySource = options.pkMode === 'record_key' ? record.key : value;
  // Rows are never changed once mapped, so the value itself serves as the row when it already holds the key's values
  // (a Debezium value carries its key columns): no copy of every record held for the whole write.
  let valueHoldsKey = value !== null;
  for (const field of keyFields) {
    const part = keySource?.[field.name];
    if (part === null || part === undefined) {
      throw sinkError('SINK_BAD_RECORD', `Record ${where(record)} has a null primary-key field "${field.name}"; a row cannot be written without its key.`);
    }
    if (valueHoldsKey && value?.[field.name] !== part) valueHoldsKey = false;
  }
  if (value !== null && valueHoldsKey) return { keyFields, valueFields, row: value, isDelete, signature };
  // The key's values win over value fields of the same name, as in Connect.
  const row: Row = value ? { ...value } : {};
  for (const field of keyFields) row[field.name] = keySource?.[field.name] ?? null;
  return { keyFields, valueFields, row, isDelete, signature };
}
