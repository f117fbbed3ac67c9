import type { ResolvedTransform } from '../config';
import { type ConnectData, type ConnectField, type ConnectSchema, type ConnectStruct, type ConnectValue, fromRow, isFlat, isStruct, schemaCache, toRow, typeName } from './connectData';
import { type ConnectRecord, partOf, type RecordPart, type RecordTransform, requiredConfig, transformError } from './connectRecord';

/**
 * Connect's transforms that change a key's or a value's shape, with Connect's semantics for data with a schema
 * (structs) and without one (maps): HoistField, ExtractField and Flatten, each for $Key and $Value. They work on
 * Connect data (connectData.ts); the record goes back to a flat row as soon as its shape is flat again.
 */

/** The key or value as Connect data: the nested form a previous step left, or the flat row. */
export function dataOf(record: ConnectRecord, part: RecordPart): ConnectData {
  if (part === 'key') return record.keyData ?? fromRow(record.keySchema, record.key);
  return record.valueData ?? fromRow(record.valueSchema, record.value);
}

/** The record with its key or value replaced: a flat row when the data is flat, the Connect data otherwise. */
export function withData(record: ConnectRecord, part: RecordPart, data: ConnectData): ConnectRecord {
  const { keyData, valueData, ...rest } = record;
  if (isFlat(data)) {
    const { schema, row } = toRow(data, `the ${part}`);
    return part === 'key' ? { ...rest, keySchema: schema, key: row, ...(valueData ? { valueData } : {}) } : { ...rest, valueSchema: schema, value: row, ...(keyData ? { keyData } : {}) };
  }
  return part === 'key'
    ? { ...rest, keySchema: null, key: null, keyData: data, ...(valueData ? { valueData } : {}) }
    : { ...rest, valueSchema: null, value: null, valueData: data, ...(keyData ? { keyData } : {}) };
}

/**
 * The record as it leaves a chain: flat key and value. A bare value that ExtractField took out of a struct becomes
 * a one-field struct named after that field (Ferry's keys and values are structs; a STRING key converter writes a
 * one-field key as its bare text); anything still nested is an error naming the fix.
 */
export function finishRecord(record: ConnectRecord): ConnectRecord {
  if (!record.keyData && !record.valueData) return record;
  let out = record;
  for (const part of ['key', 'value'] as const) {
    const data = part === 'key' ? out.keyData : out.valueData;
    if (!data) continue;
    const { schema, row } = toRow(asStruct(data), `the ${part}`);
    const { keyData, valueData, ...rest } = out;
    out = part === 'key' ? { ...rest, keySchema: schema, key: row, ...(valueData ? { valueData } : {}) } : { ...rest, valueSchema: schema, value: row, ...(keyData ? { keyData } : {}) };
  }
  return out;
}

const bareLabels = new WeakMap<ConnectSchema, string>();
const wrappedBare = schemaCache<ConnectSchema>((schema) => ({ type: 'struct', name: bareLabels.get(schema) ?? 'value', optional: false, fields: [{ name: bareLabels.get(schema) ?? 'value', schema }] }));

/** A bare value ExtractField produced, as the one-field struct Ferry carries (named after the field it came from). */
function asStruct(data: ConnectData): ConnectData {
  const label = data.schema ? bareLabels.get(data.schema) : undefined;
  if (data.schema && data.schema.type === 'primitive' && label !== undefined) return { schema: wrappedBare(data.schema), value: data.value === null ? null : { [label]: data.value } };
  return data;
}

/** HoistField: wraps the key or value in a struct (a map without a schema) with one field, `field`. */
export function hoistField(transform: ResolvedTransform): RecordTransform {
  const fieldName = requiredConfig(transform, 'field').trim();
  const part = partOf(transform.type);
  const hoisted = schemaCache<ConnectSchema>((schema) => ({ type: 'struct', optional: false, fields: [{ name: fieldName, schema }] }));
  return (record) => {
    const data = dataOf(record, part);
    if (data.schema === null) return withData(record, part, { schema: null, value: { [fieldName]: data.value } });
    if (data.value === null && !data.schema.optional) throw transformError(transform, `the ${part} is null but its schema is required, so it cannot be put in field "${fieldName}".`);
    return withData(record, part, { schema: hoisted(data.schema), value: { [fieldName]: data.value } });
  };
}

/**
 * ExtractField: the key or value becomes one of its fields (`field`); with `field.syntax.version` V2 a dotted path
 * reaches into nested structs (a backquoted segment may hold dots). Null passes unchanged; an unknown field with a
 * schema is an error, without a schema it yields null, as in Connect.
 */
export function extractField(transform: ResolvedTransform): RecordTransform {
  const original = requiredConfig(transform, 'field');
  const syntax = (transform.config['field.syntax.version'] ?? 'V1').trim().toUpperCase();
  if (syntax !== 'V1' && syntax !== 'V2') throw transformError(transform, `field.syntax.version "${transform.config['field.syntax.version'] ?? ''}" must be V1 or V2.`);
  const path = syntax === 'V2' ? fieldPath(original, transform) : [original];
  const part = partOf(transform.type);
  const fieldOf = schemaCache<{ schema: ConnectSchema } | { missing: true }>((schema) => {
    let current: ConnectSchema = schema;
    for (const name of path) {
      const field: ConnectField | undefined = current.type === 'struct' ? current.fields.find((candidate) => candidate.name === name) : undefined;
      if (!field) return { missing: true };
      current = field.schema;
    }
    // A bare primitive keeps the field's name, so the chain can still name its column (see finishRecord).
    if (current.type === 'primitive') bareLabelFor(current, path[path.length - 1] ?? original);
    return { schema: current };
  });
  return (record) => {
    const data = dataOf(record, part);
    if (data.schema === null) {
      if (data.value === null) return record;
      if (!isStruct(data.value)) throw transformError(transform, `Only Map objects supported in absence of schema for [field extraction], found: ${typeName(data.value)}.`);
      let value: ConnectValue | undefined = data.value;
      for (const name of path) value = isStruct(value) ? value[name] : undefined;
      return withData(record, part, { schema: null, value: value ?? null });
    }
    if (data.schema.type !== 'struct') throw transformError(transform, `Only Struct objects supported for [field extraction], found: ${data.schema.fieldType.kind}.`);
    const found = fieldOf(data.schema);
    if ('missing' in found) throw transformError(transform, `Unknown field: ${original}.`);
    let value: ConnectValue | undefined = data.value;
    for (const name of path) value = isStruct(value) ? value[name] : null;
    return withData(record, part, { schema: found.schema, value: value ?? null });
  };
}

function bareLabelFor(schema: ConnectSchema, label: string): void {
  if (!bareLabels.has(schema)) bareLabels.set(schema, label);
}

/** Connect's V2 field syntax: dots separate segments; a segment in backquotes may contain dots (`a`.b). */
function fieldPath(text: string, transform: ResolvedTransform): string[] {
  const segments: string[] = [];
  let rest = text;
  while (rest.length > 0) {
    if (rest.startsWith('`')) {
      const end = rest.indexOf('`', 1);
      if (end < 0) throw transformError(transform, `field "${text}" has an unclosed backquote.`);
      segments.push(rest.slice(1, end));
      rest = rest.slice(end + 1);
      if (rest.startsWith('.')) rest = rest.slice(1);
    } else {
      const dot = rest.indexOf('.');
      segments.push(dot < 0 ? rest : rest.slice(0, dot));
      rest = dot < 0 ? '' : rest.slice(dot + 1);
    }
  }
  if (segments.length === 0 || segments.some((segment) => segment === '')) throw transformError(transform, `field "${text}" is not a valid V2 path (segments separated by dots).`);
  return segments;
}

/**
 * Flatten: nested structs (maps without a schema) become one level, their fields named `parent<delimiter>child`; a
 * field under an optional struct becomes optional. Null passes unchanged. A flat record is returned as it is.
 */
export function flatten(transform: ResolvedTransform): RecordTransform {
  const delimiter = transform.config.delimiter ?? '.';
  if (delimiter === '') throw transformError(transform, 'delimiter must not be empty.');
  const part = partOf(transform.type);
  const join = (prefix: string, name: string): string => (prefix === '' ? name : `${prefix}${delimiter}${name}`);
  const flatSchema = schemaCache<ConnectSchema>((schema) => {
    if (schema.type !== 'struct') return schema;
    const fields: ConnectField[] = [];
    const walk = (struct: Extract<ConnectSchema, { type: 'struct' }>, prefix: string, optional: boolean): void => {
      for (const field of struct.fields) {
        const name = join(prefix, field.name);
        if (field.schema.type === 'struct') walk(field.schema, name, optional || field.schema.optional);
        else fields.push({ name, schema: optional && !field.schema.optional ? { ...field.schema, optional: true } : field.schema });
      }
    };
    walk(schema, '', schema.optional);
    return { type: 'struct', ...(schema.name !== undefined ? { name: schema.name } : {}), optional: schema.optional, fields };
  });
  const flatValue = (value: ConnectStruct, prefix: string, out: ConnectStruct): void => {
    for (const [name, inner] of Object.entries(value)) {
      if (isStruct(inner)) flatValue(inner, join(prefix, name), out);
      else out[join(prefix, name)] = inner;
    }
  };
  const flatStructValue = (schema: Extract<ConnectSchema, { type: 'struct' }>, value: ConnectStruct | null, prefix: string, out: ConnectStruct): void => {
    for (const field of schema.fields) {
      const inner = value === null ? null : (value[field.name] ?? null);
      if (field.schema.type === 'struct') flatStructValue(field.schema, isStruct(inner) ? inner : null, join(prefix, field.name), out);
      else out[join(prefix, field.name)] = inner;
    }
  };
  return (record) => {
    const data = dataOf(record, part);
    if (data.value === null) return record;
    if (isFlat(data)) return record;
    if (data.schema === null) {
      if (!isStruct(data.value)) throw transformError(transform, `Only Map objects supported in absence of schema for [flattening], found: ${typeName(data.value)}.`);
      const out: ConnectStruct = {};
      flatValue(data.value, '', out);
      return withData(record, part, { schema: null, value: out });
    }
    if (data.schema.type !== 'struct' || !isStruct(data.value)) throw transformError(transform, `Only Struct objects supported for [flattening], found: ${typeName(data.value, data.schema)}.`);
    const out: ConnectStruct = {};
    flatStructValue(data.schema, data.value, '', out);
    return withData(record, part, { schema: flatSchema(data.schema), value: out });
  };
}

/** Fields of Connect data for display (Preview): nested fields as `parent.child`, a bare value under the field it came from. */
export function displayFields(data: ConnectData): { name: string; type: string; value: ConnectValue }[] {
  const out: { name: string; type: string; value: ConnectValue }[] = [];
  const walk = (schema: ConnectSchema | null, value: ConnectValue, name: string): void => {
    if (schema?.type === 'struct' || (schema === null && isStruct(value))) {
      const entries = schema?.type === 'struct' ? schema.fields.map((field) => [field.name, field.schema] as const) : Object.keys(isStruct(value) ? value : {}).map((key) => [key, null] as const);
      for (const [field, fieldSchema] of entries) walk(fieldSchema, isStruct(value) ? (value[field] ?? null) : null, name === '' ? field : `${name}.${field}`);
      return;
    }
    out.push({ name: name === '' && schema ? (bareLabels.get(schema) ?? '') : name, type: schema ? schema.fieldType.kind : '', value });
  };
  walk(data.schema, data.value, '');
  return out;
}
