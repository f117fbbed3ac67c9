import avro from 'avsc';
import type { Type } from 'avsc';
import type { ChangeOp, FieldType, RecordSchema, Row } from '../model';
import { canonicalAvroString, isJsonObject, type JsonObject } from './avroJson';
import { avroCodecFor } from './avroCodec';
import { bigintLongHook, FERRY_LOGICAL_TYPES } from './avscTypes';
import { type EnvelopeFieldAccess, envelopeFieldAccess, envelopeFieldTypes } from './envelopeFields';
import { schemaError } from './errors';
import { ID_PREFIX_LENGTH, writeIdPrefix } from './wireFormat';
import { type AvroOut, compileRecordWriter, type ValueWriter, writeToChunk } from './avroWriter';

/** Where change events avsc writes are encoded before their one copy out (grows to the largest event seen). */
let envelopeScratch = Buffer.allocUnsafe(64 * 1024);

/**
 * Debezium's change event envelope (`before`, `after`, `source`, `transaction`, `op`, `ts_ms`) as Debezium with
 * Confluent's AvroConverter writes it, so a consumer written for Debezium reads Ferry's log-captured topics
 * unchanged: record `<topic>.Envelope` (connect.version 2), `before`/`after` a shared `<topic>.Value` record, the
 * connector's own `Source` record with Debezium's field order, and `event.block` for transactions. Column types are
 * Connect's (Debezium's `time.precision.mode=connect`, `decimal.handling.mode=precise`).
 */

export type DebeziumConnector = 'mysql' | 'mariadb' | 'postgresql' | 'sqlserver';

/** `source` fields for MySQL and MariaDB (io.debezium.connector.mysql.Source / …mariadb.Source). */
export interface BinlogSourceInfo {
  connector: 'mysql' | 'mariadb';
  name: string;
  tsMs: number;
  snapshot: SnapshotMarker;
  db: string;
  table: string;
  serverId: number;
  gtid: string | null;
  file: string;
  pos: number;
  row: number;
}

/** `source` fields for PostgreSQL (io.debezium.connector.postgresql.Source). */
export interface PostgresSourceInfo {
  connector: 'postgresql';
  name: string;
  tsMs: number;
  snapshot: SnapshotMarker;
  db: string;
  schema: string;
  table: string;
  txId: number | null;
  lsn: number | null;
  /** Debezium's `["<last commit lsn>","<lsn>"]`. */
  sequence: string | null;
}

/** Debezium's `source.snapshot`: `true`/`first`/`last` while snapshotting, `incremental` for an incremental snapshot. */
export type SnapshotMarker = 'true' | 'first' | 'first_in_data_collection' | 'last_in_data_collection' | 'last' | 'false' | 'incremental';

/** `source` fields for SQL Server (io.debezium.connector.sqlserver.Source). */
export interface SqlServerSourceInfo {
  connector: 'sqlserver';
  name: string;
  tsMs: number;
  snapshot: SnapshotMarker;
  db: string;
  schema: string;
  table: string;
  changeLsn: string | null;
  commitLsn: string | null;
  eventSerialNo: number | null;
}

export type SourceInfo = BinlogSourceInfo | PostgresSourceInfo | SqlServerSourceInfo;

export interface EnvelopeTransaction {
  id: string;
  totalOrder: number;
  dataCollectionOrder: number;
}

export interface ChangeEvent {
  op: ChangeOp;
  before: Row | null;
  after: Row | null;
  source: SourceInfo;
  transaction?: EnvelopeTransaction | null;
  /** When Ferry processed the event. */
  tsMs: number;
}

const SNAPSHOT_ENUM = {
  type: 'string',
  'connect.version': 1,
  'connect.parameters': { allowed: 'true,first,first_in_data_collection,last_in_data_collection,last,false,incremental' },
  'connect.default': 'false',
  'connect.name': 'io.debezium.data.Enum',
};

const optional = (name: string, type: string): JsonObject => ({ name, type: ['null', type], default: null });

function commonSourceFields(): JsonObject[] {
  return [
    { name: 'version', type: 'string' },
    { name: 'connector', type: 'string' },
    { name: 'name', type: 'string' },
    { name: 'ts_ms', type: 'long' },
    { name: 'snapshot', type: [SNAPSHOT_ENUM, 'null'], default: 'false' },
    { name: 'db', type: 'string' },
    optional('sequence', 'string'),
    optional('ts_us', 'long'),
    optional('ts_ns', 'long'),
  ];
}

function sourceSchema(connector: DebeziumConnector): JsonObject {
  const fields =
    connector === 'sqlserver'
      ? [...commonSourceFields(), { name: 'schema', type: 'string' }, { name: 'table', type: 'string' }, optional('change_lsn', 'string'), optional('commit_lsn', 'string'), optional('event_serial_no', 'long')]
      : connector === 'postgresql'
      ? [...commonSourceFields(), { name: 'schema', type: 'string' }, { name: 'table', type: 'string' }, optional('txId', 'long'), optional('lsn', 'long'), optional('xmin', 'long')]
      : [
          ...commonSourceFields(),
          optional('table', 'string'),
          { name: 'server_id', type: 'long' },
          optional('gtid', 'string'),
          { name: 'file', type: 'string' },
          { name: 'pos', type: 'long' },
          { name: 'row', type: 'int' },
          optional('thread', 'long'),
          optional('query', 'string'),
        ];
  return { type: 'record', name: 'Source', namespace: `io.debezium.connector.${connector}`, fields, 'connect.version': 1, 'connect.name': `io.debezium.connector.${connector}.Source` };
}

const TRANSACTION_BLOCK: JsonObject = {
  type: 'record',
  name: 'block',
  namespace: 'event',
  fields: [
    { name: 'id', type: 'string' },
    { name: 'total_order', type: 'long' },
    { name: 'data_collection_order', type: 'long' },
  ],
  'connect.version': 1,
  'connect.name': 'event.block',
};

/** Writes and reads one table's change events; built once per value schema and reused for every record. */
export class DebeziumEnvelopeCodec {
  /** The envelope's Avro schema as a registry stores it (what the Schema Registry client registers). */
  readonly schemaText: string;
  readonly envelopeName: string;
  private readonly type: Type;
  private readonly toAvro: (row: Row) => Row;
  private readonly fromAvro: (record: Row) => Row;
  /**
   * The compiled writer of `before`/`after` (avroWriter) and the avsc types of the envelope's fields, for encodeFramed's
   * direct path; undefined when the value schema holds a type the writer does not compile.
   */
  private readonly direct: (DirectParts & { write: ValueWriter }) | undefined;
  /** The last source blocks written, as bytes: a snapshot's rows share one source object per table and millisecond. */
  private readonly sourceBytes: { source: SourceInfo | undefined; bytes: Buffer | undefined }[] = [
    { source: undefined, bytes: undefined },
    { source: undefined, bytes: undefined },
  ];
  /** ts_ms, ts_us and ts_ns of the last envelope time written, as bytes. */
  private timeBytes: { ms: number; bytes: Buffer } | undefined;

  constructor(
    readonly topic: string,
    readonly valueSchema: RecordSchema,
    readonly connector: DebeziumConnector,
    private readonly version: string,
  ) {
    if (valueSchema.name !== `${topic}.Value`) {
      throw schemaError('SCHEMA_INVALID_AVRO', `A Debezium value schema for topic '${topic}' must be named '${topic}.Value', not '${valueSchema.name}'.`);
    }
    const nested = avroCodecFor(valueSchema).nested();
    this.toAvro = nested.toAvro;
    this.fromAvro = nested.fromAvro;
    this.envelopeName = `${topic}.Envelope`;
    const envelope = (value: JsonObject): JsonObject => ({
      type: 'record',
      name: 'Envelope',
      namespace: topic,
      fields: [
        { name: 'before', type: ['null', value], default: null },
        { name: 'after', type: ['null', 'Value'], default: null },
        { name: 'source', type: sourceSchema(connector) },
        { name: 'transaction', type: ['null', TRANSACTION_BLOCK], default: null },
        { name: 'op', type: 'string' },
        optional('ts_ms', 'long'),
        optional('ts_us', 'long'),
        optional('ts_ns', 'long'),
      ],
      'connect.version': 2,
      'connect.name': this.envelopeName,
    });
    this.schemaText = canonicalAvroString(envelope(avroCodecFor(valueSchema).avroSchema));
    try {
      this.type = avro.Type.forSchema(envelope(nested.annotatedSchema) as unknown as Parameters<typeof avro.Type.forSchema>[0], {
        logicalTypes: FERRY_LOGICAL_TYPES,
        typeHook: bigintLongHook,
        omitRecordMethods: true,
      });
    } catch (error) {
      throw schemaError('SCHEMA_INVALID_AVRO', `The Debezium envelope for '${topic}' is not valid Avro: ${(error as Error).message}`, { cause: error });
    }
    const parts = directParts(this.type, nested.rowKeys);
    // The whole direct write as one writer for writeToChunk, made once (not a closure per event).
    this.direct = parts && { ...parts, write: (out: AvroOut, event: unknown): boolean => this.writeDirect(parts, out, event as ChangeEvent) };
  }

  /** The Avro body of one change event (the caller adds Confluent's 5-byte header). */
  encode(event: ChangeEvent): Buffer {
    return this.type.toBuffer(this.envelopeValue(event));
  }

  /**
   * The change event as Kafka takes it: Confluent's 5-byte header and the Avro body in one buffer, written straight
   * after the header in a scratch buffer and copied once (encode + encodeFrame allocated and copied twice).
   */
  encodeFramed(event: ChangeEvent, schemaId: number): Buffer {
    const direct = this.direct;
    if (direct !== undefined && !event.transaction) {
      // Written straight after the header into a slice of the writers' shared chunk (see writeToChunk).
      const framed = writeToChunk(ID_PREFIX_LENGTH, direct.write, event);
      if (framed !== undefined) return writeIdPrefix(framed, schemaId);
    }
    const value = this.envelopeValue(event);
    let end = this.type.encode(value, envelopeScratch, ID_PREFIX_LENGTH);
    while (end < 0) {
      envelopeScratch = Buffer.allocUnsafe(Math.max(envelopeScratch.length * 2, envelopeScratch.length - end + ID_PREFIX_LENGTH));
      end = this.type.encode(value, envelopeScratch, ID_PREFIX_LENGTH);
    }
    const out = Buffer.allocUnsafe(end);
    envelopeScratch.copy(out, ID_PREFIX_LENGTH, ID_PREFIX_LENGTH, end);
    return writeIdPrefix(out, schemaId);
  }

  /**
   * The envelope written field by field, in the schema's order, without the intermediate envelope, source and renamed
   * row objects: before/after through the compiled row writer, the source block and the times as bytes avsc wrote
   * for them (kept while the next event's are the same objects / millisecond), no transaction. False when a value
   * needs avsc (see avroWriter), which then writes the whole event.
   */
  private writeDirect(direct: DirectParts, out: AvroOut, event: ChangeEvent): boolean {
    // before, then after: each null (the union's branch 0) or its row (branch 1). Two statements, not a loop over
    // [before, after], which built that array for every event.
    if (!writeImage(direct.row, out, event.before) || !writeImage(direct.row, out, event.after)) return false;
    const source = this.sourceBlock(direct.source, event.source);
    out.writeFixed(source, source.length);
    // transaction: null (the union's first branch).
    out.writeLong(0);
    if (typeof event.op !== 'string') return false;
    out.writeString(event.op);
    const times = this.timesBlock(direct, event.tsMs);
    out.writeFixed(times, times.length);
    return true;
  }

  private sourceBlock(type: Type, source: SourceInfo): Buffer {
    const [last, previous] = this.sourceBytes as [{ source: SourceInfo | undefined; bytes: Buffer | undefined }, { source: SourceInfo | undefined; bytes: Buffer | undefined }];
    if (last.source === source && last.bytes) return last.bytes;
    if (previous.source === source && previous.bytes) return previous.bytes;
    const bytes = type.toBuffer(this.sourceRecord(source));
    previous.source = last.source;
    previous.bytes = last.bytes;
    last.source = source;
    last.bytes = bytes;
    return bytes;
  }

  private timesBlock(direct: DirectParts, tsMs: number): Buffer {
    const times = this.times(tsMs);
    if (this.timeBytes?.ms === times.ms) return this.timeBytes.bytes;
    const bytes = Buffer.concat([direct.tsMs.toBuffer(times.ms), direct.tsUs.toBuffer(times.us), direct.tsNs.toBuffer(times.ns)]);
    this.timeBytes = { ms: times.ms, bytes };
    return bytes;
  }

  private fieldTypes: Map<string, FieldType> | undefined;

  /** The envelope's scalar fields (op, ts_ms, source, transaction) with their types, for ExtractNewRecordState's add.fields. */
  envelopeFields(event: ChangeEvent): EnvelopeFieldAccess {
    this.fieldTypes ??= envelopeFieldTypes(((JSON.parse(this.schemaText) as JsonObject).fields as JsonObject[]).filter(isJsonObject));
    const times = this.times(event.tsMs);
    return envelopeFieldAccess(this.fieldTypes, {
      source: this.sourceRecord(event.source),
      transaction: event.transaction ? { id: event.transaction.id, total_order: event.transaction.totalOrder, data_collection_order: event.transaction.dataCollectionOrder } : null,
      op: event.op,
      ts_ms: times.ms,
      ts_us: times.us,
      ts_ns: times.ns,
    });
  }

  private envelopeValue(event: ChangeEvent): Record<string, unknown> {
    const times = this.times(event.tsMs);
    return {
      before: event.before ? this.toAvro(event.before) : null,
      after: event.after ? this.toAvro(event.after) : null,
      source: this.sourceRecord(event.source),
      transaction: event.transaction ? { id: event.transaction.id, total_order: event.transaction.totalOrder, data_collection_order: event.transaction.dataCollectionOrder } : null,
      op: event.op,
      ts_ms: times.ms,
      ts_us: times.us,
      ts_ns: times.ns,
    };
  }

  /**
   * A time in ms, µs and ns as the long fields take them: numbers (exact below 2^52; the long type writes those
   * without a BigInt) and the nanoseconds, beyond 2^53, as a bigint. A snapshot's rows share one time and streamed
   * rows of a transaction share theirs, so the last two are kept: building three BigInts per time was 8 % of a
   * snapshot's CPU.
   */
  private times(tsMs: number): { ms: number; us: number; ns: bigint } {
    const ms = Math.trunc(tsMs);
    const last = this.lastTimes[0];
    if (last?.ms === ms) return last;
    const previous = this.lastTimes[1];
    if (previous?.ms === ms) return previous;
    const times = { ms, us: ms * 1000, ns: BigInt(ms) * 1_000_000n };
    this.lastTimes[1] = last;
    this.lastTimes[0] = times;
    return times;
  }

  private readonly lastTimes: ({ ms: number; us: number; ns: bigint } | undefined)[] = [undefined, undefined];

  /** Reads a body this codec wrote back into rows (for Trace and tests); other writers go through the registry. */
  decode(body: Uint8Array): { op: string; before: Row | null; after: Row | null; source: Record<string, unknown> } {
    const record = this.type.fromBuffer(Buffer.from(body.buffer, body.byteOffset, body.byteLength)) as { op: string; before: Row | null; after: Row | null; source: Record<string, unknown> };
    return { op: record.op, before: record.before ? this.fromAvro(record.before) : null, after: record.after ? this.fromAvro(record.after) : null, source: record.source };
  }

  private sourceRecord(source: SourceInfo): Record<string, unknown> {
    const times = this.times(source.tsMs);
    if (source.connector === 'sqlserver') {
      return {
        version: this.version,
        connector: source.connector,
        name: source.name,
        ts_ms: times.ms,
        snapshot: source.snapshot,
        db: source.db,
        ts_us: times.us,
        ts_ns: times.ns,
        sequence: null,
        schema: source.schema,
        table: source.table,
        change_lsn: source.changeLsn,
        commit_lsn: source.commitLsn,
        event_serial_no: source.eventSerialNo === null ? null : BigInt(source.eventSerialNo),
      };
    }
    if (source.connector === 'postgresql') {
      return {
        version: this.version,
        connector: source.connector,
        name: source.name,
        ts_ms: times.ms,
        snapshot: source.snapshot,
        db: source.db,
        ts_us: times.us,
        ts_ns: times.ns,
        sequence: source.sequence,
        schema: source.schema,
        table: source.table,
        txId: source.txId === null ? null : BigInt(source.txId),
        lsn: source.lsn === null ? null : BigInt(source.lsn),
        xmin: null,
      };
    }
    // One object literal (no spread of a common part) and numbers for server_id and pos: the long type writes them
    // as they are.
    return {
      version: this.version,
      connector: source.connector,
      name: source.name,
      ts_ms: times.ms,
      snapshot: source.snapshot,
      db: source.db,
      ts_us: times.us,
      ts_ns: times.ns,
      sequence: null,
      table: source.table,
      server_id: longValue(source.serverId),
      gtid: source.gtid,
      file: source.file,
      pos: longValue(source.pos),
      row: source.row,
      thread: null,
      query: null,
    };
  }
}

/** One of before/after: null as the union's branch 0, a row as branch 1 and its fields; false when the row writer declines. */
function writeImage(row: ValueWriter, out: AvroOut, image: Row | null): boolean {
  if (!image) {
    out.writeLong(0);
    return true;
  }
  out.writeLong(1);
  return row(out, image);
}

/** What encodeFramed's direct path writes with: the compiled row writer and the avsc types of the envelope's fields. */
interface DirectParts {
  row: ValueWriter;
  source: Type;
  tsMs: Type;
  tsUs: Type;
  tsNs: Type;
}

/** The parts encodeFramed's direct path writes with, found by the envelope's field names (undefined if any is missing). */
function directParts(envelope: Type, rowKeys: readonly string[]): DirectParts | undefined {
  if (!(envelope instanceof avro.types.RecordType)) return undefined;
  const names = envelope.fields.map((field) => field.name);
  if (names.join(',') !== 'before,after,source,transaction,op,ts_ms,ts_us,ts_ns') return undefined;
  const [before, , source, transaction, , tsMs, tsUs, tsNs] = envelope.fields.map((field) => field.type);
  if (!(before instanceof avro.types.UnwrappedUnionType) || !(transaction instanceof avro.types.UnwrappedUnionType)) return undefined;
  // The direct path writes null as branch 0 of before, after and transaction.
  if (!(before.types[0] instanceof avro.types.NullType) || !(transaction.types[0] instanceof avro.types.NullType)) return undefined;
  const value = before.types[1];
  const row = value === undefined ? undefined : compileRecordWriter(value, rowKeys);
  if (row === undefined || source === undefined || tsMs === undefined || tsUs === undefined || tsNs === undefined) return undefined;
  return { row, source, tsMs, tsUs, tsNs };
}

/** A long field's value: the number itself when exact, else a bigint (as every long was before, at a BigInt a value). */
function longValue(value: number): number | bigint {
  return Number.isSafeInteger(value) ? value : BigInt(value);
}

/** Debezium's `delete.handling.mode` / `delete.tombstone.handling.mode` for ExtractNewRecordState. */
export type DeleteHandling = 'drop' | 'rewrite' | 'none';

/**
 * io.debezium.transforms.ExtractNewRecordState on a decoded envelope: the row `after` (a delete's `before` with
 * `__deleted=true` under `rewrite`), or null to drop it. A tombstone (null value) is dropped when `dropTombstones`.
 */
export function extractNewRecordState(
  envelope: { op: string; before: Row | null; after: Row | null } | null,
  options: { deleteHandling: DeleteHandling; dropTombstones: boolean },
): { kind: 'row'; row: Row } | { kind: 'delete' } | { kind: 'drop' } {
  if (envelope === null) return options.dropTombstones ? { kind: 'drop' } : { kind: 'delete' };
  if (envelope.op === 'd') {
    if (options.deleteHandling === 'drop') return { kind: 'drop' };
    if (options.deleteHandling === 'rewrite' && envelope.before) return { kind: 'row', row: { ...envelope.before, __deleted: 'true' } };
    return { kind: 'delete' };
  }
  if (!envelope.after) return { kind: 'drop' };
  return { kind: 'row', row: options.deleteHandling === 'rewrite' ? { ...envelope.after, __deleted: 'false' } : envelope.after };
}
