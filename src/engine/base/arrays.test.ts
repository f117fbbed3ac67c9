import { describe, expect, it } from 'vitest';
import { appendAll } from './arrays';

describe('appendAll', () => {
  it('appends more items than a spread call can pass as arguments', () => {
    const items = Array.from({ length: 500_000 }, (_, i) => i);
    expect(() => [0].push(...items)).toThrow(RangeError);
    const target = [-1];
    expect(appendAll(target, items)).toBe(target);
    expect(target).toHaveLength(500_001);
    expect(target[500_000]).toBe(499_999);
  });
});
