import avro from 'avsc';
import type { Type } from 'avsc';
import { isEngineError } from '../../shared/errors';
import type { FieldType, RecordSchema, Row } from '../model';
import { type AvroSchemaJson, canonicalAvroString, isJsonObject, type JsonObject, type JsonValue, parseAvroSchemaText } from './avroJson';
import { type AvroReadOptions, type AvroRecordJson, describeFieldType, mapAvroRecord, recordSchemaToAvro } from './avroMapping';
import { bigintLongHook, FERRY_LOGICAL_TYPES, FerryLogicalType } from './avscTypes';
import { compileRecordReader, type RecordBodyReader } from './avroReader';
import { compileRecordWriter, type ValueWriter, writeToChunk } from './avroWriter';
import { describeValue, schemaError } from './errors';

/**
 * Row ⇄ Avro binary for one schema. Codecs are cached, and the per-record path does one allocation per encode
 * (the output buffer, with room for Confluent's header in front) and decodes straight into the row object.
 */
export interface AvroCodec {
  readonly schema: RecordSchema;
  /** The Avro schema the bytes are written with. */
  readonly avroSchema: AvroRecordJson;
  /** `canonicalAvroString(avroSchema)`: the text a registry stores. */
  readonly schemaText: string;
  encode(row: Row): Buffer;
  /** The Avro body preceded by `offset` bytes the caller fills in (the 5-byte Confluent header), in one buffer. */
  encodeAt(row: Row, offset: number): Buffer;
  decode(body: Uint8Array): Row;
  /** `decode` of the body that starts at `offset` of `framed` (after Confluent's prefix), without a view of it. */
  decodeAt(framed: Buffer, offset: number): Row;
  /** Reads a body written with `writer`'s schema as this codec's schema (Avro schema resolution). */
  decodeFrom(writer: AvroCodec, body: Uint8Array): Row;
  /**
   * The Avro schema with Ferry's value conversions attached, and the row → Avro field names mapping, so a record
   * of this shape can be written nested inside another (Debezium's envelope holds it as `before` and `after`).
   */
  nested(): { annotatedSchema: JsonObject; toAvro(row: Row): Row; fromAvro(record: Row): Row; rowKeys: readonly string[] };
}

interface FieldPlan {
  rowKey: string;
  avroName: string;
  type: FieldType;
  unit: 'ms' | 'us';
}

/** Fresh per call: avsc stores its name registry on the options object it is given. */
function typeOptions(): Parameters<typeof avro.Type.forSchema>[1] {
  return {
    logicalTypes: FERRY_LOGICAL_TYPES,
    typeHook: bigintLongHook,
    // Decoded records are used as rows directly, so they should carry no methods.
    omitRecordMethods: true,
  };
}

// Shared encode buffer: encoding is synchronous, so one buffer serves every codec. It only ever grows.
let scratch = Buffer.allocUnsafe(64 * 1024);

class AvroCodecImpl implements AvroCodec {
  readonly type: Type;
  private readonly renamed: boolean;
  private readonly resolvers = new WeakMap<AvroCodecImpl, ReturnType<Type['createResolver']>>();
  /** The compiled writer (avroWriter); undefined when the schema holds a type it does not compile. */
  private readonly writer: ValueWriter | undefined;
  /** The compiled reader (avroReader), built at the first decode: null when the schema holds a type it does not compile. */
  private reader: RecordBodyReader | null | undefined;

  constructor(
    readonly schema: RecordSchema,
    readonly avroSchema: AvroRecordJson,
    readonly schemaText: string,
    private readonly plan: readonly FieldPlan[],
  ) {
    this.renamed = plan.some((field) => field.rowKey !== field.avroName);
    try {
      this.type = avro.Type.forSchema(annotate(avroSchema, plan) as unknown as Parameters<typeof avro.Type.forSchema>[0], typeOptions());
    } catch (error) {
      throw schemaError('SCHEMA_INVALID_AVRO', `Avro schema for '${schema.name}' is not valid: ${(error as Error).message}`, { cause: error });
    }
    this.writer = compileRecordWriter(
      this.type,
      plan.map((field) => field.rowKey),
    );
  }

  encode(row: Row): Buffer {
    return this.encodeAt(row, 0);
  }

  encodeAt(row: Row, offset: number): Buffer {
    if (this.writer !== undefined) {
      // Written straight after the offset into a slice of the writers' shared chunk (see writeToChunk).
      const buffer = writeToChunk(offset, this.writer, row);
      if (buffer !== undefined) return buffer;
    }
    const value = this.renamed ? this.toAvroNames(row) : row;
    let end: number;
    try {
      end = this.type.encode(value, scratch, offset);
      while (end < 0) {
        scratch = Buffer.allocUnsafe(Math.max(scratch.length * 2, scratch.length - end + offset));
        end = this.type.encode(value, scratch, offset);
      }
    } catch (error) {
      throw this.explainEncodeFailure(row, error);
    }
    const out = Buffer.allocUnsafe(end);
    scratch.copy(out, offset, offset, end);
    return out;
  }

  decode(body: Uint8Array): Row {
    return this.read(body, undefined, undefined);
  }

  decodeAt(framed: Buffer, offset: number): Row {
    // Bytes the compiled reader declines are read (and reported) through the view, as `decode` reads them.
    return this.compiledRead(framed, offset) ?? this.read(framed.subarray(offset), undefined, undefined);
  }

  decodeFrom(writer: AvroCodec, body: Uint8Array): Row {
    if (writer === this) return this.read(body, undefined, undefined);
    if (!(writer instanceof AvroCodecImpl)) throw new TypeError('decodeFrom needs a codec made by this module');
    let resolver = this.resolvers.get(writer);
    if (resolver === undefined) {
      try {
        // Avro Java matches record names without namespaces when resolving; so does this.
        resolver = this.type.createResolver(writer.type, { ignoreNamespaces: true });
      } catch (error) {
        throw schemaError(
          'SCHEMA_NOT_READABLE',
          `Data written with schema '${writer.schema.name}' cannot be read as '${this.schema.name}': ${(error as Error).message}. ` +
            'The reader schema must be able to read the writer schema (same field types or promotions, and a default for every field the writer lacks).',
          { cause: error, detail: { writer: writer.schemaText, reader: this.schemaText } },
        );
      }
      this.resolvers.set(writer, resolver);
    }
    return this.read(body, resolver, writer);
  }

  private read(body: Uint8Array, resolver: ReturnType<Type['createResolver']> | undefined, writer: AvroCodec | undefined): Row {
    const buffer = Buffer.isBuffer(body) ? body : Buffer.from(body.buffer, body.byteOffset, body.byteLength);
    if (resolver === undefined) {
      // Rows straight under their row keys; bytes the compiled reader declines are read (and reported) by avsc below.
      const row = this.compiledRead(buffer, 0);
      if (row !== undefined) return row;
    }
    let record: Row;
    try {
      record = this.type.fromBuffer(buffer, resolver) as Row;
    } catch (error) {
      const withSchema = writer ? `written with '${writer.schema.name}' and read as '${this.schema.name}'` : `for '${this.schema.name}'`;
      throw schemaError(
        'SCHEMA_DECODE_FAILED',
        `Avro body (${buffer.length} bytes) ${withSchema} does not decode: ${(error as Error).message}. ` +
          'The bytes were probably written with a different schema than the one their schema id names, or were cut short.',
        { cause: error },
      );
    }
    return this.renamed ? this.toRowKeys(record) : record;
  }

  private compiledRead(buffer: Buffer, offset: number): Row | undefined {
    if (this.reader === undefined) {
      this.reader =
        compileRecordReader(
          this.type,
          this.plan.map((field) => field.rowKey),
        ) ?? null;
    }
    return this.reader?.(buffer, offset);
  }

  nested(): { annotatedSchema: JsonObject; toAvro(row: Row): Row; fromAvro(record: Row): Row; rowKeys: readonly string[] } {
    return {
      annotatedSchema: annotate(this.avroSchema, this.plan),
      rowKeys: this.plan.map((field) => field.rowKey),
      toAvro: (row) => (this.renamed ? this.toAvroNames(row) : row),
      fromAvro: (record) => (this.renamed ? this.toRowKeys(record) : record),
    };
  }

  private toAvroNames(row: Row): Row {
    const out: Row = {};
    for (const field of this.plan) out[field.avroName] = row[field.rowKey] as Row[string];
    return out;
  }

  private toRowKeys(record: Row): Row {
    const out: Row = {};
    for (const field of this.plan) out[field.rowKey] = record[field.avroName] as Row[string];
    return out;
  }

  /** Only on failure: find the column that does not fit and say why, which avsc's own message does not. */
  private explainEncodeFailure(row: Row, error: unknown): Error {
    if (isEngineError(error)) return error;
    const recordType = this.type as unknown as { fields: { name: string; type: Type }[] };
    for (const [index, field] of this.plan.entries()) {
      const avroField = recordType.fields[index];
      if (avroField === undefined) continue;
      const value = row[field.rowKey];
      const missingButDefaulted = value === undefined && (this.schema.fields[index]?.optional ?? false);
      if (missingButDefaulted || avroField.type.isValid(value)) continue;
      const schemaField = this.schema.fields[index];
      const nullable = schemaField?.optional ? 'optional ' : '';
      const reason =
        value === null || value === undefined
          ? 'the column is not optional, so it needs a value'
          : (innerLogical(avroField.type)?.explain(value) ?? `it is not a valid ${describeFieldType(field.type)}`);
      return schemaError(
        'SCHEMA_VALUE_INVALID',
        `Cannot encode a row of '${this.schema.name}': column '${field.rowKey}' (${nullable}${describeFieldType(field.type)}) has value ${describeValue(value)}, and ${reason}.`,
        { cause: error, detail: { field: field.rowKey, type: describeFieldType(field.type) } },
      );
    }
    return schemaError('SCHEMA_VALUE_INVALID', `Cannot encode a row of '${this.schema.name}': ${(error as Error).message}`, { cause: error });
  }
}

function innerLogical(type: Type): FerryLogicalType | undefined {
  if (type instanceof FerryLogicalType) return type;
  const branches = (type as unknown as { types?: Type[] }).types;
  return branches?.find((branch): branch is FerryLogicalType => branch instanceof FerryLogicalType);
}

/** A copy of the record schema with Ferry's private logical types on the nodes that need a value conversion. */
function annotate(avroSchema: AvroRecordJson, plan: readonly FieldPlan[]): JsonObject {
  const fields = avroSchema.fields.map((field, index) => {
    const step = plan[index];
    if (step === undefined) return field;
    const type = field.type;
    if (Array.isArray(type)) {
      return { ...field, type: type.map((branch) => (branch === 'null' || (isJsonObject(branch) && branch.type === 'null') ? branch : annotateNode(branch, step))) };
    }
    return { ...field, type: annotateNode(type, step) };
  });
  return { ...avroSchema, fields };
}

function annotateNode(node: AvroSchemaJson, step: FieldPlan): AvroSchemaJson {
  // A reference to a named type defined earlier is annotated where it is defined.
  if (typeof node === 'string' && !['int', 'long', 'bytes', 'string', 'boolean', 'float', 'double'].includes(node)) return node;
  if (Array.isArray(node)) return node;
  const base: JsonObject = typeof node === 'string' ? { type: node } : { ...node };
  if (isJsonObject(base.type) || Array.isArray(base.type)) return node; // {"type": {...}} wrappers are left alone
  const extra = logicalFor(step, base.type as JsonValue);
  if (extra === undefined) return node;
  return { ...base, ...extra, 'ferry.field': step.rowKey };
}

function logicalFor(step: FieldPlan, avroType: JsonValue): JsonObject | undefined {
  switch (step.type.kind) {
    case 'decimal':
      return { logicalType: 'ferry-decimal', 'ferry.scale': step.type.scale };
    case 'date':
      return { logicalType: 'ferry-date' };
    case 'time':
      return { logicalType: 'ferry-time', 'ferry.unit': step.unit };
    case 'timestamp':
      return avroType === 'string' ? { logicalType: 'ferry-zoned-timestamp' } : { logicalType: 'ferry-timestamp', 'ferry.unit': step.unit };
    case 'bytes':
      return avroType === 'bytes' || avroType === 'fixed' ? { logicalType: 'ferry-bytes' } : undefined;
    case 'int8':
    case 'int16':
      return avroType === 'int' ? { logicalType: 'ferry-smallint', 'ferry.bits': step.type.kind === 'int8' ? 8 : 16 } : undefined;
    default:
      return undefined;
  }
}

// ---------------------------------------------------------------------------------------------- caches

const MAX_CACHED = 1000;
const byText = new Map<string, AvroCodecImpl>();
const bySchema = new WeakMap<RecordSchema, AvroCodecImpl>();

function remember(key: string, codec: AvroCodecImpl): AvroCodecImpl {
  if (byText.size >= MAX_CACHED) {
    const oldest = byText.keys().next().value;
    if (oldest !== undefined) byText.delete(oldest);
  }
  byText.set(key, codec);
  return codec;
}

/** The codec that writes `schema` the way Connect's AvroConverter would (see recordSchemaToAvro). */
export function avroCodecFor(schema: RecordSchema): AvroCodec {
  const cached = bySchema.get(schema);
  if (cached) return cached;
  const avroSchema = recordSchemaToAvro(schema);
  const schemaText = canonicalAvroString(avroSchema);
  const plan = schema.fields.map((field, index): FieldPlan => ({
    rowKey: field.name,
    avroName: avroSchema.fields[index]?.name ?? field.name,
    type: field.type,
    unit: 'ms',
  }));
  // Two schemas with the same Avro text but different row keys ('a-b' and 'a_b' both become a_b) need two codecs.
  const key = `w\u0000${plan.some((p) => p.rowKey !== p.avroName) ? JSON.stringify(plan.map((p) => p.rowKey)) : ''}\u0000${schemaText}`;
  const codec = byText.get(key) ?? remember(key, new AvroCodecImpl(schema, avroSchema, schemaText, plan));
  bySchema.set(schema, codec);
  return codec;
}

/**
 * The codec for an Avro schema as a registry returns it (a writer schema): its RecordSchema is derived with
 * `avroToRecordSchema` semantics and the bytes are read exactly as that schema says.
 */
export function avroCodecForAvro(avroSchema: AvroSchemaJson | string, options: AvroReadOptions = {}): AvroCodec {
  const json = typeof avroSchema === 'string' ? parseAvroSchemaText(avroSchema) : avroSchema;
  const schemaText = canonicalAvroString(json);
  const key = `r${options.honourMicros ? 1 : 0}\u0000${schemaText}`;
  const cached = byText.get(key);
  if (cached) return cached;
  const mapping = mapAvroRecord(json, options);
  const plan = mapping.fields.map((m): FieldPlan => ({ rowKey: m.field.name, avroName: m.avroName, type: m.field.type, unit: m.unit }));
  return remember(key, new AvroCodecImpl(mapping.schema, mapping.record, schemaText, plan));
}
