/**
 * Kafka's compression codecs for kafkajs, which ships only gzip. Each library installs a prebuilt native binary from
 * npm (an optional per-platform package, no download at install, Node-API so the same binary runs in Electron):
 * - snappy (napi-rs, Snappy's Rust port): Kafka's Java producer writes Snappy in xerial's framing (SnappyOutputStream),
 *   which Java consumers also read unframed; we write the framing Java writes and read both;
 * - lz4-napi (napi-rs over lz4_flex): the LZ4 frame format Kafka uses for record batches (independent 64 KiB blocks,
 *   no checksums), as KafkaLZ4BlockOutputStream writes it;
 * - @mongodb-js/zstd 1.x (napi-rs over zstd, maintained by MongoDB): standard zstd frames. Its 2.x+ fetch their binary
 *   from GitHub at install (prebuild-install), which fails on our build machines.
 * The brokers decompress every compressed batch they accept to validate it, so a batch a broker took is one Java reads.
 */
import { createRequire } from 'node:module';
import type * as KafkaJs from 'kafkajs';
import type * as Lz4 from 'lz4-napi';
import type * as Snappy from 'snappy';

const require = createRequire(import.meta.url);

interface Codec {
  compress(encoder: { buffer: Buffer }): Promise<Buffer>;
  decompress(buffer: Buffer): Promise<Buffer>;
}

/** xerial snappy-java's stream header: magic, then version 1 and minimum compatible version 1 (big-endian int32s). */
const XERIAL_MAGIC = Buffer.from([0x82, 0x53, 0x4e, 0x41, 0x50, 0x50, 0x59, 0x00]);
const XERIAL_HEADER_BYTES = 16;
/** SnappyOutputStream's default block: 32 KiB of input per compressed block. */
const XERIAL_BLOCK = 32 * 1024;

function snappyCodec(): Codec {
  const snappy = require('snappy') as typeof Snappy;
  return {
    async compress(encoder) {
      const input = encoder.buffer;
      const parts: Buffer[] = [XERIAL_MAGIC, Buffer.from([0, 0, 0, 1, 0, 0, 0, 1])];
      for (let at = 0; at < input.length; at += XERIAL_BLOCK) {
        const block = snappy.compressSync(input.subarray(at, at + XERIAL_BLOCK));
        const length = Buffer.alloc(4);
        length.writeInt32BE(block.length);
        parts.push(length, block);
      }
      return Buffer.concat(parts);
    },
    async decompress(buffer) {
      if (buffer.length < XERIAL_HEADER_BYTES || !buffer.subarray(0, XERIAL_MAGIC.length).equals(XERIAL_MAGIC)) {
        return snappy.uncompressSync(buffer, { asBuffer: true }) as Buffer;
      }
      const parts: Buffer[] = [];
      for (let at = XERIAL_HEADER_BYTES; at < buffer.length; ) {
        const length = buffer.readInt32BE(at);
        at += 4;
        parts.push(snappy.uncompressSync(buffer.subarray(at, at + length), { asBuffer: true }) as Buffer);
        at += length;
      }
      return Buffer.concat(parts);
    },
  };
}

function lz4Codec(): Codec {
  const lz4 = require('lz4-napi') as typeof Lz4;
  return {
    compress: (encoder) => lz4.compressFrame(encoder.buffer),
    decompress: (buffer) => lz4.decompressFrame(buffer),
  };
}

function zstdCodec(): Codec {
  const zstd = require('@mongodb-js/zstd') as { compress(buffer: Buffer, level?: number): Promise<Buffer>; decompress(buffer: Buffer): Promise<Buffer> };
  return {
    // Level 3: zstd's (and Kafka's) default.
    compress: (encoder) => zstd.compress(encoder.buffer, 3),
    decompress: (buffer) => zstd.decompress(buffer),
  };
}

/** Registers snappy, lz4 and zstd with kafkajs; each library loads on first use (a fetch or a send that needs it). */
export function registerCompressionCodecs(kafkajs: typeof KafkaJs): void {
  const { CompressionCodecs, CompressionTypes } = kafkajs;
  const lazy = (make: () => Codec): (() => Codec) => {
    let codec: Codec | undefined;
    return () => (codec ??= make());
  };
  CompressionCodecs[CompressionTypes.Snappy] = lazy(snappyCodec);
  CompressionCodecs[CompressionTypes.LZ4] = lazy(lz4Codec);
  CompressionCodecs[CompressionTypes.ZSTD] = lazy(zstdCodec);
}
