/**
 * The produce path's replacements for kafkajs internals, installed by kafkajsRuntime.ts before kafkajs loads
 * (bench/kafkaProducePath.ts measures the first two):
 * - kafkajs groups a request's messages per partition with `[...current, message]` for every message, which is
 *   quadratic in the messages per partition (4.7 µs/message at 2,500 messages, growing with the request); this
 *   groups in one pass, same result (partition → messages in send order);
 * - kafkajs computes each record batch's CRC-32C in JavaScript (~3 µs per KiB); @node-rs/crc32 does it natively
 *   (SSE4.2/PCLMUL), and gives the same unsigned value.
 */
import { crc32c } from '@node-rs/crc32';

/**
 * Bytes a request encoder may leave free in front of its body, in the same buffer, for the request header
 * (rawBatchPath.ts's produce requests do): the encoder says so with FRAME_ROOM_KEY, and frameRequest then writes the
 * header there instead of copying the body. Enough for a client id of up to FRAME_ROOM - 14 bytes; a longer one is
 * framed by copying.
 */
export const FRAME_ROOM = 14 + 114;
export const FRAME_ROOM_KEY = Symbol.for('ferry.frameRoom');

interface EncodedBody {
  buffer: Buffer;
  [FRAME_ROOM_KEY]?: number;
}

/**
 * kafkajs's request framing (protocol/request.js) writes the header and then copies the encoded request into a
 * growing Encoder, and that again into a second one for the size prefix: each growth allocates a zero-filled buffer
 * and copies what is there (a 4 MB produce request was copied and zero-filled about four times over). This frames
 * it in one allocation, or none when the body left room for the header: size, api key, version, correlation id,
 * client id (int16-length string, -1 for none), body.
 */
export async function frameRequest({ correlationId, clientId, request }: { correlationId: number; clientId: string | null | undefined; request: { apiKey: number; apiVersion: number; encode(): Promise<EncodedBody> } }): Promise<{ buffer: Buffer }> {
  const encoded = await request.encode();
  const body = encoded.buffer;
  const idLength = clientId === null || clientId === undefined ? -1 : Buffer.byteLength(clientId, 'utf8');
  const header = 14 + Math.max(idLength, 0);
  const room = encoded[FRAME_ROOM_KEY] ?? 0;
  const out = room >= header && body.byteOffset >= header ? Buffer.from(body.buffer, body.byteOffset - header, header + body.length) : Buffer.allocUnsafe(header + body.length);
  out.writeInt32BE(header - 4 + body.length, 0);
  out.writeInt16BE(request.apiKey, 4);
  out.writeInt16BE(request.apiVersion, 6);
  out.writeInt32BE(correlationId, 8);
  out.writeInt16BE(idLength, 12);
  if (idLength > 0) out.write(clientId as string, 14, 'utf8');
  if (out.buffer !== body.buffer || out.byteOffset + header !== body.byteOffset) body.copy(out, header);
  return { buffer: out };
}

interface GroupingOptions<M> {
  topic: string;
  partitionMetadata: readonly unknown[];
  messages: readonly M[];
  partitioner(options: { topic: string; partitionMetadata: readonly unknown[]; message: M }): number;
}

/** kafkajs's groupMessagesPerPartition contract, in linear time. */
export function groupMessagesPerPartition<M>({ topic, partitionMetadata, messages, partitioner }: GroupingOptions<M>): Record<number, M[]> {
  const result: Record<number, M[]> = {};
  if (partitionMetadata.length === 0) return result;
  // One arguments object for all the calls instead of one per message: kafkajs's partitioners read it and keep nothing.
  const args: { topic: string; partitionMetadata: readonly unknown[]; message: M } = { topic, partitionMetadata, message: messages[0] as M };
  for (const message of messages) {
    args.message = message;
    const partition = partitioner(args);
    const list = result[partition];
    if (list === undefined) result[partition] = [message];
    else list.push(message);
  }
  return result;
}

/** kafkajs's recordBatch/crc32C contract: the unsigned CRC-32C of the buffer. */
export function nativeCrc32C(buffer: Buffer): number {
  return crc32c(buffer);
}
