import { describe, expect, it } from 'vitest';
import { AppliedLog } from './appliedLog';

const chunk = (first: number, last: number, at: number, partition = 0) => ({ topic: 't', partition, firstOffset: String(first), lastOffset: String(last), committedAtMs: at, targetTable: 'x', records: last - first + 1, deadLettered: [] });

describe('AppliedLog', () => {
  it('finds the chunk that holds an offset, the newest one when a chunk was applied twice', () => {
    const log = new AppliedLog(8);
    log.add(chunk(0, 9, 1));
    log.add(chunk(10, 19, 2));
    log.add(chunk(10, 19, 3)); // re-applied after a failed commit
    log.add(chunk(0, 4, 4, 1));
    expect(log.find('t', 0, '5')?.committedAtMs).toBe(1);
    expect(log.find('t', 0, '15')?.committedAtMs).toBe(3);
    expect(log.find('t', 1, '3')?.committedAtMs).toBe(4);
    expect(log.find('t', 0, '20')).toBeUndefined();
    expect(log.find('other', 0, '5')).toBeUndefined();
  });

  it('keeps a bounded window, oldest out first', () => {
    const log = new AppliedLog(3);
    for (let index = 0; index < 10; index++) log.add(chunk(index * 10, index * 10 + 9, index));
    expect(log.length).toBe(3);
    expect(log.entries().map((entry) => entry.committedAtMs)).toEqual([7, 8, 9]);
    expect(log.find('t', 0, '5')).toBeUndefined();
    expect(log.find('t', 0, '95')?.committedAtMs).toBe(9);
  });
});
