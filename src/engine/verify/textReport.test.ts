import { describe, expect, it } from 'vitest';
import type { VerifyReport } from '../../shared/api/verify';
import { formatReport } from './textReport';

const base: VerifyReport = {
  runId: 'r',
  equal: false,
  rowsCompared: 4,
  sourceRows: 3,
  targetRows: 3,
  seconds: 0.5,
  onlyInSource: [{ id: 3 }],
  onlyInTarget: [{ id: 4 }],
  different: [{ key: { id: 1 }, columns: [{ name: 's', source: '', target: null }, { name: 'n', source: '1', target: '2' }] }],
  truncated: false,
  key: ['id'],
  columns: ['s', 'n'],
  normalisation: [],
  notes: ['a note'],
  segmentsChecked: 32,
  segmentsFetched: 2,
};

describe('formatReport', () => {
  it('gives the verdict, totals, one-sided keys, differing cells (empty and NULL told apart) and notes', () => {
    const text = formatReport(base);
    expect(text.split('\n')[0]).toBe('DIFFERENT: 1 only in source, 1 only in target, 1 different');
    expect(text).toContain('rows: source 3, target 3; key (id); 2 compared columns; 0.50 s; 32 segments checked, 2 fetched');
    expect(text).toContain('Only in source:\n  id\n  --\n  3');
    expect(text).toMatch(/id=1 +s +'' +NULL\n +n +1 +2/);
    expect(text).toContain('Notes:\n  - a note');
  });

  it('says EQUAL and nothing else to list when equal', () => {
    const text = formatReport({ ...base, equal: true, onlyInSource: [], onlyInTarget: [], different: [], notes: [] });
    expect(text.startsWith('EQUAL\n')).toBe(true);
    expect(text).not.toContain('Only in');
  });
});
