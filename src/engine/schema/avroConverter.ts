import type { FieldType, RecordSchema, Row } from '../model';
import avro from 'avsc';
import { avroFullName, isJsonObject, type JsonObject, parseAvroSchemaText } from './avroJson';
import { type EnvelopeFieldAccess, envelopeFieldAccess, envelopeFieldTypes } from './envelopeFields';
import { bigintLongHook, FERRY_LOGICAL_TYPES } from './avscTypes';
import { type AvroCodec, avroCodecFor, avroCodecForAvro } from './avroCodec';
import { compileEnvelopeRowsReader, type EnvelopeRowsReader } from './avroReader';
import { schemaError } from './errors';
import type { SchemaRegistryClient } from './registryClient';
import { parseSubjectNameStrategy, type SubjectNameStrategy, subjectName } from './subjectNaming';
import { decodeFrame, ID_PREFIX_LENGTH, KEY_SCHEMA_ID_HEADER, MAGIC_BYTE_ID, type RecordHeaders, VALUE_SCHEMA_ID_HEADER, writeIdPrefix } from './wireFormat';

/**
 * What Confluent's AvroConverter does for a Connect worker, for Ferry's pipeline: rows to Confluent-framed Avro
 * (registering the schema under the strategy's subject) and back (fetching the writer schema by the id in the
 * bytes). Called once per record, so everything after the first record of a schema is a map lookup: schema ids
 * per (schema object, topic), writer codecs per id.
 */

export interface AvroConverterOptions {
  registry: SchemaRegistryClient;
  /** `key.subject.name.strategy` / `value.subject.name.strategy`: short or full class name; default TopicNameStrategy. */
  subjectNameStrategy?: string;
  /**
   * `auto.register.schemas` (default true, as in Connect). When false the schema must already be registered
   * under the subject; it is looked up (POST /subjects/{subject}) and never created.
   */
  autoRegisterSchemas?: boolean;
  /** Reading: see AvroReadOptions.honourMicros. */
  honourMicros?: boolean;
}

/** A Debezium change event as a sink reads it: the operation and the row images, in the `Value` record's shape. */
export interface DecodedChangeEvent {
  op: string;
  schema: RecordSchema;
  before: Row | null;
  after: Row | null;
  /**
   * The event's `source` block as written (file/pos/row/gtid for a binlog, lsn/txId for PostgreSQL, snapshot, ts_ms),
   * scalar fields only; absent when the reader did not keep it.
   */
  source?: Record<string, string | number | boolean | null>;
  /**
   * The envelope's scalar fields (`op`, `ts_ms`, the `source` and `transaction` blocks' fields) with their Connect
   * types, as ExtractNewRecordState's `add.fields` / `add.headers` read them (struct null: the top level).
   */
  envelope?: EnvelopeFieldAccess;
}

/** The scalar fields of a decoded `source` block (avsc gives longs as bigint through the hook, which become numbers or text). */
function sourceBlock(value: unknown): Record<string, string | number | boolean | null> | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const out: Record<string, string | number | boolean | null> = {};
  for (const [name, field] of Object.entries(value)) {
    if (field === null || typeof field === 'string' || typeof field === 'number' || typeof field === 'boolean') out[name] = field;
    else if (typeof field === 'bigint') out[name] = field >= BigInt(Number.MIN_SAFE_INTEGER) && field <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(field) : field.toString();
  }
  return out;
}

interface EnvelopeReader {
  read(body: Uint8Array): DecodedChangeEvent;
  /**
   * `op`, `before` and `after` only: the rest of the envelope (the source block's dozen strings and longs, the
   * transaction, ts_*) is skipped, not decoded, so the event has no `source` and no `envelope`. What a sink reads
   * when ExtractNewRecordState adds no envelope fields or headers.
   */
  readRows(body: Uint8Array): DecodedChangeEvent;
  /**
   * `readRows` of the body that starts at `offset` of `framed` (after Confluent's prefix), without a view of it. With
   * `epochMs`, the images' timestamps are read as epoch milliseconds where the compiled reader can, and the event's
   * schema says which (their types carry `epochMs`); see ChangeEventReadOptions.timestampsAsEpochMs.
   */
  readRowsAt(framed: Buffer, offset: number, epochMs?: boolean): DecodedChangeEvent;
}

/**
 * The compiled rows-only reader whose images carry timestamps as epoch milliseconds, and the `Value` schema that says
 * so: each such field's type gains `epochMs`. Null when no timestamp of the image can be read that way, or the row
 * keys do not pair with the schema's fields one to one (then the Date reader serves).
 */
function epochMsImageReader(envelopeType: avro.Type, rowKeys: readonly string[], schema: RecordSchema): { read: EnvelopeRowsReader; schema: RecordSchema } | null {
  if (rowKeys.length !== schema.fields.length || schema.fields.some((field, index) => field.name !== rowKeys[index])) return null;
  const keys = new Set(schema.fields.filter((field) => field.type.kind === 'timestamp').map((field) => field.name));
  if (keys.size === 0) return null;
  const read = new Set<string>();
  const reader = compileEnvelopeRowsReader(envelopeType, rowKeys, { keys, read });
  if (reader === undefined || read.size === 0) return null;
  const fields = schema.fields.map((field) => (read.has(field.name) ? { ...field, type: EPOCH_MS_TIMESTAMP } : field));
  return { read: reader, schema: { ...schema, fields } };
}

const EPOCH_MS_TIMESTAMP: FieldType = Object.freeze({ kind: 'timestamp', epochMs: true });

/**
 * Reads any Debezium envelope (Ferry's or Debezium's own, whatever its `source` block): the envelope is decoded
 * with the writer's schema as it is, and each row image is re-read through the codec of its `Value` record, which
 * turns Connect's logical types (decimals, dates, timestamps) into Ferry's values.
 */
function envelopeReaderFor(schemaText: string): EnvelopeReader | null {
  const json = parseAvroSchemaText(schemaText);
  if (!isJsonObject(json) || json.type !== 'record' || !Array.isArray(json.fields)) return null;
  const fields = json.fields.filter(isJsonObject);
  const names = fields.map((field) => field.name);
  if (!['before', 'after', 'source', 'op'].every((name) => names.includes(name))) return null;
  const before = fields.find((field) => field.name === 'before');
  const branches = Array.isArray(before?.type) ? before.type : [];
  const valueJson = branches.find((branch) => isJsonObject(branch) && branch.type === 'record');
  if (!isJsonObject(valueJson)) return null;
  // The Value record is named inside the envelope's namespace when it has none of its own.
  const standalone = { ...valueJson, ...(valueJson.namespace === undefined && typeof json.namespace === 'string' ? { namespace: json.namespace } : {}) };
  const valueCodec = avroCodecForAvro(standalone);
  const types = envelopeFieldTypes(fields);
  // One pass: the envelope is read with its Value record annotated as the value codec reads it (Connect's logical
  // types become Ferry's values), so an image needs only its renames. Reading the envelope plainly and then encoding
  // and decoding each image again through the codec cost 3 passes over every row (~6 µs a row at the sink).
  const nested = valueCodec.nested();
  const annotated = {
    ...json,
    fields: json.fields.map((field) => (isJsonObject(field) && field.name === 'before' && Array.isArray(field.type) ? { ...field, type: field.type.map((branch) => (branch === valueJson ? nested.annotatedSchema : branch)) } : field)),
  };
  let envelopeType: avro.Type;
  let image: (value: unknown) => Row | null;
  let rowsOnly: ReturnType<typeof rowsOnlyReader> = undefined;
  let compiled: EnvelopeRowsReader | undefined;
  try {
    envelopeType = avro.Type.forSchema(annotated as unknown as avro.Schema, { logicalTypes: FERRY_LOGICAL_TYPES, typeHook: bigintLongHook, omitRecordMethods: true });
    image = (value) => (value === null || value === undefined ? null : nested.fromAvro(value as Row));
    rowsOnly = rowsOnlyReader(annotated, envelopeType);
    // The sink's usual read: op/before/after straight into rows, the rest skipped (avroReader); avsc reads what it declines.
    compiled = rowsOnly ? compileEnvelopeRowsReader(envelopeType, nested.rowKeys) : undefined;
  } catch {
    // A shape the annotation does not fit (not seen): the three-pass read.
    const valueType = avro.Type.forSchema(standalone as unknown as avro.Schema, { typeHook: bigintLongHook });
    envelopeType = avro.Type.forSchema(json as unknown as avro.Schema, { typeHook: bigintLongHook });
    image = (value) => (value === null || value === undefined ? null : valueCodec.decode(valueType.toBuffer(value)));
  }
  const read = (body: Uint8Array): DecodedChangeEvent => {
    const event = envelopeType.fromBuffer(Buffer.isBuffer(body) ? body : Buffer.from(body.buffer, body.byteOffset, body.byteLength)) as RawEnvelope;
    return new AvroChangeEvent(event, valueCodec.schema, image(event.before), image(event.after), types);
  };
  const rows = rowsOnly;
  const readRows = rows
    ? (body: Uint8Array): DecodedChangeEvent => {
        const event = rows.type.fromBuffer(Buffer.isBuffer(body) ? body : Buffer.from(body.buffer, body.byteOffset, body.byteLength), rows.resolver) as RawEnvelope;
        return new AvroChangeEvent(event, valueCodec.schema, image(event.before), image(event.after), types);
      }
    : read;
  // Built at the first read that asks for it.
  let epochMsImage: ReturnType<typeof epochMsImageReader> | undefined;
  return {
    read,
    readRows,
    readRowsAt: (framed, offset, epochMs) => {
      if (epochMs && compiled) {
        if (epochMsImage === undefined) epochMsImage = epochMsImageReader(envelopeType, nested.rowKeys, valueCodec.schema);
        const epoch = epochMsImage?.read(framed, offset);
        // Not read (bytes avsc must read): the Date reader below reads them, with the schema that says Dates.
        if (epoch !== undefined && epochMsImage) return new AvroChangeEvent(epoch as unknown as RawEnvelope, epochMsImage.schema, epoch.before, epoch.after, types);
      }
      const fast = compiled?.(framed, offset);
      if (fast !== undefined) return new AvroChangeEvent(fast as unknown as RawEnvelope, valueCodec.schema, fast.before, fast.after, types);
      if (!rows) return readRows(framed.subarray(offset));
      const decoded = rows.type.decode(framed, offset, rows.resolver);
      // Cut short or followed by more bytes: read the view as before, which throws what it always threw.
      if (decoded.offset !== framed.length) return readRows(framed.subarray(offset));
      const event = decoded.value as RawEnvelope;
      return new AvroChangeEvent(event, valueCodec.schema, image(event.before), image(event.after), types);
    },
  };
}

/**
 * The envelope read as a record of `before`, `after` and `op` alone, through Avro schema resolution (the writer's
 * other fields are skipped). Undefined when that shape cannot be built (a named type the images use defined elsewhere
 * in the envelope): then the whole envelope is read.
 */
function rowsOnlyReader(annotated: JsonObject, envelopeType: avro.Type): { type: avro.Type; resolver: ReturnType<avro.Type['createResolver']> } | undefined {
  const fields = Array.isArray(annotated.fields) ? annotated.fields : [];
  const kept = fields.filter((field) => isJsonObject(field) && (field.name === 'before' || field.name === 'after' || field.name === 'op'));
  try {
    const type = avro.Type.forSchema({ ...annotated, fields: kept } as unknown as avro.Schema, { logicalTypes: FERRY_LOGICAL_TYPES, typeHook: bigintLongHook, omitRecordMethods: true });
    return { type, resolver: type.createResolver(envelopeType) };
  } catch {
    return undefined;
  }
}

type RawEnvelope = { op: string; before: unknown; after: unknown; source: unknown } & Record<string, unknown>;

/**
 * A decoded change event. A class, so the lazy `source` and `envelope` are getters on its prototype rather than
 * closures built for every event (this is made once per record on the sink's hot path).
 */
class AvroChangeEvent implements DecodedChangeEvent {
  readonly op: string;
  /** null until `source` is first read. */
  private sourceBlock: Record<string, string | number | boolean | null> | undefined | null = null;

  constructor(
    private readonly raw: RawEnvelope,
    readonly schema: RecordSchema,
    readonly before: Row | null,
    readonly after: Row | null,
    private readonly types: ReturnType<typeof envelopeFieldTypes>,
  ) {
    this.op = raw.op;
  }

  /**
   * The source block only when asked for (row traces): a sink never reads it, and converting it cost ~2 % of a
   * snapshot's CPU (4.4 of 214.6 busy profile-µs/row).
   */
  get source(): Record<string, string | number | boolean | null> | undefined {
    if (this.sourceBlock === null) this.sourceBlock = sourceBlock(this.raw.source);
    return this.sourceBlock;
  }

  /** Built when asked for (add.fields / add.headers): most sinks never read it. */
  get envelope(): EnvelopeFieldAccess {
    return envelopeFieldAccess(this.types, this.raw);
  }
}

export interface ChangeEventReadOptions {
  /** Only `op`, `before` and `after` are wanted: the rest is skipped, and the event has no `source` or `envelope`. */
  rowsOnly?: boolean;
  /**
   * With `rowsOnly`: the images' timestamps may be epoch milliseconds instead of Dates, for a reader that takes both
   * (the SQL sink, when no transform reads the rows); the event's schema marks such fields (`epochMs`). A Date is
   * ~110 bytes of heap, and a sink holds its chunk's rows until the target's transaction ends.
   */
  timestampsAsEpochMs?: boolean;
}

function readChangeEvent(envelope: EnvelopeReader, topic: string, id: number, body: Uint8Array, options: ChangeEventReadOptions): DecodedChangeEvent {
  try {
    return options.rowsOnly ? envelope.readRows(body) : envelope.read(body);
  } catch (error) {
    throw changeEventError(topic, id, error);
  }
}

function changeEventError(topic: string, id: number, error: unknown): Error {
  return schemaError('SCHEMA_DECODE_FAILED', `Topic '${topic}': a change event written with schema id ${id} does not decode: ${(error as Error).message}.`, { cause: error });
}

/**
 * The schema id of a value framed with Confluent's 5-byte prefix when no schema-id header names another (what
 * decodeFrame would read), or undefined for any other framing, which decodeFrame reads.
 */
function prefixedSchemaId(bytes: Buffer, headers: RecordHeaders | null | undefined, isKey = false): number | undefined {
  if (bytes.length < ID_PREFIX_LENGTH || bytes[0] !== MAGIC_BYTE_ID) return undefined;
  const header = headers?.[isKey ? KEY_SCHEMA_ID_HEADER : VALUE_SCHEMA_ID_HEADER];
  if (header !== undefined && header !== null) return undefined;
  return bytes.readInt32BE(1);
}

export interface DecodedRecord {
  /** The writer's schema (or the reader schema that was asked for). */
  schema: RecordSchema;
  row: Row;
  /** From the 0x00 prefix or an id header; null when the record named its schema by GUID. */
  schemaId: number | null;
  schemaGuid: string | null;
}

interface WriterEntry {
  codec: AvroCodec;
  recordName: string | undefined;
  /** Resolved ids (numbers) or in-flight registrations, per topic; [value, key]. */
  ids: [Map<string, number | Promise<number>>, Map<string, number | Promise<number>>];
}

export class AvroConverter {
  readonly strategy: SubjectNameStrategy;
  private readonly registry: SchemaRegistryClient;
  private readonly autoRegister: boolean;
  private readonly honourMicros: boolean;
  private readonly writers = new WeakMap<RecordSchema, WriterEntry>();
  private readonly readersById = new Map<number, AvroCodec | Promise<AvroCodec>>();
  private readonly readersByGuid = new Map<string, AvroCodec | Promise<AvroCodec>>();
  private readonly envelopesById = new Map<number, Promise<EnvelopeReader | null>>();
  /** The envelope readers whose schema has been fetched, for reading without waiting (toChangeEventNow). */
  private readonly envelopesReady = new Map<number, EnvelopeReader | null>();

  constructor(options: AvroConverterOptions) {
    this.registry = options.registry;
    this.strategy = parseSubjectNameStrategy(options.subjectNameStrategy);
    this.autoRegister = options.autoRegisterSchemas ?? true;
    this.honourMicros = options.honourMicros ?? false;
  }

  /** The subject `schema` is registered under for this topic. */
  subjectFor(topic: string, isKey: boolean, schema: RecordSchema): string {
    return subjectName(this.strategy, { topic, isKey, recordName: this.writerEntry(schema).recordName });
  }

  /** Registers (or looks up) the schema now, e.g. at pipeline start so a registry problem shows before data flows. */
  schemaIdFor(topic: string, isKey: boolean, schema: RecordSchema): Promise<number> {
    const entry = this.writerEntry(schema);
    const id = this.idFor(entry, topic, isKey);
    return typeof id === 'number' ? Promise.resolve(id) : id;
  }

  /** Confluent-framed Avro for a key or value; a null row stays null (a tombstone is never wrapped). */
  async fromRow(topic: string, isKey: boolean, schema: RecordSchema, row: Row | null): Promise<Buffer | null> {
    if (row === null) return null;
    const entry = this.writerEntry(schema);
    // Encode first: a row that does not fit its schema should not register anything.
    const out = entry.codec.encodeAt(row, ID_PREFIX_LENGTH);
    const id = this.idFor(entry, topic, isKey);
    return writeIdPrefix(out, typeof id === 'number' ? id : await id);
  }

  /**
   * `fromRow` without a promise, for the source's per-record path: undefined while the schema's id for this topic is
   * not known yet (call `fromRow`, which registers it). The same bytes as `fromRow`; a row that does not fit throws.
   */
  fromRowNow(topic: string, isKey: boolean, schema: RecordSchema, row: Row | null): Buffer | null | undefined {
    if (row === null) return null;
    const entry = this.writerEntry(schema);
    const id = entry.ids[isKey ? 1 : 0].get(topic);
    if (typeof id !== 'number') return undefined;
    return writeIdPrefix(entry.codec.encodeAt(row, ID_PREFIX_LENGTH), id);
  }

  /**
   * Decodes a key or value written by any Confluent Avro serializer. With `readerSchema` the row is resolved
   * into that shape (Avro schema evolution: missing fields take their defaults, extra ones are dropped).
   */
  /**
   * `toRow` without waiting, for the sink's per-record path: undefined when the writer's schema has not been fetched
   * yet (call `toRow`). Decoding failures throw as `toRow` rejects with them.
   */
  toRowNow(topic: string, isKey: boolean, bytes: Uint8Array | null, headers?: RecordHeaders | null): DecodedRecord | null | undefined {
    if (bytes === null) return null;
    const prefixedId = Buffer.isBuffer(bytes) ? prefixedSchemaId(bytes, headers, isKey) : undefined;
    if (prefixedId !== undefined) {
      // The usual record: read after the 5-byte prefix in place, without a frame object and a view of the body.
      const codec = this.readersById.get(prefixedId);
      if (codec === undefined || codec instanceof Promise) return undefined;
      return { schema: codec.schema, row: codec.decodeAt(bytes as Buffer, ID_PREFIX_LENGTH), schemaId: prefixedId, schemaGuid: null };
    }
    const frame = decodeFrame(bytes, headers, isKey);
    const ref = frame.ref;
    const codec = ref.kind === 'id' ? this.readersById.get(ref.id) : this.readersByGuid.get(ref.guid);
    if (codec === undefined || codec instanceof Promise) return undefined;
    return { schema: codec.schema, row: codec.decode(frame.body), schemaId: ref.kind === 'id' ? ref.id : null, schemaGuid: ref.kind === 'guid' ? ref.guid : null };
  }

  async toRow(
    topic: string,
    isKey: boolean,
    bytes: Uint8Array | null,
    headers?: RecordHeaders | null,
    readerSchema?: RecordSchema,
  ): Promise<DecodedRecord | null> {
    if (bytes === null) return null;
    const frame = decodeFrame(bytes, headers, isKey);
    let writer: AvroCodec | Promise<AvroCodec>;
    if (frame.ref.kind === 'id') {
      const id = frame.ref.id;
      writer = this.readersById.get(id) ?? this.loadReader(this.readersById, id, () => this.registry.getSchemaById(id), `schema id ${id}`, topic);
    } else {
      const guid = frame.ref.guid;
      writer = this.readersByGuid.get(guid) ?? this.loadReader(this.readersByGuid, guid, () => this.registry.getSchemaByGuid(guid), `schema guid ${guid}`, topic);
    }
    const codec = writer instanceof Promise ? await writer : writer;
    const row = readerSchema === undefined ? codec.decode(frame.body) : avroCodecFor(readerSchema).decodeFrom(codec, frame.body);
    return {
      schema: readerSchema ?? codec.schema,
      row,
      schemaId: frame.ref.kind === 'id' ? frame.ref.id : null,
      schemaGuid: frame.ref.kind === 'guid' ? frame.ref.guid : null,
    };
  }

  /**
   * A value written as a Debezium change event (`before`, `after`, `source`, `op`), read into rows of its `Value`
   * record; null when the writer schema is not such an envelope, so the caller reads the bytes as a plain row.
   */
  async toChangeEvent(topic: string, bytes: Uint8Array, headers?: RecordHeaders | null, options: ChangeEventReadOptions = {}): Promise<DecodedChangeEvent | null> {
    const frame = decodeFrame(bytes, headers, false);
    if (frame.ref.kind !== 'id') return null;
    const id = frame.ref.id;
    let reader = this.envelopesById.get(id);
    if (reader === undefined) {
      reader = this.registry.getSchemaById(id).then(({ schema, schemaType }) => {
        const loaded = schemaType === 'AVRO' ? envelopeReaderFor(schema) : null;
        this.envelopesReady.set(id, loaded);
        return loaded;
      });
      this.envelopesById.set(id, reader);
      reader.catch(() => this.envelopesById.delete(id));
    }
    const envelope = await reader;
    return envelope ? readChangeEvent(envelope, topic, id, frame.body, options) : null;
  }

  /**
   * `toChangeEvent` without waiting, for the sink's per-record path: undefined when the writer's schema has not been
   * fetched yet (call `toChangeEvent`), null when the value is not a change event.
   */
  toChangeEventNow(topic: string, bytes: Uint8Array, headers?: RecordHeaders | null, options: ChangeEventReadOptions = {}): DecodedChangeEvent | null | undefined {
    const framed = options.rowsOnly && Buffer.isBuffer(bytes) ? bytes : undefined;
    const prefixedId = framed ? prefixedSchemaId(framed, headers) : undefined;
    if (framed && prefixedId !== undefined) {
      // The usual record: read after the 5-byte prefix in place, without a frame object and a view of the body.
      const envelope = this.envelopesReady.get(prefixedId);
      if (envelope === undefined) return undefined;
      if (envelope === null) return null;
      try {
        return envelope.readRowsAt(framed, ID_PREFIX_LENGTH, options.timestampsAsEpochMs);
      } catch (error) {
        throw changeEventError(topic, prefixedId, error);
      }
    }
    const frame = decodeFrame(bytes, headers, false);
    if (frame.ref.kind !== 'id') return null;
    const id = frame.ref.id;
    const envelope = this.envelopesReady.get(id);
    if (envelope === undefined) return undefined;
    return envelope ? readChangeEvent(envelope, topic, id, frame.body, options) : null;
  }

  private writerEntry(schema: RecordSchema): WriterEntry {
    let entry = this.writers.get(schema);
    if (entry === undefined) {
      const codec = avroCodecFor(schema);
      entry = { codec, recordName: avroFullName(codec.avroSchema), ids: [new Map(), new Map()] };
      this.writers.set(schema, entry);
    }
    return entry;
  }

  private idFor(entry: WriterEntry, topic: string, isKey: boolean): number | Promise<number> {
    const ids = entry.ids[isKey ? 1 : 0];
    const known = ids.get(topic);
    if (known !== undefined) return known;
    const subject = subjectName(this.strategy, { topic, isKey, recordName: entry.recordName });
    const pending = this.registerOrLookUp(subject, entry.codec.schemaText).then(
      (id) => {
        ids.set(topic, id);
        return id;
      },
      (error: unknown) => {
        // Not cached: the next record tries again (the registry may be back).
        ids.delete(topic);
        throw error;
      },
    );
    ids.set(topic, pending);
    return pending;
  }

  private async registerOrLookUp(subject: string, schemaText: string): Promise<number> {
    if (this.autoRegister) return this.registry.register(subject, schemaText);
    const found = await this.registry.lookupSchema(subject, schemaText);
    if (found === null) {
      throw schemaError(
        'SCHEMA_REGISTRY_SCHEMA_NOT_FOUND',
        `auto.register.schemas is false and this schema is not registered under subject '${subject}' in ${this.registry.url}. ` +
          'Register it (e.g. from the Schemas view or with POST /subjects/' +
          `${subject}/versions), or set auto.register.schemas=true.`,
        { detail: { subject } },
      );
    }
    return found.id;
  }

  private loadReader<K>(
    cache: Map<K, AvroCodec | Promise<AvroCodec>>,
    key: K,
    fetchSchema: () => Promise<{ schema: string; schemaType: string }>,
    what: string,
    topic: string,
  ): Promise<AvroCodec> {
    const pending = fetchSchema()
      .then(({ schema, schemaType }) => {
        if (schemaType !== 'AVRO') {
          throw schemaError(
            'SCHEMA_WIRE_FORMAT',
            `Topic '${topic}': ${what} is a ${schemaType} schema, so the record was written with the ${schemaType} serializer; Ferry's converter reads Avro. ` +
              'Change the producer to the Avro converter or read this topic with a matching converter.',
            { detail: { topic, schemaType } },
          );
        }
        const codec = avroCodecForAvro(schema, { honourMicros: this.honourMicros });
        cache.set(key, codec);
        return codec;
      })
      .catch((error: unknown) => {
        // Not cached: a registry that was down, or a schema fixed since, gets another chance with the next record.
        cache.delete(key);
        throw error;
      });
    cache.set(key, pending);
    return pending;
  }
}
