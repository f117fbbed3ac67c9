/**
 * A cheaper decode of fetched v2 record batches for kafkajs consumers (issue 13: the sink's fetch decode).
 *
 * kafkajs decodes each record through a new Decoder over a slice of it, reads its timestamp delta as a 64-bit Long
 * and computes offset and timestamp by parsing the batch's base offset/timestamp strings into Longs, adding and
 * printing them again: ~1.5 us per row on the sink thread. This decoder reads the same batch straight into the same
 * objects kafkajs hands to eachBatch (offset and timestamp strings, key/value/header Buffers as slices of the fetch,
 * the batch context shared by its records), with offsets and timestamps as numbers: a batch takes this path only when
 * its base offset and base timestamp are within 2^52, so base + any 32-bit delta (or a timestamp delta of at most 7
 * varint bytes) is exact.
 *
 * Everything else goes to kafkajs's own batch decoder, from the batch's first byte: transactional and control batches,
 * codecs nobody registered, offsets or timestamps beyond that range, partial or malformed batches (kafkajs reports
 * those as it always did, e.g. the partial-batch error its fetch loop relies on). Compressed batches are decompressed
 * by the codec kafkajs would use (codecs.ts registers them), then read here.
 *
 * Installed by kafkajsRuntime.ts in place of kafkajs's `recordBatch/v0/decoder.js` export (the module every kafkajs
 * fetch and rawBatchPath's decodeRecordBatch call), before kafkajs loads; with it, kafkajs's consumer Batch, whose
 * constructor parses every message's offset into a Long again (fastBatchClass). FERRY_KAFKA_FETCH_DECODE=kafkajs
 * leaves kafkajs's own in force (for A/B measurements).
 */
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

/** The part of kafkajs's Decoder a batch decoder uses: a buffer and a read position in it. */
export interface BatchDecoder {
  buffer: Buffer;
  offset: number;
}

type KafkajsBatchDecoder = (decoder: BatchDecoder) => Promise<unknown>;
interface Codec {
  decompress(buffer: Buffer): Promise<Buffer>;
}
type CodecLookup = (attributes: number) => Codec | null;

const TRANSACTIONAL_OR_CONTROL = 0x10 | 0x20;
const LOG_APPEND_TIME_FLAG = 0x08;
const CODEC_MASK = 0x07;
/** Bytes from a batch's first byte to its record count (base offset .. first sequence). */
const RECORDS_COUNT_AT = 57;
const RECORDS_AT = 61;
/** A base offset or timestamp within this bound plus any 32-bit delta or 7-byte varlong stays an exact number. */
const EXACT_BOUND = 2 ** 52;

interface BatchContext {
  firstOffset: string;
  firstTimestamp: string;
  partitionLeaderEpoch: number;
  inTransaction: boolean;
  isControlBatch: boolean;
  lastOffsetDelta: number;
  producerId: string;
  producerEpoch: number;
  firstSequence: number;
  maxTimestamp: string;
  timestampType: number;
}

/** One record as kafkajs's record decoder returns it (same fields, same order). */
export interface DecodedFetchRecord {
  magicByte: number;
  attributes: number;
  timestamp: string;
  offset: string;
  key: Buffer | null;
  value: Buffer | null;
  headers: Record<string, Buffer | null | (Buffer | null)[]>;
  isControlRecord: boolean;
  batchContext: BatchContext & { magicByte: number };
}

/** Thrown inside the record loop when a record is not one this reader takes; the batch goes to kafkajs instead. */
const NOT_PLAIN = Symbol('not a plain record');

/** Read position of the record loop (synchronous, so one per thread is enough). */
let at = 0;

/** kafkajs's readVarInt, exactly (its 32-bit arithmetic included). */
function readVarInt(buffer: Buffer, end: number): number {
  let byte = buffer[at] as number;
  // Most varints of a record (lengths, deltas, counts) are one byte.
  if (byte < 0x80 && at < end) {
    at++;
    return (byte >>> 1) ^ -(byte & 1);
  }
  let result = 0;
  let shift = 0;
  do {
    if (at >= end) throw NOT_PLAIN;
    byte = buffer[at++] as number;
    result += (byte & 0x7f) << shift;
    shift += 7;
  } while (byte >= 0x80);
  return (result >>> 1) ^ -(result & 1);
}

/** A zigzag varlong of at most 7 bytes (|value| < 2^48) as a number; longer ones are kafkajs's. */
function readSmallVarLong(buffer: Buffer, end: number): number {
  let byte: number;
  let result = 0;
  let scale = 1;
  let bytes = 0;
  do {
    if (at >= end || bytes === 7) throw NOT_PLAIN;
    byte = buffer[at++] as number;
    result += (byte & 0x7f) * scale;
    scale *= 128;
    bytes++;
  } while (byte >= 0x80);
  return result % 2 === 0 ? result / 2 : -(result + 1) / 2;
}

function readBytes(buffer: Buffer, end: number): Buffer | null {
  const length = readVarInt(buffer, end);
  if (length === -1) return null;
  if (length < 0 || at + length > end) throw NOT_PLAIN;
  const bytes = buffer.subarray(at, at + length);
  at += length;
  return bytes;
}

/**
 * The headers of every record that has none, shared: most records carry none (a source samples its headers on one
 * record per batch), and an empty object per record was ~0.4 MB held per fetch while its chunks waited for the target.
 * Frozen, so a consumer that wrote into a record's headers in place would fail loudly instead of touching every record.
 */
const NO_HEADERS = Object.freeze({}) as DecodedFetchRecord['headers'];

/** Headers as kafkajs folds them: a repeated key collects its values in an array (inherited names included). */
function readHeaders(buffer: Buffer, end: number): DecodedFetchRecord['headers'] {
  const count = readVarInt(buffer, end);
  if (count < -1) throw NOT_PLAIN;
  if (count <= 0) return NO_HEADERS;
  const headers: Record<string, unknown> = {};
  for (let index = 0; index < count; index++) {
    const keyLength = readVarInt(buffer, end);
    let key: string;
    if (keyLength === -1) key = 'null';
    else {
      if (keyLength < 0 || at + keyLength > end) throw NOT_PLAIN;
      key = buffer.toString('utf8', at, at + keyLength);
      at += keyLength;
    }
    const value = readBytes(buffer, end);
    const existing = headers[key];
    const folded = existing === undefined ? value : Array.isArray(existing) ? existing.concat([value]) : [existing, value];
    // kafkajs builds the object with a computed key, which makes even "__proto__" an own property.
    if (key === '__proto__') Object.defineProperty(headers, key, { value: folded, enumerable: true, writable: true, configurable: true });
    else headers[key] = folded;
  }
  return headers as DecodedFetchRecord['headers'];
}

/** `count` records from `buffer` at `start` (records end at `end`), or undefined if one is not plain. */
function readRecords(buffer: Buffer, start: number, end: number, count: number, baseOffset: number, baseTimestamp: number, context: DecodedFetchRecord['batchContext']): DecodedFetchRecord[] | undefined {
  // A record takes at least 7 bytes: a larger count is a malformed batch, kafkajs's to report.
  if (count * 7 > end - start) return undefined;
  const records = new Array<DecodedFetchRecord>(count);
  const logAppendTime = context.timestampType === 1;
  // A producer stamps a batch's records mostly with the same time (a source stamps its whole read batch with one):
  // records with the previous record's delta share its timestamp string instead of each holding a copy while its
  // chunk waits for the target.
  let lastDelta = Number.NaN;
  let lastTimestamp = '';
  at = start;
  try {
    for (let index = 0; index < count; index++) {
      const length = readVarInt(buffer, end);
      const recordEnd = at + length;
      if (length < 0 || recordEnd > end) return undefined;
      const attributes = ((buffer[at++] as number) << 24) >> 24;
      const timestampDelta = readSmallVarLong(buffer, recordEnd);
      const offsetDelta = readVarInt(buffer, recordEnd);
      const key = readBytes(buffer, recordEnd);
      const value = readBytes(buffer, recordEnd);
      const headers = readHeaders(buffer, recordEnd);
      records[index] = {
        magicByte: 2,
        attributes,
        timestamp: logAppendTime ? context.maxTimestamp : timestampDelta === lastDelta ? lastTimestamp : (lastTimestamp = String(baseTimestamp + (lastDelta = timestampDelta))),
        offset: String(baseOffset + offsetDelta),
        key,
        value,
        headers,
        isControlRecord: false,
        batchContext: context,
      };
      at = recordEnd;
    }
  } catch (error) {
    if (error === NOT_PLAIN) return undefined;
    throw error;
  }
  return records;
}

let kafkajsOnly = false;

/** Batches decoded by the fast path and by kafkajs's decoder in this thread (tests check which path took what). */
export const fetchBatchCounts = { fast: 0, kafkajs: 0 };

/**
 * Sends every batch to kafkajs's own decoder (true) or lets the fast path take those it can (false, the default):
 * for tests that compare the two on the same fetches, in one thread.
 */
export function decodeFetchesWithKafkajsOnly(only: boolean): void {
  kafkajsOnly = only;
}

/** Whether a decimal int64 string is within EXACT_BOUND (so Number() of it is exact). */
function exactNumber(text: string): number | undefined {
  const value = Number(text);
  return Math.abs(value) <= EXACT_BOUND ? value : undefined;
}

/**
 * kafkajs's record batch decoder (recordBatch/v0/decoder.js) with the fast path in front: same result, same position
 * of `fetchDecoder` after it. `kafkajsDecoder` decodes whatever this one does not take.
 */
export function fastBatchDecoder(kafkajsDecoder: KafkajsBatchDecoder, lookupCodecByAttributes: CodecLookup): KafkajsBatchDecoder {
  const fallBack = (fetchDecoder: BatchDecoder) => {
    fetchBatchCounts.kafkajs++;
    return kafkajsDecoder(fetchDecoder);
  };
  return async (fetchDecoder) => {
    if (kafkajsOnly) return kafkajsDecoder(fetchDecoder);
    const buffer = fetchDecoder.buffer;
    const start = fetchDecoder.offset;
    if (buffer.length - start < RECORDS_AT) return fallBack(fetchDecoder);
    const length = buffer.readInt32BE(start + 8);
    const end = start + 12 + length;
    const attributes = buffer.readInt16BE(start + 21);
    const codecType = attributes & CODEC_MASK;
    if (length < RECORDS_AT - 12 || end > buffer.length || buffer[start + 16] !== 2 || (attributes & TRANSACTIONAL_OR_CONTROL) !== 0) return fallBack(fetchDecoder);
    const codec = codecType === 0 ? null : lookupCodecByAttributes(attributes);
    if (codecType !== 0 && codec === null) return fallBack(fetchDecoder);
    const firstOffset = buffer.readBigInt64BE(start).toString();
    const firstTimestamp = buffer.readBigInt64BE(start + 27).toString();
    const baseOffset = exactNumber(firstOffset);
    const baseTimestamp = exactNumber(firstTimestamp);
    if (baseOffset === undefined || baseTimestamp === undefined) return fallBack(fetchDecoder);
    const recordContext: BatchContext = {
      firstOffset,
      firstTimestamp,
      partitionLeaderEpoch: buffer.readInt32BE(start + 12),
      inTransaction: false,
      isControlBatch: false,
      lastOffsetDelta: buffer.readInt32BE(start + 23),
      producerId: buffer.readBigInt64BE(start + 43).toString(),
      producerEpoch: buffer.readInt16BE(start + 51),
      firstSequence: buffer.readInt32BE(start + 53),
      maxTimestamp: buffer.readBigInt64BE(start + 35).toString(),
      timestampType: (attributes & LOG_APPEND_TIME_FLAG) !== 0 ? 1 : 0,
    };
    const count = buffer.readInt32BE(start + RECORDS_COUNT_AT);
    let records: DecodedFetchRecord[] | undefined;
    if (codec === null) {
      // kafkajs reads an uncompressed batch's records as an array: a count of -1 is an empty one.
      records = count === -1 ? [] : count < 0 ? undefined : readRecords(buffer, start + RECORDS_AT, end, count, baseOffset, baseTimestamp, { ...recordContext, magicByte: 2 });
    } else if (count <= 0) records = [];
    else {
      const decompressed = await codec.decompress(buffer.subarray(start + RECORDS_AT, end));
      records = readRecords(decompressed, 0, decompressed.length, count, baseOffset, baseTimestamp, { ...recordContext, magicByte: 2 });
    }
    if (records === undefined) return fallBack(fetchDecoder);
    fetchDecoder.offset = end;
    fetchBatchCounts.fast++;
    return { ...recordContext, records };
  };
}

interface CachedModule {
  exports: unknown;
}

/** Marks the installed decoder (a second install in the same thread finds it). */
const FAST = Symbol.for('ferry.fastFetchBatchDecoder');

/**
 * Puts the fast decoder in place of kafkajs's batch decoder export, before kafkajs's fetch decoders require it.
 * Returns whether it is in force (false in a bundle without kafkajs's sources, when turned off, or when the fetch
 * decoders were loaded first and hold kafkajs's own).
 */
export function installFetchBatchDecoder(environment: NodeJS.ProcessEnv = process.env): boolean {
  if (environment.FERRY_KAFKA_FETCH_DECODE === 'kafkajs') return false;
  let cached: CachedModule | undefined;
  let kafkajsDecoder: KafkajsBatchDecoder;
  let lookupCodecByAttributes: CodecLookup;
  try {
    const filename = require.resolve('kafkajs/src/protocol/recordBatch/v0/decoder.js');
    const messagesFile = require.resolve('kafkajs/src/protocol/requests/fetch/v4/decodeMessages.js');
    const cache = require.cache as Record<string, CachedModule | undefined>;
    if (cache[messagesFile] !== undefined) return false;
    const current = require(filename) as KafkajsBatchDecoder & { [FAST]?: true };
    if (current[FAST]) return true;
    cached = cache[filename];
    if (cached === undefined) return false;
    kafkajsDecoder = current;
    ({ lookupCodecByAttributes } = require('kafkajs/src/protocol/message/compression/index.js') as { lookupCodecByAttributes: CodecLookup });
  } catch {
    return false;
  }
  const fast = Object.assign(fastBatchDecoder(kafkajsDecoder, lookupCodecByAttributes), { [FAST]: true as const });
  cached.exports = fast;
  return true;
}

interface FetchedPartition {
  partition: number;
  highWatermark: string;
  abortedTransactions?: unknown[];
  messages: { offset: string; isControlRecord?: boolean }[];
}
type BatchClass = new (topic: string, fetchedOffset: unknown, partitionData: FetchedPartition) => object;
type AbortedFilter = (options: { messages: FetchedPartition['messages']; abortedTransactions?: unknown[] }) => FetchedPartition['messages'];

/**
 * kafkajs's consumer Batch (consumer/batch.js) with its constructor's offset filter done on numbers: kafkajs parses
 * every message's offset into a Long (a BigInt) to drop those before the fetched offset, as costly as the rest of
 * the decode. Same fields, same prototype (its methods are kafkajs's); offsets beyond 2^53, or a fetched offset that
 * is not a plain decimal, go through kafkajs's own constructor. Offsets are the decoders' decimal strings.
 */
export function fastBatchClass(Batch: BatchClass, filterAbortedMessages: AbortedFilter): BatchClass {
  function FerryBatch(topic: string, fetchedOffset: unknown, partitionData: FetchedPartition): object {
    const from = typeof fetchedOffset === 'string' || typeof fetchedOffset === 'number' ? Number(fetchedOffset) : NaN;
    if (kafkajsOnly || !Number.isSafeInteger(from) || String(from) !== String(fetchedOffset)) return new Batch(topic, fetchedOffset, partitionData);
    const { abortedTransactions, messages } = partitionData;
    const messagesWithinOffset = [];
    for (const message of messages) {
      const offset = Number(message.offset);
      if (!Number.isSafeInteger(offset)) return new Batch(topic, fetchedOffset, partitionData);
      if (offset >= from) messagesWithinOffset.push(message);
    }
    const batch = Object.create(Batch.prototype) as Record<string, unknown>;
    batch.fetchedOffset = fetchedOffset;
    batch.topic = topic;
    batch.partition = partitionData.partition;
    batch.highWatermark = partitionData.highWatermark;
    batch.rawMessages = messages;
    batch.messagesWithinOffset = messagesWithinOffset;
    batch.messages = filterAbortedMessages({ messages: messagesWithinOffset, abortedTransactions }).filter((message) => !message.isControlRecord);
    return batch;
  }
  FerryBatch.prototype = Batch.prototype;
  return FerryBatch as unknown as BatchClass;
}

/** Puts fastBatchClass in place of kafkajs's consumer Batch, before kafkajs's consumer group requires it. */
export function installFastConsumerBatch(environment: NodeJS.ProcessEnv = process.env): boolean {
  if (environment.FERRY_KAFKA_FETCH_DECODE === 'kafkajs') return false;
  let cached: CachedModule | undefined;
  let Batch: BatchClass & { [FAST]?: true };
  let filterAbortedMessages: AbortedFilter;
  try {
    const filename = require.resolve('kafkajs/src/consumer/batch.js');
    const cache = require.cache as Record<string, CachedModule | undefined>;
    if (cache[require.resolve('kafkajs/src/consumer/consumerGroup.js')] !== undefined) return false;
    Batch = require(filename) as typeof Batch;
    if (Batch[FAST]) return true;
    cached = cache[filename];
    if (cached === undefined) return false;
    filterAbortedMessages = require('kafkajs/src/consumer/filterAbortedMessages.js') as AbortedFilter;
  } catch {
    return false;
  }
  cached.exports = Object.assign(fastBatchClass(Batch, filterAbortedMessages), { [FAST]: true as const });
  return true;
}
