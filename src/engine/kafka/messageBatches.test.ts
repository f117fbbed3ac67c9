import { createRequire } from 'node:module';
import { crc32c } from '@node-rs/crc32';
import { describe, expect, it, vi } from 'vitest';
import { producePathPatches } from './kafkajsRuntime';
import { buildMessageBatch, createDefaultPartitioner, murmur2, type ProducedMessage } from './messageBatches';
import { groupMessagesPerPartition } from './producePath';
import { recordBatchMessages } from './rawBatchPath';
import { readRecordBatches } from './recordBatches';

const require = createRequire(import.meta.url);

interface KafkajsEncoder {
  buffer: Buffer;
}
interface KafkajsDecoder {
  readInt16(): number;
  readInt32(): number;
  readString(): string;
  readBytes(length: number): Buffer;
}
interface DecodedRecord {
  offset: string;
  key: Buffer | null;
  value: Buffer | null;
  headers: Record<string, Buffer | null | (Buffer | null)[]>;
  timestamp: string;
}
type RequestMaker = (args: Record<string, unknown>) => { encode(): Promise<KafkajsEncoder> };
interface PartitionMeta {
  partitionId: number;
  leader: number;
}
type Partitioner = (args: { topic: string; partitionMetadata: PartitionMeta[]; message: { partition?: number; key?: Buffer | string | null } }) => number;

const Decoder = require('kafkajs/src/protocol/decoder.js') as new (buffer: Buffer) => KafkajsDecoder;
const decodeBatch = require('kafkajs/src/protocol/recordBatch/v0/decoder.js') as (decoder: KafkajsDecoder) => Promise<{ records: DecodedRecord[] }>;
/** kafkajs's own Produce v3 request (the module itself is not replaced; its request definition is, in rawBatchPath.ts). */
const kafkajsProduceV3 = require('kafkajs/src/protocol/requests/produce/v3/request.js') as RequestMaker;
/** The definition kafkajs's brokers use, with the Ferry hook installed (kafkajsRuntime.ts). */
const produceDefinition = require('kafkajs/src/protocol/requests/produce/index.js') as { protocol(options: { version: number }): (args: Record<string, unknown>) => { request: { encode(): Promise<KafkajsEncoder> } } };
const kafkajsMurmur2 = require('kafkajs/src/producer/partitioners/default/murmur2.js') as (key: Buffer | string) => number;
const createKafkajsPartitioner = (require('kafkajs/src/producer/partitioners/legacy/partitioner.js') as (hash: (key: Buffer | string) => number) => () => Partitioner)(kafkajsMurmur2);
const { lookupCodec } = require('kafkajs/src/protocol/message/compression/index.js') as { lookupCodec(type: number): { compress(encoder: { buffer: Buffer }): Promise<Buffer> } };

/** Deterministic bytes (a linear congruential generator), so a failure reproduces. */
function bytes(seed: number, length: number): Buffer {
  const out = Buffer.alloc(length);
  let state = seed >>> 0;
  for (let index = 0; index < length; index++) {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    out[index] = state >>> 24;
  }
  return out;
}

/** A mix of what sends carry: Buffer and string keys and values, null keys, tombstones, repeated and null headers, given and absent timestamps. */
function messages(count: number): ProducedMessage[] {
  return Array.from({ length: count }, (_, index): ProducedMessage => {
    const message: ProducedMessage = {
      key: index % 7 === 0 ? null : index % 5 === 0 ? `clé-${index}` : bytes(index, 1 + (index % 13)),
      value: index % 11 === 0 ? null : index % 4 === 0 ? `valeur ${index} ${'é'.repeat(index % 9)}` : bytes(index * 31, (index * 37) % 700),
    };
    if (index % 3 === 0) message.headers = { 'ferry.source.capture': 'log', trace: [Buffer.from(`t${index}`), 'second'], empty: Buffer.alloc(0) };
    if (index % 6 === 1) message.timestamp = String(1_700_000_000_000 + ((index * 7919) % 100_000) - 50_000);
    return message;
  });
}

/** The topics → partitions → record batches of a Produce v3+ request body, decoded by kafkajs. */
async function decodeProduceBody(body: Buffer) {
  const decoder = new Decoder(body);
  const transactionalIdLength = decoder.readInt16();
  if (transactionalIdLength > 0) decoder.readBytes(transactionalIdLength);
  const acks = decoder.readInt16();
  decoder.readInt32(); // timeout
  const topics = [];
  for (let topicCount = decoder.readInt32(); topicCount > 0; topicCount--) {
    const topic = decoder.readString();
    const partitions = [];
    for (let partitionCount = decoder.readInt32(); partitionCount > 0; partitionCount--) {
      const partition = decoder.readInt32();
      const batch = decoder.readBytes(decoder.readInt32());
      const view = readRecordBatches(batch)?.[0];
      if (!view) throw new Error('no record batch');
      expect(batch.readUInt32BE(17)).toBe(crc32c(batch.subarray(21)));
      const { records } = await decodeBatch(new Decoder(batch));
      partitions.push({
        partition,
        compression: view.attributes & 0x07,
        producer: [batch.readBigInt64BE(43), batch.readInt16BE(51), batch.readInt32BE(53)],
        records: records.map((record) => ({ offset: record.offset, key: record.key, value: record.value, headers: record.headers, timestamp: record.timestamp })),
      });
    }
    topics.push({ topic, partitions });
  }
  return { acks, topics };
}

describe('producing messages without kafkajs\'s per-record encoders', () => {
  it('is installed', () => {
    expect(producePathPatches.partitioner).toBe(true);
    expect(producePathPatches.recordBatches).toBe(true);
  });

  it('hashes keys with Java\'s murmur2 exactly as kafkajs does', () => {
    for (let length = 0; length < 80; length++) {
      for (let seed = 1; seed < 40; seed++) {
        const key = bytes(seed * 1000 + length, length);
        expect(murmur2(key)).toBe(kafkajsMurmur2(key));
      }
    }
    // Java's reference values (Utils.murmur2 as Kafka's DefaultPartitioner uses it).
    expect(murmur2(Buffer.from('21'))).toBe(-973932308);
    expect(murmur2(Buffer.from('foobar'))).toBe(-790332482);
    expect(murmur2(Buffer.from('a-little-bit-long-string'))).toBe(-985981536);
  });

  it('picks the partition kafkajs\'s default partitioner picks, keyless messages round-robin over partitions with a leader', () => {
    const ours = createDefaultPartitioner() as Partitioner;
    const theirs = createKafkajsPartitioner();
    const partitionMetadata = [0, 1, 2, 3, 4, 5, 6].map((partitionId) => ({ partitionId, leader: partitionId === 2 || partitionId === 5 ? -1 : 1 }));
    for (const [index, message] of messages(500).entries()) {
      const withPartition = index % 10 === 9 ? { ...message, partition: 3 } : message;
      if (withPartition.key === null && withPartition.partition === undefined) continue;
      expect(ours({ topic: 't', partitionMetadata, message: withPartition })).toBe(theirs({ topic: 't', partitionMetadata, message: withPartition }));
    }
    // One partition (keys not hashed there): the partition kafkajs picks too, whatever the key, a set partition kept.
    const single = [{ partitionId: 0, leader: 1 }];
    for (const [index, message] of messages(200).entries()) {
      const withPartition = index % 10 === 9 ? { ...message, partition: 0 } : message;
      if (withPartition.key === null && withPartition.partition === undefined) continue;
      expect(ours({ topic: 'one', partitionMetadata: single, message: withPartition })).toBe(theirs({ topic: 'one', partitionMetadata: single, message: withPartition }));
    }
    // Keyless: consecutive partitions of those with a leader, from a random start (kafkajs's own start is random too).
    const available = [0, 1, 3, 4, 6];
    for (const partitioner of [createDefaultPartitioner() as Partitioner, createKafkajsPartitioner()]) {
      const picked = Array.from({ length: 12 }, () => partitioner({ topic: 'keyless', partitionMetadata, message: { key: null } }));
      const start = available.indexOf(picked[0] ?? -1);
      expect(start).toBeGreaterThanOrEqual(0);
      expect(picked).toEqual(picked.map((_, index) => available[(start + index) % available.length]));
    }
    // No partition with a leader: all partitions, in turn.
    const leaderless = partitionMetadata.map((partition) => ({ ...partition, leader: -1 }));
    const picked = Array.from({ length: 8 }, () => ours({ topic: 'leaderless', partitionMetadata: leaderless, message: {} }));
    expect(picked.slice(1).map((partition, index) => (partition - (picked[index] ?? 0) + 7) % 7)).toEqual(Array.from({ length: 7 }, () => 1));
  });

  it('puts a retried send\'s keyless messages in the partitions its first attempt chose (the sequences kafkajs re-sends are the same batches)', () => {
    // kafkajs's retrier groups a send's messages again for every attempt and takes the failed attempt's sequence
    // numbers back. Round-robin from where the counter stands would put other messages (and other counts) under the
    // same sequences: the broker then refuses them (OUT_OF_ORDER_SEQUENCE_NUMBER) or, counts equal, acknowledges them
    // as duplicates of the first attempt's records, which lost them if that attempt was not appended whole.
    const partitioner = createDefaultPartitioner() as Partitioner;
    const partitionMetadata = [0, 1, 2, 3].map((partitionId) => ({ partitionId, leader: 1 }));
    const sent: ProducedMessage[] = Array.from({ length: 7 }, (_, index) => ({ key: index % 3 === 0 ? `k${index}` : null, value: `v${index}` }));
    const group = () => groupMessagesPerPartition({ topic: 'keyless-retry', partitionMetadata, messages: sent, partitioner: partitioner as never });
    const first = group();
    expect(group()).toEqual(first);
    // A partition added meanwhile (a retry after a metadata refresh) does not move them either.
    const grown = groupMessagesPerPartition({ topic: 'keyless-retry', partitionMetadata: [...partitionMetadata, { partitionId: 4, leader: 1 }], messages: sent.filter((m) => m.key === null), partitioner: partitioner as never });
    const keylessOfFirst: Record<string, ProducedMessage[]> = {};
    for (const [partition, messages] of Object.entries(first)) {
      const keyless = messages.filter((m) => m.key === null);
      if (keyless.length > 0) keylessOfFirst[partition] = keyless;
    }
    expect(grown).toEqual(keylessOfFirst);
    // A new send goes on round-robin where the counter stands.
    const next = Array.from({ length: 4 }, () => partitioner({ topic: 'keyless-retry', partitionMetadata, message: { key: null } }));
    expect(new Set(next).size).toBe(4);
  });

  for (const [name, compression] of [['uncompressed', 0], ['gzip', 1], ['snappy', 2], ['lz4', 3], ['zstd', 4]] as const) {
    it(`writes a produce request whose batches decode to what kafkajs's request holds (${name})`, async () => {
      const topicData = [
        { topic: 'ferry.one', partitions: [{ partition: 0, firstSequence: 7, messages: messages(300) }, { partition: 4, firstSequence: 0, messages: messages(1).map((m) => ({ ...m, timestamp: '1700000000000' })) }] },
        { topic: 'ferry.two', partitions: [{ partition: 2, firstSequence: 2_147_483_000, messages: messages(41).reverse() }] },
      ];
      const args = { acks: -1, timeout: 30_000, compression, topicData, producerId: '4242', producerEpoch: 3 };
      // Both take the request's time for messages without a timestamp: the same time for both.
      const now = 1_700_000_123_456;
      const clock = vi.spyOn(Date, 'now').mockReturnValue(now);
      const ours = await decodeProduceBody((await produceDefinition.protocol({ version: 7 })(args).request.encode()).buffer);
      const theirs = await decodeProduceBody((await kafkajsProduceV3(args).encode()).buffer);
      clock.mockRestore();
      expect(ours).toEqual(theirs);
      expect(ours.topics.flatMap((topic) => topic.partitions.map((partition) => [partition.compression, ...partition.producer]))).toEqual([
        [compression, 4242n, 3, 7],
        [compression, 4242n, 3, 0],
        [compression, 4242n, 3, 2_147_483_000],
      ]);
      const first = ours.topics[0]?.partitions[0]?.records ?? [];
      expect(first.map((record) => record.offset)).toEqual(Array.from({ length: 300 }, (_, index) => String(index)));
      // Messages without a timestamp get the request's time; the others keep theirs.
      const given = messages(300).map((message) => message.timestamp);
      for (const [index, record] of first.entries()) {
        const timestamp = Number(record.timestamp);
        expect(timestamp).toBe(given[index] !== undefined ? Number(given[index]) : now);
      }
    });
  }

  it('carries a prebuilt batch beside written ones in one request, stamping the request\'s copy only', async () => {
    const prebuilt = await buildMessageBatch(messages(5), 1_700_000_000_000);
    const untouched = Buffer.from(prebuilt.bytes);
    const topicData = [{ topic: 't', partitions: [{ partition: 3, firstSequence: 10, messages: recordBatchMessages(3, prebuilt) }, { partition: 1, firstSequence: 4, messages: messages(7) }] }];
    const body = (await produceDefinition.protocol({ version: 5 })({ acks: 1, timeout: 5000, compression: 0, topicData, producerId: '77', producerEpoch: 1 }).request.encode()).buffer;
    const { acks, topics } = await decodeProduceBody(body);
    expect(acks).toBe(1);
    expect(topics[0]?.partitions.map((partition) => [partition.partition, partition.records.length, ...partition.producer])).toEqual([
      [3, 5, 77n, 1, 10],
      [1, 7, 77n, 1, 4],
    ]);
    expect(prebuilt.bytes).toEqual(untouched);
  });

  it('builds one batch per partition: header, dense offsets, max timestamp and compressed records', async () => {
    const sent = messages(64);
    const plain = await buildMessageBatch(sent, 1_800_000_000_000);
    const view = readRecordBatches(plain.bytes)?.[0];
    expect([view?.recordCount, view?.lastOffset, plain.bytes.length]).toEqual([64, 63, plain.bytes.readInt32BE(8) + 12]);
    expect(view?.baseTimestamp).toBe(1_800_000_000_000);
    expect(view?.maxTimestamp).toBe(1_800_000_000_000); // every given timestamp (2023) is older than "now" here
    const zstd = await buildMessageBatch(sent, 1_800_000_000_000, 4, (records) => lookupCodec(4).compress({ buffer: records }));
    expect(zstd.bytes.readInt16BE(21) & 0x07).toBe(4);
    const decode = async (batch: Buffer) => (await decodeBatch(new Decoder(batch))).records.map((record) => [record.key, record.value, record.headers, record.timestamp]);
    expect(await decode(zstd.bytes)).toEqual(await decode(plain.bytes));
    await expect(buildMessageBatch([], 0)).rejects.toThrow(/at least one record/);
  });

  it('writes a header with an undefined value as absent and a null one as a null value', async () => {
    const built = await buildMessageBatch([{ key: 'k', value: 'v', headers: { gone: undefined, nothing: null, kept: 'yes' } }], 1);
    const [record] = (await decodeBatch(new Decoder(built.bytes))).records;
    expect(record?.headers).toEqual({ nothing: null, kept: Buffer.from('yes') });
  });
});
