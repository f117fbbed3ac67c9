import { createHash } from 'node:crypto';
import { deflateRawSync } from 'node:zlib';
import type { FieldValue, RecordSchema, Row } from '../../model';
import { avroCodecFor } from '../../schema';
import { objectStoreError } from './errors';
import type { ObjectFormat } from './settings';

/**
 * The bytes of one object, in the formats Connect's storage sinks write:
 * - AVRO: an Avro object container file (schema in the header, one data block), readable by avro-tools, Spark,
 *   DuckDB or any Avro library; Connect's logical types (Decimal, Date, Time, Timestamp) as Avro logical types.
 * - JSON: one JSON object per line, as Connect's JsonFormat writes records without schemas.
 */
export function objectExtension(format: ObjectFormat): string {
  return format === 'AVRO' ? 'avro' : 'json';
}

export function encodeObject(format: ObjectFormat, schema: RecordSchema | null, rows: readonly Row[], options: { avroCodec: 'null' | 'deflate'; name: string }): Buffer {
  if (format === 'JSON') return Buffer.from(rows.map((row) => `${JSON.stringify(jsonRow(row))}\n`).join(''), 'utf8');
  if (!schema) throw objectStoreError('OBJECT_STORE_BAD_RECORD', `${options.name}: AVRO output needs records with a schema (input.data.format AVRO or JSON_SR); use output.data.format=JSON for schemaless records.`);
  return avroContainer(schema, rows, options.avroCodec, options.name);
}

/** Avro's zig-zag varint long. */
function writeLong(value: number, out: number[]): void {
  let n = BigInt(value);
  n = (n << 1n) ^ (n >> 63n);
  do {
    let byte = Number(n & 0x7fn);
    n >>= 7n;
    if (n !== 0n) byte |= 0x80;
    out.push(byte);
  } while (n !== 0n);
}

function longBytes(value: number): Buffer {
  const out: number[] = [];
  writeLong(value, out);
  return Buffer.from(out);
}

function avroBytes(data: Buffer): Buffer {
  return Buffer.concat([longBytes(data.length), data]);
}

const MAGIC = Buffer.from([0x4f, 0x62, 0x6a, 0x01]); // "Obj" 1

/**
 * An Avro object container file (Avro 1.x spec, "Object Container Files"). The sync marker is derived from the
 * object name, so rewriting the same object after a restart produces the same bytes.
 */
export function avroContainer(schema: RecordSchema, rows: readonly Row[], codec: 'null' | 'deflate', name: string): Buffer {
  const avro = avroCodecFor(schema);
  const sync = createHash('sha256').update(name).digest().subarray(0, 16);
  const metadata: [string, Buffer][] = [
    ['avro.schema', Buffer.from(JSON.stringify(avro.avroSchema), 'utf8')],
    ['avro.codec', Buffer.from(codec, 'utf8')],
  ];
  const header = Buffer.concat([
    MAGIC,
    longBytes(metadata.length),
    ...metadata.flatMap(([key, value]) => [avroBytes(Buffer.from(key, 'utf8')), avroBytes(value)]),
    longBytes(0),
    sync,
  ]);
  const bodies = rows.map((row) => avro.encode(row));
  const raw = Buffer.concat(bodies);
  const data = codec === 'deflate' ? deflateRawSync(raw) : raw;
  const block = rows.length === 0 ? Buffer.alloc(0) : Buffer.concat([longBytes(rows.length), longBytes(data.length), data, sync]);
  return Buffer.concat([header, block]);
}

/**
 * A row as Connect's JsonConverter writes it without schemas: timestamps and dates as epoch milliseconds, bytes as
 * base64, decimals as their exact text, int64 beyond 2^53 as text so no digit is lost.
 */
function jsonRow(row: Row): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(row)) out[name] = jsonValue(value);
  return out;
}

function jsonValue(value: FieldValue): unknown {
  if (value === null) return null;
  if (typeof value === 'bigint') return Number.isSafeInteger(Number(value)) ? Number(value) : value.toString();
  if (value instanceof Date) return value.getTime();
  if (value instanceof Uint8Array) return Buffer.from(value).toString('base64');
  return value;
}
