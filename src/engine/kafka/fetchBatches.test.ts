import Module, { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { inspect, isDeepStrictEqual } from 'node:util';
import { describe, expect, it, vi } from 'vitest';
import { fetchPathPatches } from './kafkajsRuntime';
import { type BatchDecoder, fastBatchClass, fastBatchDecoder } from './fetchBatches';

const require = createRequire(import.meta.url);

type BatchDecode = (decoder: BatchDecoder) => Promise<unknown>;
interface CompilableModule {
  filename: string;
  paths: string[];
  exports: unknown;
  _compile(source: string, filename: string): void;
}

/** A kafkajs module compiled afresh: the cached module's export is the fast one once the runtime loaded. */
function kafkajsModule(request: string): unknown {
  const filename = require.resolve(request);
  const module = new Module(filename) as unknown as CompilableModule;
  module.filename = filename;
  module.paths = (Module as unknown as { _nodeModulePaths(from: string): string[] })._nodeModulePaths(dirname(filename));
  module._compile(readFileSync(filename, 'utf8'), filename);
  return module.exports;
}

const reference = kafkajsModule('kafkajs/src/protocol/recordBatch/v0/decoder.js') as BatchDecode;
const { lookupCodecByAttributes } = require('kafkajs/src/protocol/message/compression/index.js') as { lookupCodecByAttributes: (attributes: number) => { decompress(buffer: Buffer): Promise<Buffer> } | null };
const Decoder = require('kafkajs/src/protocol/decoder.js') as new (buffer: Buffer) => BatchDecoder;
const { RecordBatch } = require('kafkajs/src/protocol/recordBatch/v0/index.js') as { RecordBatch(options: Record<string, unknown>): Promise<{ buffer: Buffer }> };
const Record = require('kafkajs/src/protocol/recordBatch/record/v0/index.js') as (options: Record<string, unknown>) => unknown;

interface TestRecord {
  key: Buffer | string | null;
  value: Buffer | string | null;
  headers?: Record<string, string | Buffer | (string | Buffer)[]>;
  timestampDelta: number;
  offsetDelta: number;
}

async function batch(records: TestRecord[], options: { firstOffset?: string; firstTimestamp?: number; compression?: number; attributes?: number; producerId?: bigint } = {}): Promise<Buffer> {
  const firstTimestamp = options.firstTimestamp ?? 1_700_000_000_000;
  const encoded = await RecordBatch({
    compression: options.compression ?? 0,
    firstOffset: options.firstOffset ?? '1000',
    firstTimestamp,
    maxTimestamp: firstTimestamp + Math.max(0, ...records.map((record) => record.timestampDelta)),
    lastOffsetDelta: records[records.length - 1]?.offsetDelta ?? 0,
    records: records.map((record) => Record({ ...record })),
  });
  const bytes = Buffer.from(encoded.buffer);
  if (options.attributes !== undefined) bytes.writeInt16BE(bytes.readInt16BE(21) | options.attributes, 21);
  if (options.producerId !== undefined) bytes.writeBigInt64BE(options.producerId, 43);
  return bytes;
}

const records: TestRecord[] = [
  { key: 'k0', value: 'v0', headers: { trace: 'é', dup: ['a', 'b', 'c'] }, timestampDelta: 0, offsetDelta: 0 },
  { key: null, value: 'no key', timestampDelta: -5, offsetDelta: 1 },
  { key: 'tombstone', value: null, headers: { h: Buffer.alloc(0) }, timestampDelta: 1_000, offsetDelta: 4 },
  { key: Buffer.alloc(0), value: Buffer.alloc(0), timestampDelta: 2 ** 40, offsetDelta: 5 },
  // Inherited names fold with what the prototype holds, in kafkajs too; "__proto__" becomes an own property.
  { key: 'odd headers', value: 'x'.repeat(300), headers: { toString: 't', ['__proto__']: ['p1', 'p2'], constructor: 'c' }, timestampDelta: 3, offsetDelta: 9 },
];

/** Decodes `bytes` (one or more batches) both ways; returns the fast path's results and how often it fell back. */
async function bothWays(bytes: Buffer) {
  const fallback = vi.fn(reference);
  const fast = fastBatchDecoder(fallback, lookupCodecByAttributes);
  const ours = new Decoder(bytes);
  const theirs = new Decoder(bytes);
  const results = [];
  while (theirs.offset < bytes.length) {
    const expected = await reference(theirs);
    const actual = await fast(ours);
    // Node's strict deep equality (vitest's toStrictEqual misreads an own "__proto__" property); the printed forms on a miss.
    if (!isDeepStrictEqual(actual, expected)) expect(inspect(actual, { depth: 8 })).toBe(inspect(expected, { depth: 8 }));
    expect(ours.offset).toBe(theirs.offset);
    results.push(actual);
  }
  return { results, fallbacks: fallback.mock.calls.length };
}

describe('fetched record batches read without kafkajs\'s per-record decoder', () => {
  it('is installed in place of kafkajs\'s batch decoder', () => {
    expect(fetchPathPatches.batchDecoder).toBe(true);
    expect((require('kafkajs/src/protocol/recordBatch/v0/decoder.js') as Record<symbol, unknown>)[Symbol.for('ferry.fastFetchBatchDecoder')]).toBe(true);
  });

  it('gives what kafkajs gives for plain batches: headers, null and empty keys and values, gaps, negative deltas', async () => {
    const first = await batch(records);
    const second = await batch(records.slice(0, 2), { firstOffset: '1010', firstTimestamp: -1 });
    const empty = await batch([]);
    const { results, fallbacks } = await bothWays(Buffer.concat([first, second, empty]));
    expect(fallbacks).toBe(0);
    expect(results).toHaveLength(3);
  });

  it('gives what kafkajs gives for every codec (decompressed by the registered codec)', async () => {
    for (const compression of [1, 2, 3, 4]) {
      const { fallbacks } = await bothWays(await batch(records, { compression }));
      expect(fallbacks, `codec ${compression}`).toBe(0);
    }
  });

  it('takes LogAppendTime batches (every record gets the batch\'s max timestamp)', async () => {
    const { fallbacks } = await bothWays(await batch(records, { attributes: 0x08 }));
    expect(fallbacks).toBe(0);
  });

  it('leaves transactional and control batches, offsets beyond 2^52 and long timestamp deltas to kafkajs', async () => {
    for (const bytes of [
      await batch(records, { attributes: 0x10, producerId: 7n }),
      await batch(records, { attributes: 0x30, producerId: 7n }),
      await batch(records, { firstOffset: '9007199254740000' }),
      await batch(records, { firstTimestamp: 2 ** 53 }),
      await batch([{ key: 'k', value: 'v', timestampDelta: 2 ** 50, offsetDelta: 0 }]),
    ]) {
      const { fallbacks } = await bothWays(bytes);
      expect(fallbacks).toBe(1);
    }
  });

  it('reports a batch cut short as kafkajs does (its fetch loop stops at that error)', async () => {
    const whole = await batch(records);
    const fast = fastBatchDecoder(reference, lookupCodecByAttributes);
    await expect(fast(new Decoder(whole.subarray(0, whole.length - 3)))).rejects.toMatchObject({ name: 'KafkaJSPartialMessageError' });
    await expect(reference(new Decoder(whole.subarray(0, whole.length - 3)))).rejects.toMatchObject({ name: 'KafkaJSPartialMessageError' });
  });

  it('leaves a record whose lengths run past it to kafkajs', async () => {
    const bytes = await batch(records.slice(0, 1));
    // The first record's key length (after its length, attributes, timestamp and offset deltas) made to claim 60 bytes.
    expect(bytes.readInt8(61 + 4)).toBe(4); // zigzag 2: "k0"
    bytes.writeInt8(120, 61 + 4);
    const fallback = vi.fn(reference);
    const fast = fastBatchDecoder(fallback, lookupCodecByAttributes);
    expect(isDeepStrictEqual(await fast(new Decoder(bytes)), await reference(new Decoder(bytes)))).toBe(true);
    expect(fallback).toHaveBeenCalledTimes(1);
  });
});

describe('kafkajs\'s consumer Batch with its offset filter on numbers', () => {
  type BatchClass = Parameters<typeof fastBatchClass>[0];
  const Batch = kafkajsModule('kafkajs/src/consumer/batch.js') as BatchClass;
  const filterAbortedMessages = require('kafkajs/src/consumer/filterAbortedMessages.js') as Parameters<typeof fastBatchClass>[1];
  const FerryBatch = fastBatchClass(Batch, filterAbortedMessages);
  const message = (offset: string, extra: Record<string, unknown> = {}) => ({ offset, key: Buffer.from('k'), value: null, isControlRecord: false, batchContext: { producerId: '7', inTransaction: false }, ...extra });
  const methods = ['isEmpty', 'isEmptyIncludingFiltered', 'isEmptyDueToFiltering', 'isEmptyControlRecord', 'isEmptyDueToLogCompactedMessages', 'firstOffset', 'lastOffset', 'offsetLag', 'offsetLagLow'] as const;

  it('builds the same batch as kafkajs: offsets before the fetched one, aborted transactions, control records, big offsets', () => {
    const transactional = { producerId: '9', inTransaction: true };
    const cases: [unknown, Record<string, unknown>][] = [
      ['103', { partition: 1, highWatermark: '120', messages: ['100', '101', '102', '103', '104'].map((offset) => message(offset)) }],
      ['105', { partition: 1, highWatermark: '120', messages: ['100', '101'].map((offset) => message(offset)) }],
      ['0', { partition: 0, highWatermark: '0', messages: [] }],
      [12, { partition: 2, highWatermark: '30', messages: ['11', '12', '13'].map((offset) => message(offset)) }],
      ['20', {
        partition: 0,
        highWatermark: '40',
        abortedTransactions: [{ producerId: '9', firstOffset: '22' }],
        messages: [message('20'), message('21'), message('22', { batchContext: transactional }), message('23', { batchContext: transactional }), message('24', { key: Buffer.from([0, 0, 0, 0]), isControlRecord: true, batchContext: transactional }), message('25')],
      }],
      ['9007199254740993', { partition: 0, highWatermark: '9007199254741000', messages: ['9007199254740992', '9007199254740993', '9007199254740994'].map((offset) => message(offset)) }],
      ['10', { partition: 0, highWatermark: '9007199254741000', messages: ['9', '10', '9007199254740993'].map((offset) => message(offset)) }],
      ['010', { partition: 0, highWatermark: '20', messages: ['9', '10', '11'].map((offset) => message(offset)) }],
    ];
    for (const [fetchedOffset, partitionData] of cases) {
      const theirs = new Batch('topic', fetchedOffset, structuredClone(partitionData) as never) as Record<string, () => unknown>;
      const ours = new FerryBatch('topic', fetchedOffset, structuredClone(partitionData) as never) as Record<string, () => unknown>;
      expect(ours).toBeInstanceOf(Batch);
      if (!isDeepStrictEqual(ours, theirs)) expect(inspect(ours, { depth: 6 })).toBe(inspect(theirs, { depth: 6 }));
      for (const method of methods) expect(ours[method]?.(), `${method} at ${String(fetchedOffset)}`).toEqual(theirs[method]?.());
    }
  });

  it('is installed in place of kafkajs\'s consumer Batch', () => {
    expect(fetchPathPatches.consumerBatch).toBe(true);
  });
});
