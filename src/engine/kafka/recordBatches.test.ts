import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import './kafkajsRuntime';
import { buildRecordBatch, canForward, committedBatches, readRecordBatches, type RecordBatchView, stampRecordBatch } from './recordBatches';
import { decodeRecordBatch } from './rawBatchPath';

const require = createRequire(import.meta.url);
interface KafkajsEncoder {
  buffer: Buffer;
}
const { RecordBatch } = require('kafkajs/src/protocol/recordBatch/v0/index.js') as {
  RecordBatch(options: Record<string, unknown>): Promise<KafkajsEncoder>;
};
const Record = require('kafkajs/src/protocol/recordBatch/record/v0/index.js') as (options: Record<string, unknown>) => unknown;
const decodeBatch = require('kafkajs/src/protocol/recordBatch/v0/decoder.js') as (decoder: unknown) => Promise<{ records: { offset: string; key: Buffer | null; value: Buffer | null; headers: Record<string, Buffer>; timestamp: string }[]; lastOffsetDelta: number }>;
const Decoder = require('kafkajs/src/protocol/decoder.js') as new (buffer: Buffer) => unknown;

interface TestRecord {
  key: string | null;
  value: string;
  headers: Record<string, string>;
  timestamp: number;
  offsetDelta: number;
}

/** A batch as a broker stores it: base offset, records at the given deltas (gaps = compaction), optional codec. */
async function batch(baseOffset: number, records: TestRecord[], options: { compression?: number; attributes?: number; producerId?: bigint } = {}): Promise<Buffer> {
  const first = records[0]?.timestamp ?? 0;
  const encoded = await RecordBatch({
    compression: options.compression ?? 0,
    firstOffset: String(baseOffset),
    firstTimestamp: first,
    maxTimestamp: Math.max(...records.map((record) => record.timestamp)),
    lastOffsetDelta: records[records.length - 1]?.offsetDelta ?? 0,
    records: records.map((record) => Record({ key: record.key, value: record.value, headers: record.headers, offsetDelta: record.offsetDelta, timestampDelta: record.timestamp - first })),
  });
  const bytes = Buffer.from(encoded.buffer);
  if (options.attributes !== undefined) bytes.writeInt16BE(bytes.readInt16BE(21) | options.attributes, 21);
  if (options.producerId !== undefined) bytes.writeBigInt64BE(options.producerId, 43);
  return bytes;
}

const record = (index: number, offsetDelta = index): TestRecord => ({ key: index % 3 === 0 ? null : `k${index}`, value: `value ${index} ${'x'.repeat(index * 7)}`, headers: { h: `h${index}`, trace: 'é' }, timestamp: 1_700_000_000_000 + index * 1000, offsetDelta });

async function decoded(bytes: Buffer) {
  return (await decodeBatch(new Decoder(bytes))).records.map((r) => ({ offset: Number(r.offset), key: r.key?.toString() ?? null, value: r.value?.toString(), headers: Object.fromEntries(Object.entries(r.headers).map(([k, v]) => [k, v.toString()])), timestamp: Number(r.timestamp) }));
}

function only(views: RecordBatchView[] | undefined): RecordBatchView {
  const view = views?.[0];
  if (!view) throw new Error('no batch read');
  return view;
}

describe('record batches as bytes', () => {
  it('reads a record set\'s batches without their records and drops a batch cut short', async () => {
    const one = await batch(100, [record(0), record(1), record(2)]);
    const two = await batch(103, [record(3, 0), record(4, 1)]);
    const views = readRecordBatches(Buffer.concat([one, two, two.subarray(0, 70)]));
    expect(views?.map((v) => [v.baseOffset, v.lastOffset, v.recordCount])).toEqual([[100, 102, 3], [103, 104, 2]]);
    const legacy = Buffer.from(one);
    legacy.writeInt8(1, 16);
    expect(readRecordBatches(legacy)).toBeUndefined();
  });

  it('forwards a dense batch as it is and merges others with offsets renumbered, records byte for byte', async () => {
    const dense = only(readRecordBatches(await batch(10, [record(0), record(1)])));
    const alone = buildRecordBatch([{ batch: dense, from: 10 }]);
    expect(alone?.bytes.subarray(61)).toEqual(dense.bytes.subarray(61));
    // Compaction left offsets 20, 22, 25 of 20..25; the merge also starts the second batch after 31.
    const compacted = only(readRecordBatches(await batch(20, [record(2, 0), record(3, 2), record(4, 5)])));
    const later = only(readRecordBatches(await batch(30, [record(5, 0), record(6, 1), record(7, 2)])));
    expect(canForward({ batch: compacted, from: 20 })).toBe(true);
    const merged = buildRecordBatch([{ batch: dense, from: 10 }, { batch: compacted, from: 20 }, { batch: later, from: 31 }]);
    if (!merged) throw new Error('nothing built');
    expect(merged.recordCount).toBe(7);
    const expected = [0, 1, 2, 3, 4, 6, 7].map((index, offset) => {
      const r = record(index);
      return { offset, key: r.key, value: r.value, headers: r.headers, timestamp: r.timestamp };
    });
    expect(await decoded(merged.bytes)).toEqual(expected);
    expect(merged.bytes.readInt32BE(23)).toBe(6); // lastOffsetDelta: dense, as a produce request must be
    expect(Number(merged.bytes.readBigInt64BE(35))).toBe(record(7).timestamp);
  });

  it('gives a LogAppendTime batch\'s records its append time, and keeps a compressed batch compressed', async () => {
    const appended = only(readRecordBatches(await batch(0, [record(0), record(1)], { attributes: 0x08 })));
    const built = buildRecordBatch([{ batch: appended, from: 0 }]);
    expect((await decoded(built?.bytes ?? Buffer.alloc(0))).map((r) => r.timestamp)).toEqual([record(1).timestamp, record(1).timestamp]);
    const gzip = only(readRecordBatches(await batch(5, [record(0), record(1), record(2)], { compression: 1 })));
    const forwarded = buildRecordBatch([{ batch: gzip, from: 5 }]);
    expect((forwarded?.bytes.readInt16BE(21) ?? 0) & 7).toBe(1);
    expect((await decoded(forwarded?.bytes ?? Buffer.alloc(0))).map((r) => r.value)).toEqual([0, 1, 2].map((i) => record(i).value));
    expect(canForward({ batch: gzip, from: 6 })).toBe(false); // would need its records
    const gappy = only(readRecordBatches(await batch(5, [record(0, 0), record(1, 3)], { compression: 1 })));
    expect(canForward({ batch: gappy, from: 5 })).toBe(false);
    expect((await decodeRecordBatch(gappy)).map((m) => Number(m.offset))).toEqual([5, 8]);
  });

  it('leaves out transaction markers and aborted transactions\' batches (read_committed)', async () => {
    const committed = await batch(0, [record(0), record(1)], { attributes: 0x10, producerId: 7n });
    const commitMarker = await batch(2, [{ ...record(0), key: '\u0000\u0000\u0000\u0001', value: '' }], { attributes: 0x30, producerId: 7n });
    const aborted = await batch(3, [record(2), record(3)], { attributes: 0x10, producerId: 7n });
    const plain = await batch(5, [record(4)], { producerId: 9n });
    const abortMarker = await batch(6, [{ ...record(0), key: '\u0000\u0000\u0000\u0000', value: '' }], { attributes: 0x30, producerId: 7n });
    const afterwards = await batch(7, [record(5)], { attributes: 0x10, producerId: 7n });
    const views = readRecordBatches(Buffer.concat([committed, commitMarker, aborted, plain, abortMarker, afterwards])) ?? [];
    const { batches, skippedRecords } = committedBatches(views, [{ producerId: '7', firstOffset: '3' }]);
    expect(batches.map((b) => b.baseOffset)).toEqual([0, 5, 7]);
    expect(skippedRecords).toBe(2);
  });

  it('stamps the producer and a CRC-32C the broker accepts', async () => {
    const view = only(readRecordBatches(await batch(0, [record(0), record(1)])));
    const built = buildRecordBatch([{ batch: view, from: 0 }]);
    if (!built) throw new Error('nothing built');
    stampRecordBatch(built.bytes, { producerId: 42n, producerEpoch: 3, baseSequence: 17, transactional: true });
    expect([built.bytes.readBigInt64BE(43), built.bytes.readInt16BE(51), built.bytes.readInt32BE(53), built.bytes.readInt16BE(21) & 0x10]).toEqual([42n, 3, 17, 0x10]);
    const { crc32c } = await import('@node-rs/crc32');
    expect(built.bytes.readUInt32BE(17)).toBe(crc32c(built.bytes.subarray(21)));
  });
});
