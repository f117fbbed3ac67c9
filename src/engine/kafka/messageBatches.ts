/**
 * Producing without kafkajs's per-record encoders. kafkajs writes each record of a produce request as its own
 * Encoder (record/v0: a header object array, a growing buffer per record, writeUVarInt byte by byte), concatenates
 * them, and picks each record's partition with a murmur2 on 64-bit Long objects after copying the partition list
 * (`filter`) for every message: about 6–8 µs and a dozen objects per record on a source's thread. Here:
 *
 * - `writeMessageBatch` writes a partition's messages straight into one v2 record batch (recordBatches.ts's layout)
 *   inside the produce request's own buffer: a sizing pass into reused typed arrays, then the records with their
 *   varints written in place; `buildMessageBatch` makes a batch in its own buffer, its records section compressed
 *   with kafkajs's registered codec when the send asks for compression. The producer's id, epoch, sequence and the
 *   CRC-32C (native) are stamped in by the produce request (rawBatchPath.ts).
 * - `createDefaultPartitioner` is kafkajs 2.x's DefaultPartitioner (Java's murmur2 of the key; keyless messages
 *   round-robin over the partitions with a leader, from a random start per topic) on 32-bit integer arithmetic and
 *   without allocating per keyed message: every message lands on the partition kafkajs would pick, except that a
 *   keyless message keeps its partition when kafkajs retries its send (kafkajs would move it, breaking idempotence).
 *
 * Records are written as kafkajs writes them: timestamp = the message's (a decimal string) or the request's time,
 * key and value as bytes (a string as its UTF-8, null as length -1), headers in the object's key order, an array
 * value giving the header once per element. A header whose value is undefined is left out (kafkajs throws on it);
 * a null one is written as a null header value. The batch's base timestamp is its first record's, as Java's
 * producer writes it (kafkajs takes the smallest); each record decodes to the same timestamp either way.
 */
import { randomInt } from 'node:crypto';
import { BATCH_HEADER_BYTES, type BuiltBatch, writeBatchHeader } from './recordBatches';
import { varintSize, varlongSize, writeVarint, writeVarlong } from './varints';

/** The message shape kafkajs's send takes (port.ts's OutgoingMessage). */
export interface ProducedMessage {
  key?: Buffer | string | null;
  value: Buffer | string | null;
  partition?: number;
  headers?: Record<string, Buffer | string | null | undefined | (Buffer | string)[]>;
  timestamp?: string | number;
}

/** Compresses a batch's records section (kafkajs's codec contract: `compress({ buffer })`). */
export type RecordsCompressor = (records: Buffer) => Promise<Buffer>;

/** Per-record sizes of the request being built, reused between requests (filled and read without an await between). */
let bodySizes = new Int32Array(4096);
let keySizes = new Int32Array(4096);
let valueSizes = new Int32Array(4096);
let timestamps = new Float64Array(4096);

function ensureScratch(count: number): void {
  if (bodySizes.length >= count) return;
  let size = bodySizes.length;
  while (size < count) size *= 2;
  bodySizes = new Int32Array(size);
  keySizes = new Int32Array(size);
  valueSizes = new Int32Array(size);
  timestamps = new Float64Array(size);
}

/** Bytes of a key or value: -1 for null (kafkajs writes anything else as its string's UTF-8). */
function byteSize(value: unknown): number {
  if (value === null || value === undefined) return -1;
  if (Buffer.isBuffer(value)) return value.length;
  return Buffer.byteLength(String(value), 'utf8');
}

function writeBytes(out: Buffer, at: number, value: unknown, size: number): number {
  at = writeVarint(out, at, size);
  if (size <= 0) return at;
  if (Buffer.isBuffer(value)) out.set(value, at);
  else out.write(String(value), at, size, 'utf8');
  return at + size;
}

type Headers = NonNullable<ProducedMessage['headers']>;

/** The headers' count and encoded size (count varint included). */
function headersSize(headers: Headers | undefined): number {
  if (headers === undefined) return 1;
  let count = 0;
  let size = 0;
  for (const name of Object.keys(headers)) {
    const value = headers[name];
    if (value === undefined) continue;
    const nameSize = Buffer.byteLength(name, 'utf8');
    if (Array.isArray(value)) {
      for (const element of value) size += headerSize(nameSize, element);
      count += value.length;
    } else {
      size += headerSize(nameSize, value);
      count++;
    }
  }
  return varintSize(count) + size;
}

/** One header's encoded size: its name and value, each with its length varint (-1 for a null value). */
function headerSize(nameSize: number, value: unknown): number {
  const valueSize = byteSize(value);
  return varintSize(nameSize) + nameSize + varintSize(valueSize) + Math.max(valueSize, 0);
}

function headerCount(headers: Headers): number {
  let count = 0;
  for (const name of Object.keys(headers)) {
    const value = headers[name];
    if (value === undefined) continue;
    count += Array.isArray(value) ? value.length : 1;
  }
  return count;
}

function writeHeaders(out: Buffer, at: number, headers: Headers | undefined): number {
  if (headers === undefined) return writeVarint(out, at, 0);
  at = writeVarint(out, at, headerCount(headers));
  for (const name of Object.keys(headers)) {
    const value = headers[name];
    if (value === undefined) continue;
    const nameSize = Buffer.byteLength(name, 'utf8');
    if (Array.isArray(value)) {
      for (const element of value) {
        at = writeBytes(out, at, name, nameSize);
        at = writeBytes(out, at, element, byteSize(element));
      }
    } else {
      at = writeBytes(out, at, name, nameSize);
      at = writeBytes(out, at, value, byteSize(value));
    }
  }
  return at;
}

/** The base and max timestamps of the records `sizeRecords` last sized. */
let sizedBaseTimestamp = 0;
let sizedMaxTimestamp = 0;

/** Sizes every record into the scratch arrays; returns the bytes of the records section. */
function sizeRecords(messages: readonly ProducedMessage[], now: number): number {
  const count = messages.length;
  if (count === 0) throw new Error('a record batch needs at least one record');
  ensureScratch(count);
  let maxTimestamp = -Infinity;
  for (let index = 0; index < count; index++) {
    const message = messages[index] as ProducedMessage;
    // kafkajs: `message.timestamp || dateNow` (an empty or absent timestamp is the request's time).
    const timestamp = message.timestamp ? Number(message.timestamp) : now;
    timestamps[index] = timestamp;
    if (timestamp > maxTimestamp) maxTimestamp = timestamp;
  }
  const baseTimestamp = timestamps[0] as number;
  let recordsSize = 0;
  for (let index = 0; index < count; index++) {
    const message = messages[index] as ProducedMessage;
    const keySize = byteSize(message.key);
    const valueSize = byteSize(message.value);
    keySizes[index] = keySize;
    valueSizes[index] = valueSize;
    const body =
      1 +
      varlongSize((timestamps[index] as number) - baseTimestamp) +
      varintSize(index) +
      varintSize(keySize) +
      Math.max(keySize, 0) +
      varintSize(valueSize) +
      Math.max(valueSize, 0) +
      headersSize(message.headers);
    bodySizes[index] = body;
    recordsSize += varintSize(body) + body;
  }
  sizedBaseTimestamp = baseTimestamp;
  sizedMaxTimestamp = maxTimestamp;
  return recordsSize;
}

/** Writes the records `sizeRecords` just sized (no await in between: the scratch arrays are shared) at `at`. */
function writeRecords(messages: readonly ProducedMessage[], out: Buffer, at: number): number {
  const baseTimestamp = sizedBaseTimestamp;
  for (let index = 0; index < messages.length; index++) {
    const message = messages[index] as ProducedMessage;
    at = writeVarint(out, at, bodySizes[index] as number);
    out[at++] = 0; // record attributes: none defined
    at = writeVarlong(out, at, (timestamps[index] as number) - baseTimestamp);
    at = writeVarint(out, at, index);
    at = writeBytes(out, at, message.key, keySizes[index] as number);
    at = writeBytes(out, at, message.value, valueSizes[index] as number);
    at = writeHeaders(out, at, message.headers);
  }
  return at;
}

/** Bytes of the uncompressed batch `writeMessageBatch` writes for these messages. */
export function messageBatchSize(messages: readonly ProducedMessage[], now: number): number {
  return BATCH_HEADER_BYTES + sizeRecords(messages, now);
}

/**
 * Writes one partition's messages as an uncompressed, unstamped batch (base offset 0, no producer:
 * stampRecordBatch adds it) into `out` at `at`, in send order (offset deltas 0..n-1); returns where it ends. `now` is
 * the timestamp of messages without one.
 */
export function writeMessageBatch(messages: readonly ProducedMessage[], now: number, out: Buffer, at: number): number {
  const recordsSize = sizeRecords(messages, now);
  const end = at + BATCH_HEADER_BYTES + recordsSize;
  if (end > out.length) throw new RangeError(`a record batch of ${end - at} bytes does not fit in the ${out.length - at} bytes left`);
  const written = writeRecords(messages, out, at + BATCH_HEADER_BYTES);
  if (written !== end) throw new Error(`record batch sizing is off: wrote ${written - at} of ${end - at} bytes`);
  writeBatchHeader(out.subarray(at, end), 0, messages.length, sizedBaseTimestamp, sizedMaxTimestamp);
  return end;
}

/**
 * The record batch for one partition's messages in a buffer of its own, unstamped; with `compress`, the records
 * section is compressed and `compression` (kafkajs's codec number, 1–4) goes into the attributes.
 */
export async function buildMessageBatch(messages: readonly ProducedMessage[], now: number, compression = 0, compress?: RecordsCompressor): Promise<BuiltBatch> {
  if (!compress) {
    const bytes = Buffer.allocUnsafe(messageBatchSize(messages, now));
    writeMessageBatch(messages, now, bytes, 0);
    return { bytes, recordCount: messages.length };
  }
  const records = Buffer.allocUnsafe(sizeRecords(messages, now));
  const baseTimestamp = sizedBaseTimestamp;
  const maxTimestamp = sizedMaxTimestamp;
  const written = writeRecords(messages, records, 0);
  if (written !== records.length) throw new Error(`record batch sizing is off: wrote ${written} of ${records.length} bytes`);
  const compressed = await compress(records);
  const bytes = Buffer.allocUnsafe(BATCH_HEADER_BYTES + compressed.length);
  compressed.copy(bytes, BATCH_HEADER_BYTES);
  writeBatchHeader(bytes, compression, messages.length, baseTimestamp, maxTimestamp);
  return { bytes, recordCount: messages.length };
}

/** Java's murmur2 (Utils.murmur2, seed 0x9747b28c) as a signed 32-bit integer: kafkajs's default murmur2, on int32s. */
export function murmur2(data: Buffer): number {
  const M = 0x5bd1e995;
  const length = data.length;
  let h = 0x9747b28c ^ length;
  const whole = length & ~3;
  for (let i = 0; i < whole; i += 4) {
    let k = (data[i] as number) | ((data[i + 1] as number) << 8) | ((data[i + 2] as number) << 16) | ((data[i + 3] as number) << 24);
    k = Math.imul(k, M);
    k ^= k >>> 24;
    k = Math.imul(k, M);
    h = Math.imul(h, M);
    h ^= k;
  }
  // Java's switch falls through from the third trailing byte to the first.
  const tail = length & 3;
  if (tail === 3) h ^= (data[whole + 2] as number) << 16;
  if (tail >= 2) h ^= (data[whole + 1] as number) << 8;
  if (tail >= 1) {
    h ^= data[whole] as number;
    h = Math.imul(h, M);
  }
  h ^= h >>> 13;
  h = Math.imul(h, M);
  h ^= h >>> 15;
  return h | 0;
}

interface PartitionInfo {
  partitionId: number;
  leader: number;
}

interface PartitionerArgs {
  topic: string;
  partitionMetadata: readonly PartitionInfo[];
  message: { partition?: number | null; key?: Buffer | string | null };
}

/**
 * kafkajs 2.x's DefaultPartitioner (producer/partitioners/legacy/partitioner.js over default/murmur2.js), same
 * choices: the message's partition if it has one; else murmur2(key) & 0x7fffffff modulo the partition count; else
 * the next of the partitions that have a leader (all of them when none has), counting from a random start per topic.
 * One difference: a keyless message given again (kafkajs's retry of a send) gets the partition it got the first time.
 */
export function createDefaultPartitioner(): (args: PartitionerArgs) => number {
  // Per topic: the round-robin counter, and the partition each keyless message was given. kafkajs groups a send's
  // messages again for every attempt and re-sends a failed attempt's sequence numbers; a keyless message must keep its
  // partition (as Java's producer, which partitions a record once) or those sequences would name other records:
  // refused as out of order, or acknowledged as duplicates of records the broker may never have appended.
  const topics = new Map<string, { counter: number; keyless: WeakMap<object, number> }>();
  return ({ topic, partitionMetadata, message }) => {
    let state = topics.get(topic);
    if (state === undefined) {
      state = { counter: randomInt(0, 2 ** 32), keyless: new WeakMap() };
      topics.set(topic, state);
    }
    if (message.partition !== null && message.partition !== undefined) return message.partition;
    const key = message.key;
    if (key !== null && key !== undefined) {
      // One partition: every key's hash lands on 0, so none is hashed (a topic's messages all hashed for nothing).
      if (partitionMetadata.length === 1) return 0;
      return (murmur2(Buffer.isBuffer(key) ? key : Buffer.from(String(key))) & 0x7fffffff) % partitionMetadata.length;
    }
    const earlier = state.keyless.get(message);
    if (earlier !== undefined && earlier < partitionMetadata.length) return earlier;
    const partition = roundRobin(partitionMetadata, ++state.counter & 0x7fffffff);
    state.keyless.set(message, partition);
    return partition;
  };
}

/** The `nth` (modulo) of the partitions with a leader, or of all partitions when none has one. */
function roundRobin(partitionMetadata: readonly PartitionInfo[], nth: number): number {
  let available = 0;
  for (const partition of partitionMetadata) if (partition.leader >= 0) available++;
  if (available === 0) return nth % partitionMetadata.length;
  nth %= available;
  for (const partition of partitionMetadata) {
    if (partition.leader >= 0 && nth-- === 0) return partition.partitionId;
  }
  throw new Error('unreachable: an available partition was counted but not found');
}
