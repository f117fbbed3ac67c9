import type { FieldSchema, FieldType, FieldValue, PrimitiveFieldType, RecordSchema, Row } from '../model';
import type { ChangeEvent, DebeziumConnector, DecodedChangeEvent, EnvelopeFieldAccess, SourceInfo } from '../schema';
import { bigintToTwosComplement, decimalToUnscaled, twosComplementToBigint, unscaledToDecimal } from '../schema/decimal';
import { pipelineError } from './errors';

/**
 * Kafka Connect's JsonConverter with `schemas.enable=true`: every key and value is `{"schema": …, "payload": …}`,
 * the schema in Connect's JSON form (org.apache.kafka.connect.json.JsonConverter#asJsonSchema). This is the format
 * Debezium and the Debezium JDBC sink use when no Avro converter is on the class path, so Ferry writes and reads it
 * to exchange change events with a real Kafka Connect worker. Logical types are Connect's (`Decimal` as base64 of
 * the unscaled two's-complement bytes, `decimal.format=BASE64`; `Date` as days, `Time` as milliseconds of the day,
 * `Timestamp` as epoch milliseconds); reading also understands Debezium's own time types (`io.debezium.time.*`).
 */

/** One schema node as Connect's JsonConverter writes it. */
export interface ConnectJsonSchema {
  /** JsonConverter's names: FLOAT32 and FLOAT64 are `float` and `double`. */
  type: 'int8' | 'int16' | 'int32' | 'int64' | 'float' | 'double' | 'boolean' | 'string' | 'bytes' | 'struct' | 'array' | 'map';
  optional: boolean;
  name?: string;
  version?: number;
  parameters?: Record<string, string>;
  default?: unknown;
  /** Set on the members of a struct's `fields`. */
  field?: string;
  fields?: ConnectJsonSchema[];
}

const DECIMAL = 'org.apache.kafka.connect.data.Decimal';
const DATE = 'org.apache.kafka.connect.data.Date';
const TIME = 'org.apache.kafka.connect.data.Time';
const TIMESTAMP = 'org.apache.kafka.connect.data.Timestamp';
const DAY_MS = 86_400_000;
/** Precision Ferry assumes for a decimal whose writer did not say (Connect's Decimal carries only the scale). */
const UNKNOWN_DECIMAL_PRECISION = 38;

// ---------------------------------------------------------------------------------------------------------------
// Writing

/** Ferry's primitive kinds by JsonConverter's schema type names (JsonSchema.FLOAT_TYPE_NAME = "float", DOUBLE = "double"). */
const JSON_TYPE_NAMES: Record<PrimitiveFieldType, ConnectJsonSchema['type']> = {
  int8: 'int8',
  int16: 'int16',
  int32: 'int32',
  int64: 'int64',
  float32: 'float',
  float64: 'double',
  boolean: 'boolean',
  string: 'string',
  bytes: 'bytes',
};

function primitiveKindOf(type: string, where: string): PrimitiveFieldType {
  if (type === 'float' || type === 'float32') return 'float32';
  if (type === 'double' || type === 'float64') return 'float64';
  if (type in JSON_TYPE_NAMES) return type as PrimitiveFieldType;
  throw pipelineError('PIPELINE_CONVERTER', `${where}: "${type}" is not a Connect schema type.`);
}

function typeSchema(type: FieldType): Omit<ConnectJsonSchema, 'optional'> {
  switch (type.kind) {
    case 'decimal':
      return { type: 'bytes', name: DECIMAL, version: 1, parameters: { scale: String(type.scale), 'connect.decimal.precision': String(type.precision) } };
    case 'date':
      return { type: 'int32', name: DATE, version: 1 };
    case 'time':
      return { type: 'int32', name: TIME, version: 1 };
    case 'timestamp':
      return { type: 'int64', name: TIMESTAMP, version: 1 };
    default: {
      const semantic = type.semantic;
      if (!semantic) return { type: JSON_TYPE_NAMES[type.kind] };
      return {
        type: JSON_TYPE_NAMES[type.kind],
        name: semantic.name,
        ...(semantic.version !== undefined ? { version: semantic.version } : {}),
        ...(semantic.parameters && Object.keys(semantic.parameters).length > 0 ? { parameters: { ...semantic.parameters } } : {}),
      };
    }
  }
}

function fieldSchema(field: FieldSchema): ConnectJsonSchema {
  const schema: ConnectJsonSchema = { ...typeSchema(field.type), optional: field.optional, field: field.name };
  if (field.defaultValue !== undefined && field.defaultValue !== null) schema.default = toPayload(field.type, field.defaultValue, field.name);
  return schema;
}

/** The struct schema of a record (`optional` for an envelope's before/after). */
export function structSchemaOf(schema: RecordSchema, optional = false): ConnectJsonSchema {
  return { type: 'struct', fields: schema.fields.map(fieldSchema), optional, name: schema.name };
}

function toPayload(type: FieldType, value: FieldValue, name: string): unknown {
  if (value === null) return null;
  switch (type.kind) {
    case 'decimal': {
      const unscaled = decimalToUnscaled(String(value), type.scale);
      if (typeof unscaled !== 'bigint') {
        throw pipelineError('PIPELINE_CONVERTER', `Field '${name}': '${String(value)}' is not a decimal of scale ${type.scale}.`);
      }
      return bigintToTwosComplement(unscaled).toString('base64');
    }
    case 'date':
      return Math.floor(asMillis(value) / DAY_MS);
    case 'time':
      return typeof value === 'number' ? value : asMillis(value);
    case 'timestamp':
      return asMillis(value);
    case 'int64':
      return typeof value === 'bigint' ? value : BigInt(Math.trunc(Number(value)));
    case 'bytes':
      return Buffer.from(value instanceof Uint8Array ? value : Buffer.from(String(value), 'utf8')).toString('base64');
    default:
      return value instanceof Date ? value.getTime() : value;
  }
}

function asMillis(value: FieldValue): number {
  if (value instanceof Date) return value.getTime();
  if (typeof value === 'bigint') return Number(value);
  return Number(value);
}

function payloadOf(schema: RecordSchema, row: Row): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const field of schema.fields) out[field.name] = toPayload(field.type, row[field.name] ?? null, field.name);
  return out;
}

function schemalessPayload(row: Row): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(row)) {
    if (value instanceof Date) out[name] = value.getTime();
    else if (value instanceof Uint8Array) out[name] = Buffer.from(value).toString('base64');
    else if (typeof value === 'bigint') out[name] = Number.isSafeInteger(Number(value)) ? Number(value) : value.toString();
    else out[name] = value;
  }
  return out;
}

/**
 * JSON text in which bigints are written as plain integer literals (Connect writes int64 as a JSON number, and an id
 * beyond 2^53 must keep every digit). Objects keep their key order.
 */
export function stringifyJson(value: unknown): string {
  if (typeof value === 'bigint') return value.toString();
  if (value === null || value === undefined) return 'null';
  if (Array.isArray(value)) return `[${value.map(stringifyJson).join(',')}]`;
  if (typeof value === 'object') {
    const parts: string[] = [];
    for (const [key, member] of Object.entries(value as Record<string, unknown>)) {
      if (member !== undefined) parts.push(`${JSON.stringify(key)}:${stringifyJson(member)}`);
    }
    return `{${parts.join(',')}}`;
  }
  return JSON.stringify(value);
}

/** A row as `{"schema": <struct>, "payload": {…}}`; null stays null (a tombstone). */
export function rowToConnectJson(schema: RecordSchema, row: Row | null): Buffer | null {
  if (row === null) return null;
  return Buffer.from(stringifyJson({ schema: structSchemaOf(schema), payload: payloadOf(schema, row) }), 'utf8');
}

const optionalString = (field: string): ConnectJsonSchema => ({ type: 'string', optional: true, field });
const optionalInt64 = (field: string): ConnectJsonSchema => ({ type: 'int64', optional: true, field });

function sourceStruct(connector: DebeziumConnector): ConnectJsonSchema {
  const common: ConnectJsonSchema[] = [
    { type: 'string', optional: false, field: 'version' },
    { type: 'string', optional: false, field: 'connector' },
    { type: 'string', optional: false, field: 'name' },
    { type: 'int64', optional: false, field: 'ts_ms' },
    {
      type: 'string',
      optional: true,
      name: 'io.debezium.data.Enum',
      version: 1,
      parameters: { allowed: 'true,first,first_in_data_collection,last_in_data_collection,last,false,incremental' },
      default: 'false',
      field: 'snapshot',
    },
    { type: 'string', optional: false, field: 'db' },
    optionalString('sequence'),
    optionalInt64('ts_us'),
    optionalInt64('ts_ns'),
  ];
  const fields =
    connector === 'sqlserver'
      ? [...common, { type: 'string', optional: false, field: 'schema' } as const, { type: 'string', optional: false, field: 'table' } as const, optionalString('change_lsn'), optionalString('commit_lsn'), optionalInt64('event_serial_no')]
      : connector === 'postgresql'
      ? [...common, { type: 'string', optional: false, field: 'schema' } as const, { type: 'string', optional: false, field: 'table' } as const, optionalInt64('txId'), optionalInt64('lsn'), optionalInt64('xmin')]
      : [
          ...common,
          optionalString('table'),
          { type: 'int64', optional: false, field: 'server_id' } as const,
          optionalString('gtid'),
          { type: 'string', optional: false, field: 'file' } as const,
          { type: 'int64', optional: false, field: 'pos' } as const,
          { type: 'int32', optional: false, field: 'row' } as const,
          optionalInt64('thread'),
          optionalString('query'),
        ];
  // Debezium's Source struct carries schema version 1 (as in its own JSON output; see test/fixtures/debezium-3.5-*.json).
  return { type: 'struct', fields, optional: false, name: `io.debezium.connector.${connector}.Source`, version: 1, field: 'source' };
}

function sourcePayload(source: SourceInfo, version: string): Record<string, unknown> {
  const tsMs = Math.trunc(source.tsMs);
  const common = { version, connector: source.connector, name: source.name, ts_ms: tsMs, snapshot: source.snapshot, db: source.db };
  const times = { ts_us: BigInt(tsMs) * 1000n, ts_ns: BigInt(tsMs) * 1_000_000n };
  if (source.connector === 'sqlserver') {
    return { ...common, sequence: null, ...times, schema: source.schema, table: source.table, change_lsn: source.changeLsn, commit_lsn: source.commitLsn, event_serial_no: source.eventSerialNo };
  }
  if (source.connector === 'postgresql') {
    return { ...common, sequence: source.sequence, ...times, schema: source.schema, table: source.table, txId: source.txId, lsn: source.lsn, xmin: null };
  }
  return { ...common, sequence: null, ...times, table: source.table, server_id: source.serverId, gtid: source.gtid, file: source.file, pos: source.pos, row: source.row, thread: null, query: null };
}

/**
 * A Debezium change event as Debezium with JsonConverter writes it: struct `<topic>.Envelope` (version 2) with
 * `before`/`after` of `<topic>.Value`, the connector's `Source`, `transaction` (`event.block`), `op` and the
 * `ts_*` fields, in debeziumEnvelope.ts's order. Without schemas (`schemas.enable=false`) only the payload.
 */
export function changeEventToConnectJson(topic: string, valueSchema: RecordSchema, connector: DebeziumConnector, event: ChangeEvent, version: string, withSchemas: boolean): Buffer {
  const tsMs = Math.trunc(event.tsMs);
  // Without schemas a reader cannot know a decimal's scale or a date's unit: Ferry's schemaless values (jsonConverter.ts).
  const image = (row: Row | null): Record<string, unknown> | null => (row === null ? null : withSchemas ? payloadOf(valueSchema, row) : schemalessPayload(row));
  const payload = {
    before: image(event.before),
    after: image(event.after),
    source: sourcePayload(event.source, version),
    transaction: event.transaction ? { id: event.transaction.id, total_order: event.transaction.totalOrder, data_collection_order: event.transaction.dataCollectionOrder } : null,
    op: event.op,
    ts_ms: tsMs,
    ts_us: BigInt(tsMs) * 1000n,
    ts_ns: BigInt(tsMs) * 1_000_000n,
  };
  if (!withSchemas) return Buffer.from(stringifyJson(payload), 'utf8');
  const value = structSchemaOf(valueSchema, true);
  const schema: ConnectJsonSchema = {
    type: 'struct',
    fields: [
      { ...value, field: 'before' },
      { ...value, field: 'after' },
      sourceStruct(connector),
      {
        type: 'struct',
        fields: [
          { type: 'string', optional: false, field: 'id' },
          { type: 'int64', optional: false, field: 'total_order' },
          { type: 'int64', optional: false, field: 'data_collection_order' },
        ],
        optional: true,
        name: 'event.block',
        version: 1,
        field: 'transaction',
      },
      { type: 'string', optional: false, field: 'op' },
      optionalInt64('ts_ms'),
      optionalInt64('ts_us'),
      optionalInt64('ts_ns'),
    ],
    optional: false,
    name: `${topic}.Envelope`,
    version: 2,
  };
  return Buffer.from(stringifyJson({ schema, payload }), 'utf8');
}

// ---------------------------------------------------------------------------------------------------------------
// Reading

/**
 * JSON.parse that keeps integers beyond 2^53 exact: outside strings, an integer literal of 16 or more digits is
 * quoted before parsing, and the reader turns it into a bigint where the schema says int64.
 */
export function parseJsonLossless(text: string): unknown {
  let out = '';
  let index = 0;
  let inString = false;
  while (index < text.length) {
    const char = text[index] as string;
    if (inString) {
      out += char;
      if (char === '\\') {
        out += text[index + 1] ?? '';
        index += 2;
        continue;
      }
      if (char === '"') inString = false;
      index += 1;
      continue;
    }
    if (char === '"') {
      inString = true;
      out += char;
      index += 1;
      continue;
    }
    if (char === '-' || (char >= '0' && char <= '9')) {
      const match = /^-?\d+(\.\d+)?([eE][+-]?\d+)?/.exec(text.slice(index, index + 400));
      const literal = match?.[0] ?? char;
      const isLongInteger = match !== null && match[1] === undefined && match[2] === undefined && literal.replace('-', '').length >= 16;
      out += isLongInteger ? `"${literal}"` : literal;
      index += literal.length;
      continue;
    }
    out += char;
    index += 1;
  }
  return JSON.parse(out);
}

function parseBytes(bytes: Uint8Array, where: string): unknown {
  try {
    return parseJsonLossless(Buffer.from(bytes).toString('utf8'));
  } catch (error) {
    throw pipelineError('PIPELINE_CONVERTER', `${where} is not JSON (${(error as Error).message}); check value.converter and key.converter.`, { cause: error });
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The {"schema", "payload"} envelope of a record, or an error naming what is missing. */
function envelopeOf(parsed: unknown, where: string): { schema: ConnectJsonSchema; payload: unknown } {
  if (!isObject(parsed) || !('schema' in parsed) || !('payload' in parsed) || Object.keys(parsed).length !== 2) {
    throw pipelineError(
      'PIPELINE_CONVERTER',
      `${where} is not a JsonConverter envelope with schemas ({"schema": …, "payload": …}); set "schemas.enable": "false" on the converter if the topic holds plain JSON.`,
    );
  }
  const schema = parsed.schema;
  if (!isObject(schema) || typeof schema.type !== 'string') throw pipelineError('PIPELINE_CONVERTER', `${where}: its "schema" has no "type".`);
  return { schema: schema as unknown as ConnectJsonSchema, payload: parsed.payload };
}

/** Ferry's type for a Connect JSON schema node (Connect's logical types and Debezium's semantic ones included). */
function fieldTypeOf(schema: ConnectJsonSchema, where: string): FieldType {
  switch (schema.name) {
    case DECIMAL: {
      const scale = Number(schema.parameters?.scale ?? 0);
      const precision = Number(schema.parameters?.['connect.decimal.precision'] ?? UNKNOWN_DECIMAL_PRECISION);
      return { kind: 'decimal', precision, scale };
    }
    case DATE:
    case 'io.debezium.time.Date':
      return { kind: 'date' };
    case TIME:
    case 'io.debezium.time.Time':
    case 'io.debezium.time.MicroTime':
    case 'io.debezium.time.NanoTime':
      return { kind: 'time' };
    case TIMESTAMP:
    case 'io.debezium.time.Timestamp':
    case 'io.debezium.time.MicroTimestamp':
    case 'io.debezium.time.NanoTimestamp':
    case 'io.debezium.time.ZonedTimestamp':
      return { kind: 'timestamp' };
    default:
      break;
  }
  if (schema.type === 'struct' || schema.type === 'array' || schema.type === 'map') {
    throw pipelineError('PIPELINE_CONVERTER', `${where}: a ${schema.type}${schema.name ? ` (${schema.name})` : ''} cannot be a column; flatten it with the Flatten transform or leave the field out.`);
  }
  const kind = primitiveKindOf(schema.type, where);
  if (!schema.name) return { kind };
  // Debezium's other semantic types (Json, Uuid, Enum, Bits, Year…) keep their name over the primitive.
  return {
    kind,
    semantic: { name: schema.name, ...(schema.version !== undefined ? { version: schema.version } : {}), ...(schema.parameters ? { parameters: { ...schema.parameters } } : {}) },
  };
}

function fromPayload(schema: ConnectJsonSchema, type: FieldType, value: unknown, where: string): FieldValue {
  if (value === null || value === undefined) return null;
  const bad = (): never => {
    throw pipelineError('PIPELINE_CONVERTER', `${where}: ${JSON.stringify(value)} is not a ${schema.name ?? schema.type} value.`);
  };
  switch (type.kind) {
    case 'decimal':
      if (typeof value !== 'string') return bad();
      return unscaledToDecimal(twosComplementToBigint(Buffer.from(value, 'base64')), type.scale);
    case 'date':
      return new Date(Number(value) * DAY_MS);
    case 'time':
      if (schema.name === 'io.debezium.time.MicroTime') return Math.floor(Number(value) / 1000);
      if (schema.name === 'io.debezium.time.NanoTime') return Math.floor(Number(value) / 1_000_000);
      return Number(value);
    case 'timestamp':
      if (schema.name === 'io.debezium.time.ZonedTimestamp') return typeof value === 'string' && !Number.isNaN(Date.parse(value)) ? new Date(value) : bad();
      if (schema.name === 'io.debezium.time.MicroTimestamp') return new Date(Number(BigInt(String(value)) / 1000n));
      if (schema.name === 'io.debezium.time.NanoTimestamp') return new Date(Number(BigInt(String(value)) / 1_000_000n));
      return new Date(Number(value));
    case 'int64':
      if (typeof value !== 'number' && typeof value !== 'string') return bad();
      return BigInt(value);
    case 'int8':
    case 'int16':
    case 'int32':
    case 'float32':
    case 'float64':
      return typeof value === 'number' ? value : bad();
    case 'boolean':
      return typeof value === 'boolean' ? value : bad();
    case 'bytes':
      return typeof value === 'string' ? new Uint8Array(Buffer.from(value, 'base64')) : bad();
    case 'string':
      return typeof value === 'string' ? value : bad();
  }
}

/** A Connect struct schema as Ferry's record schema, and a reader for its payloads. */
function recordReaderOf(schema: ConnectJsonSchema, where: string): { schema: RecordSchema; read(payload: unknown, at: string): Row } {
  if (schema.type !== 'struct' || !Array.isArray(schema.fields)) {
    throw pipelineError('PIPELINE_CONVERTER', `${where} has a ${schema.type} schema; a sink needs a struct with one field per column (add ExtractNewRecordState for change events).`);
  }
  const members = schema.fields.map((member) => {
    const name = member.field ?? '';
    const type = fieldTypeOf(member, `${where}, field '${name}'`);
    const field: FieldSchema = { name, type, optional: member.optional === true };
    if (member.default !== undefined && member.default !== null) field.defaultValue = fromPayload(member, type, member.default, `${where}, default of '${name}'`);
    return { member, field };
  });
  return {
    schema: { name: schema.name ?? 'struct', fields: members.map((entry) => entry.field), ...(schema.version !== undefined ? { version: schema.version } : {}) },
    read(payload, at) {
      if (!isObject(payload)) throw pipelineError('PIPELINE_CONVERTER', `${at}: the payload of a struct must be a JSON object.`);
      const row: Row = {};
      for (const { member, field } of members) row[field.name] = fromPayload(member, field.type, payload[field.name], `${at}, field '${field.name}'`);
      return row;
    },
  };
}

/** `{"schema": <struct>, "payload": {…}}` back into Ferry's schema and row; null (a tombstone) stays null. */
export function connectJsonToRow(bytes: Uint8Array | null, where: string): { schema: RecordSchema; row: Row } | null {
  if (bytes === null) return null;
  const { schema, payload } = envelopeOf(parseBytes(bytes, where), where);
  if (payload === null) return null;
  const reader = recordReaderOf(schema, where);
  return { schema: reader.schema, row: reader.read(payload, where) };
}

const ENVELOPE_FIELDS = ['before', 'after', 'op'];

/**
 * A Debezium change event written by JsonConverter, with schemas (`withSchemas`) or without; null when the value is
 * not a change event (no before/after/op), so the caller reads it as a plain row.
 */
export function connectJsonToChangeEvent(bytes: Uint8Array, where: string, withSchemas: boolean): DecodedChangeEvent | null {
  const parsed = parseBytes(bytes, where);
  if (!withSchemas) {
    if (!isObject(parsed) || !ENVELOPE_FIELDS.every((name) => name in parsed) || typeof parsed.op !== 'string') return null;
    const image = parsed.after ?? parsed.before;
    const schema: RecordSchema = { name: 'json', fields: isObject(image) ? Object.keys(image).map((name) => inferredField(name, image[name])) : [] };
    const row = (value: unknown): Row | null => (isObject(value) ? schemalessRow(schema, value) : null);
    return { op: parsed.op, schema, before: row(parsed.before), after: row(parsed.after), envelope: schemalessEnvelopeFields(parsed) };
  }
  const { schema, payload } = envelopeOf(parsed, where);
  if (schema.type !== 'struct' || !Array.isArray(schema.fields) || !isObject(payload)) return null;
  const members = new Map(schema.fields.map((member) => [member.field ?? '', member]));
  if (!ENVELOPE_FIELDS.every((name) => members.has(name))) return null;
  const valueSchema = members.get('after') ?? members.get('before');
  if (!valueSchema || valueSchema.type !== 'struct') return null;
  const reader = recordReaderOf(valueSchema, where);
  if (typeof payload.op !== 'string') throw pipelineError('PIPELINE_CONVERTER', `${where}: a change event's "op" must be a string (c, u, d or r).`);
  const image = (value: unknown, which: string): Row | null => (value === null || value === undefined ? null : reader.read(value, `${where}, ${which}`));
  return { op: payload.op, schema: reader.schema, before: image(payload.before, 'before'), after: image(payload.after, 'after'), envelope: envelopeFields(members, payload, where) };
}

const SCALAR_CONNECT_TYPES = new Set(['int8', 'int16', 'int32', 'int64', 'float32', 'float64', 'boolean', 'string', 'bytes']);

/** The envelope's scalar fields (op, ts_ms, source.*, transaction.*) with their schemas, for add.fields / add.headers. */
function envelopeFields(members: ReadonlyMap<string, ConnectJsonSchema>, payload: Record<string, unknown>, where: string): EnvelopeFieldAccess {
  const find = (struct: string | null, field: string): ConnectJsonSchema | undefined => {
    const parent = struct === null ? undefined : members.get(struct);
    const member = struct === null ? members.get(field) : parent?.type === 'struct' ? parent.fields?.find((candidate) => candidate.field === field) : undefined;
    return member && SCALAR_CONNECT_TYPES.has(member.type) ? member : undefined;
  };
  return {
    type: (struct, field) => {
      const member = find(struct, field);
      return member ? fieldTypeOf(member, `${where}, envelope field '${field}'`) : undefined;
    },
    value: (struct, field) => {
      const member = find(struct, field);
      const block = struct === null ? payload : payload[struct];
      if (!member || !isObject(block)) return null;
      return fromPayload(member, fieldTypeOf(member, `${where}, envelope field '${field}'`), block[field], `${where}, envelope field '${field}'`);
    },
  };
}

/** The same for a schemaless event: types inferred from the values, as its row's are. */
function schemalessEnvelopeFields(event: Record<string, unknown>): EnvelopeFieldAccess {
  const valueOf = (struct: string | null, field: string): unknown => {
    const block = struct === null ? event : event[struct];
    const value = isObject(block) ? block[field] : undefined;
    return typeof value === 'object' ? undefined : value;
  };
  return {
    type: (struct, field) => {
      const value = valueOf(struct, field);
      return value === undefined ? undefined : inferredField(field, value).type;
    },
    value: (struct, field) => {
      const value = valueOf(struct, field);
      if (value === undefined || value === null) return null;
      return schemalessRow({ name: 'envelope', fields: [inferredField(field, value)] }, { [field]: value })[field] ?? null;
    },
  };
}

function inferredField(name: string, value: unknown): FieldSchema {
  if (typeof value === 'boolean') return { name, type: { kind: 'boolean' }, optional: true };
  if (typeof value === 'number') return { name, type: { kind: Number.isInteger(value) ? 'int64' : 'float64' }, optional: true };
  return { name, type: { kind: 'string' }, optional: true };
}

function schemalessRow(schema: RecordSchema, value: Record<string, unknown>): Row {
  const row: Row = {};
  for (const field of schema.fields) {
    const member = value[field.name];
    if (member === null || member === undefined) row[field.name] = null;
    else if (field.type.kind === 'int64') row[field.name] = BigInt(member as number | string);
    else if (typeof member === 'object') row[field.name] = JSON.stringify(member);
    else row[field.name] = member as FieldValue;
  }
  return row;
}
