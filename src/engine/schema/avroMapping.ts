import type { EngineError } from '../../shared/errors';
import type { FieldSchema, FieldType, FieldValue, PrimitiveFieldType, RecordSchema, SemanticType } from '../model';
import {
  AVRO_PRIMITIVES,
  type AvroSchemaJson,
  isJsonObject,
  type JsonObject,
  type JsonValue,
  parseAvroName,
  parseAvroSchemaText,
  stringifyJson,
} from './avroJson';
import { bigintToTwosComplement, decimalToUnscaled, twosComplementToBigint, unscaledToDecimal } from './decimal';
import { schemaError } from './errors';

/**
 * Ferry's RecordSchema ⇄ Avro schema JSON, shaped exactly as Confluent's AvroConverter (AvroData) writes and
 * reads Kafka Connect schemas. Verified against confluentinc/schema-registry
 * avro-data/src/main/java/io/confluent/connect/avro/AvroData.java (master @ 794611bd86d):
 *  - fromConnectSchema: INT8/INT16 → `int` + `connect.type`; Decimal → bytes with `scale`, `precision`
 *    (default 64), then `connect.version`, `connect.parameters`, `connect.name`, then `logicalType` (Avro's
 *    LinkedHashMap props keep that insertion order); Date/Time/Timestamp likewise with date/time-millis/
 *    timestamp-millis; records get `connect.name` = the Connect schema name, split at the last dot into
 *    namespace + name; an unnamed struct becomes io.confluent.connect.avro.ConnectDefault.
 *  - maybeMakeOptional / addAvroRecordField: optional → ["null", T] with default null, but [T, "null"] with the
 *    field default when the column has one; a default also adds `connect.default` to the type.
 *  - toConnectSchema: only date, time-millis, timestamp-millis and decimal are logical types; the name comes
 *    from `connect.name`, else the Avro full name; [null, T] unions in either order are optional; enums become
 *    strings; decimal precision defaults to 64 when absent.
 * And against confluentinc/kafka-connect-jdbc GenericDatabaseDialect.addFieldToSchema / SchemaMapping (master @
 * 388d41d6): the table-mode value schema is named after the bare table, DECIMAL columns are
 * `Decimal.builder(scale)` plus parameter `connect.decimal.precision`, and no column defaults are set.
 */

export const CONNECT_NAMESPACE = 'io.confluent.connect.avro';
export const CONNECT_DEFAULT_NAME = 'ConnectDefault';
export const CONNECT_DECIMAL = 'org.apache.kafka.connect.data.Decimal';
export const CONNECT_DATE = 'org.apache.kafka.connect.data.Date';
export const CONNECT_TIME = 'org.apache.kafka.connect.data.Time';
export const CONNECT_TIMESTAMP = 'org.apache.kafka.connect.data.Timestamp';
/** AvroData's CONNECT_AVRO_DECIMAL_PRECISION_DEFAULT: used when an Avro decimal has no precision. */
export const DEFAULT_DECIMAL_PRECISION = 64;
/**
 * Field property holding a column's own name when it is not a valid Avro name (`order by` → field `order_by`).
 * Connect's scrubbing loses the original; Ferry keeps it here so its sinks write to the column the source had, as
 * the docs promise. Other consumers see the scrubbed field name and ignore the property.
 */
export const ORIGINAL_NAME_PROPERTY = 'ferry.original.name';

export type AvroFieldJson = JsonObject & { name: string; type: AvroSchemaJson };
export type AvroRecordJson = JsonObject & { type: 'record'; name: string; fields: AvroFieldJson[] };

const MS_PER_DAY = 86_400_000;

// ---------------------------------------------------------------------------------------------- names

function isNameChar(code: number): boolean {
  return (code >= 48 && code <= 57) || (code >= 65 && code <= 90) || (code >= 97 && code <= 122) || code === 95;
}

/** Java's URLEncoder.encode(s, "UTF-8"): keeps [A-Za-z0-9.*_-], space → '+', every other byte → %XX. */
function javaUrlEncode(text: string): string {
  let out = '';
  for (const byte of Buffer.from(text, 'utf8')) {
    if (isNameChar(byte) || byte === 0x2e || byte === 0x2a || byte === 0x2d) out += String.fromCharCode(byte);
    else if (byte === 0x20) out += '+';
    else out += `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

/**
 * A valid Avro name for any text, by AvroData.doScrubName (what Connect does with scrub.invalid.names=true):
 * valid names are kept as they are; otherwise URL-encode, prefix "x" if it starts with a digit, and replace every
 * remaining invalid character with "_". Table and column names with dashes or spaces then still register, where
 * Connect with its default (scrub.invalid.names=false) fails on them.
 */
export function scrubAvroName(name: string): string {
  if (name.length === 0) return name;
  let ok = true;
  for (let i = 0; i < name.length; i += 1) if (!isNameChar(name.charCodeAt(i))) ok = false;
  const first = name.charCodeAt(0);
  if (ok && !(first >= 48 && first <= 57)) return name;
  let encoded = javaUrlEncode(name);
  const head = encoded.charCodeAt(0);
  if (head >= 48 && head <= 57) encoded = `x${encoded}`;
  let out = '';
  for (let i = 0; i < encoded.length; i += 1) out += isNameChar(encoded.charCodeAt(i)) ? encoded[i] : '_';
  return out;
}

/** AvroData.splitName with scrubbing: namespace = everything before the last dot, each part scrubbed. */
function splitConnectName(name: string): { namespace: string | null; name: string } {
  const parts = name.split('.').map(scrubAvroName);
  const last = parts.pop() ?? '';
  return { namespace: parts.length > 0 ? parts.join('.') : null, name: last };
}

// ---------------------------------------------------------------------------------------------- Connect → Avro

/**
 * The Avro schema Confluent's AvroConverter registers for a Connect schema equivalent to `schema`. Key order
 * matters: Ferry registers `canonicalAvroString` of this object, which then equals Connect's text byte for byte.
 */
export function recordSchemaToAvro(schema: RecordSchema): AvroRecordJson {
  const named = schema.name.length > 0;
  const { namespace, name } = named ? splitConnectName(schema.name) : { namespace: CONNECT_NAMESPACE, name: CONNECT_DEFAULT_NAME };
  const record: JsonObject = { type: 'record', name };
  if (namespace !== null) record.namespace = namespace;
  const seen = new Map<string, string>();
  record.fields = schema.fields.map((field) => {
    const avroName = scrubAvroName(field.name);
    const clash = seen.get(avroName);
    if (clash !== undefined) {
      throw schemaError(
        'SCHEMA_UNSUPPORTED_TYPE',
        `Columns '${clash}' and '${field.name}' of '${schema.name}' both become the Avro field name '${avroName}'. ` +
          'Rename one of them (or alias it in the source query) so the names differ in letters, digits and underscores.',
      );
    }
    seen.set(avroName, field.name);
    const avroField = fieldToAvro(field, avroName, schema.name);
    if (avroName !== field.name) avroField[ORIGINAL_NAME_PROPERTY] = field.name;
    return avroField;
  });
  if (named) record['connect.name'] = schema.name;
  return record as AvroRecordJson;
}

function fieldToAvro(field: FieldSchema, avroName: string, recordName: string): AvroFieldJson {
  const hasDefault = field.defaultValue !== undefined && field.defaultValue !== null;
  const base = connectTypeToAvro(field.type);
  let defaultJson: JsonValue | undefined;
  if (hasDefault) {
    defaultJson = defaultToAvro(field, recordName);
    // AvroData puts the Connect default on the type as well (connect.default), before connect.name.
    const annotated: JsonObject = typeof base === 'string' ? { type: base } : { ...base };
    insertBefore(annotated, ['connect.name', 'connect.type', 'logicalType'], 'connect.default', defaultJson);
    return buildField(avroName, field.optional ? [annotated, 'null'] : annotated, defaultJson);
  }
  return buildField(avroName, field.optional ? ['null', base] : base, field.optional ? null : undefined);
}

function buildField(name: string, type: AvroSchemaJson, defaultJson: JsonValue | undefined): AvroFieldJson {
  const field: JsonObject = { name, type };
  if (defaultJson !== undefined) field.default = defaultJson;
  return field as AvroFieldJson;
}

/** Inserts `key` before the first of `before` present in `node`, keeping every other key's position. */
function insertBefore(node: JsonObject, before: readonly string[], key: string, value: JsonValue): void {
  const entries = Object.entries(node);
  const at = entries.findIndex(([k]) => before.includes(k));
  entries.splice(at < 0 ? entries.length : at, 0, [key, value]);
  for (const k of Object.keys(node)) delete node[k];
  for (const [k, v] of entries) node[k] = v;
}

function connectTypeToAvro(type: FieldType): string | JsonObject {
  if (type.kind !== 'decimal' && type.kind !== 'date' && type.kind !== 'time' && type.kind !== 'timestamp' && type.semantic) {
    return semanticToAvro(connectTypeToAvro({ kind: type.kind }), type.semantic);
  }
  switch (type.kind) {
    case 'int8':
    case 'int16':
      return { type: 'int', 'connect.type': type.kind };
    case 'int32':
      return 'int';
    case 'int64':
      return 'long';
    case 'float32':
      return 'float';
    case 'float64':
      return 'double';
    case 'boolean':
      return 'boolean';
    case 'string':
      return 'string';
    case 'bytes':
      return 'bytes';
    case 'decimal':
      return {
        type: 'bytes',
        scale: type.scale,
        precision: type.precision,
        'connect.version': 1,
        'connect.parameters': { scale: String(type.scale), 'connect.decimal.precision': String(type.precision) },
        'connect.name': CONNECT_DECIMAL,
        logicalType: 'decimal',
      };
    case 'date':
      return { type: 'int', 'connect.version': 1, 'connect.name': CONNECT_DATE, logicalType: 'date' };
    case 'time':
      return { type: 'int', 'connect.version': 1, 'connect.name': CONNECT_TIME, logicalType: 'time-millis' };
    case 'timestamp':
      return { type: 'long', 'connect.version': 1, 'connect.name': CONNECT_TIMESTAMP, logicalType: 'timestamp-millis' };
  }
}

/** AvroData.fromConnectSchema for a named primitive: `connect.version`, `connect.parameters`, then `connect.name`. */
function semanticToAvro(base: string | JsonObject, semantic: SemanticType): JsonObject {
  const node: JsonObject = typeof base === 'string' ? { type: base } : { ...base };
  if (semantic.version !== undefined) node['connect.version'] = semantic.version;
  if (semantic.parameters && Object.keys(semantic.parameters).length > 0) node['connect.parameters'] = { ...semantic.parameters };
  node['connect.name'] = semantic.name;
  return node;
}

/** AvroData.defaultValueFromConnect: logical values as their Avro underlying form, bytes as ISO-8859-1 text. */
function defaultToAvro(field: FieldSchema, recordName: string): JsonValue {
  const value = field.defaultValue;
  const bad = (): never => {
    throw schemaError(
      'SCHEMA_VALUE_INVALID',
      `The default of column '${field.name}' in '${recordName}' does not fit its type ${describeFieldType(field.type)}: ${String(value)}. ` +
        'Fix the column default in the source or leave defaultValue unset.',
    );
  };
  switch (field.type.kind) {
    case 'int8':
    case 'int16':
    case 'int32':
    case 'float32':
    case 'float64':
      return typeof value === 'number' ? value : typeof value === 'bigint' ? Number(value) : bad();
    case 'int64':
      if (typeof value === 'bigint') return Number.isSafeInteger(Number(value)) ? Number(value) : value;
      return typeof value === 'number' && Number.isInteger(value) ? value : bad();
    case 'boolean':
      return typeof value === 'boolean' ? value : bad();
    case 'string':
      return typeof value === 'string' ? value : bad();
    case 'bytes':
      return value instanceof Uint8Array ? Buffer.from(value).toString('latin1') : bad();
    case 'decimal': {
      const unscaled = decimalToUnscaled(typeof value === 'string' || typeof value === 'number' || typeof value === 'bigint' ? String(value) : '', field.type.scale);
      return typeof unscaled === 'bigint' ? bigintToTwosComplement(unscaled).toString('latin1') : bad();
    }
    case 'date':
      return value instanceof Date ? Math.floor(value.getTime() / MS_PER_DAY) : bad();
    case 'time':
      return typeof value === 'number' ? value : bad();
    case 'timestamp':
      return value instanceof Date ? value.getTime() : bad();
  }
}

export function describeFieldType(type: FieldType): string {
  return type.kind === 'decimal' ? `decimal(${type.precision},${type.scale})` : type.kind;
}

// ---------------------------------------------------------------------------------------------- Avro → Connect

export interface AvroReadOptions {
  /**
   * Also read `timestamp-micros`, `local-timestamp-millis`, `local-timestamp-micros` as timestamps and
   * `time-micros` as times (truncated to milliseconds, Ferry's precision). Off by default because Confluent's
   * AvroConverter ignores them and hands sinks a plain INT64, so a Connect JDBC sink creates BIGINT columns;
   * matching that keeps Ferry's target tables identical to Connect's. Turn it on for topics written by plain
   * producers (Spark, Flink, fastavro) where a temporal column is what the user expects.
   */
  honourMicros?: boolean;
}

/** How one Avro field maps, shared with the codec so both sides decide the same way. */
export interface AvroFieldMapping {
  /** `field.name` is the column's own name (ORIGINAL_NAME_PROPERTY when the writer scrubbed it). */
  field: FieldSchema;
  /** The field's name in the Avro record, which the wire data is read by. */
  avroName: string;
  /** The field's Avro type with the null branch removed (named references resolved). */
  node: string | JsonObject;
  /** Unit of the wire value for time and timestamp fields. */
  unit: 'ms' | 'us';
}

/**
 * The RecordSchema for an Avro record schema written by Connect, Debezium or any producer. Shapes a flat row
 * cannot hold (nested records, arrays, maps, unions other than [null, T]) fail with an error naming the field.
 */
export function avroToRecordSchema(avro: AvroSchemaJson, options: AvroReadOptions = {}): RecordSchema {
  return mapAvroRecord(avro, options).schema;
}

export interface AvroRecordMapping {
  record: AvroRecordJson;
  schema: RecordSchema;
  /** One per field, in order. */
  fields: AvroFieldMapping[];
}

export function mapAvroRecord(avro: AvroSchemaJson, options: AvroReadOptions = {}): AvroRecordMapping {
  const record = toRecordNode(avro);
  const recordName = avroRecordName(record);
  const space = parseAvroName(typeof record.name === 'string' ? record.name : '', typeof record.namespace === 'string' ? record.namespace : null).space;
  const named = new Map<string, JsonObject>();
  const fieldsJson = record.fields as JsonValue[];
  const fields = fieldsJson.map((fieldJson) => {
    if (!isJsonObject(fieldJson) || typeof fieldJson.name !== 'string') {
      throw schemaError('SCHEMA_INVALID_AVRO', `Record '${recordName}' has a field without a name: ${stringifyJson(fieldJson).slice(0, 120)}`);
    }
    const original = fieldJson[ORIGINAL_NAME_PROPERTY];
    const mapped = mapField(fieldJson, typeof original === 'string' && original !== '' ? original : fieldJson.name, recordName, space, named, options);
    return { ...mapped, avroName: fieldJson.name };
  });
  return { record: record as AvroRecordJson, schema: { name: recordName, fields: fields.map((m) => m.field) }, fields };
}

function toRecordNode(avro: AvroSchemaJson): JsonObject {
  const node = typeof avro === 'string' && !AVRO_PRIMITIVES.has(avro) ? parseAvroSchemaText(avro) : avro;
  if (!isJsonObject(node) || (node.type !== 'record' && node.type !== 'error') || !Array.isArray(node.fields)) {
    const shown = typeof node === 'string' ? node : stringifyJson(node);
    throw schemaError(
      'SCHEMA_UNSUPPORTED_TYPE',
      `Ferry maps Avro records to rows, but this schema is ${shown.slice(0, 120)}. ` +
        'Use a record schema (every Connect JDBC source and Debezium-unwrapped topic has one).',
    );
  }
  return node;
}

/** `connect.name` when present, else the Avro full name; Connect's ConnectDefault placeholder means unnamed. */
function avroRecordName(record: JsonObject): string {
  const connectName = record['connect.name'];
  const name =
    typeof connectName === 'string'
      ? connectName
      : parseAvroName(typeof record.name === 'string' ? record.name : '', typeof record.namespace === 'string' ? record.namespace : null).full;
  return name.startsWith(`${CONNECT_NAMESPACE}.${CONNECT_DEFAULT_NAME}`) ? '' : name;
}

function mapField(
  fieldJson: JsonObject,
  name: string,
  recordName: string,
  space: string | null,
  named: Map<string, JsonObject>,
  options: AvroReadOptions,
): Omit<AvroFieldMapping, 'avroName'> {
  const where = `Field '${name}' of '${recordName || 'the record'}'`;
  let typeNode = fieldJson.type;
  let optional = false;
  if (Array.isArray(typeNode)) {
    const branches = typeNode.filter((branch) => !isNullSchema(branch));
    optional = branches.length < typeNode.length;
    if (branches.length !== 1) {
      throw schemaError(
        'SCHEMA_UNSUPPORTED_TYPE',
        `${where} is the Avro union ${stringifyJson(typeNode).slice(0, 120)}. Ferry rows hold one type per column, so only ` +
          '["null", T] (an optional column) is supported; split the union into separate fields upstream.',
      );
    }
    typeNode = branches[0];
  }
  const node = resolveNode(typeNode ?? null, space, named, where);
  const { type, unit } = classify(node, where, options);
  const field: FieldSchema = { name, type, optional };
  const defaultValue = fieldJson.default !== undefined ? fieldJson.default : isJsonObject(node) ? node['connect.default'] : undefined;
  if (defaultValue !== undefined && defaultValue !== null) {
    const converted = defaultFromAvro(defaultValue, type, unit);
    if (converted !== undefined) field.defaultValue = converted;
  }
  const sourceType = sourceTypeOf(node);
  if (sourceType !== undefined) field.sourceType = sourceType;
  return { field, node, unit };
}

function isNullSchema(node: JsonValue): boolean {
  return node === 'null' || (isJsonObject(node) && node.type === 'null');
}

/** Follows named references and registers named definitions, so a type defined once can be used again by name. */
function resolveNode(node: JsonValue, space: string | null, named: Map<string, JsonObject>, where: string): string | JsonObject {
  if (typeof node === 'string') {
    if (AVRO_PRIMITIVES.has(node)) return node;
    const definition = named.get(parseAvroName(node, space).full) ?? named.get(node);
    if (definition === undefined) {
      throw schemaError('SCHEMA_INVALID_AVRO', `${where} refers to the Avro type '${node}', which is not defined before it in the schema.`);
    }
    return definition;
  }
  if (isJsonObject(node)) {
    if (isJsonObject(node.type) || Array.isArray(node.type)) return resolveNode(node.type, space, named, where);
    if (typeof node.name === 'string' && (node.type === 'enum' || node.type === 'fixed' || node.type === 'record')) {
      const full = parseAvroName(node.name, typeof node.namespace === 'string' ? node.namespace : space);
      named.set(full.full, node);
    }
    return node;
  }
  throw schemaError('SCHEMA_INVALID_AVRO', `${where} has no valid Avro type: ${stringifyJson(node).slice(0, 120)}`);
}

function prop(node: string | JsonObject, key: string): JsonValue | undefined {
  return typeof node === 'string' ? undefined : node[key];
}

function connectParameter(node: string | JsonObject, key: string): string | undefined {
  const params = prop(node, 'connect.parameters');
  const value = isJsonObject(params) ? params[key] : undefined;
  return typeof value === 'string' ? value : undefined;
}

const MICROS_TIMESTAMPS = new Set(['timestamp-micros', 'local-timestamp-micros']);

/**
 * Debezium's io.debezium.time types by `<avro type> <connect.name>` (debezium.io, "temporal types"): Date = days,
 * Time = ms and MicroTime = µs of the day, Timestamp = ms and MicroTimestamp = µs since the epoch (a wall clock read
 * as UTC), ZonedTimestamp = ISO-8601 text with its offset. Nano types and ZonedTime stay int64/string with their name.
 */
const DEBEZIUM_TEMPORAL: Readonly<Record<string, { type: FieldType; unit: 'ms' | 'us' }>> = {
  'int io.debezium.time.Date': { type: { kind: 'date' }, unit: 'ms' },
  'int io.debezium.time.Time': { type: { kind: 'time' }, unit: 'ms' },
  'long io.debezium.time.MicroTime': { type: { kind: 'time' }, unit: 'us' },
  'long io.debezium.time.Timestamp': { type: { kind: 'timestamp' }, unit: 'ms' },
  'long io.debezium.time.MicroTimestamp': { type: { kind: 'timestamp' }, unit: 'us' },
  'string io.debezium.time.ZonedTimestamp': { type: { kind: 'timestamp' }, unit: 'ms' },
};

/** A primitive with the Connect name, version and parameters its writer gave it (Debezium's Json, Uuid, Enum, Bits…). */
function semanticOf(node: string | JsonObject, kind: PrimitiveFieldType): FieldType {
  const name = prop(node, 'connect.name');
  if (typeof name !== 'string' || name === '') return { kind };
  const semantic: SemanticType = { name };
  const version = prop(node, 'connect.version');
  if (typeof version === 'number') semantic.version = version;
  const params = prop(node, 'connect.parameters');
  if (isJsonObject(params)) {
    const parameters: Record<string, string> = {};
    for (const [key, value] of Object.entries(params)) if (typeof value === 'string') parameters[key] = value;
    if (Object.keys(parameters).length > 0) semantic.parameters = parameters;
  }
  return { kind, semantic };
}

function classify(node: string | JsonObject, where: string, options: AvroReadOptions): { type: FieldType; unit: 'ms' | 'us' } {
  const avroType = typeof node === 'string' ? node : node.type;
  const logicalRaw = prop(node, 'logicalType');
  // AvroData compares logical type names with equalsIgnoreCase.
  const logical = typeof logicalRaw === 'string' ? logicalRaw.toLowerCase() : undefined;
  const connectName = prop(node, 'connect.name');
  const ms = (type: FieldType): { type: FieldType; unit: 'ms' | 'us' } => ({ type, unit: 'ms' });
  // Debezium's temporal types are read as the dates, times and instants they stand for (a sink creates DATE, TIME and
  // TIMESTAMP columns for them, as Debezium's JDBC sink does); its other semantic types keep their name.
  const debeziumTime = logical === undefined && typeof connectName === 'string' ? DEBEZIUM_TEMPORAL[`${String(avroType)} ${connectName}`] : undefined;
  if (debeziumTime) return debeziumTime;
  const named = (kind: PrimitiveFieldType): { type: FieldType; unit: 'ms' | 'us' } => ms(semanticOf(node, kind));
  switch (avroType) {
    case 'boolean':
      return named('boolean');
    case 'float':
      return named('float32');
    case 'double':
      return named('float64');
    case 'string':
      return named('string');
    case 'enum': // AvroData unwraps enums to strings; the symbols are not kept.
      return ms({ kind: 'string' });
    case 'int': {
      if (logical === 'date') return ms({ kind: 'date' });
      if (logical === 'time-millis') return ms({ kind: 'time' });
      // A Connect logical schema is identified by its name, so Connect-written types without logicalType count.
      if (logical === undefined && connectName === CONNECT_DATE) return ms({ kind: 'date' });
      if (logical === undefined && connectName === CONNECT_TIME) return ms({ kind: 'time' });
      const connectType = prop(node, 'connect.type');
      if (logical === undefined && (connectType === 'int8' || connectType === 'int16')) return named(connectType);
      return named('int32');
    }
    case 'long':
      if (logical === 'timestamp-millis' || (logical === undefined && connectName === CONNECT_TIMESTAMP)) return ms({ kind: 'timestamp' });
      if (options.honourMicros) {
        if (logical !== undefined && MICROS_TIMESTAMPS.has(logical)) return { type: { kind: 'timestamp' }, unit: 'us' };
        if (logical === 'local-timestamp-millis') return ms({ kind: 'timestamp' });
        if (logical === 'time-micros') return { type: { kind: 'time' }, unit: 'us' };
      }
      return named('int64');
    case 'bytes':
    case 'fixed': {
      if (logical === 'decimal') {
        const scale = prop(node, 'scale');
        const precision = prop(node, 'precision');
        if (precision !== undefined && typeof precision !== 'number') {
          throw schemaError('SCHEMA_INVALID_AVRO', `${where}: decimal "precision" must be a JSON integer, got ${stringifyJson(precision)}.`);
        }
        return ms({ kind: 'decimal', scale: typeof scale === 'number' ? scale : 0, precision: precision ?? DEFAULT_DECIMAL_PRECISION });
      }
      if (logical === undefined && connectName === CONNECT_DECIMAL) {
        const scale = Number(connectParameter(node, 'scale') ?? '0');
        const precision = Number(connectParameter(node, 'connect.decimal.precision') ?? DEFAULT_DECIMAL_PRECISION);
        return ms({ kind: 'decimal', scale, precision });
      }
      return named('bytes');
    }
    case 'record':
    case 'error':
      throw unsupported(where, 'a nested Avro record', 'Flatten it upstream (for Debezium envelopes use ExtractNewRecordState) or drop the field.');
    case 'array':
      throw unsupported(where, 'an Avro array', 'Ferry rows hold scalar columns; store it as a string (e.g. JSON) upstream or drop the field.');
    case 'map':
      throw unsupported(where, 'an Avro map', 'Ferry rows hold scalar columns; store it as a string (e.g. JSON) upstream or drop the field.');
    case 'null':
      throw unsupported(where, 'always null (Avro "null")', 'Drop the field upstream; it carries no data.');
    default:
      throw schemaError('SCHEMA_INVALID_AVRO', `${where} has the unknown Avro type ${stringifyJson(avroType ?? null)}.`);
  }
}

function unsupported(where: string, what: string, fix: string): EngineError {
  return schemaError('SCHEMA_UNSUPPORTED_TYPE', `${where} is ${what}, which Ferry cannot map to a table column. ${fix}`);
}

/** AvroData.defaultValueFromAvro for the types Ferry maps; an unusable default is ignored, as Connect does. */
function defaultFromAvro(value: JsonValue, type: FieldType, unit: 'ms' | 'us'): FieldValue | undefined {
  switch (type.kind) {
    case 'int8':
    case 'int16':
    case 'int32':
    case 'float32':
    case 'float64':
      return typeof value === 'number' ? value : undefined;
    case 'int64':
      return typeof value === 'number' && Number.isInteger(value) ? BigInt(value) : typeof value === 'bigint' ? value : undefined;
    case 'boolean':
      return typeof value === 'boolean' ? value : undefined;
    case 'string':
      return typeof value === 'string' ? value : undefined;
    case 'bytes':
      return typeof value === 'string' ? Buffer.from(value, 'latin1') : undefined;
    case 'decimal':
      return typeof value === 'string' ? unscaledToDecimal(twosComplementToBigint(Buffer.from(value, 'latin1')), type.scale) : undefined;
    case 'date':
      return typeof value === 'number' ? new Date(value * MS_PER_DAY) : undefined;
    case 'time':
      return typeof value === 'number' ? (unit === 'us' ? Math.floor(value / 1000) : value) : undefined;
    case 'timestamp':
      return typeof value === 'number' ? new Date(unit === 'us' ? Math.floor(value / 1000) : value) : undefined;
  }
}

/** Debezium (column.propagate.source.type) and TiCDC annotate the source column type; keep it for previews. */
function sourceTypeOf(node: string | JsonObject): string | undefined {
  const debezium = connectParameter(node, '__debezium.source.column.type');
  if (debezium !== undefined) {
    const length = connectParameter(node, '__debezium.source.column.length');
    const scale = connectParameter(node, '__debezium.source.column.scale');
    return length === undefined ? debezium : `${debezium}(${length}${scale === undefined ? '' : `,${scale}`})`;
  }
  return connectParameter(node, 'tidb_type');
}
