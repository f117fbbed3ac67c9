import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { producePathPatches } from './kafkajsRuntime';
import { FRAME_ROOM, FRAME_ROOM_KEY, frameRequest, groupMessagesPerPartition, nativeCrc32C } from './producePath';

const require = createRequire(import.meta.url);
const jsCrc32C = require('kafkajs/src/protocol/recordBatch/crc32C/crc32C.js') as (buffer: Buffer) => number;

/** kafkajs 2.2.4's own grouping, as it is in node_modules (the file is replaced in the module cache at run time). */
function kafkajsGrouping<M>(options: { partitionMetadata: readonly unknown[]; messages: readonly M[]; partition: (message: M) => number }): Record<number, M[]> {
  if (options.partitionMetadata.length === 0) return {};
  return options.messages.reduce<Record<number, M[]>>((result, message) => {
    const partition = options.partition(message);
    const current = result[partition] || [];
    return Object.assign(result, { [partition]: [...current, message] });
  }, {});
}

describe('the Kafka port\'s produce path', () => {
  it('groups messages per partition as kafkajs does, in send order', () => {
    const messages = Array.from({ length: 1000 }, (_, index) => ({ partition: (index * 7) % 5, value: String(index) }));
    const partitionMetadata = [0, 1, 2, 3, 4].map((partitionId) => ({ partitionId }));
    const ours = groupMessagesPerPartition({ topic: 't', partitionMetadata, messages, partitioner: ({ message }) => message.partition });
    expect(ours).toEqual(kafkajsGrouping({ partitionMetadata, messages, partition: (message) => message.partition }));
    expect(groupMessagesPerPartition({ topic: 't', partitionMetadata: [], messages, partitioner: () => 0 })).toEqual({});
  });

  it('computes the same CRC-32C as kafkajs, natively', () => {
    expect(nativeCrc32C(Buffer.from('123456789'))).toBe(0xe3069283);
    for (const size of [0, 1, 61, 1024, 100_000]) {
      const buffer = Buffer.alloc(size);
      for (let index = 0; index < size; index++) buffer[index] = (index * 31 + size) & 0xff;
      expect(nativeCrc32C(buffer)).toBe(jsCrc32C(buffer) >>> 0);
    }
  });

  it('frames a request as kafkajs does, in one allocation', async () => {
    const Encoder = require('kafkajs/src/protocol/encoder.js') as new () => { writeInt16(v: number): unknown; writeInt32(v: number): unknown; writeString(v: string | null): unknown; writeEncoder(v: unknown): unknown; writeBuffer(v: Buffer): unknown; buffer: Buffer; size(): number };
    const body = new Encoder();
    body.writeBuffer(Buffer.from('a body of some bytes'));
    for (const clientId of ['ferry-é', null]) {
      const inner = new Encoder();
      inner.writeInt16(0);
      inner.writeInt16(7);
      inner.writeInt32(42);
      inner.writeString(clientId);
      inner.writeEncoder(body);
      const outer = new Encoder();
      outer.writeInt32(inner.size());
      outer.writeEncoder(inner);
      const framed = await frameRequest({ correlationId: 42, clientId, request: { apiKey: 0, apiVersion: 7, encode: async () => body } });
      expect(framed.buffer).toEqual(outer.buffer);
    }
  });

  it('frames a body that left room in front of it in place, with the same bytes', async () => {
    for (const clientId of ['ferry-é', null, 'x'.repeat(FRAME_ROOM)]) {
      const whole = Buffer.alloc(FRAME_ROOM + 20, 0xee);
      const body = whole.subarray(FRAME_ROOM);
      body.write('a body of some bytes');
      const copied = await frameRequest({ correlationId: 9, clientId, request: { apiKey: 0, apiVersion: 7, encode: async () => ({ buffer: Buffer.from(body) }) } });
      const inPlace = await frameRequest({ correlationId: 9, clientId, request: { apiKey: 0, apiVersion: 7, encode: async () => ({ buffer: body, [FRAME_ROOM_KEY]: FRAME_ROOM }) } });
      expect(inPlace.buffer).toEqual(copied.buffer);
      // The header goes into the room when it fits (a client id longer than the room is framed by copying).
      expect(inPlace.buffer.buffer === whole.buffer).toBe(clientId === null || clientId.length < FRAME_ROOM - 14);
    }
  });

  it('is what kafkajs runs with', async () => {
    expect(producePathPatches).toEqual({ grouping: true, crc32c: true, framing: true, partitioner: true, encoderGrowth: true, recordBatches: true });
    const cached = require('kafkajs/src/producer/groupMessagesPerPartition.js') as unknown;
    expect(cached).toBe(groupMessagesPerPartition);
    expect(require('kafkajs/src/protocol/recordBatch/crc32C/index.js') as unknown).toBe(nativeCrc32C);
  });
});
