import { EngineError } from '../../shared/errors';
import type { FieldSchema, FieldType, FieldValue, RecordSchema, Row } from '../model';

/**
 * Kafka Connect's data model where Ferry's flat rows cannot say it: a struct whose fields may themselves be structs,
 * or a bare primitive. HoistField, ExtractField and Flatten change a record's shape, so they work on this form (with a
 * schema, or schemaless: plain maps) and the chain turns it back into a flat row once the shape is flat again.
 */
export type ConnectSchema =
  | { type: 'struct'; name?: string; optional: boolean; fields: readonly ConnectField[] }
  /** A primitive or logical type; `field` is the flat column it came from, kept so it can go back unchanged. */
  | { type: 'primitive'; fieldType: FieldType; optional: boolean; field?: FieldSchema };

export interface ConnectField {
  name: string;
  schema: ConnectSchema;
}

/** A struct or a schemaless map: field name → value. */
export interface ConnectStruct {
  [name: string]: ConnectValue;
}

export type ConnectValue = FieldValue | ConnectStruct;

/** A key or a value in Connect's terms: schema null is schemaless data. */
export interface ConnectData {
  schema: ConnectSchema | null;
  value: ConnectValue;
}

export function isStruct(value: ConnectValue | undefined): value is ConnectStruct {
  return typeof value === 'object' && value !== null && !(value instanceof Date) && !(value instanceof Uint8Array);
}

/** Connect's type names, for errors ("Only Struct objects supported …, found: int32"). */
export function typeName(value: ConnectValue | undefined, schema?: ConnectSchema | null): string {
  if (schema) return schema.type === 'struct' ? 'struct' : schema.fieldType.kind;
  if (value === null || value === undefined) return 'null';
  if (isStruct(value)) return 'map';
  if (value instanceof Date) return 'timestamp';
  if (value instanceof Uint8Array) return 'bytes';
  return typeof value === 'bigint' ? 'int64' : typeof value;
}

const structSchemas = new WeakMap<RecordSchema, ConnectSchema>();

/** A flat key or value as Connect data (its schema built once per RecordSchema). */
export function fromRow(schema: RecordSchema | null, row: Row | null): ConnectData {
  if (schema === null) return { schema: null, value: row };
  let connect = structSchemas.get(schema);
  if (!connect) {
    connect = { type: 'struct', name: schema.name, optional: false, fields: schema.fields.map((field) => ({ name: field.name, schema: { type: 'primitive', fieldType: field.type, optional: field.optional, field } })) };
    structSchemas.set(schema, connect);
  }
  return { schema: connect, value: row };
}

const rowSchemas = new WeakMap<ConnectSchema, RecordSchema>();

/** Why Connect data is not (yet) a flat row, or null when it is one. */
function notFlat(data: ConnectData): string | null {
  if (data.schema === null) {
    if (data.value === null || !isStruct(data.value)) return data.value === null ? null : `a bare ${typeName(data.value)}`;
    const nested = Object.entries(data.value).find(([, value]) => isStruct(value));
    return nested ? `a map whose entry "${nested[0]}" is itself a map` : null;
  }
  if (data.schema.type === 'primitive') return `a bare ${data.schema.fieldType.kind}`;
  const nested = data.schema.fields.find((field) => field.schema.type === 'struct');
  return nested ? `a struct whose field "${nested.name}" is itself a struct` : null;
}

export function isFlat(data: ConnectData): boolean {
  return notFlat(data) === null;
}

/**
 * Connect data as a flat key or value, when it is one (a struct of primitives, or a map of them); otherwise an error
 * saying what it is and what would make it flat. `what` names the part for the message ("the value").
 */
export function toRow(data: ConnectData, what: string): { schema: RecordSchema | null; row: Row | null } {
  const reason = notFlat(data);
  if (reason !== null) {
    throw new EngineError(
      'TRANSFORM_FAILED',
      `after the transforms ${what} is ${reason}, and Ferry's converters and sinks carry ${what === 'the key' ? 'keys' : 'values'} as flat structs: end the chain with Flatten (nested fields become "parent.child" columns) or HoistField (a bare value becomes a one-field struct).`,
    );
  }
  const row = data.value === null ? null : (data.value as Row);
  if (data.schema === null || data.schema.type !== 'struct') return { schema: null, row };
  const struct = data.schema;
  let schema = rowSchemas.get(struct);
  if (!schema) {
    schema = {
      name: struct.name ?? 'ConnectDefault',
      fields: struct.fields.map(({ name, schema: field }) => {
        if (field.type !== 'primitive') throw new Error('unreachable: checked flat');
        if (field.field && field.field.name === name && field.field.optional === field.optional) return field.field;
        return { ...(field.field ?? {}), name, type: field.fieldType, optional: field.optional };
      }),
    };
    rowSchemas.set(struct, schema);
  }
  return { schema, row };
}

/** A schema cache keyed by the input schema, as Connect's transforms keep one (schemas are rebuilt per shape, not per record). */
export function schemaCache<T extends object>(build: (schema: ConnectSchema) => T): (schema: ConnectSchema) => T {
  const cache = new WeakMap<ConnectSchema, T>();
  return (schema) => {
    let out = cache.get(schema);
    if (!out) {
      out = build(schema);
      cache.set(schema, out);
    }
    return out;
  };
}
