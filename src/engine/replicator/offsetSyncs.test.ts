import { describe, expect, it } from 'vitest';
import { OffsetSyncs } from './offsetSyncs';

describe('OffsetSyncs', () => {
  it('maps offsets inside contiguous batches one to one, merging adjacent batches', () => {
    const syncs = new OffsetSyncs();
    syncs.record('t', 0, { source: 0, destination: 100, count: 10, sourceEnd: 10 });
    syncs.record('t', 0, { source: 10, destination: 110, count: 5, sourceEnd: 15 });
    expect(syncs.translate('t', 0, 0)).toBe(100);
    expect(syncs.translate('t', 0, 7)).toBe(107);
    expect(syncs.translate('t', 0, 12)).toBe(112);
    expect(syncs.translate('t', 0, 15)).toBe(115);
    expect(syncs.toJSON()['t:0']).toHaveLength(1);
  });

  it('never runs ahead: gaps map to the batch start, offsets past the last batch to its end', () => {
    const syncs = new OffsetSyncs();
    // Source offsets 20..29 with two gaps (compaction): 8 records written at 200..207.
    syncs.record('t', 1, { source: 20, destination: 200, count: 8, sourceEnd: 30 });
    expect(syncs.translate('t', 1, 25)).toBe(200);
    expect(syncs.translate('t', 1, 30)).toBe(208);
    expect(syncs.translate('t', 1, 90)).toBe(208);
    expect(syncs.translate('t', 1, 19)).toBeUndefined();
    expect(syncs.translate('t', 2, 5)).toBeUndefined();
  });

  it('round-trips through JSON and keeps only the newest points', () => {
    const syncs = new OffsetSyncs(2);
    syncs.record('t', 0, { source: 0, destination: 0, count: 1, sourceEnd: 2 });
    syncs.record('t', 0, { source: 2, destination: 1, count: 1, sourceEnd: 4 });
    syncs.record('t', 0, { source: 4, destination: 2, count: 1, sourceEnd: 6 });
    const copy = OffsetSyncs.fromJSON(JSON.parse(JSON.stringify(syncs)));
    expect(copy.translate('t', 0, 0)).toBeUndefined();
    expect(copy.translate('t', 0, 4)).toBe(2);
    expect(copy.translate('t', 0, 6)).toBe(3);
  });
});
