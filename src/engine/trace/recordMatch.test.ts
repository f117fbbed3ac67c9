import { describe, expect, it } from 'vitest';
import type { DecodedChangeEvent } from '../schema';
import { changeEventParts, lsnText, recordChangeTimeMs } from './recordMatch';

const schema = { name: 'Value', fields: [] } as unknown as DecodedChangeEvent['schema'];

describe('Debezium change events in a trace', () => {
  it('takes the row after an insert or update, with the binlog file:pos and the row within the event', () => {
    const parts = changeEventParts({ op: 'u', schema, before: { id: 1, v: 'a' }, after: { id: 1, v: 'b' }, source: { file: 'mariadb-bin.000003', pos: 1234, row: 2, ts_ms: 1_700_000_000_000 } });
    expect(parts).toEqual({ values: { id: 1, v: 'b' }, op: 'u', snapshot: false, position: 'mariadb-bin.000003:1234 row 2' });
  });

  it('takes the row before a delete, and the LSN as PostgreSQL prints it', () => {
    const parts = changeEventParts({ op: 'd', schema, before: { id: 7 }, after: null, source: { lsn: 0x16b374d848, txId: 9 } });
    expect(parts).toEqual({ values: { id: 7 }, op: 'd', snapshot: false, position: 'LSN 16/B374D848' });
    expect(lsnText('23808232')).toBe('0/16B48E8');
  });

  it('marks a snapshot read (op r) as an insert read by the snapshot, and refuses what is not an event', () => {
    expect(changeEventParts({ op: 'r', schema, before: null, after: { id: 3 }, source: { file: 'b.000001', pos: 4, row: 0 } })).toEqual({ values: { id: 3 }, op: 'c', snapshot: true, position: 'b.000001:4' });
    expect(changeEventParts({ op: 'x', schema, before: null, after: { id: 3 } })).toBeUndefined();
    expect(changeEventParts({ op: 'c', schema, before: null, after: null })).toBeUndefined();
  });
});

describe('recordChangeTimeMs', () => {
  it("reads the first non-null timestamp column of the record's value, as UTC when it carries no zone", () => {
    expect(recordChangeTimeMs({ id: 1, updated_at: '2026-12-05T10:00:00.250Z' }, ['updated_at'])).toBe(Date.UTC(2026, 11, 5, 10, 0, 0, 250));
    expect(recordChangeTimeMs({ id: 1, modified: null, created: '2026-12-05 10:00:00' }, ['modified', 'created'])).toBe(Date.UTC(2026, 11, 5, 10));
    expect(recordChangeTimeMs({ id: 1, updated_at: 1_765_000_000_000 }, ['updated_at'])).toBe(1_765_000_000_000);
  });

  it('gives nothing for a tombstone, a source without timestamp columns, or a value that is not a time', () => {
    expect(recordChangeTimeMs(null, ['updated_at'])).toBeUndefined();
    expect(recordChangeTimeMs({ id: 1 }, [])).toBeUndefined();
    expect(recordChangeTimeMs({ id: 1, updated_at: 'soon' }, ['updated_at'])).toBeUndefined();
  });
});
