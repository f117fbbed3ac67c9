import type { ResolvedTransform } from '../config';
import { emptyFieldValue, type FieldSchema, type FieldType, type FieldValue, type RecordSchema, type Row } from '../model';
import { findField, listConfig, onPart, partOf, type RecordTransform, transformError } from './connectRecord';
import { formatDate } from './simpleDateFormat';

/**
 * Connect's field transforms on Ferry's flat structs, with Connect's semantics (org.apache.kafka.connect.transforms):
 * InsertField, ReplaceField, MaskField, Cast and ValueToKey (HoistField, ExtractField and Flatten: structureTransforms.ts).
 */

/** InsertField: `topic.field`, `partition.field`, `offset.field`, `timestamp.field`, `static.field` + `static.value`. */
export function insertField(transform: ResolvedTransform): RecordTransform {
  const spec = (key: string): { name: string; optional: boolean } | undefined => {
    const raw = transform.config[key]?.trim();
    if (!raw) return undefined;
    // Connect: a trailing '!' makes the field required, '?' (or nothing) optional.
    if (raw.endsWith('!')) return { name: raw.slice(0, -1), optional: false };
    return { name: raw.endsWith('?') ? raw.slice(0, -1) : raw, optional: true };
  };
  const topic = spec('topic.field');
  const partition = spec('partition.field');
  const offset = spec('offset.field');
  const timestamp = spec('timestamp.field');
  const staticField = spec('static.field');
  const staticValue = transform.config['static.value'] ?? null;
  if (staticField && staticValue === null) throw transformError(transform, 'static.field needs static.value.');
  const added: FieldSchema[] = [];
  if (topic) added.push({ name: topic.name, type: { kind: 'string' }, optional: topic.optional });
  if (partition) added.push({ name: partition.name, type: { kind: 'int32' }, optional: partition.optional });
  if (offset) added.push({ name: offset.name, type: { kind: 'int64' }, optional: offset.optional });
  if (timestamp) added.push({ name: timestamp.name, type: { kind: 'timestamp' }, optional: timestamp.optional });
  if (staticField) added.push({ name: staticField.name, type: { kind: 'string' }, optional: staticField.optional });
  return onPart(
    partOf(transform.type),
    (schema) => ({ name: schema.name, fields: [...schema.fields.filter((field) => !added.some((extra) => extra.name === field.name)), ...added] }),
    (row, _schema, record) => {
      const out: Row = { ...row };
      if (topic) out[topic.name] = record.topic;
      if (partition) out[partition.name] = record.partition ?? null;
      if (offset) {
        if (record.offset === undefined) throw transformError(transform, 'offset.field applies to sink records only (a source record has no offset yet).');
        out[offset.name] = BigInt(record.offset);
      }
      if (timestamp) {
        const ms = record.timestampMs;
        // Connect puts the record's timestamp as a Timestamp with a schema, as its epoch milliseconds (a long) without.
        const schemaless = (partOf(transform.type) === 'key' ? record.keySchema : record.valueSchema) === null;
        out[timestamp.name] = ms === null || ms === undefined ? null : schemaless ? BigInt(ms) : new Date(ms);
      }
      if (staticField) out[staticField.name] = staticValue;
      return out;
    },
  );
}

/** ReplaceField: `include` (formerly `whitelist`), `exclude` (`blacklist`), `renames` (`old:new,…`). */
export function replaceField(transform: ResolvedTransform): RecordTransform {
  const include = [...listConfig(transform, 'include'), ...listConfig(transform, 'whitelist')];
  const exclude = [...listConfig(transform, 'exclude'), ...listConfig(transform, 'blacklist')];
  const renames = new Map<string, string>();
  for (const pair of listConfig(transform, 'renames')) {
    const [from, to, extra] = pair.split(':').map((part) => part.trim());
    if (!from || !to || extra !== undefined) throw transformError(transform, `renames entry "${pair}" must be old:new.`);
    renames.set(from, to);
  }
  const keep = (name: string): boolean => !exclude.includes(name) && (include.length === 0 || include.includes(name));
  return onPart(
    partOf(transform.type),
    (schema) => ({ name: schema.name, fields: schema.fields.filter((field) => keep(field.name)).map((field) => ({ ...field, name: renames.get(field.name) ?? field.name })) }),
    (row, schema) => {
      const out: Row = {};
      for (const field of schema.fields) {
        const original = [...renames].find(([, to]) => to === field.name)?.[0] ?? field.name;
        out[field.name] = row[original] ?? null;
      }
      return out;
    },
  );
}

/** MaskField: each listed field becomes its type's empty value, or `replacement` converted to the type. */
export function maskField(transform: ResolvedTransform): RecordTransform {
  const fields = listConfig(transform, 'fields');
  if (fields.length === 0) throw transformError(transform, `transforms.${transform.alias}.fields is required.`);
  const replacement = transform.config.replacement;
  return onPart(
    partOf(transform.type),
    (schema) => {
      for (const name of fields) if (!findField(schema, name)) throw transformError(transform, `field "${name}" is not in ${schema.name}.`);
      return schema;
    },
    (row, schema) => {
      const out: Row = { ...row };
      for (const name of fields) {
        const field = findField(schema, name);
        if (!field || row[name] === null || row[name] === undefined) continue;
        out[name] = replacement === undefined ? emptyFieldValue(field.type) : castValue(replacement, field.type, transform);
      }
      return out;
    },
  );
}

const CAST_TYPES: Record<string, FieldType> = {
  int8: { kind: 'int8' },
  int16: { kind: 'int16' },
  int32: { kind: 'int32' },
  int64: { kind: 'int64' },
  float32: { kind: 'float32' },
  float64: { kind: 'float64' },
  boolean: { kind: 'boolean' },
  string: { kind: 'string' },
};

/** Cast: `spec` is `field:type,…` (a whole-record cast needs a primitive record, which Ferry's structs are not). */
export function cast(transform: ResolvedTransform): RecordTransform {
  const spec = new Map<string, FieldType>();
  for (const entry of listConfig(transform, 'spec')) {
    const [field, typeName] = entry.split(':').map((part) => part.trim());
    const type = typeName ? CAST_TYPES[typeName.toLowerCase()] : undefined;
    if (!field || !type) {
      throw transformError(transform, `spec entry "${entry}" must be field:type with type one of ${Object.keys(CAST_TYPES).join(', ')} (a whole-record cast applies to primitive records only).`);
    }
    spec.set(field, type);
  }
  if (spec.size === 0) throw transformError(transform, `transforms.${transform.alias}.spec is required, e.g. "amount:float64,id:string".`);
  return onPart(
    partOf(transform.type),
    (schema) => ({ name: schema.name, fields: schema.fields.map((field) => (spec.has(field.name) ? { name: field.name, type: spec.get(field.name) ?? field.type, optional: field.optional } : field)) }),
    (row) => {
      const out: Row = { ...row };
      for (const [name, type] of spec) {
        const value = row[name];
        if (value !== null && value !== undefined) out[name] = castValue(value, type, transform);
      }
      return out;
    },
  );
}

/** Connect's Cast rules: numbers truncate toward zero between integer widths (wrapping as Java's narrowing does). */
export function castValue(value: FieldValue, type: FieldType, transform: ResolvedTransform): FieldValue {
  const asNumber = (): number => {
    if (typeof value === 'number') return value;
    if (typeof value === 'bigint') return Number(value);
    if (typeof value === 'boolean') return value ? 1 : 0;
    if (typeof value === 'string' && value.trim() !== '' && !Number.isNaN(Number(value))) return Number(value);
    if (value instanceof Date) return value.getTime();
    throw transformError(transform, `cannot cast ${describe(value)} to ${type.kind}.`);
  };
  const wrap = (bits: number): number => {
    const n = Math.trunc(asNumber());
    return Number(BigInt.asIntN(bits, BigInt(n)));
  };
  switch (type.kind) {
    case 'int8':
      return wrap(8);
    case 'int16':
      return wrap(16);
    case 'int32':
      return wrap(32);
    case 'int64':
      if (typeof value === 'bigint') return value;
      if (typeof value === 'string' && /^[+-]?\d+$/.test(value.trim())) return BigInt.asIntN(64, BigInt(value.trim()));
      return BigInt.asIntN(64, BigInt(Math.trunc(asNumber())));
    case 'float32':
      return Math.fround(asNumber());
    case 'float64':
      return asNumber();
    case 'boolean':
      if (typeof value === 'string') return value.trim().toLowerCase() === 'true';
      return asNumber() !== 0;
    case 'string':
      if (value instanceof Date) return formatDate(value.getTime(), "yyyy-MM-dd'T'HH:mm:ss.SSS'Z'");
      if (value instanceof Uint8Array) return Buffer.from(value).toString('base64');
      return String(value);
    default:
      throw transformError(transform, `cannot cast to ${type.kind}.`);
  }
}

function describe(value: FieldValue): string {
  if (value instanceof Date) return `the date ${value.toISOString()}`;
  if (value instanceof Uint8Array) return `${value.length} bytes`;
  return `"${String(value)}"`;
}

/** ValueToKey: the key becomes a struct of the listed value fields (how JDBC sources get keys for upserts). */
export function valueToKey(transform: ResolvedTransform): RecordTransform {
  const fields = listConfig(transform, 'fields');
  if (fields.length === 0) throw transformError(transform, `transforms.${transform.alias}.fields is required.`);
  const schemas = new WeakMap<RecordSchema, RecordSchema>();
  return (record) => {
    if (!record.valueSchema) return record;
    let keySchema = schemas.get(record.valueSchema);
    if (!keySchema) {
      const valueSchema = record.valueSchema;
      const picked: FieldSchema[] = fields.map((name) => {
        const field = findField(valueSchema, name);
        if (!field) throw transformError(transform, `field "${name}" is not in ${record.topic}'s value.`);
        return field;
      });
      keySchema = { name: `${valueSchema.name}Key`, fields: picked };
      schemas.set(valueSchema, keySchema);
    }
    const key: Row | null = record.value ? Object.fromEntries(fields.map((name) => [name, record.value?.[name] ?? null])) : null;
    const { keyData: _replaced, ...rest } = record;
    return { ...rest, keySchema, key };
  };
}
