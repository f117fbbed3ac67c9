import { schemaError } from './errors';

/**
 * Confluent's framing of a serialized value ([SR] schema-serializer SchemaId.java, DualSchemaIdDeserializer.java):
 * magic byte 0x00 + 4-byte big-endian schema id + body, or (CP 8.x) 0x01 + 16-byte schema GUID + body. Newer
 * serializers may instead put that id in a `__key_schema_id` / `__value_schema_id` header and send the bare body;
 * the default deserializer checks the header first and falls back to the prefix, and so does `decodeFrame`.
 */

export const MAGIC_BYTE_ID = 0x00;
export const MAGIC_BYTE_GUID = 0x01;
export const ID_PREFIX_LENGTH = 5;
const GUID_PREFIX_LENGTH = 17;
export const KEY_SCHEMA_ID_HEADER = '__key_schema_id';
export const VALUE_SCHEMA_ID_HEADER = '__value_schema_id';

/** Headers as kafkajs and SinkRecord carry them. */
export type RecordHeaders = { readonly [name: string]: Uint8Array | string | readonly (Uint8Array | string)[] | undefined };

/** A registry schema named either by its integer id or (newer registries) by its GUID. */
export type SchemaRef = { kind: 'id'; id: number } | { kind: 'guid'; guid: string };

export interface DecodedFrame {
  ref: SchemaRef;
  /** The Avro body: a view into the input, not a copy. */
  body: Buffer;
  /** Where the schema reference came from. */
  source: 'prefix' | 'header';
}

function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** Writes the 5-byte header into the first bytes of `target` (which the codec left free). */
export function writeIdPrefix(target: Buffer, schemaId: number): Buffer {
  target[0] = MAGIC_BYTE_ID;
  target.writeInt32BE(schemaId, 1);
  return target;
}

/** 0x00 + id + body in a new buffer. The converter avoids this copy by encoding after a reserved prefix. */
export function encodeFrame(schemaId: number, body: Uint8Array): Buffer {
  const out = Buffer.allocUnsafe(ID_PREFIX_LENGTH + body.byteLength);
  writeIdPrefix(out, schemaId);
  out.set(body, ID_PREFIX_LENGTH);
  return out;
}

/** The header value a CP 8.x HeaderSchemaIdSerializer writes: 0x00 + id, or 0x01 + GUID bytes. */
export function encodeSchemaIdHeader(ref: SchemaRef): Buffer {
  if (ref.kind === 'id') return writeIdPrefix(Buffer.allocUnsafe(ID_PREFIX_LENGTH), ref.id);
  const out = Buffer.allocUnsafe(GUID_PREFIX_LENGTH);
  out[0] = MAGIC_BYTE_GUID;
  Buffer.from(ref.guid.replace(/-/g, ''), 'hex').copy(out, 1);
  return out;
}

function guidAt(bytes: Buffer, offset: number): string {
  const hex = bytes.toString('hex', offset, offset + 16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** Reads a schema reference at the start of `bytes`; returns it and where the rest begins. */
function readRef(bytes: Buffer, what: string): { ref: SchemaRef; next: number } {
  const magic = bytes[0];
  if (magic === MAGIC_BYTE_ID && bytes.length >= ID_PREFIX_LENGTH) {
    return { ref: { kind: 'id', id: bytes.readInt32BE(1) }, next: ID_PREFIX_LENGTH };
  }
  if (magic === MAGIC_BYTE_GUID && bytes.length >= GUID_PREFIX_LENGTH) {
    return { ref: { kind: 'guid', guid: guidAt(bytes, 1) }, next: GUID_PREFIX_LENGTH };
  }
  throw notWireFormat(bytes, what);
}

/**
 * Splits a Kafka key or value into schema reference and Avro body. With `headers`, a `__value_schema_id`
 * (or `__key_schema_id` for keys) header wins and the payload is the bare body.
 */
export function decodeFrame(
  bytes: Uint8Array,
  headers?: RecordHeaders | null,
  isKey = false,
): DecodedFrame {
  const raw = headers?.[isKey ? KEY_SCHEMA_ID_HEADER : VALUE_SCHEMA_ID_HEADER];
  // Kafka allows repeated headers; Confluent reads the last one (Headers.lastHeader).
  const header = Array.isArray(raw) ? raw[raw.length - 1] : raw;
  const payload = asBuffer(bytes);
  if (header !== undefined && header !== null) {
    const headerBytes = typeof header === 'string' ? Buffer.from(header, 'latin1') : asBuffer(header);
    const { ref } = readRef(headerBytes, `header ${isKey ? KEY_SCHEMA_ID_HEADER : VALUE_SCHEMA_ID_HEADER}`);
    return { ref, body: payload, source: 'header' };
  }
  const { ref, next } = readRef(payload, isKey ? 'key' : 'value');
  return { ref, body: payload.subarray(next), source: 'prefix' };
}

function notWireFormat(bytes: Buffer, what: string): Error {
  if (bytes.length === 0) {
    return schemaError(
      'SCHEMA_WIRE_FORMAT',
      `not Confluent wire format: the ${what} is empty. An empty value is not a tombstone (that is null); check what the producer wrote.`,
    );
  }
  const first = bytes[0] ?? 0;
  const hex = `0x${first.toString(16).padStart(2, '0')}`;
  let guess: string;
  if (first === MAGIC_BYTE_ID || first === MAGIC_BYTE_GUID) {
    guess = `only ${bytes.length} bytes, too short for the magic byte and schema id`;
  } else if (first === 0x7b || first === 0x5b) {
    guess = 'looks like JSON; the producer used a JSON serializer (e.g. JsonConverter), not the Avro converter';
  } else if (first === 0x4f && bytes[1] === 0x62 && bytes[2] === 0x6a && bytes[3] === 0x01) {
    guess = 'looks like an Avro object container file (Obj\\x01), not a single Confluent-framed record';
  } else if (first >= 0x20 && first < 0x7f) {
    guess = 'looks like text; the producer used a string serializer';
  } else {
    guess = 'not written by a Schema Registry serializer (raw Avro without the 5-byte header?)';
  }
  return schemaError(
    'SCHEMA_WIRE_FORMAT',
    `not Confluent wire format: first byte ${hex}, ${guess} (in the ${what}). Set the reading side's converter to match how the topic was written.`,
    { detail: { firstByte: first, length: bytes.length, what } },
  );
}
