/**
 * Kafka record batches (message format v2, "magic 2") as bytes: reading the batches of a fetch response without
 * decoding their records, Kafka's read_committed filter at batch level, building the batch a produce request
 * carries from fetched batches, and stamping it with the destination producer's id, epoch and sequence.
 *
 * This is what lets the replicator forward records byte for byte without kafkajs decoding and re-encoding each of
 * them. Layout of a batch (offsets from its first byte):
 *
 *   0 baseOffset int64 · 8 batchLength int32 (bytes after this field) · 12 partitionLeaderEpoch int32 · 16 magic int8
 *   17 crc uint32 (CRC-32C of byte 21 to the end) · 21 attributes int16 · 23 lastOffsetDelta int32
 *   27 baseTimestamp int64 · 35 maxTimestamp int64 · 43 producerId int64 · 51 producerEpoch int16
 *   53 baseSequence int32 · 57 recordCount int32 · 61 records
 *
 * A record: length varint, attributes int8, timestampDelta varlong, offsetDelta varint, key, value, headers (all
 * zigzag varints). Attributes: bits 0–2 compression, bit 3 LogAppendTime, bit 4 transactional, bit 5 control.
 */
import { crc32c } from '@node-rs/crc32';
import { varlongSize, writeVarlong } from './varints';

export const BATCH_HEADER_BYTES = 61;
const COMPRESSION_MASK = 0x07;
const LOG_APPEND_TIME = 0x08;
const TRANSACTIONAL = 0x10;
const CONTROL = 0x20;

/** One fetched record batch, its bytes untouched (a view into the fetch response). */
export interface RecordBatchView {
  /** The whole batch, baseOffset through its last record. */
  bytes: Buffer;
  baseOffset: number;
  /** baseOffset + lastOffsetDelta: the batch's last offset, also when compaction removed that record. */
  lastOffset: number;
  attributes: number;
  recordCount: number;
  producerId: bigint;
  baseTimestamp: number;
  maxTimestamp: number;
}

/** A transaction the broker reports aborted in a fetched range (read_committed fetches). */
export interface AbortedTransaction {
  producerId: string;
  firstOffset: string;
}

export const compressionOf = (batch: RecordBatchView): number => batch.attributes & COMPRESSION_MASK;
export const isControlBatch = (batch: RecordBatchView): boolean => (batch.attributes & CONTROL) !== 0;
export const isTransactionalBatch = (batch: RecordBatchView): boolean => (batch.attributes & TRANSACTIONAL) !== 0;
export const isLogAppendTime = (batch: RecordBatchView): boolean => (batch.attributes & LOG_APPEND_TIME) !== 0;
/** No offset gaps inside the batch (compaction leaves gaps; a produce request may not have any). */
export const isDense = (batch: RecordBatchView): boolean => batch.lastOffset - batch.baseOffset + 1 === batch.recordCount;

/**
 * The batches of a fetch response's record set, or undefined when it holds an old message format (magic 0/1), which
 * only a per-record decode can read. A batch cut short at the end of the response (fetch size limits) is left out.
 */
export function readRecordBatches(records: Buffer): RecordBatchView[] | undefined {
  const batches: RecordBatchView[] = [];
  let at = 0;
  while (at + BATCH_HEADER_BYTES <= records.length) {
    const length = records.readInt32BE(at + 8);
    const end = at + 12 + length;
    if (records.readInt8(at + 16) !== 2) return undefined;
    if (end > records.length) break;
    const baseOffset = Number(records.readBigInt64BE(at));
    batches.push({
      bytes: records.subarray(at, end),
      baseOffset,
      lastOffset: baseOffset + records.readInt32BE(at + 23),
      attributes: records.readInt16BE(at + 21),
      recordCount: records.readInt32BE(at + 57),
      producerId: records.readBigInt64BE(at + 43),
      baseTimestamp: Number(records.readBigInt64BE(at + 27)),
      maxTimestamp: Number(records.readBigInt64BE(at + 35)),
    });
    at = end;
  }
  return batches;
}

/** Reads a zigzag varint (int32 or int64 within 2^53) at `at`; returns [value, next position]. */
function readVarlong(buffer: Buffer, at: number): [number, number] {
  let raw = 0;
  let scale = 1;
  for (;;) {
    const byte = buffer[at++];
    if (byte === undefined) throw new RangeError('record batch ends inside a varint');
    raw += (byte & 0x7f) * scale;
    if (byte < 0x80) break;
    scale *= 128;
  }
  return [raw % 2 === 0 ? raw / 2 : -(raw + 1) / 2, at];
}

/** A control batch's marker: true for ABORT, false for COMMIT (the key of its one record: version int16, type int16). */
export function isAbortMarker(batch: RecordBatchView): boolean {
  if (!isControlBatch(batch) || batch.recordCount < 1 || compressionOf(batch) !== 0) return false;
  const bytes = batch.bytes;
  let at = BATCH_HEADER_BYTES;
  [, at] = readVarlong(bytes, at); // record length
  at += 1; // attributes
  [, at] = readVarlong(bytes, at); // timestamp delta
  [, at] = readVarlong(bytes, at); // offset delta
  const [keyLength, keyAt] = readVarlong(bytes, at);
  return keyLength >= 4 && bytes.readInt16BE(keyAt + 2) === 0;
}

/**
 * Kafka's read_committed filter (the Java consumer's, at batch level): the data batches a consumer may see, in
 * order, without control batches (transaction markers) and without batches of transactions the broker reports
 * aborted. `skippedRecords` counts the records of aborted batches.
 */
export function committedBatches(batches: readonly RecordBatchView[], aborted: readonly AbortedTransaction[]): { batches: RecordBatchView[]; skippedRecords: number } {
  const pending = aborted.map((entry) => ({ producerId: BigInt(entry.producerId), firstOffset: Number(entry.firstOffset) })).sort((x, y) => x.firstOffset - y.firstOffset);
  const abortedProducers = new Set<bigint>();
  const kept: RecordBatchView[] = [];
  let skippedRecords = 0;
  for (const batch of batches) {
    if (batch.producerId >= 0n && pending.length > 0) {
      while (pending.length > 0 && (pending[0]?.firstOffset ?? Infinity) <= batch.lastOffset) abortedProducers.add((pending.shift() as { producerId: bigint }).producerId);
    }
    if (isControlBatch(batch)) {
      if (isAbortMarker(batch)) abortedProducers.delete(batch.producerId);
      continue;
    }
    if (isTransactionalBatch(batch) && abortedProducers.has(batch.producerId)) {
      skippedRecords += batch.recordCount;
      continue;
    }
    kept.push(batch);
  }
  return { batches: kept, skippedRecords };
}

/** A fetched batch and the first offset of it to write (records below it were copied before). */
export interface BatchPart {
  batch: RecordBatchView;
  from: number;
}

/**
 * Whether a batch can go to the destination without a per-record decode: any uncompressed batch (its records are
 * rewritten where offsets or timestamps need it), and a compressed one only as it is — no offset gaps, CreateTime,
 * and wholly after `from` (its records cannot be touched without decompressing them).
 */
export function canForward({ batch, from }: BatchPart): boolean {
  if (compressionOf(batch) === 0) return true;
  return isDense(batch) && !isLogAppendTime(batch) && from <= batch.baseOffset;
}

/** Whether the batch goes as it is (header rewritten only), rather than record by record. */
function asItIs({ batch, from }: BatchPart): boolean {
  return isDense(batch) && !isLogAppendTime(batch) && from <= batch.baseOffset;
}

/** A batch ready for a produce request (baseOffset 0, no producer yet: `stampRecordBatch` adds it). */
export interface BuiltBatch {
  bytes: Buffer;
  recordCount: number;
}

/**
 * One batch for the destination from consecutive fetched batches of a partition (all `canForward`; a compressed one
 * only alone). A lone dense CreateTime batch is copied as it is; otherwise the records are copied with their offset
 * deltas renumbered 0..n-1 (the destination assigns contiguous offsets: compaction's gaps close up, which the
 * replicator's offset syncs account for) and their timestamp deltas made relative to the new base timestamp — a
 * LogAppendTime batch's records get its append time, as a consumer of the source sees them. Keys, values and headers
 * are copied byte for byte. The result lives in its own ArrayBuffer (it can be moved to another thread).
 */
export function buildRecordBatch(parts: readonly BatchPart[]): BuiltBatch | undefined {
  const first = parts[0];
  if (!first) return undefined;
  if (parts.length === 1 && asItIs(first)) {
    const bytes = Buffer.allocUnsafeSlow(first.batch.bytes.length);
    first.batch.bytes.copy(bytes);
    writeBatchHeader(bytes, first.batch.attributes & COMPRESSION_MASK, first.batch.recordCount, first.batch.baseTimestamp, first.batch.maxTimestamp);
    return { bytes, recordCount: first.batch.recordCount };
  }
  let bound = BATCH_HEADER_BYTES;
  for (const { batch } of parts) {
    if (compressionOf(batch) !== 0) throw new Error('a compressed record batch can only be forwarded alone and as it is');
    // Each record's three varints can grow by at most 5 + 9 + 5 bytes.
    bound += batch.bytes.length + batch.recordCount * 19;
  }
  const out = Buffer.allocUnsafeSlow(bound);
  let write = BATCH_HEADER_BYTES;
  let count = 0;
  let baseTimestamp: number | undefined;
  let maxTimestamp = -1;
  for (const { batch, from } of parts) {
    const bytes = batch.bytes;
    const appendTime = isLogAppendTime(batch);
    let read = BATCH_HEADER_BYTES;
    for (let index = 0; index < batch.recordCount; index++) {
      let length: number;
      [length, read] = readVarlong(bytes, read);
      const end = read + length;
      const [timestampDelta, afterTimestamp] = readVarlong(bytes, read + 1);
      const [offsetDelta, at] = readVarlong(bytes, afterTimestamp);
      const rest = end - at;
      read = end;
      if (batch.baseOffset + offsetDelta < from) continue;
      const timestamp = appendTime ? batch.maxTimestamp : batch.baseTimestamp + timestampDelta;
      baseTimestamp ??= timestamp;
      if (timestamp > maxTimestamp) maxTimestamp = timestamp;
      const newTimestampDelta = timestamp - baseTimestamp;
      const newLength = 1 + varlongSize(newTimestampDelta) + varlongSize(count) + rest;
      write = writeVarlong(out, write, newLength);
      out[write++] = bytes[read - length] ?? 0;
      write = writeVarlong(out, write, newTimestampDelta);
      write = writeVarlong(out, write, count);
      bytes.copy(out, write, end - rest, end);
      write += rest;
      count++;
    }
  }
  if (count === 0 || baseTimestamp === undefined) return undefined;
  const bytes = out.subarray(0, write);
  writeBatchHeader(bytes, 0, count, baseTimestamp, maxTimestamp);
  return { bytes, recordCount: count };
}

/**
 * The header of an unstamped batch of `count` records: base offset 0, its length, CreateTime, no producer yet
 * (stampRecordBatch writes the producer and the CRC).
 */
export function writeBatchHeader(bytes: Buffer, compression: number, count: number, baseTimestamp: number, maxTimestamp: number): void {
  bytes.writeBigInt64BE(0n, 0);
  bytes.writeInt32BE(bytes.length - 12, 8);
  bytes.writeInt32BE(-1, 12); // partition leader epoch: the broker sets it
  bytes.writeInt8(2, 16);
  bytes.writeInt16BE(compression, 21); // CreateTime, not transactional, not control
  bytes.writeInt32BE(count - 1, 23);
  bytes.writeBigInt64BE(BigInt(baseTimestamp), 27);
  bytes.writeBigInt64BE(BigInt(maxTimestamp), 35);
  bytes.writeBigInt64BE(-1n, 43);
  bytes.writeInt16BE(-1, 51);
  bytes.writeInt32BE(-1, 53);
  bytes.writeInt32BE(count, 57);
}

/** Puts the destination producer's id, epoch, base sequence and transactional flag into a built batch, and its CRC. */
export function stampRecordBatch(bytes: Buffer, producer: { producerId: bigint; producerEpoch: number; baseSequence: number; transactional: boolean }): void {
  const attributes = bytes.readInt16BE(21);
  bytes.writeInt16BE(producer.transactional ? attributes | TRANSACTIONAL : attributes & ~TRANSACTIONAL, 21);
  bytes.writeBigInt64BE(producer.producerId, 43);
  bytes.writeInt16BE(producer.producerEpoch, 51);
  bytes.writeInt32BE(producer.baseSequence, 53);
  bytes.writeUInt32BE(crc32c(bytes.subarray(21)), 17);
}
