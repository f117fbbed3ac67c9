/**
 * kafkajs, loaded once for the adapter, with the produce path's replacements (producePath.ts) and the compression
 * codecs (codecs.ts) installed first. kafkajs's modules take their helpers with `require` when they load, so the
 * replacements are put into Node's module cache under the helpers' own file names before kafkajs is required;
 * kafkajs then runs with them everywhere (producers made by any client in this process, this thread).
 *
 * If kafkajs was loaded before this module (something imported it directly), the replacements cannot take effect:
 * everything still works, only slower, and the debug log says so.
 */
import Module, { createRequire } from 'node:module';
import type * as KafkaJs from 'kafkajs';
import { createLogger } from '../base/logger';
import { registerCompressionCodecs } from './codecs';
import { frameRequest, groupMessagesPerPartition, nativeCrc32C } from './producePath';
import { createDefaultPartitioner } from './messageBatches';
import { installRecordBatchPath } from './rawBatchPath';
import { installFastConsumerBatch, installFetchBatchDecoder } from './fetchBatches';

const require = createRequire(import.meta.url);
const log = createLogger('kafka');

interface CachedModule {
  id: string;
  filename: string;
  loaded: boolean;
  exports: unknown;
}

/** Whether each replacement is in force (reported by tests and benchmarks). */
export const producePathPatches = { grouping: false, crc32c: false, framing: false, partitioner: false, encoderGrowth: false, recordBatches: false };

/**
 * Whether sends go through the linear grouping and the batch writer (messageBatches.ts): then a request may carry
 * any number of messages; without them kafkajs's own grouping is quadratic in the messages per partition.
 */
export function sendsWriteBatches(): boolean {
  return producePathPatches.grouping && producePathPatches.recordBatches;
}

function preload(request: string, exports: unknown): boolean {
  let filename: string;
  try {
    filename = require.resolve(request);
  } catch {
    return false; // a bundle without kafkajs's sources beside it
  }
  const cache = require.cache as Record<string, CachedModule | undefined>;
  const existing = cache[filename];
  if (existing) {
    if (existing.exports === exports) return true;
    log.debug('kafkajs was loaded before the Kafka port could replace its helper; the produce path keeps the original', { module: request });
    return false;
  }
  const module = new Module(filename) as unknown as CachedModule;
  module.id = filename;
  module.filename = filename;
  module.loaded = true;
  module.exports = exports;
  cache[filename] = module;
  return true;
}

producePathPatches.grouping = preload('kafkajs/src/producer/groupMessagesPerPartition.js', groupMessagesPerPartition);
producePathPatches.crc32c = preload('kafkajs/src/protocol/recordBatch/crc32C/index.js', nativeCrc32C);
producePathPatches.framing = preload('kafkajs/src/protocol/request.js', frameRequest);
// kafkajs's DefaultPartitioner, same partition for every message, without 64-bit Long objects per key (messageBatches.ts).
producePathPatches.partitioner = preload('kafkajs/src/producer/partitioners/default/index.js', createDefaultPartitioner);

/** Whether fetched record batches are read by fetchBatches.ts instead of kafkajs's per-record decoder. */
export const fetchPathPatches = { batchDecoder: false, consumerBatch: false };
// Before kafkajs loads: its fetch decoders and consumer group take these with `require` when they load.
fetchPathPatches.batchDecoder = installFetchBatchDecoder();
fetchPathPatches.consumerBatch = installFastConsumerBatch();

export const kafkajs = require('kafkajs') as typeof KafkaJs;

registerCompressionCodecs(kafkajs);
producePathPatches.recordBatches = installRecordBatchPath();
producePathPatches.encoderGrowth = growEncodersWithoutZeroFill();

/**
 * kafkajs's Encoder grows its buffer with Buffer.alloc (zero-filled) and copies what it holds; only the bytes written
 * are ever read (`buffer` is the written prefix), so the zero fill is pure cost: ~15 % of a producer thread's CPU on
 * 1 KiB records. Same growth, without it.
 */
function growEncodersWithoutZeroFill(): boolean {
  let Encoder: { prototype: { ensureAvailable(length: number): void }; nextPowerOfTwo(value: number): number };
  try {
    Encoder = require('kafkajs/src/protocol/encoder.js') as typeof Encoder;
  } catch {
    return false;
  }
  Encoder.prototype.ensureAvailable = function ensureAvailable(this: { buf: Buffer; offset: number }, length: number): void {
    if (this.offset + length > this.buf.length) {
      const grown = Buffer.allocUnsafe(Encoder.nextPowerOfTwo(this.offset + length));
      this.buf.copy(grown, 0, 0, this.offset);
      this.buf = grown;
    }
  };
  return true;
}
