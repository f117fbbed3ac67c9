import type { OutgoingMessage } from '../kafka';
import { describe, expect, it } from 'vitest';
import { chunkBySize, deadLetterRequestBytes, estimateRecordBytes } from './deadLetterQueue';

// A dead letter with the ~1.4 KB of context headers Connect's reporter adds (the stack trace most of it).
function letter(offset: number): OutgoingMessage {
  return {
    key: null,
    value: Buffer.alloc(60, 1),
    headers: {
      '__connect.errors.topic': 'orders',
      '__connect.errors.offset': String(offset),
      '__connect.errors.exception.message': 'new row for relation "orders" violates check constraint "qty_not_negative"',
      '__connect.errors.exception.stacktrace': 'x'.repeat(1300),
    },
  };
}

describe('dead letter requests', () => {
  it('over-estimate a record: bodies, header names and values all count', () => {
    const message = letter(1);
    const bodies = 60 + Object.entries(message.headers ?? {}).reduce((sum, [name, value]) => sum + name.length + String(value).length, 0);
    expect(estimateRecordBytes(message)).toBeGreaterThan(bodies);
  });

  it('split 1,000 letters into requests that fit max.message.bytes, in order, losing none', () => {
    const messages = Array.from({ length: 1000 }, (_, index) => letter(index));
    const budget = deadLetterRequestBytes(1_048_588);
    const chunks = chunkBySize(messages, budget);
    expect(chunks.length).toBeGreaterThan(1);
    expect(chunks.flat()).toEqual(messages);
    for (const chunk of chunks) expect(chunk.reduce((sum, message) => sum + estimateRecordBytes(message), 0)).toBeLessThanOrEqual(budget);
  });

  it('keep a request under a small topic limit, and put a letter larger than the budget alone', () => {
    expect(deadLetterRequestBytes(10_000)).toBe(9000);
    const chunks = chunkBySize([letter(1), { key: null, value: Buffer.alloc(20_000) }, letter(2)], 9000);
    expect(chunks.map((chunk) => chunk.length)).toEqual([1, 1, 1]);
  });
});
