import { describe, expect, it } from 'vitest';
import type { BrowsedRecord } from '../../../../shared/api';
import { RowBuffer } from './rowBuffer';

const record = (offset: number): BrowsedRecord => ({
  partition: 0,
  offset: String(offset),
  timestamp: 0,
  key: { format: 'null', text: 'null', size: 0 },
  value: { format: 'text', text: `v${offset}`, size: 2 },
  headers: [],
});

describe('row buffer', () => {
  it('keeps at most its cap, dropping the oldest and counting them', () => {
    const buffer = new RowBuffer(3);
    buffer.append([record(1), record(2)]);
    buffer.append([record(3), record(4), record(5)]);
    expect(buffer.length).toBe(3);
    expect(buffer.dropped).toBe(2);
    expect(buffer.at(0, false)?.offset).toBe('3');
    expect(buffer.at(0, true)?.offset).toBe('5');
    buffer.clear();
    expect(buffer.length).toBe(0);
  });
});
