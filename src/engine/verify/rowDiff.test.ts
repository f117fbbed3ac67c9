import { describe, expect, it } from 'vitest';
import { compareKeys, diffRows, toDifference, toKey } from './rowDiff';

const keys = [{ name: 'id', kind: 'integer' as const }];

describe('diffRows', () => {
  it('matches rows by key text and lists rows on one side and differing columns', () => {
    const diff = diffRows(
      [['1', 'a', null], ['2', '', 'x'], ['3', 'c', 'c']],
      [['2', null, 'x'], ['3', 'c', 'C'], ['4', 'd', 'd'], ['1', 'a', null]],
      1,
    );
    expect(diff.onlyInSource).toEqual([]);
    expect(diff.onlyInTarget).toEqual([['4', 'd', 'd']]);
    expect(diff.different).toEqual([
      { source: ['2', '', 'x'], target: ['2', null, 'x'], columns: [0] },
      { source: ['3', 'c', 'c'], target: ['3', 'c', 'C'], columns: [1] },
    ]);
  });

  it('keeps composite keys apart where joined text would collide (1|11 vs 11|1)', () => {
    const diff = diffRows([['1', '11', 'v']], [['11', '1', 'v']], 2);
    expect(diff.onlyInSource).toEqual([['1', '11', 'v']]);
    expect(diff.onlyInTarget).toEqual([['11', '1', 'v']]);
  });

  it('counts float texts within rounding of each other as equal, only in float columns', () => {
    const diff = diffRows(
      [['1', '-29420463810674900', 'x'], ['2', '1.5', 'x'], ['3', '100000000000000', '100000000000000']],
      [['1', '-29420463810674800', 'x'], ['2', '1.50001', 'x'], ['3', '100000000000000', '100000000000001']],
      1,
      [true, false],
    );
    expect(diff.roundingOnly).toBe(1);
    expect(diff.different.map((row) => [row.source[0], row.columns])).toEqual([
      ['2', [0]],
      ['3', [1]],
    ]);
  });

  it('reports duplicate keys', () => {
    expect(diffRows([['1', 'a'], ['1', 'b']], [['1', 'a']], 1).duplicateKeys).toEqual([{ side: 'source', key: ['1'] }]);
  });
});

describe('keys in the report', () => {
  it('gives integer keys as numbers when exact, as text beyond 2^53', () => {
    expect(toKey(['42'], keys)).toEqual({ id: 42 });
    expect(toKey(['9007199254740993'], keys)).toEqual({ id: '9007199254740993' });
    expect(toKey(['x', null], [{ name: 'a', kind: 'string' }, { name: 'b', kind: 'string' }])).toEqual({ a: 'x', b: null });
  });

  it('orders integer keys numerically and text by code point', () => {
    const rows = [['10'], ['9'], ['-1'], ['100000000000000000000']];
    expect(rows.sort((a, b) => compareKeys(a, b, keys))).toEqual([['-1'], ['9'], ['10'], ['100000000000000000000']]);
    const text = [{ name: 'k', kind: 'string' as const }];
    expect([['b'], ['B'], ['a']].sort((a, b) => compareKeys(a, b, text))).toEqual([['B'], ['a'], ['b']]);
  });

  it('names the differing columns with both values', () => {
    expect(toDifference({ source: ['7', 'x', '1'], target: ['7', 'x', '2'], columns: [1] }, keys, ['name', 'qty'])).toEqual({
      key: { id: 7 },
      columns: [{ name: 'qty', source: '1', target: '2' }],
    });
  });
});
