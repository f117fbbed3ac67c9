/**
 * Micro-benchmark of the pipeline runner's per-batch and per-record costs (issue 13), in one process, no services:
 * - checkpoint: saving a source position after every acknowledged batch (CheckpointStore.save, durable JSON),
 *   against recording it in memory and flushing at most once a second (what the runner does now);
 * - latency header: kafkajs encoding a record (and the CRC over it) with the `ferry.source.ts`/capture headers on every
 *   record, against one sampled record per batch; and decoding them back;
 * - target table: resolving a sink record's target table per record against once per topic.
 * Prints one JSON object.  npx tsx bench/runnerCosts.ts
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { CheckpointStore } from '../src/engine/store/index';
import { createDialect } from '../src/engine/sinks/sql/dialects/index';

const require = createRequire(import.meta.url);
type RecordEncoder = (record: { offsetDelta: number; timestampDelta: number; key: Buffer | null; value: Buffer; headers?: Record<string, string> }) => { buffer: Buffer };
const encodeRecord = require('kafkajs/src/protocol/recordBatch/record/v0/index.js') as RecordEncoder;
const decodeRecord = require('kafkajs/src/protocol/recordBatch/record/v0/decoder.js') as (decoder: unknown, batch: object) => unknown;
const Decoder = require('kafkajs/src/protocol/decoder.js') as new (buffer: Buffer) => { readVarInt(): number };
const BATCH = { firstOffset: '0', firstTimestamp: '0', magicByte: 2 };
function decodeOne(buffer: Buffer): unknown {
  const decoder = new Decoder(buffer);
  decoder.readVarInt(); // the record's length, read by the batch decoder
  return decodeRecord(decoder, BATCH);
}
const crc32C = require('kafkajs/src/protocol/recordBatch/crc32C/index.js') as (buffer: Buffer) => number;

function timeUs(iterations: number, work: (index: number) => void): number {
  for (let index = 0; index < Math.min(iterations, 1000); index++) work(index);
  const started = process.hrtime.bigint();
  for (let index = 0; index < iterations; index++) work(index);
  return Number(process.hrtime.bigint() - started) / 1000 / iterations;
}

const dir = mkdtempSync(join(tmpdir(), 'ferry-runner-costs-'));
try {
  const store = new CheckpointStore('bench', dir);
  const position = (index: number) => ({ kind: 'incrementing', id: String(index), ts: null }) as never;
  const saveUs = timeUs(200, (index) => store.save('source', { 'table:orders': position(index) }));
  const recordUs = timeUs(200_000, (index) => store.record('source', { 'table:orders': position(index) }));
  // One periodic flush (what replaces a save per batch): its wall time, off the event loop but for the JSON text.
  const flushStarted = process.hrtime.bigint();
  for (let index = 0; index < 50; index++) {
    store.record('source', { 'table:orders': position(index) });
    await store.flush();
  }
  const flushUs = Number(process.hrtime.bigint() - flushStarted) / 1000 / 50;

  const value = Buffer.alloc(120, 7);
  const key = Buffer.from([0, 0, 0, 0, 1, 2, 44]);
  const perRecordHeaders = (index: number) => ({ 'ferry.source.ts': String(1_764_000_000_000 + index), 'ferry.source.capture': 'polling' });
  const withHeadersUs = timeUs(200_000, (index) => crc32C(encodeRecord({ offsetDelta: index % 2500, timestampDelta: 0, key, value, headers: perRecordHeaders(index) }).buffer));
  const sampledUs = timeUs(200_000, (index) => crc32C(encodeRecord({ offsetDelta: index % 2500, timestampDelta: 0, key, value, ...(index % 2500 === 0 ? { headers: perRecordHeaders(index) } : {}) }).buffer));
  const encodedWith = encodeRecord({ offsetDelta: 1, timestampDelta: 0, key, value, headers: perRecordHeaders(1) }).buffer;
  const encodedWithout = encodeRecord({ offsetDelta: 1, timestampDelta: 0, key, value }).buffer;
  const decodeWithUs = timeUs(200_000, () => decodeOne(encodedWith));
  const decodeWithoutUs = timeUs(200_000, () => decodeOne(encodedWithout));

  const dialect = createDialect('postgres', { quoteIdentifiers: 'always', useMergeHoldlock: false });
  const perRecordTableUs = timeUs(200_000, (index) => dialect.resolveTableId('${topic}', `shop.orders${index % 3}`));
  const cache = new Map<string, unknown>();
  const cachedTableUs = timeUs(200_000, (index) => {
    const topic = `shop.orders${index % 3}`;
    let table = cache.get(topic);
    if (!table) cache.set(topic, (table = dialect.resolveTableId('${topic}', topic)));
  });

  const round = (n: number) => Math.round(n * 1000) / 1000;
  console.log(
    JSON.stringify({
      load: loadavg().map((n) => Math.round(n * 100) / 100),
      checkpoint_save_sync_us_per_batch: round(saveUs),
      checkpoint_record_in_memory_us_per_batch: round(recordUs),
      checkpoint_async_flush_us_once_per_interval: round(flushUs),
      record_encode_crc_us: { headers_on_every_record: round(withHeadersUs), one_sampled_record_per_2500: round(sampledUs) },
      record_decode_us: { with_headers: round(decodeWithUs), without: round(decodeWithoutUs) },
      sink_target_table_us_per_record: { resolved_per_record: round(perRecordTableUs), cached_per_topic: round(cachedTableUs) },
    }),
  );
} finally {
  rmSync(dir, { recursive: true, force: true });
}
