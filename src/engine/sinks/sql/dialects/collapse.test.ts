import { describe, expect, it } from 'vitest';
import type { FieldSchema, Row } from '../../../model';
import { collapseByKey } from './collapse';

const id: FieldSchema = { name: 'id', type: { kind: 'int64' }, optional: false };
const region: FieldSchema = { name: 'region', type: { kind: 'string' }, optional: false };

describe('collapseByKey', () => {
  it('keeps the last row of each key at the position of its last occurrence', () => {
    const rows: Row[] = [
      { id: 1n, v: 'a1' },
      { id: 2n, v: 'b1' },
      { id: 1n, v: 'a2' },
      { id: 3n, v: 'c1' },
      { id: 2n, v: 'b2' },
    ];
    expect(collapseByKey(rows, [id])).toEqual([
      { id: 1n, v: 'a2' },
      { id: 3n, v: 'c1' },
      { id: 2n, v: 'b2' },
    ]);
  });

  it('returns a copy with every row when keys are distinct, and handles empty and single batches', () => {
    const rows: Row[] = [{ id: 1n }, { id: 2n }];
    const result = collapseByKey(rows, [id]);
    expect(result).toEqual(rows);
    expect(result).not.toBe(rows);
    expect(collapseByKey([], [id])).toEqual([]);
    expect(collapseByKey([{ id: 1n }], [id])).toEqual([{ id: 1n }]);
  });

  it('compares composite keys part by part, never by concatenation', () => {
    const rows: Row[] = [
      { id: 1n, region: 'ab', v: 1 },
      { id: 1n, region: 'a', v: 2 },
      { id: 1n, region: 'ab', v: 3 },
      { id: 2n, region: 'ab', v: 4 },
    ];
    expect(collapseByKey(rows, [id, region])).toEqual([
      { id: 1n, region: 'a', v: 2 },
      { id: 1n, region: 'ab', v: 3 },
      { id: 2n, region: 'ab', v: 4 },
    ]);
    // "a|b" + "c" must not equal "a" + "b|c" however parts are joined.
    const tricky: Row[] = [
      { id: 1n, region: 'x:1' },
      { id: 1n, region: 'x' },
    ];
    expect(collapseByKey(tricky, [id, region])).toHaveLength(2);
  });

  it('treats a number and a bigint of the same integer as one key, as the database does', () => {
    expect(collapseByKey([{ id: 7, v: 1 }, { id: 7n, v: 2 }], [id])).toEqual([{ id: 7n, v: 2 }]);
    // Near and beyond 2^53 too, and a whole number never equals the text of another kind of key.
    expect(collapseByKey([{ id: 2n ** 60n, v: 1 }, { id: 9_007_199_254_740_993n, v: 2 }, { id: 2n ** 60n, v: 3 }, { id: 9_007_199_254_740_992n, v: 4 }, { id: 2 ** 52, v: 5 }, { id: 2n ** 52n, v: 6 }], [id])).toEqual([
      { id: 9_007_199_254_740_993n, v: 2 },
      { id: 2n ** 60n, v: 3 },
      { id: 9_007_199_254_740_992n, v: 4 },
      { id: 2n ** 52n, v: 6 },
    ]);
    expect(collapseByKey([{ id: 5, v: 1 }, { id: 'i5;', v: 2 }, { id: '5', v: 3 }, { id: 5.5, v: 4 }], [id])).toHaveLength(4);
  });

  it('collapses bytes, dates and booleans by value', () => {
    const blob: FieldSchema = { name: 'k', type: { kind: 'bytes' }, optional: false };
    expect(collapseByKey([{ k: new Uint8Array([1, 2]), v: 1 }, { k: Buffer.from([1, 2]), v: 2 }, { k: new Uint8Array([1]), v: 3 }], [blob])).toHaveLength(2);
    const day: FieldSchema = { name: 'k', type: { kind: 'date' }, optional: false };
    expect(collapseByKey([{ k: new Date('2024-01-01T00:00:00Z'), v: 1 }, { k: new Date('2024-01-01T00:00:00Z'), v: 2 }], [day])).toEqual([
      { k: new Date('2024-01-01T00:00:00Z'), v: 2 },
    ]);
    const flag: FieldSchema = { name: 'k', type: { kind: 'boolean' }, optional: false };
    expect(collapseByKey([{ k: true }, { k: false }, { k: true }], [flag])).toEqual([{ k: false }, { k: true }]);
  });

  it('is case- and trailing-space-sensitive unless asked otherwise', () => {
    const rows: Row[] = [
      { region: 'EU', v: 1 },
      { region: 'eu ', v: 2 },
      { region: 'eu', v: 3 },
    ];
    expect(collapseByKey(rows, [region])).toHaveLength(3);
    expect(collapseByKey(rows, [region], { caseInsensitive: true })).toEqual([{ region: 'eu', v: 3 }]);
  });

  it('leaves rows with a missing or null key part alone (the builders reject them with a message)', () => {
    const rows: Row[] = [{ id: null, v: 1 }, { v: 2 }, { id: null, v: 3 }];
    expect(collapseByKey(rows, [id])).toEqual(rows);
  });

  it('keeps every row when there are no key fields', () => {
    expect(collapseByKey([{ v: 1 }, { v: 1 }], [])).toHaveLength(2);
  });
});
