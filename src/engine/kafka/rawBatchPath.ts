/**
 * The record-batch path through kafkajs, for byte-for-byte forwarding (the replicator): fetches that keep each
 * record batch's bytes instead of decoding its records, and produce requests that carry batches built beforehand.
 * Installed by kafkajsRuntime.ts on kafkajs's request definitions (`requests.Fetch` / `requests.Produce`, whose
 * `protocol` kafkajs looks up for every request), and only in force for the consumers and sends that ask for it:
 *
 * - fetch: a consumer made with `recordBatches` carries RECORD_BATCHES_RACK in front of its rack id (rack ids are
 *   handed from the consumer's config to every fetch it makes). Such fetches go out without the marker, and their
 *   responses keep the bytes: each record batch becomes one placeholder message (offset = the batch's last offset,
 *   so kafkajs's offset bookkeeping stays right) that carries the batch and the partition's aborted transactions.
 *   Old message formats (magic 0/1) are decoded per record by kafkajs's own decoder, as before.
 * - produce (every Produce v3+ request, whoever sends it): `recordBatchMessages` makes the messages kafkajs counts
 *   for a partition (one per record, so its idempotent sequence numbers stay right) for a prebuilt batch; any other
 *   partition's messages are written straight into one batch by messageBatches.ts instead of kafkajs's per-record
 *   encoders. Each batch gets the producer's id, epoch, sequence and transactional flag stamped in and its CRC-32C.
 *   Kafka takes exactly one record batch per partition per produce request, so each partition has one batch. With
 *   this hook inactive (a bundle without kafkajs's sources), kafkajs encodes sends itself and record batches cannot
 *   be forwarded.
 */
import { createRequire } from 'node:module';
import type { FetchedMessage } from './port';
import { buildMessageBatch, messageBatchSize, type ProducedMessage, type RecordsCompressor, writeMessageBatch } from './messageBatches';
import { FRAME_ROOM, FRAME_ROOM_KEY } from './producePath';
import { type AbortedTransaction, readRecordBatches, type RecordBatchView, stampRecordBatch } from './recordBatches';

const require = createRequire(import.meta.url);

/** Prefix of the rack id of a consumer that fetches record batches. */
export const RECORD_BATCHES_RACK = '\u0000ferry-record-batches\u0000';
const RAW = Symbol.for('ferry.recordBatch');

interface KafkaDecoder {
  offset: number;
  buffer: Buffer;
  readInt16(): number;
  readInt32(): number;
  readInt64(): { toString(): string };
  readString(): string;
  readBytes(length: number): Buffer;
  canReadBytes(length: number): boolean;
  readArray<T>(reader: (decoder: KafkaDecoder) => T): T[];
}
type DecoderClass = new (buffer: Buffer) => KafkaDecoder;

/** kafkajs's Encoder: what is written is `buf` up to `offset`. */
interface KafkaEncoder {
  buf: Buffer;
  offset: number;
}
type EncoderClass = new () => KafkaEncoder;

interface RequestDefinition<A> {
  versions: string[];
  protocol(options: { version: number }): (args: A) => { request: { encode(): Promise<unknown> }; response: { decode(raw: Buffer): Promise<unknown>; parse(data: unknown): unknown } };
}

interface FetchArgs {
  rackId?: string;
}

/** A fetched record batch as the placeholder message carries it. */
export interface FetchedRecordBatch {
  batch: RecordBatchView;
  aborted: readonly AbortedTransaction[];
}

/** The batch a placeholder message stands for, if it is one. */
export function fetchedRecordBatchOf(message: object): FetchedRecordBatch | undefined {
  return (message as { [RAW]?: FetchedRecordBatch })[RAW];
}

function placeholder(batch: RecordBatchView, aborted: readonly AbortedTransaction[]): object {
  return {
    offset: String(batch.lastOffset),
    key: null,
    value: null,
    headers: {},
    timestamp: String(batch.maxTimestamp),
    magicByte: 2,
    attributes: 0,
    isControlRecord: false,
    // Never filtered by kafkajs: the aborted-transaction filter is committedBatches', at batch level.
    batchContext: { producerId: '-1', inTransaction: false },
    [RAW]: { batch, aborted },
  };
}

function rawFetchDecoder(version: number, Decoder: DecoderClass, decodeMessages: (decoder: KafkaDecoder) => Promise<unknown[]>) {
  const abortedOf = (decoder: KafkaDecoder): AbortedTransaction => ({ producerId: decoder.readInt64().toString(), firstOffset: decoder.readInt64().toString() });
  const decodePartition = async (decoder: KafkaDecoder) => {
    const partition = {
      partition: decoder.readInt32(),
      errorCode: decoder.readInt16(),
      highWatermark: decoder.readInt64().toString(),
      lastStableOffset: decoder.readInt64().toString(),
      ...(version >= 5 ? { lastStartOffset: decoder.readInt64().toString() } : {}),
      abortedTransactions: decoder.readArray(abortedOf),
      ...(version >= 11 ? { preferredReadReplica: decoder.readInt32() } : {}),
    };
    const start = decoder.offset;
    const size = decoder.readInt32();
    if (size <= 0 || !decoder.canReadBytes(size)) return { ...partition, messages: [] };
    const records = decoder.readBytes(size);
    const batches = readRecordBatches(records);
    const messages = batches === undefined ? await decodeMessages(new Decoder(decoder.buffer.subarray(start, start + 4 + size))) : batches.map((batch) => placeholder(batch, partition.abortedTransactions));
    return { ...partition, messages };
  };
  return async (raw: Buffer) => {
    const decoder = new Decoder(raw);
    const throttleTime = decoder.readInt32();
    const top = version >= 7 ? { errorCode: decoder.readInt16(), sessionId: decoder.readInt32() } : {};
    const responses = [];
    for (let topics = decoder.readInt32(); topics > 0; topics--) {
      const topicName = decoder.readString();
      const partitions = [];
      for (let count = decoder.readInt32(); count > 0; count--) partitions.push(await decodePartition(decoder));
      responses.push({ topicName, partitions });
    }
    // v8+: the throttle time is the client's to honour; kafkajs's own decoder reports it the same way.
    return version >= 8 ? { throttleTime: 0, clientSideThrottleTime: throttleTime, ...top, responses } : { throttleTime, ...top, responses };
  };
}

/** The record batch a send's messages stand for (see recordBatchMessages). */
interface RawSend {
  bytes: Buffer;
  recordCount: number;
}

/** The messages kafkajs is given for one prebuilt batch: `recordCount` references to one carrier. */
export function recordBatchMessages(partition: number, batch: RawSend): object[] {
  const carrier = { partition, key: null, value: null, [RAW]: batch };
  return new Array<object>(batch.recordCount).fill(carrier);
}

interface ProduceArgs {
  acks: number;
  timeout?: number;
  transactionalId?: string | null;
  producerId?: { toString(): string } | string;
  producerEpoch?: number;
  compression?: number;
  topicData: { topic: string; partitions: { partition: number; firstSequence?: number; messages: object[] }[] }[];
}

function rawSendOf(messages: readonly object[]): RawSend | undefined {
  const first = messages[0] as { [RAW]?: RawSend } | undefined;
  const raw = first?.[RAW];
  if (raw === undefined) return undefined;
  if (messages.length !== raw.recordCount || messages[messages.length - 1] !== first) {
    throw new Error('a produce request carries exactly one prebuilt record batch per partition, and nothing else for it');
  }
  return raw;
}

interface DecodedRecord {
  offset: string;
  key: Buffer | null;
  value: Buffer | null;
  headers?: Record<string, Buffer | Buffer[]>;
  timestamp: string;
}

/**
 * A fetched batch decoded record by record with kafkajs's own decoder (decompressing it), for the copies the
 * batch path cannot take: records that must change, compressed batches with offset gaps or LogAppendTime.
 */
export async function decodeRecordBatch(batch: RecordBatchView): Promise<FetchedMessage[]> {
  const Decoder = require('kafkajs/src/protocol/decoder.js') as DecoderClass;
  const decode = require('kafkajs/src/protocol/recordBatch/v0/decoder.js') as (decoder: KafkaDecoder) => Promise<{ records: DecodedRecord[] }>;
  const { records } = await decode(new Decoder(batch.bytes));
  return records.map((record) => ({ offset: record.offset, key: record.key, value: record.value, headers: record.headers ?? {}, timestamp: record.timestamp }));
}

/** kafkajs's codec registry (CompressionCodecs): null for a codec nobody registered. */
type CodecLookup = (type: number) => { compress(encoder: { buffer: Buffer }): Promise<Buffer> } | null;

/** One partition of a produce request: a batch already in bytes (prebuilt, or compressed here), or messages to write. */
interface PartitionPart {
  partition: number;
  firstSequence: number;
  size: number;
  bytes?: Buffer;
  messages?: ProducedMessage[];
}

/**
 * A produce request's body (v3+) in one buffer of its exact size, with FRAME_ROOM bytes in front of it for
 * frameRequest to put the request header in (so the records are written once and never copied): per partition
 * either the prebuilt batch a send carries (recordBatchMessages), or its messages written straight into the request
 * (messageBatches.ts; compressed ones are built and compressed first), each stamped with the producer's id, epoch,
 * that partition's first sequence, the transactional flag, and its CRC-32C. Built anew for every attempt kafkajs
 * makes, with that attempt's sequence numbers.
 */
async function encodeProduceRequest(args: ProduceArgs, Encoder: EncoderClass, lookupCodec: CodecLookup): Promise<KafkaEncoder> {
  const producerId = BigInt(String(args.producerId ?? '-1'));
  const idempotent = producerId >= 0n;
  const producerEpoch = idempotent ? (args.producerEpoch ?? 0) : -1;
  const transactional = args.transactionalId !== undefined && args.transactionalId !== null;
  const transactionalId = transactional ? Buffer.from(args.transactionalId as string, 'utf8') : undefined;
  const compression = (args.compression ?? 0) & 0x07;
  let compress: RecordsCompressor | undefined;
  if (compression !== 0) {
    const codec = lookupCodec(compression);
    if (!codec) throw new Error(`compression codec ${compression} is not available`);
    compress = (records) => codec.compress({ buffer: records });
  }
  const now = Date.now();
  let size = 2 + (transactionalId?.length ?? 0) + 2 + 4 + 4;
  const topics: { name: Buffer; parts: PartitionPart[] }[] = [];
  for (const { topic, partitions } of args.topicData) {
    const name = Buffer.from(topic, 'utf8');
    const parts: PartitionPart[] = [];
    for (const { partition, firstSequence, messages } of partitions) {
      const sequence = idempotent ? (firstSequence ?? 0) : -1;
      const raw = rawSendOf(messages);
      let part: PartitionPart;
      if (raw) part = { partition, firstSequence: sequence, size: raw.bytes.length, bytes: raw.bytes };
      else if (compress) {
        const built = await buildMessageBatch(messages as ProducedMessage[], now, compression, compress);
        part = { partition, firstSequence: sequence, size: built.bytes.length, bytes: built.bytes };
      } else part = { partition, firstSequence: sequence, size: messageBatchSize(messages as ProducedMessage[], now), messages: messages as ProducedMessage[] };
      size += 4 + 4 + part.size;
      parts.push(part);
    }
    size += 2 + name.length + 4;
    topics.push({ name, parts });
  }
  const frame = Buffer.allocUnsafe(FRAME_ROOM + size);
  const out = frame.subarray(FRAME_ROOM);
  let at = out.writeInt16BE(transactionalId ? transactionalId.length : -1, 0);
  if (transactionalId) at += transactionalId.copy(out, at);
  at = out.writeInt16BE(args.acks, at);
  at = out.writeInt32BE(args.timeout ?? 30_000, at);
  at = out.writeInt32BE(topics.length, at);
  for (const { name, parts } of topics) {
    at = out.writeInt16BE(name.length, at);
    at += name.copy(out, at);
    at = out.writeInt32BE(parts.length, at);
    for (const part of parts) {
      at = out.writeInt32BE(part.partition, at);
      at = out.writeInt32BE(part.size, at);
      const end = part.bytes ? at + part.bytes.copy(out, at) : writeMessageBatch(part.messages ?? [], now, out, at);
      if (end !== at + part.size) throw new Error(`produce request sizing is off: a batch took ${end - at} of ${part.size} bytes`);
      // Stamped in the request's copy: a prebuilt batch stays as it was handed over (a retry stamps its own copy).
      stampRecordBatch(out.subarray(at, end), { producerId, producerEpoch, baseSequence: part.firstSequence, transactional });
      at = end;
    }
  }
  const encoder = new Encoder();
  encoder.buf = out;
  encoder.offset = at;
  (encoder as KafkaEncoder & { [FRAME_ROOM_KEY]?: number })[FRAME_ROOM_KEY] = FRAME_ROOM;
  return encoder;
}

let installed = false;

/** Installs both halves on kafkajs's request definitions (once per thread). */
export function installRecordBatchPath(): boolean {
  if (installed) return true;
  let fetch: RequestDefinition<FetchArgs>;
  let produce: RequestDefinition<ProduceArgs>;
  let Decoder: DecoderClass;
  let Encoder: EncoderClass;
  let decodeMessages: (decoder: KafkaDecoder) => Promise<unknown[]>;
  let lookupCodec: CodecLookup;
  try {
    fetch = require('kafkajs/src/protocol/requests/fetch/index.js') as RequestDefinition<FetchArgs>;
    produce = require('kafkajs/src/protocol/requests/produce/index.js') as RequestDefinition<ProduceArgs>;
    Decoder = require('kafkajs/src/protocol/decoder.js') as DecoderClass;
    Encoder = require('kafkajs/src/protocol/encoder.js') as EncoderClass;
    decodeMessages = require('kafkajs/src/protocol/requests/fetch/v4/decodeMessages.js') as (decoder: KafkaDecoder) => Promise<unknown[]>;
    ({ lookupCodec } = require('kafkajs/src/protocol/message/compression/index.js') as { lookupCodec: CodecLookup });
  } catch {
    return false; // a bundle without kafkajs's sources beside it
  }
  const fetchProtocol = fetch.protocol.bind(fetch);
  fetch.protocol = ({ version }) => {
    const make = fetchProtocol({ version });
    return (args) => {
      if (typeof args.rackId !== 'string' || !args.rackId.startsWith(RECORD_BATCHES_RACK)) return make(args);
      const built = make({ ...args, rackId: args.rackId.slice(RECORD_BATCHES_RACK.length) });
      // Brokers since Kafka 4.0 take Fetch v4+ only; older versions keep kafkajs's per-record decode.
      if (version < 4) return built;
      return { ...built, response: { decode: rawFetchDecoder(version, Decoder, decodeMessages), parse: built.response.parse } };
    };
  };
  const produceProtocol = produce.protocol.bind(produce);
  produce.protocol = ({ version }) => {
    const make = produceProtocol({ version });
    return (args) => {
      const built = make(args);
      const first = args.topicData[0]?.partitions[0];
      const raw = first !== undefined && rawSendOf(first.messages) !== undefined;
      if (version < 3) {
        if (raw) throw new Error('forwarding record batches needs Produce v3 or later (Kafka 0.11+)');
        return built; // message format v0/v1: kafkajs's own encoders
      }
      const encode = async () => encodeProduceRequest(args, Encoder, lookupCodec);
      return { ...built, request: { ...built.request, encode } };
    };
  };
  installed = true;
  return true;
}
