import { schemaError } from './errors';

/**
 * Avro schemas as plain JSON, and the one text form Ferry writes them in.
 *
 * `bigint` is allowed inside values so int64 defaults beyond 2^53 can be written exactly; JSON.parse never
 * produces one, so schemas read from a registry carry plain numbers.
 */
export type JsonValue = null | boolean | number | bigint | string | JsonValue[] | JsonObject;
export interface JsonObject {
  [key: string]: JsonValue;
}

export type AvroSchemaJson = string | JsonObject | AvroSchemaJson[];

export const AVRO_PRIMITIVES: ReadonlySet<string> = new Set(['null', 'boolean', 'int', 'long', 'float', 'double', 'bytes', 'string']);

export function isJsonObject(value: JsonValue | undefined): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Parses schema text as a registry stores it (a JSON document). */
export function parseAvroSchemaText(text: string): AvroSchemaJson {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw schemaError('SCHEMA_INVALID_AVRO', `Avro schema text is not valid JSON (${(error as Error).message}): ${text.slice(0, 120)}`, {
      cause: error,
    });
  }
  if (typeof parsed === 'string' || Array.isArray(parsed) || (typeof parsed === 'object' && parsed !== null)) {
    return parsed as AvroSchemaJson;
  }
  throw schemaError('SCHEMA_INVALID_AVRO', `Avro schema text must be a JSON string, object or array, got: ${text.slice(0, 120)}`);
}

// Reserved keys per Avro Java's Schema (SCHEMA_RESERVED / ENUM_RESERVED / FIELD_RESERVED): everything else on a
// node is a "prop" and is written back after the structural keys, in document order.
const SCHEMA_RESERVED = new Set(['doc', 'fields', 'items', 'name', 'namespace', 'size', 'symbols', 'values', 'type', 'aliases']);
const ENUM_RESERVED = new Set([...SCHEMA_RESERVED, 'default']);
const FIELD_RESERVED = new Set(['default', 'doc', 'name', 'order', 'type', 'aliases']);

/** Serialises JSON like Jackson does for Avro (compact, keys in insertion order), with bigint written exactly. */
export function stringifyJson(value: JsonValue): string {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value);
    case 'number':
      return Number.isFinite(value) ? JSON.stringify(value) : 'null';
    case 'bigint':
      return value.toString();
    case 'boolean':
      return value ? 'true' : 'false';
    default:
      break;
  }
  if (Array.isArray(value)) return `[${value.map(stringifyJson).join(',')}]`;
  const parts: string[] = [];
  for (const [key, item] of Object.entries(value)) parts.push(`${JSON.stringify(key)}:${stringifyJson(item)}`);
  return `{${parts.join(',')}}`;
}

interface AvroName {
  name: string;
  space: string | null;
  full: string;
}

/** Avro Java's `Name`: a dotted name carries its own namespace; "" means the null namespace. */
export function parseAvroName(name: string, space: string | null): AvroName {
  const lastDot = name.lastIndexOf('.');
  let resolvedSpace = lastDot < 0 ? space : name.slice(0, lastDot);
  const short = lastDot < 0 ? name : name.slice(lastDot + 1);
  if (resolvedSpace === '') resolvedSpace = null;
  return { name: short, space: resolvedSpace, full: resolvedSpace === null ? short : `${resolvedSpace}.${short}` };
}

/** `Name.getQualified`: the short name when the namespace is the enclosing one (and it is not a type keyword). */
function qualified(name: AvroName, current: string | null): string {
  if (name.space !== null && name.space === current && !AVRO_PRIMITIVES.has(name.name) && !COMPLEX_TYPES.has(name.name)) return name.name;
  return name.full;
}
// Avro Java's Schema.Type names: a short name equal to one of these must be written qualified.
const COMPLEX_TYPES = new Set(['record', 'enum', 'array', 'map', 'fixed', 'union']);

/**
 * The text a Confluent registry stores for an Avro schema: Avro Java's `Schema.toString()` of the parsed schema
 * (AvroSchema.canonicalString). Reproducing it means Ferry registers byte-identical text to what Connect's
 * AvroConverter registers for the same table, so both get the same schema id, and whitespace or a primitive
 * written as `{"type":"string"}` never creates a new version. Verified against apache/avro
 * lang/java/avro/src/main/java/org/apache/avro/Schema.java (toJson, fieldsToJson, Name.writeName, the
 * *_RESERVED sets). Known gap: Jackson writes a double default 1.0 as `1.0`, JSON.parse has already made it 1.
 */
export function canonicalAvroString(schema: AvroSchemaJson): string {
  return write(schema, null, new Set<string>());
}

function write(node: JsonValue, namespace: string | null, known: Set<string>): string {
  if (typeof node === 'string') {
    if (AVRO_PRIMITIVES.has(node)) return JSON.stringify(node);
    const ref = parseAvroName(node, namespace);
    return JSON.stringify(qualified(ref, namespace));
  }
  if (Array.isArray(node)) return `[${node.map((branch) => write(branch, namespace, known)).join(',')}]`;
  if (!isJsonObject(node)) {
    throw schemaError('SCHEMA_INVALID_AVRO', `Not an Avro schema: ${stringifyJson(node)}`);
  }
  const type = node.type;
  if (typeof type !== 'string') {
    // `{"type": {...}}` wraps another schema; Java rejects it but several producers write it, so unwrap.
    if (type !== undefined && type !== null) return write(type, namespace, known);
    throw schemaError('SCHEMA_INVALID_AVRO', `Avro schema node has no "type": ${stringifyJson(node).slice(0, 120)}`);
  }
  if (AVRO_PRIMITIVES.has(type)) {
    const props = propsOf(node, SCHEMA_RESERVED);
    return props.length === 0 ? JSON.stringify(type) : `{"type":${JSON.stringify(type)},${props.join(',')}}`;
  }
  switch (type) {
    case 'record':
    case 'error':
      return writeNamed(node, type, namespace, known, (name, parts) => {
        const fields = Array.isArray(node.fields) ? node.fields : [];
        parts.push(`"fields":[${fields.map((field) => writeField(field, name.space, known)).join(',')}]`);
      });
    case 'enum':
      return writeNamed(node, 'enum', namespace, known, (_name, parts) => {
        parts.push(`"symbols":${stringifyJson(node.symbols ?? [])}`);
        if (typeof node.default === 'string') parts.push(`"default":${JSON.stringify(node.default)}`);
      });
    case 'fixed':
      return writeNamed(node, 'fixed', namespace, known, (_name, parts) => {
        parts.push(`"size":${stringifyJson(node.size ?? 0)}`);
      });
    case 'array':
      return joinObject([`"type":"array"`, `"items":${write(node.items ?? null, namespace, known)}`, ...propsOf(node, SCHEMA_RESERVED)]);
    case 'map':
      return joinObject([`"type":"map"`, `"values":${write(node.values ?? null, namespace, known)}`, ...propsOf(node, SCHEMA_RESERVED)]);
    default: {
      // A named type referenced as {"type": "com.acme.Money"}.
      const ref = parseAvroName(type, namespace);
      return JSON.stringify(qualified(ref, namespace));
    }
  }
}

function writeNamed(
  node: JsonObject,
  type: string,
  namespace: string | null,
  known: Set<string>,
  body: (name: AvroName, parts: string[]) => void,
): string {
  const explicitSpace = typeof node.namespace === 'string' ? node.namespace : null;
  const name = parseAvroName(typeof node.name === 'string' ? node.name : '', explicitSpace ?? namespace);
  // A second definition of a known name is written as a reference, as Java does (writeNameRef).
  if (known.has(name.full)) return JSON.stringify(qualified(name, namespace));
  known.add(name.full);
  const parts = [`"type":${JSON.stringify(type)}`, `"name":${JSON.stringify(name.name)}`];
  if (name.space !== null) {
    if (name.space !== namespace) parts.push(`"namespace":${JSON.stringify(name.space)}`);
  } else if (namespace !== null) {
    parts.push('"namespace":""');
  }
  if (typeof node.doc === 'string') parts.push(`"doc":${JSON.stringify(node.doc)}`);
  body(name, parts);
  parts.push(...propsOf(node, type === 'enum' ? ENUM_RESERVED : SCHEMA_RESERVED));
  if (Array.isArray(node.aliases) && node.aliases.length > 0) {
    const aliases = node.aliases.filter((a): a is string => typeof a === 'string').map((a) => qualified(parseAvroName(a, name.space), name.space));
    parts.push(`"aliases":${stringifyJson(aliases)}`);
  }
  return joinObject(parts);
}

function writeField(field: JsonValue, namespace: string | null, known: Set<string>): string {
  if (!isJsonObject(field)) throw schemaError('SCHEMA_INVALID_AVRO', `Avro record field is not an object: ${stringifyJson(field)}`);
  const parts = [`"name":${JSON.stringify(typeof field.name === 'string' ? field.name : '')}`, `"type":${write(field.type ?? null, namespace, known)}`];
  if (typeof field.doc === 'string') parts.push(`"doc":${JSON.stringify(field.doc)}`);
  if (field.default !== undefined) parts.push(`"default":${stringifyJson(field.default)}`);
  if (typeof field.order === 'string' && field.order.toLowerCase() !== 'ascending') parts.push(`"order":${JSON.stringify(field.order.toLowerCase())}`);
  if (Array.isArray(field.aliases) && field.aliases.length > 0) parts.push(`"aliases":${stringifyJson(field.aliases)}`);
  parts.push(...propsOf(field, FIELD_RESERVED));
  return joinObject(parts);
}

function propsOf(node: JsonObject, reserved: ReadonlySet<string>): string[] {
  const props: string[] = [];
  for (const [key, value] of Object.entries(node)) {
    if (!reserved.has(key)) props.push(`${JSON.stringify(key)}:${stringifyJson(value)}`);
  }
  return props;
}

function joinObject(parts: string[]): string {
  return `{${parts.join(',')}}`;
}

/** Full name of a named top-level schema (what RecordNameStrategy registers under), or undefined. */
export function avroFullName(schema: AvroSchemaJson): string | undefined {
  if (!isJsonObject(schema) || typeof schema.name !== 'string') return undefined;
  return parseAvroName(schema.name, typeof schema.namespace === 'string' ? schema.namespace : null).full;
}
