import { describe, expect, it } from 'vitest';
import type { FieldValue } from '../model';
import { rowFromValues } from './rowLiteral';

describe('rowFromValues', () => {
  it('builds the row with the columns as its own properties in column order, whatever their names', () => {
    const names = ['id', 'sku', 'quote"d', 'back\\slash', 'line\nbreak', '\u2028', 'ünï', '', 'constructor', 'toString', 'x'.repeat(70)];
    const values: FieldValue[] = [10n, 'SKU-1', null, 1.5, true, new Date(0), Buffer.from([1]), 'empty', 'c', 't', 'long'];
    const row = rowFromValues(names)(values);
    expect(Object.keys(row)).toEqual(names);
    for (const [index, name] of names.entries()) {
      expect(Object.prototype.hasOwnProperty.call(row, name)).toBe(true);
      expect(row[name]).toBe(values[index]);
    }
    expect(Object.getPrototypeOf(row)).toBe(Object.prototype);
  });

  it('makes __proto__ an own property (a literal would set the prototype)', () => {
    const row = rowFromValues(['id', '__proto__', 'name'])([1, 'p', 'n']);
    expect(Object.keys(row)).toEqual(['id', '__proto__', 'name']);
    expect(Object.getOwnPropertyDescriptor(row, '__proto__')?.value).toBe('p');
    expect(Object.getPrototypeOf(row)).toBe(Object.prototype);
    expect({ ...row }).toEqual(row);
  });

  it('keeps each row its own object: rows of one builder share no values', () => {
    const build = rowFromValues(['a', 'b']);
    const first = build([1, 'x']);
    const second = build([2, 'y']);
    expect(first).toEqual({ a: 1, b: 'x' });
    expect(second).toEqual({ a: 2, b: 'y' });
    expect(first).not.toBe(second);
  });
});

describe('rowFromValues with places', () => {
  it('picks each name its value by place (a key out of a whole row), __proto__ too, and refuses a bad place', () => {
    const values: FieldValue[] = [7n, 'SKU-1', 3, 'GB'];
    const key = rowFromValues(['country', 'id'], [3, 0])(values);
    expect(Object.keys(key)).toEqual(['country', 'id']);
    expect(key).toEqual({ country: 'GB', id: 7n });
    const odd = rowFromValues(['__proto__', 'sku'], [2, 1])(values);
    expect(Object.getOwnPropertyDescriptor(odd, '__proto__')?.value).toBe(3);
    expect(odd.sku).toBe('SKU-1');
    expect(() => rowFromValues(['a'], [-1])).toThrow(/place/);
    expect(() => rowFromValues(['a', 'b'], [0])).toThrow(/place/);
    expect(() => rowFromValues(['a'], [1.5])).toThrow(/place/);
  });
});
