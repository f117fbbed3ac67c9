import { describe, expect, it } from 'vitest';
import { charDiff, type DiffSpan, elideUnchanged } from './charDiff';

const marked = (spans: DiffSpan[]): string => spans.map((span) => (span.changed ? `[${span.text}]` : span.text)).join('');

describe('charDiff', () => {
  it('marks only the characters that differ, as `.com` against `.org`', () => {
    const diff = charDiff('ada@example.com', 'ada@example.org');
    expect(marked(diff.source)).toBe('ada@example.[com]');
    expect(marked(diff.target)).toBe('ada@example.[org]');
  });

  it('keeps the common subsequence inside the changed middle', () => {
    const diff = charDiff('12.50', '125.0');
    expect(marked(diff.source)).toBe('12[.]50');
    expect(marked(diff.target)).toBe('125[.]0');
  });

  it('marks an insertion on the target side only', () => {
    const diff = charDiff('Grace', 'Grace Hopper');
    expect(marked(diff.source)).toBe('Grace');
    expect(marked(diff.target)).toBe('Grace[ Hopper]');
  });

  it('never splits a code point (emoji, accents)', () => {
    const diff = charDiff('café 😀', 'cafe 😀');
    expect(marked(diff.source)).toBe('caf[é] 😀');
    expect(marked(diff.target)).toBe('caf[e] 😀');
  });

  it('returns unchanged spans for equal values and handles empty ones', () => {
    expect(marked(charDiff('same', 'same').source)).toBe('same');
    expect(marked(charDiff('', 'x').target)).toBe('[x]');
    expect(charDiff('', 'x').source).toEqual([]);
  });

  it('shows a very long middle as one change instead of computing an LCS', () => {
    const a = 'a'.repeat(1000) + 'x'.repeat(600);
    const b = 'a'.repeat(1000) + 'y'.repeat(600);
    expect(marked(charDiff(a, b).source)).toBe(`${'a'.repeat(1000)}[${'x'.repeat(600)}]`);
  });
});

describe('elideUnchanged', () => {
  it('shortens a long unchanged prefix so the change at the end stays in view', () => {
    const diff = charDiff('a-very-long-customer-address@example.com', 'a-very-long-customer-address@example.org');
    expect(marked(elideUnchanged(diff.source, 6))).toBe('…ample.[com]');
  });

  it('keeps short values whole', () => {
    const diff = charDiff('1.5', '1.6');
    expect(marked(elideUnchanged(diff.target))).toBe('1.[6]');
  });
});
