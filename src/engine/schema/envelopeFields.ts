import type { FieldType, FieldValue, PrimitiveFieldType } from '../model';
import { isJsonObject, type JsonObject } from './avroJson';

/**
 * A change event's envelope around its row images (`op`, `ts_ms`, the `source` and `transaction` blocks) with the
 * Connect type of each scalar field, as ExtractNewRecordState's `add.fields` / `add.headers` read it.
 */
export interface EnvelopeFieldAccess {
  /** The type of `struct.field` (struct null: the top level); undefined when the envelope has no such scalar field. */
  type(struct: string | null, field: string): FieldType | undefined;
  /** Its value; null when the struct is absent (no transaction block) or the field is null. */
  value(struct: string | null, field: string): FieldValue;
}

const AVRO_PRIMITIVES: Readonly<Record<string, PrimitiveFieldType>> = { string: 'string', long: 'int64', int: 'int32', boolean: 'boolean', double: 'float64', float: 'float32', bytes: 'bytes' };

/** The Connect type of an envelope field written as Avro (a union's non-null branch; Debezium's Enum is a string). */
function envelopeFieldType(type: unknown): FieldType | undefined {
  const branch = Array.isArray(type) ? type.find((member) => member !== 'null') : type;
  if (typeof branch === 'string') {
    const kind = AVRO_PRIMITIVES[branch];
    return kind ? { kind } : undefined;
  }
  if (!isJsonObject(branch) || typeof branch.type !== 'string') return undefined;
  const kind = AVRO_PRIMITIVES[branch.type];
  if (!kind) return undefined;
  // Debezium copies the field's schema basics (name, version, parameters), so a named type stays named.
  const name = branch['connect.name'];
  if (typeof name !== 'string') return { kind };
  const version = branch['connect.version'];
  const given = branch['connect.parameters'];
  const parameters = isJsonObject(given) ? Object.fromEntries(Object.entries(given).filter((entry): entry is [string, string] => typeof entry[1] === 'string')) : undefined;
  return { kind, semantic: { name, ...(typeof version === 'number' ? { version } : {}), ...(parameters ? { parameters } : {}) } };
}

/** `struct.field` → type for the envelope's top-level scalars and the scalars of its record fields (source, transaction). */
export function envelopeFieldTypes(fields: readonly JsonObject[]): Map<string, FieldType> {
  const out = new Map<string, FieldType>();
  for (const field of fields) {
    if (typeof field.name !== 'string' || field.name === 'before' || field.name === 'after') continue;
    const own = envelopeFieldType(field.type);
    if (own) {
      out.set(`.${field.name}`, own);
      continue;
    }
    const record = Array.isArray(field.type) ? field.type.find((member) => isJsonObject(member) && member.type === 'record') : field.type;
    if (!isJsonObject(record) || record.type !== 'record' || !Array.isArray(record.fields)) continue;
    for (const member of record.fields) {
      if (!isJsonObject(member) || typeof member.name !== 'string') continue;
      const type = envelopeFieldType(member.type);
      if (type) out.set(`${field.name}.${member.name}`, type);
    }
  }
  return out;
}

/** A decoded envelope field as a row value (avsc's enum/union wrappers are plain values here; Buffers are bytes). */
function envelopeFieldValue(value: unknown): FieldValue {
  if (value === undefined || value === null) return null;
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint' || value instanceof Uint8Array) return value;
  return null;
}

/** Access to one decoded (or about to be encoded) envelope value, in Avro's shape. */
export function envelopeFieldAccess(types: ReadonlyMap<string, FieldType>, event: Readonly<Record<string, unknown>>): EnvelopeFieldAccess {
  return {
    type: (struct, field) => types.get(`${struct ?? ''}.${field}`),
    value: (struct, field) => {
      if (struct === null) return envelopeFieldValue(event[field]);
      const block = event[struct];
      return typeof block === 'object' && block !== null ? envelopeFieldValue((block as Record<string, unknown>)[field]) : null;
    },
  };
}
