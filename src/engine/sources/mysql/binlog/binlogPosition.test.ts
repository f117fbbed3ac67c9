import { describe, expect, it } from 'vitest';
import { advanceMariaDbGtidPosition, binlogPositionFromCheckpoint, binlogPositionToCheckpoint, compareBinlogPositions, describeBinlogPosition } from './binlogPosition';

describe('binlog positions', () => {
  it('round-trips through a checkpoint with Debezium’s offset keys', () => {
    const position = { file: 'mariadb-bin.000002', pos: 1234, row: 3, gtids: '0-1001-15', serverId: 1001 };
    const checkpoint = binlogPositionToCheckpoint(position);
    expect(checkpoint).toEqual({ file: 'mariadb-bin.000002', pos: 1234, row: 3, gtids: '0-1001-15', server_id: 1001 });
    expect(binlogPositionFromCheckpoint(checkpoint)).toEqual(position);
  });

  it('refuses a checkpoint without a file or with a position before the first event, saying how to recover', () => {
    expect(() => binlogPositionFromCheckpoint({ pos: 5 })).toThrow(/no usable "file" and "pos".*Delete the pipeline's checkpoint/);
    expect(() => binlogPositionFromCheckpoint({ file: 'b.000001', pos: 2 })).toThrow(/pos ≥ 4/);
    expect(() => binlogPositionFromCheckpoint({ id: 5, ts: 7 })).toThrow(/SOURCE_BAD_POSITION|no usable/);
  });

  it('orders positions by file number, then offset, then row', () => {
    const at = (file: string, pos: number, row = 0) => ({ file, pos, row });
    expect(compareBinlogPositions(at('b.000009', 900), at('b.000010', 4))).toBeLessThan(0);
    expect(compareBinlogPositions(at('b.000010', 500), at('b.000010', 400))).toBeGreaterThan(0);
    expect(compareBinlogPositions(at('b.000010', 500, 2), at('b.000010', 500, 1))).toBeGreaterThan(0);
    expect(compareBinlogPositions(at('b.000010', 500), at('b.000010', 500))).toBe(0);
  });

  it('describes a position for people', () => {
    expect(describeBinlogPosition({ file: 'b.000001', pos: 77, row: 1, gtids: '0-1-9' })).toBe('b.000001:77 (after 1 row of its transaction), GTIDs 0-1-9');
  });
});

describe('MariaDB GTID positions', () => {
  it('replaces the committed transaction’s domain and keeps the others', () => {
    expect(advanceMariaDbGtidPosition('0-1001-10', '0-1001-11')).toBe('0-1001-11');
    expect(advanceMariaDbGtidPosition('0-1001-10,2-7-4', '2-7-5')).toBe('0-1001-10,2-7-5');
    expect(advanceMariaDbGtidPosition('', '1-3-1')).toBe('1-3-1');
    expect(advanceMariaDbGtidPosition(undefined, '0-1-1')).toBe('0-1-1');
    expect(advanceMariaDbGtidPosition('3-1-9', '0-1-2')).toBe('0-1-2,3-1-9');
  });
});
